package pdb

import "github.com/boltzflow/boltzflow/molecules"

// Naming is an atom-naming convention for caps and termini.
type Naming int

const (
	// AmberNames are the Amber/tleap template names: ACE HH31 HH32 HH33,
	// NME CH3 HH31 HH32 HH33, N-terminal H1 H2 H3.
	AmberNames Naming = iota
	// OpenMMNames are OpenMM's internal names, used in PDB files OpenMM
	// writes: ACE H1 H2 H3, NME C H1 H2 H3, N-terminal H H2 H3.
	OpenMMNames
)

var (
	capAmberToOpenMM = map[string]map[string]string{
		"ACE": {"HH31": "H1", "HH32": "H2", "HH33": "H3"},
		"NME": {"CH3": "C", "HH31": "H1", "HH32": "H2", "HH33": "H3"},
	}
	capOpenMMToAmber = map[string]map[string]string{
		"ACE": {"H1": "HH31", "H2": "HH32", "H3": "HH33"},
		"NME": {"C": "CH3", "H1": "HH31", "H2": "HH32", "H3": "HH33"},
	}
)

// ConvertNames renames the cap and N-terminal atoms of top in place to the
// given convention and returns the number of atoms renamed. An N-terminal
// residue is the first residue of a chain that carries H2 and H3; its H
// (OpenMM) and H1 (Amber) are exchanged. Names already in the target
// convention are left alone, so converting twice is harmless.
func ConvertNames(top *molecules.Topology, to Naming) int {
	changed := 0
	table := capAmberToOpenMM
	if to == AmberNames {
		table = capOpenMMToAmber
	}
	for _, ch := range top.Chains {
		for k, r := range ch.Residues {
			res := top.Residues[r]
			has := map[string]bool{}
			for _, a := range res.Atoms {
				has[top.Atoms[a].Name] = true
			}
			if m, ok := table[res.Name]; ok {
				// Skip residues already in the target convention (e.g. NME
				// with both C and CH3 cannot happen; ACE keeps C).
				if to == OpenMMNames && res.Name == "NME" && !has["CH3"] {
					continue
				}
				if to == AmberNames && res.Name == "NME" && has["CH3"] {
					continue
				}
				for _, a := range res.Atoms {
					if nn, ok := m[top.Atoms[a].Name]; ok {
						top.Atoms[a].Name = nn
						changed++
					}
				}
				continue
			}
			if k != 0 || !has["H2"] || !has["H3"] {
				continue
			}
			for _, a := range res.Atoms {
				switch {
				case to == OpenMMNames && top.Atoms[a].Name == "H1":
					top.Atoms[a].Name = "H"
					changed++
				case to == AmberNames && top.Atoms[a].Name == "H":
					top.Atoms[a].Name = "H1"
					changed++
				}
			}
		}
	}
	return changed
}
