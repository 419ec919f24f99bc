package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/boltzflow/boltzflow/agents"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBadInput(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-envs", "Pendulum-v1,Nope-v0"}, "MultiGoal-v0"},
		{[]string{"-methods", "meow,td3"}, "meow, sac"},
		{[]string{"-seeds", "0,a"}, "-seeds"},
		{[]string{"-eval-mode", "x"}, "deterministic, stochastic"},
	} {
		err := run(tc.args, io.Discard)
		require.Error(t, err, "%v", tc.args)
		assert.Contains(t, err.Error(), tc.want, "%v", tc.args)
	}
}

func TestBadInputResume(t *testing.T) {
	err := run([]string{"-resume"}, io.Discard)
	require.ErrorContains(t, err, "-resume and -report need -out")
	err = run([]string{"-max-episode-steps", "-1"}, io.Discard)
	require.ErrorContains(t, err, "-max-episode-steps -1")
}

// TestResumeFinished runs a short benchmark, then runs it again with -resume: the finished run is only
// re-evaluated, so the table (returns and the env-steps/s kept in run.json) is the same, and the per-environment
// curve exists.
func TestResumeFinished(t *testing.T) {
	dir := t.TempDir()
	args := []string{"-envs", "Pendulum-v1", "-methods", "sac", "-seeds", "0", "-steps", "1200", "-workers", "1", "-out", dir}
	var first, second strings.Builder
	require.NoError(t, run(args, &first))
	require.NoError(t, run(append(args, "-resume"), &second))
	assert.Equal(t, first.String(), second.String())
	assert.Contains(t, first.String(), "| Pendulum-v1 | SAC | 1200 |")
	_, err := os.Stat(filepath.Join(dir, "curve-Pendulum-v1.png"))
	require.NoError(t, err)
	csv, err := os.ReadFile(filepath.Join(dir, "results.csv"))
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(string(csv)), "\n")
	require.Len(t, lines, 2)
	assert.Equal(t, "env,method,seed,steps,return_deterministic,return_stochastic,env_steps_per_s", lines[0])
	assert.True(t, strings.HasPrefix(lines[1], "Pendulum-v1,SAC,0,1200,"), lines[1])
	var third strings.Builder
	require.NoError(t, run(append(args, "-resume", "-per-seed"), &third))
	assert.Contains(t, third.String(), "| Pendulum-v1 | SAC | 0 |")

	// -report trains nothing: it lists the finished run and a run not started, and draws the per-seed curves.
	var rep strings.Builder
	require.NoError(t, run([]string{"-envs", "Pendulum-v1", "-methods", "sac", "-seeds", "0,1", "-report", "-out", dir}, &rep))
	assert.Contains(t, rep.String(), "| Pendulum-v1 | SAC | 0 | 1200 | 1200 |")
	assert.Contains(t, rep.String(), "| Pendulum-v1 | SAC | 1 | not started |")
	_, err = os.Stat(filepath.Join(dir, "progress-Pendulum-v1.png"))
	require.NoError(t, err)
	_, err = os.Stat(filepath.Join(dir, "sac-Pendulum-v1-seed1"))
	require.True(t, os.IsNotExist(err), "report must not start runs")
	st, err := agents.ReadRunStatus(filepath.Join(dir, "sac-Pendulum-v1-seed0"))
	require.NoError(t, err)
	assert.Equal(t, 1200, st.Step)
}
