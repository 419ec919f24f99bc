package boltzmann

import (
	"math"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRotationMixtureUnbiased estimates the normalising constant Z of the
// rotation-invariant p(x) = exp(−|x|²/2) (two atoms, Z = (2π)³) by importance
// sampling from an anisotropic Gaussian q, with the rotation-mixture
// density for k = 1, 4 and 16: every estimate must agree with Z within four
// standard errors, and averaging over rotations must shrink the variance of
// the weights. k = 1 must give log q back unchanged.
func TestRotationMixtureUnbiased(t *testing.T) {
	const d, m = 6, 100000
	mu := []float64{0.4, 0, 0, -0.4, 0.1, 0}
	sd := []float64{0.9, 1.2, 1.0, 1.1, 0.85, 1.05}
	x, lq, batchLogQ := anisotropicGaussian(mu, sd, m, rand.New(rand.NewPCG(21, 22)))
	z := math.Pow(2*math.Pi, 3)
	prevVar := math.Inf(1)
	for _, k := range []int{1, 4, 16} {
		dst := make([]float64, m)
		RotationMixtureLogQ(dst, x, lq, k, nil, rand.New(rand.NewPCG(23, uint64(k))), batchLogQ)
		if k == 1 {
			require.Equal(t, lq, dst)
		}
		mean, v := normalWeights(x, dst)
		se := math.Sqrt(v / m)
		t.Logf("k %d: Ẑ/Z %.4f ± %.4f, Var(w/Z) %.4f", k, mean/z, se/z, v/(z*z))
		assert.InDelta(t, z, mean, 4*se, "k %d", k)
		assert.Less(t, v, prevVar, "k %d: the rotation average must lower the weights' variance", k)
		prevVar = v
	}
}

// anisotropicGaussian draws m samples of the Gaussian with means mu and
// standard deviations sd and returns them, their log-densities and a batch
// log-density function (the proposal of the mixture tests).
func anisotropicGaussian(mu, sd []float64, m int, rng *rand.Rand) ([][]float64, []float64, func([][]float64, []float64)) {
	logq := func(x []float64) float64 {
		l := 0.0
		for j, v := range x {
			u := (v - mu[j]) / sd[j]
			l += -0.5*u*u - math.Log(sd[j]) - 0.5*math.Log(2*math.Pi)
		}
		return l
	}
	x := make([][]float64, m)
	lq := make([]float64, m)
	for i := range x {
		x[i] = make([]float64, len(mu))
		for j := range x[i] {
			x[i][j] = mu[j] + sd[j]*rng.NormFloat64()
		}
		lq[i] = logq(x[i])
	}
	return x, lq, func(rows [][]float64, dst []float64) {
		for i, r := range rows {
			dst[i] = logq(r)
		}
	}
}

// normalWeights returns the mean and variance of the importance weights
// exp(−|x|²/2 − logq) of the standard normal target (unnormalised).
func normalWeights(x [][]float64, logq []float64) (mean, variance float64) {
	return weightMoments(x, logq, func(r []float64) float64 {
		e := 0.0
		for _, v := range r {
			e += 0.5 * v * v
		}
		return e
	})
}

// weightMoments returns the mean and variance of the importance weights
// exp(−energy(x) − logq) over the samples x.
func weightMoments(x [][]float64, logq []float64, energy func([]float64) float64) (mean, variance float64) {
	m := float64(len(x))
	sq := 0.0
	for i, r := range x {
		w := math.Exp(-energy(r) - logq[i])
		mean += w / m
		sq += w * w / m
	}
	return mean, sq - mean*mean
}

// TestRotationMixtureNonFinite keeps a non-finite proposal density and turns a
// NaN from any rotated evaluation into NaN.
func TestRotationMixtureNonFinite(t *testing.T) {
	x := [][]float64{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}
	lq := []float64{math.Inf(-1), -1, -2}
	calls := 0
	dst := make([]float64, 3)
	RotationMixtureLogQ(dst, x, lq, 3, nil, rand.New(rand.NewPCG(1, 1)), func(rows [][]float64, out []float64) {
		calls++
		out[0], out[1], out[2] = -1, math.NaN(), -2
	})
	assert.Equal(t, 2, calls)
	assert.True(t, math.IsInf(dst[0], -1))
	assert.True(t, math.IsNaN(dst[1]))
	assert.InDelta(t, -2, dst[2], 1e-12, "equal terms average to themselves")
}

// TestRelabelMixtureUnbiased repeats the unbiasedness check with four atoms,
// the last three equivalent: p(x) = exp(−|x|²/2) is invariant under
// rotations and relabellings, the anisotropic q under neither. The mixture
// over rotations and cyclic relabellings must stay unbiased and shrink the
// weights' variance below that of rotations alone.
func TestRelabelMixtureUnbiased(t *testing.T) {
	const d, m = 12, 100000
	mu := []float64{0.4, 0, 0, -0.4, 0.1, 0, 0.3, -0.2, 0.1, 0, 0.5, -0.3}
	sd := []float64{0.9, 1.2, 1.0, 1.1, 0.85, 1.05, 0.95, 1.1, 0.9, 1.0, 1.15, 0.9}
	x, lq, batchLogQ := anisotropicGaussian(mu, sd, m, rand.New(rand.NewPCG(31, 32)))
	z := math.Pow(2*math.Pi, d/2)
	var vars []float64
	for _, groups := range [][][3]int{nil, {{1, 2, 3}}} {
		dst := make([]float64, m)
		RotationMixtureLogQ(dst, x, lq, 8, groups, rand.New(rand.NewPCG(33, 34)), batchLogQ)
		mean, v := normalWeights(x, dst)
		se := math.Sqrt(v / m)
		t.Logf("groups %v: Ẑ/Z %.4f ± %.4f, Var(w/Z) %.4f", groups, mean/z, se/z, v/(z*z))
		assert.InDelta(t, z, mean, 4*se, "groups %v", groups)
		vars = append(vars, v)
	}
	assert.Less(t, vars[1], vars[0], "relabelling must lower the weights' variance further")
}

func TestEquivalentHydrogens(t *testing.T) {
	setup, err := LoadSystem("aldp")
	require.NoError(t, err)
	g, err := setup.EquivalentHydrogens()
	require.NoError(t, err)
	// The ACE, Ala Cβ and NME methyl groups.
	assert.ElementsMatch(t, [][3]int{{0, 2, 3}, {11, 12, 13}, {19, 20, 21}}, g)
}

// TestRotationGroup checks each group's elements: proper rotations
// (orthonormal, determinant 1), the identity first, closed under products
// and all distinct, with the known order; an unknown name is an error.
func TestRotationGroup(t *testing.T) {
	for _, tc := range []struct {
		name  string
		order int
	}{{"tetrahedral", 12}, {"octahedral", 24}, {"icosahedral", 60}} {
		g, err := RotationGroup(tc.name)
		require.NoError(t, err, tc.name)
		require.Len(t, g, tc.order, tc.name)
		assert.Equal(t, [3][3]float64{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}, g[0])
		index := func(r [3][3]float64) int {
			for i, e := range g {
				d := 0.0
				for a := 0; a < 3; a++ {
					for b := 0; b < 3; b++ {
						d = math.Max(d, math.Abs(e[a][b]-r[a][b]))
					}
				}
				if d < 1e-9 {
					return i
				}
			}
			return -1
		}
		for i, r := range g {
			rt := matMul3(r, transpose3(r))
			for a := 0; a < 3; a++ {
				for b := 0; b < 3; b++ {
					want := 0.0
					if a == b {
						want = 1
					}
					assert.InDelta(t, want, rt[a][b], 1e-12)
				}
			}
			det := r[0][0]*(r[1][1]*r[2][2]-r[1][2]*r[2][1]) - r[0][1]*(r[1][0]*r[2][2]-r[1][2]*r[2][0]) + r[0][2]*(r[1][0]*r[2][1]-r[1][1]*r[2][0])
			assert.InDelta(t, 1, det, 1e-12)
			assert.Equal(t, i, index(r), "%s: element %d repeated", tc.name, i)
			for _, s := range g {
				assert.GreaterOrEqual(t, index(matMul3(r, s)), 0, "%s: not closed", tc.name)
			}
		}
	}
	_, err := RotationGroup("cubic")
	assert.ErrorContains(t, err, `"cubic"`)
}

// TestGroupMixtureUnbiased is TestRotationMixtureUnbiased for the finite
// groups: Ẑ agrees with Z within four standard errors for each group, the
// group average lowers the weights' variance below the flow's own, and the
// 60-element icosahedral group beats 60 independent random orientations
// (a quadrature, not a Monte-Carlo average).
func TestGroupMixtureUnbiased(t *testing.T) {
	const d, m = 6, 100000
	mu := []float64{0.4, 0, 0, -0.4, 0.1, 0}
	sd := []float64{0.7, 1.4, 1.0, 1.3, 0.75, 1.05}
	x, lq, batchLogQ := anisotropicGaussian(mu, sd, m, rand.New(rand.NewPCG(31, 32)))
	z := math.Pow(2*math.Pi, 3)
	_, v0 := normalWeights(x, lq)
	vars := map[string]float64{}
	for _, name := range []string{"tetrahedral", "octahedral", "icosahedral"} {
		g, err := RotationGroup(name)
		require.NoError(t, err)
		dst := make([]float64, m)
		GroupMixtureLogQ(dst, x, lq, g, rand.New(rand.NewPCG(33, uint64(len(g)))), batchLogQ)
		mean, v := normalWeights(x, dst)
		se := math.Sqrt(v / m)
		t.Logf("%s: Ẑ/Z %.4f ± %.4f, Var(w/Z) %.4f (flow's own %.4f)", name, mean/z, se/z, v/(z*z), v0/(z*z))
		assert.InDelta(t, z, mean, 4*se, name)
		assert.Less(t, v, v0, name)
		vars[name] = v
	}
	dst := make([]float64, m)
	RotationMixtureLogQ(dst, x, lq, 60, nil, rand.New(rand.NewPCG(34, 60)), batchLogQ)
	_, v := normalWeights(x, dst)
	t.Logf("60 random orientations: Var(w/Z) %.4f", v/(z*z))
	assert.Less(t, vars["icosahedral"], v)
}

// TestRunSBGRotationGroupErrors checks that RunSBG refuses an unknown group,
// a group combined with the random mixture or relabelling, and a
// CoM-translation mixture without the Gaussian CoM adjustment or without a
// rotation mixture, before it draws anything.
func TestRunSBGRotationGroupErrors(t *testing.T) {
	setup, err := LoadSystem("aldp")
	require.NoError(t, err)
	m, err := LoadModel(filepath.Join("testdata", "aldp_tarflow_cpu.ckpt"), 22)
	require.NoError(t, err)
	tg, err := NewTarget(setup.Sys, setup.Spec.Temperature, m.Norm.Std)
	require.NoError(t, err)
	for _, tc := range []struct {
		cfg  SBGConfig
		want string
	}{
		{SBGConfig{RotationGroup: "cubic"}, `unknown rotation group "cubic"`},
		{SBGConfig{RotationGroup: "octahedral", RotationMixture: 4}, "leave RotationMixture (4) and Relabel unset"},
		{SBGConfig{RotationGroup: "octahedral", Relabel: [][3]int{{1, 2, 3}}}, "leave RotationMixture (0) and Relabel unset"},
		{SBGConfig{RotationGroup: "octahedral", ComNone: true, ComMixture: true}, "CoM-translation mixture needs a CoM adjustment (have none)"},
		{SBGConfig{Com: ComGaussian, ComMixture: true}, "and a rotation mixture"},
		{SBGConfig{Com: ComGaussian, RotationMixture: 1, ComMixture: true}, "and a rotation mixture"},
	} {
		tc.cfg.Proposals, tc.cfg.SkipSMC = 16, true
		_, err := RunSBG(m, tg, tc.cfg)
		assert.ErrorContains(t, err, tc.want)
	}
}

// TestComMixtureUnbiased checks the CoM-translation mixture (each extra
// component at a fresh centroid drawn from the density the CoM adjustment
// divides by) on two atoms: the target p(x) = exp(−|x̃|²/2)·g(c) (x̃ the
// centred coordinates, c the centroid, g the adjustment's density) has
// Z = (4π)^{3/2}·∫g; the proposal is an anisotropic Gaussian whose centroid
// is wider than 𝒩(0, σ²I₃), off centre and correlated with x̃, and every
// density it gives is CoM-adjusted, log q(x) − log g(c), as in RunSBG. For
// both variants (Gaussian g; χ₃, g(c) = χ₃(|c|) with ∫g = 12πσ²), the
// random and group mixtures with translations must estimate Z within four
// standard errors and have lower weight variance than the same mixtures
// without translations.
func TestComMixtureUnbiased(t *testing.T) {
	const m = 100000
	const sigma = 0.5
	rng := rand.New(rand.NewPCG(41, 42))
	// a = c + r/2, b = c − r/2 with c ~ 𝒩(0.3·r + μ_c, (1.4σ)²); the
	// target has r ~ 𝒩(0, 2I).
	const sc = 1.4 * sigma
	sr := []float64{1.6, 1.45, 1.7}
	x := make([][]float64, m)
	for i := range x {
		var c, r [3]float64
		for k := 0; k < 3; k++ {
			r[k] = sr[k] * rng.NormFloat64()
			c[k] = 0.3*r[k] + sc*rng.NormFloat64()
		}
		c[0] += 0.2
		x[i] = []float64{c[0] + r[0]/2, c[1] + r[1]/2, c[2] + r[2]/2, c[0] - r[0]/2, c[1] - r[1]/2, c[2] - r[2]/2}
	}
	g, err := RotationGroup("octahedral")
	require.NoError(t, err)
	for _, tv := range []struct {
		com   ComAdjust
		scale float64 // ∫g over ℝ³
	}{
		{ComAdjust{Variant: ComGaussian, Sigma: sigma}, 1},
		{ComAdjust{Variant: ComChi, Sigma: sigma}, 12 * math.Pi * sigma * sigma},
	} {
		com := tv.com
		logq := func(x []float64) float64 {
			l := 0.0
			for k := 0; k < 3; k++ {
				r := x[k] - x[3+k]
				c := (x[k]+x[3+k])/2 - 0.3*r
				if k == 0 {
					c -= 0.2
				}
				l += -0.5*(r/sr[k])*(r/sr[k]) - math.Log(sr[k]) - 0.5*(c/sc)*(c/sc) - math.Log(sc) - math.Log(2*math.Pi)
			}
			return com.Apply(x, l, nil) // the Jacobian of x → (c, r) is 1
		}
		lq := make([]float64, m)
		for i := range x {
			lq[i] = logq(x[i])
		}
		batch := func(rows [][]float64, dst []float64) {
			for i, r := range rows {
				dst[i] = logq(r)
			}
		}
		z := math.Pow(4*math.Pi, 1.5) * tv.scale
		weights := func(logqMix []float64) (mean, variance float64) {
			return weightMoments(x, logqMix, func(r []float64) float64 {
				e := 0.0
				for k := 0; k < 3; k++ {
					d := (r[k] - r[3+k]) / 2
					e += d * d // |x̃|²/2 = Σ_k 2·(Δ_k/2)²/2
				}
				return e
			})
		}
		for _, tc := range []struct {
			name string
			mix  func(dst []float64, c *ComAdjust)
		}{
			{"random 24", func(dst []float64, c *ComAdjust) {
				randomMixtureLogQ(dst, x, lq, 24, nil, c, rand.New(rand.NewPCG(43, 1)), batch)
			}},
			{"octahedral", func(dst []float64, c *ComAdjust) {
				groupMixtureLogQ(dst, x, lq, g, c, rand.New(rand.NewPCG(43, 2)), batch)
			}},
		} {
			var vars [2]float64
			for s, c := range []*ComAdjust{nil, &com} {
				dst := make([]float64, m)
				tc.mix(dst, c)
				mean, v := weights(dst)
				se := math.Sqrt(v / m)
				t.Logf("%v, %s, translations %v: Ẑ/Z %.4f ± %.4f, Var(w/Z) %.4f", com.Variant, tc.name, c != nil, mean/z, se/z, v/(z*z))
				assert.InDelta(t, z, mean, 4*se, "%v %s translations %v", com.Variant, tc.name, c != nil)
				vars[s] = v
			}
			assert.Less(t, vars[1], vars[0], "%v %s: translations must lower the weights' variance", com.Variant, tc.name)
		}
		mean, v := weights(lq)
		t.Logf("%v, flow's own density: Ẑ/Z %.4f ± %.4f, Var(w/Z) %.4f", com.Variant, mean/z, math.Sqrt(v/m)/z, v/(z*z))
	}
}
