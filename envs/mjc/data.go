package mjc

// Data is the state and every intermediate quantity of the simulation of one
// Model. All slices are allocated by NewData with their final lengths (or
// capacities for the constraint arrays) and are overwritten in place by
// Forward and Step. Shapes use nbody, njnt, nv, … of the Model.
type Data struct {
	// Time is the simulated time, s.
	Time float64
	// Qpos is the position, length nq.
	Qpos []float64
	// Qvel is the velocity, length nv.
	Qvel []float64
	// Act is the actuator activation, length na (always 0).
	Act []float64
	// Ctrl is the control, length nu; the raw value is kept, the physics
	// clamps a copy to ctrlrange.
	Ctrl []float64
	// QfrcApplied is a user generalized force, length nv.
	QfrcApplied []float64
	// XfrcApplied is a user wrench per body [torque; force], world frame,
	// applied at the body COM, nbody × 6.
	XfrcApplied [][6]float64
	// Qacc is the acceleration after the constraint solve, length nv.
	Qacc []float64
	// QaccWarmstart is the previous step's Qacc, used to warm-start the
	// constraint solver, length nv.
	QaccWarmstart []float64

	// Xpos is the body frame position, world, m, nbody × 3.
	Xpos [][3]float64
	// Xquat is the body frame orientation, nbody × 4.
	Xquat [][4]float64
	// Xmat is the body frame rotation matrix, nbody × 9.
	Xmat [][9]float64
	// Xipos is the body COM, world, m, nbody × 3.
	Xipos [][3]float64
	// Ximat is the principal-inertia frame rotation, nbody × 9.
	Ximat [][9]float64
	// Xanchor is the joint anchor, world, m, njnt × 3.
	Xanchor [][3]float64
	// Xaxis is the joint axis, world, njnt × 3.
	Xaxis [][3]float64
	// GeomXpos and GeomXmat are the geom frames, world, ngeom × 3 / × 9.
	GeomXpos [][3]float64
	GeomXmat [][9]float64
	// SiteXpos and SiteXmat are the site frames, world, nsite × 3 / × 9.
	SiteXpos [][3]float64
	SiteXmat [][9]float64

	// SubtreeCom is the centre of mass of each body's subtree, m, nbody × 3.
	SubtreeCom [][3]float64
	// Cinert is the com-based inertia per body, nbody × 10.
	Cinert [][10]float64
	// Cdof is the com-based motion axis of each dof, nv × 6.
	Cdof [][6]float64
	// Cvel is the com-based body velocity [ω; v], nbody × 6.
	Cvel [][6]float64
	// CdofDot is the time derivative of Cdof, nv × 6.
	CdofDot [][6]float64
	// Crb is the composite rigid-body inertia per body, nbody × 10.
	Crb [][10]float64

	// M is the joint-space inertia matrix with armature, dense nv × nv
	// row-major (both triangles filled).
	M []float64

	// ActuatorForce is the scalar force of each actuator, length nu.
	ActuatorForce []float64
	// QfrcBias is C(q, v) (Coriolis, centrifugal, gravity), length nv.
	QfrcBias []float64
	// QfrcPassive is the spring, damper and fluid force, length nv.
	QfrcPassive []float64
	// QfrcActuator is the actuator force in joint space, length nv.
	QfrcActuator []float64
	// QfrcSmooth is passive + actuator + applied − bias, length nv.
	QfrcSmooth []float64
	// QaccSmooth is M⁻¹·QfrcSmooth, length nv.
	QaccSmooth []float64
	// QfrcConstraint is Jᵀ·f, length nv.
	QfrcConstraint []float64
	// Energy is [potential, kinetic] in J (computed when EnableEnergy is set).
	Energy [2]float64

	// Ncon is the number of contacts in Contact.
	Ncon int
	// Contact holds the contacts (capacity Model.NconMax).
	Contact []Contact
	// Nefc is the number of active constraint rows.
	Nefc int
	// EfcType is the type of each row, capacity efc rows.
	EfcType []ConstraintType
	// EfcID is the joint (limits) or contact id of each row.
	EfcID []int
	// EfcJ is the constraint Jacobian, Nefc × nv row-major.
	EfcJ []float64
	// EfcPos is the constraint residual (distance), EfcMargin its margin.
	EfcPos, EfcMargin []float64
	// EfcDiagApprox is the diagonal approximation Â of J M⁻¹ Jᵀ.
	EfcDiagApprox []float64
	// EfcKBIP holds stiffness K, damping B, impedance d and d′ per row.
	EfcKBIP [][4]float64
	// EfcR is the regulariser, EfcD = 1/R.
	EfcR, EfcD []float64
	// EfcVel is J·qvel; EfcAref the reference acceleration.
	EfcVel, EfcAref []float64
	// EfcB is J·qacc_smooth − aref (the dual linear term).
	EfcB []float64
	// EfcForce is the constraint force per row.
	EfcForce []float64
	// EfcAR is J M⁻¹ Jᵀ + diag(R), Nefc × Nefc row-major (computed only
	// for the PGS solver).
	EfcAR []float64
	// SolverIter is the number of PGS sweeps of the last solve.
	SolverIter int

	// Cacc, CfrcInt and CfrcExt are filled by RNEPostConstraint: com-based
	// acceleration, internal and external wrench [torque; force], nbody × 6.
	Cacc, CfrcInt, CfrcExt [][6]float64

	// scratch
	cfrcBody  [][6]float64
	cacc      [][6]float64
	efcMinvJT []float64 // Nefc × nv: M⁻¹Jᵀ stored transposed (row per efc)
	efcJar    []float64 // Newton: J·qacc − aref
	efcJp     []float64 // Newton: J·p
	newtonH   []float64 // Newton: Hessian and its Cholesky factor, nv × nv
	tmpNv     [4][]float64
	ctrlClamp []float64
	// RK4 stage storage
	rkX  [4][]float64 // qpos|qvel per stage, length nq+nv
	rkF  [4][]float64 // qacc per stage
	rkDX []float64    // length 2nv
	qM   sparseM      // M in tree-sparse form (filled by crb)
	qLD  sparseM      // LᵀDL factor of M
	qH   sparseM      // M + h·diag(damping) and its factor (Euler)
	qN   sparseM      // Newton: M + diag(D·active) and its factor (joint-limit rows only)
	// skipFrames makes kinematics skip geom and site frames (RK4 stages
	// whose frames nothing reads: no collision, overwritten by stage 3)
	skipFrames bool
}

