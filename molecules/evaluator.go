package molecules

import (
	"fmt"
	"math"
)

// Constants of the OBC1 CustomGBForce expressions of OpenMM's implicit/obc1.xml,
// used verbatim.
const (
	obc1Coulomb   = 138.935485
	obc1ACE       = 28.3919551
	obc1OffsetB   = 0.009                // offset in the expression of B
	obc1OffsetE   = 0.008999999999999999 // offset in the energy terms
	gbOffset      = 0.009                // dielectric offset, nm
	gbProbeRadius = 0.14                 // solvent probe radius, nm
	obc2Alpha     = 1.0
	obc2Beta      = 0.8
	obc2Gamma     = 4.85
	obc1Alpha     = 0.8
	obc1Beta      = 0.0
	obc1Gamma     = 2.909125
)

// Evaluator evaluates the energy and forces of one System with preallocated
// scratch space. It is not safe for concurrent use; create one per goroutine.
// Every atom pair is visited (no neighbour list), and the scratch space
// holds a few float64 per atom pair, which suits peptides of up to a few
// thousand atoms.
type Evaluator struct {
	sys     *System
	n       int
	tgroups []torsionGroup

	// Nonbonded: non-excluded pairs and exceptions, precomputed.
	nbMethod NonbondedMethod
	nbCut2   float64
	krf, crf float64
	pairI    []int32
	pairJ    []int32
	pairQQ   []float64 // K·qi·qj
	pairSig  []float64
	pairEps4 []float64 // 4·sqrt(εi εj)
	excI     []int32
	excJ     []int32
	excQQ    []float64 // K·chargeProd
	excSig   []float64
	excEps4  []float64 // 4·ε
	hasNB    bool
	// fused: non-excluded pair parameters over all pairs p=(i<j), used
	// inside the GB pair loop when both terms are present.
	fused   bool
	allQQ   []float64
	allSig  []float64
	allEps4 []float64
	allOn   []bool

	// GB.
	gbModel         GBModel
	gbCut2          float64
	gbShift         float64
	gbPre           float64 // −K·(1/εin − 1/εout)
	gbAlpha, gbBeta float64
	gbGamma         float64
	gbQ             []float64
	gbOr            []float64 // offset radius
	gbSr            []float64 // scaled offset radius
	gbInvOr         []float64 // 1/offset radius
	gbRad           []float64 // radius in tanh denominator
	gbSACoef        []float64 // ACE coefficient·(rSA+0.14)²
	gbRSA           []float64 // radius in (r/B)⁶
	gbSum           []float64 // Σ ½·H_ij
	gbB             []float64 // Born radii
	gbInvB          []float64 // 1/B
	gbChain         []float64 // dB/dψ·or (= dB/dI)
	gbdEdB          []float64
	gbDHij          []float64 // per pair p=(i<j): dH_ij/dr (i descreened by j)
	gbDHji          []float64 // per pair p=(i<j): dH_ji/dr
	gbInside        bool
	gbDist          []float64 // per pair p=(i<j): r
	gbInvDist       []float64 // per pair p=(i<j): 1/r
	gbUseCut        bool
}

