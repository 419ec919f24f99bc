package agents

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/boltzflow/boltzflow/nn"
)

// TestSACLogProb checks the actor's log π(a|s) of a sample against the change-of-variables formula evaluated
// independently from the Gaussian's mean and log std: log N(atanh a; μ, σ) − Σ log(1 − a² + 1e-6).
func TestSACLogProb(t *testing.T) {
	s := NewSAC(DefaultSACConfig(4, 2), 1)
	rng := rand.New(rand.NewPCG(2, 3))
	const n = 8
	obs := make([]float32, n*4)
	for i := range obs {
		obs[i] = float32(rng.NormFloat64())
	}
	tp := nn.NewTape[float32](nil)
	tp.NoGrad = true
	st := tp.Const(obs, n, 4)
	a, lp := s.policy(tp, st, s.noise(tp, n))
	mean, ls := s.dist(tp, st)
	for i := 0; i < n; i++ {
		want := 0.0
		for j := 0; j < 2; j++ {
			k := i*2 + j
			av := float64(a.Data[k])
			u := math.Atanh(av)
			sd := math.Exp(float64(ls.Data[k]))
			z := (u - float64(mean.Data[k])) / sd
			want += -0.5*z*z - math.Log(sd) - 0.5*math.Log(2*math.Pi) - math.Log(1-av*av+1e-6)
		}
		assert.InDelta(t, want, float64(lp.Data[i]), 2e-3*math.Max(1, math.Abs(want)))
	}
	// log std is bounded to [−5, 2].
	for _, v := range ls.Data {
		assert.True(t, v >= -5 && v <= 2)
	}
}

// TestSACUpdateAlphaDirection checks the sign of the automatic temperature step and that the delayed actor
// update happens on every second call, twice.
func TestSACUpdateAlphaDirection(t *testing.T) {
	c := DefaultSACConfig(3, 1)
	c.Hidden = []int{16, 16}
	s := NewSAC(c, 4)
	b := randBatch(rand.New(rand.NewPCG(5, 6)), 32, 3, 1)
	_, err := s.Update(b)
	require.NoError(t, err)
	assert.Equal(t, float32(0), s.LogAlpha.Data[0], "no α step on the first (odd) update")
	assert.Equal(t, int64(0), s.ActorOpt.Steps)
	st, err := s.Update(b)
	require.NoError(t, err)
	// ∂L_α/∂log α = α·(entropy − target): α shrinks when the entropy is above the target, grows otherwise.
	if st[6] > c.TargetEntropy {
		assert.Less(t, s.LogAlpha.Data[0], float32(0), "entropy %v above target %v", st[6], c.TargetEntropy)
	} else {
		assert.Greater(t, s.LogAlpha.Data[0], float32(0), "entropy %v below target %v", st[6], c.TargetEntropy)
	}
	assert.Equal(t, int64(2), s.ActorOpt.Steps, "two actor steps on the second update")
	assert.Empty(t, firstNonFiniteParam(s.allParams))
}
