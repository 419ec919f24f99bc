package pdb

import (
	"github.com/boltzflow/boltzflow/internal/refdata"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func sharedSystems(t *testing.T) string {
	t.Helper()
	return refdata.Dir(t, "data", "openmm", "systems")
}

func TestConvertNamesMatchesOpenMMFiles(t *testing.T) {
	dir := sharedSystems(t)
	for _, key := range []string{"aldp", "al4", "aaa", "a6"} {
		amber, err := ReadFile(filepath.Join(dir, key, key+".pdb"))
		require.NoError(t, err)
		omm, err := ReadFile(filepath.Join(dir, key, key+"_openmm_names.pdb"))
		require.NoError(t, err)
		top := amber.Topology.Clone()
		if n := ConvertNames(top, OpenMMNames); n == 0 {
			t.Errorf("%s: nothing renamed", key)
		}
		for i, a := range top.Atoms {
			if a.Name != omm.Topology.Atoms[i].Name {
				t.Errorf("%s atom %d: %s, OpenMM file has %s", key, i, a.Name, omm.Topology.Atoms[i].Name)
			}
		}
		ConvertNames(top, AmberNames)
		for i, a := range top.Atoms {
			if a.Name != amber.Topology.Atoms[i].Name {
				t.Errorf("%s atom %d: back-converted %s, want %s", key, i, a.Name, amber.Topology.Atoms[i].Name)
			}
		}
		if n := ConvertNames(top, AmberNames); n != 0 {
			t.Errorf("%s: converting twice renamed %d atoms", key, n)
		}
	}
}