// NewEvaluator validates s and prepares an Evaluator for it.
func NewEvaluator(s *System) (*Evaluator, error) {
	n := len(s.Masses)
	ev := &Evaluator{sys: s, n: n}
	check := func(what string, idx ...int) error {
		for _, i := range idx {
			if i < 0 || i >= n {
				return fmt.Errorf("molecules: %s atom index %d out of range [0,%d)", what, i, n)
			}
		}
		return nil
	}
	for _, b := range s.Bonds {
		if err := check("bond", b.Atoms[:]...); err != nil {
			return nil, err
		}
	}
	for _, a := range s.Angles {
		if err := check("angle", a.Atoms[:]...); err != nil {
			return nil, err
		}
	}
	for _, t := range s.Torsions {
		if err := check("torsion", t.Atoms[:]...); err != nil {
			return nil, err
		}
		if t.Periodicity < 0 {
			return nil, fmt.Errorf("molecules: torsion %v has negative periodicity %d", t.Atoms, t.Periodicity)
		}
	}
	ev.tgroups = buildTorsionGroups(s.Torsions)
	if nb := s.Nonbonded; nb != nil {
		if len(nb.Particles) != n {
			return nil, fmt.Errorf("molecules: nonbonded has %d particles, system has %d", len(nb.Particles), n)
		}
		ev.hasNB = true
		ev.nbMethod = nb.Method
		switch nb.Method {
		case NoCutoff:
		case CutoffNonPeriodic:
			if !(nb.Cutoff > 0) {
				return nil, fmt.Errorf("molecules: CutoffNonPeriodic needs a positive cutoff, got %g", nb.Cutoff)
			}
			rc := nb.Cutoff
			eps := nb.ReactionFieldDielectric
			ev.nbCut2 = rc * rc
			ev.krf = (1 / (rc * rc * rc)) * (eps - 1) / (2*eps + 1)
			ev.crf = (1 / rc) * (3 * eps) / (2*eps + 1)
		default:
			return nil, fmt.Errorf("molecules: unsupported nonbonded method %v", nb.Method)
		}
		excluded := make(map[[2]int]bool, len(nb.Exceptions))
		for _, e := range nb.Exceptions {
			if err := check("exception", e.Atoms[:]...); err != nil {
				return nil, err
			}
			i, j := e.Atoms[0], e.Atoms[1]
			if i > j {
				i, j = j, i
			}
			excluded[[2]int{i, j}] = true
			if e.ChargeProd == 0 && e.Epsilon == 0 {
				continue
			}
			ev.excI = append(ev.excI, int32(e.Atoms[0]))
			ev.excJ = append(ev.excJ, int32(e.Atoms[1]))
			ev.excQQ = append(ev.excQQ, CoulombConstant*e.ChargeProd)
			ev.excSig = append(ev.excSig, e.Sigma)
			ev.excEps4 = append(ev.excEps4, 4*e.Epsilon)
		}
		p := nb.Particles
		for i := 0; i < n; i++ {
			for j := i + 1; j < n; j++ {
				if excluded[[2]int{i, j}] {
					continue
				}
				qq := CoulombConstant * p[i].Charge * p[j].Charge
				eps := math.Sqrt(p[i].Epsilon * p[j].Epsilon)
				if qq == 0 && eps == 0 {
					continue
				}
				ev.pairI = append(ev.pairI, int32(i))
				ev.pairJ = append(ev.pairJ, int32(j))
				ev.pairQQ = append(ev.pairQQ, qq)
				ev.pairSig = append(ev.pairSig, 0.5*(p[i].Sigma+p[j].Sigma))
				ev.pairEps4 = append(ev.pairEps4, 4*eps)
			}
		}
	}
	if gb := s.GB; gb != nil {
		if len(gb.Particles) != n {
			return nil, fmt.Errorf("molecules: GB has %d particles, system has %d", len(gb.Particles), n)
		}
		ev.gbModel = gb.Model
		if gb.Cutoff > 0 {
			ev.gbUseCut = true
			ev.gbCut2 = gb.Cutoff * gb.Cutoff
		}
		tau := 1/gb.SoluteDielectric - 1/gb.SolventDielectric
		ev.gbQ = make([]float64, n)
		ev.gbOr = make([]float64, n)
		ev.gbSr = make([]float64, n)
		ev.gbInvOr = make([]float64, n)
		ev.gbRad = make([]float64, n)
		ev.gbSACoef = make([]float64, n)
		ev.gbRSA = make([]float64, n)
		for i, p := range gb.Particles {
			if !(p.Radius > gbOffset) {
				return nil, fmt.Errorf("molecules: GB radius %g nm of atom %d must exceed the offset %g nm", p.Radius, i, gbOffset)
			}
			or := p.Radius - gbOffset
			ev.gbQ[i] = p.Charge
			ev.gbOr[i] = or
			ev.gbSr[i] = p.Scale * or
			ev.gbInvOr[i] = 1 / or
		}
		switch gb.Model {
		case OBC2:
			ev.gbPre = -CoulombConstant * tau
			if gb.Cutoff > 0 {
				ev.gbShift = 1 / gb.Cutoff // as OpenMM's ReferenceObc
			}
			ev.gbAlpha, ev.gbBeta, ev.gbGamma = obc2Alpha, obc2Beta, obc2Gamma
			ev.gbInside = true
			sa := 4 * math.Pi * gb.SurfaceAreaEnergy
			for i, p := range gb.Particles {
				ev.gbRad[i] = p.Radius
				ev.gbRSA[i] = p.Radius
				rp := p.Radius + gbProbeRadius
				ev.gbSACoef[i] = sa * rp * rp
			}
		case OBC1:
			ev.gbPre = -obc1Coulomb * tau
			ev.gbAlpha, ev.gbBeta, ev.gbGamma = obc1Alpha, obc1Beta, obc1Gamma
			if gb.Cutoff > 0 {
				ev.gbShift = 1 / gb.Cutoff
			}
			for i := range gb.Particles {
				ev.gbRad[i] = ev.gbOr[i] + obc1OffsetB
				r := ev.gbOr[i] + obc1OffsetE
				ev.gbRSA[i] = r
				rp := r + gbProbeRadius
				ev.gbSACoef[i] = obc1ACE * rp * rp
			}
		default:
			return nil, fmt.Errorf("molecules: unsupported GB model %v", gb.Model)
		}
		ev.gbSum = make([]float64, n)
		ev.gbB = make([]float64, n)
		ev.gbInvB = make([]float64, n)
		ev.gbChain = make([]float64, n)
		ev.gbdEdB = make([]float64, n)
		np := n * (n - 1) / 2
		ev.gbDHij = make([]float64, np)
		ev.gbDHji = make([]float64, np)
		ev.gbDist = make([]float64, np)
		ev.gbInvDist = make([]float64, np)
		if ev.hasNB {
			ev.fused = true
			ev.allQQ = make([]float64, np)
			ev.allSig = make([]float64, np)
			ev.allEps4 = make([]float64, np)
			ev.allOn = make([]bool, np)
			for k := range ev.pairI {
				i, j := int(ev.pairI[k]), int(ev.pairJ[k])
				q := i*n - i*(i+1)/2 + (j - i - 1)
				ev.allQQ[q] = ev.pairQQ[k]
				ev.allSig[q] = ev.pairSig[k]
				ev.allEps4[q] = ev.pairEps4[k]
				ev.allOn[q] = true
			}
		}
	}
	return ev, nil
}

