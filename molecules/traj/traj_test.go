package traj

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/boltzflow/boltzflow/molecules"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func randomFrames(nFrames, nAtoms int, seed uint64) [][]float64 {
	rnd := rand.New(rand.NewPCG(seed, 3))
	fr := make([][]float64, nFrames)
	for i := range fr {
		fr[i] = make([]float64, 3*nAtoms)
		for j := range fr[i] {
			fr[i][j] = 2 * rnd.NormFloat64()
		}
	}
	return fr
}

// assertFramesClose checks frames agree within tol (nm).
func assertFramesClose(t *testing.T, want, got [][]float64, tol float64) {
	t.Helper()
	require.Len(t, got, len(want))
	for i := range want {
		require.Len(t, got[i], len(want[i]))
		for j := range want[i] {
			if math.Abs(want[i][j]-got[i][j]) > tol {
				t.Fatalf("frame %d coordinate %d: got %v, want %v (tol %g)", i, j, got[i][j], want[i][j], tol)
			}
		}
	}
}

// f32 rounds each coordinate to float32 as the binary formats store them.
func f32(frames [][]float64, scale float64) [][]float64 {
	out := make([][]float64, len(frames))
	for i, f := range frames {
		out[i] = make([]float64, len(f))
		for j, x := range f {
			out[i][j] = float64(float32(x*scale)) / scale
		}
	}
	return out
}

func TestNPYRoundTrip(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct{ frames, atoms int }{{0, 22}, {1, 1}, {17, 22}, {5, 63}} {
		fr := randomFrames(tc.frames, tc.atoms, 1)
		p := filepath.Join(dir, "a.npy")
		require.NoError(t, WriteNPY(p, fr, tc.atoms))
		got, n, err := ReadNPY(p)
		require.NoError(t, err)
		assert.Equal(t, tc.atoms, n)
		assertFramesClose(t, f32(fr, 1), got, 0) // exact float32 values

		// Streaming writer gives the same array.
		q := filepath.Join(dir, fmt.Sprintf("b%d-%d.npy", tc.frames, tc.atoms))
		w, err := NewNPYWriter(q, tc.atoms)
		require.NoError(t, err)
		_, err = os.Stat(q)
		assert.True(t, os.IsNotExist(err), "file must not appear before Close")
		for _, f := range fr {
			require.NoError(t, w.Write(f))
		}
		require.NoError(t, w.Close())
		got2, _, err := ReadNPY(q)
		require.NoError(t, err)
		assertFramesClose(t, got, got2, 0)
	}
}

// TestNPYHeader checks the exact NumPy format-1.0 layout numpy.load expects.
func TestNPYHeader(t *testing.T) {
	p := filepath.Join(t.TempDir(), "h.npy")
	require.NoError(t, WriteNPY(p, randomFrames(3, 2, 1), 2))
	b, err := os.ReadFile(p)
	require.NoError(t, err)
	assert.Equal(t, "\x93NUMPY\x01\x00", string(b[:8]))
	hlen := int(binary.LittleEndian.Uint16(b[8:10]))
	assert.Zero(t, (10+hlen)%64, "header must be padded to a multiple of 64")
	h := string(b[10 : 10+hlen])
	assert.True(t, strings.HasPrefix(h, "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2, 3), }"), h)
	assert.True(t, strings.HasSuffix(h, "\n"))
	assert.Equal(t, 10+hlen+3*2*3*4, len(b))
	// First value is the float32 little-endian of frame 0, atom 0, x.
	assert.Equal(t, float32(randomFrames(3, 2, 1)[0][0]), math.Float32frombits(binary.LittleEndian.Uint32(b[10+hlen:])))
}

func TestNPYBadInput(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct{ name, content, msg string }{
		{"magic", "hello world, not numpy", "bad magic"},
		{"descr", "\x93NUMPY\x01\x00" + "\x3c\x00" + "{'descr': '<i4', 'fortran_order': False, 'shape': (1, 1, 3), }   \n", "descr"},
		{"shape", "\x93NUMPY\x01\x00" + "\x3c\x00" + "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 3), }      \n", "shape"},
		{"truncated", "\x93NUMPY\x01\x00" + "\x3c\x00" + "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 1, 3), }   \n" + "\x00\x00\x00\x00", "truncated"},
	} {
		p := filepath.Join(dir, tc.name+".npy")
		require.NoError(t, os.WriteFile(p, []byte(tc.content), 0o644))
		_, _, err := ReadNPY(p)
		require.Error(t, err, tc.name)
		assert.Contains(t, err.Error(), tc.msg, tc.name)
		assert.Contains(t, err.Error(), p, tc.name)
	}
}

