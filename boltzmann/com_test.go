package boltzmann

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// atCom returns n atoms all at point c (CoM c, CoM-free part zero).
func atCom(n int, c [3]float64) []float64 {
	x := make([]float64, 3*n)
	for i := 0; i < n; i++ {
		copy(x[3*i:], c[:])
	}
	return x
}

func TestComDensities(t *testing.T) {
	sigma := 0.3
	// χ₃ integrates to 1 over r ∈ [0, ∞).
	chi := ComAdjust{Variant: ComChi, Sigma: sigma}
	h, s := 1e-4, 0.0
	for r := h / 2; r < 10*sigma; r += h {
		s += math.Exp(chi.LogDensity(atCom(5, [3]float64{r, 0, 0}))) * h
	}
	assert.InDelta(t, 1, s, 1e-6)
	// Closed forms: p_χ₃(r) = 4πr²·𝒩(c; 0, σ²I₃).
	g := ComAdjust{Variant: ComGaussian, Sigma: sigma}
	c := [3]float64{0.1, -0.2, 0.05}
	r2 := c[0]*c[0] + c[1]*c[1] + c[2]*c[2]
	wantG := -1.5*math.Log(2*math.Pi*sigma*sigma) - r2/(2*sigma*sigma)
	assert.InDelta(t, wantG, g.LogDensity(atCom(3, c)), 1e-12)
	assert.InDelta(t, wantG+math.Log(4*math.Pi*r2), chi.LogDensity(atCom(3, c)), 1e-12)
	assert.Equal(t, 0.0, ComAdjust{}.LogDensity(atCom(3, c)))
}

func TestComGradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	x := make([]float64, 15)
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	for _, v := range []ComVariant{ComChi, ComGaussian} {
		a := ComAdjust{Variant: v, Sigma: 0.45}
		grad := make([]float64, len(x))
		a.Apply(x, 0, grad)
		for i := range x {
			xp := append([]float64(nil), x...)
			xm := append([]float64(nil), x...)
			xp[i] += 1e-6
			xm[i] -= 1e-6
			fd := (a.Apply(xp, 0, nil) - a.Apply(xm, 0, nil)) / 2e-6
			assert.InDelta(t, fd, grad[i], 1e-6, "%v coordinate %d", v, i)
		}
	}
}

// TestComGaussianUnbiased uses a synthetic proposal whose density factorises
// exactly into a CoM-free part and a Gaussian CoM: q = 𝒩(0, s²I) on ℝ^{3N},
// whose CoM is 𝒩(0, s²/N·I₃) independent of the CoM-free part. The target
// depends on the CoM-free part only. With the Gaussian adjustment the
// importance weight must not depend on the CoM at all, and self-normalised
// estimates must be unbiased.
func TestComGaussianUnbiased(t *testing.T) {
	const n, s, tw = 4, 1.0, 0.8 // atoms, proposal std, target std
	d := 3 * n
	logq := func(x []float64) float64 {
		ss := 0.0
		for _, v := range x {
			ss += v * v
		}
		return -0.5*ss/(s*s) - 0.5*float64(d)*math.Log(2*math.Pi*s*s)
	}
	free := func(x []float64) []float64 {
		c := Com(x)
		y := make([]float64, len(x))
		for i := range x {
			y[i] = x[i] - c[i%3]
		}
		return y
	}
	energy := func(x []float64) float64 {
		ss := 0.0
		for _, v := range free(x) {
			ss += v * v
		}
		return 0.5 * ss / (tw * tw)
	}
	gauss := ComAdjust{Variant: ComGaussian, Sigma: s / math.Sqrt(n)}
	chi := ComAdjust{Variant: ComChi, Sigma: s / math.Sqrt(n)}
	logw := func(a ComAdjust, x []float64) float64 { return -energy(x) - a.Apply(x, logq(x), nil) }

	rng := rand.New(rand.NewPCG(2, 3))
	// Same CoM-free part, different CoM: equal Gaussian-adjusted weights.
	x := make([]float64, d)
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	x0 := free(x)
	y := append([]float64(nil), x0...)
	for i := range y {
		y[i] += []float64{0.3, -0.1, 0.2}[i%3]
	}
	z := append([]float64(nil), x0...)
	for i := range z {
		z[i] += []float64{-0.05, 0.4, 0.0}[i%3]
	}
	assert.InDelta(t, logw(gauss, y), logw(gauss, z), 1e-12)
	assert.Greater(t, math.Abs(logw(chi, y)-logw(chi, z)), 0.1, "the χ variant depends on the CoM")

	// Self-normalised estimate of E_π‖x₀‖² = (3N − 3)·tw².
	m := 200000
	lw := make([]float64, m)
	f := make([]float64, m)
	for k := 0; k < m; k++ {
		for i := range x {
			x[i] = s * rng.NormFloat64()
		}
		lw[k] = logw(gauss, x)
		ss := 0.0
		for _, v := range free(x) {
			ss += v * v
		}
		f[k] = ss
	}
	mx := math.Inf(-1)
	for _, v := range lw {
		mx = math.Max(mx, v)
	}
	sw, swf, swf2 := 0.0, 0.0, 0.0
	for k := range lw {
		w := math.Exp(lw[k] - mx)
		sw += w
		swf += w * f[k]
		swf2 += w * f[k] * f[k]
	}
	est := swf / sw
	want := float64(d-3) * tw * tw
	sd := math.Sqrt(swf2/sw - est*est)
	ess := ESS(lw) * float64(m)
	require.Greater(t, ess, 1000.0)
	assert.InDelta(t, want, est, 4*sd/math.Sqrt(ess))
}
