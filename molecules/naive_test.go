package molecules

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// naiveEnergies evaluates the pair terms of s (nonbonded pairs and
// exceptions, GB) at pos straight from the formulas of the specification,
// with math.Log, math.Exp and ordered pair loops: an independent check of
// the optimised passes.
func naiveEnergies(s *System, pos []float64) Energies {
	n := s.NumAtoms()
	dist := func(i, j int) float64 {
		dx := pos[3*j] - pos[3*i]
		dy := pos[3*j+1] - pos[3*i+1]
		dz := pos[3*j+2] - pos[3*i+2]
		return math.Sqrt(dx*dx + dy*dy + dz*dz)
	}
	var e Energies
	if nb := s.Nonbonded; nb != nil {
		excl := map[[2]int]bool{}
		for _, x := range nb.Exceptions {
			i, j := min(x.Atoms[0], x.Atoms[1]), max(x.Atoms[0], x.Atoms[1])
			excl[[2]int{i, j}] = true
			r := dist(i, j)
			sr6 := math.Pow(x.Sigma/r, 6)
			e.Coulomb14 += CoulombConstant * x.ChargeProd / r
			e.LJ14 += 4 * x.Epsilon * (sr6*sr6 - sr6)
		}
		for i := 0; i < n; i++ {
			for j := i + 1; j < n; j++ {
				r := dist(i, j)
				if excl[[2]int{i, j}] || (nb.Method == CutoffNonPeriodic && r >= nb.Cutoff) {
					continue
				}
				pi, pj := nb.Particles[i], nb.Particles[j]
				sr6 := math.Pow((pi.Sigma+pj.Sigma)/2/r, 6)
				e.LJPairs += 4 * math.Sqrt(pi.Epsilon*pj.Epsilon) * (sr6*sr6 - sr6)
				qq := CoulombConstant * pi.Charge * pj.Charge
				if nb.Method == CutoffNonPeriodic {
					rc, eps := nb.Cutoff, nb.ReactionFieldDielectric
					krf := math.Pow(rc, -3) * (eps - 1) / (2*eps + 1)
					crf := 3 * eps / (2*eps + 1) / rc
					e.CoulombPairs += qq * (1/r + krf*r*r - crf)
				} else {
					e.CoulombPairs += qq / r
				}
			}
		}
	}
	if g := s.GB; g != nil {
		kc, alpha, beta, gamma := CoulombConstant, 1.0, 0.8, 4.85
		if g.Model == OBC1 {
			kc, alpha, beta, gamma = 138.935485, 0.8, 0, 2.909125
		}
		cut := math.Inf(1)
		if g.Cutoff > 0 {
			cut = g.Cutoff
		}
		born := make([]float64, n)
		for i := 0; i < n; i++ {
			pi := g.Particles[i]
			rho := pi.Radius - 0.009
			var sum float64
			for j := 0; j < n; j++ {
				r := dist(i, j)
				if j == i || r >= cut {
					continue
				}
				sj := g.Particles[j].Scale * (g.Particles[j].Radius - 0.009)
				if !(rho < r+sj) {
					continue
				}
				l, u := math.Max(rho, math.Abs(r-sj)), r+sj
				h := 1/l - 1/u + 0.25*(r-sj*sj/r)*(1/(u*u)-1/(l*l)) + 0.5*math.Log(l/u)/r
				if g.Model == OBC2 && rho < sj-r {
					h += 2 * (1/rho - 1/l)
				}
				sum += h
			}
			psi := 0.5 * rho * sum
			born[i] = 1 / (1/rho - math.Tanh(alpha*psi-beta*psi*psi+gamma*psi*psi*psi)/pi.Radius)
			pre := -0.5 * kc * (1/g.SoluteDielectric - 1/g.SolventDielectric)
			e.GBSelf += pre * pi.Charge * pi.Charge / born[i]
			sa, rs := 4*math.Pi*g.SurfaceAreaEnergy, pi.Radius
			if g.Model == OBC1 {
				sa, rs = 28.3919551, rho+0.008999999999999999
			}
			e.GBSurface += sa * (rs + 0.14) * (rs + 0.14) * math.Pow(rs/born[i], 6)
		}
		shift := 0.0
		if g.Cutoff > 0 {
			shift = 1 / g.Cutoff
		}
		for i := 0; i < n; i++ {
			for j := i + 1; j < n; j++ {
				r := dist(i, j)
				if r >= cut {
					continue
				}
				bb := born[i] * born[j]
				f := math.Sqrt(r*r + bb*math.Exp(-r*r/(4*bb)))
				e.GBPair -= kc * (1/g.SoluteDielectric - 1/g.SolventDielectric) * g.Particles[i].Charge * g.Particles[j].Charge * (1/f - shift)
			}
		}
	}
	return e
}

