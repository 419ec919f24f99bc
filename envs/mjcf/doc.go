// Package mjcf compiles MuJoCo MJCF model files into mjc.Model values, in pure
// Go, reproducing MuJoCo 2.2.2's compiler for the subset of MJCF that the
// Gymnasium MuJoCo models use.
//
// Entry points are Compile (from an io.Reader), CompileFile and CompileAsset
// (the project's embedded model files, package envs/assets). Every
// unsupported element or attribute and every malformed document gives an
// error of the form "file:line: element <tag>: message".
//
// # Supported
//
//   - <mujoco model>; sections are processed in MuJoCo's fixed order
//     (compiler, option, default, worldbody, tendon, actuator) whatever their
//     order in the file.
//   - <compiler>: angle (degree|radian), coordinate (local only),
//     inertiafromgeom (true|false|auto), settotalmass, autolimits, eulerseq,
//     boundmass, boundinertia. autolimits defaults to true as in MuJoCo ≥ 2.3
//     (a range without limited="..." enables the limit); MuJoCo 2.2.2
//     defaulted to false and rejected such files, so every file 2.2.2
//     accepts compiles the same here.
//   - <option>: timestep, gravity, wind, density, viscosity, impratio,
//     tolerance, integrator (Euler|RK4), cone (pyramidal), collision (all
//     and dynamic are the same without contact pairs; predefined, i.e. pairs
//     only, disables contacts: Opt.Disable gets mjc.DisableContact), solver
//     (PGS|CG|Newton), iterations, jacobian (accepted, storage only);
//     <flag> children with MuJoCo 2.2.2's disable flags and "energy".
//   - <default> with nested classes (a class starts from its parent's
//     settings wherever it appears inside it), for joint, geom, site and
//     motor; element class and body childclass attributes.
//   - <worldbody> and nested <body> (name, pos, quat | axisangle | euler |
//     xyaxes | zaxis, childclass). Bodies keep MuJoCo's depth-first numbering;
//     a body without joints is welded to its parent (it moves rigidly with
//     it; mjc.Model.SetConst derives BodyWeld).
//   - <joint> (hinge, slide, ball, free) and <freejoint>: pos, axis, range,
//     limited (true|false|auto), ref, springref, stiffness, damping,
//     armature, margin, solreflimit, solimplimit. Hinge range, ref and
//     springref are in the compiler's angle unit. qpos0 is ref for hinge and
//     slide joints and the body pose for free joints.
//   - <geom> (plane, sphere, capsule, cylinder, ellipsoid, box): size, pos,
//     orientation, fromto (capsule, cylinder), density, mass, contype,
//     conaffinity, condim, priority, friction, solref, solimp, solmix,
//     margin, gap. Vector attributes may be partial (friction="0.9" keeps the
//     class's torsional and rolling values), as in MuJoCo.
//   - Mass and inertia from geoms with MuJoCo's formulas (capsule = cylinder
//     plus two hemispheres); a single geom's frame is the body's inertial
//     frame, several geoms are combined about their COM and diagonalised
//     (principal moments in decreasing order); <inertial> (pos, orientation,
//     mass, diaginertia | fullinertia); settotalmass scales all masses and
//     inertias.
//   - <site>: pos and orientation.
//   - <actuator><motor>: joint (hinge or slide), gear, ctrlrange,
//     ctrllimited, forcerange, forcelimited.
//
// # Deliberately ignored
//
// Rendering and bookkeeping: <visual>, <asset>, <size>, <statistic>,
// <custom>, <extension>, <camera>, <light>, and the attributes rgba,
// material, user, group (joints, sites; geom groups must lie in the default
// inertia range 0–5), site type and size, joint solreffriction and
// solimpfriction (frictionloss is rejected); <option> magnetic, apirate,
// mpr_*, noslip_tolerance and o_* (override is rejected); <compiler> asset
// paths and mesh options; <flag> fwdinv, sensornoise. Sensors (<sensor>) and
// <keyframe> do not affect the dynamics and are skipped. Fixed and spatial
// tendons are parsed (fixed tendons' joints must exist) and ignored: a
// tendon with stiffness, damping, frictionloss or limits is rejected.
//
// # Overriding options
//
// Options can be changed after compilation (e.g. m.Opt.Timestep,
// m.Opt.Integrator), or in a copy of the XML's <option> element; call
// m.SetConst again after changing other model inputs.
//
// # Rejected (error)
//
// Anything else, notably coordinate="global", meshes and height fields,
// other actuator types, tendon transmissions, equality constraints, contact
// pairs and excludes, joint frictionloss, elliptic cones, the implicit
// integrator, the noslip solver and contact parameter override.
package mjcf
