package builder

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/boltzflow/boltzflow/molecules"
	"github.com/boltzflow/boltzflow/molecules/forcefield"
)

// minSeparation (Å) is the smallest distance Build accepts between any two
// atoms.
const minSeparation = 0.7

// Default backbone dihedrals (degrees), polyproline-II-like as in
// docs/molecules.md §6.
const (
	DefaultPhi = -75.0
	DefaultPsi = 145.0
)

// Options control Build.
type Options struct {
	// Capped adds an acetyl (ACE) N-terminal and an N-methylamide (NME)
	// C-terminal cap; otherwise the termini are zwitterionic (NH3⁺, COO⁻).
	Capped bool
	// Phi and Psi are the backbone dihedrals φ_i, ψ_i (degrees, IUPAC
	// convention) of each amino acid; nil means DefaultPhi/DefaultPsi for
	// all. Otherwise each must have one entry per residue of the sequence.
	// φ of proline is fixed at −63° by its ring; φ of an uncapped first
	// residue and ψ of an uncapped last residue (the carboxylate) are
	// honoured by placing OXT where the next N would be.
	Phi, Psi []float64
}

// Build builds the peptide with one-letter sequence seq (the 20 standard
// amino acids, case-insensitive) with the residue templates of ff. It
// returns the topology (one chain "A"; residues ACE?, amino acids, NME?
// numbered from 1; atoms in template order with Amber names) and the
// positions (nm, len 3N). Errors name the offending letter and position.
func Build(ff *forcefield.ForceField, seq string, opt Options) (*molecules.Topology, []float64, error) {
	seq = strings.ToUpper(strings.TrimSpace(seq))
	if seq == "" {
		return nil, nil, fmt.Errorf("builder: empty sequence")
	}
	for i := 0; i < len(seq); i++ {
		if _, ok := residueName[seq[i]]; !ok {
			return nil, nil, fmt.Errorf("builder: sequence %q position %d: unknown residue letter %q (want one of ACDEFGHIKLMNPQRSTVWY)", seq, i+1, seq[i])
		}
	}
	if !opt.Capped && len(seq) < 2 {
		return nil, nil, fmt.Errorf("builder: a zwitterionic peptide needs at least two residues (got %q); use capped", seq)
	}
	n := len(seq)
	phi, psi := opt.Phi, opt.Psi
	if phi == nil {
		phi = make([]float64, n)
		for i := range phi {
			phi[i] = DefaultPhi
		}
	}
	if psi == nil {
		psi = make([]float64, n)
		for i := range psi {
			psi[i] = DefaultPsi
		}
	}
	if len(phi) != n || len(psi) != n {
		return nil, nil, fmt.Errorf("builder: %d residues but %d φ and %d ψ values", n, len(phi), len(psi))
	}
	for i := range phi {
		if math.IsNaN(phi[i]) || math.IsInf(phi[i], 0) || math.IsNaN(psi[i]) || math.IsInf(psi[i], 0) {
			return nil, nil, fmt.Errorf("builder: residue %d: φ/ψ = %v/%v are not finite", i+1, phi[i], psi[i])
		}
	}

	// Residue templates.
	type res struct {
		name string // topology residue name
		tmpl *forcefield.Template
		aa   int // index into seq, −1 for caps
	}
	var rs []res
	addTmpl := func(resName, tmplName string, aa int) error {
		t := ff.Template(tmplName)
		if t == nil {
			return fmt.Errorf("builder: the force field has no residue template %s (for %s)", tmplName, resName)
		}
		rs = append(rs, res{resName, t, aa})
		return nil
	}
	if opt.Capped {
		if err := addTmpl("ACE", "ACE", -1); err != nil {
			return nil, nil, err
		}
	}
	for i := 0; i < n; i++ {
		base := residueName[seq[i]]
		tn := base
		if !opt.Capped && i == 0 {
			tn = "N" + base
		} else if !opt.Capped && i == n-1 {
			tn = "C" + base
		}
		if err := addTmpl(base, tn, i); err != nil {
			return nil, nil, err
		}
	}
	if opt.Capped {
		if err := addTmpl("NME", "NME", -1); err != nil {
			return nil, nil, err
		}
	}

	// Topology and bond graph.
	top := &molecules.Topology{}
	chain := top.AddChain("A")
	idx := make([]map[string]int, len(rs)) // atom name → atom index per residue
	var bonds [][2]int
	for r, rr := range rs {
		ri := top.AddResidue(rr.name, strconv.Itoa(r+1), chain)
		idx[r] = map[string]int{}
		first := top.NumAtoms()
		for _, ta := range rr.tmpl.Atoms {
			at, ok := ff.AtomTypeByName(ta.Type)
			if !ok {
				return nil, nil, fmt.Errorf("builder: template %s atom %s has unknown type %s", rr.tmpl.Name, ta.Name, ta.Type)
			}
			el, ok := molecules.ElementBySymbol(at.Element)
			if !ok {
				return nil, nil, fmt.Errorf("builder: template %s atom %s has unknown element %q", rr.tmpl.Name, ta.Name, at.Element)
			}
			idx[r][ta.Name] = top.AddAtom(ta.Name, el, ri)
		}
		for _, b := range rr.tmpl.Bonds {
			bonds = append(bonds, [2]int{first + b[0], first + b[1]})
		}
		if r > 0 {
			c, ok1 := idx[r-1]["C"]
			nn, ok2 := idx[r]["N"]
			if !ok1 || !ok2 {
				return nil, nil, fmt.Errorf("builder: residues %d and %d cannot be joined by a peptide bond", r, r+1)
			}
			bonds = append(bonds, [2]int{c, nn})
		}
	}
	nat := top.NumAtoms()
	nbr := make([][]int, nat)
	for _, b := range bonds {
		nbr[b[0]] = append(nbr[b[0]], b[1])
		nbr[b[1]] = append(nbr[b[1]], b[0])
	}

	// Heavy atoms (Å).
	pos := make([]vec, nat)
	placed := make([]bool, nat)
	set := func(r int, name string, p vec) {
		i, ok := idx[r][name]
		if !ok {
			panic(fmt.Sprintf("builder: residue %s has no atom %s", rs[r].tmpl.Name, name))
		}
		pos[i] = p
		placed[i] = true
	}
	get := func(r int, name string) vec {
		i, ok := idx[r][name]
		if !ok || !placed[i] {
			panic(fmt.Sprintf("builder: atom %s of residue %s is not placed", name, rs[r].tmpl.Name))
		}
		return pos[i]
	}
	start := 0
	if opt.Capped {
		// ACE: CH3 at the origin, C on x, the next N in the xy plane.
		set(0, "CH3", vec{})
		set(0, "C", vec{bondCCH3, 0, 0})
		cPos := get(0, "C")
		set(1, "N", cPos.add(vec{-bondCN * math.Cos(angCACN*deg), bondCN * math.Sin(angCACN*deg), 0}))
		set(0, "O", place(get(1, "N"), get(0, "CH3"), cPos, bondCO, angCACO, 180))
		start = 1
	}
	for r := start; r < len(rs); r++ {
		rr := rs[r]
		if rr.aa < 0 { // NME
			set(r, "CH3", place(get(r-1, "CA"), get(r-1, "C"), get(r, "N"), bondNCH3, angCNCH3, 180))
			continue
		}
		i := rr.aa
		p := phi[i]
		if rr.name == "PRO" {
			p = prolinePhi
		}
		if r == 0 { // uncapped N-terminus
			set(r, "N", vec{})
			set(r, "CA", vec{bondNCA, 0, 0})
			set(r, "C", get(r, "CA").add(vec{-bondCAC * math.Cos(angNCAC*deg), bondCAC * math.Sin(angNCAC*deg), 0}))
		} else {
			prevCA := "CA"
			if rs[r-1].aa < 0 {
				prevCA = "CH3"
			}
			set(r, "CA", place(get(r-1, prevCA), get(r-1, "C"), get(r, "N"), bondNCA, angCNCA, 180))
			set(r, "C", place(get(r-1, "C"), get(r, "N"), get(r, "CA"), bondCAC, angNCAC, p))
		}
		N, CA, C := get(r, "N"), get(r, "CA"), get(r, "C")
		if _, ok := idx[r]["CB"]; ok {
			set(r, "CB", place(C, N, CA, bondCACB, angNCACB, torsCNCACB))
		}
		for _, z := range sideChains[rr.name] {
			set(r, z.Name, place(get(r, z.Ref2), get(r, z.Ref1), get(r, z.Parent), z.Bond, z.Angle, z.Tors))
		}
		if r+1 < len(rs) {
			set(r+1, "N", place(N, CA, C, bondCN, angCACN, psi[i]))
			set(r, "O", place(get(r+1, "N"), CA, C, bondCO, angCACO, 180))
		} else {
			set(r, "OXT", place(N, CA, C, bondCOXT, 117.0, psi[i]))
			set(r, "O", place(get(r, "OXT"), CA, C, bondCOXT, 118.0, 180))
		}
	}
	for i := range pos {
		if !placed[i] && top.Atoms[i].Element.Symbol != "H" {
			return nil, nil, fmt.Errorf("builder: no geometry for heavy atom %s of %s", top.Atoms[i].Name, top.ResidueLabel(top.Atoms[i].Residue))
		}
	}
	if err := placeHydrogens(top, pos, placed, nbr); err != nil {
		return nil, nil, err
	}
	// Chosen φ/ψ can fold the chain onto itself: refuse overlapping atoms.
	for i := 0; i < nat; i++ {
		for j := i + 1; j < nat; j++ {
			if d := pos[i].sub(pos[j]).norm(); d < minSeparation {
				ai, aj := top.Atoms[i], top.Atoms[j]
				return nil, nil, fmt.Errorf("builder: impossible geometry: %s of %s and %s of %s are %.2f Å apart; choose other φ/ψ",
					ai.Name, top.ResidueLabel(ai.Residue), aj.Name, top.ResidueLabel(aj.Residue), d)
			}
		}
	}
	out := make([]float64, 3*nat)
	for i, p := range pos {
		for k := 0; k < 3; k++ {
			out[3*i+k] = p[k] / 10
		}
	}
	return top, out, nil
}

