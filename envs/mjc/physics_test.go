package mjc

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// capsuleInertia returns MuJoCo's mass and principal inertia (axis z) of a
// capsule of radius r, half-length h and density rho.
func capsuleInertia(r, h, rho float64) (float64, [3]float64) {
	H := 2 * h
	m := rho * (math.Pi*r*r*H + 4.0/3*math.Pi*r*r*r)
	ms := m * 4 * r / (4*r + 3*H)
	mc := m - ms
	ixx := mc*(3*r*r+H*H)/12 + 0.4*ms*r*r + ms*H*(3*r+2*H)/8
	izz := mc*r*r/2 + 0.4*ms*r*r
	return m, [3]float64{ixx, ixx, izz}
}

// chainModel builds an n-link planar chain of capsules hanging along −z,
// hinges about y at the top of every link; link length 2h, COM at the middle.
func chainModel(n int, h float64) *Model {
	ms, in := capsuleInertia(0.05, h, 1000)
	m := &Model{Opt: DefaultOption()}
	m.BodyParent = []int{0}
	m.BodyPos = [][3]float64{{}}
	m.BodyMass = []float64{0}
	m.BodyInertia = [][3]float64{{}}
	m.BodyIPos = [][3]float64{{}}
	for i := range n {
		m.BodyParent = append(m.BodyParent, i)
		z := 0.0
		if i > 0 {
			z = -2 * h
		}
		m.BodyPos = append(m.BodyPos, [3]float64{0, 0, z})
		m.BodyMass = append(m.BodyMass, ms)
		m.BodyInertia = append(m.BodyInertia, in)
		m.BodyIPos = append(m.BodyIPos, [3]float64{0, 0, -h})
		m.JntType = append(m.JntType, JointHinge)
		m.JntBody = append(m.JntBody, i+1)
		m.JntAxis = append(m.JntAxis, [3]float64{0, 1, 0})
	}
	return m
}

func totalEnergy(d *Data) float64 { return d.Energy[0] + d.Energy[1] }

// TestEnergyConservation: pendulums without damping conserve ½vᵀMv + PE.
// RK4 on a triple pendulum drifts < 1e-6 relative over 10 s at h = 1e-3.
// Semi-implicit Euler is symplectic only when M is constant, so it is
// checked on a single pendulum: bounded O(h) oscillation, no secular growth
// over 100 s.
func TestEnergyConservation(t *testing.T) {
	for _, tc := range []struct {
		name     string
		integ    Integrator
		duration float64
		links    int
	}{{"rk4", RK4, 10, 3}, {"euler", Euler, 100, 1}} {
		t.Run(tc.name, func(t *testing.T) {
			m := chainModel(tc.links, 0.25)
			m.Opt.Timestep = 1e-3
			m.Opt.Integrator = tc.integ
			m.Opt.Enable |= EnableEnergy
			m.DofArmature = []float64{0.01, 0.02, 0.03}[:tc.links]
			require.NoError(t, m.SetConst())
			d := NewData(m)
			for i := range tc.links {
				d.Qpos[i] = []float64{1.2, -0.5, 0.8}[i]
			}
			require.NoError(t, Forward(m, d))
			e0 := totalEnergy(d)
			scale := math.Abs(d.Energy[0]) + 1
			n := int(tc.duration / m.Opt.Timestep)
			var dev []float64
			for k := range n {
				require.NoError(t, Step(m, d))
				if k%100 == 0 {
					require.NoError(t, Forward(m, d))
					dev = append(dev, (totalEnergy(d)-e0)/scale)
				}
			}
			maxDev := 0.0
			for _, v := range dev {
				maxDev = math.Max(maxDev, math.Abs(v))
			}
			if tc.integ == RK4 {
				require.Less(t, maxDev, 1e-6)
				return
			}
			// bounded: the deviation stays O(h) and does not grow
			require.Less(t, maxDev, 0.01)
			require.Greater(t, maxDev, 1e-6, "Euler should show an O(h) energy oscillation")
			q := len(dev) / 4
			first, last := 0.0, 0.0
			for i := range q {
				first = math.Max(first, math.Abs(dev[i]))
				last = math.Max(last, math.Abs(dev[len(dev)-q+i]))
			}
			require.Less(t, last, 2*first+1e-3, "energy deviation grows: first quarter %g, last quarter %g", first, last)
		})
	}
}

