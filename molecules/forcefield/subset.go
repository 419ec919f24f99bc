package forcefield

import "strings"

var proteinBases = map[string]bool{
	"ALA": true, "ARG": true, "ASN": true, "ASP": true, "ASH": true, "CYS": true, "CYX": true, "CYM": true,
	"GLN": true, "GLU": true, "GLH": true, "GLY": true, "HID": true, "HIE": true, "HIP": true, "HYP": true,
	"ILE": true, "LEU": true, "LYS": true, "LYN": true, "MET": true, "PHE": true, "PRO": true, "SER": true,
	"THR": true, "TRP": true, "TYR": true, "VAL": true,
}

// ProteinResidue reports whether name is a protein residue template: a
// standard amino acid or protonation variant, its N-/C-terminal form
// (NALA, CALA, ...), or the ACE, NME and NHE caps.
func ProteinResidue(name string) bool {
	switch name {
	case "ACE", "NME", "NHE":
		return true
	}
	if proteinBases[name] {
		return true
	}
	if len(name) == 4 && (strings.HasPrefix(name, "N") || strings.HasPrefix(name, "C")) {
		return proteinBases[name[1:]]
	}
	return false
}

// Subset returns a copy of f restricted to the templates accepted by
// keepTemplate and to the parameters that can apply to their atom types.
// When types is non-nil, it gives the atom types to keep instead (for a
// file such as amber99_obc.xml that only adds parameters to another file's
// types).
func (f *ForceField) Subset(keepTemplate func(name string) bool, types []AtomType) *ForceField {
	out := &ForceField{}
	for _, t := range f.Templates {
		if keepTemplate != nil && keepTemplate(t.Name) {
			out.Templates = append(out.Templates, t)
		}
	}
	keepType := map[string]bool{}
	keepClass := map[string]bool{}
	if types == nil {
		for _, t := range out.Templates {
			for _, a := range t.Atoms {
				keepType[a.Type] = true
			}
		}
		for _, t := range f.AtomTypes {
			if keepType[t.Name] {
				out.AtomTypes = append(out.AtomTypes, t)
				keepClass[t.Class] = true
			}
		}
	} else {
		for _, t := range types {
			keepType[t.Name] = true
			keepClass[t.Class] = true
		}
	}
	ok := func(specs ...TypeSpec) bool {
		for _, s := range specs {
			switch {
			case s.Type != "":
				if !keepType[s.Type] {
					return false
				}
			case s.Class != "":
				if !keepClass[s.Class] {
					return false
				}
			}
		}
		return true
	}
	for _, p := range f.Bonds {
		if ok(p.Types[:]...) {
			out.Bonds = append(out.Bonds, p)
		}
	}
	for _, p := range f.Angles {
		if ok(p.Types[:]...) {
			out.Angles = append(out.Angles, p)
		}
	}
	for _, p := range f.Propers {
		if ok(p.Types[:]...) {
			out.Propers = append(out.Propers, p)
		}
	}
	for _, p := range f.Impropers {
		if ok(p.Types[:]...) {
			out.Impropers = append(out.Impropers, p)
		}
	}
	if f.Nonbonded != nil {
		nb := *f.Nonbonded
		nb.Atoms = nil
		for _, a := range f.Nonbonded.Atoms {
			if ok(a.Spec) {
				nb.Atoms = append(nb.Atoms, a)
			}
		}
		out.Nonbonded = &nb
	}
	if f.GBSAOBC != nil {
		gb := &GBSAOBCParams{}
		for _, a := range f.GBSAOBC.Atoms {
			if ok(a.Spec) {
				gb.Atoms = append(gb.Atoms, a)
			}
		}
		out.GBSAOBC = gb
	}
	if f.OBC1 != nil {
		c := *f.OBC1
		out.OBC1 = &c
	}
	return out
}
