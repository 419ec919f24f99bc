package traj

import (
	"os"
	"path/filepath"
	"testing"
)

// sharedDir returns ../shared beside the repository root (the directory
// holding go.mod), or skips the test when it is absent.
func sharedDir(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("repository root (go.mod) not found")
		}
		dir = parent
	}
	s := filepath.Join(dir, "..", "shared")
	if _, err := os.Stat(filepath.Join(s, "data", "openmm")); err != nil {
		t.Skipf("shared reference data not found at %s", s)
	}
	return s
}
