//go:build amd64 && !noasm

package nn

import "unsafe"

// adamAVX2 performs the float32 Adam update of adamStep.scalar (decoupled or
// no weight decay) on n (a multiple of 8) elements, 8 lanes at a time, bit for
// bit: the same operations in the same order, no fused multiply-adds, and a
// square root that is correctly rounded in float32 as the scalar float64 root
// rounded to float32 is. Only the sign of a NaN may differ when both operands
// of an operation are NaN.
//
//go:noescape
func adamAVX2(n int, m, v, w, grad *float32, c *adamConsts)

// adamVec updates the leading multiple of 8 elements with AVX2 and returns how
// many it did (0 without AVX2 and FMA).
func adamVec(m, v, w, g []float32, c *adamConsts) int {
	if !hasGemmKernel {
		return 0
	}
	n := len(w) &^ 7
	if n == 0 {
		return 0
	}
	_, _, _ = m[n-1], v[n-1], g[n-1]
	adamAVX2(n, unsafe.SliceData(m), unsafe.SliceData(v), unsafe.SliceData(w), unsafe.SliceData(g), c)
	return n
}
