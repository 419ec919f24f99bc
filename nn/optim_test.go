package nn

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestAdamThreeSteps runs three updates with fixed gradients. The first step
// is checked by hand: m̂₁ = g and v̂₁ = g², so θ₁ = θ₀ − lr·g/(|g|+ε)
// (1 − 0.1·0.5/(0.5+1e−8) = 0.900000002). All values agree with
// torch.optim.Adam / AdamW (PyTorch 1.13, float64) to the digits shown.
func TestAdamThreeSteps(t *testing.T) {
	grads := [3][2]float64{{0.5, 0.3}, {-0.2, 0.3}, {0.1, -1.0}}
	cases := []struct {
		name string
		opt  func(ps []*Param[float64]) *Adam[float64]
		want [3][2]float64
	}{
		{"Adam", func(ps []*Param[float64]) *Adam[float64] { return NewAdam(ps, 0.1) },
			[3][2]float64{{0.900000002, -2.099999996666667}, {0.8654394181165108, -2.199999993333333}, {0.8275002408356956, -2.1713574367941044}}},
		{"AdamL2", func(ps []*Param[float64]) *Adam[float64] {
			o := NewAdam(ps, 0.1)
			o.WeightDecay = 0.5
			return o
		}, [3][2]float64{{0.900000001, -1.9000000014285714}, {0.8169402487459406, -1.8002614723173964}, {0.7310876968763043, -1.708569469006659}}},
		{"AdamW", func(ps []*Param[float64]) *Adam[float64] { return NewAdamW(ps, 0.1, 0.5) },
			[3][2]float64{{0.8500000019999999, -1.9999999966666666}, {0.7729394180165108, -1.9999999934999992}, {0.69635326983487, -1.8713574372857706}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := NewParam[float64]("w", 2)
			p.Data[0], p.Data[1] = 1, -2
			o := c.opt([]*Param[float64]{p})
			for s := 0; s < 3; s++ {
				copy(p.Grad, grads[s][:])
				o.Step()
				require.InDeltaSlice(t, c.want[s][:], p.Data, 1e-14, "step %d", s+1)
			}
			require.EqualValues(t, 3, o.Steps)
		})
	}
}

// TestAdamFlushesSubnormalMoments trains a parameter that gets a gradient
// once and then exactly zero gradients (a dead ReLU unit) for 20,000 steps,
// and a live one beside it. No moment may ever be subnormal (x86 computes on
// those tens of times more slowly), the dead moments must reach exactly zero,
// and the parameters must follow float64 Adam without flushing.
func TestAdamFlushesSubnormalMoments(t *testing.T) {
	p := NewParam[float32]("w", 2)
	o := NewAdam([]*Param[float32]{p}, 1e-3)
	ref := NewParam[float64]("w", 2)
	ro := NewAdam([]*Param[float64]{ref}, 1e-3)
	subnormal := func(x float32) bool { return x != 0 && math.Abs(float64(x)) < 0x1p-126 }
	for s := 0; s < 20000; s++ {
		g := [2]float64{0, 0.01 * math.Sin(float64(s))}
		if s == 0 {
			g[0] = 1e-16 // v₁ = 1e-35: subnormal after about 7,000 steps without flushing
		}
		for i := range g {
			p.Grad[i], ref.Grad[i] = float32(g[i]), g[i]
		}
		o.Step()
		ro.Step()
		for i := range g {
			require.False(t, subnormal(o.M[0][i]) || subnormal(o.V[0][i]), "step %d: subnormal moment m=%g v=%g", s, o.M[0][i], o.V[0][i])
		}
	}
	assert.Zero(t, o.M[0][0])
	assert.Zero(t, o.V[0][0])
	assert.Positive(t, ro.V[0][0], "the float64 reference keeps its (normal) moment")
	assert.InDelta(t, ref.Data[0], float64(p.Data[0]), 1e-6)
	assert.InDelta(t, ref.Data[1], float64(p.Data[1]), 1e-4)
}

