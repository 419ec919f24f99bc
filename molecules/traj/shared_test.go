package traj

import (
	"github.com/boltzflow/boltzflow/internal/refdata"
	"testing"
)

// sharedDir returns ../shared beside the repository root (the directory
// holding go.mod), or skips the test when it is absent.
func sharedDir(t *testing.T) string {
	t.Helper()
	return refdata.Dir(t)
}
