package smc

import (
	"errors"
	"fmt"
	"math"
	"sort"
)

// ErrAllZeroWeights is returned when every importance weight is zero: every
// particle was invalid (non-finite energy, log-density or gradient) or was
// filtered out, so no estimate can be formed.
var ErrAllZeroWeights = errors.New("smc: all importance weights are zero (every particle invalid or filtered)")

// LogSumExp returns log Σ exp(x[i]) computed stably. Entries equal to −Inf
// contribute nothing; it returns −Inf when x is empty or all entries are −Inf.
// NaN entries are treated as −Inf.
func LogSumExp(x []float64) float64 {
	m := math.Inf(-1)
	for _, v := range x {
		if v > m {
			m = v
		}
	}
	if math.IsInf(m, -1) {
		return m
	}
	if math.IsInf(m, 1) {
		return m
	}
	var s float64
	for _, v := range x {
		if v > math.Inf(-1) { // false for NaN and −Inf
			s += math.Exp(v - m)
		}
	}
	return m + math.Log(s)
}

// logSumExp2 returns log Σ exp(2·x[i]), stably.
func logSumExp2(x []float64) float64 {
	m := math.Inf(-1)
	for _, v := range x {
		if v > m {
			m = v
		}
	}
	if math.IsInf(m, 0) {
		return 2 * m
	}
	var s float64
	for _, v := range x {
		if v > math.Inf(-1) {
			d := v - m
			s += math.Exp(2 * d)
		}
	}
	return 2*m + math.Log(s)
}

// LogWeights writes the importance log-weights log w[i] = −energy[i] − logq[i]
// to dst and returns it, together with the number of invalid entries. An entry
// whose energy or logq is not finite is invalid and gets log w = −Inf (weight
// zero). If dst is nil a new slice is allocated; otherwise len(dst) must equal
// len(energy). len(logq) must equal len(energy).
func LogWeights(dst, energy, logq []float64) ([]float64, int) {
	if len(logq) != len(energy) {
		panic(fmt.Sprintf("smc: LogWeights length mismatch: energy %d, logq %d", len(energy), len(logq)))
	}
	if dst == nil {
		dst = make([]float64, len(energy))
	}
	if len(dst) != len(energy) {
		panic(fmt.Sprintf("smc: LogWeights length mismatch: dst %d, energy %d", len(dst), len(energy)))
	}
	invalid := 0
	for i, e := range energy {
		lw := -e - logq[i]
		if !isFinite(e) || !isFinite(logq[i]) || !isFinite(lw) {
			lw = math.Inf(-1)
			invalid++
		}
		dst[i] = lw
	}
	return dst, invalid
}

// ESS returns the normalised Kish effective sample size
// (Σw)²/(n·Σw²) ∈ [1/n, 1] of the weights w = exp(logw), computed from the
// log-weights by log-sum-exp, where n = len(logw) (zero weights included).
// Adding a constant to every log-weight does not change it. It returns 0 if
// every weight is zero or logw is empty.
func ESS(logw []float64) float64 {
	_, ess := lseESS(logw)
	return ess
}

// lseESS returns LogSumExp(logw) and ESS(logw) with one exponential per
// entry.
func lseESS(logw []float64) (lse, ess float64) {
	n := len(logw)
	m := math.Inf(-1)
	for _, v := range logw {
		if v > m {
			m = v
		}
	}
	if n == 0 || math.IsInf(m, -1) {
		return math.Inf(-1), 0
	}
	if math.IsInf(m, 1) {
		return m, math.NaN()
	}
	var s1, s2 float64
	for _, v := range logw {
		if v > math.Inf(-1) {
			e := math.Exp(v - m)
			s1 += e
			s2 += e * e
		}
	}
	return m + math.Log(s1), s1 * s1 / (s2 * float64(n))
}

// Normalize writes the self-normalised weights W[i] = w[i]/Σw (summing to 1)
// to dst and returns it; dst may be nil (allocated) or logw itself. It returns
// ErrAllZeroWeights if every weight is zero.
func Normalize(dst, logw []float64) ([]float64, error) {
	if dst == nil {
		dst = make([]float64, len(logw))
	}
	if len(dst) != len(logw) {
		panic(fmt.Sprintf("smc: Normalize length mismatch: dst %d, logw %d", len(dst), len(logw)))
	}
	l := LogSumExp(logw)
	if math.IsInf(l, -1) || math.IsNaN(l) {
		return dst, ErrAllZeroWeights
	}
	for i, v := range logw {
		if v > math.Inf(-1) {
			dst[i] = math.Exp(v - l)
		} else {
			dst[i] = 0
		}
	}
	return dst, nil
}