// gbEdgeSystem places atoms of very different GB radii and scale factors
// close together, so that every case of the HCT integral occurs: apart,
// overlapping, inside the descreening sphere, no descreening, pairs
// beyond the cutoff and a pair of atoms of the same type.
func gbEdgeSystem(model GBModel, cutoff float64) (*System, []float64) {
	parts := []GBParticle{
		{Charge: 0.4, Radius: 0.30, Scale: 1.5}, // big, strongly descreening
		{Charge: -0.3, Radius: 0.05, Scale: 0.8},
		{Charge: 0.2, Radius: 0.32, Scale: 0.2},
		{Charge: -0.5, Radius: 0.15, Scale: 0.85},
		{Charge: 0.1, Radius: 0.12, Scale: 0.7},
		{Charge: 0.1, Radius: 0.17, Scale: 0.9},
		{Charge: -0.1, Radius: 0.12, Scale: 0.7}, // same type as atom 4
	}
	pos := []float64{
		0, 0, 0,
		0.08, 0.02, 0, // inside the sphere of atom 0
		0.05, 0.1, 0.03, // large ρ: no descreening by atom 1
		0.25, 0.05, 0.1, // overlapping atom 0
		0.9, 0.3, -0.2, // apart
		1.6, 0.9, 0.4, // beyond a 1.2 nm cutoff from the first atoms
		0.95, 0.35, 0.05, // close to atom 4
	}
	s := &System{Masses: make([]float64, len(parts)),
		GB: &GB{Model: model, SoluteDielectric: 1, SolventDielectric: 78.5, SurfaceAreaEnergy: 2.25936, Cutoff: cutoff, Particles: parts}}
	return s, pos
}

func TestPairTermsMatchNaive(t *testing.T) {
	type tc struct {
		name string
		sys  *System
		pos  []float64
	}
	var cases []tc
	for ci, c := range toyCases {
		rng := rand.New(rand.NewPCG(uint64(ci), 11))
		const n = 14
		s := toySystem(n, c.method, c.gb, rng)
		cases = append(cases, tc{fmt.Sprintf("toy/%v/%v", c.method, c.gb), s, toyPositions(n, rng)})
	}
	for _, m := range []GBModel{OBC1, OBC2} {
		for _, cut := range []float64{0, 1.2} {
			s, pos := gbEdgeSystem(m, cut)
			cases = append(cases, tc{fmt.Sprintf("edge/%v/cut%v", m, cut), s, pos})
		}
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := c.sys.Evaluate(c.pos, nil)
			require.NoError(t, err)
			want := naiveEnergies(c.sys, c.pos)
			for _, f := range []struct {
				name      string
				got, want float64
			}{
				{"CoulombPairs", got.CoulombPairs, want.CoulombPairs},
				{"LJPairs", got.LJPairs, want.LJPairs},
				{"Coulomb14", got.Coulomb14, want.Coulomb14},
				{"LJ14", got.LJ14, want.LJ14},
				{"GBSelf", got.GBSelf, want.GBSelf},
				{"GBSurface", got.GBSurface, want.GBSurface},
				{"GBPair", got.GBPair, want.GBPair},
			} {
				require.InDelta(t, f.want, f.got, 1e-10*math.Max(1, math.Abs(f.want)), f.name)
			}
		})
	}
}

// hctCases counts the ordered pairs of s at pos per case of the HCT integral.
func hctCases(s *System, pos []float64) map[string]int {
	n := s.NumAtoms()
	cases := map[string]int{}
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			if i == j {
				continue
			}
			dx, dy, dz := pos[3*j]-pos[3*i], pos[3*j+1]-pos[3*i+1], pos[3*j+2]-pos[3*i+2]
			r := math.Sqrt(dx*dx + dy*dy + dz*dz)
			rho := s.GB.Particles[i].Radius - 0.009
			sj := s.GB.Particles[j].Scale * (s.GB.Particles[j].Radius - 0.009)
			switch {
			case s.GB.Cutoff > 0 && r >= s.GB.Cutoff:
				cases["beyond cutoff"]++
			case rho >= r+sj:
				cases["none"]++
			case r-sj >= rho:
				cases["apart"]++
			case sj-r > rho:
				cases["inside"]++
			default:
				cases["overlap"]++
			}
		}
	}
	return cases
}

func TestGBEdgeForcesMatchFiniteDifferences(t *testing.T) {
	for _, m := range []GBModel{OBC1, OBC2} {
		for _, cut := range []float64{0, 1.2} {
			s, pos := gbEdgeSystem(m, cut)
			cases := hctCases(s, pos)
			for _, c := range []string{"none", "apart", "inside", "overlap"} {
				require.Positive(t, cases[c], "edge system lacks HCT case %q: %v", c, cases)
			}
			if cut > 0 {
				require.Positive(t, cases["beyond cutoff"], "edge system has no pair beyond the cutoff")
			}
			forces := make([]float64, len(pos))
			_, err := s.Evaluate(pos, forces)
			require.NoError(t, err)
			const h = 1e-6
			p := append([]float64(nil), pos...)
			for k := range p {
				p[k] = pos[k] + h
				ep := naiveEnergies(s, p)
				p[k] = pos[k] - h
				em := naiveEnergies(s, p)
				p[k] = pos[k]
				fd := -((ep.GBSelf + ep.GBSurface + ep.GBPair) - (em.GBSelf + em.GBSurface + em.GBPair)) / (2 * h)
				require.InDelta(t, fd, forces[k], 1e-5*math.Max(1, math.Abs(fd)), "%v cutoff %v coordinate %d", m, cut, k)
			}
		}
	}
}
