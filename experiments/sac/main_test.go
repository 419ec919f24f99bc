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
		{[]string{"-env", "Nope-v0", "-out", out}, "Pendulum-v1"},
		{[]string{"-eval-mode", "x", "-out", out}, "deterministic, stochastic"},
		{[]string{"-tau", "2", "-out", out}, "-tau"},
		{[]string{"-batch", "10", "-buffer", "5", "-out", out}, "-batch"},
	} {
		err := run(tc.args)
		require.Error(t, err, "%v", tc.args)
		assert.Contains(t, err.Error(), tc.want, "%v", tc.args)
	}
}
