package forcefield_test

import (
	"bytes"
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/boltzflow/boltzflow/molecules"
	"github.com/boltzflow/boltzflow/molecules/forcefield"
	"github.com/boltzflow/boltzflow/molecules/pdb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sameSystem reports the first difference between the terms of two systems.
func sameSystem(a, b *molecules.System) string {
	switch {
	case !reflect.DeepEqual(a.Masses, b.Masses):
		return "masses"
	case !reflect.DeepEqual(a.Bonds, b.Bonds):
		return "bonds"
	case !reflect.DeepEqual(a.Angles, b.Angles):
		return "angles"
	case !reflect.DeepEqual(a.Torsions, b.Torsions):
		return "torsions"
	case !reflect.DeepEqual(a.Nonbonded, b.Nonbonded):
		return "nonbonded"
	case !reflect.DeepEqual(a.GB, b.GB):
		return "gb"
	}
	return ""
}

func TestOpenMMNamesGiveSameSystem(t *testing.T) {
	dir := sharedDir(t)
	for _, rs := range refSystems {
		_, want := buildRef(t, dir, rs)
		f, err := pdb.ReadFile(filepath.Join(dir, "systems", rs.key, rs.key+"_openmm_names.pdb"))
		require.NoError(t, err)
		ff, err := forcefield.Load(rs.ff...)
		require.NoError(t, err)
		got, err := ff.CreateSystem(f.Topology, forcefield.Options{Method: rs.method, Cutoff: rs.cutoff})
		if err != nil {
			t.Fatalf("%s: %v", rs.key, err)
		}
		if d := sameSystem(got, want); d != "" {
			t.Errorf("%s: OpenMM-named PDB gives different %s", rs.key, d)
		}
	}
}

func TestXMLByPathEqualsEmbedded(t *testing.T) {
	dir := sharedDir(t)
	for _, rs := range []refSystem{refSystems[0], refSystems[2]} {
		f, want := buildRef(t, dir, rs)
		var paths []string
		for _, n := range rs.ff {
			paths = append(paths, filepath.Join(dir, "forcefields", n))
		}
		ff, err := forcefield.Load(paths...)
		require.NoError(t, err)
		got, err := ff.CreateSystem(f.Topology, forcefield.Options{Method: rs.method, Cutoff: rs.cutoff})
		require.NoError(t, err)
		if d := sameSystem(got, want); d != "" {
			t.Errorf("%s: XML force field gives different %s than the embedded one", rs.key, d)
		}
	}
}

func TestPDBSystemPDBRoundTrip(t *testing.T) {
	dir := sharedDir(t)
	for _, rs := range refSystems {
		f, sys := buildRef(t, dir, rs)
		var buf bytes.Buffer
		require.NoError(t, pdb.Write(&buf, f.Topology, f.Models[0]))
		g, err := pdb.Read(&buf)
		require.NoError(t, err)
		for k, a := range f.Topology.Atoms {
			if g.Topology.Atoms[k] != a {
				t.Errorf("%s atom %d: %+v, want %+v", rs.key, k, g.Topology.Atoms[k], a)
			}
		}
		for k, x := range f.Models[0] {
			if g.Models[0][k] != x {
				t.Errorf("%s coordinate %d: %v, want %v", rs.key, k, g.Models[0][k], x)
				break
			}
		}
		ff, _ := forcefield.Load(rs.ff...)
		sys2, err := ff.CreateSystem(g.Topology, forcefield.Options{Method: rs.method, Cutoff: rs.cutoff})
		require.NoError(t, err)
		if d := sameSystem(sys, sys2); d != "" {
			t.Errorf("%s: rebuilt system differs in %s", rs.key, d)
		}
	}
}

func TestBadPDBErrors(t *testing.T) {
	dir := sharedDir(t)
	raw, err := os.ReadFile(filepath.Join(dir, "systems", "aldp", "aldp.pdb"))
	require.NoError(t, err)
	src := string(raw)
	lines := strings.Split(src, "\n")
	drop := func(name string) string {
		var out []string
		for _, l := range lines {
			if strings.HasPrefix(l, "ATOM") && strings.TrimSpace(l[12:16]) == name && strings.Contains(l, "ALA") {
				continue
			}
			out = append(out, l)
		}
		return strings.Join(out, "\n")
	}
	extra := strings.Replace(src, "ATOM     15  C   ALA A   2",
		"ATOM     23  XX  ALA A   2       4.729   6.124   1.229  1.00  0.00           C\nATOM     15  C   ALA A   2", 1)
	cases := []struct {
		name, pdb string
		want      []string
	}{
		{"unknown residue", strings.ReplaceAll(src, "ALA A   2", "XYZ A   2"), []string{"residue 1 (XYZ", "closest template ALA"}},
		{"missing hydrogen", drop("HB3"), []string{"residue 1 (ALA", "closest template ALA", "missing atoms [HB3]"}},
		{"extra atom", extra, []string{"residue 1 (ALA", "closest template ALA", "unmatched atoms [XX]"}},
	}
	ff, err := forcefield.Load("amber99sbildn.xml", "amber99_obc.xml")
	require.NoError(t, err)
	for _, c := range cases {
		f, err := pdb.Read(strings.NewReader(c.pdb))
		if err != nil {
			t.Fatalf("%s: read: %v", c.name, err)
		}
		_, err = ff.CreateSystem(f.Topology, forcefield.Options{})
		var me *forcefield.MatchError
		if !errors.As(err, &me) {
			t.Fatalf("%s: error %v, want *MatchError", c.name, err)
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q lacks %q", c.name, err, w)
			}
		}
	}
	nan := strings.Replace(src, "   4.910   4.590  -0.301", "     NaN   4.590  -0.301", 1)
	_, err = pdb.Read(strings.NewReader(nan))
	if !errors.Is(err, molecules.ErrNonFinite) || !strings.Contains(err.Error(), "residue 1 (ALA") || !strings.Contains(err.Error(), `"CA"`) {
		t.Errorf("NaN coordinates: %v", err)
	}
	// A terminal residue without its cap: ALA at the chain end without OXT.
	var out []string
	for _, l := range lines {
		if strings.Contains(l, "NME") {
			continue
		}
		out = append(out, l)
	}
	f, err := pdb.Read(strings.NewReader(strings.Join(out, "\n")))
	require.NoError(t, err)
	_, err = ff.CreateSystem(f.Topology, forcefield.Options{})
	if err == nil || !strings.Contains(err.Error(), "residue 1 (ALA") {
		t.Errorf("missing C-terminal group: %v", err)
	}
}

