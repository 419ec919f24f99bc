package boltzmann

import (
	"math"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/boltzflow/boltzflow/nn"
)

// TestTarFlowInverseTape checks the recorded inverse against the sampler's
// (values and log-determinants) and its gradients, with respect to z and to
// every parameter, against central finite differences of the sampler.
func TestTarFlowInverseTape(t *testing.T) {
	for ci, cfg := range smallConfigs() {
		f := perturbed[float64](cfg, uint64(40+ci), 0.1)
		d, bs := cfg.Dim(), 3
		rng := rand.New(rand.NewPCG(41, uint64(ci)))
		// Latents of random inputs: the inverse of a perturbed flow is
		// only tame on its image.
		fw := nn.NewTape[float64](nil)
		fz, _ := f.Forward(fw, fw.Const(randRows(rng, bs, d), bs, d))
		z := append([]float64(nil), fz.Data...)
		w := randRows(rng, bs, d)
		wl := randRows(rng, 1, bs)
		// L = Σ w ⊙ x + Σ wl ⊙ log|det ∂x/∂z|.
		s := f.NewSampler(bs)
		loss := func() float64 {
			x := make([]float64, bs*d)
			ld := make([]float64, bs)
			s.Inverse(x, z, ld)
			l := 0.0
			for i, v := range x {
				l += w[i] * v
			}
			for r, v := range ld {
				l += wl[r] * v
			}
			return l
		}
		tp := nn.NewTape[float64](nil)
		zv := tp.Var(z, bs, d)
		nn.ZeroGrad(f.Params())
		x, ld := f.InverseTape(tp, zv)
		want := make([]float64, bs*d)
		wantLD := make([]float64, bs)
		s.Inverse(want, z, wantLD)
		require.InDeltaSlice(t, want, x.Data, 1e-12, "config %d: samples", ci)
		require.InDeltaSlice(t, wantLD, ld.Data, 1e-12, "config %d: log-determinants", ci)
		tp.Backward(tp.Add(tp.Sum(tp.Mul(x, tp.Const(w, bs, d))), tp.Sum(tp.Mul(ld, tp.Const(wl, bs)))))

		check := func(name string, data, grad []float64) {
			for j := range data {
				v := data[j]
				data[j] = v + 1e-6
				lp := loss()
				data[j] = v - 1e-6
				lm := loss()
				data[j] = v
				fd := (lp - lm) / 2e-6
				require.InDelta(t, fd, grad[j], 1e-6*(1+math.Abs(fd)), "config %d: %s element %d", ci, name, j)
			}
		}
		check("z", z, zv.Grad)
		nonzero := 0
		for _, p := range f.Params() {
			check(p.Name, p.Data, p.Grad)
			if sumAbs(p.Grad) > 0 {
				nonzero++
			}
		}
		require.Equal(t, len(f.Params()), nonzero, "config %d: every parameter gets a gradient", ci)
	}
}

// gaussTarget is E(x) = Σ (x_j − mu)²/(2 s²), a product of normals.
type gaussTarget struct {
	d     int
	mu, s float64
	nan   bool // every energy NaN
}

func (g gaussTarget) Dim() int { return g.d }

func (g gaussTarget) Energy(x [][]float64, e []float64, grad [][]float64) {
	for i, r := range x {
		e[i] = 0
		for j, v := range r {
			u := (v - g.mu) / g.s
			e[i] += 0.5 * u * u
			if grad != nil {
				grad[i][j] = u / g.s
			}
		}
		if g.nan {
			e[i] = math.NaN()
		}
	}
}

// logZ returns log ∫ exp(−E).
func (g gaussTarget) logZ() float64 {
	return 0.5 * float64(g.d) * math.Log(2*math.Pi*g.s*g.s)
}

