package agents

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/boltzflow/boltzflow/envs"
	"github.com/boltzflow/boltzflow/nn"
)

func tinyMEow(seed uint64) *MEow[float32] {
	c := DefaultMEowConfig(3, 1)
	c.FlowHidden, c.ShiftHidden = []int{8}, []int{8}
	return NewMEow[float32](c, seed)
}

func tinyTrain(steps int) TrainConfig {
	return TrainConfig{Steps: steps, LearningStarts: 50, BatchSize: 16, BufferSize: 1000, EvalEvery: 100,
		EvalEpisodes: 2, LogEvery: 50, Deterministic: true}
}

// TestRunResume checks that a run killed after its last checkpoint continues from it with -resume semantics:
// the resumed run ends with the same parameters, eval rows and replay contents as an uninterrupted run up
// to the point where the environment is re-seeded (the replay buffer and agent state match at the checkpoint).
func TestRunResume(t *testing.T) {
	dir := t.TempDir()
	spec := RunSpec{Method: "MEow", EnvID: "Pendulum-v1", Seed: 3, Out: dir, Train: tinyTrain(200)}
	a := tinyMEow(1)
	eval, err := RunExperiment(spec, a)
	require.NoError(t, err)
	require.Len(t, eval.Rows, 2)
	for _, f := range []string{EvalFile, TrainFile, CurveFile, CheckpointFile, ReplayFile, StatusFile} {
		_, err := os.Stat(filepath.Join(dir, f))
		require.NoError(t, err, f)
	}
	st1, err := ReadRunStatus(dir)
	require.NoError(t, err)
	assert.Equal(t, RunStatus{Method: "MEow", Env: "Pendulum-v1", Seed: 3, Step: 200, Steps: 200, WallSeconds: st1.WallSeconds}, st1)
	assert.Greater(t, st1.WallSeconds, 0.0)
	// Resume into a fresh agent: its parameters, optimiser state and buffer come from the checkpoint.
	b := tinyMEow(99)
	tr := &Trainer{}
	require.NoError(t, LoadRun(dir, tr, b.Checkpoint()))
	assert.Equal(t, 200, tr.Step)
	assert.Equal(t, 200, tr.Buffer.Len())
	for i := range a.Params {
		assert.Equal(t, a.Params[i].Data, b.Params[i].Data, a.Params[i].Name)
	}
	assert.Equal(t, a.Opt.Steps, b.Opt.Steps)

	spec.Resume, spec.Train.Steps = true, 300
	c := tinyMEow(98)
	eval, err = RunExperiment(spec, c)
	require.NoError(t, err)
	require.Len(t, eval.Rows, 3)
	assert.Equal(t, []float64{100, 200, 300}, []float64{eval.Rows[0][0], eval.Rows[1][0], eval.Rows[2][0]})
	got, err := LoadTable(filepath.Join(dir, EvalFile), 1<<30, EvalHeader...)
	require.NoError(t, err)
	assert.Len(t, got.Rows, 3)
	// The wall time accumulates over segments.
	st2, err := ReadRunStatus(dir)
	require.NoError(t, err)
	assert.Equal(t, 300, st2.Step)
	assert.Greater(t, st2.WallSeconds, st1.WallSeconds)

	// Resuming another run's directory is an error naming both.
	other := spec
	other.Seed = 4
	_, err = RunExperiment(other, tinyMEow(97))
	require.ErrorContains(t, err, "seed 3, not MEow on Pendulum-v1 seed 4")

	// A truncated replay file is an error, not a panic.
	raw, err := os.ReadFile(filepath.Join(dir, ReplayFile))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, ReplayFile), raw[:len(raw)/2], 0o644))
	err = LoadRun(dir, &Trainer{}, tinyMEow(1).Checkpoint())
	require.ErrorContains(t, err, "truncated")
}

// divergingAgent wraps MEow and fails its update at a given step.
type divergingAgent struct {
	*MEow[float32]
	calls, failAt int
}

func (d *divergingAgent) Update(b *Batch) ([]float64, error) {
	d.calls++
	if d.calls == d.failAt {
		return nil, &DivergenceError{What: "loss"}
	}
	return d.MEow.Update(b)
}

func (d *divergingAgent) Checkpoint() *nn.Checkpoint[float32] { return d.MEow.Checkpoint() }

// TestRunDivergence checks that a diverging run stops with an error naming the step and keeps the checkpoint
// of the last good evaluation.
func TestRunDivergence(t *testing.T) {
	dir := t.TempDir()
	d := &divergingAgent{MEow: tinyMEow(1), failAt: 100} // updates start after step 50: call 100 is step 150
	_, err := RunExperiment(RunSpec{Method: "MEow", EnvID: "Pendulum-v1", Out: dir, Train: tinyTrain(300)}, d)
	var de *DivergenceError
	require.ErrorAs(t, err, &de)
	assert.Equal(t, 150, de.Step)
	assert.Contains(t, err.Error(), "step 150")
	tr := &Trainer{}
	require.NoError(t, LoadRun(dir, tr, tinyMEow(2).Checkpoint()))
	assert.Equal(t, 100, tr.Step, "last good checkpoint")
}

