package pdb

import (
	"bytes"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/boltzflow/boltzflow/molecules"
)

const dipeptide = `REMARK test
ATOM      1 HH31 ACE A   1       1.921   1.202   0.671  1.00  0.00           H
ATOM      2  CH3 ACE A   1       1.989   2.161   0.159  1.00  0.00           C
ATOM      3 HH32 ACE A   1       1.292   2.866   0.610  1.00  0.00           H
ATOM      4 HH33 ACE A   1       1.744   2.030  -0.894  1.00  0.00           H
ATOM      5  C   ACE A   1       3.397   2.703   0.281  1.00  0.00           C
ATOM      6  O   ACE A   1       4.252   2.065   0.894  1.00  0.00           O
ATOM      7  N   ALA A   2       3.626   3.879  -0.304  1.00  0.00           N
ATOM      8  H   ALA A   2       2.852   4.334  -0.769  1.00  0.00           H
ATOM      9  CA  ALA A   2       4.910   4.590  -0.301  1.00  0.00           C
ATOM     10  HA  ALA A   2       5.482   4.287   0.577  1.00  0.00           H
ATOM     11  CB  ALA A   2       5.697   4.179  -1.554  1.00  0.00           C
ATOM     12  HB1 ALA A   2       5.152   4.474  -2.451  1.00  0.00           H
ATOM     13  HB2 ALA A   2       6.674   4.663  -1.555  1.00  0.00           H
ATOM     14  HB3 ALA A   2       5.841   3.098  -1.562  1.00  0.00           H
ATOM     15  C   ALA A   2       4.729   6.124  -0.229  1.00  0.00           C
ATOM     16  O   ALA A   2       3.667   6.658  -0.574  1.00  0.00           O
HETATM   17  N   NME A   3       5.779   6.836   0.205  1.00  0.00           N
HETATM   18  H   NME A   3       6.619   6.331   0.461  1.00  0.00           H
HETATM   19  C   NME A   3       5.801   8.295   0.330  1.00  0.00           C
HETATM   20  H1  NME A   3       5.023   8.623   1.021  1.00  0.00           H
HETATM   21  H2  NME A   3       6.771   8.625   0.707  1.00  0.00           H
HETATM   22  H3  NME A   3       5.626   8.756  -0.644  1.00  0.00           H
TER      23      NME A   3
CONECT   15   17
CONECT   17   15
END
`

func TestReadDipeptide(t *testing.T) {
	f, err := Read(strings.NewReader(dipeptide))
	if err != nil {
		t.Fatal(err)
	}
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
	if err != nil {
		t.Fatal(err)
	}
	second := append([]float64(nil), f.Models[0]...)
	for k := range second {
		second[k] += 0.0123
	}
	for _, models := range [][][]float64{{f.Models[0]}, {f.Models[0], second}} {
		var buf bytes.Buffer
		if err := Write(&buf, f.Topology, models...); err != nil {
			t.Fatal(err)
		}
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
	if err != nil {
		t.Fatal(err)
	}
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
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "out.pdb")
	if err := WriteFile(path, f.Topology, f.Models[0]); err != nil {
		t.Fatal(err)
	}
	g, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if g.Topology.NumAtoms() != 22 {
		t.Errorf("atoms %d", g.Topology.NumAtoms())
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("temporary files left: %v", entries)
	}
}
