package collide

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var eye = [9]float64{1, 0, 0, 0, 1, 0, 0, 0, 1}

// rotY returns the rotation by angle a about world y (row-major).
func rotY(a float64) [9]float64 {
	s, c := math.Sincos(a)
	return [9]float64{c, 0, s, 0, 1, 0, -s, 0, c}
}

// randRot returns a random rotation matrix (from a random unit quaternion).
func randRot(rng *rand.Rand) [9]float64 {
	q := [4]float64{rng.NormFloat64(), rng.NormFloat64(), rng.NormFloat64(), rng.NormFloat64()}
	n := math.Sqrt(q[0]*q[0] + q[1]*q[1] + q[2]*q[2] + q[3]*q[3])
	w, x, y, z := q[0]/n, q[1]/n, q[2]/n, q[3]/n
	return [9]float64{
		1 - 2*(y*y+z*z), 2 * (x*y - w*z), 2 * (x*z + w*y),
		2 * (x*y + w*z), 1 - 2*(x*x+z*z), 2 * (y*z - w*x),
		2 * (x*z - w*y), 2 * (y*z + w*x), 1 - 2*(x*x+y*y),
	}
}

func norm(v [3]float64) float64 { return math.Sqrt(dot(v, v)) }

func TestPlaneSphere(t *testing.T) {
	for _, tc := range []struct {
		name   string
		z      float64
		margin float64
		want   int
	}{
		{"penetrating", 0.099, 0, 1},
		{"touching", 0.1, 0, 1},
		{"separated", 0.101, 0, 0},
		{"within margin", 0.105, 0.01, 1},
		{"beyond margin", 0.111, 0.01, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var dst [MaxContacts]Contact
			n := PlaneSphere(dst[:], tc.margin, [3]float64{0, 0, 0}, &eye, [3]float64{0.3, -0.2, tc.z}, 0.1)
			require.Equal(t, tc.want, n)
			if n == 0 {
				return
			}
			c := dst[0]
			assert.InDelta(t, tc.z-0.1, c.Dist, 1e-15)
			assert.InDeltaSlice(t, []float64{0.3, -0.2, (tc.z - 0.1) / 2}, c.Pos[:], 1e-15)
			assert.Equal(t, [9]float64{0, 0, 1}, c.Frame)
		})
	}
}

func TestPlaneSphereTilted(t *testing.T) {
	// A plane tilted by 0.3 rad about y: the distance is measured along its normal.
	mat := rotY(0.3)
	var dst [1]Contact
	p := [3]float64{1, 2, 3}
	n := zAxis(&mat)
	c := addScl(p, n, 0.05)
	c = addScl(c, [3]float64{mat[0], mat[3], mat[6]}, 0.7) // move along the plane
	require.Equal(t, 1, PlaneSphere(dst[:], 0, p, &mat, c, 0.06))
	assert.InDelta(t, -0.01, dst[0].Dist, 1e-14)
	wp := addScl(c, n, -0.055)
	assert.InDeltaSlice(t, wp[:], dst[0].Pos[:], 1e-14)
}

func TestPlaneCapsule(t *testing.T) {
	// A horizontal capsule (axis along world x) resting 1 mm into the floor.
	capMat := rotY(math.Pi / 2)
	var dst [MaxContacts]Contact
	n := PlaneCapsule(dst[:], 0, [3]float64{}, &eye, [3]float64{0, 0, 0.049}, &capMat, 0.05, 0.2)
	require.Equal(t, 2, n)
	for i, x := range []float64{0.2, -0.2} {
		assert.InDelta(t, -0.001, dst[i].Dist, 1e-15)
		assert.InDeltaSlice(t, []float64{x, 0, -0.0005}, dst[i].Pos[:], 1e-15)
		assert.InDeltaSlice(t, []float64{0, 0, 1, 1, 0, 0, 0, 0, 0}, dst[i].Frame[:], 1e-15)
	}
	// Tilted 30°: only the lower end touches.
	capMat = rotY(math.Pi/2 - math.Pi/6)
	n = PlaneCapsule(dst[:], 0, [3]float64{}, &eye, [3]float64{0, 0, 0.1}, &capMat, 0.05, 0.2)
	require.Equal(t, 1, n)
	assert.InDelta(t, 0.1-0.2*math.Sin(math.Pi/6)-0.05, dst[0].Dist, 1e-15)
}

