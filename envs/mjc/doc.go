// Package mjc is a pure-Go articulated-body physics engine in generalized
// coordinates that reproduces MuJoCo 2.2.2's smooth dynamics and its
// soft-constraint model.
//
// A Model holds the compiled, constant description of a mechanism (bodies,
// joints, dofs, geoms, sites, motors and the simulation options); it is
// filled by the MJCF compiler in envs/mjcf (or by hand) and completed by
// Model.SetConst, which computes the derived fields (addresses, root and weld
// bodies, subtree masses, qpos0, invweight0, ...) exactly as mj_setConst does.
// A Model is read-only during simulation: goroutines may share one Model,
// each stepping its own Data. A Data holds the state (qpos, qvel, ctrl, time) and every intermediate
// quantity of one forward evaluation; NewData preallocates all of it, so
// Forward and Step allocate nothing.
//
// # Conventions
//
// All quantities are SI (m, kg, s, rad, N, N·m). Quaternions are [w, x, y, z].
// Rotation matrices are 3×3 row-major [9]float64. Spatial vectors are
// 6-vectors [angular; linear] in MuJoCo's com-based frame: world orientation,
// origin at the subtree centre of mass of the body's root body. A com-based
// inertia ("cinert") is the 10-vector [Ixx, Iyy, Izz, Ixy, Ixz, Iyz, m·cx,
// m·cy, m·cz, m] about that origin. Free joints have qpos [x, y, z, qw, qx,
// qy, qz] and qvel [linear velocity in the world frame; angular velocity in
// the body frame]. Dense nv×nv matrices are row-major []float64.
//
// # Pipeline
//
// Forward runs, in order: kinematics, com-based quantities (cinert, cdof),
// the composite-rigid-body mass matrix with armature and its tree-sparse
// LᵀDL factorisation, collision detection, constraint construction (joint
// limits and contacts as efc rows with Jacobian, residual, impedance,
// regulariser R and reference acceleration), com velocities, passive forces
// (joint springs and dampers, the inertia-box fluid model), RNE bias forces,
// motor actuation, qacc_smooth = M⁻¹(passive + actuator − bias), and the
// soft-constraint solve with the solver the model names: projected
// Gauss–Seidel on the dual problem (SolverPGS, e.g. Humanoid) or Newton's
// method on the equivalent primal problem with an exact line search
// (SolverNewton, MuJoCo's default; CG is mapped to it), both warm-started
// as MuJoCo 2.2.2 does (when every row is a joint limit, Newton's Hessian
// keeps M's tree sparsity and is factored like M; otherwise it is dense).
// Set Model.Opt.Solver to choose. Step calls Forward and then integrates
// with semi-implicit Euler (joint damping implicit, as MuJoCo's Euler) or
// with classical RK4 as MuJoCo 2.2.2 does it.
//
// # Contacts
//
// The collision stage tests the geom pairs that pass MuJoCo's filters
// (contype/conaffinity, different weld bodies, no parent–child weld bodies
// unless one is the world, bounding spheres within the pair margin) with
// the narrow-phase functions of envs/collide (plane, sphere and capsule
// pairs). A pair's parameters are mixed as MuJoCo does for equal
// priorities: condim and friction the element-wise maximum, margin and gap
// the maximum, solref/solimp solmix-weighted. A contact is active when its
// distance is below margin − gap; condim 1 gives one frictionless row,
// condim 3 the four edges of the pyramidal cone (R = 2μ²·R₀ on every edge).
// After a step, RNEPostConstraint computes CfrcExt (contact wrenches per
// body), Cacc and CfrcInt, as Gymnasium's call to mj_rnePostConstraint.
//
// # Fidelity
//
// Against MuJoCo 2.2.2 (../shared/data/mujoco): smooth quantities at random
// states agree to ~1e-14 relative, sine-control rollouts without
// constraints to ~1e-12 over 200 env steps, and full-physics zero-action
// rollouts of Hopper, Walker2d, HalfCheetah and Ant (Newton, their XML
// integrators) to ≤ 1e-10 over 200 env steps.
package mjc