// placeHydrogens places every hydrogen from the positions of the heavy
// atoms and the bond graph: tetrahedral geometry at atoms with four
// neighbours (CH, CH2, CH3, NH3⁺), trigonal planar at three (amide NH, NH2,
// aromatic CH), and a bent X–H (109.5°, S–H 96°) at two (OH, SH), staggered
// against a heavy neighbour of the parent.
func placeHydrogens(top *molecules.Topology, pos []vec, placed []bool, nbr [][]int) error {
	isH := func(i int) bool { return top.Atoms[i].Element.Symbol == "H" }
	for x := range pos {
		if isH(x) {
			continue
		}
		var hs, heavy []int
		for _, j := range nbr[x] {
			if isH(j) {
				hs = append(hs, j)
			} else {
				heavy = append(heavy, j)
			}
		}
		if len(hs) == 0 {
			continue
		}
		X := pos[x]
		L := hydrogenBond(top.Atoms[x].Element.Symbol)
		fail := func() error {
			return fmt.Errorf("builder: cannot place %d hydrogens on %s of %s with %d heavy neighbours",
				len(hs), top.Atoms[x].Name, top.ResidueLabel(top.Atoms[x].Residue), len(heavy))
		}
		if len(heavy) == 0 {
			return fail()
		}
		u := make([]vec, len(heavy))
		for k, j := range heavy {
			u[k] = pos[j].sub(X).unit()
		}
		// ref returns a heavy neighbour of heavy[0] other than x, for
		// staggering.
		ref := func() (vec, bool) {
			for _, j := range nbr[heavy[0]] {
				if j != x && !isH(j) && placed[j] {
					return pos[j], true
				}
			}
			for _, j := range nbr[heavy[0]] {
				if j != x && placed[j] {
					return pos[j], true
				}
			}
			return vec{}, false
		}
		total := len(hs) + len(heavy)
		var hp []vec
		switch {
		case total == 4 && len(heavy) == 3:
			hp = []vec{X.add(u[0].add(u[1]).add(u[2]).scale(-1).unit().scale(L))}
		case total == 4 && len(heavy) == 2:
			d := u[0].add(u[1]).scale(-1).unit()
			nrm := u[0].cross(u[1]).unit()
			a := 0.5 * 109.47 * deg
			hp = []vec{
				X.add(d.scale(L * math.Cos(a)).add(nrm.scale(L * math.Sin(a)))),
				X.add(d.scale(L * math.Cos(a)).sub(nrm.scale(L * math.Sin(a)))),
			}
		case total == 4 && len(heavy) == 1:
			z, ok := ref()
			if !ok {
				return fail()
			}
			for _, t := range []float64{180, 60, -60} {
				hp = append(hp, place(z, pos[heavy[0]], X, L, 109.47, t))
			}
		case total == 3 && len(heavy) == 2:
			hp = []vec{X.add(u[0].add(u[1]).scale(-1).unit().scale(L))}
		case total == 3 && len(heavy) == 1:
			z, ok := ref()
			if !ok {
				return fail()
			}
			hp = []vec{place(z, pos[heavy[0]], X, L, 120, 0), place(z, pos[heavy[0]], X, L, 120, 180)}
		case total == 2 && len(heavy) == 1:
			z, ok := ref()
			if !ok {
				return fail()
			}
			ang := 109.47
			if top.Atoms[x].Element.Symbol == "S" {
				ang = 96
			}
			hp = []vec{place(z, pos[heavy[0]], X, L, ang, 180)}
		default:
			return fail()
		}
		for k, h := range hs {
			pos[h] = hp[k]
			placed[h] = true
		}
	}
	for i := range pos {
		if !placed[i] {
			return fmt.Errorf("builder: hydrogen %s of %s has no heavy-atom neighbour", top.Atoms[i].Name, top.ResidueLabel(top.Atoms[i].Residue))
		}
	}
	return nil
}
