package agents

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/boltzflow/boltzflow/ebflow"
	"github.com/boltzflow/boltzflow/nn"
)

func smallMEowConfig(obs, act int) MEowConfig {
	c := DefaultMEowConfig(obs, act)
	c.FlowHidden, c.ShiftHidden = []int{6}, []int{5}
	c.Alpha = 0.4
	c.LogSigmaMin, c.LogSigmaMax = -2, 0
	return c
}

// perturb adds N(0, scale²) noise to every parameter so that zero-initialised nets become non-trivial.
func perturb[F nn.Float](ps []*nn.Param[F], scale float64, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 99))
	for _, p := range ps {
		for i := range p.Data {
			p.Data[i] += F(scale * rng.NormFloat64())
		}
	}
}

func randBatch(rng *rand.Rand, n, od, ad int) *Batch {
	b := NewReplayBuffer(n, od, ad).NewBatch(n)
	for i := range b.Obs {
		b.Obs[i] = float32(rng.NormFloat64())
		b.Next[i] = float32(rng.NormFloat64())
	}
	for i := range b.Act {
		b.Act[i] = float32(1.8*rng.Float64() - 0.9)
	}
	for i := 0; i < n; i++ {
		b.Rew[i] = float32(rng.NormFloat64())
		if i%3 == 0 {
			b.Done[i] = 1
		}
	}
	return b
}

// TestMEowQVIdentities checks log π(a|s) = (Q_k − V_k)/α for both heads, that V computed from the σ-net and
// shift nets alone equals V from the full pass (so it does not depend on a), and V = α log ∫ exp(Q/α) da by
// quadrature for a 1-D action.
func TestMEowQVIdentities(t *testing.T) {
	for _, d := range []int{1, 3} {
		c := smallMEowConfig(2, d)
		m := NewMEow[float64](c, 1)
		perturb(m.Params, 0.3, 2)
		rng := rand.New(rand.NewPCG(3, 4))
		const n = 6
		tp := nn.NewTape[float64](nil)
		tp.NoGrad = true
		s := tp.Const(randFloats(rng, n*c.ObsDim, 1), n, c.ObsDim)
		v1, v2 := m.Values(tp, s, false)
		for trial := 0; trial < 3; trial++ {
			a := make([]float64, n*d)
			for i := range a {
				a[i] = 1.9*rng.Float64() - 0.95
			}
			at := tp.Const(a, n, d)
			q1, q2, logZ, b1, b2 := m.QValues(tp, s, at)
			lp := m.Flow.LogProb(tp, at, s)
			for i := 0; i < n; i++ {
				assert.InDelta(t, lp.Data[i], (q1.Data[i]-v1.Data[i])/c.Alpha, 1e-9)
				assert.InDelta(t, lp.Data[i], (q2.Data[i]-v2.Data[i])/c.Alpha, 1e-9)
				assert.InDelta(t, v1.Data[i], c.Alpha*(logZ.Data[i]+b1.Data[i]), 1e-12)
				assert.InDelta(t, v2.Data[i], c.Alpha*(logZ.Data[i]+b2.Data[i]), 1e-12)
			}
		}
		if d != 1 {
			continue
		}
		// Quadrature: V₁(s) = α log ∫ exp(Q₁(s,a)/α) da over a ∈ (−1, 1) (substitution a = tanh u).
		for i := 0; i < n; i++ {
			const grid, L = 20001, 8.0
			h := 2 * L / (grid - 1)
			a := make([]float64, grid)
			for k := range a {
				a[k] = math.Tanh(-L + h*float64(k))
			}
			srow := make([]float64, 0, grid*c.ObsDim)
			for k := 0; k < grid; k++ {
				srow = append(srow, s.Data[i*c.ObsDim:(i+1)*c.ObsDim]...)
			}
			q1, _, _, _, _ := m.QValues(tp, tp.Const(srow, grid, c.ObsDim), tp.Const(a, grid, 1))
			mx := math.Inf(-1)
			for k := range a {
				mx = math.Max(mx, q1.Data[k]/c.Alpha)
			}
			sum := 0.0
			for k := range a {
				w := h * (1 - a[k]*a[k])
				if k == 0 || k == grid-1 {
					w /= 2
				}
				sum += w * math.Exp(q1.Data[k]/c.Alpha-mx)
			}
			assert.InDelta(t, v1.Data[i], c.Alpha*(mx+math.Log(sum)), 1e-3, "state %d", i)
		}
	}
}

