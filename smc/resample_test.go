package smc

import (
	"errors"
	"math"
	"math/rand/v2"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var schemes = []Scheme{Systematic, Multinomial, Stratified, Residual}

// TestResampleOffspring checks E[count_i] = N·W_i for every scheme by
// Monte Carlo over R = 20000 seeded repetitions. Each of the 80 comparisons
// allows 4.5 empirical standard errors, a two-sided normal tail of 6.8e-6,
// so the false-failure rate of the whole test is below 6e-4 (and the fixed
// seed makes it deterministic).
func TestResampleOffspring(t *testing.T) {
	w := []float64{0.05, 0, 0.3, 0.01, 0.12, 0.2, 0, 0.07, 0.15, 0.1}
	const reps = 20000
	totalVar := map[Scheme]float64{}
	for _, n := range []int{10, 7} {
		for _, sc := range schemes {
			rng := rand.New(rand.NewPCG(1, uint64(sc)*31+uint64(n)))
			sum := make([]float64, len(w))
			sum2 := make([]float64, len(w))
			dst := make([]int, n)
			cnt := make([]float64, len(w))
			for r := 0; r < reps; r++ {
				require.NoError(t, Resample(dst, w, sc, rng))
				require.True(t, sort.IntsAreSorted(dst), "%v output not sorted: %v", sc, dst)
				for i := range cnt {
					cnt[i] = 0
				}
				for _, a := range dst {
					require.NotZero(t, w[a], "%v drew zero-weight index %d", sc, a)
					cnt[a]++
				}
				for i, c := range cnt {
					sum[i] += c
					sum2[i] += c * c
				}
			}
			var tv float64
			for i := range w {
				mean := sum[i] / reps
				v := sum2[i]/reps - mean*mean
				tv += v
				se := math.Sqrt(v / reps)
				assert.InDelta(t, float64(n)*w[i], mean, 4.5*se+1e-12, "%v n=%d particle %d", sc, n, i)
			}
			if n == 10 {
				totalVar[sc] = tv
			}
		}
	}
	// Multinomial: Σ N·W(1−W) exactly; the others must be well below it.
	var mv float64
	for _, v := range w {
		mv += 10 * v * (1 - v)
	}
	assert.InDelta(t, mv, totalVar[Multinomial], 0.05*mv)
	assert.Less(t, totalVar[Systematic], 0.8*totalVar[Multinomial])
	assert.Less(t, totalVar[Stratified], 0.8*totalVar[Multinomial])
	assert.Less(t, totalVar[Residual], totalVar[Multinomial])
}

func TestResampleErrors(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	dst := make([]int, 3)
	for _, sc := range schemes {
		err := Resample(dst, []float64{0, 0}, sc, rng)
		assert.True(t, errors.Is(err, ErrAllZeroWeights), sc.String())
		assert.Error(t, Resample(dst, []float64{1, -1}, sc, rng))
		assert.Error(t, Resample(dst, []float64{1, math.NaN()}, sc, rng))
		// A single positive weight takes every draw.
		require.NoError(t, Resample(dst, []float64{0, 0, 2, 0}, sc, rng))
		assert.Equal(t, []int{2, 2, 2}, dst, sc.String())
		p, err := ParseScheme(sc.String())
		require.NoError(t, err)
		assert.Equal(t, sc, p)
	}
	_, err := ParseScheme("bogus")
	assert.Error(t, err)
}

func TestResampleAllocs(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	w := make([]float64, 1000)
	for i := range w {
		w[i] = rng.Float64()
	}
	dst := make([]int, 1000)
	for _, sc := range schemes {
		a := testing.AllocsPerRun(10, func() { _ = Resample(dst, w, sc, rng) })
		assert.Zero(t, a, sc.String())
	}
}

func TestSchedules(t *testing.T) {
	u := Uniform(4)
	assert.Equal(t, []float64{0, 0.25, 0.5, 0.75, 1}, u)
	g := Geometric(3, 0.01)
	assert.InDeltaSlice(t, []float64{0, 0.01, 0.1, 1}, g, 1e-15)
	assert.Equal(t, []float64{0, 1}, Geometric(1, 0.5))
	require.NoError(t, CheckSchedule(u))
	require.NoError(t, CheckSchedule(g))
	for _, bad := range [][]float64{{0}, {0.1, 1}, {0, 0.9}, {0, 0.6, 0.5, 1}, {0, math.NaN(), 1}} {
		assert.Error(t, CheckSchedule(bad), "%v", bad)
	}
}
