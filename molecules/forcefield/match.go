package forcefield

import (
	"fmt"
	"sort"
	"strings"

	"github.com/boltzflow/boltzflow/molecules"
)

// nameAliases maps atom names used by other conventions (OpenMM internal
// names, CHARMM, old PDB) to candidate template names. An alias is tried
// only when the template has no atom with the name as written.
var nameAliases = map[string][]string{
	"H1":  {"HH31", "H"},
	"H2":  {"HH32"},
	"H3":  {"HH33"},
	"C":   {"CH3"},
	"H":   {"H1", "HN"},
	"HN":  {"H", "H1"},
	"HN1": {"H1"},
	"HN2": {"H2"},
	"HN3": {"H3"},
	"HT1": {"H1"},
	"HT2": {"H2"},
	"HT3": {"H3"},
	"OT1": {"O"},
	"OT2": {"OXT"},
	"OC1": {"O"},
	"OC2": {"OXT"},
	"O1":  {"O"},
	"O2":  {"OXT"},
	"CT":  {"CH3"},
	"HT":  {"HH31"},
}

// residueAliases maps PDB residue names to template base names.
var residueAliases = map[string][]string{
	"HIS": {"HIE", "HID", "HIP"},
	"CYS": {"CYS", "CYX", "CYM"},
	"ASP": {"ASP", "ASH"},
	"GLU": {"GLU", "GLH"},
	"LYS": {"LYS", "LYN"},
	"NMA": {"NME"},
}

// atomCandidates returns the template names atom name may take.
func atomCandidates(name string) []string {
	c := []string{name}
	c = append(c, nameAliases[name]...)
	// "1HB" → "HB1" (old PDB hydrogen naming).
	if len(name) > 1 && name[0] >= '1' && name[0] <= '9' {
		c = append(c, name[1:]+name[:1])
	}
	return c
}

// mapResidue maps the atoms of residue r onto template t by name. It returns
// the template atom index for every residue atom (in residue order), or
// nil plus the unmatched residue atoms and the missing template atoms.
func (f *ForceField) mapResidue(top *molecules.Topology, r int, t *Template) (mapping []int, unmatched, missing []string) {
	res := top.Residues[r]
	byName := make(map[string]int, len(t.Atoms))
	for i, a := range t.Atoms {
		byName[a.Name] = i
	}
	used := make([]bool, len(t.Atoms))
	mapping = make([]int, len(res.Atoms))
	for k := range mapping {
		mapping[k] = -1
	}
	// Exact names first, then aliases, so that aliases never steal a name.
	for k, ai := range res.Atoms {
		if i, ok := byName[top.Atoms[ai].Name]; ok && !used[i] {
			mapping[k] = i
			used[i] = true
		}
	}
	for k, ai := range res.Atoms {
		if mapping[k] >= 0 {
			continue
		}
		for _, cand := range atomCandidates(top.Atoms[ai].Name)[1:] {
			if i, ok := byName[cand]; ok && !used[i] {
				mapping[k] = i
				used[i] = true
				break
			}
		}
	}
	for k, ai := range res.Atoms {
		i := mapping[k]
		if i < 0 {
			unmatched = append(unmatched, top.Atoms[ai].Name)
			continue
		}
		// The element must agree with the atom type.
		if at, ok := f.AtomTypeByName(t.Atoms[i].Type); ok && at.Element != "" {
			if !strings.EqualFold(at.Element, top.Atoms[ai].Element.Symbol) {
				unmatched = append(unmatched, top.Atoms[ai].Name)
				used[i] = false
				mapping[k] = -1
			}
		}
	}
	for i, u := range used {
		if !u {
			missing = append(missing, t.Atoms[i].Name)
		}
	}
	if len(unmatched) > 0 || len(missing) > 0 {
		return nil, unmatched, missing
	}
	return mapping, nil, nil
}

// candidateTemplates lists templates that may describe residue name.
func (f *ForceField) candidateTemplates(name string) []*Template {
	bases := []string{name}
	if a, ok := residueAliases[name]; ok {
		bases = append(bases, a...)
	}
	seen := map[string]bool{}
	var out []*Template
	for _, b := range bases {
		for _, n := range []string{b, "N" + b, "C" + b} {
			if seen[n] {
				continue
			}
			seen[n] = true
			if t := f.Template(n); t != nil {
				out = append(out, t)
			}
		}
	}
	return out
}

// MatchError reports a residue no template matches.
type MatchError struct {
	Residue   int    // residue index in the Topology (0-based)
	Name      string // residue name
	ID        string // residue id in the file
	Closest   string // name of the closest template ("" if none)
	Unmatched []string
	Missing   []string
	Reason    string
}

func (e *MatchError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "forcefield: no template matches residue %d (%s, id %s)", e.Residue, e.Name, e.ID)
	if e.Reason != "" {
		fmt.Fprintf(&b, ": %s", e.Reason)
	}
	if e.Closest != "" {
		fmt.Fprintf(&b, "; closest template %s", e.Closest)
		if len(e.Unmatched) > 0 {
			fmt.Fprintf(&b, "; unmatched atoms [%s]", strings.Join(e.Unmatched, " "))
		}
		if len(e.Missing) > 0 {
			fmt.Fprintf(&b, "; missing atoms [%s]", strings.Join(e.Missing, " "))
		}
	}
	return b.String()
}