func randFloats(rng *rand.Rand, n int, scale float64) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = scale * rng.NormFloat64()
	}
	return v
}

// TestMEowLossByHand builds a MEow whose translation nets output 0 and whose σ- and shift nets are constant
// (zero weights), so that Q, V, the SCDQ target and the LRS gradient have closed forms.
func TestMEowLossByHand(t *testing.T) {
	c := smallMEowConfig(2, 2)
	c.Gamma = 0.9
	m := NewMEow[float64](c, 5)
	for _, l := range m.Flow.Layers {
		if ac, ok := l.(*ebflow.AdditiveCoupling[float64]); ok {
			last := ac.T.(*BlockMLP[float64]).Linears[1]
			clear(last.W.Data)
			clear(last.B.Data)
		}
	}
	hs := m.Sigma.H.(*BlockMLP[float64])
	hb := hs.Linears[len(hs.Linears)-1].B.Data // σ-net output bias (weights are zero)
	hb[0], hb[1] = 0.4, -0.7
	setLastBias := func(n *BlockMLP[float64], v float64) { n.Linears[len(n.Linears)-1].B.Data[0] = v }
	setLastBias(m.B1, 0.5)
	setLastBias(m.B2, -0.25)
	nn.CopyParams(m.TargetParams, m.Params)
	setLastBias(m.TB1, 0.3)
	setLastBias(m.TB2, -0.2) // min(b₁′, b₂′) = −0.2

	b := NewReplayBuffer(3, 2, 2).NewBatch(3)
	copy(b.Obs, []float32{0.1, 0.2, -1, 0.5, 2, -2})
	copy(b.Next, []float32{1, 1, -0.3, 0.4, 0, 0})
	copy(b.Act, []float32{0.5, -0.25, 0.9, 0.1, -1, 1}) // the last row sits on the bounds (clamped to ±(1−1e-5))
	copy(b.Rew, []float32{1, -2, 0.5})
	copy(b.Done, []float32{0, 1, 0})

	logSig := func(h float64) float64 { return c.LogSigmaMin + 0.5*(c.LogSigmaMax-c.LogSigmaMin)*(math.Tanh(h)+1) }
	ls := []float64{logSig(0.4), logSig(-0.7)}
	logZ := ls[0] + ls[1] + math.Log(2*math.Pi)
	vPrime := c.Alpha * (logZ - 0.2)
	var wantLoss, wantGradB1 float64
	for i := 0; i < 3; i++ {
		y := float64(b.Rew[i]) + c.Gamma*(1-float64(b.Done[i]))*vPrime
		negE := 0.0
		for j := 0; j < 2; j++ {
			a := math.Max(-1+1e-5, math.Min(1-1e-5, float64(b.Act[2*i+j])))
			z := math.Atanh(a) / math.Exp(ls[j])
			negE += -0.5*z*z - math.Log(1-a*a+ebflow.Float32Eps)
		}
		q1, q2 := c.Alpha*(negE+0.5), c.Alpha*(negE-0.25)
		wantLoss += ((q1-y)*(q1-y) + (q2-y)*(q2-y)) / 6
		wantGradB1 += (q1 - y) * c.Alpha / 3 // ∂loss/∂b₁ = (1/n)Σ(Q₁ − y)·α
	}
	tp := nn.NewTape[float64](nil)
	l := m.Loss(tp, b)
	assert.Equal(t, 0, l.Dropped)
	assert.InDelta(t, wantLoss, l.Loss.Data[0], 1e-9*math.Abs(wantLoss))
	nn.ZeroGrad(m.Params)
	tp.Backward(l.Loss)
	assert.InDelta(t, wantGradB1, m.B1.Linears[len(m.B1.Linears)-1].B.Grad[0], 1e-9)
	// The targets take the min over the target shifts; with b₁′ < b₂′ they switch head.
	setLastBias(m.TB1, -0.6)
	l = m.Loss(tp, b)
	assert.InDelta(t, float64(b.Rew[0])+c.Gamma*c.Alpha*(logZ-0.6), l.Y[0], 1e-9)

	// One Update keeps everything finite even with actions at ±1, and moves the target by τ.
	before := m.TB1.Linears[0].B.Data[0]
	_, err := m.Update(b)
	require.NoError(t, err)
	assert.Empty(t, firstNonFiniteParam(m.Params))
	assert.InDelta(t, (1-c.Tau)*before+c.Tau*m.B1.Linears[0].B.Data[0], m.TB1.Linears[0].B.Data[0], 1e-12)
}