// System returns the System the Evaluator was built for.
func (ev *Evaluator) System() *System { return ev.sys }

// Evaluate computes the energy per term (kJ/mol) at pos (nm, len 3N) and,
// unless forces is nil, writes −∇E (kJ/mol/nm, len 3N) into forces. It
// allocates nothing. It panics on wrong slice lengths and returns an error
// wrapping ErrNonFinite for NaN or infinite coordinates.
func (ev *Evaluator) Evaluate(pos, forces []float64) (Energies, error) {
	n3 := 3 * ev.n
	if len(pos) != n3 {
		panic(fmt.Sprintf("molecules: len(pos)=%d, want 3·%d=%d", len(pos), ev.n, n3))
	}
	if forces != nil && len(forces) != n3 {
		panic(fmt.Sprintf("molecules: len(forces)=%d, want 3·%d=%d", len(forces), ev.n, n3))
	}
	for k, x := range pos {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return Energies{}, fmt.Errorf("molecules: atom %d coordinate %d is %v: %w", k/3, k%3, x, ErrNonFinite)
		}
	}
	var f []float64
	if forces != nil {
		f = forces
		for k := range f {
			f[k] = 0
		}
	}
	var e Energies
	e.Bond = ev.bonds(pos, f)
	e.Angle = ev.angles(pos, f)
	e.Torsion = ev.torsions(pos, f)
	if ev.hasNB {
		ev.nonbonded(pos, f, &e)
	}
	if ev.gbModel != 0 {
		ev.gb(pos, f, &e)
		e.GB = e.GBSelf + e.GBSurface + e.GBPair
	}
	if ev.hasNB {
		e.Nonbonded = e.CoulombPairs + e.LJPairs + e.Coulomb14 + e.LJ14
	}
	tot := e.Total()
	if math.IsNaN(tot) || math.IsInf(tot, 0) {
		return e, fmt.Errorf("molecules: energy is %v (overlapping atoms?): %w", tot, ErrNonFinite)
	}
	return e, nil
}

func (ev *Evaluator) bonds(pos, f []float64) float64 {
	var en float64
	for _, b := range ev.sys.Bonds {
		i, j := 3*b.Atoms[0], 3*b.Atoms[1]
		dx := pos[j] - pos[i]
		dy := pos[j+1] - pos[i+1]
		dz := pos[j+2] - pos[i+2]
		r := math.Sqrt(dx*dx + dy*dy + dz*dz)
		d := r - b.Length
		en += 0.5 * b.K * d * d
		if f != nil && r > 0 {
			g := b.K * d / r // dE/dr / r
			f[i] += g * dx
			f[i+1] += g * dy
			f[i+2] += g * dz
			f[j] -= g * dx
			f[j+1] -= g * dy
			f[j+2] -= g * dz
		}
	}
	return en
}

