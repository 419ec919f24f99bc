package nn

import (
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestGradAttention(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, causal := range []bool{true, false} {
		q, k, v := randTensor(rng, -1, 1, 2, 4, 6), randTensor(rng, -1, 1, 2, 4, 6), randTensor(rng, -1, 1, 2, 4, 6)
		checkGrad(t, "Attention", []*Tensor[float64]{q, k, v}, func(tp *Tape[float64], in []*Tensor[float64]) *Tensor[float64] {
			return tp.Attention(in[0], in[1], in[2], 2, causal)
		}, 1e-6)
	}
	// Self-attention on one tensor: the three gradient paths accumulate into
	// the same buffer.
	x := randTensor(rng, -1, 1, 2, 4, 6)
	checkGrad(t, "AttentionShared", []*Tensor[float64]{x}, func(tp *Tape[float64], in []*Tensor[float64]) *Tensor[float64] {
		return tp.Attention(in[0], in[0], in[0], 3, true)
	}, 1e-6)
}

// TestAttentionMatchesUnfused checks the fused op against the composition of
// SplitHeads, BatchMatMul, CausalSoftmax and MergeHeads.
func TestAttentionMatchesUnfused(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	B, S, D, H := 3, 5, 8, 2
	q, k, v := randTensor(rng, -1, 1, B, S, D), randTensor(rng, -1, 1, B, S, D), randTensor(rng, -1, 1, B, S, D)
	tp := NewTape[float64](nil)
	fused := tp.Attention(q, k, v, H, true)
	r := func(x *Tensor[float64]) *Tensor[float64] {
		return tp.Reshape(tp.SplitHeads(x, H), B*H, S, D/H)
	}
	sc := tp.Scale(tp.BatchMatMul(r(q), r(k), false, true), 1/math.Sqrt(float64(D/H)))
	o := tp.BatchMatMul(tp.CausalSoftmax(sc), r(v), false, false)
	ref := tp.MergeHeads(tp.Reshape(o, B, H, S, D/H))
	require.InDeltaSlice(t, ref.Data, fused.Data, 1e-13)
}

func TestKVCacheMatchesFullForward(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	B, S, D := 3, 6, 8
	blk := NewTransformerBlock[float64]("blk", BlockConfig{Dim: D, Heads: 2, Hidden: 32, Activation: ActGELU, Causal: true}, rng)
	x := randTensor(rng, -1, 1, B, S, D)
	tp := NewTape[float64](nil)
	tp.NoGrad = true
	full := blk.Forward(tp, x)

	cache := blk.NewCache(B, S)
	step := NewTape[float64](nil)
	step.NoGrad = true
	tok := make([]float64, B*D)
	var allocs float64
	for round := 0; round < 2; round++ {
		cache.Reset()
		for s := 0; s < S; s++ {
			step.Reset()
			for b := 0; b < B; b++ {
				copy(tok[b*D:(b+1)*D], x.Data[(b*S+s)*D:(b*S+s+1)*D])
			}
			y := blk.ForwardCached(step, cache, step.Const(tok, B, D))
			for b := 0; b < B; b++ {
				require.InDeltaSlice(t, full.Data[(b*S+s)*D:(b*S+s+1)*D], y.Data[b*D:(b+1)*D], 1e-12, "batch %d position %d", b, s)
			}
		}
	}
	// Steady state: a cached step allocates nothing.
	allocs = testing.AllocsPerRun(20, func() {
		cache.Reset()
		step.Reset()
		blk.ForwardCached(step, cache, step.Const(tok, B, D))
	})
	require.Zero(t, allocs)
}

func blockInputs(blk *TransformerBlock[float64], x *Tensor[float64]) []*Tensor[float64] {
	ins := []*Tensor[float64]{x}
	for _, p := range blk.Params() {
		ins = append(ins, p.Tensor)
	}
	return ins
}

func TestGradTransformerBlock(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	blk := NewTransformerBlock[float64]("blk", BlockConfig{Dim: 8, Heads: 2, Hidden: 16, Activation: ActGELU, Causal: true}, rng)
	// Non-trivial LayerNorm parameters.
	for _, p := range blk.Params() {
		if len(p.Data) == 8 {
			for i := range p.Data {
				p.Data[i] += 0.3 * rng.NormFloat64()
			}
		}
	}
	x := randTensor(rng, -1, 1, 2, 5, 8)
	worst := checkGrad(t, "TransformerBlock", blockInputs(blk, x), func(tp *Tape[float64], in []*Tensor[float64]) *Tensor[float64] {
		return blk.Forward(tp, in[0])
	}, 1e-6)
	t.Logf("pre-LN block: worst finite-difference error %.2g", worst)
}

func TestGradMLP(t *testing.T) {
	for _, cfg := range []MLPConfig{
		{Sizes: []int{5, 7, 6, 3}, Activation: ActTanh},
		{Sizes: []int{5, 7, 3}, Activation: ActSwish, LayerNorm: true},
		{Sizes: []int{5, 7, 7, 3}, Activation: ActSiLU, LayerNorm: true, Dropout: 0.2},
	} {
		rng := rand.New(rand.NewPCG(15, 16))
		m := NewMLP[float64]("mlp", cfg, rng)
		x := randTensor(rng, -1, 1, 4, 5)
		ins := []*Tensor[float64]{x}
		for _, p := range m.Params() {
			ins = append(ins, p.Tensor)
		}
		checkGrad(t, "MLP", ins, func(tp *Tape[float64], in []*Tensor[float64]) *Tensor[float64] {
			tp.Training = cfg.Dropout > 0
			tp.Rand = rand.New(rand.NewPCG(1, 1))
			return m.Forward(tp, in[0])
		}, 1e-6)
	}
}

// TestInputGradientPerSample checks ∇ₓ of a batch of independent
// log-densities via BackwardFrom against the closed form for a linear map.
func TestInputGradientPerSample(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 18))
	l := NewLinear[float64]("l", 3, 3, Init{}, rng)
	x := randTensor(rng, -1, 1, 4, 3).RequireGrad()
	tp := NewTape[float64](nil)
	z := l.Forward(tp, x)
	lq := tp.GaussianLogDensity(z, nil, nil) // log N(Wx+b; 0, I)
	tp.BackwardFrom(lq, []float64{1, 1, 1, 1})
	for n := 0; n < 4; n++ {
		for j := 0; j < 3; j++ {
			want := 0.0 // −Σ_i z_i W_ij
			for i := 0; i < 3; i++ {
				want -= z.Data[n*3+i] * l.W.Data[i*3+j]
			}
			require.InDelta(t, want, x.Grad[n*3+j], 1e-12)
		}
	}
}