// TestFineTuneKLGaussian trains a fresh (identity) flow, whose density is
// 𝒩(0, I), towards 𝒩(μ, s²I) by reverse KL: the KL divergence, estimated from
// the mean log-weight and the exact log Z, must fall from its analytic
// starting value to a small fraction of it. At the optimum the path gradient
// vanishes sample by sample: with the target 𝒩(0, I) itself the parameters
// must not move.
func TestFineTuneKLGaussian(t *testing.T) {
	cfg := TarFlowConfig{Atoms: 2, Channels: 3, Width: 16, Heads: 2, Blocks: 2, Layers: 1}
	d := cfg.Dim()
	tg := gaussTarget{d: d, mu: 0.5, s: 0.7}
	// KL(𝒩(0, I) ‖ 𝒩(μ, s²I)) per dimension.
	kl0 := float64(d) * (math.Log(tg.s) + (1+tg.mu*tg.mu)/(2*tg.s*tg.s) - 0.5)
	m := &Model{Flow: NewTarFlow[float32](cfg, rand.New(rand.NewPCG(3, 4))), Norm: Normalizer{Std: 1}, System: "toy"}
	res, err := FineTuneKL(m, tg, KLConfig{Steps: 300, BatchSize: 64, LR: 3e-3, WarmupSteps: 10, Seed: 5, Workers: 2})
	require.NoError(t, err)
	require.Len(t, res.Steps, 300)
	first := res.Steps[0].KL + tg.logZ()
	assert.InDelta(t, kl0, first, 0.4*kl0, "initial KL estimate against the analytic %g", kl0)
	lastKL := 0.0
	for _, s := range res.Steps[280:] {
		lastKL += (s.KL + tg.logZ()) / 20
	}
	t.Logf("KL: analytic start %.3f, estimate at step 1 %.3f, mean of the last 20 steps %.4f; last batch ESS %.3f", kl0, first, lastKL, res.Steps[299].ESS)
	assert.Less(t, lastKL, 0.05*kl0)
	assert.Greater(t, res.Steps[299].ESS, 0.8)

	// The target equals the flow's density: zero gradient, no update.
	// (NewTarFlow's output biases are not zero: clear them for the identity.)
	m2 := &Model{Flow: NewTarFlow[float32](cfg, rand.New(rand.NewPCG(3, 4))), Norm: Normalizer{Std: 1}, System: "toy"}
	for _, b := range m2.Flow.blocks {
		clear(b.out.B.Data)
	}
	before := m2.Flow.Clone()
	res, err = FineTuneKL(m2, gaussTarget{d: d, mu: 0, s: 1}, KLConfig{Steps: 5, BatchSize: 16, LR: 1e-2, WarmupSteps: 1, Seed: 6})
	require.NoError(t, err)
	for _, s := range res.Steps {
		assert.Less(t, s.GradNorm, 1e-4)
		assert.InDelta(t, 1, s.ESS, 1e-4)
	}
	for i, p := range m2.Flow.Params() {
		require.InDeltaSlice(t, before.Params()[i].Data, p.Data, 1e-6, p.Name)
	}
}

func TestFineTuneKLErrors(t *testing.T) {
	cfg := TarFlowConfig{Atoms: 2, Channels: 3, Width: 8, Heads: 1, Blocks: 2, Layers: 1}
	m := &Model{Flow: NewTarFlow[float32](cfg, rand.New(rand.NewPCG(1, 1))), Norm: Normalizer{Std: 1}}
	for _, tc := range []struct {
		name   string
		target gaussTarget
		cfg    KLConfig
		want   string
	}{
		{"dimension", gaussTarget{d: 9, s: 1}, KLConfig{Steps: 1}, "model for 2 atoms, target system has 3"},
		{"chi", gaussTarget{d: 6, s: 1}, KLConfig{Steps: 1, Com: ComAdjust{Variant: ComChi}}, "not supported"},
		{"frame", gaussTarget{d: 6, s: 1}, KLConfig{Steps: 1, Data: [][]float64{{1, 2}}, DataWeight: 1}, "frame 0 has 2 coordinates"},
		{"nan", gaussTarget{d: 6, s: 1, nan: true}, KLConfig{Steps: 1, BatchSize: 4}, "step 1: no sample has a finite energy"},
	} {
		_, err := FineTuneKL(m, tc.target, tc.cfg)
		require.ErrorContains(t, err, tc.want, tc.name)
	}
}

