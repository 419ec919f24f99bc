package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBadInput(t *testing.T) {
	out := filepath.Join(t.TempDir(), "run")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-env", "Pendulum-v9", "-out", out}, "Pendulum-v1"},
		{[]string{"-env", "MountainCarContinuous-v0", "-out", out}, "Hopper"},
		{[]string{"-eval-mode", "greedy", "-out", out}, "deterministic, stochastic"},
		{[]string{"-alpha", "-1", "-out", out}, "-alpha"},
		{[]string{"-sigma-range", "1,-1", "-out", out}, "min"},
		{[]string{"-flow-hidden", "64,x", "-out", out}, "-flow-hidden"},
		{[]string{"-max-episode-steps", "-5", "-out", out}, "-max-episode-steps"},
		{[]string{"-env", "Pendulum-v1"}, "-out"},
		{[]string{"-resume", filepath.Join(out, "missing")}, "resume"},
	} {
		err := run(tc.args)
		require.Error(t, err, "%v", tc.args)
		assert.Contains(t, err.Error(), tc.want, "%v", tc.args)
	}
}

// TestMultiGoalValueMaps runs a tiny MultiGoal-v0 training and checks that both value maps and the time limit
// reach the output directory.
func TestMultiGoalValueMaps(t *testing.T) {
	out := filepath.Join(t.TempDir(), "mg")
	require.NoError(t, run([]string{"-env", "MultiGoal-v0", "-steps", "40", "-learning-starts", "20", "-eval-every", "20",
		"-eval-episodes", "2", "-eval-mode", "stochastic", "-max-episode-steps", "7", "-log-every", "20", "-out", out}))
	for _, name := range []string{"value.png", "value-deterministic.png", "eval.csv"} {
		fi, err := os.Stat(filepath.Join(out, name))
		require.NoError(t, err, name)
		assert.Positive(t, fi.Size(), name)
	}
	raw, err := os.ReadFile(filepath.Join(out, "config.json"))
	require.NoError(t, err)
	var cfg config
	require.NoError(t, json.Unmarshal(raw, &cfg))
	assert.Equal(t, 7, cfg.MaxEpisodeSteps)
	assert.Equal(t, "stochastic", cfg.EvalMode)
}