func TestPolyakAndCopy(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	a := NewMLP[float32]("a", MLPConfig{Sizes: []int{2, 3, 1}}, rng)
	b := NewMLP[float32]("b", MLPConfig{Sizes: []int{2, 3, 1}}, rng)
	w0 := b.Params()[0].Data[0]
	s := a.Params()[0].Data[0]
	Polyak(b.Params(), a.Params(), 0.25)
	require.InDelta(t, 0.75*w0+0.25*s, b.Params()[0].Data[0], 1e-6)
	CopyParams(b.Params(), a.Params())
	for i, p := range b.Params() {
		require.Equal(t, a.Params()[i].Data, p.Data)
	}
	byName := ParamsByName(a.Params())
	require.Same(t, a.Layers[1].W, byName["a.1.weight"])
	require.Len(t, byName, 4)
	require.Panics(t, func() { ParamsByName(append(a.Params(), a.Params()[0])) })
	c := NewMLP[float32]("c", MLPConfig{Sizes: []int{2, 4, 1}}, rng)
	require.Panics(t, func() { CopyParams(c.Params(), a.Params()) })
}

func TestInitSchemes(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 3))
	l := NewLinear[float64]("l", 16, 4, Init{}, rng)
	for _, v := range l.W.Data {
		require.LessOrEqual(t, math.Abs(v), 0.25)
	}
	for _, shape := range [][2]int{{4, 6}, {6, 4}} {
		o := NewLinear[float64]("o", shape[1], shape[0], Orthogonal(2), rng)
		r, c := shape[0], shape[1]
		// W Wᵀ = 4I (wide) or Wᵀ W = 4I (tall).
		n, m := r, c
		at := func(i, k int) float64 { return o.W.Data[i*c+k] }
		if r > c {
			n, m = c, r
			at = func(i, k int) float64 { return o.W.Data[k*c+i] }
		}
		for i := 0; i < n; i++ {
			for j := 0; j < n; j++ {
				var s float64
				for k := 0; k < m; k++ {
					s += at(i, k) * at(j, k)
				}
				want := 0.0
				if i == j {
					want = 4
				}
				require.InDelta(t, want, s, 1e-12)
			}
		}
		require.Equal(t, make([]float64, r), o.B.Data)
	}
	z := NewLinear[float32]("z", 3, 2, Init{Kind: InitZero}, rng)
	require.Equal(t, make([]float32, 6), z.W.Data)
}

