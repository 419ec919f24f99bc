package boltzmann

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"

	"github.com/boltzflow/boltzflow/nn"
)

// perturbed returns a small TarFlow whose zero-initialised output projections
// are given random weights, so that every block transforms its input.
func perturbed[F nn.Float](cfg TarFlowConfig, seed uint64, scale float64) *TarFlow[F] {
	rng := rand.New(rand.NewPCG(seed, 1))
	f := NewTarFlow[F](cfg, rng)
	for _, b := range f.blocks {
		for i := range b.out.W.Data {
			b.out.W.Data[i] = F(scale * rng.NormFloat64())
		}
	}
	return f
}

func smallConfigs() []TarFlowConfig {
	return []TarFlowConfig{
		{Atoms: 3, Channels: 3, Width: 16, Heads: 2, Blocks: 3, Layers: 2},
		{Atoms: 3, Channels: 1, Width: 8, Heads: 1, Blocks: 2, Layers: 1},
		{Atoms: 2, Channels: 1, Width: 8, Heads: 2, Blocks: 4, Layers: 1, SoftClamp: 0.5},
	}
}

func randRows(rng *rand.Rand, b, d int) []float64 {
	x := make([]float64, b*d)
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	return x
}

func TestTarFlowInverse(t *testing.T) {
	for ci, cfg := range smallConfigs() {
		f := perturbed[float64](cfg, uint64(ci), 0.3)
		d, bs := cfg.Dim(), 5
		x := randRows(rand.New(rand.NewPCG(9, uint64(ci))), bs, d)
		tp := nn.NewTape[float64](nil)
		z, ld := f.Forward(tp, tp.Const(x, bs, d))
		s := f.NewSampler(bs)
		back := make([]float64, bs*d)
		ild := make([]float64, bs)
		s.Inverse(back, z.Data, ild)
		for i := range x {
			require.InDelta(t, x[i], back[i], 1e-10, "config %d", ci)
		}
		for r := 0; r < bs; r++ {
			assert.InDelta(t, -ld.Data[r], ild[r], 1e-10)
			assert.Greater(t, math.Abs(ld.Data[r]), 1e-3, "the flow must not be volume preserving")
		}
	}
}

func TestTarFlowLogDetBruteForce(t *testing.T) {
	for ci, cfg := range smallConfigs() {
		f := perturbed[float64](cfg, uint64(10+ci), 0.3)
		d := cfg.Dim()
		x := randRows(rand.New(rand.NewPCG(8, uint64(ci))), 1, d)
		tp := nn.NewTape[float64](nil)
		tp.NoGrad = true
		fwd := func(v []float64) []float64 {
			tp.Reset()
			z, _ := f.Forward(tp, tp.Const(v, 1, d))
			return append([]float64(nil), z.Data...)
		}
		tp.Reset()
		_, ld := f.Forward(tp, tp.Const(x, 1, d))
		want := ld.Data[0]
		jac := mat.NewDense(d, d, nil)
		h := 1e-6
		for j := 0; j < d; j++ {
			xp := append([]float64(nil), x...)
			xm := append([]float64(nil), x...)
			xp[j] += h
			xm[j] -= h
			zp, zm := fwd(xp), fwd(xm)
			for i := 0; i < d; i++ {
				jac.Set(i, j, (zp[i]-zm[i])/(2*h))
			}
		}
		var lu mat.LU
		lu.Factorize(jac)
		got, sign := lu.LogDet()
		assert.Equal(t, 1.0, sign)
		assert.InDelta(t, want, got, 1e-6, "config %d", ci)
	}
}

func TestTarFlowGradLogProb(t *testing.T) {
	for ci, cfg := range smallConfigs() {
		f := perturbed[float64](cfg, uint64(20+ci), 0.3)
		d, bs := cfg.Dim(), 2
		x := randRows(rand.New(rand.NewPCG(7, uint64(ci))), bs, d)
		tp := nn.NewTape[float64](nil)
		xv := tp.Var(x, bs, d)
		lq := f.LogProb(tp, xv)
		tp.BackwardFrom(lq, []float64{1, 1})
		grad := append([]float64(nil), xv.Grad...)
		ev := nn.NewTape[float64](nil)
		ev.NoGrad = true
		logq := func(v []float64) []float64 {
			ev.Reset()
			return append([]float64(nil), f.LogProb(ev, ev.Const(v, bs, d)).Data...)
		}
		for j := 0; j < bs*d; j++ {
			xp := append([]float64(nil), x...)
			xm := append([]float64(nil), x...)
			xp[j] += 1e-6
			xm[j] -= 1e-6
			fd := (logq(xp)[j/d] - logq(xm)[j/d]) / 2e-6
			assert.InDelta(t, fd, grad[j], 1e-6*(1+math.Abs(fd)), "config %d coordinate %d", ci, j)
		}
	}
}