func TestSphereSphere(t *testing.T) {
	var dst [1]Contact
	z := [3]float64{0, 0, 1}
	require.Equal(t, 1, SphereSphere(dst[:], 0.3, [3]float64{0, 0, 0}, z, 0.1, [3]float64{0.3, 0.4, 0}, z, 0.2))
	c := dst[0]
	assert.InDelta(t, 0.5-0.3, c.Dist, 1e-15)
	assert.InDeltaSlice(t, []float64{0.6, 0.8, 0}, c.Frame[:3], 1e-15)
	assert.InDeltaSlice(t, []float64{0.6 * 0.2, 0.8 * 0.2, 0}, c.Pos[:], 1e-15) // r1 + dist/2 = 0.2 along n
	require.Equal(t, 0, SphereSphere(dst[:], 0.1, [3]float64{0, 0, 0}, z, 0.1, [3]float64{0.3, 0.4, 0}, z, 0.1))
	// Coincident centres: normal = z1 × z2.
	require.Equal(t, 1, SphereSphere(dst[:], 0, [3]float64{}, [3]float64{1, 0, 0}, 0.1, [3]float64{}, [3]float64{0, 1, 0}, 0.1))
	assert.Equal(t, [3]float64{0, 0, 1}, [3]float64{dst[0].Frame[0], dst[0].Frame[1], dst[0].Frame[2]})
	assert.InDelta(t, -0.2, dst[0].Dist, 1e-15)
}

func TestSphereCapsule(t *testing.T) {
	var dst [1]Contact
	capMat := eye // axis z, segment z in [−0.3, 0.3]
	for _, tc := range []struct {
		name string
		c    [3]float64
		dist float64
		n    [3]float64
	}{
		{"side", [3]float64{0.25, 0, 0.1}, 0.25 - 0.15, [3]float64{-1, 0, 0}},
		{"beyond end", [3]float64{0, 0, 0.6}, 0.3 - 0.15, [3]float64{0, 0, -1}},
		{"beyond other end", [3]float64{0.3, 0, -0.7}, 0.5 - 0.15, [3]float64{-0.6, 0, 0.8}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, 1, SphereCapsule(dst[:], 0.5, tc.c, &eye, 0.1, [3]float64{}, &capMat, 0.05, 0.3))
			assert.InDelta(t, tc.dist, dst[0].Dist, 1e-14)
			assert.InDeltaSlice(t, tc.n[:], dst[0].Frame[:3], 1e-14)
		})
	}
}

// segDist returns the minimum distance between two segments by dense
// sampling refined by ternary search on one parameter (an independent check
// of the closed-form closest points).
func segDist(c1, a1, c2, a2 [3]float64) float64 {
	best := math.Inf(1)
	f := func(x1 float64) float64 {
		p := addScl(c1, a1, x1)
		// closest point of segment 2 to p
		mc := dot(a2, a2)
		x2 := 0.0
		if mc > 0 {
			x2 = clamp1(dot(a2, sub(p, c2)) / mc)
		}
		return norm(sub(p, addScl(c2, a2, x2)))
	}
	for i := 0; i <= 2000; i++ {
		best = math.Min(best, f(-1+2*float64(i)/2000))
	}
	// the distance is convex in x1: refine
	lo, hi := -1.0, 1.0
	for range 200 {
		m1, m2 := lo+(hi-lo)/3, hi-(hi-lo)/3
		if f(m1) < f(m2) {
			hi = m2
		} else {
			lo = m1
		}
	}
	return math.Min(best, f((lo+hi)/2))
}

func TestCapsuleCapsuleRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 300 {
		m1, m2 := randRot(rng), randRot(rng)
		c1 := [3]float64{rng.Float64() - 0.5, rng.Float64() - 0.5, rng.Float64() - 0.5}
		c2 := [3]float64{rng.Float64() - 0.5, rng.Float64() - 0.5, rng.Float64() - 0.5}
		r1, r2 := 0.05+0.1*rng.Float64(), 0.05+0.1*rng.Float64()
		h1, h2 := 0.1+0.3*rng.Float64(), 0.1+0.3*rng.Float64()
		var dst [MaxContacts]Contact
		n := CapsuleCapsule(dst[:], 10, c1, &m1, r1, h1, c2, &m2, r2, h2)
		require.Equal(t, 1, n, "case %d", i)
		a1, a2 := zAxis(&m1), zAxis(&m2)
		want := segDist(c1, [3]float64{a1[0] * h1, a1[1] * h1, a1[2] * h1}, c2, [3]float64{a2[0] * h2, a2[1] * h2, a2[2] * h2}) - r1 - r2
		require.InDelta(t, want, dst[0].Dist, 1e-9, "case %d", i)
		nrm := [3]float64{dst[0].Frame[0], dst[0].Frame[1], dst[0].Frame[2]}
		require.InDelta(t, 1, norm(nrm), 1e-12)
		// The contact point minus half the distance along n lies on capsule 1's surface.
		p1 := addScl(dst[0].Pos, nrm, -dst[0].Dist/2)
		x := clamp1(dot(a1, sub(p1, c1)) / h1)
		require.InDelta(t, r1, norm(sub(p1, addScl(c1, a1, x*h1))), 1e-9, "case %d", i)
		// Swapping the capsules gives the same distance and the opposite normal.
		var sw [MaxContacts]Contact
		require.Equal(t, 1, CapsuleCapsule(sw[:], 10, c2, &m2, r2, h2, c1, &m1, r1, h1))
		require.InDelta(t, dst[0].Dist, sw[0].Dist, 1e-12)
		require.InDeltaSlice(t, []float64{-nrm[0], -nrm[1], -nrm[2]}, sw[0].Frame[:3], 1e-9)
	}
}

func TestCapsuleCapsuleParallel(t *testing.T) {
	var dst [MaxContacts]Contact
	// Two parallel horizontal capsules side by side, overlapping in x over [0, 0.2].
	m := rotY(math.Pi / 2)
	n := CapsuleCapsule(dst[:], 0, [3]float64{0, 0, 0}, &m, 0.05, 0.2, [3]float64{0.2, 0.09, 0}, &m, 0.05, 0.2)
	require.Equal(t, 2, n)
	for i := range n {
		assert.InDelta(t, -0.01, dst[i].Dist, 1e-14)
		assert.InDeltaSlice(t, []float64{0, 1, 0}, dst[i].Frame[:3], 1e-14)
	}
	xs := []float64{dst[0].Pos[0], dst[1].Pos[0]}
	assert.ElementsMatch(t, []float64{0.2, 0}, []float64{math.Round(xs[0]*1e12) / 1e12, math.Round(xs[1]*1e12) / 1e12})
	// End to end on a common axis: one contact.
	n = CapsuleCapsule(dst[:], 0, [3]float64{0, 0, 0}, &m, 0.05, 0.2, [3]float64{0.49, 0, 0}, &m, 0.05, 0.2)
	require.Equal(t, 1, n)
	assert.InDelta(t, -0.01, dst[0].Dist, 1e-14)
	assert.InDeltaSlice(t, []float64{1, 0, 0}, dst[0].Frame[:3], 1e-14)
}

func TestMakeFrame(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	cases := [][9]float64{{0, 0, 1}, {0, 1, 0}, {0, 0, 2, 1, 0, 0.5}}
	for range 20 {
		cases = append(cases, [9]float64{rng.NormFloat64(), rng.NormFloat64(), rng.NormFloat64(), rng.NormFloat64(), rng.NormFloat64(), rng.NormFloat64()})
	}
	for _, f := range cases {
		n0 := [3]float64{f[0], f[1], f[2]}
		MakeFrame(&f)
		rows := [3][3]float64{{f[0], f[1], f[2]}, {f[3], f[4], f[5]}, {f[6], f[7], f[8]}}
		for i := range 3 {
			for j := range 3 {
				want := 0.0
				if i == j {
					want = 1
				}
				require.InDelta(t, want, dot(rows[i], rows[j]), 1e-12)
			}
		}
		require.InDelta(t, 1, dot(rows[0], n0)/norm(n0), 1e-12)
		cr := cross(rows[0], rows[1])
		require.InDeltaSlice(t, rows[2][:], cr[:], 1e-12)
	}
	f := [9]float64{0, 0, 1}
	MakeFrame(&f)
	assert.Equal(t, [9]float64{0, 0, 1, 0, 1, 0, -1, 0, 0}, f) // MuJoCo's frame for a floor normal
}
