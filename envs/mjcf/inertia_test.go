package mjcf

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/boltzflow/boltzflow/envs/mjc"
)

// sliceIntegrate integrates a solid of revolution about z with radius
// profile rho(z) on [z0, z1] (unit density) by the midpoint rule over thin
// disks: returns volume, Ixx and Izz about the origin.
func sliceIntegrate(rho func(z float64) float64, z0, z1 float64, n int) (vol, ixx, izz float64) {
	h := (z1 - z0) / float64(n)
	for i := 0; i < n; i++ {
		z := z0 + (float64(i)+0.5)*h
		r := rho(z)
		dm := math.Pi * r * r * h
		vol += dm
		izz += dm * r * r / 2
		ixx += dm * (r*r/4 + z*z)
	}
	return
}

// TestGeomInertiaSolidsOfRevolution checks MuJoCo's sphere, capsule and
// cylinder formulas against direct integration of thin disks.
func TestGeomInertiaSolidsOfRevolution(t *testing.T) {
	cases := []struct {
		typ  mjc.GeomType
		size [3]float64
	}{
		{mjc.GeomSphere, [3]float64{0.3}},
		{mjc.GeomCapsule, [3]float64{0.05, 0.2}},
		{mjc.GeomCapsule, [3]float64{0.25, 0.05}},
		{mjc.GeomCylinder, [3]float64{0.1, 0.4}},
	}
	for _, tc := range cases {
		r, hl := tc.size[0], tc.size[1]
		var rho func(z float64) float64
		z1 := r
		switch tc.typ {
		case mjc.GeomSphere:
			rho = func(z float64) float64 { return math.Sqrt(math.Max(0, r*r-z*z)) }
		case mjc.GeomCapsule:
			z1 = hl + r
			rho = func(z float64) float64 {
				if d := math.Abs(z) - hl; d > 0 {
					return math.Sqrt(math.Max(0, r*r-d*d))
				}
				return r
			}
		case mjc.GeomCylinder:
			z1 = hl
			rho = func(float64) float64 { return r }
		}
		vol, ixx, izz := sliceIntegrate(rho, -z1, z1, 400000)
		const density = 7.5
		require.InDelta(t, 1, geomVolume(tc.typ, tc.size)/vol, 1e-7, "%v volume", tc)
		m := density * geomVolume(tc.typ, tc.size)
		in := geomInertia(tc.typ, tc.size, m)
		require.InDelta(t, 1, in[0]/(density*ixx), 1e-7, "%v Ixx", tc)
		require.Equal(t, in[0], in[1], "%v Iyy", tc)
		require.InDelta(t, 1, in[2]/(density*izz), 1e-7, "%v Izz", tc)
	}
}

// TestGeomInertiaBoxEllipsoid checks the box and ellipsoid formulas against
// a midpoint grid over the bounding box.
func TestGeomInertiaBoxEllipsoid(t *testing.T) {
	for _, tc := range []struct {
		typ  mjc.GeomType
		size [3]float64
		tol  float64
	}{
		{mjc.GeomBox, [3]float64{0.1, 0.2, 0.3}, 1e-3},
		{mjc.GeomEllipsoid, [3]float64{0.1, 0.2, 0.3}, 2e-2},
	} {
		const n = 60
		a := tc.size
		var vol float64
		var diag [3]float64
		dv := 8 * a[0] * a[1] * a[2] / (n * n * n)
		for i := 0; i < n; i++ {
			x := -a[0] + (float64(i)+0.5)*2*a[0]/n
			for j := 0; j < n; j++ {
				y := -a[1] + (float64(j)+0.5)*2*a[1]/n
				for k := 0; k < n; k++ {
					z := -a[2] + (float64(k)+0.5)*2*a[2]/n
					if tc.typ == mjc.GeomEllipsoid && x*x/(a[0]*a[0])+y*y/(a[1]*a[1])+z*z/(a[2]*a[2]) > 1 {
						continue
					}
					vol += dv
					diag[0] += dv * (y*y + z*z)
					diag[1] += dv * (x*x + z*z)
					diag[2] += dv * (x*x + y*y)
				}
			}
		}
		require.InDelta(t, 1, geomVolume(tc.typ, tc.size)/vol, tc.tol, "%v volume", tc.typ)
		in := geomInertia(tc.typ, tc.size, geomVolume(tc.typ, tc.size))
		for k := range in {
			require.InDelta(t, 1, in[k]/diag[k], tc.tol, "%v I[%d]", tc.typ, k)
		}
	}
}

// TestPrincipalInertia checks the decomposition reproduces the tensor with
// descending moments and a proper rotation.
func TestPrincipalInertia(t *testing.T) {
	q0, _ := quatNormalize([4]float64{0.3, -0.5, 0.7, 0.2})
	for _, d := range [][3]float64{{1, 2, 3}, {3, 3, 1}, {2, 2, 2}, {5, 1e-6, 4}} {
		tns := globalInertia(d, q0)
		got, q, ok := principalInertia(tns)
		require.True(t, ok)
		require.GreaterOrEqual(t, got[0], got[1])
		require.GreaterOrEqual(t, got[1], got[2])
		back := globalInertia(got, q)
		for k := range tns {
			require.InDelta(t, tns[k], back[k], 1e-14, "d=%v tensor[%d]", d, k)
		}
		m := quatToMat(q)
		det := m[0]*(m[4]*m[8]-m[5]*m[7]) - m[1]*(m[3]*m[8]-m[5]*m[6]) + m[2]*(m[3]*m[7]-m[4]*m[6])
		require.InDelta(t, 1, det, 1e-14)
	}
}
