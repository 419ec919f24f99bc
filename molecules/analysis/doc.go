// Package analysis computes structural observables of peptide trajectories:
// dihedral angles with the mdtraj (IUPAC) sign convention, the backbone
// φ/ψ/ω torsions of a topology, the chirality of Cα stereocentres, basin
// populations and Ramachandran free-energy surfaces rendered with
// gonum/plot.
//
// Positions are flat atom-major slices of 3N coordinates in nm, as in
// molecules and molecules/md; angles are in radians unless a name says
// degrees.
package analysis
