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
// holds eight float64 per atom pair, which suits peptides of up to a few
// thousand atoms.
type Evaluator struct {
	sys     *System
	n       int
	tgroups []torsionGroup

	// atoms holds per-atom parameters and scratch values, pairs the
	// static parameters and pstate the per-evaluation values of the atom
	// pairs i < j in row-major order (pair index i·n − i(i+1)/2 + j − i − 1).
	atoms  []atomState
	pairs  []pairParam
	pstate []pairState

	// Nonbonded.
	hasNB    bool
	nbCut2   float64 // squared cutoff of non-excluded pairs; +Inf without cutoff, −1 without nonbonded
	krf, crf float64 // reaction field; 0 without cutoff
	exc      []exception

	// GB.
	gbModel         GBModel
	gbCut2          float64 // squared GB cutoff; +Inf without cutoff
	gbShift         float64
	gbPre           float64 // −K·(1/εin − 1/εout)
	gbAlpha, gbBeta float64
	gbGamma         float64
	gbInside        bool
	gbRad           []float64 // radius in tanh denominator
	gbSACoef        []float64 // ACE coefficient·(rSA+0.14)²
	gbRSA           []float64 // radius in (r/B)⁶
}

// atomState holds the per-atom parameters and scratch values of the pair
// passes, grouped so that one pair touches one record per atom.
type atomState struct {
	x, y, z     float64 // position, nm
	rho, invRho float64 // GB offset radius ρ = r − 0.009 nm and 1/ρ
	s           float64 // GB scaled offset radius
	q, gq       float64 // GB charge and gbPre·charge
	sum         float64 // ½·Σ_j H_ij
	b, invB     float64 // Born radius and its inverse
	dEdB        float64 // ∂E/∂B
	chain       float64 // ∂E/∂H_ij for every j
	fx, fy, fz  float64 // pair forces
}

// pairParam holds the static nonbonded parameters of a pair i < j; both qq
// and eps4 are 0 for excluded pairs.
type pairParam struct {
	qq   float64 // K·qi·qj, kJ/mol·nm
	sig2 float64 // σij², nm²
	eps4 float64 // 4·sqrt(εi εj), kJ/mol
}

// pairState holds the per-evaluation values of a pair i < j.
type pairState struct {
	r2, r, invr float64 // squared distance, distance and 1/r
	dhij, dhji  float64 // dH_ij/dr (i descreened by j) and dH_ji/dr; 0 beyond the GB cutoff
	w           float64 // (dE/dr)/r of the pair's direct terms (nonbonded, exception, GB pair)
}

// exception is a nonbonded exception with nonzero parameters.
type exception struct {
	pair int // pair index
	qq   float64
	sig2 float64
	eps4 float64
}

// pairIndex returns the row-major index of the pair i < j of n atoms.
func pairIndex(i, j, n int) int { return i*n - i*(i+1)/2 + (j - i - 1) }

