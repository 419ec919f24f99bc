package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"github.com/boltzflow/boltzflow/internal/refdata"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/boltzflow/boltzflow/molecules/traj"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMain lets the test binary act as the md command (for crash tests).
func TestMain(m *testing.M) {
	if os.Getenv("BOLTZFLOW_MD_AS_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func args(out string, extra ...string) []string {
	a := []string{"-system", "aldp", "-ns", "0.02", "-save-every", "0.1", "-replicas", "2", "-seed", "7",
		"-equilibrate", "1", "-checkpoint-every", "20", "-progress", "60", "-out", out}
	return append(a, extra...)
}

// subprocess starts the test binary as the md command.
func subprocess(t *testing.T, a []string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], a...)
	cmd.Env = append(os.Environ(), "BOLTZFLOW_MD_AS_MAIN=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	t.Cleanup(func() { t.Logf("subprocess stderr:\n%s", stderr.String()) })
	require.NoError(t, cmd.Start())
	return cmd
}

func ckptFrames(t *testing.T, dir string) int {
	b, err := os.ReadFile(filepath.Join(dir, "work", "replica-00.ckpt"))
	if err != nil {
		return -1
	}
	var ck checkpoint
	require.NoError(t, json.Unmarshal(b, &ck))
	return ck.Frames
}

var outputs = []string{"train.npy", "val.npy", "test.npy", "topology.pdb", "metadata.json", "replica-00.dcd", "replica-01.dcd"}

func assertSameOutputs(t *testing.T, a, b string) {
	t.Helper()
	for _, f := range outputs {
		x, err := os.ReadFile(filepath.Join(a, f))
		require.NoError(t, err)
		y, err := os.ReadFile(filepath.Join(b, f))
		require.NoError(t, err)
		assert.True(t, bytes.Equal(x, y), "%s differs between the uninterrupted and the resumed run", f)
	}
}

// TestKillAndResume: a run killed (at a checkpoint, and with SIGKILL at an
// arbitrary moment) and started again with the same command writes output
// files identical to an uninterrupted run.
func TestKillAndResume(t *testing.T) {
	if testing.Short() {
		t.Skip("three short ALDP runs; skipped in -short mode")
	}
	ref := t.TempDir()
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), args(ref), &out, &bytes.Buffer{}))
	assert.Contains(t, out.String(), "train 320, val 40, test 40 frames of 22 atoms")

	train, n, err := traj.ReadNPY(filepath.Join(ref, "train.npy"))
	require.NoError(t, err)
	assert.Equal(t, 22, n)
	assert.Len(t, train, 320)
	dcd, _, _, err := traj.ReadDCD(filepath.Join(ref, "replica-01.dcd"))
	require.NoError(t, err)
	assert.Len(t, dcd, 200)
	meta, err := traj.ReadMetadata(filepath.Join(ref, "metadata.json"))
	require.NoError(t, err)
	assert.Equal(t, 300.0, meta.TemperatureK)
	assert.Equal(t, 1.0, meta.FrictionPS)
	assert.Len(t, meta.ReplicaSeeds, 2)

	t.Run("exit at checkpoint", func(t *testing.T) {
		dir := t.TempDir()
		cmd := subprocess(t, args(dir, "-test-exit-after-checkpoints", "3"))
		err := cmd.Wait()
		var ee *exec.ExitError
		require.True(t, errors.As(err, &ee), "want exit status 3, got %v", err)
		require.Equal(t, 3, ee.ExitCode())
		require.Equal(t, 60, ckptFrames(t, dir))
		_, err = os.Stat(filepath.Join(dir, "train.npy"))
		require.True(t, os.IsNotExist(err))
		var stderr bytes.Buffer
		require.NoError(t, run(context.Background(), args(dir), &bytes.Buffer{}, &stderr))
		assert.Contains(t, stderr.String(), "resuming")
		assertSameOutputs(t, ref, dir)
	})
	t.Run("SIGKILL", func(t *testing.T) {
		dir := t.TempDir()
		cmd := subprocess(t, args(dir))
		deadline := time.Now().Add(60 * time.Second)
		for ckptFrames(t, dir) < 40 && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		require.NoError(t, cmd.Process.Kill())
		_ = cmd.Wait()
		k := ckptFrames(t, dir)
		t.Logf("killed with replica 0 checkpointed at frame %d of 200", k)
		require.NoError(t, run(context.Background(), args(dir), &bytes.Buffer{}, &bytes.Buffer{}))
		assertSameOutputs(t, ref, dir)
	})
	t.Run("different settings are refused", func(t *testing.T) {
		err := run(context.Background(), args(ref, "-temperature", "310"), &bytes.Buffer{}, &bytes.Buffer{})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "TemperatureK")
	})
}

