package molecules

import "math"

// logTable holds, for the 256 intervals [1+k/256, 1+(k+1)/256) of the
// mantissa, a centre reciprocal c_k and ln(1/c_k).
var logTable = func() (t [256][2]float64) {
	for k := range t {
		c := 1 / (1 + (float64(k)+0.5)/256)
		t[k] = [2]float64{c, -math.Log(c)}
	}
	return t
}()

// logPos returns ln(x) for positive, finite, normal x (no check: other
// inputs give meaningless results) with an absolute error below about
// 4e-16·max(1, |ln x|). It is small enough to be inlined into the GB pair
// loop: x = 2^e·m, m·c_k = 1 + u with |u| < 1/510, and ln x = e·ln 2 +
// ln(1/c_k) + log1p(u) with a degree-5 Taylor polynomial (truncation below
// 1e-17).
func logPos(x float64) float64 {
	b := math.Float64bits(x)
	c := &logTable[uint8(b>>44)]
	u := math.Float64frombits(b&(1<<52-1)|0x3ff<<52)*c[0] - 1
	return (float64(int(b>>52)-1023)*math.Ln2 + c[1]) + u*(1+u*(-1.0/2+u*(1.0/3+u*(-1.0/4+u*(1.0/5)))))
}

// exp2Table holds the bits of 2^(j/256), j = 0…255.
var exp2Table = func() (t [256]uint64) {
	for j := range t {
		t[j] = math.Float64bits(math.Exp2(float64(j) / 256))
	}
	return t
}()

// Split of ln2/256 into a high part with trailing zero bits (so that
// k·expLn2Hi is exact for |k| < 2^20) and a low part.
const (
	expLn2Hi = 6.93147180369123816490e-01 / 256
	expLn2Lo = 1.90821492927058770002e-10 / 256
)

// expRange is the argument range [−expRange, 0] of expNeg.
const expRange = 700

// expNeg returns e^x for −expRange ≤ x ≤ 0 (no check) with a relative error
// of a few ulp. It is small enough to be inlined: x = (k + f)·ln2/256 with
// k integer and |f·ln2/256| ≤ ln2/512, e^x = 2^(k/256)·e^r with 2^(k/256)
// from a table and e^r by a degree-5 Taylor polynomial (truncation below
// 1e-20).
func expNeg(x float64) float64 {
	kd := x*(256/math.Ln2) + 0x1.8p52 // round to nearest integer k
	k := math.Float64bits(kd) - 0x4338000000000000
	kf := kd - 0x1.8p52
	r := x - kf*expLn2Hi - kf*expLn2Lo
	return math.Float64frombits(exp2Table[uint8(k)]+(k>>8)<<52) * (1 + r*(1+r*(1.0/2+r*(1.0/6+r*(1.0/24+r*(1.0/120))))))
}

// atanTable holds atan(k/128), k = 0…128 (the rest is unused padding for
// an index of type uint8).
var atanTable = func() (t [256]float64) {
	for k := 0; k <= 128; k++ {
		t[k] = math.Atan(float64(k) / 128)
	}
	return t
}()

// angleAtan2 returns atan2(y, x) in [0, π] for finite y ≥ 0 and x (no
// check; 0 for x = y = 0) with an error of a few ulp: the reduced argument
// t = min(y,|x|)/max(y,|x|) ∈ [0, 1] is split as atan t = atan c +
// atan((t−c)/(1+tc)) with c = k/128 nearest to t, and the second term,
// of magnitude below 1/256, by a degree-7 Taylor polynomial (truncation
// below 1e-22).
func angleAtan2(y, x float64) float64 {
	ax := math.Abs(x)
	swap := y > ax
	num, den := y, ax
	if swap {
		num, den = ax, y
	}
	if den == 0 {
		return 0
	}
	t := num / den
	k := int(t*128 + 0.5)
	c := float64(k) * (1.0 / 128)
	d := (t - c) / (1 + t*c)
	d2 := d * d
	a := atanTable[uint8(k)] + d*(1+d2*(-1.0/3+d2*(1.0/5-d2*(1.0/7))))
	if swap {
		a = math.Pi/2 - a
	}
	if x < 0 {
		a = math.Pi - a
	}
	return a
}
