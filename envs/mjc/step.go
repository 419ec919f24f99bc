package mjc

import (
	"fmt"
	"math"
)

// maxVal is MuJoCo's mjMAXVAL: larger state entries count as diverged.
const maxVal = 1e10

// StateError reports a non-finite or diverged state or acceleration.
type StateError struct {
	// Time is the simulated time of the offending state, s.
	Time float64
	// Field is "qpos", "qvel" or "qacc".
	Field string
	// Index is the offending entry.
	Index int
	// Value is the offending value.
	Value float64
}

func (e *StateError) Error() string {
	return fmt.Sprintf("mjc: bad %s[%d] = %g at time %g", e.Field, e.Index, e.Value, e.Time)
}

func checkVec(field string, x []float64, t float64) error {
	for i, v := range x {
		if !(math.Abs(v) <= maxVal) {
			return &StateError{Time: t, Field: field, Index: i, Value: v}
		}
	}
	return nil
}

// Forward computes every dynamics quantity of the current state of d
// (mj_forward): kinematics, com quantities, M and its factor, collision
// detection, constraint rows (joint limits and contacts), velocities,
// passive, bias and actuator forces, QaccSmooth and the constrained Qacc.
// It returns an error only if the mass matrix is not positive definite.
func Forward(m *Model, d *Data) error {
	return forward(m, d, collision)
}

// forward is Forward with the collision stage as a parameter (tests feed
// reference contacts through it).
func forward(m *Model, d *Data, collide func(m *Model, d *Data)) error {
	kinematics(m, d)
	comPos(m, d)
	crb(m, d)
	if err := factorM(m, &d.qM, &d.qLD); err != nil {
		return fmt.Errorf("mjc: at time %g: %w", d.Time, err)
	}
	energy := m.Opt.Enable&EnableEnergy != 0
	if energy {
		energyPos(m, d)
	}
	d.Ncon = 0
	if m.Opt.Disable&(DisableConstraint|DisableContact) == 0 {
		collide(m, d)
	}
	makeConstraint(m, d)
	comVel(m, d)
	passive(m, d)
	referenceConstraint(m, d)
	rne(m, d, false, d.QfrcBias)
	if energy {
		energyVel(m, d)
	}
	actuation(m, d)
	nv := m.Nv
	for i := range nv {
		d.QfrcSmooth[i] = d.QfrcPassive[i] - d.QfrcBias[i] + d.QfrcActuator[i] + d.QfrcApplied[i]
	}
	for b := 1; b < m.Nbody; b++ {
		x := &d.XfrcApplied[b]
		// any entry other than ±0 (the sign bit is shifted out)
		if (math.Float64bits(x[0])|math.Float64bits(x[1])|math.Float64bits(x[2])|
			math.Float64bits(x[3])|math.Float64bits(x[4])|math.Float64bits(x[5]))<<1 != 0 {
			applyFT(m, d, [3]float64{x[3], x[4], x[5]}, [3]float64{x[0], x[1], x[2]}, d.Xipos[b], b, d.QfrcSmooth)
		}
	}
	copy(d.QaccSmooth, d.QfrcSmooth)
	solveM(m, &d.qLD, d.QaccSmooth)
	solveConstraint(m, d)
	return nil
}

// Step advances d by one timestep with m.Opt.Integrator (mj_step): it
// checks the state, runs Forward, checks the acceleration and integrates.
// After Step, the body quantities in d come from the last forward
// evaluation inside the step (as in MuJoCo). A non-finite or diverged state
// or acceleration is returned as a *StateError and d is left as it was at
// the failing check. Step allocates nothing.
func Step(m *Model, d *Data) error {
	if err := checkVec("qpos", d.Qpos, d.Time); err != nil {
		return err
	}
	if err := checkVec("qvel", d.Qvel, d.Time); err != nil {
		return err
	}
	if err := Forward(m, d); err != nil {
		return err
	}
	if err := checkVec("qacc", d.Qacc, d.Time); err != nil {
		return err
	}
	switch m.Opt.Integrator {
	case RK4:
		if err := rk4(m, d); err != nil {
			return err
		}
	default:
		if err := euler(m, d); err != nil {
			return err
		}
	}
	if err := checkVec("qpos", d.Qpos, d.Time); err != nil {
		return err
	}
	return checkVec("qvel", d.Qvel, d.Time)
}

