// Package forcefield loads OpenMM ForceField definitions and builds
// molecules.System values from a molecules.Topology exactly as OpenMM's
// ForceField.createSystem does.
//
// A ForceField holds atom types, residue templates (with N-/C-terminal
// variants such as NALA/CALA and the ACE/NME caps) and the parameters of
// HarmonicBondForce, HarmonicAngleForce, PeriodicTorsionForce (propers and
// impropers with OpenMM's "default", "amber", "charmm" and "smirnoff"
// improper-ordering rules), NonbondedForce (1-4 scaling; charges per type or
// from the residue templates), GBSAOBCForce (OBC2) and the OBC1
// CustomGBForce created by the script of implicit/obc1.xml (mbondi2 radii,
// HCT screening factors by element).
//
// Load("amber99sbildn.xml", "amber99_obc.xml") and
// Load("amber14-all.xml", "implicit/obc1.xml") work without any external
// file: the protein part of those files is embedded (defaults.json.gz, a
// gzipped JSON encoding of ForceField produced by experiments/ffconvert
// from the OpenMM XML files; see the go:generate line). Any other name is
// read as an OpenMM ForceField XML file by path (LoadXMLFile follows
// <Include> elements).
//
// CreateSystem matches every residue to a template by atom names (accepting
// Amber and OpenMM naming variants: ACE HH31/H1, NME CH3/C and HH31/H1,
// N-terminal H1/H, OXT/OT2, 1HB/HB1, ...), elements and bonds to
// neighbouring residues; it then derives bonds (template bonds plus
// peptide bonds C(i)–N(i+1) and explicit inter-residue Topology bonds),
// angles, proper and improper torsions, exclusions and 1-4 exceptions and
// assigns parameters. A residue no template fits gives a *MatchError naming
// the residue (index and name), its unmatched atoms, the template atoms it
// lacks and the closest template.
package forcefield