// NewData allocates a Data for m (SetConst must have been called) and resets
// it to qpos0, zero velocity, zero control and time 0.
func NewData(m *Model) *Data {
	if !m.ready {
		panic("mjc: NewData: Model.SetConst has not been called")
	}
	nb, nj, nv, nq, nu := m.Nbody, m.Njnt, m.Nv, m.Nq, m.Nu
	nefc := m.efcCap
	d := &Data{
		Qpos:          make([]float64, nq),
		Qvel:          make([]float64, nv),
		Act:           make([]float64, m.Na),
		Ctrl:          make([]float64, nu),
		QfrcApplied:   make([]float64, nv),
		XfrcApplied:   make([][6]float64, nb),
		Qacc:          make([]float64, nv),
		QaccWarmstart: make([]float64, nv),

		Xpos:     make([][3]float64, nb),
		Xquat:    make([][4]float64, nb),
		Xmat:     make([][9]float64, nb),
		Xipos:    make([][3]float64, nb),
		Ximat:    make([][9]float64, nb),
		Xanchor:  make([][3]float64, nj),
		Xaxis:    make([][3]float64, nj),
		GeomXpos: make([][3]float64, m.Ngeom),
		GeomXmat: make([][9]float64, m.Ngeom),
		SiteXpos: make([][3]float64, m.Nsite),
		SiteXmat: make([][9]float64, m.Nsite),

		SubtreeCom: make([][3]float64, nb),
		Cinert:     make([][10]float64, nb),
		Cdof:       make([][6]float64, nv),
		Cvel:       make([][6]float64, nb),
		CdofDot:    make([][6]float64, nv),
		Crb:        make([][10]float64, nb),

		M: make([]float64, nv*nv),

		ActuatorForce:  make([]float64, nu),
		QfrcBias:       make([]float64, nv),
		QfrcPassive:    make([]float64, nv),
		QfrcActuator:   make([]float64, nv),
		QfrcSmooth:     make([]float64, nv),
		QaccSmooth:     make([]float64, nv),
		QfrcConstraint: make([]float64, nv),

		Contact:       make([]Contact, m.NconMax),
		EfcType:       make([]ConstraintType, nefc),
		EfcID:         make([]int, nefc),
		EfcJ:          make([]float64, nefc*nv),
		EfcPos:        make([]float64, nefc),
		EfcMargin:     make([]float64, nefc),
		EfcDiagApprox: make([]float64, nefc),
		EfcKBIP:       make([][4]float64, nefc),
		EfcR:          make([]float64, nefc),
		EfcD:          make([]float64, nefc),
		EfcVel:        make([]float64, nefc),
		EfcAref:       make([]float64, nefc),
		EfcB:          make([]float64, nefc),
		EfcForce:      make([]float64, nefc),
		EfcAR:         make([]float64, nefc*nefc),

		Cacc:    make([][6]float64, nb),
		CfrcInt: make([][6]float64, nb),
		CfrcExt: make([][6]float64, nb),

		cfrcBody:  make([][6]float64, nb),
		cacc:      make([][6]float64, nb),
		efcMinvJT: make([]float64, nefc*nv),
		efcJar:    make([]float64, nefc),
		efcJp:     make([]float64, nefc),
		newtonH:   make([]float64, nv*nv),
		ctrlClamp: make([]float64, nu),
		rkDX:      make([]float64, 2*nv),
		qM:        newSparseM(m),
		qLD:       newSparseM(m),
		qH:        newSparseM(m),
		qN:        newSparseM(m),
	}
	for i := range d.tmpNv {
		d.tmpNv[i] = make([]float64, nv)
	}
	for i := range d.rkX {
		d.rkX[i] = make([]float64, nq+nv)
		d.rkF[i] = make([]float64, nv)
	}
	Reset(m, d)
	return d
}

// Reset sets d to qpos0, zero velocity, control, applied forces, warm
// start and post-constraint quantities (Cacc, CfrcInt, CfrcExt), and time 0
// (as mj_resetData). It does not run Forward.
func Reset(m *Model, d *Data) {
	d.Time = 0
	copy(d.Qpos, m.Qpos0)
	clear(d.Qvel)
	clear(d.Act)
	clear(d.Ctrl)
	clear(d.QfrcApplied)
	clear(d.XfrcApplied)
	clear(d.Qacc)
	clear(d.QaccWarmstart)
	clear(d.EfcForce)
	clear(d.Cacc)
	clear(d.CfrcInt)
	clear(d.CfrcExt)
	d.Ncon = 0
	d.Nefc = 0
}