func TestTarFlowSampleLogProbFloat32(t *testing.T) {
	cfg := TarFlowConfig{Atoms: 22, Channels: 3, Width: 32, Heads: 2, Blocks: 4, Layers: 2}
	f := perturbed[float32](cfg, 3, 0.05)
	bs, d := 16, cfg.Dim()
	s := f.NewSampler(bs)
	x := make([]float32, bs*d)
	lq := make([]float64, bs)
	s.Sample(rand.New(rand.NewPCG(4, 5)), x, lq)
	tp := nn.NewTape[float32](nil)
	tp.NoGrad = true
	fresh := f.LogProb(tp, tp.Const(x, bs, d))
	for r := 0; r < bs; r++ {
		assert.InDelta(t, lq[r], float64(fresh.Data[r]), 1e-4*float64(d), "sample %d", r)
	}
	// Re-encoding gives back z: the inversion error is small.
	st := ReencodeError(f, x, bs)
	assert.Less(t, st.MaxAbs, 1e-3)
}

func TestTarFlowInitIsNearIdentity(t *testing.T) {
	// Zero-initialised output weights: each block shifts by its constant
	// bias only, so the Jacobian is diagonal and the log-det is the same for
	// every input.
	cfg := TarFlowConfig{Atoms: 4, Channels: 3, Width: 16, Heads: 1, Blocks: 2, Layers: 1}
	f := NewTarFlow[float64](cfg, rand.New(rand.NewPCG(1, 1)))
	tp := nn.NewTape[float64](nil)
	x := randRows(rand.New(rand.NewPCG(2, 2)), 3, cfg.Dim())
	_, ld := f.Forward(tp, tp.Const(x, 3, cfg.Dim()))
	assert.InDelta(t, ld.Data[0], ld.Data[1], 1e-12)
	assert.InDelta(t, ld.Data[0], ld.Data[2], 1e-12)
}

func TestTarFlowDeepen(t *testing.T) {
	for _, cfg := range smallConfigs() {
		f := perturbed[float64](cfg, 3, 0.3)
		g, err := f.Deepen(cfg.Layers+2, rand.New(rand.NewPCG(4, 4)))
		require.NoError(t, err)
		require.Equal(t, cfg.Layers+2, g.Config.Layers)
		x := randRows(rand.New(rand.NewPCG(5, 5)), 4, cfg.Dim())
		tp := nn.NewTape[float64](nil)
		want := f.LogProb(tp, tp.Const(x, 4, cfg.Dim())).Data
		tp2 := nn.NewTape[float64](nil)
		lp := g.LogProb(tp2, tp2.Const(x, 4, cfg.Dim()))
		// Same density: the new layers are exact identities.
		for i := range want {
			assert.InDelta(t, want[i], lp.Data[i], 1e-12*math.Max(1, math.Abs(want[i])))
		}
		// The extra depth is trainable: the zeroed output projections of a
		// new layer receive a gradient.
		tp2.Backward(tp2.Sum(lp))
		last := g.blocks[0].layers[cfg.Layers+1]
		assert.Greater(t, sumAbs(last.Wo.W.Grad)+sumAbs(last.FF2.W.Grad), 0.0, "%+v", cfg)
		// f is untouched and a shallower flow is refused.
		assert.Equal(t, cfg.Layers, f.Config.Layers)
		_, err = f.Deepen(cfg.Layers-1, rand.New(rand.NewPCG(4, 4)))
		assert.Error(t, err)
	}
}

