package smc

import (
	"errors"
	"math"
	"math/rand/v2"
	"sort"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func gmm2d() GaussianMixture {
	return GaussianMixture{Means: [][]float64{{4, 4}, {4, -4}, {-4, 4}, {-4, -4}}, Sigma: 1}
}

type logZCase struct {
	name string
	tg   Target
	q    Proposal
	logZ float64
	h    float64
}

func logZCases() []logZCase {
	ga := Gaussian{Mean: []float64{1, -0.5, 0.3}, Sigma: 0.7}
	dw := DoubleWell{Barrier: 4, Tilt: 0.5}
	return []logZCase{
		{"gaussian", ga, Gaussian{Mean: []float64{0, 0, 0}, Sigma: 2}, ga.LogZ(), 0.05},
		{"gmm2d", gmm2d(), Gaussian{Mean: []float64{0, 0}, Sigma: 3}, math.Log(8 * math.Pi), 0.1},
		{"doublewell", dw, Gaussian{Mean: []float64{0}, Sigma: 2}, dw.LogZ(), 0.02},
	}
}

// checkCoverage asserts that each of the runs' log Z errors d[r] lies within
// 3 reported standard errors se[r], allowing one exception in 10, and that
// the mean error lies within 3 standard errors of the mean. For a calibrated
// normal estimator P(|z| > 3) = 0.0027, so two or more exceptions among 10
// runs have probability 3.3e-4 and the mean check fails with probability
// 0.0027: a false-failure rate near 3e-3 per case. The seeds are fixed, so
// the test is deterministic.
func checkCoverage(t *testing.T, d, se []float64) {
	t.Helper()
	bad := 0
	var m, v float64
	for r := range d {
		if math.Abs(d[r]) > 3*se[r] {
			bad++
		}
		m += d[r]
		v += se[r] * se[r]
	}
	assert.LessOrEqual(t, bad, 1, "runs outside 3 SE: errors %v, SE %v", d, se)
	n := float64(len(d))
	assert.Less(t, math.Abs(m/n), 3*math.Sqrt(v)/n, "mean error %v", m/n)
}

func TestISLogZ(t *testing.T) {
	for _, c := range logZCases() {
		t.Run(c.name, func(t *testing.T) {
			var d, se []float64
			for seed := uint64(0); seed < 10; seed++ {
				r, err := SampleIS(c.tg, c.q, ISConfig{Samples: 4000, Seed: 100 + seed})
				require.NoError(t, err)
				d = append(d, r.LogZ-c.logZ)
				se = append(se, r.LogZErr)
				assert.Greater(t, r.ESS, 0.0)
				assert.LessOrEqual(t, r.ESS, 1.0)
			}
			checkCoverage(t, d, se)
		})
	}
}

// TestSMCLogZ runs MALA SMC with multinomial resampling, for which the
// reported standard error (Lee–Whiteley) is calibrated, and checks the
// coverage as in checkCoverage.
func TestSMCLogZ(t *testing.T) {
	for _, c := range logZCases() {
		t.Run(c.name, func(t *testing.T) {
			var d, se []float64
			for seed := uint64(0); seed < 10; seed++ {
				r, err := Run(c.tg, c.q, nil, Config{
					Particles: 2000, Steps: 30, Kernel: MALA, StepSize: c.h, MovesPerStep: 2,
					ESSThreshold: 0.5, Scheme: Multinomial, Seed: 200 + seed,
				})
				require.NoError(t, err)
				d = append(d, r.LogZ-c.logZ)
				se = append(se, r.LogZErr)
				require.Len(t, r.Steps, 30)
				assert.Greater(t, r.Resamplings, 0)
			}
			checkCoverage(t, d, se)
		})
	}
}

// TestSMCSystematicLogZ checks the default systematic resampling with a
// geometric schedule: its reported standard error is biased low, so the
// mean of 10 runs is compared with the truth using the runs' empirical
// spread; |t_9| > 4.8 has probability 1e-3.
func TestSMCSystematicLogZ(t *testing.T) {
	c := logZCases()[1]
	var d []float64
	for seed := uint64(0); seed < 10; seed++ {
		r, err := Run(c.tg, c.q, nil, Config{
			Particles: 2000, Times: Geometric(30, 0.01), Kernel: MALA, StepSize: c.h, MovesPerStep: 2,
			ESSThreshold: 0.7, Seed: 300 + seed,
		})
		require.NoError(t, err)
		d = append(d, r.LogZ-c.logZ)
	}
	var m, v float64
	for _, x := range d {
		m += x
	}
	m /= float64(len(d))
	for _, x := range d {
		v += (x - m) * (x - m)
	}
	sd := math.Sqrt(v / float64(len(d)-1))
	assert.Less(t, math.Abs(m), 4.8*sd/math.Sqrt(float64(len(d))), "errors %v", d)
}

// TestEveryIncrementApplied uses a target whose energy differs from the
// proposal's −log q by a constant c, so every particle's log-weight gains
// exactly −Δt·c per step and log Ẑ = −c·Σ_k Δt_k. The corrected loop must
// give −c exactly; the reference loop, which skips the last increment, gives
// −c·t_{K−1}, which the test tells apart.
func TestEveryIncrementApplied(t *testing.T) {
	q := Gaussian{Mean: []float64{0.5, -1}, Sigma: 1.3}
	tg := Gaussian{Mean: []float64{0.5, -1}, Sigma: 1.3} // E_T = −log q − log Z
	want := tg.LogZ()
	for _, tc := range []struct {
		name  string
		times []float64
	}{
		{"uniform10", Uniform(10)},
		{"geometric7", Geometric(7, 0.05)},
		{"single", []float64{0, 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, k := range []Kernel{ULA, MALA} {
				r, err := Run(tg, q, nil, Config{Particles: 100, Times: tc.times, Kernel: k, StepSize: 0.1, ESSThreshold: 0.5, Seed: 1})
				require.NoError(t, err)
				assert.InDelta(t, want, r.LogZ, 1e-12, k.String())
				assert.InDelta(t, 1, r.ESS, 1e-12)
				assert.Zero(t, r.Resamplings)
				assert.InDelta(t, want, r.Steps[len(r.Steps)-1].LogZ, 1e-12)

				ref, err := Run(tg, q, nil, Config{Particles: 100, Times: tc.times, Kernel: k, StepSize: 0.1, Seed: 1, ReferenceLoop: true})
				require.NoError(t, err)
				tk1 := tc.times[len(tc.times)-2]
				assert.InDelta(t, want*tk1, ref.LogZ, 1e-12)
				assert.Greater(t, math.Abs(ref.LogZ-want), 0.01)
			}
		})
	}
}

// TestWorkersReproducible checks that the results are bit-identical for any
// number of workers.
func TestWorkersReproducible(t *testing.T) {
	c := logZCases()[1]
	for _, k := range []Kernel{ULA, MALA} {
		var base *Result
		for _, w := range []int{1, 2, 5} {
			r, err := Run(c.tg, c.q, nil, Config{
				Particles: 1000, Steps: 10, Kernel: k, StepSize: 0.1, ESSThreshold: 0.8,
				BatchSize: 64, Workers: w, Seed: 9, FinalResample: true,
			})
			require.NoError(t, err)
			if base == nil {
				base = r
				require.Greater(t, r.Resamplings, 0)
				continue
			}
			assert.Equal(t, base.X, r.X, "workers %d", w)
			assert.Equal(t, base.LogW, r.LogW)
			assert.Equal(t, base.LogZ, r.LogZ)
			assert.Equal(t, base.Steps, r.Steps)
		}
		// A different seed gives different numbers.
		r, err := Run(c.tg, c.q, nil, Config{Particles: 1000, Steps: 10, Kernel: k, StepSize: 0.1, ESSThreshold: 0.8, BatchSize: 64, Seed: 10})
		require.NoError(t, err)
		assert.NotEqual(t, base.LogZ, r.LogZ)
	}
	var base *ISResult
	for _, w := range []int{1, 3} {
		r, err := SampleIS(c.tg, c.q, ISConfig{Samples: 1000, BatchSize: 100, Workers: w, Seed: 4})
		require.NoError(t, err)
		if base != nil {
			assert.Equal(t, base.X, r.X)
			assert.Equal(t, base.LogW, r.LogW)
		}
		base = r
	}
}

// stationarity runs many Langevin moves at t = 1 from exact target samples
// x0 and returns the final particles' first coordinates.
func stationarity(t *testing.T, tg Target, x0 [][]float64, k Kernel, h float64, moves int) []float64 {
	t.Helper()
	r, err := Run(tg, Gaussian{Mean: make([]float64, tg.Dim()), Sigma: 1}, x0, Config{
		Times: []float64{0, 1}, Kernel: k, StepSize: h, MovesPerStep: moves, Seed: 5,
	})
	require.NoError(t, err)
	out := make([]float64, len(r.X))
	for i, x := range r.X {
		out[i] = x[0]
	}
	return out
}

func moments(x []float64) (mean, variance float64) {
	for _, v := range x {
		mean += v
	}
	mean /= float64(len(x))
	for _, v := range x {
		variance += (v - mean) * (v - mean)
	}
	return mean, variance / float64(len(x)-1)
}

// TestMALAInvariant starts M = 20000 particles from the double-well target
// itself (inverse CDF by quadrature) and applies 40 MALA moves at t = 1; the
// particles stay independent draws from the target, so the mean, the second
// moment and P(x < 0) must match quadrature within 4.5 standard errors
// (false-failure rate < 2e-5 for the three checks).
func TestMALAInvariant(t *testing.T) {
	dw := DoubleWell{Barrier: 3, Tilt: 0.7}
	const m = 20000
	// Inverse-CDF sampling and moments by quadrature on a fine grid.
	const n = 40000
	lo, hi := -3.0, 3.0
	dx := (hi - lo) / n
	cdf := make([]float64, n+1)
	var z, m1, m2, pneg float64
	for i := 0; i <= n; i++ {
		x := lo + float64(i)*dx
		p := math.Exp(-dw.E(x))
		z += p
		m1 += p * x
		m2 += p * x * x
		if x < 0 {
			pneg += p
		}
		cdf[i] = z
	}
	m1 /= z
	m2 /= z
	pneg /= z
	x0 := make([][]float64, m)
	for i := range x0 {
		u := (float64(i) + 0.5) / m * z
		j := sort.SearchFloat64s(cdf, u)
		x0[i] = []float64{lo + float64(j)*dx}
	}
	x := stationarity(t, dw, x0, MALA, 0.05, 40)
	mean, _ := moments(x)
	var s2, neg float64
	for _, v := range x {
		s2 += v * v
		if v < 0 {
			neg++
		}
	}
	s2 /= m
	neg /= m
	sdMean := math.Sqrt((m2 - m1*m1) / m)
	assert.InDelta(t, m1, mean, 4.5*sdMean)
	assert.InDelta(t, pneg, neg, 4.5*math.Sqrt(pneg*(1-pneg)/m))
	// Var(x²) ≤ E[x⁴] ≤ 81 on [−3, 3]; use the sample value.
	var v4 float64
	for _, v := range x {
		v4 += (v*v - s2) * (v*v - s2)
	}
	assert.InDelta(t, m2, s2, 4.5*math.Sqrt(v4/m/m))
	// The moves did mix: most particles moved.
	moved := 0
	for i := range x {
		if x[i] != x0[i][0] {
			moved++
		}
	}
	assert.Greater(t, moved, m/2)
}

// TestULABias uses the Gaussian target N(0, 1), for which ULA with step h
// has the stationary variance 1/(1 − h/2); the measured variance must match
// it within 4.5 standard errors (false-failure rate < 2e-5 per step size) and
// the bias must shrink with h. MALA at the largest step has no bias.
func TestULABias(t *testing.T) {
	const m = 20000
	g := Gaussian{Mean: []float64{0}, Sigma: 1}
	x0, err := SampleIS(g, g, ISConfig{Samples: m, Seed: 8})
	require.NoError(t, err)
	prev := math.Inf(1)
	for _, h := range []float64{0.4, 0.2, 0.1} {
		x := stationarity(t, g, x0.X, ULA, h, 60)
		_, v := moments(x)
		want := 1 / (1 - h/2)
		se := want * math.Sqrt(2.0/m)
		assert.InDelta(t, want, v, 4.5*se, "h=%v", h)
		bias := math.Abs(v - 1)
		assert.Less(t, bias, prev, "h=%v", h)
		prev = bias
	}
	x := stationarity(t, g, x0.X, MALA, 0.4, 60)
	_, v := moments(x)
	assert.InDelta(t, 1, v, 4.5*math.Sqrt(2.0/m))
}

func TestMALAAdapt(t *testing.T) {
	c := logZCases()[0]
	r, err := Run(c.tg, c.q, nil, Config{Particles: 500, Steps: 40, Kernel: MALA, StepSize: 30, Adapt: true, Seed: 3})
	require.NoError(t, err)
	assert.Less(t, r.StepSize, 30.0)
	last := r.Steps[len(r.Steps)-1]
	assert.Greater(t, last.Acceptance, 0.3)
	assert.Less(t, last.Acceptance, 0.9)
	assert.Less(t, r.Steps[0].Acceptance, 0.3)
	_, err = Run(c.tg, c.q, nil, Config{Particles: 500, Steps: 4, Kernel: ULA, StepSize: 3, Adapt: true})
	assert.Error(t, err)

	// AdaptSteps freezes the step after that many steps: the first steps
	// shrink it from 30, every later step uses the same one.
	r, err = Run(c.tg, c.q, nil, Config{Particles: 500, Steps: 40, Kernel: MALA, StepSize: 30, Adapt: true, AdaptSteps: 5, Seed: 3})
	require.NoError(t, err)
	// Step 6 (index 5) is the first with the frozen step: the fifth
	// adaptation still shrank it, so a freeze one step early would fail.
	assert.Less(t, r.Steps[5].StepSize, r.Steps[4].StepSize)
	for _, st := range r.Steps[5:] {
		assert.Equal(t, r.Steps[5].StepSize, st.StepSize, "step %d", st.Step)
	}
	assert.Equal(t, r.Steps[5].StepSize, r.StepSize)
	_, err = Run(c.tg, c.q, nil, Config{Particles: 500, Steps: 4, Kernel: MALA, StepSize: 3, Adapt: true, AdaptSteps: -1})
	assert.ErrorContains(t, err, "adaptation steps")
}

// nanTarget wraps a target and makes energies (or gradients) NaN where the
// first coordinate exceeds a threshold.
type nanTarget struct {
	Target
	thr  float64
	grad bool
}

func (n nanTarget) Energy(x [][]float64, e []float64, grad [][]float64) {
	n.Target.Energy(x, e, grad)
	for i, xi := range x {
		if xi[0] > n.thr {
			if n.grad && grad != nil {
				grad[i][0] = math.NaN()
			} else if !n.grad {
				e[i] = math.NaN()
			}
		}
	}
}

func TestNonFinite(t *testing.T) {
	q := Gaussian{Mean: []float64{0, 0}, Sigma: 1}
	for _, grad := range []bool{false, true} {
		tg := nanTarget{Target: Gaussian{Mean: []float64{0.2, 0}, Sigma: 0.8}, thr: 1.5, grad: grad}
		r, err := Run(tg, q, nil, Config{Particles: 2000, Steps: 10, Kernel: ULA, StepSize: 0.01, ESSThreshold: 0.5, Seed: 2})
		require.NoError(t, err)
		// About 6.7 % of N(0, 1) exceeds 1.5.
		assert.Greater(t, r.Invalid, 50, "grad=%v", grad)
		assert.False(t, math.IsNaN(r.LogZ))
		assert.False(t, math.IsInf(r.LogZ, 0))
		var fromSteps int
		for _, s := range r.Steps {
			fromSteps += s.Invalid
		}
		assert.LessOrEqual(t, fromSteps, r.Invalid)
		if !grad {
			is, err := SampleIS(tg, q, ISConfig{Samples: 2000, Seed: 2})
			require.NoError(t, err)
			assert.Greater(t, is.Invalid, 50)
			assert.False(t, math.IsNaN(is.LogZ))
		}
	}
	all := nanTarget{Target: Gaussian{Mean: []float64{0, 0}, Sigma: 1}, thr: math.Inf(-1)}
	_, err := Run(all, q, nil, Config{Particles: 100, Steps: 3, StepSize: 0.01})
	assert.True(t, errors.Is(err, ErrAllZeroWeights), "%v", err)
	_, err = SampleIS(all, q, ISConfig{Samples: 100})
	assert.True(t, errors.Is(err, ErrAllZeroWeights), "%v", err)
}

func TestFiltersAndErrors(t *testing.T) {
	c := logZCases()[1]
	r, err := Run(c.tg, c.q, nil, Config{Particles: 1000, Steps: 2, StepSize: 0.01, ClipQuantile: 0.01, UseEnergyCutoff: true, EnergyCutoff: 4, Seed: 1})
	require.NoError(t, err)
	assert.Equal(t, 10, r.Clipped) // sorted indices 990…999 lie above index ⌊0.99·999⌋ = 989
	assert.Greater(t, r.CutOff, 0)
	assert.Equal(t, 1000-r.Clipped-r.CutOff, r.Particles)
	assert.Len(t, r.X, r.Particles)
	for _, e := range r.Energy {
		assert.False(t, math.IsNaN(e))
	}
	for _, tc := range []struct {
		name string
		cfg  Config
	}{
		{"steps", Config{Particles: 10}},
		{"particles", Config{Particles: 1, Steps: 3}},
		{"schedule", Config{Particles: 10, Times: []float64{0, 0.5}}},
		{"threshold", Config{Particles: 10, Steps: 3, ESSThreshold: 2}},
		{"step", Config{Particles: 10, Steps: 3, StepSize: -1}},
		{"clip", Config{Particles: 10, Steps: 3, ClipQuantile: 1}},
		{"cutoff", Config{Particles: 10, Steps: 3, UseEnergyCutoff: true, EnergyCutoff: -100}},
	} {
		_, err := Run(c.tg, c.q, nil, tc.cfg)
		assert.Error(t, err, tc.name)
	}
	_, err = Run(c.tg, Gaussian{Mean: []float64{0}, Sigma: 1}, nil, Config{Particles: 10, Steps: 3})
	assert.Error(t, err)
	_, err = Run(c.tg, c.q, [][]float64{{0, 0}, {1}}, Config{Steps: 3})
	assert.Error(t, err)
}

func TestDoubleWellLogZ(t *testing.T) {
	// Barrier 0 limit is excluded; compare with a closed form for a pure
	// quartic-free case: E = B(x²−1)² has Z = ∫exp(−B(x²−1)²); check the
	// quadrature against a coarse independent trapezoid instead.
	dw := DoubleWell{Barrier: 2, Tilt: -0.3}
	var s float64
	const n = 600000
	for i := 0; i < n; i++ {
		x := -4 + 8*(float64(i)+0.5)/n
		s += math.Exp(-dw.E(x))
	}
	assert.InDelta(t, math.Log(s*8/n), dw.LogZ(), 1e-9)
	assert.InDelta(t, math.Log(8*math.Pi), gmm2d().LogZ(), 1e-15)
}

func TestCutoffOrderAndScaleStep(t *testing.T) {
	c := logZCases()[1]
	base := Config{Particles: 1000, Steps: 4, StepSize: 0.01, ClipQuantile: 0.01, UseEnergyCutoff: true, EnergyCutoff: 4, Seed: 1}
	a, err := Run(c.tg, c.q, nil, base)
	require.NoError(t, err)
	base.CutoffFirst = true
	b, err := Run(c.tg, c.q, nil, base)
	require.NoError(t, err)
	assert.Equal(t, a.CutOff, b.CutOff) // same initial draws, same energies
	// Clipping after the cut-off works on fewer particles.
	assert.Less(t, b.Clipped, a.Clipped)

	// ScaleStep: h_k = StepSize·Δt; with the reference loop the first step
	// has Δt = 0, hence no move and no weight change.
	r, err := Run(c.tg, c.q, nil, Config{Particles: 100, Steps: 4, StepSize: 0.4, ScaleStep: true, ReferenceLoop: true, Seed: 1})
	require.NoError(t, err)
	assert.Equal(t, []float64{0, 0.1, 0.1, 0.1}, []float64{r.Steps[0].StepSize, r.Steps[1].StepSize, r.Steps[2].StepSize, r.Steps[3].StepSize})
	assert.Equal(t, 0.0, r.Steps[0].LogZ)
	assert.Equal(t, 1.0, r.Steps[0].ESS)
}

// TestISResample checks that resampling the weighted IS population gives an
// equally weighted set whose mean matches the target's: with n = 20000
// proposals and ESS ≈ 0.2 the standard error of the mean is about 0.011 per
// coordinate, and the tolerance 0.06 is over 5 standard errors.
func TestISResample(t *testing.T) {
	c := logZCases()[0]
	is, err := SampleIS(c.tg, c.q, ISConfig{Samples: 20000, Seed: 12})
	require.NoError(t, err)
	mean, err := WeightedMean(nil, is.LogW, is.X)
	require.NoError(t, err)
	want := c.tg.(Gaussian).Mean
	assert.InDeltaSlice(t, want, mean, 0.06)
	for _, sc := range schemes {
		x, err := is.Resample(5000, sc, rand.New(rand.NewPCG(1, 2)))
		require.NoError(t, err)
		require.Len(t, x, 5000)
		m, err := WeightedMean(nil, make([]float64, len(x)), x)
		require.NoError(t, err)
		assert.InDeltaSlice(t, want, m, 0.06, sc.String())
	}
}

// sleepyTarget records how many Energy calls are in flight at once.
type sleepyTarget struct {
	Gaussian
	inFlight, maxInFlight *atomic.Int32
}

func (s sleepyTarget) Energy(x [][]float64, e []float64, g [][]float64) {
	n := s.inFlight.Add(1)
	for {
		m := s.maxInFlight.Load()
		if n <= m || s.maxInFlight.CompareAndSwap(m, n) {
			break
		}
	}
	time.Sleep(5 * time.Millisecond)
	s.Gaussian.Energy(x, e, g)
	s.inFlight.Add(-1)
}

// TestParallelBatches checks that batches run concurrently on the workers
// (the speed-up itself is measured by BenchmarkSpeedup).
func TestParallelBatches(t *testing.T) {
	for _, w := range []int{1, 2, 3} {
		st := sleepyTarget{Gaussian: Gaussian{Mean: []float64{0}, Sigma: 1}, inFlight: new(atomic.Int32), maxInFlight: new(atomic.Int32)}
		_, err := Run(st, Gaussian{Mean: []float64{0}, Sigma: 2}, nil, Config{Particles: 64, BatchSize: 8, Steps: 2, StepSize: 0.1, Workers: w, Seed: 1})
		require.NoError(t, err)
		assert.Equal(t, int32(w), st.maxInFlight.Load(), "workers %d", w)
	}
}

// boltzmannProposal presents a target's exp(−E) as a Proposal and counts the
// calls of GradLogProb.
type boltzmannProposal struct {
	t     Target
	calls *atomic.Int64
}

func (p boltzmannProposal) Dim() int { return p.t.Dim() }

func (p boltzmannProposal) Sample(*rand.Rand, [][]float64, []float64) { panic("not sampleable") }

func (p boltzmannProposal) LogProb(x [][]float64, logq []float64) {
	p.t.Energy(x, logq, nil)
	for i := range logq {
		logq[i] = -logq[i]
	}
}

func (p boltzmannProposal) GradLogProb(x [][]float64, logq []float64, grad [][]float64) {
	p.calls.Add(1)
	p.t.Energy(x, logq, grad)
	for i := range logq {
		logq[i] = -logq[i]
		for j := range grad[i] {
			grad[i][j] = -grad[i][j]
		}
	}
}

// TestProposalIsTarget checks that an MCMC run on the target with
// ProposalIsTarget gives bit-identical particles and weights without calling
// the proposal, for both kernels.
func TestProposalIsTarget(t *testing.T) {
	g := gmm2d()
	rng := rand.New(rand.NewPCG(3, 3))
	x0 := make([][]float64, 300)
	for i := range x0 {
		x0[i] = []float64{rng.NormFloat64() * 2, rng.NormFloat64() * 2}
	}
	for _, k := range []Kernel{ULA, MALA} {
		var runs [2]*Result
		var calls [2]atomic.Int64
		for v, flag := range []bool{false, true} {
			cp := make([][]float64, len(x0))
			for i := range x0 {
				cp[i] = append([]float64(nil), x0[i]...)
			}
			r, err := Run(g, boltzmannProposal{g, &calls[v]}, cp, Config{Steps: 20, Kernel: k, StepSize: 0.05,
				MovesPerStep: 2, Adapt: k == MALA, ProposalIsTarget: flag, BatchSize: 64, Seed: 9})
			require.NoError(t, err)
			runs[v] = r
		}
		assert.Positive(t, calls[0].Load(), k.String())
		assert.Zero(t, calls[1].Load(), k.String())
		assert.Equal(t, runs[0].X, runs[1].X, k.String())
		assert.Equal(t, runs[0].LogW, runs[1].LogW, k.String())
		assert.Equal(t, runs[0].Energy, runs[1].Energy, k.String())
	}
}