// TestFineTuneKLResume stops a run after 6 steps and resumes it to 12: the
// parameters must equal those of an uninterrupted 12-step run.
func TestFineTuneKLResume(t *testing.T) {
	cfg := TarFlowConfig{Atoms: 2, Channels: 3, Width: 8, Heads: 1, Blocks: 2, Layers: 1}
	tg := gaussTarget{d: 6, mu: 0.3, s: 0.8}
	data := make([][]float64, 10)
	for i := range data {
		data[i] = randRows(rand.New(rand.NewPCG(8, uint64(i))), 1, 6)
	}
	newModel := func() *Model {
		return &Model{Flow: NewTarFlow[float32](cfg, rand.New(rand.NewPCG(2, 2))), Norm: Normalizer{Std: 1}, System: "toy"}
	}
	kc := KLConfig{BatchSize: 8, LR: 1e-2, WarmupSteps: 3, Seed: 7, Data: data, DataWeight: 0.5, SaveEvery: 4}
	full := newModel()
	kc.Steps = 12
	_, err := FineTuneKL(full, tg, kc)
	require.NoError(t, err)

	part := newModel()
	kc.StatePath = filepath.Join(t.TempDir(), "state.ckpt")
	saves := 0
	kc.OnSave = func(*KLResult) error { saves++; return nil }
	kc.Steps = 6
	_, err = FineTuneKL(part, tg, kc)
	require.NoError(t, err)
	require.Equal(t, 2, saves, "a save after step 4 and one at the end")
	resumed := newModel()
	kc.Steps = 12
	res, err := FineTuneKL(resumed, tg, kc)
	require.NoError(t, err)
	require.Equal(t, 6, res.Start)
	require.Len(t, res.Steps, 6)
	require.Equal(t, 7, res.Steps[0].Step)
	for i, p := range resumed.Flow.Params() {
		require.Equal(t, full.Flow.Params()[i].Data, p.Data, p.Name)
	}
	// A state of another flow is refused.
	other := &Model{Flow: NewTarFlow[float32](TarFlowConfig{Atoms: 2, Channels: 3, Width: 16, Heads: 1, Blocks: 2, Layers: 1}, rand.New(rand.NewPCG(2, 2))), Norm: Normalizer{Std: 1}}
	_, err = FineTuneKL(other, tg, kc)
	require.ErrorContains(t, err, "not a fine-tuning state of this flow")
}

// weightedLossRows returns a small perturbed flow over 3 atoms, 16 random
// rows x, log-weight offsets off (−E + log p_c, around −100 nats with a
// 3-nat spread) and a function giving the flow's current log q of the rows
// in float64, for the tests of the log-variance and Rényi losses.
func weightedLossRows(seed uint64) (*TarFlow[float32], []float32, []float64, func() []float64) {
	cfg := TarFlowConfig{Atoms: 3, Channels: 3, Width: 16, Heads: 2, Blocks: 2, Layers: 1}
	f := perturbed[float32](cfg, 12, 0.05)
	d, n := cfg.Dim(), 16
	rng := rand.New(rand.NewPCG(seed, seed+1))
	x := make([]float32, n*d)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	off := make([]float64, n)
	for i := range off {
		off[i] = -100 + 3*rng.NormFloat64()
	}
	logq := func() []float64 {
		tp := nn.NewTape[float32](nil)
		tp.NoGrad = true
		lq := f.LogProb(tp, tp.Const(x, n, d))
		out := make([]float64, n)
		for i, v := range lq.Data {
			out[i] = float64(v)
		}
		return out
	}
	return f, x, off, logq
}

// TestLogVarLoss checks the log-variance loss against its definition,
// mean(−log q)/D + λ/D·Var(off − log q), computed in float64 from a separate
// log q, and that its gradient moves the flow's log-weights towards equality:
// a few steps of gradient descent on the variance term alone shrink it.
func TestLogVarLoss(t *testing.T) {
	f, x, off, logq := weightedLossRows(13)
	d, n := f.Config.Dim(), len(off)
	variance := func(lq []float64) (nll, v float64) {
		m := 0.0
		for i := range lq {
			nll -= lq[i] / float64(n*d)
			m += (off[i] - lq[i]) / float64(n)
		}
		for i := range lq {
			u := off[i] - lq[i] - m
			v += u * u / float64(n)
		}
		return nll, v
	}
	const lambda = 2.0
	p := &dataParallel{varWeight: lambda}
	tp := nn.NewTape[float32](nil)
	nll, v0 := variance(logq())
	got := p.weightedLoss(f, tp, x, off).Item()
	require.InDelta(t, nll+lambda*v0/float64(d), float64(got), 1e-4*(1+math.Abs(nll+lambda*v0/float64(d))))

	opt := nn.NewAdam(f.Params(), 1e-3)
	p.varWeight = 1e4 // the variance term dominates
	for step := 0; step < 20; step++ {
		tp.Reset()
		opt.ZeroGrad()
		tp.Backward(p.weightedLoss(f, tp, x, off))
		opt.Step()
	}
	_, v1 := variance(logq())
	t.Logf("log-weight variance %.3f → %.3f", v0, v1)
	require.Less(t, v1, 0.5*v0)
}