func (ev *Evaluator) angles(pos, f []float64) float64 {
	var en float64
	for _, a := range ev.sys.Angles {
		i, j, k := 3*a.Atoms[0], 3*a.Atoms[1], 3*a.Atoms[2]
		ux := pos[i] - pos[j]
		uy := pos[i+1] - pos[j+1]
		uz := pos[i+2] - pos[j+2]
		vx := pos[k] - pos[j]
		vy := pos[k+1] - pos[j+1]
		vz := pos[k+2] - pos[j+2]
		uu := ux*ux + uy*uy + uz*uz
		vv := vx*vx + vy*vy + vz*vz
		uv := ux*vx + uy*vy + uz*vz
		// θ from atan2(|u×v|, u·v): accurate near 0 and π.
		cx := uy*vz - uz*vy
		cy := uz*vx - ux*vz
		cz := ux*vy - uy*vx
		cn := math.Sqrt(cx*cx + cy*cy + cz*cz)
		theta := math.Atan2(cn, uv)
		d := theta - a.Angle
		en += 0.5 * a.K * d * d
		if f == nil || cn == 0 {
			continue
		}
		dEdt := a.K * d
		// dθ/du = (u·v u/|u|² − v)/|u×v|, dθ/dv = (u·v v/|v|² − u)/|u×v|.
		s := dEdt / cn
		gux := s * (uv*ux/uu - vx)
		guy := s * (uv*uy/uu - vy)
		guz := s * (uv*uz/uu - vz)
		gvx := s * (uv*vx/vv - ux)
		gvy := s * (uv*vy/vv - uy)
		gvz := s * (uv*vz/vv - uz)
		f[i] -= gux
		f[i+1] -= guy
		f[i+2] -= guz
		f[k] -= gvx
		f[k+1] -= gvy
		f[k+2] -= gvz
		f[j] += gux + gvx
		f[j+1] += guy + gvy
		f[j+2] += guz + gvz
	}
	return en
}

// Dihedral returns the IUPAC dihedral angle (rad, in (−π, π]) of the atoms
// a, b, c, d at pos (nm, len 3N): 0 for cis, ±π for trans.
func Dihedral(pos []float64, a, b, c, d int) float64 {
	a, b, c, d = 3*a, 3*b, 3*c, 3*d
	b1x, b1y, b1z := pos[b]-pos[a], pos[b+1]-pos[a+1], pos[b+2]-pos[a+2]
	b2x, b2y, b2z := pos[c]-pos[b], pos[c+1]-pos[b+1], pos[c+2]-pos[b+2]
	b3x, b3y, b3z := pos[d]-pos[c], pos[d+1]-pos[c+1], pos[d+2]-pos[c+2]
	mx, my, mz := b1y*b2z-b1z*b2y, b1z*b2x-b1x*b2z, b1x*b2y-b1y*b2x
	nx, ny, nz := b2y*b3z-b2z*b3y, b2z*b3x-b2x*b3z, b2x*b3y-b2y*b3x
	b2n := math.Sqrt(b2x*b2x + b2y*b2y + b2z*b2z)
	return math.Atan2(b2n*(b1x*nx+b1y*ny+b1z*nz), mx*nx+my*ny+mz*nz)
}

// torsionTerm is one periodic term of a torsion group.
type torsionTerm struct {
	n          int
	k          float64
	cosP, sinP float64 // cos and sin of the phase
}

// torsionGroup holds all terms acting on one atom quartet.
type torsionGroup struct {
	atoms [4]int
	terms []torsionTerm
}

// buildTorsionGroups groups consecutive torsions on the same quartet.
func buildTorsionGroups(ts []PeriodicTorsion) []torsionGroup {
	var gs []torsionGroup
	for _, t := range ts {
		term := torsionTerm{n: t.Periodicity, k: t.K, cosP: math.Cos(t.Phase), sinP: math.Sin(t.Phase)}
		if len(gs) > 0 && gs[len(gs)-1].atoms == t.Atoms {
			gs[len(gs)-1].terms = append(gs[len(gs)-1].terms, term)
			continue
		}
		gs = append(gs, torsionGroup{atoms: t.Atoms, terms: []torsionTerm{term}})
	}
	return gs
}