// TestMEowNonFinite checks the NaN → 0 rule and the divergence error.
func TestMEowNonFinite(t *testing.T) {
	c := smallMEowConfig(2, 2)
	m := NewMEow[float64](c, 6)
	rng := rand.New(rand.NewPCG(7, 8))
	b := randBatch(rng, 8, 2, 2)
	b.Rew[3] = float32(math.Inf(1))
	tp := nn.NewTape[float64](nil)
	l := m.Loss(tp, b)
	assert.Equal(t, 2, l.Dropped, "one row, both heads")
	assert.True(t, isFinite(l.Loss.Data[0]))
	_, err := m.Update(b)
	require.NoError(t, err)
	assert.Empty(t, firstNonFiniteParam(m.Params))

	b.Rew[3] = 0
	m.B1.Linears[0].W.Data[0] = math.NaN()
	_, err = m.Update(b)
	var de *DivergenceError
	require.ErrorAs(t, err, &de)
}

// TestMEowGradientsFiniteDifference checks the tape gradient of the loss with respect to every parameter class
// (translation nets with LayerNorm and Swish β, σ-net, shift nets) against central differences, dropout off.
func TestMEowGradientsFiniteDifference(t *testing.T) {
	c := smallMEowConfig(2, 2)
	m := NewMEow[float64](c, 9)
	perturb(m.Params, 0.2, 10)
	nn.CopyParams(m.TargetParams, m.Params)
	perturb(m.TargetParams, 0.1, 11)
	b := randBatch(rand.New(rand.NewPCG(12, 13)), 4, 2, 2)
	tp := nn.NewTape[float64](nil) // Training false: dropout off
	l := m.Loss(tp, b)
	nn.ZeroGrad(m.Params)
	tp.Backward(l.Loss)
	lossAt := func() float64 { return m.Loss(tp, b).Loss.Data[0] }
	const h = 1e-6
	worst := 0.0
	for _, p := range m.Params {
		g := append([]float64(nil), p.Grad...)
		for i := range p.Data {
			old := p.Data[i]
			p.Data[i] = old + h
			lp := lossAt()
			p.Data[i] = old - h
			lm := lossAt()
			p.Data[i] = old
			fd := (lp - lm) / (2 * h)
			tol := 1e-5 * math.Max(1, math.Abs(fd))
			worst = math.Max(worst, math.Abs(fd-g[i])/math.Max(1, math.Abs(fd)))
			require.InDelta(t, fd, g[i], tol, "%s[%d]", p.Name, i)
		}
	}
	t.Logf("worst relative error %.2g over %d parameters", worst, nn.NumParams(m.Params))
}

// TestMEowDeterministicAction checks that the deterministic action is tanh(f(0; s)) and is the argmax of the
// pre-squash density on a 1-D grid (meow.md Proposition 2; the tanh Jacobian is not part of the mode argument).
func TestMEowDeterministicAction(t *testing.T) {
	c := smallMEowConfig(3, 1)
	m := NewMEow[float64](c, 14)
	perturb(m.Params, 0.3, 15)
	obs := []float64{0.3, -0.8, 1.1}
	det := make([]float64, 1)
	m.Act(det, obs, 1, true)
	const grid = 20001
	tp := nn.NewTape[float64](nil)
	tp.NoGrad = true
	u := make([]float64, grid)
	a := make([]float64, grid)
	for k := range u {
		u[k] = -4 + 8*float64(k)/(grid-1)
		a[k] = math.Tanh(u[k])
	}
	s := make([]float64, 0, 3*grid)
	for k := 0; k < grid; k++ {
		s = append(s, obs...)
	}
	lp := m.Flow.LogProb(tp, tp.Const(a, grid, 1), tp.Const(s, grid, 3))
	best := 0
	for k := range u {
		// log density of u = atanh(a): log π(a) + log(1 − a²)
		if lp.Data[k]+math.Log1p(-a[k]*a[k]) > lp.Data[best]+math.Log1p(-a[best]*a[best]) {
			best = k
		}
	}
	assert.InDelta(t, u[best], math.Atanh(det[0]), 8.0/(grid-1))
	// Stochastic actions differ from it and lie in [−1, 1].
	sto := make([]float64, 4)
	m.Act(sto, append(append(append(append([]float64(nil), obs...), obs...), obs...), obs...), 4, false)
	for _, v := range sto {
		assert.True(t, v >= -1 && v <= 1)
		assert.NotEqual(t, det[0], v)
	}
}