// TestRenyiLoss checks the Rényi loss against its definition,
// mean(−log q)/D + λ/D·(1/α)·log mean exp(α·(off − log q)), computed in
// float64 from a separate log q at two orders, and that its gradient
// points the right way: descending a dominant Rényi term lowers it.
func TestRenyiLoss(t *testing.T) {
	f, x, off, logq := weightedLossRows(15)
	d, n := f.Config.Dim(), len(off)
	// renyi returns the NLL per dimension and (1/α)·log mean exp(α·log w).
	renyi := func(lq []float64, a float64) (nll, r float64) {
		m := math.Inf(-1)
		for i := range lq {
			nll -= lq[i] / float64(n*d)
			m = math.Max(m, a*(off[i]-lq[i]))
		}
		for i := range lq {
			r += math.Exp(a*(off[i]-lq[i]) - m)
		}
		return nll, (m + math.Log(r/float64(n))) / a
	}
	for _, a := range []float64{1, 0.5} {
		const lambda = 2.0
		p := &dataParallel{renyiWeight: lambda, renyiAlpha: a}
		tp := nn.NewTape[float32](nil)
		nll, r0 := renyi(logq(), a)
		got := p.weightedLoss(f, tp, x, off).Item()
		want := nll + lambda*r0/float64(d)
		require.InDelta(t, want, float64(got), 1e-4*(1+math.Abs(want)), "α %g", a)
	}
	// Descending a dominant Rényi term (α = 1) lowers log E[w], the
	// χ² of the flow against the target on these rows, and with it the
	// spread of the log-weights' top.
	p := &dataParallel{renyiWeight: 1e4, renyiAlpha: 1}
	tp := nn.NewTape[float32](nil)
	_, r0 := renyi(logq(), 1)
	opt := nn.NewAdam(f.Params(), 1e-3)
	for step := 0; step < 20; step++ {
		tp.Reset()
		opt.ZeroGrad()
		tp.Backward(p.weightedLoss(f, tp, x, off))
		opt.Step()
	}
	_, r1 := renyi(logq(), 1)
	t.Logf("Rényi loss (α = 1) %.3f → %.3f", r0, r1)
	require.Less(t, r1, r0-1)
}

// TestTrainWeightedLossErrors checks that Train refuses bad weights and
// orders of the log-variance and Rényi losses, and energies that do not
// match the frames, with errors that name what is wrong.
func TestTrainWeightedLossErrors(t *testing.T) {
	cfg := TarFlowConfig{Atoms: 2, Channels: 3, Width: 8, Heads: 1, Blocks: 2, Layers: 1}
	data := [][]float64{{0, 0, 0, 1, 0, 0}, {0, 0, 0, 0, 1, 0}}
	for _, c := range []struct {
		tc   TrainConfig
		want string
	}{
		{TrainConfig{VarWeight: -1}, "log-variance weight -1"},
		{TrainConfig{RenyiWeight: -1}, "Rényi weight -1"},
		{TrainConfig{RenyiWeight: 1, RenyiAlpha: -0.5}, "order α -0.5"},
		{TrainConfig{RenyiWeight: 1, RenyiAlpha: math.Inf(1)}, "α finite"},
		{TrainConfig{RenyiWeight: 1, Energies: []float64{1}}, "1 energies for 2 frames"},
		{TrainConfig{RenyiWeight: 1, Energies: []float64{1, math.NaN()}}, "frame 1 has a non-finite energy"},
	} {
		c.tc.Epochs, c.tc.BatchSize = 1, 2
		_, _, err := Train(NewTarFlow[float32](cfg, rand.New(rand.NewPCG(1, 1))), Normalizer{Std: 1}, data, c.tc)
		require.ErrorContains(t, err, c.want)
	}
}
