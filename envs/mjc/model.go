package mjc

// Integrator selects the time integrator (numbering as MuJoCo's mjtIntegrator).
type Integrator int

// Integrators.
const (
	// Euler is semi-implicit Euler; joint damping is integrated implicitly
	// when any dof has damping > 0, as MuJoCo's Euler.
	Euler Integrator = 0
	// RK4 is the classical 4-stage Runge–Kutta method on (qpos, qvel), each
	// stage a full forward evaluation, as MuJoCo's mj_RK4.
	RK4 Integrator = 1
)

// Solver selects the constraint solver named by the model (numbering as
// mjtSolver). This engine always solves with projected Gauss–Seidel; the
// field is kept for fidelity and reporting.
type Solver int

// Constraint solvers.
const (
	SolverPGS    Solver = 0
	SolverCG     Solver = 1
	SolverNewton Solver = 2
)

// Cone selects the friction cone (numbering as mjtCone). Only Pyramidal is
// supported.
type Cone int

// Friction cones.
const (
	Pyramidal Cone = 0
	Elliptic  Cone = 1
)

// DisableFlags is a bit set of disabled pipeline stages (bits as MuJoCo
// 2.2.2's mjtDisableBit).
type DisableFlags int

// Disable bits.
const (
	DisableConstraint   DisableFlags = 1 << 0
	DisableEquality     DisableFlags = 1 << 1
	DisableFrictionloss DisableFlags = 1 << 2
	DisableLimit        DisableFlags = 1 << 3
	DisableContact      DisableFlags = 1 << 4
	DisablePassive      DisableFlags = 1 << 5
	DisableGravity      DisableFlags = 1 << 6
	DisableClampCtrl    DisableFlags = 1 << 7
	DisableWarmstart    DisableFlags = 1 << 8
	DisableFilterParent DisableFlags = 1 << 9
	DisableActuation    DisableFlags = 1 << 10
	DisableRefsafe      DisableFlags = 1 << 11
)

// EnableFlags is a bit set of optional pipeline stages (bits as MuJoCo
// 2.2.2's mjtEnableBit).
type EnableFlags int

// Enable bits.
const (
	EnableOverride EnableFlags = 1 << 0
	// EnableEnergy makes Forward compute Data.Energy.
	EnableEnergy EnableFlags = 1 << 1
)

// JointType is the type of a joint (numbering as mjtJoint).
type JointType int

// Joint types.
const (
	JointFree  JointType = 0 // 7 qpos [pos; quat], 6 dofs [world lin vel; local ang vel]
	JointBall  JointType = 1 // 4 qpos (quat), 3 dofs (local ang vel)
	JointSlide JointType = 2 // 1 qpos (m), 1 dof
	JointHinge JointType = 3 // 1 qpos (rad), 1 dof
)

// GeomType is the shape of a geom (numbering as mjtGeom).
type GeomType int

// Geom types.
const (
	GeomPlane     GeomType = 0
	GeomHField    GeomType = 1
	GeomSphere    GeomType = 2
	GeomCapsule   GeomType = 3
	GeomEllipsoid GeomType = 4
	GeomCylinder  GeomType = 5
	GeomBox       GeomType = 6
)

// Option holds the global simulation options (MuJoCo's mjOption subset).
type Option struct {
	// Timestep is the physics step h in s.
	Timestep float64
	// Gravity is the gravitational acceleration in m/s², world frame.
	Gravity [3]float64
	// Wind is the fluid velocity in m/s, world frame (fluid model only).
	Wind [3]float64
	// Density is the fluid density in kg/m³ (0: no drag).
	Density float64
	// Viscosity is the fluid viscosity in Pa·s (0: no viscous force).
	Viscosity float64
	// Impratio is the ratio of frictional to normal constraint impedance.
	Impratio float64
	// Tolerance is the solver's relative cost-improvement tolerance.
	Tolerance float64
	// Integrator is the integrator Step uses.
	Integrator Integrator
	// Cone is the friction cone type.
	Cone Cone
	// Solver is the solver the XML names (PGS is always used here).
	Solver Solver
	// Iterations is the maximum number of solver iterations (sweeps).
	Iterations int
	// Disable is the set of disabled stages.
	Disable DisableFlags
	// Enable is the set of enabled optional stages.
	Enable EnableFlags
}

