package main

import (
	"bytes"
	"encoding/csv"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/boltzflow/boltzflow/boltzmann"
)

// TestFinetune fine-tunes the shipped ALDP model for a few steps with a data
// term and the log-variance loss, stops, and resumes to more steps: the
// model must change, steps.csv must hold one row per step across the
// resume, and bad flags must be refused.
func TestFinetune(t *testing.T) {
	dir := t.TempDir()
	shipped := "../../boltzmann/testdata/aldp_tarflow_cpu.ckpt"
	base := []string{"-system", "aldp", "-model", shipped, "-batch", "4", "-lr", "1e-4", "-data", testFrames,
		"-data-weight", "10", "-var-weight", "0.1", "-save-every", "2", "-seed", "3", "-out", dir}
	require.NoError(t, finetune(append(base, "-steps", "3")))
	require.NoError(t, finetune(append(base, "-steps", "5")))
	b, err := os.ReadFile(filepath.Join(dir, "steps.csv"))
	require.NoError(t, err)
	rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	require.NoError(t, err)
	require.Len(t, rows, 6, "header and steps 1–5")
	for i, r := range rows[1:] {
		assert.Equal(t, []string{"1", "2", "3", "4", "5"}[i], r[0])
	}
	m0, err := boltzmann.LoadModel(shipped, 22)
	require.NoError(t, err)
	m1, err := boltzmann.LoadModel(filepath.Join(dir, "final.ckpt"), 22)
	require.NoError(t, err)
	assert.Equal(t, m0.Norm, m1.Norm)
	moved := 0.0
	for i, p := range m1.Flow.Params() {
		for j, v := range p.Data {
			moved = max(moved, float64(v-m0.Flow.Params()[i].Data[j]))
		}
	}
	assert.Greater(t, moved, 1e-6, "the weights must move")

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-system", "aldp"}, "-model is required"},
		{[]string{"-model", shipped, "-var-weight", "1"}, "need -data"},
		{[]string{"-model", shipped, "-data", testFrames, "-var-weight", "1"}, "set -data-weight too"},
		{[]string{"-system", "al3", "-model", shipped}, "checkpoint is for 22 atoms"},
		{[]string{"-model", shipped, "-steps", "0"}, "want at least 1"},
	} {
		require.ErrorContains(t, finetune(append(tc.args, "-out", t.TempDir())), tc.want)
	}
}
