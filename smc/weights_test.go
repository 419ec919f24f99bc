package smc

import (
	"errors"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func logs(w ...float64) []float64 {
	out := make([]float64, len(w))
	for i, v := range w {
		out[i] = math.Log(v)
	}
	return out
}

func TestESSHandCases(t *testing.T) {
	for _, tc := range []struct {
		name string
		w    []float64
		want float64
	}{
		{"equal", []float64{2, 2, 2, 2}, 1},
		{"one", []float64{0, 5, 0, 0}, 0.25},
		{"half", []float64{1, 1, 0, 0}, 0.5},
		{"123", []float64{1, 2, 3}, 36.0 / (3 * 14)},
		{"single", []float64{7}, 1},
		{"allzero", []float64{0, 0}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lw := logs(tc.w...)
			assert.InDelta(t, tc.want, ESS(lw), 1e-14)
			// Invariance to a constant shift of every log-weight.
			for _, c := range []float64{-1000, -3.7, 0.5, 800} {
				sh := make([]float64, len(lw))
				for i := range lw {
					sh[i] = lw[i] + c
				}
				assert.InDelta(t, tc.want, ESS(sh), 1e-12, "shift %v", c)
				if tc.want > 0 {
					w1, err := Normalize(nil, lw)
					require.NoError(t, err)
					w2, err := Normalize(nil, sh)
					require.NoError(t, err)
					assert.InDeltaSlice(t, w1, w2, 1e-12) // |c|·ε rounding
				}
			}
		})
	}
}

func TestLogZHand(t *testing.T) {
	lz, se, err := LogZ(logs(1, 3))
	require.NoError(t, err)
	assert.InDelta(t, math.Log(2), lz, 1e-15)
	// W = (1/4, 3/4): (2·10/16 − 1)/1 = 0.25.
	assert.InDelta(t, 0.5, se, 1e-15)

	lz, se, err = LogZ(logs(5, 5, 5))
	require.NoError(t, err)
	assert.InDelta(t, math.Log(5), lz, 1e-15)
	assert.InDelta(t, 0, se, 1e-7)

	// Zero weights count in n.
	lz, _, err = LogZ(logs(4, 0))
	require.NoError(t, err)
	assert.InDelta(t, math.Log(2), lz, 1e-15)

	_, _, err = LogZ(logs(0, 0))
	assert.True(t, errors.Is(err, ErrAllZeroWeights))
	_, err = Normalize(nil, logs(0, 0))
	assert.True(t, errors.Is(err, ErrAllZeroWeights))
}

func TestLogWeightsInvalid(t *testing.T) {
	e := []float64{1, math.NaN(), 2, math.Inf(1), 0}
	lq := []float64{-1, 0, math.Inf(-1), 0, 0.5}
	lw, bad := LogWeights(nil, e, lq)
	assert.Equal(t, 3, bad)
	assert.Equal(t, []float64{0, math.Inf(-1), math.Inf(-1), math.Inf(-1), -0.5}, lw)
	assert.InDelta(t, 0.4*(1+math.Exp(-0.5))*(1+math.Exp(-0.5))/(1+math.Exp(-1))/2, ESS(lw), 1e-14)
}

func TestClipAndCutoff(t *testing.T) {
	lw := make([]float64, 1000)
	for i := range lw {
		lw[i] = float64((i * 7919) % 1000) // a permutation of 0…999
	}
	lw[3] = math.Inf(-1) // not counted among the finite values
	n := ClipQuantile(lw, 0.002)
	// 999 finite values; threshold index ⌊0.998·998⌋ = 996 → value 997; 998 and 999 dropped.
	assert.Equal(t, 2, n)
	for _, v := range lw {
		assert.True(t, v <= 997 || math.IsInf(v, -1))
	}
	assert.Equal(t, 0, ClipQuantile(lw, 0))

	lw = []float64{0, 0, 0, 0}
	e := []float64{-5, 10, math.NaN(), 9.99}
	assert.Equal(t, 2, EnergyCutoff(lw, e, 10))
	assert.Equal(t, []float64{0, math.Inf(-1), math.Inf(-1), 0}, lw)
}

func TestExpectationAndMean(t *testing.T) {
	lw := logs(1, 3, 0)
	v, err := Expectation(lw, []float64{2, 6, math.NaN()})
	require.NoError(t, err)
	assert.InDelta(t, 0.25*2+0.75*6, v, 1e-14)
	m, err := WeightedMean(nil, lw, [][]float64{{1, 0}, {0, 1}, {math.NaN(), 5}})
	require.NoError(t, err)
	assert.InDeltaSlice(t, []float64{0.25, 0.75}, m, 1e-14)
}
