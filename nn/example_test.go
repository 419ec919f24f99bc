package nn_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/boltzflow/boltzflow/nn"
)

// A training step: forward, loss, backward, optimiser update. After the first
// step the tape's arena makes every further step allocation-free.
func Example_trainingStep() {
	rng := rand.New(rand.NewPCG(1, 2))
	mlp := nn.NewMLP[float32]("f", nn.MLPConfig{Sizes: []int{1, 32, 1}, Activation: nn.ActTanh}, rng)
	opt := nn.NewAdam(mlp.Params(), 1e-2)
	sched := nn.NewOneCycle(1e-2, 200)
	const batch = 64
	xs, ys := make([]float32, batch), make([]float32, batch)
	for i := range xs {
		xs[i] = float32(i)/batch*2 - 1
		ys[i] = 2 * xs[i] * xs[i]
	}
	tp := nn.NewTape[float32](rng)
	var first, last float32
	for step := 0; step < 200; step++ {
		tp.Reset()
		x := tp.Const(xs, batch, 1) // [batch, 1], aliases xs
		y := tp.Const(ys, batch, 1)
		loss := tp.MSE(mlp.Forward(tp, x), y)
		opt.ZeroGrad()
		tp.Backward(loss)
		nn.ClipGradNorm(mlp.Params(), 1)
		opt.LR = sched.LR(step)
		opt.Step()
		if step == 0 {
			first = loss.Item()
		}
		last = loss.Item()
	}
	fmt.Println("loss reduced tenfold:", last < first/10)
	// Output: loss reduced tenfold: true
}

// The gradient of a batch of log-densities with respect to the inputs: for
// log N(x; 0, I), ∇ₓ log q = −x for every sample.
func Example_inputGradient() {
	tp := nn.NewTape[float64](nil)
	x := tp.Var([]float64{1, -2, 0.5, 3}, 2, 2) // two samples of dimension 2
	lq := tp.GaussianLogDensity(x, nil, nil)    // [2]
	tp.BackwardFrom(lq, []float64{1, 1})
	fmt.Println(x.Grad)
	// Output: [-1 2 -0.5 -3]
}

// Autoregressive decoding with a key/value cache: one token per step, no tape
// recording and no allocation, equal to the full causal forward pass.
func ExampleTransformerBlock_ForwardCached() {
	rng := rand.New(rand.NewPCG(3, 4))
	const batch, seq, dim = 2, 5, 8
	blk := nn.NewTransformerBlock[float64]("blk", nn.BlockConfig{Dim: dim, Heads: 2, Hidden: 32, Activation: nn.ActGELU, Causal: true}, rng)
	x := make([]float64, batch*seq*dim)
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	tp := nn.NewTape[float64](nil)
	tp.NoGrad = true
	full := blk.Forward(tp, tp.Const(x, batch, seq, dim)) // [batch, seq, dim]

	cache := blk.NewCache(batch, seq)
	step := nn.NewTape[float64](nil)
	step.NoGrad = true
	tok := make([]float64, batch*dim)
	maxDiff := 0.0
	for s := 0; s < seq; s++ {
		step.Reset()
		for b := 0; b < batch; b++ {
			copy(tok[b*dim:(b+1)*dim], x[(b*seq+s)*dim:])
		}
		y := blk.ForwardCached(step, cache, step.Const(tok, batch, dim)) // [batch, dim]
		for b := 0; b < batch; b++ {
			for j := 0; j < dim; j++ {
				maxDiff = max(maxDiff, abs(y.At(b, j)-full.At(b, s, j)))
			}
		}
	}
	fmt.Println("cached decoding matches:", maxDiff < 1e-12)
	// Output: cached decoding matches: true
}

func abs(v float64) float64 {
	if v < 0 {
		return -v
	}
	return v
}
