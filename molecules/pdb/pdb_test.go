package pdb

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/boltzflow/boltzflow/molecules"
	"github.com/stretchr/testify/require"
)

// dipeptide is a synthetic capped alanine (Amber names for ACE and ALA,
// OpenMM names and HETATM records for NME) with made-up coordinates.
var dipeptide = func() string {
	atoms := []struct{ rec, name, res, el string }{
		{"ATOM", "HH31", "ACE", "H"}, {"ATOM", "CH3", "ACE", "C"}, {"ATOM", "HH32", "ACE", "H"}, {"ATOM", "HH33", "ACE", "H"},
		{"ATOM", "C", "ACE", "C"}, {"ATOM", "O", "ACE", "O"},
		{"ATOM", "N", "ALA", "N"}, {"ATOM", "H", "ALA", "H"}, {"ATOM", "CA", "ALA", "C"}, {"ATOM", "HA", "ALA", "H"},
		{"ATOM", "CB", "ALA", "C"}, {"ATOM", "HB1", "ALA", "H"}, {"ATOM", "HB2", "ALA", "H"}, {"ATOM", "HB3", "ALA", "H"},
		{"ATOM", "C", "ALA", "C"}, {"ATOM", "O", "ALA", "O"},
		{"HETATM", "N", "NME", "N"}, {"HETATM", "H", "NME", "H"}, {"HETATM", "C", "NME", "C"},
		{"HETATM", "H1", "NME", "H"}, {"HETATM", "H2", "NME", "H"}, {"HETATM", "H3", "NME", "H"},
	}
	var b strings.Builder
	b.WriteString("REMARK test\n")
	resSeq := map[string]int{"ACE": 1, "ALA": 2, "NME": 3}
	for i, a := range atoms {
		name := " " + a.name
		if len(a.name) == 4 {
			name = a.name
		}
		x, y, z := 0.5+1.1*float64(i), 4.59*float64(i%3), -0.301+0.25*float64(i%5)
		if i == 8 {
			x, y, z = 4.910, 4.590, -0.301
		}
		fmt.Fprintf(&b, "%-6s%5d %-4s %3s A%4d    %8.3f%8.3f%8.3f  1.00  0.00          %2s\n", a.rec, i+1, name, a.res, resSeq[a.res], x, y, z, a.el)
	}
	b.WriteString("TER      23      NME A   3\nCONECT   15   17\nCONECT   17   15\nEND\n")
	return b.String()
}()

func TestReadDipeptide(t *testing.T) {
	f, err := Read(strings.NewReader(dipeptide))
	require.NoError(t, err)
	top := f.Topology
	if top.NumAtoms() != 22 || len(top.Residues) != 3 || len(top.Chains) != 1 || len(f.Models) != 1 {
		t.Fatalf("got %d atoms, %d residues, %d chains, %d models", top.NumAtoms(), len(top.Residues), len(top.Chains), len(f.Models))
	}
	names := []string{"ACE", "ALA", "NME"}
	for r, want := range names {
		if top.Residues[r].Name != want {
			t.Errorf("residue %d: %s, want %s", r, top.Residues[r].Name, want)
		}
	}
	if a := top.Atoms[0]; a.Name != "HH31" || a.Element.Symbol != "H" || a.Residue != 0 || a.Hetero {
		t.Errorf("atom 0: %+v", a)
	}
	if a := top.Atoms[18]; a.Name != "C" || a.Element.Symbol != "C" || !a.Hetero {
		t.Errorf("atom 18: %+v", a)
	}
	if len(top.Bonds) != 1 || top.Bonds[0] != [2]int{14, 16} {
		t.Errorf("bonds %v, want [[14 16]]", top.Bonds)
	}
	if got := f.Models[0][3*8+1]; math.Abs(got-0.4590) > 1e-15 {
		t.Errorf("CA y = %v nm, want 0.4590", got)
	}
}