// torsions evaluates E = Σ K·(1 + cos(nφ − φ0)) = Σ K·(1 + cos nφ cos φ0 +
// sin nφ sin φ0) with cos nφ and sin nφ from cos φ and sin φ by recurrence,
// so no trigonometric function is called per evaluation.
func (ev *Evaluator) torsions(pos, f []float64) float64 {
	var en float64
	for gi := range ev.tgroups {
		g := &ev.tgroups[gi]
		a, b, c, d := 3*g.atoms[0], 3*g.atoms[1], 3*g.atoms[2], 3*g.atoms[3]
		b1x, b1y, b1z := pos[b]-pos[a], pos[b+1]-pos[a+1], pos[b+2]-pos[a+2]
		b2x, b2y, b2z := pos[c]-pos[b], pos[c+1]-pos[b+1], pos[c+2]-pos[b+2]
		b3x, b3y, b3z := pos[d]-pos[c], pos[d+1]-pos[c+1], pos[d+2]-pos[c+2]
		mx, my, mz := b1y*b2z-b1z*b2y, b1z*b2x-b1x*b2z, b1x*b2y-b1y*b2x
		nx, ny, nz := b2y*b3z-b2z*b3y, b2z*b3x-b2x*b3z, b2x*b3y-b2y*b3x
		b22 := b2x*b2x + b2y*b2y + b2z*b2z
		b2n := math.Sqrt(b22)
		mm := mx*mx + my*my + mz*mz
		nn := nx*nx + ny*ny + nz*nz
		// φ = atan2(|b2|·b1·n, m·n); cos φ and sin φ directly.
		cphi, sphi := 1.0, 0.0
		degenerate := mm == 0 || nn == 0 || b22 == 0
		if !degenerate {
			inv := 1 / math.Sqrt(mm*nn)
			cphi = (mx*nx + my*ny + mz*nz) * inv
			sphi = b2n * (b1x*nx + b1y*ny + b1z*nz) * inv
		}
		var dEdphi float64
		for _, t := range g.terms {
			// cos nφ, sin nφ by the angle-addition recurrence.
			cn, sn := 1.0, 0.0
			for k := 0; k < t.n; k++ {
				cn, sn = cn*cphi-sn*sphi, sn*cphi+cn*sphi
			}
			en += t.k * (1 + cn*t.cosP + sn*t.sinP)
			dEdphi -= t.k * float64(t.n) * (sn*t.cosP - cn*t.sinP)
		}
		if f == nil || degenerate {
			continue
		}
		// Gradient of φ (Blondel–Karplus form).
		s1 := -b2n / mm
		s4 := b2n / nn
		g1x, g1y, g1z := s1*mx, s1*my, s1*mz
		g4x, g4y, g4z := s4*nx, s4*ny, s4*nz
		p := (b1x*b2x + b1y*b2y + b1z*b2z) / b22
		q := (b2x*b3x + b2y*b3y + b2z*b3z) / b22
		g2x := -g1x - p*g1x + q*g4x
		g2y := -g1y - p*g1y + q*g4y
		g2z := -g1z - p*g1z + q*g4z
		g3x := -g4x + p*g1x - q*g4x
		g3y := -g4y + p*g1y - q*g4y
		g3z := -g4z + p*g1z - q*g4z
		f[a] -= dEdphi * g1x
		f[a+1] -= dEdphi * g1y
		f[a+2] -= dEdphi * g1z
		f[b] -= dEdphi * g2x
		f[b+1] -= dEdphi * g2y
		f[b+2] -= dEdphi * g2z
		f[c] -= dEdphi * g3x
		f[c+1] -= dEdphi * g3y
		f[c+2] -= dEdphi * g3z
		f[d] -= dEdphi * g4x
		f[d+1] -= dEdphi * g4y
		f[d+2] -= dEdphi * g4z
	}
	return en
}

