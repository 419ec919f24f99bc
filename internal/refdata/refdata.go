// Package refdata locates the project's reference data for tests: the directory ../shared beside the
// repository root (the directory holding go.mod), which holds the MuJoCo and OpenMM references. Tests call
// Dir, which skips the test with a message naming the missing path when the data is absent.
package refdata

import (
	"os"
	"path/filepath"
	"testing"
)

// Dir returns the path ../shared/elems… relative to the repository root found by walking up from the
// working directory. It skips tb when no go.mod is found above the working directory or when that path
// does not exist.
func Dir(tb testing.TB, elems ...string) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Skip("repository root (go.mod) not found above the working directory; reference data unavailable")
		}
		dir = parent
	}
	p := filepath.Join(append([]string{dir, "..", "shared"}, elems...)...)
	if _, err := os.Stat(p); err != nil {
		tb.Skipf("reference data %s absent: %v", p, err)
	}
	return p
}
