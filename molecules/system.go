package molecules

import (
	"errors"
	"fmt"
	"strings"
	"sync"
)

// CoulombConstant is OpenMM's ONE_4PI_EPS0, 1/(4π ε0) in kJ·mol⁻¹·nm·e⁻², used by
// NonbondedForce and GBSAOBCForce.
const CoulombConstant = 138.93545764438198

// GasConstant is the molar gas constant R = k_B·N_A in kJ/mol/K (CODATA 2018,
// as in OpenMM).
const GasConstant = 1.380649e-23 * 6.02214076e23 / 1000

// KT returns the thermal energy R·T in kJ/mol at temperature t in K
// (2.494339 kJ/mol at 300 K). Reduced energies are E/KT(t).
func KT(t float64) float64 { return GasConstant * t }

// Beta returns 1/(R·T) in mol/kJ at temperature t in K.
func Beta(t float64) float64 { return 1 / KT(t) }

// NonbondedMethod selects how nonbonded and GB interactions are truncated.
type NonbondedMethod int

const (
	// NoCutoff evaluates every pair with plain Coulomb and Lennard-Jones.
	NoCutoff NonbondedMethod = iota
	// CutoffNonPeriodic truncates pairs at the cutoff distance: Coulomb
	// becomes reaction field, Lennard-Jones is truncated without shift, and
	// GB pair terms are cut at the same distance (OpenMM's CutoffNonPeriodic).
	CutoffNonPeriodic
)

// String returns the OpenMM name of m.
func (m NonbondedMethod) String() string {
	switch m {
	case NoCutoff:
		return "NoCutoff"
	case CutoffNonPeriodic:
		return "CutoffNonPeriodic"
	}
	return fmt.Sprintf("NonbondedMethod(%d)", int(m))
}

// ParseNonbondedMethod parses "NoCutoff" or "CutoffNonPeriodic" (case-insensitive).
func ParseNonbondedMethod(s string) (NonbondedMethod, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "nocutoff":
		return NoCutoff, nil
	case "cutoffnonperiodic":
		return CutoffNonPeriodic, nil
	}
	return 0, fmt.Errorf("molecules: unknown nonbonded method %q (want NoCutoff or CutoffNonPeriodic)", s)
}

// HarmonicBond is the term E = ½·K·(r − Length)² of OpenMM's HarmonicBondForce.
type HarmonicBond struct {
	Atoms  [2]int
	Length float64 // equilibrium length, nm
	K      float64 // force constant, kJ/mol/nm² (twice Amber's)
}

// HarmonicAngle is the term E = ½·K·(θ − Angle)² of OpenMM's HarmonicAngleForce,
// θ the angle Atoms[0]–Atoms[1]–Atoms[2] at Atoms[1].
type HarmonicAngle struct {
	Atoms [3]int
	Angle float64 // equilibrium angle, rad
	K     float64 // force constant, kJ/mol/rad² (twice Amber's)
}

// PeriodicTorsion is the term E = K·(1 + cos(n·φ − Phase)) of OpenMM's
// PeriodicTorsionForce, φ the IUPAC dihedral of Atoms (propers and
// impropers alike; impropers have the central atom third).
type PeriodicTorsion struct {
	Atoms       [4]int
	Periodicity int     // n
	Phase       float64 // rad
	K           float64 // kJ/mol
}

// NonbondedParticle holds the per-atom parameters of a NonbondedForce.
type NonbondedParticle struct {
	Charge  float64 // e
	Sigma   float64 // nm
	Epsilon float64 // kJ/mol
}

// Exception replaces the interaction of one atom pair in a NonbondedForce.
// It is evaluated as plain Coulomb plus Lennard-Jones with its own
// parameters, without reaction field or cutoff; ChargeProd = Epsilon = 0 is
// a pure exclusion.
type Exception struct {
	Atoms      [2]int
	ChargeProd float64 // e²
	Sigma      float64 // nm
	Epsilon    float64 // kJ/mol
}

// Nonbonded is OpenMM's NonbondedForce restricted to NoCutoff and
// CutoffNonPeriodic: Lennard-Jones with Lorentz–Berthelot combination plus
// Coulomb (reaction field under a cutoff) for all pairs that are not
// exceptions, plus the exceptions.
type Nonbonded struct {
	Method NonbondedMethod
	// Cutoff is the cutoff distance in nm (used by CutoffNonPeriodic only).
	Cutoff float64
	// ReactionFieldDielectric is ε_rf of the reaction field (CutoffNonPeriodic).
	ReactionFieldDielectric float64
	Particles               []NonbondedParticle
	Exceptions              []Exception
}

// GBModel names an implicit-solvent model.
type GBModel int

const (
	// OBC2 is OpenMM's GBSAOBCForce (OBC type II, α=1, β=0.8, γ=4.85, with
	// the "inside the descreening sphere" correction, Coulomb constant
	// CoulombConstant and ACE surface term 4π·SurfaceAreaEnergy; with a
	// cutoff, pairs beyond it are skipped and pair terms are shifted by
	// 1/Cutoff as in OpenMM's reference implementation).
	OBC2 GBModel = iota + 1
	// OBC1 is the CustomGBForce of OpenMM's implicit/obc1.xml (OBC type I,
	// α=0.8, β=0, γ=2.909125, Coulomb constant 138.935485, ACE constant
	// 28.3919551, pair term shifted by 1/Cutoff when a cutoff is used).
	OBC1
)

// String returns a short name of the model.
func (m GBModel) String() string {
	switch m {
	case OBC2:
		return "OBC2(GBSAOBCForce)"
	case OBC1:
		return "OBC1(CustomGBForce)"
	}
	return fmt.Sprintf("GBModel(%d)", int(m))
}

