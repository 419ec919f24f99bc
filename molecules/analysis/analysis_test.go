package analysis

import (
	"bytes"
	"github.com/boltzflow/boltzflow/internal/refdata"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/boltzflow/boltzflow/molecules"
	"github.com/boltzflow/boltzflow/molecules/traj"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const deg = math.Pi / 180

// TestDihedralHandComputed: p0 = (1,0,0), p1 = 0, p2 = (0,0,1),
// p3 = (cos θ, sin θ, 1). By hand: b1 = (−1,0,0), b2 = ẑ, b3 = (cos θ, sin θ, 0),
// n1 = b1×b2 = (0,1,0), n2 = b2×b3 = (−sin θ, cos θ, 0), so
// φ = atan2(b1·n2, n1·n2) = atan2(sin θ, cos θ) = θ: rotating the far atom
// from x towards y is clockwise seen along +z and gives a positive angle.
func TestDihedralHandComputed(t *testing.T) {
	for _, tc := range []struct{ theta, want float64 }{
		{0, 0}, {60, 60}, {-90, -90}, {120, 120}, {-150, -150}, {179, 179},
	} {
		th := tc.theta * deg
		pos := []float64{1, 0, 0, 0, 0, 0, 0, 0, 1, math.Cos(th), math.Sin(th), 1}
		assert.InDelta(t, tc.want*deg, Dihedral(pos, [4]int{0, 1, 2, 3}), 1e-12, "θ = %v", tc.theta)
		// Reversing the quartet leaves the angle unchanged.
		assert.InDelta(t, tc.want*deg, Dihedral(pos, [4]int{3, 2, 1, 0}), 1e-12)
		// A mirror image negates it.
		mir := append([]float64(nil), pos...)
		for i := 0; i < len(mir); i += 3 {
			mir[i] = -mir[i]
		}
		assert.InDelta(t, -tc.want*deg, Dihedral(mir, [4]int{0, 1, 2, 3}), 1e-12)
	}
	// Trans: ±π.
	pos := []float64{1, 0, 0, 0, 0, 0, 0, 0, 1, -1, 0, 1}
	assert.InDelta(t, math.Pi, math.Abs(Dihedral(pos, [4]int{0, 1, 2, 3})), 1e-12)
	// Invariant under a rigid motion and scaling, with unequal bond lengths.
	pos = []float64{2, 0, 0.3, 0, 0, 0, 0, 0, 1.5, 0.3 * math.Cos(-40*deg), 0.3 * math.Sin(-40*deg), 1.7}
	rnd := rand.New(rand.NewPCG(1, 2))
	q := [4]float64{rnd.NormFloat64(), rnd.NormFloat64(), rnd.NormFloat64(), rnd.NormFloat64()}
	n := math.Sqrt(q[0]*q[0] + q[1]*q[1] + q[2]*q[2] + q[3]*q[3])
	w, x, y, z := q[0]/n, q[1]/n, q[2]/n, q[3]/n
	R := [3][3]float64{
		{1 - 2*(y*y+z*z), 2 * (x*y - w*z), 2 * (x*z + w*y)},
		{2 * (x*y + w*z), 1 - 2*(x*x+z*z), 2 * (y*z - w*x)},
		{2 * (x*z - w*y), 2 * (y*z + w*x), 1 - 2*(x*x+y*y)},
	}
	moved := make([]float64, len(pos))
	for i := 0; i < len(pos); i += 3 {
		for r := range 3 {
			moved[i+r] = 3*(R[r][0]*pos[i]+R[r][1]*pos[i+1]+R[r][2]*pos[i+2]) + float64(r+1)
		}
	}
	assert.InDelta(t, -40*deg, Dihedral(moved, [4]int{0, 1, 2, 3}), 1e-12)
}

// aldpTopology builds ACE-ALA-NME with the atom order of aldp.pdb.
func aldpTopology() *molecules.Topology {
	top := &molecules.Topology{}
	c := top.AddChain("A")
	for k, res := range []struct {
		name  string
		atoms []string
	}{
		{"ACE", []string{"HH31", "CH3", "HH32", "HH33", "C", "O"}},
		{"ALA", []string{"N", "H", "CA", "HA", "CB", "HB1", "HB2", "HB3", "C", "O"}},
		{"NME", []string{"N", "H", "CH3", "HH31", "HH32", "HH33"}},
	} {
		r := top.AddResidue(res.name, strconv.Itoa(k+1), c)
		for _, a := range res.atoms {
			el, _ := molecules.ElementBySymbol(a[:1])
			top.AddAtom(a, el, r)
		}
	}
	return top
}

func TestBackboneTorsionsALDP(t *testing.T) {
	top := aldpTopology()
	phi, psi, omega := BackboneTorsions(top)
	assert.Equal(t, []Torsion{{"phi", 1, [4]int{4, 6, 8, 14}}}, phi)
	assert.Equal(t, []Torsion{{"psi", 1, [4]int{6, 8, 14, 16}}}, psi)
	assert.Equal(t, []Torsion{{"omega", 0, [4]int{1, 4, 6, 8}}, {"omega", 1, [4]int{8, 14, 16, 18}}}, omega)
	assert.Equal(t, "phi ALA2", phi[0].Label(top))
	sc := Stereocentres(top)
	assert.Equal(t, []Stereocentre{{Residue: 1, N: 6, CA: 8, C: 14, CB: 10}}, sc)
}

func sharedDir(t *testing.T) string {
	t.Helper()
	return refdata.Dir(t, "data", "openmm")
}

// TestALDPMinimizedDihedrals: molecules.md §6 states φ/ψ = −144.6/159.2
// degrees for the OpenMM-minimised alanine dipeptide, which is L.
func TestALDPMinimizedDihedrals(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(sharedDir(t), "systems/aldp/aldp_minimized_positions_nm.txt"))
	require.NoError(t, err)
	var pos []float64
	for _, s := range strings.Fields(string(b)) {
		v, err := strconv.ParseFloat(s, 64)
		require.NoError(t, err)
		pos = append(pos, v)
	}
	require.Len(t, pos, 66)
	top := aldpTopology()
	phi, psi, omega := BackboneTorsions(top)
	assert.InDelta(t, -144.6, Dihedral(pos, phi[0].Atoms)/deg, 0.05)
	assert.InDelta(t, 159.2, Dihedral(pos, psi[0].Atoms)/deg, 0.05)
	for _, o := range omega {
		assert.Greater(t, math.Abs(Dihedral(pos, o.Atoms)), 160*deg, "trans peptide bond")
	}
	sc := Stereocentres(top)
	assert.Equal(t, []byte("L"), Chirality(pos, sc))
	for i := 0; i < len(pos); i += 3 {
		pos[i] = -pos[i]
	}
	assert.Equal(t, []byte("D"), Chirality(pos, sc))
}