// LogZ returns the importance-sampling estimate of the log normalising
// constant, log Ẑ = log((1/n)·Σw) with n = len(logw) (zero weights count in n),
// and its delta-method standard error
//
//	se = sqrt((n·ΣW² − 1)/(n − 1)),  W = w/Σw,
//
// which estimates the relative standard error of Ẑ, hence the standard error
// of log Ẑ. It returns ErrAllZeroWeights if every weight is zero; se is +Inf
// when n < 2.
func LogZ(logw []float64) (logz, se float64, err error) {
	n := len(logw)
	l1 := LogSumExp(logw)
	if n == 0 || math.IsInf(l1, -1) || math.IsNaN(l1) {
		return math.Inf(-1), math.Inf(1), ErrAllZeroWeights
	}
	logz = l1 - math.Log(float64(n))
	if n < 2 {
		return logz, math.Inf(1), nil
	}
	sumW2 := math.Exp(logSumExp2(logw) - 2*l1)
	v := (float64(n)*sumW2 - 1) / float64(n-1)
	if v < 0 {
		v = 0
	}
	return logz, math.Sqrt(v), nil
}

// WeightedMean writes the self-normalised importance-sampling estimate
// Σ W[i]·x[i] of the mean of the rows of x (n×D) to dst (length D) and
// returns it; dst may be nil. It returns ErrAllZeroWeights if every weight is
// zero.
func WeightedMean(dst []float64, logw []float64, x [][]float64) ([]float64, error) {
	if len(x) != len(logw) {
		panic(fmt.Sprintf("smc: WeightedMean length mismatch: x %d, logw %d", len(x), len(logw)))
	}
	if len(x) == 0 {
		return dst, ErrAllZeroWeights
	}
	d := len(x[0])
	if dst == nil {
		dst = make([]float64, d)
	}
	if len(dst) != d {
		panic(fmt.Sprintf("smc: WeightedMean dimension mismatch: dst %d, x %d", len(dst), d))
	}
	l := LogSumExp(logw)
	if math.IsInf(l, -1) || math.IsNaN(l) {
		return dst, ErrAllZeroWeights
	}
	for j := range dst {
		dst[j] = 0
	}
	for i, v := range logw {
		if !(v > math.Inf(-1)) {
			continue
		}
		w := math.Exp(v - l)
		for j, xv := range x[i] {
			dst[j] += w * xv
		}
	}
	return dst, nil
}

// Expectation returns the self-normalised importance-sampling estimate
// Σ W[i]·f[i] of E_π[f] from per-particle values f. It returns
// ErrAllZeroWeights if every weight is zero.
func Expectation(logw, f []float64) (float64, error) {
	if len(f) != len(logw) {
		panic(fmt.Sprintf("smc: Expectation length mismatch: f %d, logw %d", len(f), len(logw)))
	}
	l := LogSumExp(logw)
	if math.IsInf(l, -1) || math.IsNaN(l) {
		return math.NaN(), ErrAllZeroWeights
	}
	var s float64
	for i, v := range logw {
		if v > math.Inf(-1) {
			s += math.Exp(v-l) * f[i]
		}
	}
	return s, nil
}

// ClipQuantile drops the particles whose log-weight exceeds the (1 − q)
// quantile of the finite log-weights by setting their log-weight to −Inf, in
// place, as the SBG reference does with q = 0.002 (the top 0.2 %). The
// threshold is the order statistic at index ⌊(1−q)·(m−1)⌋ of the m finite
// values sorted ascending, so exactly those strictly above it are dropped. It
// returns the number dropped. q must be in [0, 1); q = 0 drops nothing.
func ClipQuantile(logw []float64, q float64) int {
	if !(q >= 0 && q < 1) {
		panic(fmt.Sprintf("smc: ClipQuantile quantile %v outside [0, 1)", q))
	}
	if q == 0 {
		return 0
	}
	fin := make([]float64, 0, len(logw))
	for _, v := range logw {
		if v > math.Inf(-1) && !math.IsInf(v, 1) {
			fin = append(fin, v)
		}
	}
	if len(fin) == 0 {
		return 0
	}
	sort.Float64s(fin)
	thr := fin[int(math.Floor((1-q)*float64(len(fin)-1)))]
	n := 0
	for i, v := range logw {
		if v > thr {
			logw[i] = math.Inf(-1)
			n++
		}
	}
	return n
}

// EnergyCutoff sets logw[i] to −Inf (weight zero) for every particle whose
// reduced energy[i] is not below cutoff (units of kT), in place, and returns
// the number dropped. Energies that are NaN are dropped too.
func EnergyCutoff(logw, energy []float64, cutoff float64) int {
	if len(logw) != len(energy) {
		panic(fmt.Sprintf("smc: EnergyCutoff length mismatch: logw %d, energy %d", len(logw), len(energy)))
	}
	n := 0
	for i, e := range energy {
		if !(e < cutoff) && logw[i] > math.Inf(-1) {
			logw[i] = math.Inf(-1)
			n++
		}
	}
	return n
}

func isFinite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
