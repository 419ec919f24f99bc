// Package molecules computes the potential energy and forces of peptides
// with Amber force fields and generalized-Born implicit solvent, exactly as
// OpenMM 8.5.2 does (float64, OpenMM units: nm, ps, kJ/mol, e, amu, K, rad).
//
// The design follows OpenMM:
//
//   - Topology: atoms (name, element, residue), residues (name, file id,
//     chain), chains and explicit bonds. Read and write it with
//     molecules/pdb (pdb.ReadFile, pdb.Write, pdb.ConvertNames between
//     Amber and OpenMM cap/terminus naming).
//
//   - ForceField (package molecules/forcefield): atom types, residue
//     templates (including terminal variants such as NALA/CALA and the
//     ACE/NME caps) and parameters, loaded from OpenMM ForceField XML files
//     or from the embedded defaults "amber99sbildn.xml", "amber99_obc.xml",
//     "amber14-all.xml" and "implicit/obc1.xml". ForceField.CreateSystem
//     turns a Topology into a System.
//
//   - System: the concrete terms for one topology — HarmonicBond,
//     HarmonicAngle, PeriodicTorsion (propers and impropers), Nonbonded
//     (Lennard-Jones + Coulomb, exceptions, NoCutoff or CutoffNonPeriodic
//     with reaction field) and GB (OBC2 = GBSAOBCForce, OBC1 = the
//     CustomGBForce of implicit/obc1.xml) — with
//
//     Evaluate(pos, forces []float64) (Energies, error)
//
//     pos in nm and forces in kJ/mol/nm are flat, atom-major slices of
//     length 3N (pos[3*i+k] is coordinate k of atom i). Energies holds the
//     energy of every term in kJ/mol (Total() sums them) plus the split of
//     the nonbonded and GB terms. After the first call Evaluate allocates
//     nothing. EvaluateBatch evaluates many conformations on a fixed
//     partition over goroutines; an Evaluator (NewEvaluator) gives one
//     goroutine its own scratch space. EnergyForces adapts a System to
//     molecules/md.Potential.
//
// KT and Beta convert energies to reduced units with OpenMM's molar gas
// constant (KT(300) = 2.494339 kJ/mol). Dihedral returns the IUPAC dihedral
// angle of four atoms. ZMatrix converts between Cartesian and internal
// coordinates (bond lengths, angles, dihedrals) on a spanning tree of the
// bonds, with the log-Jacobian of the volume element.
//
// Accuracy: on the 4×50 OpenMM 8.5.2 reference conformations every term
// agrees to ≤ 2e-11 kJ/mol and every force to ≤ 1e-11 relative to
// max(1, max|F|). One deliberate difference: for an atom lying entirely
// inside another atom's descreening sphere (not the case in normal
// peptides) OpenMM's GBSAOBCForce omits the derivative of its correction
// term, whereas Evaluate returns the exact gradient of the energy.
//
// Typical use:
//
//	f, _ := pdb.ReadFile("aldp.pdb")
//	ff, _ := forcefield.Load("amber99sbildn.xml", "amber99_obc.xml")
//	sys, _ := ff.CreateSystem(f.Topology, forcefield.Options{Method: molecules.NoCutoff})
//	e, _ := sys.Evaluate(f.Positions(0), forces)
package molecules
