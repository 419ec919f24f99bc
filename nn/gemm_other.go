//go:build !amd64 || noasm

package nn

// hasGemmKernel is false: no assembly micro-kernels on this platform, gemm
// uses gonum's pure-Go BLAS.
var hasGemmKernel = false

// hasAVX512 is false: no assembly micro-kernels on this platform.
var hasAVX512 = false

func sgemm6x16(k int, a *float32, rsA, csA int, b *float32, ldb int, c *float32, ldc, acc int) {
	panic("nn: no gemm kernel")
}

func dgemm6x8(k int, a *float64, rsA, csA int, b *float64, ldb int, c *float64, ldc, acc int) {
	panic("nn: no gemm kernel")
}

func sgemm6x32(k int, a *float32, rsA, csA int, b *float32, ldb int, c *float32, ldc, acc int) {
	panic("nn: no gemm kernel")
}

func dgemm6x16(k int, a *float64, rsA, csA int, b *float64, ldb int, c *float64, ldc, acc int) {
	panic("nn: no gemm kernel")
}
