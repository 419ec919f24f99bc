package envs

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// blowEnv is a test environment whose state x grows by the action each step
// and becomes non-finite when the action is +Inf-like (> 1e300).
type blowEnv struct {
	x     float64
	steps int
	seeder
	obs []float64
}

func newBlowEnv() *blowEnv {
	e := &blowEnv{obs: make([]float64, 1)}
	e.seeder.init()
	return e
}

func (e *blowEnv) ObservationSpace() Box { return UniformBox(1, math.Inf(-1), math.Inf(1)) }
func (e *blowEnv) ActionSpace() Box      { return UniformBox(1, -math.MaxFloat64, math.MaxFloat64) }
func (e *blowEnv) Reset(seed int64) ([]float64, Info) {
	e.reseed(seed)
	e.x, e.steps = e.rng.Float64(), 0
	e.obs[0] = e.x
	return e.obs, nil
}
func (e *blowEnv) Step(a []float64) ([]float64, float64, bool, bool, Info, error) {
	if err := checkAction("blow", a, 1); err != nil {
		return e.obs, 0, false, false, nil, err
	}
	e.steps++
	e.x += a[0] * 1e10
	e.obs[0] = e.x
	if math.IsInf(e.x, 0) {
		return e.obs, math.NaN(), false, false, nil, &StateError{Env: "blow", Step: e.steps, Field: "x"}
	}
	return e.obs, 1, false, false, nil, nil
}

func TestVectorReproducibleAcrossWorkers(t *testing.T) {
	run := func(workers int) ([]float64, []float64) {
		v, err := NewVectorEnv("Pendulum-v1", 5, Options{MaxEpisodeSteps: 7})
		require.NoError(t, err)
		defer v.Close()
		v.nworkers = workers
		v.Reset(100)
		var obs, rew []float64
		a := make([]float64, 5)
		for k := range 30 {
			for i := range a {
				a[i] = math.Sin(float64(k + 3*i))
			}
			o, r, _, trunc, err := v.Step(a)
			require.NoError(t, err)
			obs = append(obs, o...)
			rew = append(rew, r...)
			for i := range 5 {
				require.Equal(t, (k+1)%7 == 0, trunc[i])
			}
		}
		return obs, rew
	}
	o1, r1 := run(1)
	o3, r3 := run(3)
	assert.Equal(t, o1, o3)
	assert.Equal(t, r1, r3)
}

func TestVectorAutoReset(t *testing.T) {
	const n = 3
	v, err := NewVectorEnv("Pendulum-v1", n, Options{MaxEpisodeSteps: 4})
	require.NoError(t, err)
	defer v.Close()
	// Single copies stepped by hand, seeded as the VectorEnv seeds them.
	ref := make([]Env, n)
	refObs := make([][]float64, n)
	for i := range ref {
		ref[i], err = Make("Pendulum-v1", Options{MaxEpisodeSteps: 4})
		require.NoError(t, err)
		o, _ := ref[i].Reset(int64(50 + i))
		refObs[i] = append([]float64(nil), o...)
	}
	obs := v.Reset(50)
	for i := range n {
		require.Equal(t, refObs[i], obs[3*i:3*i+3])
	}
	a := []float64{0.5, -1, 2}
	for k := 1; k <= 9; k++ {
		o, r, term, trunc, err := v.Step(a)
		require.NoError(t, err)
		for i := range n {
			ro, rr, rterm, rtrunc, _, err := ref[i].Step(a[i : i+1])
			require.NoError(t, err)
			require.Equal(t, rr, r[i])
			require.Equal(t, rterm, term[i])
			require.Equal(t, rtrunc, trunc[i])
			if rtrunc {
				require.True(t, v.Ended(i))
				require.Equal(t, ro, v.FinalObs(i))
				ret, length := v.Episode(i)
				require.Equal(t, 4, length)
				require.Less(t, ret, 0.0)
				ro, _ = ref[i].Reset(NoSeed)
			} else {
				require.False(t, v.Ended(i))
				require.Nil(t, v.FinalObs(i))
			}
			require.Equal(t, ro, o[3*i:3*i+3], "copy %d step %d", i, k)
		}
	}
}