// DefaultOption returns MuJoCo's default options: timestep 0.002 s, gravity
// (0, 0, −9.81), Euler, pyramidal cone, Newton, 100 iterations, tolerance
// 1e-8, impratio 1, no fluid.
func DefaultOption() Option {
	return Option{
		Timestep:   0.002,
		Gravity:    [3]float64{0, 0, -9.81},
		Impratio:   1,
		Tolerance:  1e-8,
		Integrator: Euler,
		Cone:       Pyramidal,
		Solver:     SolverNewton,
		Iterations: 100,
	}
}

// Model is a compiled mechanism. Per-element fields are slices indexed by
// element id (body, joint, dof, geom, site, actuator); body 0 is the world.
// Bodies must be ordered so that every parent precedes its children, and
// joints grouped by body in body order (as MJCF compilation produces them).
//
// Fields marked "input" are filled by the compiler (or by hand); fields
// marked "derived" are computed by SetConst, which must be called after the
// inputs are set and before NewData.
type Model struct {
	// Nq is the number of position coordinates (derived).
	Nq int
	// Nv is the number of degrees of freedom (derived).
	Nv int
	// Nu is the number of actuators (derived: len(ActTrnID)).
	Nu int
	// Na is the number of activation states (always 0: motors only).
	Na int
	// Nbody is the number of bodies including the world (derived).
	Nbody int
	// Njnt is the number of joints (derived).
	Njnt int
	// Ngeom is the number of geoms (derived).
	Ngeom int
	// Nsite is the number of sites (derived).
	Nsite int
	// NconMax is the contact capacity NewData allocates (input; SetConst sets
	// a default when 0).
	NconMax int

	// Opt holds the simulation options (input).
	Opt Option

	// Qpos0 is the reference configuration, length Nq (derived when empty:
	// JntRef for hinge/slide, body pos and quat for free joints, unit
	// quaternion for ball joints). Hinge and slide kinematics use q − qpos0.
	Qpos0 []float64
	// QposSpring is the spring rest configuration, length Nq (derived when
	// empty, as Qpos0 but from JntSpringRef).
	QposSpring []float64

	// BodyName is the name of each body, "" when unnamed (input).
	BodyName []string
	// BodyParent is the parent body id; BodyParent[0] = 0 (input).
	BodyParent []int
	// BodyRoot is the id of the child of the world that heads each body's
	// kinematic tree; 0 for the world (derived).
	BodyRoot []int
	// BodyWeld is the id of the body each body is welded to: itself if it
	// has joints or is the world, else its parent's weld (derived).
	BodyWeld []int
	// BodyJntNum and BodyJntAdr give each body's joints as the range
	// [adr, adr+num) of joint ids; adr −1 when none (derived).
	BodyJntNum, BodyJntAdr []int
	// BodyDofNum and BodyDofAdr give each body's dofs (derived).
	BodyDofNum, BodyDofAdr []int
	// BodyPos is the body frame's position in the parent frame, m (input).
	BodyPos [][3]float64
	// BodyQuat is the body frame's orientation in the parent frame (input).
	BodyQuat [][4]float64
	// BodyIPos is the centre of mass in the body frame, m (input).
	BodyIPos [][3]float64
	// BodyIQuat is the principal-inertia frame in the body frame (input).
	BodyIQuat [][4]float64
	// BodyMass is the body mass, kg (input).
	BodyMass []float64
	// BodyInertia is the principal inertia about the COM in the iquat frame,
	// kg·m² (input).
	BodyInertia [][3]float64
	// BodySubtreeMass is the mass of the body and all its descendants, kg
	// (derived).
	BodySubtreeMass []float64
	// BodyInvWeight0 is [translational, rotational] mean diagonal of
	// J M⁻¹ Jᵀ of the body COM at qpos0, in 1/kg and 1/(kg·m²) (derived).
	BodyInvWeight0 [][2]float64

	// JntName is the name of each joint (input).
	JntName []string
	// JntType is the joint type (input).
	JntType []JointType
	// JntBody is the body the joint belongs to (input).
	JntBody []int
	// JntQposAdr and JntDofAdr are the joint's first qpos and dof (derived).
	JntQposAdr, JntDofAdr []int
	// JntLimited reports whether the joint range is enforced (input).
	JntLimited []bool
	// JntPos is the joint anchor in the body frame, m (input).
	JntPos [][3]float64
	// JntAxis is the unit joint axis in the body frame (input; hinge, slide).
	JntAxis [][3]float64
	// JntRange is [lower, upper] in rad (hinge) or m (slide) (input).
	JntRange [][2]float64
	// JntRef is the hinge/slide reference position (input; qpos0 value).
	JntRef []float64
	// JntSpringRef is the hinge/slide spring rest position (input).
	JntSpringRef []float64
	// JntStiffness is the joint spring stiffness, N/m or N·m/rad (input).
	JntStiffness []float64
	// JntMargin is the limit activation margin (input).
	JntMargin []float64
	// JntSolref is solreflimit: (timeconst s, dampratio) or direct
	// (−stiffness, −damping) (input).
	JntSolref [][2]float64
	// JntSolimp is solimplimit: (d0, dwidth, width, midpoint, power) (input).
	JntSolimp [][5]float64

	// DofBody is the body each dof moves (derived).
	DofBody []int
	// DofJnt is the joint each dof belongs to (derived).
	DofJnt []int
	// DofParent is the previous dof in the kinematic tree, −1 at a root
	// (derived).
	DofParent []int
	// DofArmature is the rotor inertia added to the diagonal of M, kg·m² or
	// kg, length Nv (input; may be left nil → zeros).
	DofArmature []float64
	// DofDamping is the joint damping, N·s/m or N·m·s/rad, length Nv (input;
	// may be left nil → zeros).
	DofDamping []float64
	// DofFrictionloss is the dry friction (input; must be 0: unsupported).
	DofFrictionloss []float64
	// DofInvWeight0 is the diagonal of M⁻¹ at qpos0, block-averaged for free
	// and ball joints (derived).
	DofInvWeight0 []float64
	// DofM0 is the diagonal of the composite inertia at qpos0 (derived).
	DofM0 []float64

	// GeomName is the geom's name (input).
	GeomName []string
	// GeomType is the geom's shape (input).
	GeomType []GeomType
	// GeomBody is the body the geom is attached to (input).
	GeomBody []int
	// GeomContype and GeomConaffinity are the collision bit masks (input).
	GeomContype, GeomConaffinity []int
	// GeomCondim is the contact dimensionality 1, 3, 4 or 6 (input).
	GeomCondim []int
	// GeomPriority is the contact-parameter priority (input).
	GeomPriority []int
	// GeomSize holds the shape parameters, m: plane (half x, half y,
	// spacing), sphere (r), capsule and cylinder (r, half length), box (half
	// sizes) (input).
	GeomSize [][3]float64
	// GeomPos is the geom position in the body frame, m (input).
	GeomPos [][3]float64
	// GeomQuat is the geom orientation in the body frame (input).
	GeomQuat [][4]float64
	// GeomFriction is (sliding, torsional, rolling) friction (input).
	GeomFriction [][3]float64
	// GeomMargin is the contact activation distance, m (input).
	GeomMargin []float64
	// GeomGap is the contact gap, m (input).
	GeomGap []float64
	// GeomSolmix is the solref/solimp mixing weight (input).
	GeomSolmix []float64
	// GeomSolref is the contact solref (input).
	GeomSolref [][2]float64
	// GeomSolimp is the contact solimp (input).
	GeomSolimp [][5]float64
	// GeomRBound is the bounding-sphere radius, 0 for planes (derived).
	GeomRBound []float64

	// SiteName is the site's name (input).
	SiteName []string
	// SiteBody is the site's body (input).
	SiteBody []int
	// SitePos is the site position in the body frame, m (input).
	SitePos [][3]float64
	// SiteQuat is the site orientation in the body frame (input; nil → unit).
	SiteQuat [][4]float64

	// ActName is the actuator's name (input).
	ActName []string
	// ActTrnID is the joint each motor drives (input; joint transmission).
	ActTrnID []int
	// ActGear is the transmission gear (first gear component) (input).
	ActGear []float64
	// ActGain is the force gain (gainprm[0], 1 for motors) (input; nil → 1).
	ActGain []float64
	// ActCtrlLimited reports whether ctrl is clamped to ActCtrlRange (input).
	ActCtrlLimited []bool
	// ActCtrlRange is the [lower, upper] control range (input).
	ActCtrlRange [][2]float64
	// ActForceLimited reports whether the force is clamped (input).
	ActForceLimited []bool
	// ActForceRange is the [lower, upper] force range, N or N·m (input).
	ActForceRange [][2]float64

	// MeanInertia is the mean diagonal of M at qpos0 (derived; scales the
	// solver tolerance as MuJoCo's stat.meaninertia).
	MeanInertia float64

	// Derived helpers (unexported).
	geomLocalI []bool   // geom quat is the identity
	bodyIQuatI []bool   // body iquat is the identity
	mAdr       []int    // row k of the tree-sparse M: entries [mAdr[k], mAdr[k+1])
	mAnc       []int    // the dof ancestors of each row, nearest first
	nM         int      // number of strictly-lower tree-sparse entries
	limitCap   int      // maximum number of joint-limit rows
	efcCap     int      // maximum number of constraint rows
	colPairs   [][2]int // geom pairs (g1 < g2) passing the contype and weld filters
	hasDamp    bool     // some dof has damping (Euler integrates it implicitly)
	ready      bool     // SetConst succeeded
}