func TestDCDRoundTrip(t *testing.T) {
	dir := t.TempDir()
	fr := randomFrames(12, 22, 2)
	p := filepath.Join(dir, "t.dcd")
	info := DCDInfo{Timestep: 0.001, SaveEvery: 1000, FirstStep: 1000, Title: "aldp test"}
	require.NoError(t, WriteDCD(p, fr, 22, info))
	got, n, gi, err := ReadDCD(p)
	require.NoError(t, err)
	assert.Equal(t, 22, n)
	assert.Equal(t, info.SaveEvery, gi.SaveEvery)
	assert.Equal(t, info.FirstStep, gi.FirstStep)
	assert.InDelta(t, info.Timestep, gi.Timestep, 1e-9)
	assert.Equal(t, "aldp test", gi.Title)
	assertFramesClose(t, f32(fr, 10), got, 1e-12)

	// Byte layout checked against the CHARMM format as VMD's dcdplugin
	// reads it: 84-byte header record with 'CORD', NSET at icntrl[0],
	// version 24 at icntrl[19], no unit cell; title record; atom count;
	// then per frame three records of N float32 (Å).
	b, err := os.ReadFile(p)
	require.NoError(t, err)
	le := binary.LittleEndian
	assert.Equal(t, uint32(84), le.Uint32(b[0:]))
	assert.Equal(t, "CORD", string(b[4:8]))
	assert.Equal(t, uint32(12), le.Uint32(b[8:]))      // NSET
	assert.Equal(t, uint32(0), le.Uint32(b[8+4*10:]))  // unit-cell flag
	assert.Equal(t, uint32(24), le.Uint32(b[8+4*19:])) // CHARMM version
	assert.Equal(t, uint32(84), le.Uint32(b[88:]))
	tl := int(le.Uint32(b[92:]))
	assert.Zero(t, (tl-4)%80)
	off := 92 + 4 + tl + 4
	assert.Equal(t, uint32(4), le.Uint32(b[off:]))
	assert.Equal(t, uint32(22), le.Uint32(b[off+4:]))
	off += 12
	assert.Equal(t, uint32(4*22), le.Uint32(b[off:]))
	assert.Equal(t, float32(10*fr[0][0]), math.Float32frombits(le.Uint32(b[off+4:])))
	assert.Equal(t, float32(10*fr[0][3]), math.Float32frombits(le.Uint32(b[off+8:])))
	assert.Equal(t, off+12*3*(4*22+8), len(b))

	// A truncated file (crash while writing a frame) yields the complete
	// frames plus an error naming the frame.
	require.NoError(t, os.WriteFile(p, b[:len(b)-10], 0o644))
	_, _, _, err = ReadDCD(p)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "frame 11")
}

func TestXYZRoundTrip(t *testing.T) {
	p := filepath.Join(t.TempDir(), "t.xyz")
	sym := []string{"C", "H", "O", "N"}
	fr := randomFrames(3, 4, 3)
	require.NoError(t, WriteXYZ(p, sym, fr, []string{"frame 0", "frame 1"}))
	gs, got, com, err := ReadXYZ(p)
	require.NoError(t, err)
	assert.Equal(t, sym, gs)
	assert.Equal(t, []string{"frame 0", "frame 1", ""}, com)
	assertFramesClose(t, fr, got, 5e-8) // 6 decimals in Å

	require.NoError(t, os.WriteFile(p, []byte("2\nc\nC 0 0 0\nH 1 x 0\n"), 0o644))
	_, _, _, err = ReadXYZ(p)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "t.xyz:4")
}

func smallTopology() *molecules.Topology {
	top := &molecules.Topology{}
	c := top.AddChain("A")
	el := func(s string) molecules.Element { e, _ := molecules.ElementBySymbol(s); return e }
	r := top.AddResidue("ACE", "1", c)
	for _, n := range []string{"HH31", "CH3", "HH32", "HH33", "C", "O"} {
		top.AddAtom(n, el(n[:1]), r)
	}
	r = top.AddResidue("ALA", "2", c)
	for _, n := range []string{"N", "H", "CA"} {
		top.AddAtom(n, el(n[:1]), r)
	}
	return top
}

