package forcefield

import (
	"fmt"
	"math"
	"sort"

	"github.com/boltzflow/boltzflow/molecules"
)

// Options are the createSystem arguments that are supported.
type Options struct {
	// Method is NoCutoff (default) or CutoffNonPeriodic.
	Method molecules.NonbondedMethod
	// Cutoff is the nonbonded (and GB) cutoff in nm for CutoffNonPeriodic;
	// 0 means OpenMM's default of 1 nm.
	Cutoff float64
}

// atomData is what the system builder knows about one atom.
type atomData struct {
	typ      string
	class    string
	tmplIdx  int
	charge   float64
	chargeOK bool
}

// CreateSystem builds the System of top: it matches residue templates,
// derives bonds, angles, proper and improper torsions, 1-2/1-3 exclusions
// and scaled 1-4 exceptions, and assigns parameters exactly as OpenMM's
// ForceField.createSystem does (constraints = None, rigidWater off, no
// hydrogen mass repartitioning). Errors name the residue (index and name),
// the unmatched atoms and the closest template.
func (f *ForceField) CreateSystem(top *molecules.Topology, opt Options) (*molecules.System, error) {
	n := top.NumAtoms()
	if n == 0 {
		return nil, fmt.Errorf("forcefield: empty topology")
	}
	switch opt.Method {
	case molecules.NoCutoff, molecules.CutoffNonPeriodic:
	default:
		return nil, fmt.Errorf("forcefield: unsupported nonbonded method %v", opt.Method)
	}
	cutoff := opt.Cutoff
	if cutoff == 0 {
		cutoff = 1
	}
	if !(cutoff > 0) {
		return nil, fmt.Errorf("forcefield: cutoff must be positive, got %g nm", opt.Cutoff)
	}
	matches, bonds, err := f.Match(top)
	if err != nil {
		return nil, err
	}
	atoms := make([]atomData, n)
	for r, m := range matches {
		for k, ai := range top.Residues[r].Atoms {
			ti := m.AtomIndex[k]
			ta := m.Template.Atoms[ti]
			at, ok := f.AtomTypeByName(ta.Type)
			if !ok {
				return nil, fmt.Errorf("forcefield: template %s atom %s has unknown type %q", m.Template.Name, ta.Name, ta.Type)
			}
			atoms[ai] = atomData{typ: ta.Type, class: at.Class, tmplIdx: ti}
			if ta.Charge != nil {
				atoms[ai].charge, atoms[ai].chargeOK = *ta.Charge, true
			}
		}
	}
	sys := &molecules.System{Masses: make([]float64, n)}
	for i, a := range atoms {
		at, _ := f.AtomTypeByName(a.typ)
		sys.Masses[i] = at.Mass
	}

	// Bonded neighbour lists (sorted), angles, propers, impropers as OpenMM.
	bondedTo := make([][]int, n)
	for _, b := range bonds {
		bondedTo[b[0]] = append(bondedTo[b[0]], b[1])
		bondedTo[b[1]] = append(bondedTo[b[1]], b[0])
	}
	for i := range bondedTo {
		sort.Ints(bondedTo[i])
		bondedTo[i] = uniqInts(bondedTo[i])
	}
	angleSet := map[[3]int]bool{}
	for _, b := range bonds {
		a1, a2 := b[0], b[1]
		for _, x := range bondedTo[a1] {
			if x != a2 {
				if x < a2 {
					angleSet[[3]int{x, a1, a2}] = true
				} else {
					angleSet[[3]int{a2, a1, x}] = true
				}
			}
		}
		for _, x := range bondedTo[a2] {
			if x != a1 {
				if x > a1 {
					angleSet[[3]int{a1, a2, x}] = true
				} else {
					angleSet[[3]int{x, a2, a1}] = true
				}
			}
		}
	}
	angles := make([][3]int, 0, len(angleSet))
	for a := range angleSet {
		angles = append(angles, a)
	}
	sort.Slice(angles, func(i, j int) bool { return lessInts(angles[i][:], angles[j][:]) })
	properSet := map[[4]int]bool{}
	for _, a := range angles {
		for _, x := range bondedTo[a[0]] {
			if x != a[0] && x != a[1] && x != a[2] {
				if x < a[2] {
					properSet[[4]int{x, a[0], a[1], a[2]}] = true
				} else {
					properSet[[4]int{a[2], a[1], a[0], x}] = true
				}
			}
		}
		for _, x := range bondedTo[a[2]] {
			if x != a[0] && x != a[1] && x != a[2] {
				if x > a[0] {
					properSet[[4]int{a[0], a[1], a[2], x}] = true
				} else {
					properSet[[4]int{x, a[2], a[1], a[0]}] = true
				}
			}
		}
	}
	propers := make([][4]int, 0, len(properSet))
	for p := range properSet {
		propers = append(propers, p)
	}
	sort.Slice(propers, func(i, j int) bool { return lessInts(propers[i][:], propers[j][:]) })
	var impropers [][4]int
	for a := 0; a < n; a++ {
		bt := bondedTo[a]
		if len(bt) < 3 {
			continue
		}
		for x := 0; x < len(bt); x++ {
			for y := x + 1; y < len(bt); y++ {
				for z := y + 1; z < len(bt); z++ {
					impropers = append(impropers, [4]int{a, bt[x], bt[y], bt[z]})
				}
			}
		}
	}

	// Bonds.
	for _, b := range bonds {
		t1, t2 := atoms[b[0]].typ, atoms[b[1]].typ
		for _, p := range f.Bonds {
			if (f.matches(p.Types[0], t1) && f.matches(p.Types[1], t2)) || (f.matches(p.Types[0], t2) && f.matches(p.Types[1], t1)) {
				if p.K != 0 {
					sys.Bonds = append(sys.Bonds, molecules.HarmonicBond{Atoms: b, Length: p.Length, K: p.K})
				}
				break
			}
		}
	}
	// Angles.
	for _, a := range angles {
		t1, t2, t3 := atoms[a[0]].typ, atoms[a[1]].typ, atoms[a[2]].typ
		for _, p := range f.Angles {
			if !f.matches(p.Types[1], t2) {
				continue
			}
			if (f.matches(p.Types[0], t1) && f.matches(p.Types[2], t3)) || (f.matches(p.Types[0], t3) && f.matches(p.Types[2], t1)) {
				if p.K != 0 {
					sys.Angles = append(sys.Angles, molecules.HarmonicAngle{Atoms: a, Angle: p.Angle, K: p.K})
				}
				break
			}
		}
	}
	// Proper torsions.
	for _, t := range propers {
		ty := [4]string{atoms[t[0]].typ, atoms[t[1]].typ, atoms[t[2]].typ, atoms[t[3]].typ}
		var match *TorsionParam
		for pi := range f.Propers {
			p := &f.Propers[pi]
			fwd := f.matches(p.Types[0], ty[0]) && f.matches(p.Types[1], ty[1]) && f.matches(p.Types[2], ty[2]) && f.matches(p.Types[3], ty[3])
			rev := f.matches(p.Types[0], ty[3]) && f.matches(p.Types[1], ty[2]) && f.matches(p.Types[2], ty[1]) && f.matches(p.Types[3], ty[0])
			if !fwd && !rev {
				continue
			}
			wild := hasWildcard(p.Types[:])
			if match == nil || !wild {
				match = p
			}
			if !wild {
				break
			}
		}
		if match != nil {
			for _, term := range match.Terms {
				if term.K != 0 {
					sys.Torsions = append(sys.Torsions, molecules.PeriodicTorsion{Atoms: t, Periodicity: term.Periodicity, Phase: term.Phase, K: term.K})
				}
			}
		}
	}
	// Improper torsions.
	for _, t := range impropers {
		m, p := f.matchImproper(top, atoms, t)
		if p == nil {
			continue
		}
		for _, term := range p.Terms {
			if term.K == 0 {
				continue
			}
			if p.Ordering == "smirnoff" {
				sys.Torsions = append(sys.Torsions,
					molecules.PeriodicTorsion{Atoms: m, Periodicity: term.Periodicity, Phase: term.Phase, K: term.K},
					molecules.PeriodicTorsion{Atoms: [4]int{m[0], m[2], m[3], m[1]}, Periodicity: term.Periodicity, Phase: term.Phase, K: term.K},
					molecules.PeriodicTorsion{Atoms: [4]int{m[0], m[3], m[1], m[2]}, Periodicity: term.Periodicity, Phase: term.Phase, K: term.K})
			} else {
				sys.Torsions = append(sys.Torsions, molecules.PeriodicTorsion{Atoms: m, Periodicity: term.Periodicity, Phase: term.Phase, K: term.K})
			}
		}
	}

	// Nonbonded.
	if nbp := f.Nonbonded; nbp != nil {
		params := make(map[string]AtomParam)
		for _, a := range atoms {
			if _, ok := params[a.typ]; ok {
				continue
			}
			found := false
			for _, p := range nbp.Atoms {
				if f.matches(p.Spec, a.typ) && !p.Spec.IsWildcard() {
					params[a.typ] = p
					found = true
					break
				}
			}
			if !found {
				return nil, fmt.Errorf("forcefield: no NonbondedForce parameters for atom type %q", a.typ)
			}
		}
		nb := &molecules.Nonbonded{
			Method:                  opt.Method,
			Cutoff:                  cutoff,
			ReactionFieldDielectric: 78.3,
			Particles:               make([]molecules.NonbondedParticle, n),
		}
		for i, a := range atoms {
			p := params[a.typ]
			q := p.Charge
			if nbp.ChargeFromResidue {
				if !a.chargeOK {
					return nil, fmt.Errorf("forcefield: atom %d (%s of %s) has no template charge", i, top.Atoms[i].Name, top.ResidueLabel(top.Atoms[i].Residue))
				}
				q = a.charge
			}
			nb.Particles[i] = molecules.NonbondedParticle{Charge: q, Sigma: p.Sigma, Epsilon: p.Epsilon}
		}
		for _, pr := range bondSeparations(n, bondedTo, 3) {
			i, j, sep := pr[0], pr[1], pr[2]
			if sep < 3 {
				nb.Exceptions = append(nb.Exceptions, molecules.Exception{Atoms: [2]int{i, j}, Sigma: 1})
				continue
			}
			pi, pj := nb.Particles[i], nb.Particles[j]
			nb.Exceptions = append(nb.Exceptions, molecules.Exception{
				Atoms:      [2]int{i, j},
				ChargeProd: nbp.Coulomb14Scale * pi.Charge * pj.Charge,
				Sigma:      0.5 * (pi.Sigma + pj.Sigma),
				Epsilon:    nbp.LJ14Scale * math.Sqrt(pi.Epsilon*pj.Epsilon),
			})
		}
		sys.Nonbonded = nb
	}

	// Implicit solvent.
	switch {
	case f.GBSAOBC != nil:
		gb := &molecules.GB{Model: molecules.OBC2, SoluteDielectric: 1, SolventDielectric: 78.3, SurfaceAreaEnergy: 2.25936,
			Particles: make([]molecules.GBParticle, n)}
		if opt.Method == molecules.CutoffNonPeriodic {
			gb.Cutoff = cutoff
		}
		for i, a := range atoms {
			found := false
			for _, p := range f.GBSAOBC.Atoms {
				if f.matches(p.Spec, a.typ) && !p.Spec.IsWildcard() {
					gb.Particles[i] = molecules.GBParticle{Charge: p.Charge, Radius: p.Radius, Scale: p.Scale}
					found = true
					break
				}
			}
			if !found {
				return nil, fmt.Errorf("forcefield: no GBSAOBCForce parameters for atom type %q (atom %d %s of %s)", a.typ, i, top.Atoms[i].Name, top.ResidueLabel(top.Atoms[i].Residue))
			}
		}
		sys.GB = gb
		if sys.Nonbonded != nil {
			sys.Nonbonded.ReactionFieldDielectric = 1
		}
	case f.OBC1 != nil:
		if sys.Nonbonded == nil {
			return nil, fmt.Errorf("forcefield: implicit solvent (OBC1) requires a NonbondedForce")
		}
		gb := &molecules.GB{Model: molecules.OBC1, SoluteDielectric: f.OBC1.SoluteDielectric, SolventDielectric: f.OBC1.SolventDielectric,
			Particles: make([]molecules.GBParticle, n)}
		if opt.Method == molecules.CutoffNonPeriodic {
			gb.Cutoff = cutoff
		}
		radii := mbondi2Radii(top, bonds)
		for i := range atoms {
			gb.Particles[i] = molecules.GBParticle{Charge: sys.Nonbonded.Particles[i].Charge, Radius: radii[i], Scale: screenFactor(top.Atoms[i].Element.Symbol)}
		}
		sys.GB = gb
		sys.Nonbonded.ReactionFieldDielectric = 1
	}
	return sys, nil
}

