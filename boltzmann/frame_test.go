package boltzmann

import (
	"math"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"

	"github.com/boltzflow/boltzflow/molecules/traj"
)

// expRot returns R0·exp([ω]×) (Rodrigues).
func expRot(r0 [3][3]float64, w [3]float64) [3][3]float64 {
	th := math.Sqrt(dot3(w, w))
	k := [3][3]float64{{0, -w[2], w[1]}, {w[2], 0, -w[0]}, {-w[1], w[0], 0}}
	var e [3][3]float64
	a, b := 1.0, 0.5
	if th > 1e-8 {
		a, b = math.Sin(th)/th, (1-math.Cos(th))/(th*th)
	}
	k2 := matMul3(k, k)
	for i := 0; i < 3; i++ {
		for j := 0; j < 3; j++ {
			e[i][j] = a*k[i][j] + b*k2[i][j]
		}
		e[i][i]++
	}
	return matMul3(r0, e)
}

// randomFrame returns the frame of atoms (origin, axis, plane) for n atoms
// with noise sigma, a random conformation x of standard normal coordinates
// and its frame coordinates y.
func randomFrame(t *testing.T, rng *rand.Rand, n int, atoms [3]int, sigma float64) (f BodyFrame, x, y []float64) {
	f, err := NewBodyFrame(n, atoms[0], atoms[1], atoms[2], sigma)
	require.NoError(t, err)
	x, y = make([]float64, 3*n), make([]float64, 3*n)
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	require.NoError(t, f.Canonicalize(y, x))
	return f, x, y
}

func TestBodyFrameCanonicalize(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const n = 7
	f, x, y := randomFrame(t, rng, n, [3]int{3, 1, 5}, 0.2)
	for _, g := range f.Gauge() {
		assert.Zero(t, y[g])
	}
	assert.Greater(t, y[3*f.Axis], 0.0)
	assert.Greater(t, y[3*f.Plane+1], 0.0)
	// Invariant under rigid motions; distances kept.
	r := RandomRotation(rng)
	moved := make([]float64, 3*n)
	for i := 0; i < n; i++ {
		for k := 0; k < 3; k++ {
			moved[3*i+k] = r[k][0]*x[3*i] + r[k][1]*x[3*i+1] + r[k][2]*x[3*i+2] + float64(k+1)
		}
	}
	y2 := make([]float64, 3*n)
	require.NoError(t, f.Canonicalize(y2, moved))
	assert.InDeltaSlice(t, y, y2, 1e-12)
	dist := func(p []float64, i, j int) float64 {
		return math.Hypot(math.Hypot(p[3*i]-p[3*j], p[3*i+1]-p[3*j+1]), p[3*i+2]-p[3*j+2])
	}
	for i := 0; i < n; i++ {
		for j := 0; j < i; j++ {
			assert.InDelta(t, dist(x, i, j), dist(y, i, j), 1e-12)
		}
	}
	// A mirror image keeps its handedness in the frame: z flips.
	mir := make([]float64, 3*n)
	for i := range x {
		mir[i] = -x[i]
	}
	ym := make([]float64, 3*n)
	require.NoError(t, f.Canonicalize(ym, mir))
	for i := 0; i < n; i++ {
		assert.InDelta(t, y[3*i], ym[3*i], 1e-12)
		assert.InDelta(t, -y[3*i+2], ym[3*i+2], 1e-12)
	}
}

