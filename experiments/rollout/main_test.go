package main

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	return recs
}

func TestRun(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "traj.csv")

	// -noise=false keeps stepping past the termination at step 6.
	require.NoError(t, run([]string{"-env", "InvertedDoublePendulum-v5", "-actions", "sine", "-noise=false", "-steps", "20", "-out", out}))
	recs := readCSV(t, out)
	assert.Equal(t, strings.Split("step,time,qpos0,qpos1,qpos2,qvel0,qvel1,qvel2,ctrl0,reward,terminated,truncated", ","), recs[0])
	require.Len(t, recs, 22)
	assert.Equal(t, "0", recs[1][0])
	assert.Equal(t, "20", recs[21][0])
	assert.Equal(t, "1", recs[7][10], "terminated at step 6 (MuJoCo 2.2.2 sine rollout)")
	assert.Equal(t, "0", recs[6][10])

	// An action file; with reset noise the rollout stops at the episode end.
	acts := filepath.Join(dir, "acts.csv")
	require.NoError(t, os.WriteFile(acts, []byte("ctrl0,ctrl1\n0.5,-0.5\n0.5,-0.5\n0.5,-0.5\n"), 0o644))
	require.NoError(t, run([]string{"-env", "Reacher-v5", "-actions", acts, "-steps", "3", "-out", out, "-integrator", "euler", "-seed", "4"}))
	recs = readCSV(t, out)
	require.Len(t, recs, 5)
	assert.Equal(t, "0.5", recs[2][10])
	assert.Equal(t, "-0.5", recs[4][11])

	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 2, "no temporary files left behind")

	for _, args := range [][]string{
		{"-env", "Nope-v0", "-out", out},
		{"-env", "Reacher-v5"},
		{"-env", "Reacher-v5", "-out", out, "-actions", acts, "-steps", "4"},
		{"-env", "Reacher-v5", "-out", out, "-integrator", "leapfrog"},
		{"-env", "Reacher-v5", "-out", filepath.Join(dir, "missing", "x.csv")},
	} {
		assert.Error(t, run(args), "%v", args)
	}
}