func uniqInts(s []int) []int {
	if len(s) < 2 {
		return s
	}
	out := s[:1]
	for _, v := range s[1:] {
		if v != out[len(out)-1] {
			out = append(out, v)
		}
	}
	return out
}

func lessInts(a, b []int) bool {
	for k := range a {
		if a[k] != b[k] {
			return a[k] < b[k]
		}
	}
	return false
}

func hasWildcard(specs []TypeSpec) bool {
	for _, s := range specs {
		if s.IsWildcard() {
			return true
		}
	}
	return false
}

// bondSeparations returns all pairs (i, j, sep), i < j, sorted, whose bond
// separation sep is at most maxSep.
func bondSeparations(n int, bondedTo [][]int, maxSep int) [][3]int {
	var out [][3]int
	dist := make([]int, n)
	for i := range dist {
		dist[i] = -1
	}
	var frontier, next, touched []int
	for i := 0; i < n; i++ {
		dist[i] = 0
		touched = append(touched[:0], i)
		frontier = append(frontier[:0], i)
		for d := 1; d <= maxSep; d++ {
			next = next[:0]
			for _, a := range frontier {
				for _, b := range bondedTo[a] {
					if dist[b] < 0 {
						dist[b] = d
						touched = append(touched, b)
						next = append(next, b)
					}
				}
			}
			frontier, next = next, frontier
		}
		var js []int
		for _, j := range touched {
			if j > i {
				js = append(js, j)
			}
		}
		sort.Ints(js)
		for _, j := range js {
			out = append(out, [3]int{i, j, dist[j]})
		}
		for _, j := range touched {
			dist[j] = -1
		}
	}
	return out
}

