package molecules

import (
	"fmt"
	"strings"
)

// Element is a chemical element.
type Element struct {
	// Symbol is the element symbol with standard capitalisation, e.g. "C", "Cl".
	Symbol string
	// Number is the atomic number (0 for an unknown element).
	Number int
	// Mass is the standard atomic mass in amu (g/mol).
	Mass float64
}

// elements lists the elements the package knows, by upper-case symbol.
var elements = map[string]Element{
	"H":  {"H", 1, 1.007947},
	"D":  {"D", 1, 2.01355321270},
	"LI": {"Li", 3, 6.941},
	"C":  {"C", 6, 12.01078},
	"N":  {"N", 7, 14.00672},
	"O":  {"O", 8, 15.99943},
	"F":  {"F", 9, 18.99840320},
	"NA": {"Na", 11, 22.989769282},
	"MG": {"Mg", 12, 24.30506},
	"P":  {"P", 15, 30.9737622},
	"S":  {"S", 16, 32.0655},
	"CL": {"Cl", 17, 35.4532},
	"K":  {"K", 19, 39.09831},
	"CA": {"Ca", 20, 40.0784},
	"MN": {"Mn", 25, 54.9380455},
	"FE": {"Fe", 26, 55.8452},
	"CU": {"Cu", 29, 63.5463},
	"ZN": {"Zn", 30, 65.4094},
	"SE": {"Se", 34, 78.963},
	"BR": {"Br", 35, 79.9041},
	"RB": {"Rb", 37, 85.46783},
	"I":  {"I", 53, 126.904473},
	"CS": {"Cs", 55, 132.90545192},
}

// ElementBySymbol returns the element with the given symbol (case-insensitive)
// and whether it is known.
func ElementBySymbol(symbol string) (Element, bool) {
	e, ok := elements[strings.ToUpper(strings.TrimSpace(symbol))]
	return e, ok
}

// Atom is one atom of a Topology.
type Atom struct {
	// Name is the atom name as read (e.g. "CA", "HH31").
	Name string
	// Element is the chemical element.
	Element Element
	// Residue is the index of the residue the atom belongs to.
	Residue int
	// Hetero records that the atom came from a HETATM record (PDB round trip).
	Hetero bool
}

// Residue is one residue of a Topology.
type Residue struct {
	// Name is the residue name (e.g. "ALA", "ACE").
	Name string
	// ID is the residue identifier in the source file (PDB resSeq plus
	// insertion code, e.g. "12" or "12A").
	ID string
	// Chain is the index of the chain the residue belongs to.
	Chain int
	// Atoms lists the indices of the residue's atoms, in order.
	Atoms []int
}

// Chain is one chain of a Topology.
type Chain struct {
	// ID is the chain identifier (PDB column 22).
	ID string
	// Residues lists the indices of the chain's residues, in order.
	Residues []int
}

// Topology describes the atoms, residues, chains and bonds of a molecular
// system, as OpenMM's Topology does. Atoms are numbered 0..N−1 in file
// order; the atoms of a residue are contiguous in the usual case but need
// not be.
type Topology struct {
	// Atoms lists every atom; an atom's index is its position here.
	Atoms []Atom
	// Residues lists every residue in file order.
	Residues []Residue
	// Chains lists every chain in file order.
	Chains []Chain
	// Bonds lists explicit bonds as atom index pairs (from CONECT records,
	// disulfide detection or a builder). Bonds implied by residue templates
	// need not be listed: the force field adds them when it builds a System.
	Bonds [][2]int
}

// NumAtoms returns the number of atoms.
func (t *Topology) NumAtoms() int { return len(t.Atoms) }

// AddChain appends a chain with the given identifier and returns its index.
func (t *Topology) AddChain(id string) int {
	t.Chains = append(t.Chains, Chain{ID: id})
	return len(t.Chains) - 1
}

// AddResidue appends a residue named name with file identifier id to chain
// and returns its index. It panics if chain is out of range.
func (t *Topology) AddResidue(name, id string, chain int) int {
	if chain < 0 || chain >= len(t.Chains) {
		panic(fmt.Sprintf("molecules: chain index %d out of range [0,%d)", chain, len(t.Chains)))
	}
	t.Residues = append(t.Residues, Residue{Name: name, ID: id, Chain: chain})
	r := len(t.Residues) - 1
	t.Chains[chain].Residues = append(t.Chains[chain].Residues, r)
	return r
}

// AddAtom appends an atom to residue and returns its index. It panics if
// residue is out of range.
func (t *Topology) AddAtom(name string, el Element, residue int) int {
	if residue < 0 || residue >= len(t.Residues) {
		panic(fmt.Sprintf("molecules: residue index %d out of range [0,%d)", residue, len(t.Residues)))
	}
	t.Atoms = append(t.Atoms, Atom{Name: name, Element: el, Residue: residue})
	a := len(t.Atoms) - 1
	t.Residues[residue].Atoms = append(t.Residues[residue].Atoms, a)
	return a
}

// AddBond records an explicit bond between atoms i and j. Duplicates are
// ignored. It panics if an index is out of range or i == j.
func (t *Topology) AddBond(i, j int) {
	n := len(t.Atoms)
	if i < 0 || i >= n || j < 0 || j >= n || i == j {
		panic(fmt.Sprintf("molecules: bad bond (%d, %d) for %d atoms", i, j, n))
	}
	for _, b := range t.Bonds {
		if (b[0] == i && b[1] == j) || (b[0] == j && b[1] == i) {
			return
		}
	}
	t.Bonds = append(t.Bonds, [2]int{i, j})
}

// ResidueLabel returns "NAME index" for residue r (index 0-based, as in the
// Topology), the form used in error messages.
func (t *Topology) ResidueLabel(r int) string {
	res := t.Residues[r]
	return fmt.Sprintf("residue %d (%s, id %s)", r, res.Name, res.ID)
}

// Clone returns a deep copy of t.
func (t *Topology) Clone() *Topology {
	c := &Topology{
		Atoms:    append([]Atom(nil), t.Atoms...),
		Residues: make([]Residue, len(t.Residues)),
		Chains:   make([]Chain, len(t.Chains)),
		Bonds:    append([][2]int(nil), t.Bonds...),
	}
	for i, r := range t.Residues {
		r.Atoms = append([]int(nil), r.Atoms...)
		c.Residues[i] = r
	}
	for i, ch := range t.Chains {
		ch.Residues = append([]int(nil), ch.Residues...)
		c.Chains[i] = ch
	}
	return c
}