func TestWriteReadRoundTrip(t *testing.T) {
	f, err := Read(strings.NewReader(dipeptide))
	require.NoError(t, err)
	second := append([]float64(nil), f.Models[0]...)
	for k := range second {
		second[k] += 0.0123
	}
	for _, models := range [][][]float64{{f.Models[0]}, {f.Models[0], second}} {
		var buf bytes.Buffer
		require.NoError(t, Write(&buf, f.Topology, models...))
		g, err := Read(bytes.NewReader(buf.Bytes()))
		if err != nil {
			t.Fatalf("re-read: %v\n%s", err, buf.String())
		}
		if len(g.Models) != len(models) {
			t.Fatalf("models %d, want %d", len(g.Models), len(models))
		}
		for k, a := range f.Topology.Atoms {
			b := g.Topology.Atoms[k]
			if a != b {
				t.Errorf("atom %d: %+v, want %+v", k, b, a)
			}
		}
		for r, res := range f.Topology.Residues {
			if g.Topology.Residues[r].Name != res.Name || g.Topology.Residues[r].ID != res.ID {
				t.Errorf("residue %d: %+v, want %+v", r, g.Topology.Residues[r], res)
			}
		}
		if len(g.Topology.Bonds) != 1 || g.Topology.Bonds[0] != f.Topology.Bonds[0] {
			t.Errorf("bonds %v, want %v", g.Topology.Bonds, f.Topology.Bonds)
		}
		for m := range models {
			for k, x := range models[m] {
				if math.Abs(g.Models[m][k]-x) > 5e-5 {
					t.Errorf("model %d coordinate %d: %v, want %v", m, k, g.Models[m][k], x)
				}
			}
		}
	}
}

func TestInferElementWithoutColumns(t *testing.T) {
	for _, c := range []struct{ name, res, want string }{
		{"CA", "ALA", "C"}, {"HB1", "ALA", "H"}, {"1HB", "ALA", "H"}, {"OXT", "ALA", "O"},
		{"NA", "NA", "Na"}, {"CL", "CL", "Cl"}, {"SG", "CYS", "S"}, {"N", "NME", "N"},
	} {
		e, ok := InferElement(c.name, c.res)
		if !ok || e.Symbol != c.want {
			t.Errorf("InferElement(%q, %q) = %v %v, want %s", c.name, c.res, e.Symbol, ok, c.want)
		}
	}
	// Strip the element columns and read again.
	var b strings.Builder
	for _, l := range strings.Split(dipeptide, "\n") {
		if len(l) > 66 {
			l = l[:66]
		}
		b.WriteString(l + "\n")
	}
	f, err := Read(strings.NewReader(b.String()))
	require.NoError(t, err)
	g, _ := Read(strings.NewReader(dipeptide))
	for k := range f.Topology.Atoms {
		if f.Topology.Atoms[k].Element != g.Topology.Atoms[k].Element {
			t.Errorf("atom %d: inferred %v, file has %v", k, f.Topology.Atoms[k].Element, g.Topology.Atoms[k].Element)
		}
	}
}

func TestReadErrors(t *testing.T) {
	nan := strings.Replace(dipeptide, "   4.910   4.590  -0.301", "   4.910     nan  -0.301", 1)
	_, err := Read(strings.NewReader(nan))
	if !errors.Is(err, molecules.ErrNonFinite) || !strings.Contains(err.Error(), "residue 1 (ALA") || !strings.Contains(err.Error(), `"CA"`) {
		t.Errorf("NaN coordinate: %v", err)
	}
	bad := strings.Replace(dipeptide, "   4.910   4.590", "   4.9x0   4.590", 1)
	if _, err := Read(strings.NewReader(bad)); err == nil || !strings.Contains(err.Error(), "line 10") {
		t.Errorf("bad number: %v", err)
	}
	if _, err := Read(strings.NewReader("REMARK nothing\nEND\n")); err == nil {
		t.Error("empty file: no error")
	}
}

func TestWriteFileAtomic(t *testing.T) {
	f, err := Read(strings.NewReader(dipeptide))
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "out.pdb")
	require.NoError(t, WriteFile(path, f.Topology, f.Models[0]))
	g, err := ReadFile(path)
	require.NoError(t, err)
	if g.Topology.NumAtoms() != 22 {
		t.Errorf("atoms %d", g.Topology.NumAtoms())
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("temporary files left: %v", entries)
	}
}
