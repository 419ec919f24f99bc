package agents

import (
	"os"
	"testing"

	"github.com/stretchr/testify/require"
)

// learningEnv gates the end-to-end learning checks: they train for 20k environment steps (minutes on a shared
// 2-core machine, see docs/results-rl.md), too long for the default test run.
const learningEnv = "BOLTZFLOW_LEARNING"

// pendulumLearning trains agent on Pendulum-v1 for 20k steps (seed 0, deterministic evaluation every 2000 steps)
// and requires some evaluation to reach a mean return ≥ −250.
func pendulumLearning(t *testing.T, method string, agent Agent, learningStarts int) {
	if os.Getenv(learningEnv) == "" {
		t.Skipf("learning check: set %s=1 to run 20k Pendulum-v1 steps", learningEnv)
	}
	tc := TrainConfig{Steps: 20000, LearningStarts: learningStarts, BatchSize: 256, BufferSize: 1_000_000,
		EvalEvery: 2000, EvalEpisodes: 10, LogEvery: 2000, Deterministic: true}
	eval, err := RunExperiment(RunSpec{Method: method, EnvID: "Pendulum-v1", Seed: 0, Train: tc, Progress: os.Stderr}, agent)
	require.NoError(t, err)
	best := -1e300
	for _, r := range eval.Rows {
		best = max(best, r[1])
	}
	t.Logf("%s Pendulum-v1 seed 0: best deterministic eval return %.1f", method, best)
	require.GreaterOrEqual(t, best, -250.0)
}

func TestMEowLearnsPendulum(t *testing.T) {
	p, err := LookupMEowPreset("Pendulum-v1")
	require.NoError(t, err)
	c := DefaultMEowConfig(3, 1)
	p.Apply(&c)
	pendulumLearning(t, "MEow", NewMEow[float32](c, 0), p.LearningStarts)
}

func TestSACLearnsPendulum(t *testing.T) {
	pendulumLearning(t, "SAC", NewSAC(DefaultSACConfig(3, 1), 0), LookupSACPreset("Pendulum-v1").LearningStarts)
}
