package molecules

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// toySystem builds a small system with every term type: a chain of n atoms
// with bonds, angles, torsions with generic phases, nonbonded exceptions and
// a GB model.
func toySystem(n int, method NonbondedMethod, gb GBModel, rng *rand.Rand) *System {
	s := &System{Masses: make([]float64, n)}
	for i := range s.Masses {
		s.Masses[i] = 12
	}
	for i := 0; i+1 < n; i++ {
		s.Bonds = append(s.Bonds, HarmonicBond{Atoms: [2]int{i, i + 1}, Length: 0.15, K: 2e5})
	}
	for i := 0; i+2 < n; i++ {
		s.Angles = append(s.Angles, HarmonicAngle{Atoms: [3]int{i, i + 1, i + 2}, Angle: 1.9, K: 400})
	}
	for i := 0; i+3 < n; i++ {
		for p := 1; p <= 3; p++ {
			s.Torsions = append(s.Torsions, PeriodicTorsion{Atoms: [4]int{i, i + 1, i + 2, i + 3}, Periodicity: p, Phase: 0.3 * float64(p), K: 2 + float64(p)})
		}
	}
	// An improper-like term with central atom third.
	if n >= 4 {
		s.Torsions = append(s.Torsions, PeriodicTorsion{Atoms: [4]int{0, 2, 1, 3}, Periodicity: 2, Phase: math.Pi, K: 4.6})
	}
	nb := &Nonbonded{Method: method, Cutoff: 0.6, ReactionFieldDielectric: 78.3}
	var q float64
	for i := 0; i < n; i++ {
		c := rng.Float64() - 0.5
		if i == n-1 {
			c = -q
		}
		q += c
		nb.Particles = append(nb.Particles, NonbondedParticle{Charge: c, Sigma: 0.25 + 0.1*rng.Float64(), Epsilon: 0.2 + 0.5*rng.Float64()})
	}
	for i := 0; i < n; i++ {
		for j := i + 1; j < n && j <= i+3; j++ {
			e := Exception{Atoms: [2]int{i, j}, Sigma: 1}
			if j == i+3 {
				e.ChargeProd = 0.8 * nb.Particles[i].Charge * nb.Particles[j].Charge
				e.Sigma = 0.3
				e.Epsilon = 0.1
			}
			nb.Exceptions = append(nb.Exceptions, e)
		}
	}
	s.Nonbonded = nb
	if gb != 0 {
		g := &GB{Model: gb, SoluteDielectric: 1, SolventDielectric: 78.5, SurfaceAreaEnergy: 2.25936}
		if method == CutoffNonPeriodic {
			g.Cutoff = nb.Cutoff
		}
		for i := 0; i < n; i++ {
			g.Particles = append(g.Particles, GBParticle{Charge: nb.Particles[i].Charge, Radius: 0.12 + 0.06*rng.Float64(), Scale: 0.7 + 0.2*rng.Float64()})
		}
		s.GB = g
	}
	return s
}

// toyPositions places n atoms along a random walk with 0.15 nm steps.
func toyPositions(n int, rng *rand.Rand) []float64 {
	pos := make([]float64, 3*n)
	for i := 1; i < n; i++ {
		for {
			d := [3]float64{rng.NormFloat64(), rng.NormFloat64(), rng.NormFloat64()}
			l := math.Sqrt(d[0]*d[0] + d[1]*d[1] + d[2]*d[2])
			ok := true
			for k := 0; k < 3; k++ {
				pos[3*i+k] = pos[3*(i-1)+k] + 0.15*d[k]/l
			}
			for j := 0; j < i-1; j++ {
				dx := pos[3*i] - pos[3*j]
				dy := pos[3*i+1] - pos[3*j+1]
				dz := pos[3*i+2] - pos[3*j+2]
				if dx*dx+dy*dy+dz*dz < 0.2*0.2 {
					ok = false
				}
			}
			if ok {
				break
			}
		}
	}
	return pos
}

var toyCases = []struct {
	method NonbondedMethod
	gb     GBModel
}{
	{NoCutoff, 0},
	{NoCutoff, OBC2},
	{NoCutoff, OBC1},
	{CutoffNonPeriodic, OBC1},
	{CutoffNonPeriodic, OBC2},
}