func TestPDBRoundTrip(t *testing.T) {
	dir := t.TempDir()
	top := smallTopology()
	fr := randomFrames(4, 9, 4)
	p := filepath.Join(dir, "m.pdb")
	require.NoError(t, WritePDB(p, top, fr))
	gtop, got, err := ReadPDBFrames(p)
	require.NoError(t, err)
	assertFramesClose(t, fr, got, 5.0001e-5) // 3 decimals in Å
	require.Equal(t, top.NumAtoms(), gtop.NumAtoms())
	for i, a := range top.Atoms {
		assert.Equal(t, a.Name, gtop.Atoms[i].Name)
		assert.Equal(t, top.Residues[a.Residue].Name, gtop.Residues[gtop.Atoms[i].Residue].Name)
	}

	b, err := os.ReadFile(p)
	require.NoError(t, err)
	lines := strings.Split(string(b), "\n")
	assert.Equal(t, "MODEL        1", lines[0])
	// Columns as in the PDB standard (and the shared aldp.pdb).
	assert.Equal(t, "ATOM      1 HH31 ACE A   1", lines[1][:26])
	assert.Equal(t, "ATOM      2  CH3 ACE A   1", lines[2][:26])
	assert.Equal(t, "ATOM      7  N   ALA A   2", lines[7][:26])
	assert.Equal(t, "N", strings.TrimSpace(lines[7][76:78]))
	assert.Equal(t, 4, strings.Count(string(b), "ENDMDL"))

	// One frame: no MODEL records.
	require.NoError(t, WritePDB(p, top, fr[:1]))
	b, err = os.ReadFile(p)
	require.NoError(t, err)
	assert.NotContains(t, string(b), "MODEL")
	_, got, err = ReadPDBFrames(p)
	require.NoError(t, err)
	assert.Len(t, got, 1)

	require.NoError(t, os.WriteFile(p, []byte("ATOM      1  N   ALA A   1       1.000   abc     0.000  1.00  0.00           N\n"), 0o644))
	_, _, err = ReadPDBFrames(p)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "m.pdb")
}

// TestReadSharedPDB reads the OpenMM reference structure of alanine
// dipeptide and compares with its exact minimised coordinates.
func TestReadSharedPDB(t *testing.T) {
	root := sharedDir(t)
	_, fr, err := ReadPDBFrames(filepath.Join(root, "data/openmm/systems/aldp/aldp.pdb"))
	require.NoError(t, err)
	require.Len(t, fr, 1)
	b, err := os.ReadFile(filepath.Join(root, "data/openmm/systems/aldp/aldp_minimized_positions_nm.txt"))
	require.NoError(t, err)
	var want []float64
	for _, s := range strings.Fields(string(b)) {
		v, err := strconv.ParseFloat(s, 64)
		require.NoError(t, err)
		want = append(want, v)
	}
	assertFramesClose(t, [][]float64{want}, fr, 5.0001e-5)
}

func TestMetadataRoundTrip(t *testing.T) {
	p := filepath.Join(t.TempDir(), "meta.json")
	m := Metadata{System: "aldp", Atoms: 22, TemperatureK: 300, Splits: map[string]int{"train": 8, "val": 1, "test": 1}, ReplicaSeeds: []uint64{1, 2}}
	require.NoError(t, WriteJSON(p, m))
	got, err := ReadMetadata(p)
	require.NoError(t, err)
	assert.Equal(t, m, *got)
	require.NoError(t, os.WriteFile(p, []byte(`{"sytem": "x"}`), 0o644))
	_, err = ReadMetadata(p)
	assert.Error(t, err)
}

func TestAtomicWriteLeavesNoTemp(t *testing.T) {
	dir := t.TempDir()
	w, err := NewNPYWriter(filepath.Join(dir, "x.npy"), 2)
	require.NoError(t, err)
	require.NoError(t, w.Write(make([]float64, 6)))
	w.Abort()
	ents, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Empty(t, ents)
}

func TestNPYAppender(t *testing.T) {
	p := filepath.Join(t.TempDir(), "r.npy")
	fr := randomFrames(10, 3, 7)
	a, err := OpenNPYAppender(p, 3, 0)
	require.NoError(t, err)
	for _, f := range fr[:6] {
		require.NoError(t, a.Append(f))
	}
	require.NoError(t, a.Sync())
	got, _, err := ReadNPY(p) // readable after every Sync
	require.NoError(t, err)
	assertFramesClose(t, f32(fr[:6], 1), got, 0)
	require.NoError(t, a.Append(fr[6])) // lost in a "crash" (no Sync, reopened keeping 4)
	require.NoError(t, a.f.Close())

	a, err = OpenNPYAppender(p, 3, 4)
	require.NoError(t, err)
	assert.Equal(t, 4, a.Frames())
	for _, f := range fr[4:] {
		require.NoError(t, a.Append(f))
	}
	require.NoError(t, a.Close())
	got, _, err = ReadNPY(p)
	require.NoError(t, err)
	assertFramesClose(t, f32(fr, 1), got, 0)

	_, err = OpenNPYAppender(p, 5, 0)
	assert.ErrorContains(t, err, "atoms")
	_, err = OpenNPYAppender(p, 3, 11)
	assert.ErrorContains(t, err, "fewer than 11")
}