// TestBodyFrameJacobian checks the volume element of BodyFrame against a
// finite-difference Jacobian of the map (t, ω, b, c₁, c₂, y_rest) ↦ x =
// R₀·exp(ω)·y + t at ω = 0: |det| = b²·c₂ (exponential coordinates at the
// identity have Haar volume element dω/8π², which LogJacobian leaves out).
func TestBodyFrameJacobian(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const n = 5
	f, _, y := randomFrame(t, rng, n, [3]int{2, 0, 4}, 0.3)
	// Free coordinates: all but the gauge ones, in order.
	isGauge := map[int]bool{}
	for _, g := range f.Gauge() {
		isGauge[g] = true
	}
	var free []int
	for i := range y {
		if !isGauge[i] {
			free = append(free, i)
		}
	}
	require.Len(t, free, 3*n-6)
	r0 := RandomRotation(rng)
	t0 := [3]float64{0.3, -0.1, 0.7}
	// params: t (3), ω (3), free frame coordinates (3N − 6).
	p0 := make([]float64, 3*n)
	copy(p0, t0[:])
	for k, i := range free {
		p0[6+k] = y[i]
	}
	fwd := func(p []float64) []float64 {
		yy := make([]float64, 3*n)
		for k, i := range free {
			yy[i] = p[6+k]
		}
		r := expRot(r0, [3]float64{p[3], p[4], p[5]})
		out := make([]float64, 3*n)
		for a := 0; a < n; a++ {
			for k := 0; k < 3; k++ {
				out[3*a+k] = r[k][0]*yy[3*a] + r[k][1]*yy[3*a+1] + r[k][2]*yy[3*a+2] + p[k]
			}
		}
		return out
	}
	jac := mat.NewDense(3*n, 3*n, nil)
	const h = 1e-6
	for j := range p0 {
		pp, pm := append([]float64(nil), p0...), append([]float64(nil), p0...)
		pp[j] += h
		pm[j] -= h
		fp, fm := fwd(pp), fwd(pm)
		for i := range fp {
			jac.Set(i, j, (fp[i]-fm[i])/(2*h))
		}
	}
	logDet, sign := mat.LogDet(jac)
	require.NotZero(t, sign)
	// LogJacobian adds the noise density; with zero noise that is a known constant.
	logJ, ok := f.LogJacobian(make([]float64, 3*n), y)
	require.True(t, ok)
	logN0 := -6 * (math.Log(f.Sigma) + 0.5*math.Log(2*math.Pi))
	assert.InDelta(t, logDet, logJ-logN0, 1e-6)
	assert.InDelta(t, 2*math.Log(y[3*f.Axis])+math.Log(y[3*f.Plane+1]), logDet, 1e-6)

	// Noise enters as 𝒩(0, σ²) per gauge coordinate; off-chart points have no weight.
	yn := append([]float64(nil), y...)
	g := f.Gauge()
	yn[g[0]], yn[g[5]] = 0.1, -0.2
	y0 := make([]float64, 3*n)
	logJn, ok := f.LogJacobian(y0, yn)
	require.True(t, ok)
	assert.InDelta(t, logJ-(0.01+0.04)/(2*f.Sigma*f.Sigma), logJn, 1e-12)
	assert.Equal(t, y, y0)
	yn[3*f.Axis] = -yn[3*f.Axis]
	_, ok = f.LogJacobian(y0, yn)
	assert.False(t, ok)
}

func TestBodyFrameParse(t *testing.T) {
	f, err := ParseBodyFrame("8,6,14,0.2", 22)
	require.NoError(t, err)
	assert.Equal(t, BodyFrame{Origin: 8, Axis: 6, Plane: 14, Sigma: 0.2}, f)
	g, err := ParseBodyFrame(f.String(), 22)
	require.NoError(t, err)
	assert.Equal(t, f, g)
	for _, bad := range []string{"8,6,14", "8,6,8,0.2", "8,6,22,0.2", "8,6,14,0", "8,x,14,0.2", "8,6,14,nan"} {
		_, err := ParseBodyFrame(bad, 22)
		assert.Error(t, err, bad)
	}
	col, err := NewBodyFrame(3, 0, 1, 2, 1)
	require.NoError(t, err)
	assert.Error(t, col.Canonicalize(make([]float64, 9), []float64{0, 0, 0, 1, 0, 0, 2, 0, 0}))
}