func TestForcesMatchFiniteDifferences(t *testing.T) {
	for ci, c := range toyCases {
		t.Run(fmt.Sprintf("%v/%v", c.method, c.gb), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(ci), 7))
			const n = 9
			s := toySystem(n, c.method, c.gb, rng)
			pos := toyPositions(n, rng)
			forces := make([]float64, 3*n)
			_, err := s.Evaluate(pos, forces)
			require.NoError(t, err)
			const h = 1e-6
			p := append([]float64(nil), pos...)
			var fmax float64
			for _, f := range forces {
				fmax = math.Max(fmax, math.Abs(f))
			}
			for k := range p {
				p[k] = pos[k] + h
				ep, err := s.Evaluate(p, nil)
				require.NoError(t, err)
				p[k] = pos[k] - h
				em, err := s.Evaluate(p, nil)
				require.NoError(t, err)
				p[k] = pos[k]
				fd := -(ep.Total() - em.Total()) / (2 * h)
				if d := math.Abs(fd - forces[k]); d > 1e-4*math.Max(1, fmax) {
					t.Errorf("coordinate %d: analytic %.8g, finite difference %.8g", k, forces[k], fd)
				}
			}
		})
	}
}

// rotate applies a rotation about axis (unit) by angle and a translation.
func rotate(pos []float64, axis [3]float64, angle float64, shift [3]float64) []float64 {
	c, s := math.Cos(angle), math.Sin(angle)
	out := make([]float64, len(pos))
	for i := 0; i < len(pos); i += 3 {
		v := [3]float64{pos[i], pos[i+1], pos[i+2]}
		kv := [3]float64{axis[1]*v[2] - axis[2]*v[1], axis[2]*v[0] - axis[0]*v[2], axis[0]*v[1] - axis[1]*v[0]}
		kd := axis[0]*v[0] + axis[1]*v[1] + axis[2]*v[2]
		for k := 0; k < 3; k++ {
			out[i+k] = v[k]*c + kv[k]*s + axis[k]*kd*(1-c) + shift[k]
		}
	}
	return out
}

func TestInvarianceAndZeroNetForce(t *testing.T) {
	for ci, c := range toyCases {
		rng := rand.New(rand.NewPCG(uint64(ci), 11))
		const n = 9
		s := toySystem(n, c.method, c.gb, rng)
		pos := toyPositions(n, rng)
		forces := make([]float64, 3*n)
		e0, err := s.Evaluate(pos, forces)
		require.NoError(t, err)
		var fsum, torque [3]float64
		var fmax float64
		for i := 0; i < n; i++ {
			f := forces[3*i : 3*i+3]
			r := pos[3*i : 3*i+3]
			for k := 0; k < 3; k++ {
				fsum[k] += f[k]
				fmax = math.Max(fmax, math.Abs(f[k]))
			}
			torque[0] += r[1]*f[2] - r[2]*f[1]
			torque[1] += r[2]*f[0] - r[0]*f[2]
			torque[2] += r[0]*f[1] - r[1]*f[0]
		}
		for k := 0; k < 3; k++ {
			if math.Abs(fsum[k]) > 1e-9*math.Max(1, fmax) || math.Abs(torque[k]) > 1e-9*math.Max(1, fmax) {
				t.Errorf("%v/%v: net force %v, net torque %v", c.method, c.gb, fsum, torque)
				break
			}
		}
		axis := [3]float64{1, 2, 2}
		for k := range axis {
			axis[k] /= 3
		}
		e1, err := s.Evaluate(rotate(pos, axis, 0.7, [3]float64{1.5, -2, 0.3}), nil)
		require.NoError(t, err)
		if d := math.Abs(e1.Total() - e0.Total()); d > 1e-9*math.Max(1, math.Abs(e0.Total())) {
			t.Errorf("%v/%v: energy changed by %g under rotation+translation", c.method, c.gb, d)
		}
	}
}