func TestVectorBlowUp(t *testing.T) {
	es := []Env{newBlowEnv(), newBlowEnv()}
	v, err := NewVectorEnvFrom(es)
	require.NoError(t, err)
	defer v.Close()
	v.Reset(1)
	// Copy 1 blows up at its third step (x·1e10 growth overflows).
	_, _, _, _, err = v.Step([]float64{1, 1e298})
	require.NoError(t, err)
	before := v.obs[1]
	_, r, term, trunc, err := v.Step([]float64{1, 1e300})
	require.NoError(t, err)
	assert.Zero(t, v.BlowUps(0))
	assert.Equal(t, 1, v.BlowUps(1))
	assert.Equal(t, 1, v.TotalBlowUps())
	var se *StateError
	require.ErrorAs(t, v.BlowUpErr(1), &se)
	assert.Equal(t, 2, se.Step)
	assert.Contains(t, se.Error(), "step 2")
	assert.Equal(t, []float64{0}, r[1:])
	assert.False(t, term[1])
	assert.True(t, trunc[1])
	assert.Equal(t, []float64{before}, v.FinalObs(1))
	assert.Less(t, math.Abs(v.obs[1]), 1.0, "copy 1 must be reset")
	assert.False(t, v.Ended(0))
	// An invalid action is an error and steps nothing.
	x0 := v.obs[0]
	_, _, _, _, err = v.Step([]float64{1, math.NaN()})
	var ae *ActionError
	require.ErrorAs(t, err, &ae)
	assert.Contains(t, err.Error(), "copy 1")
	assert.Equal(t, x0, v.obs[0])
	_, _, _, _, err = v.Step([]float64{1})
	require.Error(t, err)
}

func TestVectorStepAllocs(t *testing.T) {
	v, err := NewVectorEnv("MountainCarContinuous-v0", 4, Options{MaxEpisodeSteps: 3})
	require.NoError(t, err)
	defer v.Close()
	v.nworkers = 2
	v.Reset(0)
	a := make([]float64, 4)
	v.Step(a) // start the workers
	allocs := testing.AllocsPerRun(50, func() {
		if _, _, _, _, err := v.Step(a); err != nil {
			panic(err)
		}
	})
	assert.Zero(t, allocs)
}

func BenchmarkVectorPendulum(b *testing.B) {
	v, err := NewVectorEnv("Pendulum-v1", 8, Options{})
	require.NoError(b, err)
	defer v.Close()
	v.Reset(0)
	a := make([]float64, 8)
	b.ReportAllocs()
	for b.Loop() {
		v.Step(a)
	}
}

func TestTimeLimitIgnoresErrors(t *testing.T) {
	e, err := Make("MultiGoal-v0", Options{MaxEpisodeSteps: 2, NoResetNoise: true})
	require.NoError(t, err)
	e.Reset(0)
	_, _, _, trunc, _, err := e.Step([]float64{0, 0.1})
	require.NoError(t, err)
	require.False(t, trunc)
	_, _, _, _, _, err = e.Step([]float64{0, math.NaN()})
	require.Error(t, err)
	assert.Equal(t, 1, e.(*TimeLimit).Elapsed())
	_, _, _, trunc, _, err = e.Step([]float64{0, 0.1})
	require.NoError(t, err)
	require.True(t, trunc)
	_, _, _, trunc, _, _ = e.Step([]float64{0, 0.1})
	assert.True(t, trunc, "stepping past the limit stays truncated")
}

func TestVectorMujocoReproducible(t *testing.T) {
	run := func(workers int) []float64 {
		v, err := NewVectorEnv("Reacher-v5", 4, Options{})
		require.NoError(t, err)
		defer v.Close()
		v.nworkers = workers
		var all []float64
		all = append(all, v.Reset(7)...)
		a := make([]float64, 8)
		for k := range 60 {
			for i := range a {
				a[i] = math.Sin(0.3*float64(k) + float64(i))
			}
			o, r, _, _, err := v.Step(a)
			require.NoError(t, err)
			all = append(append(all, o...), r...)
		}
		return all
	}
	assert.Equal(t, run(1), run(4))
}