func (ev *Evaluator) nonbonded(pos, f []float64, e *Energies) {
	var ec, elj float64
	cut := ev.nbMethod == CutoffNonPeriodic
	npairs := len(ev.pairI)
	if ev.fused {
		npairs = 0 // evaluated in the GB pair loop
	}
	for p := 0; p < npairs; p++ {
		i, j := 3*int(ev.pairI[p]), 3*int(ev.pairJ[p])
		dx := pos[j] - pos[i]
		dy := pos[j+1] - pos[i+1]
		dz := pos[j+2] - pos[i+2]
		r2 := dx*dx + dy*dy + dz*dz
		if cut && r2 >= ev.nbCut2 {
			continue
		}
		inv2 := 1 / r2
		r := math.Sqrt(r2)
		invr := 1 / r
		s := ev.pairSig[p]
		s2 := s * s * inv2
		s6 := s2 * s2 * s2
		eps4 := ev.pairEps4[p]
		elj += eps4 * (s6*s6 - s6)
		// −dE/dr · 1/r for LJ.
		g := eps4 * (12*s6*s6 - 6*s6) * inv2
		qq := ev.pairQQ[p]
		if cut {
			ec += qq * (invr + ev.krf*r2 - ev.crf)
			g += qq * (invr*inv2 - 2*ev.krf)
		} else {
			ec += qq * invr
			g += qq * invr * inv2
		}
		if f != nil {
			f[i] -= g * dx
			f[i+1] -= g * dy
			f[i+2] -= g * dz
			f[j] += g * dx
			f[j+1] += g * dy
			f[j+2] += g * dz
		}
	}
	var ec14, elj14 float64
	for p := range ev.excI {
		i, j := 3*int(ev.excI[p]), 3*int(ev.excJ[p])
		dx := pos[j] - pos[i]
		dy := pos[j+1] - pos[i+1]
		dz := pos[j+2] - pos[i+2]
		r2 := dx*dx + dy*dy + dz*dz
		inv2 := 1 / r2
		invr := math.Sqrt(inv2)
		s := ev.excSig[p]
		s2 := s * s * inv2
		s6 := s2 * s2 * s2
		eps4 := ev.excEps4[p]
		elj14 += eps4 * (s6*s6 - s6)
		qq := ev.excQQ[p]
		ec14 += qq * invr
		if f != nil {
			g := eps4*(12*s6*s6-6*s6)*inv2 + qq*invr*inv2
			f[i] -= g * dx
			f[i+1] -= g * dy
			f[i+2] -= g * dz
			f[j] += g * dx
			f[j+1] += g * dy
			f[j+2] += g * dz
		}
	}
	e.CoulombPairs, e.LJPairs, e.Coulomb14, e.LJ14 = ec, elj, ec14, elj14
}

// hct returns the HCT descreening integral H of atom i (offset radius rho)
// by atom j (scaled radius s) at distance r and its derivative dH/dr.
// inside adds OpenMM's GBSAOBCForce correction for atom i lying entirely
// inside the descreening sphere of j.
func hct(r, invr, rho, s float64, inside bool) (h, dh float64) {
	d := r - s
	if d >= rho && d > 0 {
		// Common case: L = r − s, U = r + s; the integral simplifies to
		// s/(r²−s²) + ½·ln((r−s)/(r+s))/r.
		D := (r - s) * (r + s)
		invD := 1 / D
		lg := math.Log(d / (r + s))
		h = s*invD + 0.5*lg*invr
		dh = -2*r*s*invD*invD + s*invr*invD - 0.5*lg*invr*invr
		return h, dh
	}
	u := r + s
	if rho >= u {
		return 0, 0
	}
	dl := 1.0
	if d < 0 {
		d = -d
		dl = -1
	}
	l := d
	if rho > d {
		l = rho
		dl = 0
	}
	inv := 1 / (l * u)
	invL := u * inv
	invU := l * inv
	invL2 := invL * invL
	invU2 := invU * invU
	t := r - s*s*invr
	lg := math.Log(l * invU)
	h = invL - invU + 0.25*t*(invU2-invL2) + 0.5*lg*invr
	dh = -invL2*dl + invU2 + 0.25*(1+s*s*invr*invr)*(invU2-invL2) +
		0.5*t*(invL2*invL*dl-invU2*invU) + 0.5*(dl*invL-invU)*invr - 0.5*lg*invr*invr
	if inside && rho < s-r {
		h += 2 * (1/rho - invL)
		dh += 2 * invL2 * dl
	}
	return h, dh
}

// hctOverlap is hct for the overlapping case |r − s| < ρ < r + s, where
// L = ρ does not depend on r.
func hctOverlap(r, invr, rho, invRho, s float64) (h, dh float64) {
	u := r + s
	invU := 1 / u
	invU2 := invU * invU
	invL2 := invRho * invRho
	t := r - s*s*invr
	lg := fastLog(rho * invU)
	h = invRho - invU + 0.25*t*(invU2-invL2) + 0.5*lg*invr
	dh = invU2 + 0.25*(1+s*s*invr*invr)*(invU2-invL2) - 0.5*t*invU2*invU - 0.5*invU*invr - 0.5*lg*invr*invr
	return h, dh
}