func TestDihedralSign(t *testing.T) {
	// Trans is ±π, cis is 0, and a right-handed twist is positive (IUPAC).
	pos := []float64{1, 0, 0, 0, 0, 0, 0, 1, 0, -1, 1, 0}
	if d := Dihedral(pos, 0, 1, 2, 3); math.Abs(math.Abs(d)-math.Pi) > 1e-12 {
		t.Errorf("trans dihedral %v, want ±π", d)
	}
	pos = []float64{1, 0, 0, 0, 0, 0, 0, 1, 0, 1, 1, 0}
	if d := Dihedral(pos, 0, 1, 2, 3); math.Abs(d) > 1e-12 {
		t.Errorf("cis dihedral %v, want 0", d)
	}
	pos = []float64{1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 1, 1}
	if d := Dihedral(pos, 0, 1, 2, 3); math.Abs(d+math.Pi/2) > 1e-12 {
		t.Errorf("dihedral %v, want −π/2", d)
	}
}

func TestEvaluateAllocatesNothing(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	s := toySystem(12, NoCutoff, OBC2, rng)
	pos := toyPositions(12, rng)
	forces := make([]float64, len(pos))
	_, err := s.Evaluate(pos, forces)
	require.NoError(t, err)
	if a := testing.AllocsPerRun(50, func() { _, _ = s.Evaluate(pos, forces) }); a != 0 {
		t.Errorf("Evaluate allocates %v times per call", a)
	}
}

func TestBatchIndependentOfWorkers(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	const n, m = 10, 13
	s := toySystem(n, CutoffNonPeriodic, OBC1, rng)
	pos := make([][]float64, m)
	for k := range pos {
		pos[k] = toyPositions(n, rng)
	}
	ref := make([]Energies, m)
	refF := make([][]float64, m)
	for k := range pos {
		refF[k] = make([]float64, 3*n)
		e, err := s.Evaluate(pos[k], refF[k])
		require.NoError(t, err)
		ref[k] = e
	}
	for _, w := range []int{1, 2, 3, 8} {
		dst := make([]Energies, m)
		f := make([][]float64, m)
		for k := range f {
			f[k] = make([]float64, 3*n)
		}
		require.NoError(t, s.EvaluateBatch(dst, pos, f, w))
		for k := range dst {
			if dst[k] != ref[k] {
				t.Errorf("workers %d conformation %d: %+v, want %+v", w, k, dst[k], ref[k])
			}
			for i := range f[k] {
				if f[k][i] != refF[k][i] {
					t.Errorf("workers %d conformation %d force %d differs", w, k, i)
					break
				}
			}
		}
	}
}

func TestNonFiniteAndCutoff(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 9))
	s := toySystem(6, CutoffNonPeriodic, OBC1, rng)
	pos := toyPositions(6, rng)
	pos[7] = math.NaN()
	if _, err := s.Evaluate(pos, nil); !errors.Is(err, ErrNonFinite) {
		t.Errorf("NaN coordinate: err = %v, want ErrNonFinite", err)
	}
	// Two charged atoms just inside and just outside the cutoff.
	two := &System{
		Masses: []float64{1, 1},
		Nonbonded: &Nonbonded{Method: CutoffNonPeriodic, Cutoff: 2, ReactionFieldDielectric: 1,
			Particles: []NonbondedParticle{{Charge: 1, Sigma: 0.3, Epsilon: 0.5}, {Charge: -1, Sigma: 0.3, Epsilon: 0.5}}},
	}
	for _, tc := range []struct {
		r      float64
		inside bool
	}{{1.999999, true}, {2.000001, false}} {
		e, err := two.Evaluate([]float64{0, 0, 0, tc.r, 0, 0}, nil)
		require.NoError(t, err)
		wantC := 0.0
		if tc.inside {
			wantC = -CoulombConstant * (1/tc.r - 1/2.0)
		}
		if math.Abs(e.CoulombPairs-wantC) > 1e-12 || (e.LJPairs != 0) != tc.inside {
			t.Errorf("r=%v: coulomb %v (want %v), lj %v", tc.r, e.CoulombPairs, wantC, e.LJPairs)
		}
	}
}

func TestKT(t *testing.T) {
	for _, c := range []struct{ t, want float64 }{{300, 2.494339}, {310, 2.577483}} {
		assert.InDelta(t, c.want, KT(c.t), 5e-7, "KT(%v)", c.t)
		assert.InDelta(t, 1, Beta(c.t)*KT(c.t), 1e-15, "Beta·KT at %v", c.t)
	}
}
