//go:build amd64 && !noasm

package nn

import (
	"math"
	"unsafe"
)

const geluConsts = 23

// geluAVX2 computes GELU and its derivative for n (a multiple of 8) float32
// elements; d may be nil.
//
//go:noescape
func geluAVX2(n int, x, y, d *float32, c *[geluConsts][8]uint32)

// geluTable holds the constants of geluAVX2, each repeated over 8 lanes, in
// the order the assembly reads them.
var geluTable = func() *[geluConsts][8]uint32 {
	f := math.Float32bits
	vals := [geluConsts]uint32{
		0x7fffffff,             // |·| mask
		f(float32(invSqrt2)),   // 1/√2
		f(-87),                 // exp argument clamp
		f(1.44269504088896341), // log₂e
		f(0.693359375),         // ln2 high part
		f(-2.12194440e-4),      // ln2 low part
		f(1.9875691500e-4),     // exp polynomial p0 … p5
		f(1.3981999507e-3),     //
		f(8.3334519073e-3),     //
		f(4.1665795894e-2),     //
		f(1.6666665459e-1),     //
		f(5.0000001201e-1),     //
		f(1),                   // one
		127,                    // float32 exponent bias (integer)
		f(0.3275911),           // A&S 7.1.26 p
		f(1.061405429),         // a5
		f(-1.453152027),        // a4
		f(1.421413741),         // a3
		f(-0.284496736),        // a2
		f(0.254829592),         // a1
		0x80000000,             // sign mask
		f(0.5),                 // one half
		f(float32(invSqrt2Pi)), // 1/√(2π)
	}
	var t [geluConsts][8]uint32
	for i, v := range vals {
		for j := range t[i] {
			t[i][j] = v
		}
	}
	return &t
}()

// geluVec handles the leading multiple of 8 elements of float32 data with
// AVX2 and returns how many it did.
func geluVec[F Float](y, d, x []F) int {
	if !isF32[F]() || !hasGemmKernel {
		return 0
	}
	n := len(x) &^ 7
	if n == 0 {
		return 0
	}
	var dp *float32
	if d != nil {
		dp = (*float32)(unsafe.Pointer(&d[0]))
	}
	geluAVX2(n, (*float32)(unsafe.Pointer(&x[0])), (*float32)(unsafe.Pointer(&y[0])), dp, geluTable)
	return n
}
