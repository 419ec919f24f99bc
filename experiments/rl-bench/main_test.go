package main

import (
	"io"
	"testing"

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
