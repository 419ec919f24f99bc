package smc

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Scheme is a resampling scheme: a way to draw N ancestor indices such that
// index i is chosen N·W[i] times in expectation, W being the normalised
// weights.
type Scheme int

const (
	// Systematic resampling: one uniform U ~ U[0, 1), positions (U + j)/N.
	// Lowest variance in practice; the default.
	Systematic Scheme = iota
	// Multinomial resampling: N independent draws with replacement.
	Multinomial
	// Stratified resampling: positions (j + U_j)/N with independent U_j.
	Stratified
	// Residual resampling: ⌊N·W[i]⌋ deterministic copies, the remainder
	// drawn multinomially from the residual weights.
	Residual
)

// String returns the lower-case name of the scheme.
func (s Scheme) String() string {
	switch s {
	case Systematic:
		return "systematic"
	case Multinomial:
		return "multinomial"
	case Stratified:
		return "stratified"
	case Residual:
		return "residual"
	}
	return fmt.Sprintf("Scheme(%d)", int(s))
}

// ParseScheme returns the Scheme named s (as returned by String).
func ParseScheme(s string) (Scheme, error) {
	for _, sc := range []Scheme{Systematic, Multinomial, Stratified, Residual} {
		if sc.String() == s {
			return sc, nil
		}
	}
	return 0, fmt.Errorf("smc: unknown resampling scheme %q (want systematic, multinomial, stratified or residual)", s)
}

// Resample draws len(dst) ancestor indices into [0, len(w)) with the given
// scheme and writes them to dst in ascending order. w holds non-negative
// weights (not necessarily normalised); index i is drawn len(dst)·w[i]/Σw
// times in expectation and a zero weight is never drawn. All randomness comes
// from rng. It allocates nothing. It returns ErrAllZeroWeights if Σw is zero,
// and an error if a weight is negative or not finite.
func Resample(dst []int, w []float64, scheme Scheme, rng *rand.Rand) error {
	var total float64
	lastPos := -1
	for i, v := range w {
		if !(v >= 0) || math.IsInf(v, 1) {
			return fmt.Errorf("smc: resampling weight %d is %v (want finite and non-negative)", i, v)
		}
		if v > 0 {
			lastPos = i
		}
		total += v
	}
	if lastPos < 0 {
		return ErrAllZeroWeights
	}
	n := len(dst)
	if n == 0 {
		return nil
	}
	switch scheme {
	case Systematic:
		u := rng.Float64()
		m := merger{w: w, total: total, last: lastPos, cum: w[0]}
		for j := range dst {
			dst[j] = m.next((u + float64(j)) / float64(n))
		}
	case Stratified:
		m := merger{w: w, total: total, last: lastPos, cum: w[0]}
		for j := range dst {
			dst[j] = m.next((rng.Float64() + float64(j)) / float64(n))
		}
	case Multinomial:
		m := merger{w: w, total: total, last: lastPos, cum: w[0]}
		o := orderedUniforms{n: n}
		for j := range dst {
			dst[j] = m.next(o.next(rng))
		}
	case Residual:
		residual(dst, w, total, rng)
	default:
		panic(fmt.Sprintf("smc: unknown resampling scheme %d", int(scheme)))
	}
	return nil
}

// merger maps ascending positions in [0, 1) to indices by walking the
// cumulative weights once.
type merger struct {
	w     []float64
	total float64
	last  int // last index with positive weight
	i     int
	cum   float64
}

func (m *merger) next(u float64) int {
	x := u * m.total
	for x >= m.cum && m.i < len(m.w)-1 {
		m.i++
		m.cum += m.w[m.i]
	}
	if m.i > m.last || m.w[m.i] == 0 {
		// Only reachable through rounding at the top end.
		return m.last
	}
	return m.i
}

// orderedUniforms generates n uniform order statistics in ascending order in
// O(1) memory: with U_(n) = V_n^{1/n} and U_(k) = U_(k+1)·V_k^{1/k} descending,
// 1 − U_(n), 1 − U_(n−1), … are ascending uniform order statistics.
type orderedUniforms struct {
	n, k int
	p    float64
}

func (o *orderedUniforms) next(rng *rand.Rand) float64 {
	if o.k == 0 {
		o.p = 1
	}
	m := o.n - o.k // remaining count
	o.p *= math.Pow(1-rng.Float64(), 1/float64(m))
	o.k++
	return 1 - o.p
}

func residual(dst []int, w []float64, total float64, rng *rand.Rand) {
	n := len(dst)
	nf := float64(n)
	// Deterministic part and residual mass.
	floors := 0
	var rtotal float64
	for _, v := range w {
		c := math.Floor(nf * v / total)
		floors += int(c)
		rtotal += nf*v/total - c
	}
	if floors > n {
		floors = n
	}
	r := n - floors
	o := orderedUniforms{n: r}
	drawn := 0
	var next float64
	if r > 0 {
		next = o.next(rng) * rtotal
	}
	j := 0
	var cum float64
	lastPos := 0
	for i, v := range w {
		if v > 0 {
			lastPos = i
		}
		x := nf * v / total
		c := math.Floor(x)
		for k := 0; k < int(c) && j < n-(r-drawn); k++ {
			dst[j] = i
			j++
		}
		cum += x - c
		for drawn < r && next < cum {
			dst[j] = i
			j++
			drawn++
			if drawn < r {
				next = o.next(rng) * rtotal
			}
		}
	}
	// Rounding at the top end: give the remaining draws to the last
	// positive-weight index.
	for ; j < n; j++ {
		dst[j] = lastPos
	}
}