// NewEvaluator validates s and prepares an Evaluator for it.
func NewEvaluator(s *System) (*Evaluator, error) {
	n := len(s.Masses)
	ev := &Evaluator{sys: s, n: n, nbCut2: -1, gbCut2: math.Inf(1)}
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
	ev.atoms = make([]atomState, n)
	np := n * (n - 1) / 2
	if s.Nonbonded != nil || s.GB != nil {
		ev.pstate = make([]pairState, np)
		ev.pairs = make([]pairParam, np)
	}
	if nb := s.Nonbonded; nb != nil {
		if len(nb.Particles) != n {
			return nil, fmt.Errorf("molecules: nonbonded has %d particles, system has %d", len(nb.Particles), n)
		}
		ev.hasNB = true
		switch nb.Method {
		case NoCutoff:
			ev.nbCut2 = math.Inf(1)
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
		p := nb.Particles
		for i := 0; i < n; i++ {
			for j := i + 1; j < n; j++ {
				ev.pairs[pairIndex(i, j, n)] = pairParam{
					qq:   CoulombConstant * p[i].Charge * p[j].Charge,
					sig2: 0.25 * (p[i].Sigma + p[j].Sigma) * (p[i].Sigma + p[j].Sigma),
					eps4: 4 * math.Sqrt(p[i].Epsilon*p[j].Epsilon),
				}
			}
		}
		for _, e := range nb.Exceptions {
			if err := check("exception", e.Atoms[:]...); err != nil {
				return nil, err
			}
			i, j := e.Atoms[0], e.Atoms[1]
			if i == j {
				return nil, fmt.Errorf("molecules: exception pairs atom %d with itself", i)
			}
			if i > j {
				i, j = j, i
			}
			k := pairIndex(i, j, n)
			ev.pairs[k] = pairParam{} // excluded from the non-excluded pairs
			if e.ChargeProd == 0 && e.Epsilon == 0 {
				continue
			}
			ev.exc = append(ev.exc, exception{pair: k, qq: CoulombConstant * e.ChargeProd, sig2: e.Sigma * e.Sigma, eps4: 4 * e.Epsilon})
		}
	}
	if gb := s.GB; gb != nil {
		if len(gb.Particles) != n {
			return nil, fmt.Errorf("molecules: GB has %d particles, system has %d", len(gb.Particles), n)
		}
		ev.gbModel = gb.Model
		if gb.Cutoff > 0 {
			ev.gbCut2 = gb.Cutoff * gb.Cutoff
		}
		tau := 1/gb.SoluteDielectric - 1/gb.SolventDielectric
		ev.gbRad = make([]float64, n)
		ev.gbSACoef = make([]float64, n)
		ev.gbRSA = make([]float64, n)
		for i, p := range gb.Particles {
			if !(p.Radius > gbOffset) {
				return nil, fmt.Errorf("molecules: GB radius %g nm of atom %d must exceed the offset %g nm", p.Radius, i, gbOffset)
			}
			or := p.Radius - gbOffset
			a := &ev.atoms[i]
			a.q = p.Charge
			a.rho = or
			a.s = p.Scale * or
			a.invRho = 1 / or
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
				ev.gbRad[i] = ev.atoms[i].rho + obc1OffsetB
				r := ev.atoms[i].rho + obc1OffsetE
				ev.gbRSA[i] = r
				rp := r + gbProbeRadius
				ev.gbSACoef[i] = obc1ACE * rp * rp
			}
		default:
			return nil, fmt.Errorf("molecules: unsupported GB model %v", gb.Model)
		}
		for i := range ev.atoms {
			ev.atoms[i].gq = ev.gbPre * ev.atoms[i].q
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
	if ev.pstate != nil {
		ev.pairTerms(pos, f, &e)
	}
	if ev.gbModel != 0 {
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
		pi, pj := pos[i:i+3:i+3], pos[j:j+3:j+3]
		dx := pj[0] - pi[0]
		dy := pj[1] - pi[1]
		dz := pj[2] - pi[2]
		r := math.Sqrt(dx*dx + dy*dy + dz*dz)
		d := r - b.Length
		en += 0.5 * b.K * d * d
		if f != nil && r > 0 {
			g := b.K * d / r // dE/dr / r
			fi, fj := f[i:i+3:i+3], f[j:j+3:j+3]
			fi[0] += g * dx
			fi[1] += g * dy
			fi[2] += g * dz
			fj[0] -= g * dx
			fj[1] -= g * dy
			fj[2] -= g * dz
		}
	}
	return en
}

func (ev *Evaluator) angles(pos, f []float64) float64 {
	var en float64
	for _, a := range ev.sys.Angles {
		i, j, k := 3*a.Atoms[0], 3*a.Atoms[1], 3*a.Atoms[2]
		pi, pj, pk := pos[i:i+3:i+3], pos[j:j+3:j+3], pos[k:k+3:k+3]
		ux := pi[0] - pj[0]
		uy := pi[1] - pj[1]
		uz := pi[2] - pj[2]
		vx := pk[0] - pj[0]
		vy := pk[1] - pj[1]
		vz := pk[2] - pj[2]
		uu := ux*ux + uy*uy + uz*uz
		vv := vx*vx + vy*vy + vz*vz
		uv := ux*vx + uy*vy + uz*vz
		// θ from atan2(|u×v|, u·v): accurate near 0 and π.
		cx := uy*vz - uz*vy
		cy := uz*vx - ux*vz
		cz := ux*vy - uy*vx
		cn := math.Sqrt(cx*cx + cy*cy + cz*cz)
		theta := angleAtan2(cn, uv)
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
		fi, fj, fk := f[i:i+3:i+3], f[j:j+3:j+3], f[k:k+3:k+3]
		fi[0] -= gux
		fi[1] -= guy
		fi[2] -= guz
		fk[0] -= gvx
		fk[1] -= gvy
		fk[2] -= gvz
		fj[0] += gux + gvx
		fj[1] += guy + gvy
		fj[2] += guz + gvz
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
		pa, pb, pc, pd := pos[a:a+3:a+3], pos[b:b+3:b+3], pos[c:c+3:c+3], pos[d:d+3:d+3]
		b1x, b1y, b1z := pb[0]-pa[0], pb[1]-pa[1], pb[2]-pa[2]
		b2x, b2y, b2z := pc[0]-pb[0], pc[1]-pb[1], pc[2]-pb[2]
		b3x, b3y, b3z := pd[0]-pc[0], pd[1]-pc[1], pd[2]-pc[2]
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
		fa, fb, fc, fd := f[a:a+3:a+3], f[b:b+3:b+3], f[c:c+3:c+3], f[d:d+3:d+3]
		fa[0] -= dEdphi * g1x
		fa[1] -= dEdphi * g1y
		fa[2] -= dEdphi * g1z
		fb[0] -= dEdphi * g2x
		fb[1] -= dEdphi * g2y
		fb[2] -= dEdphi * g2z
		fc[0] -= dEdphi * g3x
		fc[1] -= dEdphi * g3y
		fc[2] -= dEdphi * g3z
		fd[0] -= dEdphi * g4x
		fd[1] -= dEdphi * g4y
		fd[2] -= dEdphi * g4z
	}
	return en
}
