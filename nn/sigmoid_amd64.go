//go:build amd64 && !noasm

package nn

import (
	"math"
	"unsafe"
)

const sigmoidConsts = 15

// sigmoidAVX2 computes σ and, if d is non-nil, σ' for n (a multiple of 4)
// float32 elements, bit for bit as sigmoidF32Scalar.
//
//go:noescape
func sigmoidAVX2(n int, x, y, d *float32, c *[sigmoidConsts][4]uint64)

// sigmoidTable holds the constants of sigmoidAVX2, each repeated over 4
// lanes, in the order the assembly reads them.
var sigmoidTable = func() *[sigmoidConsts][4]uint64 {
	f := math.Float64bits
	vals := [sigmoidConsts]uint64{
		1 << 63,                   // sign mask
		f(-104),                   // argument clamp, low
		f(104),                    // argument clamp, high
		f(1.4426950408889634),     // log₂e
		f(6755399441055744.0),     // 1.5·2⁵² (rounding shifter; its bits are subtracted too)
		f(0.6931471803691238),     // ln2 high part
		f(1.9082149292705877e-10), // ln2 low part
		f(1.0 / 5040),             // Taylor coefficients of eʳ, highest first
		f(1.0 / 720),              //
		f(1.0 / 120),              //
		f(1.0 / 24),               //
		f(1.0 / 6),                //
		f(1.0 / 2),                //
		f(1),                      // one
		1023,                      // float64 exponent bias (integer)
	}
	var t [sigmoidConsts][4]uint64
	for i, v := range vals {
		for j := range t[i] {
			t[i][j] = v
		}
	}
	return &t
}()

// sigmoidVec handles the leading multiple of 4 elements with AVX2 and
// returns how many it did (0 without AVX2 and FMA). y and x have equal
// lengths; d is nil or as long.
func sigmoidVec(y, d, x []float32) int {
	if !hasGemmKernel {
		return 0
	}
	n := len(y) &^ 3
	if n == 0 {
		return 0
	}
	var dp *float32
	if d != nil {
		dp = &d[0]
	}
	sigmoidAVX2(n, unsafe.SliceData(x), unsafe.SliceData(y), dp, sigmoidTable)
	return n
}
