package forcefield_test

import (
	"compress/gzip"
	"encoding/json"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/boltzflow/boltzflow/molecules"
	"github.com/boltzflow/boltzflow/molecules/forcefield"
	"github.com/boltzflow/boltzflow/molecules/pdb"
	"github.com/stretchr/testify/require"
)

// TestOpenMMPeptides checks all 20 standard amino acids (and proline and
// histidine in several positions), capped and zwitterionic, in both force
// fields, NoCutoff and CutoffNonPeriodic, against energies and forces that
// OpenMM's Reference platform computed for the same PDB files with the
// OpenMM 8.5.2 force-field XML files (testdata/openmm_peptides.json.gz; its
// "generator" field records how).
func TestOpenMMPeptides(t *testing.T) {
	fh, err := os.Open("testdata/openmm_peptides.json.gz")
	require.NoError(t, err)
	defer fh.Close()
	zr, err := gzip.NewReader(fh)
	require.NoError(t, err)
	var data struct {
		Cases []struct {
			Name     string             `json:"name"`
			FF       []string           `json:"forcefield"`
			Method   string             `json:"method"`
			Cutoff   float64            `json:"cutoff_nm"`
			PDB      string             `json:"pdb"`
			Energies map[string]float64 `json:"energies_kJmol"`
			NumTors  int                `json:"num_torsions"`
			Forces   [][3]float64       `json:"forces_kJmolnm"`
		} `json:"cases"`
	}
	require.NoError(t, json.NewDecoder(zr).Decode(&data))
	require.NotEmpty(t, data.Cases)
	for _, c := range data.Cases {
		f, err := pdb.Read(strings.NewReader(c.PDB))
		require.NoError(t, err, c.Name)
		ff, err := forcefield.Load(c.FF...)
		require.NoError(t, err, c.Name)
		m, err := molecules.ParseNonbondedMethod(c.Method)
		require.NoError(t, err, c.Name)
		sys, err := ff.CreateSystem(f.Topology, forcefield.Options{Method: m, Cutoff: c.Cutoff})
		require.NoError(t, err, c.Name)
		if len(sys.Torsions) != c.NumTors {
			t.Errorf("%s: %d torsions, OpenMM has %d", c.Name, len(sys.Torsions), c.NumTors)
		}
		forces := make([]float64, 3*sys.NumAtoms())
		e, err := sys.Evaluate(f.Models[0], forces)
		require.NoError(t, err, c.Name)
		got := map[string]float64{"bond": e.Bond, "angle": e.Angle, "torsion": e.Torsion, "nonbonded": e.Nonbonded, "gb": e.GB}
		require.Len(t, c.Energies, 5, c.Name)
		for k, want := range c.Energies {
			if !within(got[k], want, 1e-6, 1e-9) {
				t.Errorf("%s %s: %.10f, OpenMM %.10f", c.Name, k, got[k], want)
			}
		}
		require.Len(t, c.Forces, sys.NumAtoms(), c.Name)
		fmax := 1.0
		for _, v := range c.Forces {
			for _, x := range v {
				fmax = math.Max(fmax, math.Abs(x))
			}
		}
		for i, v := range c.Forces {
			for d := 0; d < 3; d++ {
				if diff := math.Abs(forces[3*i+d] - v[d]); diff > 1e-5 && diff > 1e-8*fmax {
					t.Errorf("%s atom %d force %d: %.10g, OpenMM %.10g", c.Name, i, d, forces[3*i+d], v[d])
				}
			}
		}
	}
}