func mlpStep(m *MLP[float32], opt *Adam[float32], tp *Tape[float32], x, y []float32, n int) float32 {
	tp.Reset()
	out := m.Forward(tp, tp.Const(x, n, m.Config.Sizes[0]))
	loss := tp.MSE(out, tp.Const(y, n, m.Config.Sizes[len(m.Config.Sizes)-1]))
	opt.ZeroGrad()
	tp.Backward(loss)
	opt.Step()
	return loss.Item()
}

func TestMLPTrainingSameSeedAndNoAllocs(t *testing.T) {
	run := func() ([]float32, float64) {
		rng := rand.New(rand.NewPCG(42, 0))
		m := NewMLP[float32]("mlp", MLPConfig{Sizes: []int{17, 64, 64, 6}, Activation: ActReLU}, rng)
		opt := NewAdam(m.Params(), 1e-3)
		n := 128
		x, y := make([]float32, n*17), make([]float32, n*6)
		for i := range x {
			x[i] = float32(rng.NormFloat64())
		}
		for i := range y {
			y[i] = float32(math.Sin(float64(x[i])))
		}
		tp := NewTape[float32](nil)
		var losses []float32
		for i := 0; i < 30; i++ {
			losses = append(losses, mlpStep(m, opt, tp, x, y, n))
		}
		allocs := testing.AllocsPerRun(10, func() { mlpStep(m, opt, tp, x, y, n) })
		return losses, allocs
	}
	l1, a1 := run()
	l2, _ := run()
	require.Equal(t, l1, l2, "same seed must give the same numbers")
	require.Less(t, l1[len(l1)-1], l1[0], "loss must decrease")
	require.Zero(t, a1, "allocations per training step")
}

func TestAttentionBlockNoAllocs(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	blk := NewTransformerBlock[float32]("b", BlockConfig{Dim: 32, Heads: 4, Hidden: 128, Activation: ActGELU, Causal: true, Dropout: 0.1}, rng)
	x := make([]float32, 4*7*32)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	tp := NewTape[float32](rand.New(rand.NewPCG(1, 2)))
	tp.Training = true
	step := func() {
		tp.Reset()
		xt := tp.Const(x, 4, 7, 32)
		out := blk.Forward(tp, xt)
		loss := tp.MSE(out, xt)
		ZeroGrad(blk.Params())
		tp.Backward(loss)
	}
	step()
	require.Zero(t, testing.AllocsPerRun(10, step))
}

// TestWorkerCountInvariance checks that results are bit-identical whatever
// the number of workers (fixed partitions in gemm and attention).
func TestWorkerCountInvariance(t *testing.T) {
	run := func(procs int) ([]float32, []float32) {
		old := runtime.GOMAXPROCS(procs)
		defer runtime.GOMAXPROCS(old)
		rng := rand.New(rand.NewPCG(21, 22))
		blk := NewTransformerBlock[float32]("b", BlockConfig{Dim: 64, Heads: 4, Hidden: 256, Activation: ActGELU, Causal: true}, rng)
		x := make([]float32, 8*9*64)
		for i := range x {
			x[i] = float32(rng.NormFloat64())
		}
		tp := NewTape[float32](nil)
		xt := tp.Var(x, 8, 9, 64)
		tp.Backward(tp.Mean(tp.Square(blk.Forward(tp, xt))))
		return append([]float32(nil), blk.FF1.W.Grad...), append([]float32(nil), xt.Grad...)
	}
	g1, x1 := run(1)
	for _, p := range []int{2, 3} {
		g, x := run(p)
		require.Equal(t, g1, g, "GOMAXPROCS=%d", p)
		require.Equal(t, x1, x, "GOMAXPROCS=%d", p)
	}
	// SetMaxThreads limits the goroutines under a larger GOMAXPROCS.
	SetMaxThreads(1)
	defer SetMaxThreads(0)
	g, x := run(3)
	require.Equal(t, g1, g, "SetMaxThreads(1)")
	require.Equal(t, x1, x, "SetMaxThreads(1)")
}