// euler is MuJoCo's semi-implicit Euler with implicit joint damping.
func euler(m *Model, d *Data) error {
	nv := m.Nv
	qacc := d.tmpNv[0]
	if m.hasDamp {
		d.qH.copyFrom(&d.qM)
		h := m.Opt.Timestep
		for i := range nv {
			d.qH.D[i] += h * m.DofDamping[i]
		}
		if err := factorM(m, &d.qH, &d.qH); err != nil {
			return fmt.Errorf("mjc: at time %g: implicit damping: %w", d.Time, err)
		}
		for i := range nv {
			qacc[i] = d.QfrcSmooth[i] + d.QfrcConstraint[i]
		}
		solveM(m, &d.qH, qacc)
	} else {
		copy(qacc, d.Qacc)
	}
	advance(m, d, qacc, d.Qvel)
	return nil
}

// advance does qvel += h·qacc, qpos ⊕= h·vel, time += h and saves the warm start.
func advance(m *Model, d *Data, qacc, vel []float64) {
	h := m.Opt.Timestep
	for i := range m.Nv {
		d.Qvel[i] += h * qacc[i]
	}
	integratePos(m, d.Qpos, vel, h)
	d.Time += h
	copy(d.QaccWarmstart, d.Qacc)
}

// IntegratePos overwrites qpos with qpos ⊕ h·qvel on the configuration
// manifold (quaternions of free and ball joints are integrated with the
// exponential map in the body frame and normalised). qpos has length nq,
// qvel length nv.
func IntegratePos(m *Model, qpos, qvel []float64, h float64) {
	if len(qpos) != m.Nq || len(qvel) != m.Nv {
		panic(fmt.Sprintf("mjc: IntegratePos: len(qpos) = %d, nq = %d; len(qvel) = %d, nv = %d", len(qpos), m.Nq, len(qvel), m.Nv))
	}
	integratePos(m, qpos, qvel, h)
}

func integratePos(m *Model, qpos, qvel []float64, h float64) {
	for j := range m.Njnt {
		qa, da := m.JntQposAdr[j], m.JntDofAdr[j]
		switch m.JntType[j] {
		case JointFree:
			for r := range 3 {
				qpos[qa+r] += h * qvel[da+r]
			}
			qa += 3
			da += 3
			fallthrough
		case JointBall:
			q := quatIntegrate([4]float64{qpos[qa], qpos[qa+1], qpos[qa+2], qpos[qa+3]},
				[3]float64{qvel[da], qvel[da+1], qvel[da+2]}, h)
			copy(qpos[qa:qa+4], q[:])
		default:
			qpos[qa] += h * qvel[da]
		}
	}
}

// RK4 Butcher tableau (MuJoCo's mj_RK4): a21 = a32 = ½, a43 = 1.
var (
	rk4A = [3]float64{0.5, 0.5, 1}
	rk4B = [4]float64{1.0 / 6, 1.0 / 3, 1.0 / 3, 1.0 / 6}
)

// rk4 is MuJoCo 2.2.2's mj_RK4; d holds the forward pass at the start state.
func rk4(m *Model, d *Data) error {
	nq, nv := m.Nq, m.Nv
	h := m.Opt.Timestep
	t0 := d.Time
	X, F := d.rkX, d.rkF
	copy(X[0][:nq], d.Qpos)
	copy(X[0][nq:], d.Qvel)
	copy(F[0], d.Qacc)
	dvel := d.rkDX[:nv]
	dacc := d.rkDX[nv:]
	for i := 1; i < 4; i++ {
		a := rk4A[i-1]
		vprev := X[i-1][nq:]
		for k := range nv {
			dvel[k] = a * vprev[k]
			dacc[k] = a * F[i-1][k]
		}
		copy(X[i], X[0])
		integratePos(m, X[i][:nq], dvel, h)
		for k := range nv {
			X[i][nq+k] += h * dacc[k]
		}
		copy(d.Qpos, X[i][:nq])
		copy(d.Qvel, X[i][nq:])
		d.Time = t0 + a*h
		// stages 1 and 2 leave no geom/site frames behind (stage 3's
		// overwrite them) and, without collisions, nothing reads them
		d.skipFrames = i < 3 && m.Opt.Disable&(DisableConstraint|DisableContact) != 0
		err := Forward(m, d)
		d.skipFrames = false
		if err != nil {
			return err
		}
		copy(F[i], d.Qacc)
	}
	clear(dvel)
	clear(dacc)
	for j := range 4 {
		bj := rk4B[j]
		v := X[j][nq:]
		for k := range nv {
			dvel[k] += bj * v[k]
			dacc[k] += bj * F[j][k]
		}
	}
	d.Time = t0
	copy(d.Qpos, X[0][:nq])
	copy(d.Qvel, X[0][nq:])
	advance(m, d, dacc, dvel)
	return nil
}
