package mjc

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

// sphereOnPlane builds a free sphere of radius 0.1 (density 1000) above a
// ground plane, MuJoCo's defaults otherwise (timestep 0.002, Euler).
func sphereOnPlane(z float64, condim int, solref [2]float64) *Model {
	r := 0.1
	ms := 1000 * 4.0 / 3 * math.Pi * r * r * r
	in := 0.4 * ms * r * r
	return &Model{
		Opt:         DefaultOption(),
		BodyParent:  []int{0, 0},
		BodyPos:     [][3]float64{{}, {0, 0, z}},
		BodyMass:    []float64{0, ms},
		BodyInertia: [][3]float64{{}, {in, in, in}},
		JntType:     []JointType{JointFree},
		JntBody:     []int{1},
		GeomType:    []GeomType{GeomPlane, GeomSphere},
		GeomBody:    []int{0, 1},
		GeomSize:    [][3]float64{{5, 5, 0.1}, {r}},
		GeomCondim:  []int{condim, condim},
		GeomSolref:  [][2]float64{solref, solref},
		GeomSolimp:  [][5]float64{DefaultSolimp, DefaultSolimp},
	}
}

// TestSphereRestingDepth: a free sphere (r 0.1, default solref/solimp,
// h 0.002) settles at MuJoCo 2.2.2's contact distance −0.000367181842 m
// (refgen/sphererest.c), with condim 1 and with the condim-3 pyramid.
func TestSphereRestingDepth(t *testing.T) {
	for _, condim := range []int{1, 3} {
		m := sphereOnPlane(0.1, condim, DefaultSolref)
		require.NoError(t, m.SetConst())
		d := NewData(m)
		for range 5000 {
			require.NoError(t, Step(m, d))
		}
		require.NoError(t, Forward(m, d))
		require.Equal(t, 1, d.Ncon)
		require.Equal(t, contactRows(condim), d.Nefc)
		// MuJoCo printed 9 significant digits.
		require.InDelta(t, -0.000367181842, d.Contact[0].Dist, 1e-11, "condim %d", condim)
		require.Less(t, math.Abs(d.Qvel[2]), 1e-6)
		// The support balances gravity: Σ f_edges (normal) = m g.
		var f [6]float64
		ContactForce(d, 0, &f)
		require.InEpsilon(t, m.BodyMass[1]*9.81, f[0], 1e-5)
	}
}

// TestDropNoBounce drops the sphere from 0.2 m above the floor: with
// dampratio 1 it never separates after the first contact; with dampratio
// 0.1 it bounces.
func TestDropNoBounce(t *testing.T) {
	for _, tc := range []struct {
		dampratio float64
		bounce    bool
	}{{1, false}, {0.1, true}} {
		m := sphereOnPlane(0.3, 3, [2]float64{0.02, tc.dampratio})
		require.NoError(t, m.SetConst())
		d := NewData(m)
		touched := false
		maxGap := 0.0
		for range 1000 {
			require.NoError(t, Step(m, d))
			gap := d.Qpos[2] - 0.1
			if gap < 0 {
				touched = true
			}
			if touched {
				maxGap = math.Max(maxGap, gap)
			}
		}
		require.True(t, touched)
		if tc.bounce {
			require.Greater(t, maxGap, 1e-3, "dampratio %g", tc.dampratio)
		} else {
			require.Less(t, maxGap, 1e-9, "dampratio %g", tc.dampratio)
		}
	}
}

// TestCapsuleIncline: a capsule lying along the slope of an incline (gravity
// tilted by α, friction μ = 0.5) sticks for α < atan μ and slides with
// acceleration g(sin α − μ cos α) above it.
func TestCapsuleIncline(t *testing.T) {
	const mu, g = 0.5, 9.81
	for _, deg := range []float64{15, 20, 35, 45} {
		alpha := deg * math.Pi / 180
		r, h := 0.05, 0.2
		ms, in := capsuleInertia(r, h, 1000)
		s, c := math.Sincos(math.Pi / 4)
		m := &Model{
			Opt:          DefaultOption(),
			BodyParent:   []int{0, 0},
			BodyPos:      [][3]float64{{}, {0, 0, r}},
			BodyQuat:     [][4]float64{{1, 0, 0, 0}, {c, 0, s, 0}}, // capsule axis along world x
			BodyMass:     []float64{0, ms},
			BodyInertia:  [][3]float64{{}, in},
			JntType:      []JointType{JointFree},
			JntBody:      []int{1},
			GeomType:     []GeomType{GeomPlane, GeomCapsule},
			GeomBody:     []int{0, 1},
			GeomSize:     [][3]float64{{5, 5, 0.1}, {r, h}},
			GeomFriction: [][3]float64{{mu, 0.005, 0.0001}, {mu, 0.005, 0.0001}},
		}
		m.Opt.Gravity = [3]float64{g * math.Sin(alpha), 0, -g * math.Cos(alpha)}
		require.NoError(t, m.SetConst())
		d := NewData(m)
		for range 100 { // settle 0.2 s
			require.NoError(t, Step(m, d))
		}
		// Least-squares fit x(t) = c0 + c1·t + ½·a·t² over the next 0.8 s
		// (a sliding pyramidal contact chatters, so a fit is needed).
		x0, t0 := d.Qpos[0], d.Time
		var st [5]float64 // Σt, Σt², Σt³, Σt⁴
		var sx [3]float64 // Σx, Σt·x, Σt²·x
		ncon := 0
		for range 400 {
			require.NoError(t, Step(m, d))
			tt, x := d.Time-t0, d.Qpos[0]-x0
			st[0]++
			st[1] += tt
			st[2] += tt * tt
			st[3] += tt * tt * tt
			st[4] += tt * tt * tt * tt
			sx[0] += x
			sx[1] += tt * x
			sx[2] += tt * tt * x
			ncon = max(ncon, d.Ncon)
		}
		require.Equal(t, 2, ncon)
		acc := 2 * solve3([9]float64{st[0], st[1], st[2], st[1], st[2], st[3], st[2], st[3], st[4]}, sx)[2]
		if alpha < math.Atan(mu) {
			// Soft friction creeps at a small constant speed (a_ref =
			// −B·v balances the regularised force); no acceleration.
			require.Less(t, math.Abs(acc), 1e-3, "α = %g°: acceleration", deg)
			require.Less(t, math.Abs(d.Qvel[0]), 5e-3, "α = %g°: creep speed", deg)
		} else {
			want := g * (math.Sin(alpha) - mu*math.Cos(alpha))
			require.InDelta(t, want, acc, 0.03*want, "α = %g°", deg)
			require.Greater(t, d.Qvel[0], 0.5)
		}
	}
}

// solve3 solves the 3×3 system a·x = b by Cramer's rule.
func solve3(a [9]float64, b [3]float64) [3]float64 {
	det := func(m [9]float64) float64 {
		return m[0]*(m[4]*m[8]-m[5]*m[7]) - m[1]*(m[3]*m[8]-m[5]*m[6]) + m[2]*(m[3]*m[7]-m[4]*m[6])
	}
	d := det(a)
	var x [3]float64
	for c := range 3 {
		m := a
		for r := range 3 {
			m[3*r+c] = b[r]
		}
		x[c] = det(m) / d
	}
	return x
}