func TestMakeEnvsWith(t *testing.T) {
	for _, c := range []struct {
		name      string
		opts      envs.Options
		wantSteps int     // episode length under zero actions (no goal is reached from the origin)
		wantBonus float64 // the environments' goal reward
		wantErr   string  // "" for success
	}{
		{"registered limit", envs.Options{NoResetNoise: true}, 30, envs.MultiGoalReward, ""},
		{"overridden limit", envs.Options{NoResetNoise: true, MaxEpisodeSteps: 5}, 5, envs.MultiGoalReward, ""},
		{"task parameter", envs.Options{NoResetNoise: true, Params: map[string]float64{"goal_reward": 0}}, 30, 0, ""},
		{"unknown parameter", envs.Options{Params: map[string]float64{"nope": 1}}, 0, 0, "nope"},
	} {
		t.Run(c.name, func(t *testing.T) {
			train, test, err := MakeEnvsWith("MultiGoal-v0", 2, c.opts)
			if c.wantErr != "" {
				require.ErrorContains(t, err, c.wantErr)
				return
			}
			require.NoError(t, err)
			require.Len(t, test, 2)
			for _, e := range append([]envs.Env{train}, test...) {
				assert.Equal(t, c.wantBonus, e.(*envs.TimeLimit).Env.(*envs.MultiGoal).GoalReward)
				e.Reset(0)
				n := 0
				for {
					_, _, term, trunc, _, err := e.Step([]float64{0, 0})
					require.NoError(t, err)
					n++
					if term || trunc {
						break
					}
				}
				assert.Equal(t, c.wantSteps, n)
			}
		})
	}
}

func TestUnknownEnv(t *testing.T) {
	_, _, err := MakeEnvs("Pendulum-v9", 1)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "Pendulum-v1")
	_, err = LookupMEowPreset("Nope-v0")
	require.ErrorContains(t, err, "Hopper")
}

// TestSACCheckpointRoundTrip checks that a SAC checkpoint restores all parameters and the three optimisers.
func TestSACCheckpointRoundTrip(t *testing.T) {
	dir := t.TempDir()
	c := DefaultSACConfig(3, 1)
	c.Hidden = []int{8, 8}
	a := NewSAC(c, 1)
	_, err := RunExperiment(RunSpec{Method: "SAC", EnvID: "Pendulum-v1", Out: dir, Train: tinyTrain(200)}, a)
	require.NoError(t, err)
	b := NewSAC(c, 2)
	require.NoError(t, LoadRun(dir, &Trainer{}, b.Checkpoint()))
	for i, p := range a.allParams {
		assert.Equal(t, p.Data, b.allParams[i].Data, p.Name)
	}
	assert.Equal(t, a.ActorOpt.M, b.ActorOpt.M)
	assert.Equal(t, a.AlphaOpt.V, b.AlphaOpt.V)
	assert.Equal(t, a.QOpt.Steps, b.QOpt.Steps)
	assert.NotZero(t, a.QOpt.Steps)
}

func TestStepLabel(t *testing.T) {
	for _, c := range []struct {
		v    float64
		want string
	}{{0, "0"}, {500, "500"}, {25000, "25k"}, {125000, "125k"}, {1.5e6, "1.5M"}, {2500, "2.5k"}} {
		assert.Equal(t, c.want, stepLabel(c.v), "%v", c.v)
	}
}

// TestRunFinalCheckpoint: a run whose length is not a multiple of the evaluation interval still ends with a
// checkpoint and run.json at its last step, so resuming the finished run trains nothing; a directory without
// run.json (written before it existed) gets one on resume.
func TestRunFinalCheckpoint(t *testing.T) {
	dir := t.TempDir()
	spec := RunSpec{Method: "MEow", EnvID: "Pendulum-v1", Seed: 5, Out: dir, Train: tinyTrain(250)}
	_, err := RunExperiment(spec, tinyMEow(1))
	require.NoError(t, err)
	st, err := ReadRunStatus(dir)
	require.NoError(t, err)
	assert.Equal(t, 250, st.Step)
	tr := &Trainer{}
	require.NoError(t, LoadRun(dir, tr, tinyMEow(2).Checkpoint()))
	assert.Equal(t, 250, tr.Step)

	require.NoError(t, os.Remove(filepath.Join(dir, StatusFile)))
	spec.Resume = true
	eval, err := RunExperiment(spec, tinyMEow(3))
	require.NoError(t, err)
	assert.Len(t, eval.Rows, 2) // evaluations at 100 and 200 only
	st2, err := ReadRunStatus(dir)
	require.NoError(t, err)
	assert.Equal(t, 250, st2.Step)
}
