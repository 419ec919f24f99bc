package nn

import (
	"math/rand/v2"
	"testing"
)

// BenchmarkMLPTrainStep: MLP 17→256→256→6 with ReLU, batch 256, MSE loss,
// forward + backward + Adam, float32 (issue 2, benchmark A).
func BenchmarkMLPTrainStep(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	m := NewMLP[float32]("mlp", MLPConfig{Sizes: []int{17, 256, 256, 6}, Activation: ActReLU}, rng)
	opt := NewAdam(m.Params(), 1e-3)
	const n = 256
	x, y := make([]float32, n*17), make([]float32, n*6)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	for i := range y {
		y[i] = float32(rng.NormFloat64())
	}
	tp := NewTape[float32](nil)
	for i := 0; i < 3; i++ {
		mlpStep(m, opt, tp, x, y, n)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		mlpStep(m, opt, tp, x, y, n)
	}
}

// BenchmarkAttentionBlock: pre-LN causal attention block (4 heads, width 128,
// MLP 4×, GELU) over batch 64 × 22 tokens, forward + backward of an MSE loss,
// float32 (issue 2, benchmark B).
func BenchmarkAttentionBlock(b *testing.B) {
	rng := rand.New(rand.NewPCG(3, 4))
	const B, S, D = 64, 22, 128
	blk := NewTransformerBlock[float32]("blk", BlockConfig{Dim: D, Heads: 4, Hidden: 4 * D, Activation: ActGELU, Causal: true}, rng)
	x, y := make([]float32, B*S*D), make([]float32, B*S*D)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
		y[i] = float32(rng.NormFloat64())
	}
	tp := NewTape[float32](nil)
	step := func() {
		tp.Reset()
		out := blk.Forward(tp, tp.Const(x, B, S, D))
		loss := tp.MSE(out, tp.Const(y, B, S, D))
		ZeroGrad(blk.Params())
		tp.Backward(loss)
	}
	for i := 0; i < 3; i++ {
		step()
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		step()
	}
}
