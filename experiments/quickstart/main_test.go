package main

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestRunRejectsBadFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-tw2-samples", "0"}, "-tw2-samples 0"},
		{[]string{"-proposals", "-5"}, "-proposals -5"},
		{[]string{"-smc-particles", "0"}, "-smc-particles 0"},
		{[]string{"extra"}, "unexpected arguments"},
	} {
		out := t.TempDir()
		err := run(append([]string{"-out", out}, tc.args...))
		require.Error(t, err, tc.args)
		require.Contains(t, err.Error(), tc.want)
	}
}