// TestMassMatrixFromRNE checks CRB's M against columns of RNE with unit
// accelerations (an independent computation) and qacc_smooth against a
// dense solve, at random states of every reference model.
func TestMassMatrixFromRNE(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, name := range refModels {
		m, _ := loadRefModel(t, "", name)
		m.Opt.Disable |= DisableConstraint
		d := NewData(m)
		for i := range d.Qpos {
			d.Qpos[i] += rng.NormFloat64() * 0.3
		}
		for i := range d.Qvel {
			d.Qvel[i] = rng.NormFloat64()
		}
		require.NoError(t, Forward(m, d))
		nv := m.Nv
		bias := make([]float64, nv)
		col := make([]float64, nv)
		rne(m, d, false, bias)
		for i := range nv {
			clear(d.Qacc)
			d.Qacc[i] = 1
			rne(m, d, true, col)
			for k := range nv {
				want := col[k] - bias[k]
				if k == i {
					want += m.DofArmature[i]
				}
				require.InDeltaf(t, want, d.M[k*nv+i], 1e-10*math.Max(1, math.Abs(want)), "%s M[%d,%d]", name, k, i)
			}
		}
		// M·qacc_smooth = qfrc_smooth
		for k := range nv {
			s := 0.0
			for i := range nv {
				s += d.M[k*nv+i] * d.QaccSmooth[i]
			}
			require.InDeltaf(t, d.QfrcSmooth[k], s, 1e-9*math.Max(1, math.Abs(s)), "%s residual %d", name, k)
		}
	}
}

// TestMomentumConservation: a free-floating Ant and Humanoid (gravity off,
// no constraints, armature 0) driven by random constant joint torques keep
// their total linear and angular momentum about the COM, and the COM moves
// on a straight line (RK4, h = 2.5e-4, 1 s; at h = 1e-3 the light limbs
// give RK4 errors of a few 1e-7).
func TestMomentumConservation(t *testing.T) {
	for _, name := range []string{"ant", "humanoid"} {
		t.Run(name, func(t *testing.T) {
			m, _ := loadRefModel(t, "", name)
			m.Opt.Gravity = [3]float64{}
			m.Opt.Disable |= DisableConstraint
			m.Opt.Integrator = RK4
			m.Opt.Timestep = 2.5e-4
			// armature 0 (MuJoCo's armature has no reaction on the parent); no
			// damping: with armature 0 the Ant's light legs make joint damping
			// stiff (timescale ≈ h), which RK4 would resolve poorly.
			clear(m.DofArmature)
			clear(m.DofDamping)
			require.NoError(t, m.SetConst())
			d := NewData(m)
			rng := rand.New(rand.NewPCG(5, 6))
			for i := range d.Ctrl {
				// torque ≈ M0·U(−1, 1): joint accelerations O(1 rad/s²)
				dof := m.JntDofAdr[m.ActTrnID[i]]
				d.Ctrl[i] = m.DofM0[dof] * (rng.Float64()*2 - 1) / m.ActGear[i]
			}
			for i := range d.Qvel {
				d.Qvel[i] = 0.5 * rng.NormFloat64()
			}
			mom := func() ([6]float64, [3]float64) {
				require.NoError(t, Forward(m, d))
				var h [6]float64
				for b := 1; b < m.Nbody; b++ {
					var f [6]float64
					mulInertVec(&f, &d.Cinert[b], &d.Cvel[b])
					for r := range 6 {
						h[r] += f[r]
					}
				}
				return h, d.SubtreeCom[0]
			}
			h0, c0 := mom()
			mtot := m.BodySubtreeMass[0]
			vcom := [3]float64{h0[3] / mtot, h0[4] / mtot, h0[5] / mtot}
			for k := range 4000 {
				require.NoError(t, Step(m, d))
				if k%400 == 399 {
					h, c := mom()
					for r := range 6 {
						require.InDeltaf(t, h0[r], h[r], 1e-7*(1+math.Abs(h0[r])), "%s momentum[%d] at step %d", name, r, k)
					}
					tt := d.Time
					for r := range 3 {
						require.InDeltaf(t, c0[r]+vcom[r]*tt, c[r], 1e-8, "COM straight line")
					}
				}
			}
		})
	}
}