// TestReferenceMDBasins reads OpenMM's 9-ns ALDP trajectory and reproduces
// the basin populations stated in its README (αR 0.455, β 0.545, αL 0.0001).
func TestReferenceMDBasins(t *testing.T) {
	frames, n, err := traj.ReadNPY(filepath.Join(sharedDir(t), "md/aldp_s11.npy"))
	require.NoError(t, err)
	require.Equal(t, 22, n)
	require.Len(t, frames, 8973)
	phi, psi, _ := BackboneTorsions(aldpTopology())
	ph, ps := Column(frames, phi[0]), Column(frames, psi[0])
	b := BasinPopulations(ph, ps)
	assert.InDelta(t, 0.455, b.AlphaR, 0.0006)
	assert.InDelta(t, 0.545, b.Beta, 0.0006)
	assert.InDelta(t, 0.0001, b.AlphaL, 0.00006)
	assert.Equal(t, []byte("L"), Chirality(frames[100], Stereocentres(aldpTopology())))

	r := NewRamachandran(ph, ps, 36)
	out := filepath.Join(t.TempDir(), "rama.png")
	require.NoError(t, r.SavePNG(out, "ALDP reference", 0, 0))
	checkPNG(t, out)
}

func checkPNG(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	img, err := png.Decode(bytes.NewReader(b))
	require.NoError(t, err)
	assert.Greater(t, img.Bounds().Dx(), 100)
}

func TestRamachandranHistogram(t *testing.T) {
	// 4 samples in the cell containing (−55°, −45°), 2 in (−145°, 155°),
	// 1 in (65°, 45°); wrapped angles land in the same cells.
	phi := []float64{-55, -54, -56 + 360, -55, -145, -145, 65}
	psi := []float64{-45, -44, -45, -46 - 360, 155, 156, 45}
	for i := range phi {
		phi[i] *= deg
		psi[i] *= deg
	}
	r := NewRamachandran(phi, psi, 36) // 10° cells
	cell := func(a float64) int { return int((a + 180) / 10) }
	assert.Equal(t, 4, r.Counts[cell(-55)][cell(-45)])
	assert.Equal(t, 2, r.Counts[cell(-145)][cell(155)])
	assert.Equal(t, 0.0, r.F[cell(-55)][cell(-45)])
	assert.InDelta(t, math.Ln2, r.F[cell(-145)][cell(155)], 1e-15)
	assert.InDelta(t, math.Log(4), r.F[cell(65)][cell(45)], 1e-15)
	assert.True(t, math.IsInf(r.F[0][0], 1))
	assert.Equal(t, 7, r.N)
	b := BasinPopulations(phi, psi)
	assert.InDelta(t, 4.0/7, b.AlphaR, 1e-15)
	assert.InDelta(t, 2.0/7, b.Beta, 1e-15)
	assert.InDelta(t, 1.0/7, b.AlphaL, 1e-15)
	out := filepath.Join(t.TempDir(), "r.png")
	require.NoError(t, r.SavePNG(out, "test", 4, 0))
	checkPNG(t, out)
}
