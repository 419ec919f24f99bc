package nn

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestGradAttendStep(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	const S = 4
	ins := []*Tensor[float64]{randTensor(rng, -1, 1, 3, 6)}
	for i := 0; i < 2*S; i++ {
		ins = append(ins, randTensor(rng, -1, 1, 3, 6))
	}
	checkGrad(t, "AttendStep", ins, func(tp *Tape[float64], in []*Tensor[float64]) *Tensor[float64] {
		return tp.AttendStep(in[0], in[1:1+S], in[1+S:], 2)
	}, 1e-6)
	// The query doubling as the newest key and value: the gradient paths
	// accumulate into one buffer.
	checkGrad(t, "AttendStepShared", ins[:3], func(tp *Tape[float64], in []*Tensor[float64]) *Tensor[float64] {
		return tp.AttendStep(in[0], []*Tensor[float64]{in[1], in[0]}, []*Tensor[float64]{in[2], in[0]}, 3)
	}, 1e-6)
}

// TestForwardStepMatchesForward runs a causal block token by token with
// ForwardStep and checks values and every gradient (inputs and parameters)
// against one Forward over the whole sequence.
func TestForwardStepMatchesForward(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 24))
	B, S, D := 3, 5, 8
	blk := NewTransformerBlock[float64]("blk", BlockConfig{Dim: D, Heads: 2, Hidden: 16, Activation: ActGELU, Causal: true}, rng)
	for _, p := range blk.Params() {
		for i := range p.Data {
			p.Data[i] += 0.2 * rng.NormFloat64()
		}
	}
	x := randTensor(rng, -1, 1, B, S, D)
	w := randTensor(rng, -1, 1, B, S, D)
	grads := func() [][]float64 {
		var g [][]float64
		for _, p := range blk.Params() {
			g = append(g, append([]float64(nil), p.Grad...))
			p.ZeroGrad()
		}
		return g
	}
	for _, p := range blk.Params() {
		p.ZeroGrad()
	}

	tp := NewTape[float64](nil)
	x.RequireGrad()
	x.ZeroGrad()
	full := blk.Forward(tp, x)
	tp.Backward(tp.Sum(tp.Mul(full, w)))
	wantX := append([]float64(nil), x.Grad...)
	wantP := grads()

	st := NewTape[float64](nil)
	var ks, vs []*Tensor[float64]
	toks := make([]*Tensor[float64], S)
	var loss *Tensor[float64]
	for s := 0; s < S; s++ {
		tok := make([]float64, B*D)
		wt := make([]float64, B*D)
		for b := 0; b < B; b++ {
			copy(tok[b*D:(b+1)*D], x.Data[(b*S+s)*D:(b*S+s+1)*D])
			copy(wt[b*D:(b+1)*D], w.Data[(b*S+s)*D:(b*S+s+1)*D])
		}
		toks[s] = st.Var(tok, B, D)
		y := blk.ForwardStep(st, &ks, &vs, toks[s])
		for b := 0; b < B; b++ {
			require.InDeltaSlice(t, full.Data[(b*S+s)*D:(b*S+s+1)*D], y.Data[b*D:(b+1)*D], 1e-12, "batch %d position %d", b, s)
		}
		l := st.Sum(st.Mul(y, st.Const(wt, B, D)))
		if loss == nil {
			loss = l
		} else {
			loss = st.Add(loss, l)
		}
	}
	st.Backward(loss)
	for s := 0; s < S; s++ {
		for b := 0; b < B; b++ {
			require.InDeltaSlice(t, wantX[(b*S+s)*D:(b*S+s+1)*D], toks[s].Grad[b*D:(b+1)*D], 1e-12, "input gradient, batch %d position %d", b, s)
		}
	}
	for i, g := range grads() {
		require.InDeltaSlice(t, wantP[i], g, 1e-12, "parameter %s", blk.Params()[i].Name)
	}
}
