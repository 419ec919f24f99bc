package nn

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestMLPAdamMatchesManualBackward trains a 3→5→2 ReLU MLP with MSE and Adam
// for 20 steps on the tape and with a hand-written forward/backward/Adam in
// plain loops, and requires the same parameter trajectory.
func TestMLPAdamMatchesManualBackward(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 32))
	m := NewMLP[float64]("m", MLPConfig{Sizes: []int{3, 5, 2}, Activation: ActReLU}, rng)
	opt := NewAdam(m.Params(), 0.01)
	const n = 7
	x, y := make([]float64, n*3), make([]float64, n*2)
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	for i := range y {
		y[i] = rng.NormFloat64()
	}
	// Manual copy of the parameters: W1 [5,3], b1 [5], W2 [2,5], b2 [2].
	w := make([][]float64, 4)
	for i, p := range m.Params() {
		w[i] = append([]float64(nil), p.Data...)
	}
	mom, vel := make([][]float64, 4), make([][]float64, 4)
	for i := range w {
		mom[i], vel[i] = make([]float64, len(w[i])), make([]float64, len(w[i]))
	}
	tp := NewTape[float64](nil)
	for step := 1; step <= 20; step++ {
		tp.Reset()
		loss := tp.MSE(m.Forward(tp, tp.Const(x, n, 3)), tp.Const(y, n, 2))
		opt.ZeroGrad()
		tp.Backward(loss)
		opt.Step()

		// Manual forward and backward.
		g := [4][]float64{make([]float64, 15), make([]float64, 5), make([]float64, 10), make([]float64, 2)}
		var manualLoss float64
		for s := 0; s < n; s++ {
			var h, pre [5]float64
			for j := 0; j < 5; j++ {
				pre[j] = w[1][j]
				for k := 0; k < 3; k++ {
					pre[j] += w[0][j*3+k] * x[s*3+k]
				}
				h[j] = math.Max(pre[j], 0)
			}
			for o := 0; o < 2; o++ {
				out := w[3][o]
				for j := 0; j < 5; j++ {
					out += w[2][o*5+j] * h[j]
				}
				e := out - y[s*2+o]
				manualLoss += e * e / (n * 2)
				d := 2 * e / (n * 2)
				g[3][o] += d
				for j := 0; j < 5; j++ {
					g[2][o*5+j] += d * h[j]
					if pre[j] > 0 {
						dh := d * w[2][o*5+j]
						g[1][j] += dh
						for k := 0; k < 3; k++ {
							g[0][j*3+k] += dh * x[s*3+k]
						}
					}
				}
			}
		}
		require.InDelta(t, manualLoss, loss.Item(), 1e-13, "step %d", step)
		bc1, bc2 := 1-math.Pow(0.9, float64(step)), 1-math.Pow(0.999, float64(step))
		for i := range w {
			for j := range w[i] {
				mom[i][j] = 0.9*mom[i][j] + 0.1*g[i][j]
				vel[i][j] = 0.999*vel[i][j] + 0.001*g[i][j]*g[i][j]
				w[i][j] -= 0.01 / bc1 * mom[i][j] / (math.Sqrt(vel[i][j])/math.Sqrt(bc2) + 1e-8)
			}
			require.InDeltaSlice(t, w[i], m.Params()[i].Data, 1e-12, "step %d param %d", step, i)
		}
	}
}

// TestFloat32MatchesFloat64 runs the same attention block in float32 and
// float64 and compares outputs and input gradients.
func TestFloat32MatchesFloat64(t *testing.T) {
	cfg := BlockConfig{Dim: 16, Heads: 4, Hidden: 64, Activation: ActGELU, Causal: true}
	b64 := NewTransformerBlock[float64]("b", cfg, rand.New(rand.NewPCG(41, 42)))
	b32 := NewTransformerBlock[float32]("b", cfg, rand.New(rand.NewPCG(41, 42)))
	rng := rand.New(rand.NewPCG(43, 44))
	x64 := make([]float64, 3*5*16)
	x32 := make([]float32, len(x64))
	for i := range x64 {
		x32[i] = float32(rng.NormFloat64())
		x64[i] = float64(x32[i])
	}
	for i, p := range b64.Params() {
		for j, v := range p.Data {
			b32.Params()[i].Data[j] = float32(v)
			p.Data[j] = float64(float32(v))
		}
	}
	t64, t32 := NewTape[float64](nil), NewTape[float32](nil)
	v64, v32 := t64.Var(x64, 3, 5, 16), t32.Var(x32, 3, 5, 16)
	o64, o32 := b64.Forward(t64, v64), b32.Forward(t32, v32)
	t64.Backward(t64.Sum(t64.Square(o64)))
	t32.Backward(t32.Sum(t32.Square(o32)))
	for i := range o64.Data {
		require.InDelta(t, o64.Data[i], float64(o32.Data[i]), 1e-4*(1+math.Abs(o64.Data[i])))
	}
	for i := range v64.Grad {
		require.InDelta(t, v64.Grad[i], float64(v32.Grad[i]), 1e-3*(1+math.Abs(v64.Grad[i])))
	}
}
