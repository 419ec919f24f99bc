package mjc

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// randomDual returns a random dual problem of size n: AR = JJᵀ + diag(R)
// with J n×k (k < n makes JJᵀ singular, as for pyramids) and a random b.
func randomDual(rng *rand.Rand, n, k int) (ar, b []float64) {
	j := make([]float64, n*k)
	for i := range j {
		j[i] = rng.NormFloat64()
	}
	ar = make([]float64, n*n)
	for r := range n {
		for c := range n {
			s := 0.0
			for l := range k {
				s += j[r*k+l] * j[c*k+l]
			}
			ar[r*n+c] = s
		}
		ar[r*n+r] += 1e-3 + 0.1*rng.Float64()
	}
	b = make([]float64, n)
	for i := range b {
		b[i] = rng.NormFloat64()
	}
	return ar, b
}

// TestDualExactKKT: the block-principal-pivoting solution satisfies the
// complementarity conditions f ≥ 0, w = AR f + b ≥ 0, f·w = 0 to round-off,
// from cold and warm starts, and its cost is not above a long PGS run's.
func TestDualExactKKT(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for trial := range 200 {
		n := 1 + rng.IntN(40)
		k := 1 + rng.IntN(n+3)
		ar, b := randomDual(rng, n, k)
		work := newLCPWork(n)
		f := make([]float64, n)
		if trial%2 == 1 { // warm start from a random guess
			for i := range f {
				f[i] = math.Max(0, rng.NormFloat64())
			}
		}
		it, ok := dualExact(n, ar, b, f, &work, 4*n+20)
		require.True(t, ok, "trial %d n %d: no convergence in %d iterations", trial, n, it)
		scale := 0.0
		for _, v := range b {
			scale = math.Max(scale, math.Abs(v))
		}
		for i := range n {
			w := b[i]
			for c := range n {
				w += ar[i*n+c] * f[c]
			}
			require.GreaterOrEqual(t, f[i], 0.0)
			require.Greater(t, w, -1e-10*scale, "trial %d row %d", trial, i)
			require.Less(t, math.Abs(f[i]*w), 1e-9*scale*math.Max(1, f[i]), "trial %d row %d", trial, i)
		}
		// Projected Gauss–Seidel converges to the same optimum.
		g := make([]float64, n)
		for range 20000 {
			for i := range n {
				res := b[i]
				for c := range n {
					res += ar[i*n+c] * g[c]
				}
				g[i] = math.Max(0, g[i]-res/ar[i*n+i])
			}
		}
		require.LessOrEqual(t, dualCost(ar, b, f), dualCost(ar, b, g)+1e-9*math.Max(1, math.Abs(dualCost(ar, b, g))), "trial %d", trial)
	}
}

func TestLCPCholSolve(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	n := 12
	ar, b := randomDual(rng, n, n)
	c := append([]float64(nil), ar...)
	x := append([]float64(nil), b...)
	require.True(t, lcpCholSolve(c, x, n))
	for i := range n {
		s := 0.0
		for k := range n {
			s += ar[i*n+k] * x[k]
		}
		require.InDelta(t, b[i], s, 1e-10)
	}
	require.False(t, lcpCholSolve([]float64{1, 0, 2, -3}, []float64{1, 1}, 2), "indefinite")
}
