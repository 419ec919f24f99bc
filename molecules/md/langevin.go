package md

import (
	"fmt"
	"math"
)

// LangevinParams are the parameters of a Langevin integrator.
type LangevinParams struct {
	Timestep    float64 // ps, > 0
	Friction    float64 // collision rate γ in 1/ps, ≥ 0
	Temperature float64 // heat-bath temperature in K, > 0
	// RemoveCOM removes the centre-of-mass velocity in every step, right
	// after the stochastic (O) update, so stored velocities carry no
	// centre-of-mass motion and the kinetic temperature has 3N − 3 degrees
	// of freedom. (OpenMM's CMMotionRemover with frequency 1 removes it at
	// the start of each step instead; the equilibrium sampled is the same.)
	RemoveCOM bool
	// MaxPotential is the potential energy (kJ/mol) above which a step is
	// reported as unstable; 0 means DefaultMaxPotential.
	MaxPotential float64
	// MaxTemperatureFactor: a kinetic temperature above this multiple of
	// Temperature is reported as unstable; 0 means
	// DefaultMaxTemperatureFactor.
	MaxTemperatureFactor float64
}

// Langevin integrates Langevin dynamics with the BAOAB "middle" splitting
// of OpenMM's LangevinMiddleIntegrator. One step of length Δt is
//
//	v ← v + Δt·F(x)/m                  (B, full kick)
//	x ← x + ½Δt·v                      (A)
//	v ← a·v + sqrt((1−a²)·k_B·T/m)·ξ   (O, a = exp(−γΔt), ξ ~ N(0,1))
//	x ← x + ½Δt·v                      (A)
//
// after which forces are evaluated at the new positions. The configurational
// distribution is exact to O(Δt²) and the stored velocities (after O) are
// Maxwell–Boltzmann distributed for a harmonic system.
//
// A Langevin holds scratch buffers and must not be used concurrently; use
// one per replica.
type Langevin struct {
	pot    Potential
	masses []float64
	p      LangevinParams

	invMass []float64 // per coordinate, 1/amu
	noise   []float64 // per coordinate, sqrt((1−a²)kT/m), nm/ps
	forces  []float64
	a       float64
	maxKin  float64
	maxPot  float64
	dof     int

	// Potential energy (kJ/mol) at the positions of the state after the
	// last completed step.
	energy float64
}

// NewLangevin returns a Langevin integrator for the potential p with the
// given masses (amu, one per atom). It returns an error for a non-positive
// temperature or time step, a negative friction or a non-positive mass.
func NewLangevin(p Potential, masses []float64, params LangevinParams) (*Langevin, error) {
	switch {
	case !(params.Temperature > 0) || math.IsInf(params.Temperature, 0):
		return nil, fmt.Errorf("md: Langevin temperature %v K must be positive and finite", params.Temperature)
	case !(params.Timestep > 0) || math.IsInf(params.Timestep, 0):
		return nil, fmt.Errorf("md: Langevin time step %v ps must be positive and finite", params.Timestep)
	case !(params.Friction >= 0) || math.IsInf(params.Friction, 0):
		return nil, fmt.Errorf("md: Langevin friction %v /ps must be non-negative and finite", params.Friction)
	case len(masses) == 0:
		return nil, fmt.Errorf("md: Langevin needs at least one atom")
	}
	if err := checkMasses(masses); err != nil {
		return nil, err
	}
	n := 3 * len(masses)
	l := &Langevin{
		pot:     p,
		masses:  append([]float64(nil), masses...),
		p:       params,
		invMass: make([]float64, n),
		noise:   make([]float64, n),
		forces:  make([]float64, n),
		a:       math.Exp(-params.Friction * params.Timestep),
		maxPot:  params.MaxPotential,
		dof:     n,
	}
	if params.RemoveCOM && len(masses) > 1 {
		l.dof -= 3
	}
	if l.maxPot == 0 {
		l.maxPot = DefaultMaxPotential
	}
	fac := params.MaxTemperatureFactor
	if fac == 0 {
		fac = DefaultMaxTemperatureFactor
	}
	kT := Boltzmann * params.Temperature
	l.maxKin = 0.5 * float64(n) * kT * fac
	b := math.Sqrt(1 - l.a*l.a)
	for i, m := range masses {
		for k := 0; k < 3; k++ {
			l.invMass[3*i+k] = 1 / m
			l.noise[3*i+k] = b * math.Sqrt(kT/m)
		}
	}
	return l, nil
}

// Params returns the integrator's parameters.
func (l *Langevin) Params() LangevinParams { return l.p }

// DOF returns the number of degrees of freedom used for the kinetic
// temperature: 3N, or 3N − 3 with RemoveCOM.
func (l *Langevin) DOF() int { return l.dof }

// Energy returns the potential energy (kJ/mol) at the state's positions
// after the last Run.
func (l *Langevin) Energy() float64 { return l.energy }

// Forces returns the integrator's force buffer (3N, kJ/mol/nm): the forces
// at the state's positions after the last Run. The slice is reused.
func (l *Langevin) Forces() []float64 { return l.forces }

// Run advances s by n steps. It evaluates the forces at the starting
// positions once and then once per step, so a run of n steps costs n + 1
// evaluations; call Run with many steps at a time. Run allocates nothing.
//
// If the potential returns an error or a step produces a non-finite or
// exploding energy, Run stops and returns an error naming the step
// (an *UnstableError for explosions); s then holds the failed step.
func (l *Langevin) Run(s *State, n int) error {
	if len(s.Positions) != len(l.invMass) || len(s.Velocities) != len(l.invMass) {
		panic(fmt.Sprintf("md: state has %d positions and %d velocities, integrator has %d coordinates",
			len(s.Positions), len(s.Velocities), len(l.invMass)))
	}
	if n <= 0 {
		return nil
	}
	e, err := l.pot.EnergyForces(s.Positions, l.forces)
	if err != nil {
		return fmt.Errorf("md: forces at step %d: %w", s.Step, err)
	}
	if err := checkStable(s.Step, e, 0, l.maxPot, 0); err != nil {
		return err
	}
	l.energy = e
	rnd := s.Rand()
	x, v, f := s.Positions, s.Velocities, l.forces
	dt := l.p.Timestep
	half := 0.5 * dt
	a := l.a
	invMass, noise := l.invMass, l.noise
	x = x[:len(invMass)]
	v = v[:len(invMass)]
	f = f[:len(invMass)]
	noise = noise[:len(invMass)]
	for range n {
		var twoKin float64
		if l.p.RemoveCOM {
			for i := range x {
				vi := v[i] + dt*f[i]*invMass[i]
				x[i] += half * vi
				v[i] = a*vi + noise[i]*rnd.NormFloat64()
			}
			RemoveCOMVelocity(v, l.masses)
			for i := range x {
				x[i] += half * v[i]
				twoKin += v[i] * v[i] / invMass[i]
			}
		} else {
			for i := range x {
				vi := v[i] + dt*f[i]*invMass[i]
				xi := x[i] + half*vi
				vi = a*vi + noise[i]*rnd.NormFloat64()
				x[i] = xi + half*vi
				v[i] = vi
				twoKin += vi * vi / invMass[i]
			}
		}
		s.Step++
		s.Time += dt
		e, err := l.pot.EnergyForces(x, f)
		if err != nil {
			return fmt.Errorf("md: forces at step %d: %w", s.Step, err)
		}
		l.energy = e
		if err := checkStable(s.Step, e, 0.5*twoKin, l.maxPot, l.maxKin); err != nil {
			return err
		}
	}
	return nil
}
