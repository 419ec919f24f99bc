// Package pdb reads and writes Protein Data Bank files for molecules.
//
// Read understands ATOM/HETATM, TER, MODEL/ENDMDL, CONECT and END records;
// the first model defines the molecules.Topology and every model adds one
// set of positions. Coordinates are converted from Å in the file to nm.
// Elements come from columns 77–78 or, when those are blank, are inferred
// from the atom name (and, for single-atom HETATM residues such as ions, the
// residue name). Alternate locations other than the first are skipped.
// Disulfide bonds between CYS/CYX SG atoms closer than 0.3 nm are added to
// Topology.Bonds, as OpenMM's PDBFile does. Both Amber and OpenMM atom
// naming are accepted here as written; molecules/forcefield maps the naming
// variants (ACE HH31/H1, NME CH3/C, N-terminal H1/H, OXT) onto its
// templates, and ConvertNames renames caps and N-termini between the two
// conventions.
//
// Write produces fixed-column PDB text (Å, 3 decimals) with ATOM or HETATM
// records as read, TER after each chain, MODEL/ENDMDL for several models
// and CONECT records for Topology.Bonds.
package pdb