// closest finds the template nearest to residue r: fewest unmatched plus
// missing atoms, preferring templates named like the residue.
func (f *ForceField) closest(top *molecules.Topology, r int) (name string, unmatched, missing []string) {
	best := -1
	consider := func(t *Template) {
		_, u, m := f.mapResidue(top, r, t)
		score := 2 * (len(u) + len(m))
		if best < 0 || score < best {
			best, name, unmatched, missing = score, t.Name, u, m
		}
	}
	for _, t := range f.candidateTemplates(top.Residues[r].Name) {
		consider(t)
	}
	if best < 0 {
		for i := range f.Templates {
			consider(&f.Templates[i])
		}
	}
	return name, unmatched, missing
}

// ResidueMatch is the template assigned to one residue.
type ResidueMatch struct {
	Template *Template
	// AtomIndex[k] is the template atom index of the residue's k-th atom.
	AtomIndex []int
}

// Match assigns a residue template to every residue of top (matched by atom
// names, with Amber/OpenMM naming variants, elements and external bonds)
// and returns the matches and the full bond list: template bonds plus
// inter-residue bonds (explicit Topology bonds and peptide bonds C(i)–N(i+1)
// between consecutive residues of a chain whose templates expect them).
func (f *ForceField) Match(top *molecules.Topology) ([]ResidueMatch, [][2]int, error) {
	nres := len(top.Residues)
	type cand struct {
		t       *Template
		mapping []int
	}
	cands := make([][]cand, nres)
	for r := range top.Residues {
		for _, t := range f.candidateTemplates(top.Residues[r].Name) {
			if m, _, _ := f.mapResidue(top, r, t); m != nil {
				cands[r] = append(cands[r], cand{t, m})
			}
		}
		if len(cands[r]) == 0 {
			res := top.Residues[r]
			e := &MatchError{Residue: r, Name: res.Name, ID: res.ID}
			e.Closest, e.Unmatched, e.Missing = f.closest(top, r)
			if e.Closest == "" {
				e.Reason = "the force field has no residue templates"
			}
			return nil, nil, e
		}
	}
	atomByName := func(r int, name string) int {
		for _, ai := range top.Residues[r].Atoms {
			if top.Atoms[ai].Name == name {
				return ai
			}
		}
		return -1
	}
	// templateAtom returns the residue atom mapped to template atom name in
	// any candidate of r.
	templateAtom := func(r int, name string) int {
		for _, c := range cands[r] {
			for k, ti := range c.mapping {
				if c.t.Atoms[ti].Name == name {
					return top.Residues[r].Atoms[k]
				}
			}
		}
		return atomByName(r, name)
	}
	hasExternal := func(r int, name string) bool {
		for _, c := range cands[r] {
			for _, x := range c.t.External {
				if c.t.Atoms[x].Name == name {
					return true
				}
			}
		}
		return false
	}
	// Inter-residue bonds.
	var inter [][2]int
	seen := map[[2]int]bool{}
	addInter := func(i, j int) {
		if i > j {
			i, j = j, i
		}
		if !seen[[2]int{i, j}] {
			seen[[2]int{i, j}] = true
			inter = append(inter, [2]int{i, j})
		}
	}
	for _, b := range top.Bonds {
		if top.Atoms[b[0]].Residue != top.Atoms[b[1]].Residue {
			addInter(b[0], b[1])
		}
	}
	for _, ch := range top.Chains {
		for k := 0; k+1 < len(ch.Residues); k++ {
			r1, r2 := ch.Residues[k], ch.Residues[k+1]
			if hasExternal(r1, "C") && hasExternal(r2, "N") {
				c, n := templateAtom(r1, "C"), templateAtom(r2, "N")
				if c >= 0 && n >= 0 {
					addInter(c, n)
				}
			}
		}
	}
	sort.Slice(inter, func(a, b int) bool {
		if inter[a][0] != inter[b][0] {
			return inter[a][0] < inter[b][0]
		}
		return inter[a][1] < inter[b][1]
	})
	extCount := make(map[int]int)
	for _, b := range inter {
		extCount[b[0]]++
		extCount[b[1]]++
	}
	matches := make([]ResidueMatch, nres)
	for r := range top.Residues {
		var ok []cand
		for _, c := range cands[r] {
			want := map[int]int{}
			for _, x := range c.t.External {
				want[x]++
			}
			good := true
			for k, ai := range top.Residues[r].Atoms {
				if extCount[ai] != want[c.mapping[k]] {
					good = false
					break
				}
			}
			if good {
				ok = append(ok, c)
			}
		}
		res := top.Residues[r]
		if len(ok) == 0 {
			c := cands[r][0]
			var have, want []string
			for k, ai := range res.Atoms {
				if extCount[ai] > 0 {
					have = append(have, top.Atoms[ai].Name)
				}
				_ = k
			}
			for _, x := range c.t.External {
				want = append(want, c.t.Atoms[x].Name)
			}
			sort.Strings(have)
			return nil, nil, &MatchError{Residue: r, Name: res.Name, ID: res.ID, Closest: c.t.Name,
				Reason: fmt.Sprintf("atoms match %s but bonds to other residues differ (residue bonds out at [%s], template expects [%s]; missing terminal group or cap?)",
					c.t.Name, strings.Join(have, " "), strings.Join(want, " "))}
		}
		matches[r] = ResidueMatch{Template: ok[0].t, AtomIndex: ok[0].mapping}
	}
	// Full bond list: per residue its template bonds, then the inter-residue
	// bonds in order.
	var bonds [][2]int
	for r, m := range matches {
		inv := make(map[int]int, len(m.AtomIndex))
		for k, ti := range m.AtomIndex {
			inv[ti] = top.Residues[r].Atoms[k]
		}
		for _, b := range m.Template.Bonds {
			bonds = append(bonds, [2]int{inv[b[0]], inv[b[1]]})
		}
	}
	bonds = append(bonds, inter...)
	return matches, bonds, nil
}
