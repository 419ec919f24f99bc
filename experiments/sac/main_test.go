package main

import (
	"path/filepath"
	"testing"

	"github.com/boltzflow/boltzflow/agents"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBadInput(t *testing.T) {
	out := filepath.Join(t.TempDir(), "run")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-env", "Nope-v0", "-out", out}, "Pendulum-v1"},
		{[]string{"-eval-mode", "x", "-out", out}, "deterministic, stochastic"},
		{[]string{"-tau", "2", "-out", out}, "-tau"},
		{[]string{"-batch", "10", "-buffer", "5", "-out", out}, "-batch"},
		{[]string{"-max-episode-steps", "-5", "-out", out}, "-max-episode-steps"},
	} {
		err := run(tc.args)
		require.Error(t, err, "%v", tc.args)
		assert.Contains(t, err.Error(), tc.want, "%v", tc.args)
	}
}

// TestMaxEpisodeSteps checks that -max-episode-steps reaches the evaluation environments: a Pendulum-v1 step
// costs at most π² + 0.1·8² + 0.001·2² ≈ 16.27, so 7-step episodes return more than −114 (200-step ones from a
// barely trained policy return around −1000), and that the limit is kept in config.json for -resume.
func TestMaxEpisodeSteps(t *testing.T) {
	out := filepath.Join(t.TempDir(), "run")
	require.NoError(t, run([]string{"-env", "Pendulum-v1", "-steps", "300", "-learning-starts", "100", "-eval-every", "300",
		"-eval-episodes", "2", "-max-episode-steps", "7", "-out", out}))
	tab, err := agents.LoadTable(filepath.Join(out, agents.EvalFile), 1<<30, agents.EvalHeader...)
	require.NoError(t, err)
	require.Len(t, tab.Rows, 1)
	assert.Greater(t, tab.Rows[0][1], -7*16.28)
	err = run([]string{"-resume", out, "-steps", "600", "-max-episode-steps", "50"})
	require.ErrorContains(t, err, "only -steps may be given with it, not -max-episode-steps")
	require.NoError(t, run([]string{"-resume", out, "-steps", "600"}))
	tab, err = agents.LoadTable(filepath.Join(out, agents.EvalFile), 1<<30, agents.EvalHeader...)
	require.NoError(t, err)
	require.Len(t, tab.Rows, 2)
	assert.Greater(t, tab.Rows[1][1], -7*16.28)
}
