// Package md integrates Newton's and Langevin's equations of motion for
// molecular systems and minimises their potential energy.
//
// Units follow OpenMM: positions in nm, velocities in nm/ps, time in ps,
// masses in amu (g/mol), energies in kJ/mol, forces in kJ/mol/nm and
// temperatures in K. Coordinates are stored flat, atom-major:
// pos[3*i+k] is coordinate k (x, y, z) of atom i, so a system of N atoms
// uses slices of length 3N.
//
// The package does not depend on a particular force field: anything that
// implements Potential can be integrated. *molecules.System implements it
// (EnergyForces); parallel replicas should each wrap their own
// molecules.Evaluator with PotentialFunc, since System serialises calls.
//
// Langevin implements the "middle" BAOAB splitting of OpenMM's
// LangevinMiddleIntegrator; Verlet is plain velocity Verlet for
// energy-conservation (NVE) checks; Minimize is gonum/optimize's
// limited-memory BFGS to a largest-force tolerance in kJ/mol/nm.
// All random numbers come from the *rand.PCG held by State, which is part of
// a checkpoint, so a resumed run reproduces an uninterrupted one bit for bit.
package md