// TestAdamKernelBitIdentical runs float32 Adam, AdamW and Adam with L2 decay
// over two parameters (lengths 1003 and 64) through Step, which uses the AVX2
// kernel for whole blocks of 8 where it can, and through the scalar loop
// alone, on the same values, including zeros, subnormal and huge gradients
// and a NaN, and requires identical bits (any two NaNs count as equal).
func TestAdamKernelBitIdentical(t *testing.T) {
	logKernel(t)
	for _, c := range []struct {
		name      string
		wd        float64
		decoupled bool
	}{{"Adam", 0, false}, {"AdamW", 0.01, true}, {"AdamL2", 0.01, false}} {
		rng := rand.New(rand.NewPCG(3, 4))
		var ps []*Param[float32]
		var ws, ms, vs [][]float32
		for _, n := range []int{1003, 64} {
			p := NewParam[float32]("w", n)
			for j := range p.Data {
				p.Data[j] = float32(rng.NormFloat64())
			}
			ps = append(ps, p)
			ws = append(ws, append([]float32(nil), p.Data...))
			ms, vs = append(ms, make([]float32, n)), append(vs, make([]float32, n))
		}
		o := NewAdam(ps, 1e-3)
		o.WeightDecay, o.Decoupled = c.wd, c.decoupled
		for s := 0; s < 50; s++ {
			for _, p := range ps {
				for j := range p.Grad {
					g := float32(rng.NormFloat64() * math.Pow(10, float64(rng.IntN(12)-8)))
					switch j % 97 {
					case 0:
						g = 0
					case 1:
						g = 1e-40 // subnormal
					case 2:
						g = 3e30
					}
					p.Grad[j] = g
				}
			}
			if s == 10 {
				ps[0].Grad[5] = float32(math.NaN())
			}
			o.Step()
			step := o.Steps
			st := adamStep[float32]{b1: 0.9, c1: 1 - float32(0.9), b2: 0.999, c2: 1 - float32(0.999),
				tiny: 0x1p-126, invSqrtBC2: float32(1 / math.Sqrt(1-math.Pow(0.999, float64(step)))),
				eps: 1e-8, stepSize: float32(1e-3 / (1 - math.Pow(0.9, float64(step)))), decay: 1, wd: float32(c.wd)}
			if c.decoupled {
				st.decay, st.wd = float32(1-1e-3*c.wd), 0
			}
			for i, p := range ps {
				st.scalar(ms[i], vs[i], ws[i], p.Grad)
				requireSameBits(t, ws[i], p.Data, "%s step %d param %d w", c.name, step, i)
				requireSameBits(t, ms[i], o.M[i], "%s step %d param %d m", c.name, step, i)
				requireSameBits(t, vs[i], o.V[i], "%s step %d param %d v", c.name, step, i)
			}
		}
		assert.True(t, math.IsNaN(float64(ps[0].Data[5])), "%s: a NaN gradient reaches its parameter", c.name)
	}
}

func TestClipGradNorm(t *testing.T) {
	a, b := NewParam[float64]("a", 2), NewParam[float64]("b", 1)
	copy(a.Grad, []float64{3, 0})
	b.Grad[0] = 4
	n := ClipGradNorm([]*Param[float64]{a, b}, 1)
	require.Equal(t, 5.0, n)
	c := 1 / (5 + 1e-6)
	require.InDeltaSlice(t, []float64{3 * c, 0}, a.Grad, 1e-15)
	require.InDelta(t, 4*c, b.Grad[0], 1e-15)
	// Below the threshold nothing changes.
	n = ClipGradNorm([]*Param[float64]{a, b}, 10)
	require.InDelta(t, 1, n, 1e-6)
	require.InDelta(t, 4*c, b.Grad[0], 1e-15)
}

func TestSchedules(t *testing.T) {
	require.Equal(t, 3e-4, Constant(3e-4).LR(12345))
	s := OneCycle{MaxLR: 0.01, TotalSteps: 10, PctStart: 0.25, DivFactor: 10, FinalDivFactor: 100}
	// Closed form: phase 1 ends at step 0.25·10−1 = 1.5, lr(t) =
	// a + (b−a)(1−cos(πp))/2 with p the phase fraction.
	closed := func(step int) float64 {
		x := float64(step)
		if x <= 1.5 {
			return 0.001 + (0.01-0.001)*(1-math.Cos(math.Pi*x/1.5))/2
		}
		return 1e-5 + (0.01-1e-5)*(1+math.Cos(math.Pi*(x-1.5)/7.5))/2
	}
	// torch.optim.lr_scheduler.OneCycleLR with the same settings.
	torch := []float64{0.0009999999999999992, 0.007749999999999999, 0.009890847265665359, 0.009046039886902862,
		0.0075025000000000005, 0.005527119674021929, 0.0034614601130971384, 0.001662692621237505, 0.0004418404390752082, 1e-05}
	for i, want := range torch {
		assert.InDelta(t, closed(i), s.LR(i), 1e-15, "step %d", i)
		assert.InDelta(t, want, s.LR(i), 1e-15, "step %d", i)
	}
	require.Equal(t, s.LR(9), s.LR(50))
	d := NewOneCycle(1, 100)
	require.InDelta(t, 1.0/25, d.LR(0), 1e-15)
	require.InDelta(t, 1.0, d.LR(29), 1e-15)
	require.InDelta(t, 1.0/25/1e4, d.LR(99), 1e-15)
}