func TestBadInput(t *testing.T) {
	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{[]string{"-system", "aldp", "-ns", "1", "-out", "x", "-temperature", "0"}, "-temperature"},
		{[]string{"-system", "aldp", "-ns", "1", "-out", "x", "-temperature", "-5"}, "-temperature"},
		{[]string{"-system", "ubiquitin", "-ns", "1", "-out", "x"}, "unknown system"},
		{[]string{"-system", "aldp", "-ns", "0", "-out", "x"}, "-ns"},
		{[]string{"-system", "aldp", "-ns", "1"}, "-out"},
		{[]string{"-system", "aldp", "-ns", "1", "-out", "x", "-save-every", "0.0005"}, "whole number"},
		{[]string{"-system", "aldp", "-ns", "1", "-out", "x", "-split", "0.8,0.2"}, "-split"},
		{[]string{"-system", "missing.pdb", "-ns", "1", "-out", "x"}, "missing.pdb"},
	} {
		err := run(context.Background(), tc.args, &bytes.Buffer{}, &bytes.Buffer{})
		require.Error(t, err, strings.Join(tc.args, " "))
		assert.Contains(t, err.Error(), tc.msg)
	}
}

// TestBlowUp: a 10 fs time step makes ALDP explode; the run stops with an
// error naming the replica and the step, and the frames saved so far stay
// readable.
func TestBlowUp(t *testing.T) {
	dir := t.TempDir()
	err := run(context.Background(), []string{"-system", "aldp", "-ns", "0.1", "-dt", "10", "-save-every", "0.1",
		"-equilibrate", "0", "-checkpoint-every", "1", "-out", dir, "-progress", "60"}, &bytes.Buffer{}, &bytes.Buffer{})
	require.Error(t, err)
	t.Log(err)
	assert.Contains(t, err.Error(), "replica 0")
	assert.Contains(t, err.Error(), "step")
	fr, n, rerr := traj.ReadNPY(filepath.Join(dir, "work", "replica-00.npy"))
	require.NoError(t, rerr)
	assert.Equal(t, 22, n)
	t.Logf("%d frames readable after the blow-up", len(fr))
}

func sharedDir(t *testing.T) string {
	t.Helper()
	return refdata.Dir(t, "data", "openmm")
}

// TestPDBInput runs a short trajectory from the OpenMM reference PDB of
// alanine dipeptide with an explicit force field.
func TestPDBInput(t *testing.T) {
	in := filepath.Join(sharedDir(t), "systems", "aldp", "aldp.pdb")
	dir := t.TempDir()
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"-system", in, "-forcefield", "amber99sbildn.xml,amber99_obc.xml",
		"-cutoff", "0", "-ns", "0.002", "-save-every", "0.1", "-equilibrate", "0", "-out", dir, "-progress", "60"}, &out, &bytes.Buffer{}))
	meta, err := traj.ReadMetadata(filepath.Join(dir, "metadata.json"))
	require.NoError(t, err)
	assert.Equal(t, "NoCutoff", meta.Nonbonded)
	assert.Equal(t, 300.0, meta.TemperatureK)
	assert.Equal(t, 20, meta.Splits["train"]+meta.Splits["val"]+meta.Splits["test"])
}