// completeEllipticK returns K(k) by the arithmetic–geometric mean.
func completeEllipticK(k float64) float64 {
	a, b := 1.0, math.Sqrt(1-k*k)
	for range 40 {
		a, b = (a+b)/2, math.Sqrt(a*b)
	}
	return math.Pi / (2 * a)
}

// TestPendulumPeriod: a capsule pendulum released from θ0 swings with
// period 4·sqrt(I_pivot/(m g d))·K(sin(θ0/2)).
func TestPendulumPeriod(t *testing.T) {
	for _, th0 := range []float64{0.1, 1.0, 2.5} {
		m := chainModel(1, 0.3)
		m.Opt.Timestep = 1e-4
		m.Opt.Integrator = RK4
		require.NoError(t, m.SetConst())
		d := NewData(m)
		d.Qpos[0] = th0
		ms, dd := m.BodyMass[1], 0.3
		ipivot := m.BodyInertia[1][1] + ms*dd*dd
		T := 4 * math.Sqrt(ipivot/(ms*9.81*dd)) * completeEllipticK(math.Sin(th0/2))
		// time of the first return to the turning point: qvel changes sign
		// from positive to negative after a full swing; interpolate.
		var crossings []float64
		prevV := d.Qvel[0]
		prevT := d.Time
		for d.Time < 1.6*T {
			require.NoError(t, Step(m, d))
			v := d.Qvel[0]
			if prevV > 0 && v <= 0 {
				crossings = append(crossings, prevT+(d.Time-prevT)*prevV/(prevV-v))
			}
			prevV, prevT = v, d.Time
		}
		require.Len(t, crossings, 1, "θ0 = %g", th0)
		require.InDeltaf(t, T, crossings[0], 1e-6*T, "θ0 = %g: period %g, analytic %g", th0, crossings[0], T)
	}
}

func freeBodyModel(inertia [3]float64) *Model {
	m := &Model{
		Opt:         DefaultOption(),
		BodyParent:  []int{0, 0},
		BodyPos:     [][3]float64{{}, {0, 0, 1}},
		BodyMass:    []float64{0, 2},
		BodyInertia: [][3]float64{{}, inertia},
		JntType:     []JointType{JointFree},
		JntBody:     []int{1},
	}
	return m
}

// TestProjectile: RK4 reproduces z0 + v0 t − ½gt² to round-off;
// semi-implicit Euler has exactly the offset −½ g h t.
func TestProjectile(t *testing.T) {
	for _, integ := range []Integrator{RK4, Euler} {
		m := freeBodyModel([3]float64{0.1, 0.2, 0.3})
		m.Opt.Integrator = integ
		m.Opt.Timestep = 0.01
		require.NoError(t, m.SetConst())
		d := NewData(m)
		v0 := [3]float64{1, -2, 5}
		copy(d.Qvel, v0[:])
		d.Qvel[3], d.Qvel[4], d.Qvel[5] = 0.3, -0.2, 0.1
		g := 9.81
		for range 200 {
			require.NoError(t, Step(m, d))
		}
		tt := d.Time
		z := 1 + v0[2]*tt - 0.5*g*tt*tt
		if integ == Euler {
			z -= 0.5 * g * m.Opt.Timestep * tt
		}
		require.InDelta(t, v0[0]*tt, d.Qpos[0], 1e-12)
		require.InDelta(t, v0[1]*tt, d.Qpos[1], 1e-12)
		require.InDelta(t, z, d.Qpos[2], 1e-11, "integrator %d", integ)
		require.InDelta(t, v0[2]-g*tt, d.Qvel[2], 1e-11)
	}
}