// standardResidues are the residue names every protein force field here
// must parameterise.
var standardResidues = []string{"ALA", "ARG", "ASN", "ASP", "ASH", "CYS", "GLN", "GLU", "GLH", "GLY", "HID", "HIE", "HIP",
	"ILE", "LEU", "LYS", "LYN", "MET", "PHE", "PRO", "SER", "THR", "TRP", "TYR", "VAL"}

// topologyFromTemplates builds a one-chain topology whose residues carry
// exactly the atoms of the named templates.
func topologyFromTemplates(t *testing.T, ff *forcefield.ForceField, names []string) *molecules.Topology {
	top := &molecules.Topology{}
	c := top.AddChain("A")
	for k, n := range names {
		tm := ff.Template(n)
		if tm == nil {
			t.Fatalf("no template %s", n)
		}
		resName := n
		if len(n) == 4 && (n[0] == 'N' || n[0] == 'C') {
			resName = n[1:]
		}
		r := top.AddResidue(resName, string(rune('1'+k)), c)
		for _, a := range tm.Atoms {
			at, _ := ff.AtomTypeByName(a.Type)
			el, ok := molecules.ElementBySymbol(at.Element)
			if !ok {
				t.Fatalf("template %s atom %s: element %q", n, a.Name, at.Element)
			}
			top.AddAtom(a.Name, el, r)
		}
	}
	return top
}

func TestEveryStandardResidue(t *testing.T) {
	for _, files := range [][]string{{"amber99sbildn.xml", "amber99_obc.xml"}, {"amber14-all.xml", "implicit/obc1.xml"}} {
		ff, err := forcefield.Load(files...)
		require.NoError(t, err)
		for _, res := range standardResidues {
			for _, seq := range [][]string{{"ACE", res, "NME"}, {"N" + res, res, "C" + res}} {
				if ff.Template(seq[0]) == nil || ff.Template(seq[2]) == nil {
					continue // no terminal variant of a protonation state (e.g. NASH)
				}
				top := topologyFromTemplates(t, ff, seq)
				sys, err := ff.CreateSystem(top, forcefield.Options{Method: molecules.CutoffNonPeriodic, Cutoff: 2})
				if err != nil {
					t.Errorf("%v %v: %v", files[0], seq, err)
					continue
				}
				var q float64
				for _, p := range sys.Nonbonded.Particles {
					q += p.Charge
				}
				if math.Abs(q-math.Round(q)) > 1e-6 {
					t.Errorf("%v %v: total charge %v not integral", files[0], seq, q)
				}
				nImpr := 0
				for _, tr := range sys.Torsions {
					if tr.Periodicity == 2 && (tr.K == 43.932 || tr.K == 4.6024 || tr.K == 4.184) {
						nImpr++
					}
				}
				if len(sys.Bonds) < top.NumAtoms()-1 || len(sys.Angles) == 0 || nImpr < 2 || sys.GB == nil {
					t.Errorf("%v %v: %d bonds, %d angles, %d backbone impropers", files[0], seq, len(sys.Bonds), len(sys.Angles), nImpr)
				}
				for i, p := range sys.GB.Particles {
					if !(p.Radius > 0.1) || !(p.Scale > 0) {
						t.Errorf("%v %v: atom %d GB parameters %+v", files[0], seq, i, p)
					}
				}
			}
		}
	}
}

func TestEmbeddedNames(t *testing.T) {
	want := []string{"amber14-all.xml", "amber99_obc.xml", "amber99sbildn.xml", "implicit/obc1.xml"}
	assert.Equal(t, want, forcefield.EmbeddedNames())
	_, err := forcefield.Load("nonexistent.xml")
	assert.Error(t, err, "Load of a missing file")
}