// TestBodyFrameImportanceWeights checks that the frame's weights are exact:
// for three atoms with the harmonic energy E = (k/2)·Σ_{i<j}|xᵢ − xⱼ|², the
// mean importance weight e^{−E(y₀)}·J(y)/q(y) of Gaussian proposals over the
// frame coordinates (gauge noise of another width than Sigma; proposals off
// the chart have weight zero) is the conformational partition function
// ∫e^{−E} dx / (8π²·volume) = (2π)³/(3k²)^{3/2}/(8π²).
func TestBodyFrameImportanceWeights(t *testing.T) {
	const k = 1.5
	f, err := NewBodyFrame(3, 0, 1, 2, 0.3)
	require.NoError(t, err)
	want := math.Pow(2*math.Pi, 3) / math.Pow(3*k*k, 1.5) / (8 * math.Pi * math.Pi)
	rng := rand.New(rand.NewPCG(7, 8))
	// Proposal: b ~ 𝒩(0.7, 0.6²), c₁ ~ 𝒩(0.3, 0.6²), c₂ ~ 𝒩(0.6, 0.6²), gauge ~ 𝒩(0, 0.5²).
	mu := map[int]float64{3: 0.7, 6: 0.3, 7: 0.6}
	const s, sg = 0.6, 0.5
	logN := func(v, m, sd float64) float64 {
		return -0.5*(v-m)*(v-m)/(sd*sd) - math.Log(sd) - 0.5*math.Log(2*math.Pi)
	}
	const n = 400000
	y, y0 := make([]float64, 9), make([]float64, 9)
	sum, sum2 := 0.0, 0.0
	for it := 0; it < n; it++ {
		logq := 0.0
		for i := range y {
			if m, ok := mu[i]; ok {
				y[i] = m + s*rng.NormFloat64()
				logq += logN(y[i], m, s)
			} else {
				y[i] = sg * rng.NormFloat64()
				logq += logN(y[i], 0, sg)
			}
		}
		logJ, ok := f.LogJacobian(y0, y)
		if !ok {
			continue
		}
		e := 0.0
		for a := 0; a < 3; a++ {
			for b := 0; b < a; b++ {
				for c := 0; c < 3; c++ {
					dd := y0[3*a+c] - y0[3*b+c]
					e += 0.5 * k * dd * dd
				}
			}
		}
		w := math.Exp(-e + logJ - logq)
		sum += w
		sum2 += w * w
	}
	mean := sum / n
	se := math.Sqrt((sum2/n - mean*mean) / n)
	t.Logf("mean weight %.5f ± %.5f, want %.5f", mean, se, want)
	assert.InDelta(t, want, mean, 4*se)
	assert.Less(t, se, 0.01*want)
}

// TestFrameTarget checks the extended target's energy and gradient: U =
// E(y₀) − log J(y) at an MD conformation in the body frame with gauge noise,
// ∇U against central differences in every coordinate, and U = +∞ off the
// chart and for a mirror image under the chirality check.
func TestFrameTarget(t *testing.T) {
	setup, err := LoadSystem("aldp")
	require.NoError(t, err)
	ref, _, err := traj.ReadNPY(filepath.Join("..", "experiments", "quickstart", "data", "aldp-300K-test.npy"))
	require.NoError(t, err)
	const std = 0.166
	tg, err := NewTarget(setup.Sys, setup.Spec.Temperature, std)
	require.NoError(t, err)
	f, err := NewBodyFrame(22, 8, 6, 14, 0.2)
	require.NoError(t, err)
	ft := NewFrameTarget(tg, f, setup.Chirality(nil))
	x := Normalizer{Std: std}.Normalize(nil, ref[0])
	y := make([]float64, len(x))
	require.NoError(t, f.Canonicalize(y, x))
	f.AddNoise(y, rand.New(rand.NewPCG(1, 1)))
	e, g := make([]float64, 1), [][]float64{make([]float64, len(y))}
	ft.Energy([][]float64{y}, e, g)
	y0 := make([]float64, len(y))
	logJ, ok := f.LogJacobian(y0, y)
	require.True(t, ok)
	e0 := make([]float64, 1)
	tg.Energy([][]float64{y0}, e0, nil)
	assert.InDelta(t, e0[0]-logJ, e[0], 1e-9)
	const h = 1e-6
	for j := range y {
		yp, ym := append([]float64(nil), y...), append([]float64(nil), y...)
		yp[j] += h
		ym[j] -= h
		ep, em := make([]float64, 1), make([]float64, 1)
		ft.Energy([][]float64{yp}, ep, nil)
		ft.Energy([][]float64{ym}, em, nil)
		fd := (ep[0] - em[0]) / (2 * h)
		assert.InDelta(t, fd, g[0][j], 1e-4*math.Max(1, math.Abs(fd)), "coordinate %d", j)
	}
	mirror := append([]float64(nil), y...)
	for i := 2; i < len(mirror); i += 3 {
		mirror[i] = -mirror[i]
	}
	off := append([]float64(nil), y...)
	off[3*f.Axis] = -off[3*f.Axis]
	eb := make([]float64, 2)
	ft.Energy([][]float64{mirror, off}, eb, nil)
	assert.True(t, math.IsInf(eb[0], 1), "mirror image")
	assert.True(t, math.IsInf(eb[1], 1), "off the chart")
}
