package assets_test

import (
	"bytes"
	"encoding/xml"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/boltzflow/boltzflow/envs/assets"
)

var want = []string{
	"ant", "half_cheetah", "hopper", "humanoid", "inverted_double_pendulum",
	"inverted_pendulum", "reacher", "swimmer", "walker2d", "walker2d_v5",
}

func TestNamesAndOpen(t *testing.T) {
	require.Equal(t, want, assets.Names())
	for _, name := range want {
		for _, n := range []string{name, name + ".xml"} {
			f, err := assets.Open(n)
			require.NoError(t, err, n)
			b, err := io.ReadAll(f)
			require.NoError(t, err)
			require.NoError(t, f.Close())
			// Well-formed XML with a <mujoco> root.
			dec := xml.NewDecoder(bytes.NewReader(b))
			var root struct{ XMLName xml.Name }
			require.NoError(t, dec.Decode(&root), n)
			require.Equal(t, "mujoco", root.XMLName.Local, n)
		}
	}
	_, err := assets.Open("cartpole")
	require.ErrorContains(t, err, `"cartpole.xml"`)
	_, err = assets.ReadFile("nope")
	require.Error(t, err)
}

// TestNotCopies checks that no embedded file is a copy of Gymnasium's file
// (the project writes its own model files).
func TestNotCopies(t *testing.T) {
	dir, err := os.Getwd()
	require.NoError(t, err)
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		if filepath.Dir(dir) == dir {
			t.Skip("repository root (go.mod) not found")
		}
		dir = filepath.Dir(dir)
	}
	shared := filepath.Join(dir, "..", "shared", "data", "mujoco", "assets")
	if _, err := os.Stat(shared); err != nil {
		t.Skipf("shared assets %s absent: %v", shared, err)
	}
	for _, name := range want {
		ours, err := assets.ReadFile(name)
		require.NoError(t, err)
		theirs, err := os.ReadFile(filepath.Join(shared, name+".xml"))
		require.NoError(t, err)
		require.NotEqual(t, string(theirs), string(ours), name)
	}
}
