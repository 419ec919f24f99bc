package agents

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/boltzflow/boltzflow/envs"
)

func TestReplayBufferRing(t *testing.T) {
	b := NewReplayBuffer(3, 2, 1)
	for i := 0; i < 5; i++ {
		f := float64(i)
		b.Add([]float64{f, -f}, []float64{f / 10}, 10*f, []float64{f + 1, -f - 1}, i == 4)
	}
	require.Equal(t, 3, b.Len())
	// Slots hold transitions 3, 4, 2 (oldest overwritten first).
	assert.Equal(t, []float32{3, -3, 4, -4, 2, -2}, b.obs)
	assert.Equal(t, []float32{30, 40, 20}, b.rew)
	assert.Equal(t, []float32{0, 1, 0}, b.done)

	batch := b.NewBatch(64)
	b.Sample(rand.New(rand.NewPCG(1, 2)), batch)
	seen := map[float32]bool{}
	for i := 0; i < batch.N; i++ {
		o := batch.Obs[2*i]
		seen[o] = true
		// Each sampled row is one consistent transition.
		assert.Equal(t, -o, batch.Obs[2*i+1])
		assert.Equal(t, o+1, batch.Next[2*i])
		assert.Equal(t, 10*o, batch.Rew[i])
		assert.InDelta(t, float64(o)/10, float64(batch.Act[i]), 1e-6)
		want := float32(0)
		if o == 4 {
			want = 1
		}
		assert.Equal(t, want, batch.Done[i])
	}
	assert.Equal(t, map[float32]bool{2: true, 3: true, 4: true}, seen)
}

// countEnv is a 1-D environment whose observation counts steps within the episode. Episodes are truncated after
// limit steps, or terminated when the action is positive and the count reaches term (if term > 0).
type countEnv struct {
	n, limit, term int
	obs            []float64
	resets         int
}

func (e *countEnv) ObservationSpace() envs.Box { return envs.UniformBox(1, 0, 100) }
func (e *countEnv) ActionSpace() envs.Box      { return envs.UniformBox(1, -2, 2) }
func (e *countEnv) Reset(seed int64) ([]float64, envs.Info) {
	e.n = 0
	e.resets++
	e.obs = []float64{0}
	return e.obs, nil
}
func (e *countEnv) Step(a []float64) ([]float64, float64, bool, bool, envs.Info, error) {
	e.n++
	e.obs[0] = float64(e.n)
	term := e.term > 0 && e.n == e.term
	return e.obs, a[0], term, !term && e.n == e.limit, nil, nil
}

type nopLearner struct{ updates int }

func (l *nopLearner) Act(dst, obs []float64, n int, det bool) {
	for i := range dst {
		dst[i] = 0.5
	}
}
func (l *nopLearner) Update(b *Batch) ([]float64, error) { l.updates++; return []float64{1}, nil }
func (l *nopLearner) StatNames() []string                { return []string{"loss"} }

// TestTrainerEpisodeEnds checks the bootstrapping rule: a truncated step stores the real final observation with
// done = 0, a terminated step stores done = 1, and the next stored transition starts from the reset observation.
func TestTrainerEpisodeEnds(t *testing.T) {
	for _, tc := range []struct {
		name       string
		limit, trm int
		wantDone   float32
	}{
		{"truncated", 3, 0, 0},
		{"terminated", 10, 3, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := &countEnv{limit: tc.limit, term: tc.trm}
			l := &nopLearner{}
			tr := &Trainer{Env: env, Agent: l, Config: TrainConfig{Steps: 5, LearningStarts: 2, BatchSize: 4, BufferSize: 100}}
			require.NoError(t, tr.Run())
			b := tr.Buffer
			require.Equal(t, 5, b.Len())
			assert.Equal(t, []float32{0, 1, 2, 0, 1}, b.obs)
			assert.Equal(t, []float32{1, 2, 3, 1, 2}, b.next, "the final observation (3) is stored, not the reset one")
			assert.Equal(t, []float32{0, 0, tc.wantDone, 0, 0}, b.done)
			// Warm-up actions are uniform in [−1, 1] (rescaled ×2 by the env box), then the learner's 0.5.
			assert.Equal(t, float32(0.5), b.act[3])
			assert.Equal(t, float32(1), b.rew[3], "reward = rescaled action 0.5·2")
			assert.Equal(t, 2, l.updates, "updates run for steps > LearningStarts (3 and 4)")
			assert.Equal(t, 2, env.resets)
		})
	}
}

// TestEvaluate checks the batched evaluation: every test environment runs one episode, episodes of different
// lengths are handled, and the returns' mean and std are those of the undiscounted episode returns.
func TestEvaluate(t *testing.T) {
	test := []envs.Env{&countEnv{limit: 3}, &countEnv{limit: 5}, &countEnv{limit: 10, term: 4}}
	r, err := Evaluate(test, &nopLearner{}, true)
	require.NoError(t, err)
	// The learner acts 0.5 → rescaled to 1 in the box [−2, 2]: reward 1 per step; lengths 3, 5, 4.
	assert.Equal(t, 3, r.Episodes)
	assert.InDelta(t, 4, r.ReturnMean, 1e-12)
	assert.InDelta(t, math.Sqrt(2.0/3), r.ReturnStd, 1e-12)
	for _, e := range test {
		assert.Equal(t, 1, e.(*countEnv).resets)
	}
}
