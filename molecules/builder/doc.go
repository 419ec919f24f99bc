// Package builder builds peptides from their amino-acid sequence: the
// topology (residues and atoms with Amber names, in the atom order of the
// force field's residue templates) and Cartesian coordinates (nm) from
// ideal internal coordinates, with chosen backbone φ/ψ, trans peptide
// bonds and L chirality.
//
// Sequences use the one-letter codes of the 20 standard amino acids.
// Protonation is that of pH 7: ASP and GLU deprotonated, LYS and ARG
// protonated, histidine as HIE (Nε-protonated), CYS as free thiol. Chains
// are either capped (ACE … NME) or zwitterionic (NH3⁺ … COO⁻).
//
// Named returns the systems of the Sequential Boltzmann Generator (aldp,
// al3, al4, al6, chignolin) with their force field, cutoff, temperature and
// friction (docs/sbg.md §1).
package builder
