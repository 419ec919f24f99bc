package nn

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestFrozenParamsInputGradient checks that freezing every parameter of a
// transformer block leaves ∇ₓ unchanged and writes no parameter gradient.
func TestFrozenParamsInputGradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	blk := NewTransformerBlock[float64]("b", BlockConfig{Dim: 8, Heads: 2, Hidden: 16, Activation: ActGELU, Causal: true}, rng)
	x := make([]float64, 2*5*8)
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	inputGrad := func() []float64 {
		tp := NewTape[float64](nil)
		xv := tp.Var(x, 2, 5, 8)
		tp.Backward(tp.Sum(tp.Mul(blk.Forward(tp, xv), blk.Forward(tp, xv))))
		return append([]float64(nil), xv.Grad...)
	}
	ZeroGrad(blk.Params())
	want := inputGrad()
	for _, p := range blk.Params() {
		p.SetRequiresGrad(false)
		p.Grad[0] = 42 // must stay untouched
	}
	got := inputGrad()
	for i := range want {
		require.InDelta(t, want[i], got[i], 1e-12, "∇ₓ[%d]", i)
	}
	for _, p := range blk.Params() {
		require.False(t, p.RequiresGrad())
		require.Equal(t, 42.0, p.Grad[0], "%s received a gradient", p.Name)
		p.SetRequiresGrad(true)
		require.True(t, p.RequiresGrad())
	}
}
