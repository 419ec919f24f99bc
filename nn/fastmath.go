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
// non-nil, the derivative σ(x)·σ(−x) = e^(−x)/(1+e^(−x))² to d, for float32
// data (y may alias x). The derivative is formed in float64 before rounding,
// so it keeps full float32 relative accuracy where σ saturates (σ(1−σ)
// computed from a rounded float32 σ would lose it to cancellation). expF32's
// polynomial (relative error below 1e−8) is inlined in the loop. The
// argument is clamped to [−104, 104], where σ already rounds to float32's 1
// and 0, so the scale factor stays a normal float64; NaN propagates.
func sigmoidF32Slice(y, d, x []float32) {
	x = x[:len(y)]
	if d != nil {
		d = d[:len(y)]
	}
	// The leading multiple of 4 goes through the AVX2 kernel where there is
	// one (the same operations, 4 lanes at a time, identical results).
	k := sigmoidVec(y, d, x)
	if d != nil {
		d = d[k:]
	}
	sigmoidF32Scalar(y[k:], d, x[k:])
}

// sigmoidF32Scalar is sigmoidF32Slice one element at a time, the reference
// of the vector kernel.
func sigmoidF32Scalar(y, d, x []float32) {
	const (
		log2e   = 1.4426950408889634
		ln2hi   = 0.6931471803691238
		ln2lo   = 1.9082149292705877e-10
		shifter = 6755399441055744.0
	)
	x = x[:len(y)]
	if d != nil {
		d = d[:len(y)]
	}
	// The explicit float64 conversions round every product, so no compiler
	// (GOAMD64=v3 included) fuses them into multiply-adds: the results are
	// those of the separately rounded operations the vector kernel performs.
	for i, v := range x {
		arg := min(max(-float64(v), -104), 104)
		sh := float64(arg*log2e) + shifter
		n := sh - shifter
		r := (arg - float64(n*ln2hi)) - float64(n*ln2lo)
		// eʳ ≈ 1 + r(1 + r(1/2 + r(1/6 + r(1/24 + r(1/120 + r(1/720 + r/5040)))))), by Horner.
		t := float64(r * (1.0 / 5040))
		t = float64(r * (1.0/720 + t))
		t = float64(r * (1.0/120 + t))
		t = float64(r * (1.0/24 + t))
		t = float64(r * (1.0/6 + t))
		t = float64(r * (1.0/2 + t))
		t = float64(r * (1 + t))
		e := float64((1 + t) * math.Float64frombits(uint64(int64(int32(math.Float64bits(sh)))+1023)<<52))
		s := 1 / (1 + e)
		y[i] = float32(s)
		if d != nil {
			d[i] = float32(float64(e*s) * s)
		}
	}
}