// TestTorqueFreeBody: an asymmetric free body spinning near its
// intermediate axis follows Euler's equations (integrated independently),
// conserves energy and |L|, and flips.
func TestTorqueFreeBody(t *testing.T) {
	I := [3]float64{1, 2, 3}
	m := freeBodyModel(I)
	m.Opt.Gravity = [3]float64{}
	m.Opt.Integrator = RK4
	m.Opt.Timestep = 1e-3
	require.NoError(t, m.SetConst())
	d := NewData(m)
	w := [3]float64{0.01, 2, 0.01}
	d.Qvel[3], d.Qvel[4], d.Qvel[5] = w[0], w[1], w[2]
	// reference: Euler's equations I ω̇ = (Iω) × ω, RK4 with a 10× finer step
	euler := func(w [3]float64) [3]float64 {
		return [3]float64{
			(I[1] - I[2]) * w[1] * w[2] / I[0],
			(I[2] - I[0]) * w[2] * w[0] / I[1],
			(I[0] - I[1]) * w[0] * w[1] / I[2],
		}
	}
	axpy := func(a [3]float64, s float64, b [3]float64) [3]float64 {
		return [3]float64{a[0] + s*b[0], a[1] + s*b[1], a[2] + s*b[2]}
	}
	ref := w
	hr := m.Opt.Timestep / 10
	energy := func(w [3]float64) float64 { return 0.5 * (I[0]*w[0]*w[0] + I[1]*w[1]*w[1] + I[2]*w[2]*w[2]) }
	angmom := func(w [3]float64) float64 {
		return math.Sqrt(I[0]*I[0]*w[0]*w[0] + I[1]*I[1]*w[1]*w[1] + I[2]*I[2]*w[2]*w[2])
	}
	e0, l0 := energy(w), angmom(w)
	flipped := false
	for range 10000 { // 10 s
		require.NoError(t, Step(m, d))
		for range 10 {
			k1 := euler(ref)
			k2 := euler(axpy(ref, hr/2, k1))
			k3 := euler(axpy(ref, hr/2, k2))
			k4 := euler(axpy(ref, hr, k3))
			for r := range 3 {
				ref[r] += hr / 6 * (k1[r] + 2*k2[r] + 2*k3[r] + k4[r])
			}
		}
		wb := [3]float64{d.Qvel[3], d.Qvel[4], d.Qvel[5]}
		for r := range 3 {
			require.InDelta(t, ref[r], wb[r], 1e-6, "ω[%d] at t = %g", r, d.Time)
		}
		require.InDelta(t, e0, energy(wb), 1e-9*e0)
		require.InDelta(t, l0, angmom(wb), 1e-9*l0)
		if wb[1] < -1 {
			flipped = true
		}
	}
	require.True(t, flipped, "the intermediate-axis flip did not appear in 10 s")
}

// TestCartPoleClosedForm compares M and the bias with the closed-form
// cart-pole equations (InvertedPendulum geometry, damping removed).
func TestCartPoleClosedForm(t *testing.T) {
	const (
		mc, mp = 1.3, 0.7
		l      = 0.4 // pole COM distance from the hinge
		ip     = 0.02
	)
	m := &Model{
		Opt:         DefaultOption(),
		BodyParent:  []int{0, 0, 1},
		BodyPos:     [][3]float64{{}, {}, {}},
		BodyMass:    []float64{0, mc, mp},
		BodyInertia: [][3]float64{{}, {0.01, 0.01, 0.01}, {ip, ip, ip}},
		BodyIPos:    [][3]float64{{}, {}, {0, 0, l}},
		JntType:     []JointType{JointSlide, JointHinge},
		JntBody:     []int{1, 2},
		JntAxis:     [][3]float64{{1, 0, 0}, {0, 1, 0}},
	}
	require.NoError(t, m.SetConst())
	d := NewData(m)
	rng := rand.New(rand.NewPCG(7, 8))
	for range 20 {
		x, th := rng.NormFloat64(), rng.NormFloat64()*2
		xd, thd := rng.NormFloat64(), rng.NormFloat64()*3
		d.Qpos[0], d.Qpos[1], d.Qvel[0], d.Qvel[1] = x, th, xd, thd
		require.NoError(t, Forward(m, d))
		// pole COM: (x + l sin θ, 0, l cos θ) for a rotation about +y
		s, c := math.Sin(th), math.Cos(th)
		M := [4]float64{mc + mp, mp * l * c, mp * l * c, ip + mp*l*l}
		bias := [2]float64{-mp * l * s * thd * thd, -mp * 9.81 * l * s}
		for k := range 4 {
			require.InDelta(t, M[k], d.M[k], 1e-12)
		}
		require.InDelta(t, bias[0], d.QfrcBias[0], 1e-12)
		require.InDelta(t, bias[1], d.QfrcBias[1], 1e-12)
	}
}
