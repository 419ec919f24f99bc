package nn

import "math"

// expF32 returns eˣ with relative error below 1e−8 for x in float32's range
// (x < −104 gives 0, x > 89 gives +Inf): enough for float32 results at a
// fraction of math.Exp's cost. Range reduction x = n·ln2 + r, |r| ≤ ln2/2,
// then a degree-7 Taylor polynomial for eʳ.
func expF32(x float64) float64 {
	if x < -104 {
		return 0
	}
	if x > 89 {
		return math.Inf(1)
	}
	const (
		log2e = 1.4426950408889634
		ln2hi = 0.6931471803691238
		ln2lo = 1.9082149292705877e-10
	)
	// Adding 1.5·2⁵² rounds x·log₂e to the nearest integer n, held in the
	// low mantissa bits of t.
	const shifter = 6755399441055744.0
	t := x*log2e + shifter
	n := t - shifter
	r := x - n*ln2hi - n*ln2lo
	p := 1 + r*(1+r*(1.0/2+r*(1.0/6+r*(1.0/24+r*(1.0/120+r*(1.0/720+r*(1.0/5040)))))))
	return p * math.Float64frombits(uint64(int64(int32(math.Float64bits(t)))+1023)<<52)
}

// sigmoidF32Slice writes σ(x[i]) = 1/(1+e^(−x[i])) to y and, if d is
// non-nil, the derivative σ(x)·σ(−x) = (e·σ)·σ with e = e^(−x) to d, for
// float32 data (y may alias x), in float32 arithmetic. The product form keeps
// full relative accuracy where σ saturates (σ(1−σ) computed from a rounded σ
// would lose it to cancellation). The argument of the exponential is clamped
// to [−87, 87], so that e, σ and σ' stay normal float32 numbers: beyond
// |x| = 87 σ is 1 or 1.6e−38 and σ' is 1.6e−38 (instead of values that would
// be float32 subnormals or 0). NaN propagates. Measured against the correctly
// rounded values (TestSigmoidF32Slice), σ is within 2.3 ulp and σ' within
// 4.2 ulp (relative errors below 3e−7 and 5e−7).
func sigmoidF32Slice(y, d, x []float32) {
	x = x[:len(y)]
	if d != nil {
		d = d[:len(y)]
	}
	// The leading multiple of 8 goes through the AVX2 kernel where there is
	// one (the same operations, 8 lanes at a time, identical results).
	k := sigmoidVec(y, d, x)
	if d != nil {
		d = d[k:]
	}
	sigmoidF32Scalar(y[k:], d, x[k:])
}

// Constants of the float32 sigmoid (shared with the AVX2 kernel's table).
const (
	sigLog2e = float32(1.44269504088896341)
	// sigShifter is 1.5·2²³: adding it rounds to an integer held in the low
	// mantissa bits.
	sigShifter = float32(12582912)
	// sigLn2Hi has 9 significant bits, so n·sigLn2Hi is exact for |n| ≤ 127;
	// sigLn2Hi + sigLn2Lo = ln 2 to float32 working accuracy (Cody–Waite).
	sigLn2Hi = float32(0.693359375)
	sigLn2Lo = float32(-2.12194440e-4)
	sigClamp = float32(87)
)

// sigmoidF32Scalar is sigmoidF32Slice one element at a time, the reference
// of the vector kernel: e = 2ⁿ·eʳ with n = round(arg·log₂e), r = arg − n·ln2
// (|r| ≤ ln2/2) and eʳ by a degree-7 Taylor polynomial (truncation error
// 5e−9 relative).
func sigmoidF32Scalar(y, d, x []float32) {
	x = x[:len(y)]
	if d != nil {
		d = d[:len(y)]
	}
	// The explicit float32 conversions round every product, so no compiler
	// (GOAMD64=v3 included) fuses them into multiply-adds: the results are
	// those of the separately rounded operations the vector kernel performs.
	for i, v := range x {
		arg := min(max(-v, -sigClamp), sigClamp)
		sh := float32(arg*sigLog2e) + sigShifter
		n := sh - sigShifter
		r := (arg - float32(n*sigLn2Hi)) - float32(n*sigLn2Lo)
		// eʳ ≈ 1 + r(1 + r(1/2 + r(1/6 + r(1/24 + r(1/120 + r(1/720 + r/5040)))))), by Horner.
		t := float32(r * (1.0 / 5040))
		t = float32(r * (1.0/720 + t))
		t = float32(r * (1.0/120 + t))
		t = float32(r * (1.0/24 + t))
		t = float32(r * (1.0/6 + t))
		t = float32(r * (1.0/2 + t))
		t = float32(r * (1 + t))
		// 2ⁿ from the low bits of sh: bits(sh) − bits(1.5·2²³) = n.
		scale := math.Float32frombits(uint32(int32(math.Float32bits(sh)-math.Float32bits(sigShifter))+127) << 23)
		e := float32((1 + t) * scale)
		s := 1 / (1 + e)
		y[i] = s
		if d != nil {
			d[i] = float32(float32(e*s) * s)
		}
	}
}