func (ev *Evaluator) gb(pos, f []float64, e *Energies) {
	n := ev.n
	gOr, gSr, gQ := ev.gbOr[:n], ev.gbSr[:n], ev.gbQ[:n]
	invOr := ev.gbInvOr[:n]
	gB, gInvB, dEdBs := ev.gbB[:n], ev.gbInvB[:n], ev.gbdEdB[:n]
	invDist := ev.gbInvDist
	allOn, allSig, allEps4, allQQ := ev.allOn, ev.allSig, ev.allEps4, ev.allQQ
	pos = pos[:3*n]
	if f != nil {
		f = f[:3*n]
	}
	sum := ev.gbSum[:n]
	for i := range sum {
		sum[i] = 0
	}
	useCut := ev.gbUseCut
	cut2 := ev.gbCut2
	dist, dhij, dhji := ev.gbDist, ev.gbDHij, ev.gbDHji
	// Pass 1: distances, HCT sums and (fused) non-excluded nonbonded pairs.
	var ec, elj float64
	fused := ev.fused
	nbCut := ev.nbMethod == CutoffNonPeriodic
	nbCut2, krf, crf := ev.nbCut2, ev.krf, ev.crf
	inside := ev.gbInside
	p := 0
	for i := 0; i < n; i++ {
		xi, yi, zi := pos[3*i], pos[3*i+1], pos[3*i+2]
		ori, sri := gOr[i], gSr[i]
		var si, fxi, fyi, fzi float64
		for j := i + 1; j < n; j++ {
			dx := pos[3*j] - xi
			dy := pos[3*j+1] - yi
			dz := pos[3*j+2] - zi
			r2 := dx*dx + dy*dy + dz*dz
			r := math.Sqrt(r2)
			dist[p] = r
			inCut := !useCut || r2 < cut2
			sj, orj := gSr[j], gOr[j]
			invr := 1 / r
			invDist[p] = invr
			if fused && allOn[p] && (!nbCut || r2 < nbCut2) {
				inv2 := invr * invr
				sg := allSig[p]
				s2 := sg * sg * inv2
				s6 := s2 * s2 * s2
				eps4 := allEps4[p]
				elj += eps4 * (s6*s6 - s6)
				gr := eps4 * (12*s6*s6 - 6*s6) * inv2
				qq := allQQ[p]
				if nbCut {
					ec += qq * (invr + krf*r2 - crf)
					gr += qq * (invr*inv2 - 2*krf)
				} else {
					ec += qq * invr
					gr += qq * invr * inv2
				}
				if f != nil {
					fxi -= gr * dx
					fyi -= gr * dy
					fzi -= gr * dz
					f[3*j] += gr * dx
					f[3*j+1] += gr * dy
					f[3*j+2] += gr * dz
				}
			}
			if !inCut {
				dhij[p], dhji[p] = 0, 0
				p++
				continue
			}
			var hij, dij, hji, dji float64
			// Common case (no overlap): L = r − s, U = r + s and the HCT
			// integral reduces to s/(r²−s²) + ½·ln((r−s)/(r+s))/r.
			if d := r - sj; d >= ori && d > 0 {
				invD := 1 / (d * (r + sj))
				lg := fastLog(d * d * invD)
				hij = sj*invD + 0.5*lg*invr
				dij = -2*r*sj*invD*invD + sj*invr*invD - 0.5*lg*invr*invr
			} else if d < ori && -d < ori && ori < r+sj {
				// Overlap: L = ρ_i (constant), U = r + s.
				hij, dij = hctOverlap(r, invr, ori, invOr[i], sj)
			} else {
				hij, dij = hct(r, invr, ori, sj, inside)
			}
			if d := r - sri; d >= orj && d > 0 {
				invD := 1 / (d * (r + sri))
				lg := fastLog(d * d * invD)
				hji = sri*invD + 0.5*lg*invr
				dji = -2*r*sri*invD*invD + sri*invr*invD - 0.5*lg*invr*invr
			} else if d < orj && -d < orj && orj < r+sri {
				hji, dji = hctOverlap(r, invr, orj, invOr[j], sri)
			} else {
				hji, dji = hct(r, invr, orj, sri, inside)
			}
			si += 0.5 * hij
			sum[j] += 0.5 * hji
			dhij[p], dhji[p] = dij, dji
			p++
		}
		sum[i] += si
		if f != nil {
			f[3*i] += fxi
			f[3*i+1] += fyi
			f[3*i+2] += fzi
		}
	}
	if fused {
		e.CoulombPairs, e.LJPairs = ec, elj
	}
	// Pass 2: Born radii, self and surface terms.
	var eself, esa float64
	a, b, g := ev.gbAlpha, ev.gbBeta, ev.gbGamma
	for i := 0; i < n; i++ {
		or := gOr[i]
		psi := sum[i] * or
		psi2 := psi * psi
		th := math.Tanh(a*psi - b*psi2 + g*psi2*psi)
		rad := ev.gbRad[i]
		invB := 1/or - th/rad
		B := 1 / invB
		gB[i] = B
		gInvB[i] = invB
		// dB/dsum = B²·(1−tanh²)·(α − 2βψ + 3γψ²)·or/rad.
		ev.gbChain[i] = B * B * (1 - th*th) * (a - 2*b*psi + 3*g*psi2) * or / rad
		q := gQ[i]
		es := 0.5 * ev.gbPre * q * q / B
		eself += es
		dEdB := -es / B
		if B > 0 || ev.gbModel == OBC1 {
			ratio := ev.gbRSA[i] / B
			r3 := ratio * ratio * ratio
			sa := ev.gbSACoef[i] * r3 * r3
			esa += sa
			dEdB -= 6 * sa / B
		}
		dEdBs[i] = dEdB
	}
	// Pass 3: pair terms.
	var epair float64
	shift := ev.gbShift
	p = 0
	for i := 0; i < n; i++ {
		xi, yi, zi := pos[3*i], pos[3*i+1], pos[3*i+2]
		Bi := gB[i]
		quarterInvBi := 0.25 * gInvB[i]
		qi := ev.gbPre * gQ[i]
		var dEdBi, fxi, fyi, fzi float64
		for j := i + 1; j < n; j++ {
			r := dist[p]
			p++
			r2 := r * r
			if useCut && r2 >= cut2 {
				continue
			}
			Bj := gB[j]
			bb := Bi * Bj
			D := r2 * quarterInvBi * gInvB[j]
			ex := math.Exp(-D)
			fij := math.Sqrt(r2 + bb*ex)
			invf := 1 / fij
			qq := qi * gQ[j]
			epair += qq * (invf - shift)
			dEdf := -qq * invf * invf
			c := dEdf * ex * (1 + D) * 0.5 * invf
			dEdBi += c * Bj
			dEdBs[j] += c * Bi
			if f != nil {
				// dE/dr / r
				gr := dEdf * (1 - 0.25*ex) * invf
				dx := gr * (pos[3*j] - xi)
				dy := gr * (pos[3*j+1] - yi)
				dz := gr * (pos[3*j+2] - zi)
				fxi += dx
				fyi += dy
				fzi += dz
				f[3*j] -= dx
				f[3*j+1] -= dy
				f[3*j+2] -= dz
			}
		}
		dEdBs[i] += dEdBi
		if f != nil {
			f[3*i] += fxi
			f[3*i+1] += fyi
			f[3*i+2] += fzi
		}
	}
	e.GBSelf, e.GBSurface, e.GBPair = eself, esa, epair
	if f == nil {
		return
	}
	// Pass 4: chain rule through the Born radii.
	chain := ev.gbChain
	for i := 0; i < n; i++ {
		chain[i] *= dEdBs[i] * 0.5 // dE/dH_ij for every j
	}
	p = 0
	for i := 0; i < n; i++ {
		xi, yi, zi := pos[3*i], pos[3*i+1], pos[3*i+2]
		ci := chain[i]
		var fxi, fyi, fzi float64
		for j := i + 1; j < n; j++ {
			dEdr := ci*dhij[p] + chain[j]*dhji[p]
			invr := invDist[p]
			p++
			if dEdr == 0 || math.IsInf(invr, 0) {
				continue
			}
			gr := dEdr * invr
			dx := gr * (pos[3*j] - xi)
			dy := gr * (pos[3*j+1] - yi)
			dz := gr * (pos[3*j+2] - zi)
			fxi += dx
			fyi += dy
			fzi += dz
			f[3*j] -= dx
			f[3*j+1] -= dy
			f[3*j+2] -= dz
		}
		f[3*i] += fxi
		f[3*i+1] += fyi
		f[3*i+2] += fzi
	}
}