// matchImproper finds the improper definition for the candidate t (central
// atom first) and returns the atom order for the System (central atom
// third), following OpenMM's rules; nil when nothing matches.
func (f *ForceField) matchImproper(top *molecules.Topology, atoms []atomData, t [4]int) ([4]int, *TorsionParam) {
	ty := [4]string{atoms[t[0]].typ, atoms[t[1]].typ, atoms[t[2]].typ, atoms[t[3]].typ}
	var match *TorsionParam
	var order [4]int
	perms := [6][3]int{{1, 2, 3}, {1, 3, 2}, {2, 1, 3}, {2, 3, 1}, {3, 1, 2}, {3, 2, 1}}
	el := func(a int) molecules.Element { return top.Atoms[a].Element }
	res := func(a int) int { return top.Atoms[a].Residue }
	tix := func(a int) int { return atoms[a].tmplIdx }
	for pi := range f.Impropers {
		p := &f.Impropers[pi]
		wild := hasWildcard(p.Types[:])
		if match != nil && wild {
			continue
		}
		if !f.matches(p.Types[0], ty[0]) {
			continue
		}
		for _, pm := range perms {
			i2, i3, i4 := pm[0], pm[1], pm[2]
			if !(f.matches(p.Types[1], ty[i2]) && f.matches(p.Types[2], ty[i3]) && f.matches(p.Types[3], ty[i4])) {
				continue
			}
			switch p.Ordering {
			case "default", "":
				a1, a2 := t[i2], t[i3]
				e1, e2 := el(a1), el(a2)
				if e1.Symbol == e2.Symbol && a1 > a2 {
					a1, a2 = a2, a1
				} else if e1.Symbol != "C" && (e2.Symbol == "C" || e1.Mass < e2.Mass) {
					a1, a2 = a2, a1
				}
				order = [4]int{a1, a2, t[0], t[i4]}
			case "charmm":
				if wild {
					a1, a2 := t[i2], t[i3]
					e1, e2 := el(a1), el(a2)
					if e1.Symbol == e2.Symbol && a1 > a2 {
						a1, a2 = a2, a1
					} else if e1.Symbol != "C" && (e2.Symbol == "C" || e1.Mass < e2.Mass) {
						a1, a2 = a2, a1
					}
					order = [4]int{a1, a2, t[0], t[i4]}
				} else {
					order = [4]int{t[0], t[i2], t[i3], t[i4]}
				}
			case "amber":
				a2, a3, a4 := t[i2], t[i3], t[i4]
				t2, t3, t4 := ty[i2], ty[i3], ty[i4]
				later := func(x, y int) bool { // x after y in residue/template order
					return res(x) > res(y) || (res(x) == res(y) && tix(x) > tix(y))
				}
				if !wild {
					if t2 == t4 && later(a2, a4) {
						a2, a4 = a4, a2
					}
					if t3 == t4 && later(a3, a4) {
						a3, a4 = a4, a3
					}
					if t2 == t3 && later(a2, a3) {
						a2, a3 = a3, a2
					}
				} else {
					if el(a2).Symbol == el(a4).Symbol && later(a2, a4) {
						a2, a4 = a4, a2
					}
					if el(a3).Symbol == el(a4).Symbol && later(a3, a4) {
						a3, a4 = a4, a3
					}
					if later(a2, a3) {
						a2, a3 = a3, a2
					}
				}
				order = [4]int{a2, a3, t[0], a4}
			case "smirnoff":
				order = [4]int{t[0], t[i2], t[i3], t[i4]}
			}
			match = p
			break
		}
	}
	return order, match
}

