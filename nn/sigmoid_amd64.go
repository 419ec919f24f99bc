//go:build amd64 && !noasm

package nn

import (
	"math"
	"unsafe"
)

const sigmoidConsts = 15

// sigmoidAVX2 computes σ and, if d is non-nil, σ' for n (a multiple of 8)
// float32 elements, bit for bit as sigmoidF32Scalar.
//
//go:noescape
func sigmoidAVX2(n int, x, y, d *float32, c *[sigmoidConsts][8]uint32)

// sigmoidTable holds the constants of sigmoidAVX2, each repeated over 8
// lanes, in the order the assembly reads them.
var sigmoidTable = func() *[sigmoidConsts][8]uint32 {
	f := math.Float32bits
	vals := [sigmoidConsts]uint32{
		1 << 31,       // sign mask
		f(-sigClamp),  // argument clamp, low
		f(sigClamp),   // argument clamp, high
		f(sigLog2e),   // log₂e
		f(sigShifter), // 1.5·2²³ (rounding shifter; its bits are subtracted too)
		f(sigLn2Hi),   // ln2 high part
		f(sigLn2Lo),   // ln2 low part
		f(1.0 / 5040), // Taylor coefficients of eʳ, highest first
		f(1.0 / 720),  //
		f(1.0 / 120),  //
		f(1.0 / 24),   //
		f(1.0 / 6),    //
		f(1.0 / 2),    //
		f(1),          // one
		127,           // float32 exponent bias (integer)
	}
	var t [sigmoidConsts][8]uint32
	for i, v := range vals {
		for j := range t[i] {
			t[i][j] = v
		}
	}
	return &t
}()

// sigmoidVec handles the leading multiple of 8 elements with AVX2 and
// returns how many it did (0 without AVX2 and FMA). y and x have equal
// lengths; d is nil or as long.
func sigmoidVec(y, d, x []float32) int {
	if !hasGemmKernel {
		return 0
	}
	n := len(y) &^ 7
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
