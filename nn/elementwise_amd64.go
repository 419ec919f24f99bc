//go:build amd64 && !noasm

package nn

import "unsafe"

// The kernels below process a multiple of 8 float32 elements with AVX2 and
// perform exactly the operations of the scalar loops they replace, in the
// same order and without fused multiply-adds, so results are bit for bit
// those of the scalar code, except that when both operands of an operation
// are NaN the sign of the resulting NaN may differ. Each ...Vec wrapper returns how many leading
// elements it did (0 without AVX2 and FMA); the caller finishes the rest.

//go:noescape
func reluFwdAVX2(n int, y, x *float32)

//go:noescape
func reluBwdAVX2(n int, gx, grad, y *float32)

//go:noescape
func mulAVX2(n int, dst, a, b *float32)

//go:noescape
func swishBwdXAVX2(n int, gx, grad, s, ds, x, beta *float32)

//go:noescape
func swishBwdBetaAVX2(n int, gb, grad, x, ds *float32)

func vecLen(n int) int {
	if !hasGemmKernel {
		return 0
	}
	return n &^ 7
}

// reluFwdVec: y = x with the sign-bit-set lanes zeroed (reluForward).
func reluFwdVec(y, x []float32) int {
	n := vecLen(len(y))
	if n > 0 {
		_ = x[n-1]
		reluFwdAVX2(n, unsafe.SliceData(y), unsafe.SliceData(x))
	}
	return n
}

// reluBwdVec: gx += g where y > 0 (reluBackward).
func reluBwdVec(gx, g, y []float32) int {
	n := vecLen(len(gx))
	if n > 0 {
		_, _ = g[n-1], y[n-1]
		reluBwdAVX2(n, unsafe.SliceData(gx), unsafe.SliceData(g), unsafe.SliceData(y))
	}
	return n
}

// mulVec: dst = a·b element-wise (dst may alias a or b).
func mulVec(dst, a, b []float32) int {
	n := vecLen(len(dst))
	if n > 0 {
		_, _ = a[n-1], b[n-1]
		mulAVX2(n, unsafe.SliceData(dst), unsafe.SliceData(a), unsafe.SliceData(b))
	}
	return n
}

// swishBwdXVec: gx += g·(s + (β·x)·ds).
func swishBwdXVec(gx, g, s, ds, x, beta []float32) int {
	n := vecLen(len(gx))
	if n > 0 {
		_, _, _, _, _ = g[n-1], s[n-1], ds[n-1], x[n-1], beta[n-1]
		swishBwdXAVX2(n, unsafe.SliceData(gx), unsafe.SliceData(g), unsafe.SliceData(s), unsafe.SliceData(ds),
			unsafe.SliceData(x), unsafe.SliceData(beta))
	}
	return n
}

// swishBwdBetaVec: gb += ((g·x)·x)·ds.
func swishBwdBetaVec(gb, g, x, ds []float32) int {
	n := vecLen(len(gb))
	if n > 0 {
		_, _, _ = g[n-1], x[n-1], ds[n-1]
		swishBwdBetaAVX2(n, unsafe.SliceData(gb), unsafe.SliceData(g), unsafe.SliceData(x), unsafe.SliceData(ds))
	}
	return n
}