// mbondi2Radii returns Amber's mbondi2 GB radii in nm (as OpenMM's
// GBSAOBC1Force.getStandardParameters): H 0.13 when bonded to N else 0.12,
// C 0.17, N 0.155, O 0.15, F 0.15, Si 0.21, P 0.185, S 0.18, Cl 0.15,
// others 0.15.
func mbondi2Radii(top *molecules.Topology, bonds [][2]int) []float64 {
	n := top.NumAtoms()
	first := make([]int, n)
	for i := range first {
		first[i] = -1
	}
	for _, b := range bonds {
		if first[b[0]] < 0 {
			first[b[0]] = b[1]
		}
		if first[b[1]] < 0 {
			first[b[1]] = b[0]
		}
	}
	r := make([]float64, n)
	for i, a := range top.Atoms {
		var ang float64
		switch a.Element.Symbol {
		case "H", "D":
			ang = 1.2
			if j := first[i]; j >= 0 && top.Atoms[j].Element.Symbol == "N" {
				ang = 1.3
			}
		case "C":
			ang = 1.7
		case "N":
			ang = 1.55
		case "O", "F":
			ang = 1.5
		case "Si":
			ang = 2.1
		case "P":
			ang = 1.85
		case "S":
			ang = 1.8
		default:
			ang = 1.5
		}
		r[i] = ang / 10
	}
	return r
}

// screenFactor returns the HCT screening factor by element.
func screenFactor(symbol string) float64 {
	switch symbol {
	case "H", "D":
		return 0.85
	case "C":
		return 0.72
	case "N":
		return 0.79
	case "O":
		return 0.85
	case "F":
		return 0.88
	case "P":
		return 0.86
	case "S":
		return 0.96
	}
	return 0.8
}