// TestTarFlowGrow checks that blocks appended (and layers added) by Grow keep
// the density and the sampler exact, are trainable, and continue the
// alternation of token orders.
func TestTarFlowGrow(t *testing.T) {
	for _, cfg := range smallConfigs() {
		f := perturbed[float64](cfg, 6, 0.3)
		g, err := f.Grow(cfg.Blocks+3, cfg.Layers+1, rand.New(rand.NewPCG(7, 7)))
		require.NoError(t, err)
		require.Equal(t, cfg.Blocks+3, g.Config.Blocks)
		require.Equal(t, cfg.Layers+1, g.Config.Layers)
		for k, b := range g.blocks {
			assert.Equal(t, k%2 == 1, b.reverse, "block %d", k)
		}
		const bs = 4
		x := randRows(rand.New(rand.NewPCG(8, 8)), bs, cfg.Dim())
		tp := nn.NewTape[float64](nil)
		want := f.LogProb(tp, tp.Const(x, bs, cfg.Dim())).Data
		tp2 := nn.NewTape[float64](nil)
		lp := g.LogProb(tp2, tp2.Const(x, bs, cfg.Dim()))
		for i := range want {
			assert.InDelta(t, want[i], lp.Data[i], 1e-12*math.Max(1, math.Abs(want[i])), "%+v", cfg)
		}
		// The new blocks' zeroed output projections receive a gradient.
		tp2.Backward(tp2.Sum(lp))
		last := g.blocks[len(g.blocks)-1]
		assert.Greater(t, sumAbs(last.out.W.Grad)+sumAbs(last.out.B.Grad), 0.0, "%+v", cfg)
		// Same samples from the same latents.
		z := randRows(rand.New(rand.NewPCG(9, 9)), bs, cfg.Dim())
		xf, xg := make([]float64, len(z)), make([]float64, len(z))
		lf, lg := make([]float64, bs), make([]float64, bs)
		f.NewSampler(bs).Inverse(xf, z, lf)
		g.NewSampler(bs).Inverse(xg, z, lg)
		assert.InDeltaSlice(t, xf, xg, 1e-12)
		assert.InDeltaSlice(t, lf, lg, 1e-12)
		// f is untouched; fewer blocks or layers are refused.
		assert.Equal(t, cfg.Blocks, f.Config.Blocks)
		_, err = f.Grow(cfg.Blocks-1, cfg.Layers, rand.New(rand.NewPCG(7, 7)))
		assert.ErrorContains(t, err, "blocks, fewer than")
		_, err = f.Grow(cfg.Blocks, cfg.Layers-1, rand.New(rand.NewPCG(7, 7)))
		assert.ErrorContains(t, err, "layers per block, fewer than")
	}
}

func sumAbs(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += math.Abs(x)
	}
	return s
}

func TestTarFlowPriorStd(t *testing.T) {
	const tau = 0.6
	for ci, cfg := range smallConfigs() {
		f := perturbed[float64](cfg, uint64(30+ci), 0.05)
		d, bs := cfg.Dim(), 400
		cold := f.Clone()
		cold.PriorStd = tau
		require.Equal(t, tau, cold.PriorStd, "Clone keeps PriorStd")
		x := make([]float64, bs*d)
		lq := make([]float64, bs)
		cold.Clone().NewSampler(bs).Sample(rand.New(rand.NewPCG(8, uint64(ci))), x, lq)
		tp := nn.NewTape[float64](nil)
		tp.NoGrad = true
		z, _ := f.Forward(tp, tp.Const(x, bs, d))
		warm := f.LogProb(tp, tp.Const(x, bs, d)).Data
		fresh := cold.LogProb(tp, tp.Const(x, bs, d)).Data
		ss := 0.0
		for r := 0; r < bs; r++ {
			// The sampler's log q is the density of its own samples.
			assert.InDelta(t, fresh[r], lq[r], 1e-8, "config %d sample %d", ci, r)
			// log q_τ − log q_1 = −½‖z‖²(1/τ² − 1) − D·log τ.
			zz := 0.0
			for _, v := range z.Data[r*d : r*d+d] {
				zz += v * v
			}
			ss += zz
			want := -0.5*zz*(1/(tau*tau)-1) - float64(d)*math.Log(tau)
			assert.InDelta(t, want, fresh[r]-warm[r], 1e-8, "config %d sample %d", ci, r)
		}
		// The samples' latents have standard deviation τ (400·D draws).
		assert.InDelta(t, tau, math.Sqrt(ss/float64(bs*d)), 0.05*tau, "config %d", ci)
		// Training ignores τ.
		l1 := f.Loss(tp, tp.Const(x[:2*d], 2, d)).Data[0]
		lt := cold.Loss(tp, tp.Const(x[:2*d], 2, d)).Data[0]
		assert.Equal(t, l1, lt, "config %d", ci)
		// The score of the cold density against finite differences.
		gt := nn.NewTape[float64](nil)
		xv := gt.Var(append([]float64(nil), x[:d]...), 1, d)
		gt.BackwardFrom(cold.LogProb(gt, xv), []float64{1})
		for j := 0; j < d; j++ {
			xp := append([]float64(nil), x[:d]...)
			xm := append([]float64(nil), x[:d]...)
			xp[j] += 1e-6
			xm[j] -= 1e-6
			fd := (cold.LogProb(tp, tp.Const(xp, 1, d)).Data[0] - cold.LogProb(tp, tp.Const(xm, 1, d)).Data[0]) / 2e-6
			assert.InDelta(t, fd, xv.Grad[j], 1e-6*(1+math.Abs(fd)), "config %d coordinate %d", ci, j)
		}
	}
}
