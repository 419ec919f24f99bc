package molecules

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"
)

// zTestMolecule is a branched 12-atom tree (a chain with methyl-like
// branches, so that some entries are stored relative to a sibling) with
// jittered coordinates.
func zTestMolecule(rng *rand.Rand) (int, [][2]int, []float64) {
	bonds := [][2]int{{0, 1}, {1, 2}, {2, 3}, {3, 4}, {1, 5}, {1, 6}, {2, 7}, {2, 8}, {4, 9}, {4, 10}, {4, 11}}
	n := 12
	x := make([]float64, 3*n)
	// Place along a zig-zag with branches, then jitter.
	for i := 0; i < n; i++ {
		x[3*i] = 0.15 * float64(i%5)
		x[3*i+1] = 0.1 * float64(i/5)
		x[3*i+2] = 0.05 * float64(i%3)
	}
	for i := range x {
		x[i] += 0.05 * rng.NormFloat64()
	}
	return n, bonds, x
}

func TestZMatrixRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	n, bonds, x := zTestMolecule(rng)
	z, err := NewZMatrix(n, bonds)
	require.NoError(t, err)
	require.Len(t, z.Entries, n)
	q := make([]float64, 3*n)
	z.Internal(q, x)
	undef := 0
	for _, v := range q {
		if math.IsNaN(v) {
			undef++
		}
	}
	assert.Equal(t, 6, undef, "3N − 6 internal coordinates")
	y := make([]float64, 3*n)
	z.Cartesian(y, q, x)
	for i := range x {
		assert.InDelta(t, x[i], y[i], 1e-12, "coordinate %d", i)
	}
	// Internal coordinates are rotation and translation invariant.
	xr := rotate(x, [3]float64{0.6, 0, 0.8}, 1.1, [3]float64{0.3, -0.2, 0.1})
	qr := make([]float64, 3*n)
	z.Internal(qr, xr)
	for i := range q {
		if !math.IsNaN(q[i]) {
			assert.InDelta(t, q[i], qr[i], 1e-12, "internal %d", i)
		}
	}
}

// TestZMatrixLogVolume checks LogVolume through the Jacobian of a map that
// rescales every internal coordinate: its log|det| in Cartesian
// coordinates must be Σ log s + LogVolume(q') − LogVolume(q).
func TestZMatrixLogVolume(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	n, bonds, x := zTestMolecule(rng)
	z, err := NewZMatrix(n, bonds)
	require.NoError(t, err)
	d := 3 * n
	s := make([]float64, d)
	for i := range s {
		s[i] = 0.6 + 0.5*rng.Float64()
	}
	q0 := make([]float64, d)
	z.Internal(q0, x)
	f := func(dst, x []float64) float64 {
		q := make([]float64, d)
		z.Internal(q, x)
		ld := -z.LogVolume(q)
		for i := range q {
			if !math.IsNaN(q[i]) {
				q[i] = q0[i] + 0.01 + s[i]*(q[i]-q0[i])
				ld += math.Log(s[i])
			}
		}
		ld += z.LogVolume(q)
		z.Cartesian(dst, q, x)
		return ld
	}
	want := f(make([]float64, d), x)
	J := mat.NewDense(d, d, nil)
	yp, ym := make([]float64, d), make([]float64, d)
	const h = 1e-6
	for j := 0; j < d; j++ {
		xp := append([]float64(nil), x...)
		xm := append([]float64(nil), x...)
		xp[j] += h
		xm[j] -= h
		f(yp, xp)
		f(ym, xm)
		for i := 0; i < d; i++ {
			J.Set(i, j, (yp[i]-ym[i])/(2*h))
		}
	}
	var lu mat.LU
	lu.Factorize(J)
	got, _ := lu.LogDet()
	assert.InDelta(t, want, got, 1e-6)
}

func TestZMatrixErrors(t *testing.T) {
	for _, c := range []struct {
		name  string
		n     int
		bonds [][2]int
		msg   string
	}{
		{"too few atoms", 2, [][2]int{{0, 1}}, "at least 3"},
		{"disconnected", 4, [][2]int{{0, 1}, {1, 2}}, "connect 3 of 4"},
		{"out of range", 3, [][2]int{{0, 1}, {1, 3}}, "bond 1"},
		{"self bond", 3, [][2]int{{0, 1}, {1, 1}}, "bond 1"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := NewZMatrix(c.n, c.bonds)
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.msg)
		})
	}
}