// GBParticle holds the per-atom parameters of a GB model.
type GBParticle struct {
	Charge float64 // e
	Radius float64 // intrinsic (Born) radius, nm; the offset radius is Radius − 0.009
	Scale  float64 // HCT screening factor; the scaled radius is Scale·(Radius − 0.009)
}

// GB is a generalized-Born implicit-solvent term.
type GB struct {
	Model             GBModel
	SoluteDielectric  float64
	SolventDielectric float64
	// SurfaceAreaEnergy is the ACE surface energy in kJ/mol/nm² (OBC2; OBC1
	// uses its literal constant).
	SurfaceAreaEnergy float64
	// Cutoff is the distance in nm beyond which pairs are ignored; 0 means none.
	Cutoff    float64
	Particles []GBParticle
}

// System holds the concrete energy terms of one molecular system, as an
// OpenMM System does: per-atom masses, bonds, angles, torsions, nonbonded
// and GB terms. Build one with molecules/forcefield or by hand; do not
// modify it after the first evaluation.
//
// Evaluate is safe for concurrent use (calls are serialised); for parallel
// work use EvaluateBatch or one Evaluator per goroutine.
type System struct {
	Masses    []float64 // amu, len N
	Bonds     []HarmonicBond
	Angles    []HarmonicAngle
	Torsions  []PeriodicTorsion
	Nonbonded *Nonbonded // nil: none
	GB        *GB        // nil: none

	mu    sync.Mutex
	ev    *Evaluator
	batch []*Evaluator
}

// NumAtoms returns the number of particles.
func (s *System) NumAtoms() int { return len(s.Masses) }

// Energies holds the potential energy per term in kJ/mol.
type Energies struct {
	Bond      float64 // HarmonicBondForce
	Angle     float64 // HarmonicAngleForce
	Torsion   float64 // PeriodicTorsionForce (propers and impropers)
	Nonbonded float64 // NonbondedForce = CoulombPairs + LJPairs + Coulomb14 + LJ14
	GB        float64 // GB force = GBSelf + GBSurface + GBPair

	CoulombPairs float64 // Coulomb of non-excluded pairs
	LJPairs      float64 // Lennard-Jones of non-excluded pairs
	Coulomb14    float64 // Coulomb of exceptions
	LJ14         float64 // Lennard-Jones of exceptions
	GBSelf       float64 // GB self (Born) energies (OBC1 energy term 0)
	GBSurface    float64 // ACE non-polar surface term (OBC1 energy term 1)
	GBPair       float64 // GB pair energies (OBC1 energy term 2)
}

// Total returns the total potential energy in kJ/mol.
func (e Energies) Total() float64 {
	return e.Bond + e.Angle + e.Torsion + e.Nonbonded + e.GB
}

// ErrNonFinite is returned (wrapped) when positions contain NaN or ±Inf.
var ErrNonFinite = errors.New("non-finite coordinate")

// Evaluate computes the energy per term (kJ/mol) at pos (nm, len 3N,
// atom-major) and writes the forces −∇E (kJ/mol/nm, len 3N) into forces
// unless forces is nil. It allocates nothing after the first call. It
// panics if a slice has the wrong length and returns an error wrapping
// ErrNonFinite for NaN or infinite coordinates.
func (s *System) Evaluate(pos, forces []float64) (Energies, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ev == nil {
		ev, err := NewEvaluator(s)
		if err != nil {
			return Energies{}, err
		}
		s.ev = ev
	}
	return s.ev.Evaluate(pos, forces)
}

// EnergyForces returns the total potential energy (kJ/mol) at pos and
// writes −∇E into forces; it matches molecules/md.Potential.
func (s *System) EnergyForces(pos, forces []float64) (float64, error) {
	e, err := s.Evaluate(pos, forces)
	return e.Total(), err
}

// EvaluateBatch evaluates len(pos) conformations in parallel with the given
// number of goroutines (≤ 0 means 1). pos[k] and forces[k] follow Evaluate
// (forces may be nil, or forces[k] nil, to skip forces); dst must have
// len(pos). Conformations are split into contiguous blocks, one per worker,
// and each is computed exactly as Evaluate would, so results do not depend
// on the number of workers. The first error (lowest conformation index) is
// returned.
func (s *System) EvaluateBatch(dst []Energies, pos, forces [][]float64, workers int) error {
	if len(dst) != len(pos) {
		panic(fmt.Sprintf("molecules: EvaluateBatch: len(dst)=%d != len(pos)=%d", len(dst), len(pos)))
	}
	if forces != nil && len(forces) != len(pos) {
		panic(fmt.Sprintf("molecules: EvaluateBatch: len(forces)=%d != len(pos)=%d", len(forces), len(pos)))
	}
	if workers <= 0 {
		workers = 1
	}
	if workers > len(pos) {
		workers = len(pos)
	}
	if workers == 0 {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for len(s.batch) < workers {
		ev, err := NewEvaluator(s)
		if err != nil {
			return err
		}
		s.batch = append(s.batch, ev)
	}
	errs := make([]error, workers)
	var wg sync.WaitGroup
	n := len(pos)
	for w := 0; w < workers; w++ {
		lo, hi := w*n/workers, (w+1)*n/workers
		wg.Add(1)
		go func(w, lo, hi int) {
			defer wg.Done()
			ev := s.batch[w]
			for k := lo; k < hi; k++ {
				var f []float64
				if forces != nil {
					f = forces[k]
				}
				e, err := ev.Evaluate(pos[k], f)
				dst[k] = e
				if err != nil && errs[w] == nil {
					errs[w] = fmt.Errorf("conformation %d: %w", k, err)
				}
			}
		}(w, lo, hi)
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
