package builder

import (
	"github.com/boltzflow/boltzflow/internal/refdata"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/boltzflow/boltzflow/molecules"
	"github.com/boltzflow/boltzflow/molecules/analysis"
	"github.com/boltzflow/boltzflow/molecules/forcefield"
	"github.com/boltzflow/boltzflow/molecules/md"
	"github.com/boltzflow/boltzflow/molecules/pdb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const allAA = "ACDEFGHIKLMNPQRSTVWY"

func loadFF(t *testing.T, names ...string) *forcefield.ForceField {
	t.Helper()
	ff, err := forcefield.Load(names...)
	require.NoError(t, err)
	return ff
}

// bondGraph returns the bonds of sys (from its harmonic bonds).
func separations(sys *molecules.System) map[[2]int]int {
	n := sys.NumAtoms()
	adj := make([][]int, n)
	for _, b := range sys.Bonds {
		adj[b.Atoms[0]] = append(adj[b.Atoms[0]], b.Atoms[1])
		adj[b.Atoms[1]] = append(adj[b.Atoms[1]], b.Atoms[0])
	}
	sep := map[[2]int]int{}
	for s := 0; s < n; s++ {
		dist := map[int]int{s: 0}
		q := []int{s}
		for len(q) > 0 {
			a := q[0]
			q = q[1:]
			if dist[a] >= 3 {
				continue
			}
			for _, b := range adj[a] {
				if _, ok := dist[b]; !ok {
					dist[b] = dist[a] + 1
					q = append(q, b)
				}
			}
		}
		for b, d := range dist {
			if b > s {
				sep[[2]int{s, b}] = d
			}
		}
	}
	return sep
}

func dist(pos []float64, i, j int) float64 {
	dx, dy, dz := pos[3*i]-pos[3*j], pos[3*i+1]-pos[3*j+1], pos[3*i+2]-pos[3*j+2]
	return math.Sqrt(dx*dx + dy*dy + dz*dz)
}

// checkStructure asserts: every bond within 0.012 nm of its force-field
// length; no pair more than two bonds apart closer than minDist; every Cα
// L; all ω trans.
func checkStructure(t *testing.T, label string, top *molecules.Topology, sys *molecules.System, pos []float64, minDist float64) {
	t.Helper()
	for _, b := range sys.Bonds {
		d := dist(pos, b.Atoms[0], b.Atoms[1])
		assert.InDelta(t, b.Length, d, 0.012, "%s: bond %s-%s", label, top.Atoms[b.Atoms[0]].Name, top.Atoms[b.Atoms[1]].Name)
	}
	sep := separations(sys)
	n := sys.NumAtoms()
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			if s, ok := sep[[2]int{i, j}]; ok && s <= 2 {
				continue
			}
			if d := dist(pos, i, j); d < minDist {
				t.Errorf("%s: clash %s:%s–%s:%s at %.3f nm", label,
					top.Residues[top.Atoms[i].Residue].Name, top.Atoms[i].Name,
					top.Residues[top.Atoms[j].Residue].Name, top.Atoms[j].Name, d)
			}
		}
	}
	for _, sc := range analysis.Stereocentres(top) {
		assert.True(t, analysis.IsL(pos, sc), "%s: residue %d not L", label, sc.Residue)
	}
	_, _, omega := analysis.BackboneTorsions(top)
	for _, o := range omega {
		assert.Greater(t, math.Abs(analysis.Dihedral(pos, o.Atoms)), 150*math.Pi/180, "%s: %s cis", label, o.Label(top))
	}
}

// TestEveryAminoAcid builds every standard amino acid capped
// (amber99sbildn) and as a zwitterionic dipeptide (amber14), checks that
// the force field matches every residue (CreateSystem succeeds), that the
// built geometry is sane, and that L-BFGS minimisation to 10 kJ/mol/nm
// leaves no clashes, keeps L chirality and lowers the energy.
func TestEveryAminoAcid(t *testing.T) {
	ff99 := loadFF(t, "amber99sbildn.xml", "amber99_obc.xml")
	ff14 := loadFF(t, "amber14-all.xml", "implicit/obc1.xml")
	for _, tc := range []struct {
		ff     *forcefield.ForceField
		opt    forcefield.Options
		capped bool
		rep    int
	}{
		{ff99, forcefield.Options{Method: molecules.NoCutoff}, true, 1},
		{ff14, forcefield.Options{Method: molecules.CutoffNonPeriodic, Cutoff: 2}, false, 2},
	} {
		for _, aa := range allAA {
			seq := strings.Repeat(string(aa), tc.rep)
			label := seq
			if tc.capped {
				label = "ACE-" + seq + "-NME"
			}
			top, pos, err := Build(tc.ff, seq, Options{Capped: tc.capped})
			require.NoError(t, err, label)
			sys, err := tc.ff.CreateSystem(top, tc.opt)
			require.NoError(t, err, label)
			require.Equal(t, top.NumAtoms(), sys.NumAtoms())
			e0, err := sys.EnergyForces(pos, make([]float64, len(pos)))
			require.NoError(t, err)
			checkStructure(t, label+" (built)", top, sys, pos, 0.16)
			r, err := md.Minimize(sys, pos, 10, 20000)
			require.NoError(t, err, label)
			assert.True(t, r.Converged, "%s: %s, max force %g", label, r.Status, r.MaxForce)
			assert.Less(t, r.Energy, e0, label)
			checkStructure(t, label+" (minimised)", top, sys, pos, 0.17)
		}
	}
}

