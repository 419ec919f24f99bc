//go:build amd64 && !noasm

package nn

func cpuid(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)
func xgetbv() (eax, edx uint32)

// sgemm6x16 adds to the 6×16 tile at c (row stride ldc) the product of the
// 6×k matrix A (element (i, l) at a[i·rsA+l·csA]) and the k×16 matrix B
// (element (l, j) at b[l·ldb+j]), or stores it there when acc is 0. Strides
// are in elements.
//
//go:noescape
func sgemm6x16(k int, a *float32, rsA, csA int, b *float32, ldb int, c *float32, ldc, acc int)

// dgemm6x8 is sgemm6x16 for float64 with a 6×8 tile.
//
//go:noescape
func dgemm6x8(k int, a *float64, rsA, csA int, b *float64, ldb int, c *float64, ldc, acc int)

// sgemm6x32 is sgemm6x16 with a 6×32 tile (AVX-512).
//
//go:noescape
func sgemm6x32(k int, a *float32, rsA, csA int, b *float32, ldb int, c *float32, ldc, acc int)

// dgemm6x16 is dgemm6x8 with a 6×16 tile (AVX-512).
//
//go:noescape
func dgemm6x16(k int, a *float64, rsA, csA int, b *float64, ldb int, c *float64, ldc, acc int)

// hasAVX512 reports whether the AVX-512 kernels can run (AVX-512F with the
// ZMM state enabled by the OS).
var hasAVX512 = hasGemmKernel && detectAVX512()

func detectAVX512() bool {
	if xcr0, _ := xgetbv(); xcr0&0xe6 != 0xe6 {
		return false
	}
	_, ebx7, _, _ := cpuid(7, 0)
	return ebx7&(1<<16) != 0
}

// hasGemmKernel reports whether the AVX2/FMA micro-kernels can run.
var hasGemmKernel = detectAVX2FMA()

func detectAVX2FMA() bool {
	maxID, _, _, _ := cpuid(0, 0)
	if maxID < 7 {
		return false
	}
	_, _, ecx1, _ := cpuid(1, 0)
	const fma, osxsave, avx = 1 << 12, 1 << 27, 1 << 28
	if ecx1&fma == 0 || ecx1&osxsave == 0 || ecx1&avx == 0 {
		return false
	}
	if xcr0, _ := xgetbv(); xcr0&6 != 6 { // XMM and YMM state enabled by the OS
		return false
	}
	_, ebx7, _, _ := cpuid(7, 0)
	return ebx7&(1<<5) != 0 // AVX2
}