// Contact is one contact between two geoms (MuJoCo's mjContact). The
// collision stage fills it; the constraint stage turns it into efc rows.
type Contact struct {
	// Dist is the signed distance between the surfaces, m (negative:
	// penetration).
	Dist float64
	// Pos is the contact point (midpoint between surfaces), world frame, m.
	Pos [3]float64
	// Frame is the contact frame, rows = normal, tangent 1, tangent 2.
	Frame [9]float64
	// IncludeMargin is the distance below which the contact is active
	// (margin − gap), m.
	IncludeMargin float64
	// Friction is (tangent1, tangent2, spin, roll1, roll2).
	Friction [5]float64
	// Solref and Solimp are the mixed pair parameters.
	Solref [2]float64
	Solimp [5]float64
	// Dim is the condim (1, 3, 4 or 6).
	Dim int
	// Geom1 and Geom2 are the geom ids (force acts from Geom1 on Geom2).
	Geom1, Geom2 int
	// EfcAdr is the first efc row of the contact, −1 when excluded.
	EfcAdr int
}

// ConstraintType labels an efc row (numbering as MuJoCo 2.2.2's mjtConstraint).
type ConstraintType int

// Constraint types.
const (
	ConstraintEquality     ConstraintType = 0
	ConstraintFrictionDof  ConstraintType = 1
	ConstraintFrictionTend ConstraintType = 2
	ConstraintLimitJoint   ConstraintType = 3
	ConstraintLimitTendon  ConstraintType = 4
	ConstraintFrictionless ConstraintType = 5
	ConstraintPyramidal    ConstraintType = 6
	ConstraintEllipticCone ConstraintType = 7
)
