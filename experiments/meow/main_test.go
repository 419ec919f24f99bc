package main

import (
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
		{[]string{"-env", "Pendulum-v1"}, "-out"},
		{[]string{"-resume", filepath.Join(out, "missing")}, "resume"},
	} {
		err := run(tc.args)
		require.Error(t, err, "%v", tc.args)
		assert.Contains(t, err.Error(), tc.want, "%v", tc.args)
	}
}