func TestBackboneDihedrals(t *testing.T) {
	ff := loadFF(t, "amber99sbildn.xml")
	seq := "AGSPW"
	phi := []float64{-60, 80, -140, -20, 170}
	psi := []float64{-45, 10, 135, 150, -170}
	top, pos, err := Build(ff, seq, Options{Capped: true, Phi: phi, Psi: psi})
	require.NoError(t, err)
	ph, ps, om := analysis.BackboneTorsions(top)
	require.Len(t, ph, 5)
	require.Len(t, ps, 5)
	require.Len(t, om, 6)
	for i := range ph {
		want := phi[i]
		if seq[i] == 'P' {
			want = prolinePhi
		}
		assert.InDelta(t, want, analysis.Dihedral(pos, ph[i].Atoms)/deg, 1e-9, "φ %d", i)
		assert.InDelta(t, psi[i], analysis.Dihedral(pos, ps[i].Atoms)/deg, 1e-9, "ψ %d", i)
	}
	for _, o := range om {
		assert.InDelta(t, 180, math.Abs(analysis.Dihedral(pos, o.Atoms)/deg), 1e-9)
	}
	// Bond lengths and angles of the backbone are the ideal ones.
	n, ca, c := 3*6+0, 0, 0
	_ = n
	for _, a := range top.Residues[1].Atoms {
		switch top.Atoms[a].Name {
		case "N":
			n = a
		case "CA":
			ca = a
		case "C":
			c = a
		}
	}
	assert.InDelta(t, bondNCA/10, dist(pos, n, ca), 1e-12)
	assert.InDelta(t, bondCAC/10, dist(pos, ca, c), 1e-12)
}

// TestMatchesReferenceTopologies compares the atom and residue names and
// order of the built systems with the OpenMM reference PDB files.
func TestMatchesReferenceTopologies(t *testing.T) {
	root := sharedDir(t)
	for _, tc := range []struct{ key, file string }{
		{"aldp", "aldp/aldp.pdb"}, {"al3", "aaa/aaa.pdb"}, {"al4", "al4/al4.pdb"}, {"al6", "a6/a6.pdb"},
	} {
		s, err := Named(tc.key)
		require.NoError(t, err)
		top, pos, sys, err := s.Build()
		require.NoError(t, err, tc.key)
		ref, err := pdb.ReadFile(filepath.Join(root, "systems", tc.file))
		require.NoError(t, err)
		require.Equal(t, ref.Topology.NumAtoms(), top.NumAtoms(), tc.key)
		for i, a := range top.Atoms {
			ra := ref.Topology.Atoms[i]
			assert.Equal(t, ra.Name, a.Name, "%s atom %d", tc.key, i)
			assert.Equal(t, ref.Topology.Residues[ra.Residue].Name, top.Residues[a.Residue].Name, "%s atom %d", tc.key, i)
		}
		// The reference minimum and ours agree in energy to within a few
		// kJ/mol after minimisation (same basin: PPII start).
		r, err := md.Minimize(sys, pos, 1, 0)
		require.NoError(t, err)
		e, err := sys.EnergyForces(ref.Positions(0), make([]float64, len(pos)))
		require.NoError(t, err)
		t.Logf("%s: built+minimised %.2f kJ/mol (%s), OpenMM-minimised reference %.2f kJ/mol", tc.key, r.Energy, r.Status, e)
		assert.Less(t, r.Energy, e+25, tc.key)
	}
}

func TestNamed(t *testing.T) {
	for _, k := range Names() {
		s, err := Named(k)
		require.NoError(t, err)
		assert.Equal(t, k, s.Name)
		assert.Greater(t, s.Temperature, 0.0)
	}
	s, err := Named("a6")
	require.NoError(t, err)
	assert.Equal(t, "al6", s.Name)
	_, err = Named("ubiquitin")
	assert.ErrorContains(t, err, "unknown system")
	s, _ = Named("chignolin")
	top, _, sys, err := s.Build()
	require.NoError(t, err)
	assert.Equal(t, 138, top.NumAtoms()) // docs/sbg.md §1.1
	assert.Equal(t, 138, sys.NumAtoms())
	var q float64
	for _, p := range sys.Nonbonded.Particles {
		q += p.Charge
	}
	assert.InDelta(t, -2, q, 1e-6) // GYDPETGTWG zwitterion: D and E charged, termini cancel
}

func TestBadInput(t *testing.T) {
	ff := loadFF(t, "amber99sbildn.xml")
	for _, tc := range []struct {
		seq string
		opt Options
		msg string
	}{
		{"AXA", Options{Capped: true}, "position 2"},
		{"AB", Options{Capped: true}, "unknown residue letter"},
		{"", Options{Capped: true}, "empty"},
		{"A", Options{}, "at least two"},
		{"AA", Options{Capped: true, Phi: []float64{-60}}, "φ"},
		{"AA", Options{Capped: true, Psi: []float64{0, math.NaN()}}, "not finite"},
		// α-helix-like φ with ψ = 0 and φ = 0 folds a long chain onto itself.
		{"AAAAAAAAAA", Options{Capped: true, Phi: []float64{0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, Psi: []float64{0, 0, 0, 0, 0, 0, 0, 0, 0, 0}}, "impossible geometry"},
	} {
		_, _, err := Build(ff, tc.seq, tc.opt)
		require.Error(t, err, tc.seq)
		assert.Contains(t, err.Error(), tc.msg)
	}
}

func sharedDir(t *testing.T) string {
	t.Helper()
	return refdata.Dir(t, "data", "openmm")
}
