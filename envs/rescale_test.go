package envs

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRescaleAction(t *testing.T) {
	inner, err := Make("InvertedPendulum-v5", Options{NoResetNoise: true})
	require.NoError(t, err)
	e, err := NewRescaleAction(inner, -1, 1)
	require.NoError(t, err)
	assert.Equal(t, []float64{-1}, e.ActionSpace().Low)
	assert.Equal(t, []float64{1}, e.ActionSpace().High)
	ctrl := Unwrap(e).(State).Ctrl()
	e.Reset(0)
	for _, c := range []struct{ a, want float64 }{{0.5, 1.5}, {-1, -3}, {1, 3}, {0, 0}, {2, 3}, {-7, -3}} {
		_, _, _, _, _, err := e.Step([]float64{c.a})
		require.NoError(t, err)
		assert.InDelta(t, c.want, ctrl[0], 1e-15, "a = %v", c.a)
	}
	_, _, _, _, _, err = e.Step([]float64{math.NaN()})
	var ae *ActionError
	require.ErrorAs(t, err, &ae)
	_, _, _, _, _, err = e.Step([]float64{0, 0})
	require.ErrorAs(t, err, &ae)

	_, err = NewRescaleAction(inner, 1, -1)
	require.Error(t, err)
	_, err = NewRescaleAction(unboundedEnv{newBlowEnv()}, -1, 1)
	require.ErrorContains(t, err, "infinite")
}

// unboundedEnv is a blowEnv with an unbounded action space.
type unboundedEnv struct{ *blowEnv }

func (unboundedEnv) ActionSpace() Box { return UniformBox(1, math.Inf(-1), math.Inf(1)) }
