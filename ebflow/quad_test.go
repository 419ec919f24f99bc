package ebflow

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
)

// logIntegral returns log ∫_{(−1,1)^d} exp(f(a)) da, computed with the trapezoid rule on the substitution
// a = tanh(u), u ∈ [−L, L]^d, n points per axis (da = Π(1 − tanh² u_i) du). f evaluates a batch: given m actions
// (row-major [m, d]) it writes m values of log integrand into out. The sum is a streaming log-sum-exp.
func logIntegral(d, n int, L float64, f func(a []float64, m int, out []float64)) float64 {
	h := 2 * L / float64(n-1)
	total := 1
	for i := 0; i < d; i++ {
		total *= n
	}
	const chunk = 4096
	a := make([]float64, chunk*d)
	lw := make([]float64, chunk) // log weight of each point (trapezoid × Jacobian)
	out := make([]float64, chunk)
	maxv, sum := math.Inf(-1), 0.0
	idx := make([]int, d)
	for start := 0; start < total; start += chunk {
		m := min(chunk, total-start)
		for k := 0; k < m; k++ {
			p := start + k
			for i := d - 1; i >= 0; i-- {
				idx[i] = p % n
				p /= n
			}
			lw[k] = 0
			for i := 0; i < d; i++ {
				u := -L + h*float64(idx[i])
				a[k*d+i] = math.Tanh(u)
				c := math.Cosh(u)
				lw[k] += math.Log(h) - 2*math.Log(c) // da/du = 1/cosh²
				if idx[i] == 0 || idx[i] == n-1 {
					lw[k] += math.Log(0.5)
				}
			}
		}
		f(a[:m*d], m, out[:m])
		for k := 0; k < m; k++ {
			v := out[k] + lw[k]
			if math.IsInf(v, -1) {
				continue
			}
			if v > maxv {
				sum = sum*math.Exp(maxv-v) + 1
				maxv = v
			} else {
				sum += math.Exp(v - maxv)
			}
		}
	}
	return maxv + math.Log(sum)
}

func TestLogIntegralHarness(t *testing.T) {
	// ∫(1−a²)da over (−1,1) = 4/3; ∫∫(1−a²)(1−b²) = 16/9; ∫ 1 da = 2 (slowly decaying in u: needs large L).
	one := func(d int, g func(a float64) float64) func(a []float64, m int, out []float64) {
		return func(a []float64, m int, out []float64) {
			for k := 0; k < m; k++ {
				out[k] = 0
				for i := 0; i < d; i++ {
					out[k] += g(a[k*d+i])
				}
			}
		}
	}
	lp := func(a float64) float64 { return math.Log1p(-a * a) }
	assert.InDelta(t, math.Log(4.0/3), logIntegral(1, 2001, 12, one(1, lp)), 1e-9)
	assert.InDelta(t, math.Log(16.0/9), logIntegral(2, 401, 10, one(2, lp)), 1e-8)
	assert.InDelta(t, math.Log(2), logIntegral(1, 4001, 20, one(1, func(float64) float64 { return 0 })), 1e-8)
}
