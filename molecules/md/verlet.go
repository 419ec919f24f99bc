package md

import (
	"fmt"
	"math"
)

// Verlet integrates Newton's equations with velocity Verlet (NVE):
//
//	v ← v + ½Δt·F(x)/m;  x ← x + Δt·v;  v ← v + ½Δt·F(x)/m
//
// Velocities and positions refer to the same time, so the total energy
// Energy() + KineticEnergy(s.Velocities, masses) is conserved up to
// O(Δt²) fluctuations. A Verlet must not be used concurrently.
type Verlet struct {
	pot     Potential
	masses  []float64
	dt      float64
	invMass []float64
	forces  []float64
	energy  float64
	// MaxPotential is the potential energy (kJ/mol) above which a step is
	// reported as unstable; 0 means DefaultMaxPotential.
	MaxPotential float64
}

// NewVerlet returns a velocity-Verlet integrator for p with the given
// masses (amu, one per atom) and time step (ps).
func NewVerlet(p Potential, masses []float64, timestep float64) (*Verlet, error) {
	if !(timestep > 0) || math.IsInf(timestep, 0) {
		return nil, fmt.Errorf("md: Verlet time step %v ps must be positive and finite", timestep)
	}
	if len(masses) == 0 {
		return nil, fmt.Errorf("md: Verlet needs at least one atom")
	}
	if err := checkMasses(masses); err != nil {
		return nil, err
	}
	n := 3 * len(masses)
	vv := &Verlet{pot: p, masses: append([]float64(nil), masses...), dt: timestep,
		invMass: make([]float64, n), forces: make([]float64, n)}
	for i, m := range masses {
		for k := 0; k < 3; k++ {
			vv.invMass[3*i+k] = 1 / m
		}
	}
	return vv, nil
}

// Energy returns the potential energy (kJ/mol) at the state's positions
// after the last Run.
func (vv *Verlet) Energy() float64 { return vv.energy }

// Run advances s by n steps (n + 1 force evaluations; no allocation). Errors
// are as for Langevin.Run.
func (vv *Verlet) Run(s *State, n int) error {
	if len(s.Positions) != len(vv.invMass) || len(s.Velocities) != len(vv.invMass) {
		panic(fmt.Sprintf("md: state has %d positions and %d velocities, integrator has %d coordinates",
			len(s.Positions), len(s.Velocities), len(vv.invMass)))
	}
	if n <= 0 {
		return nil
	}
	maxPot := vv.MaxPotential
	if maxPot == 0 {
		maxPot = DefaultMaxPotential
	}
	e, err := vv.pot.EnergyForces(s.Positions, vv.forces)
	if err != nil {
		return fmt.Errorf("md: forces at step %d: %w", s.Step, err)
	}
	if err := checkStable(s.Step, e, 0, maxPot, 0); err != nil {
		return err
	}
	vv.energy = e
	x, v, f, im := s.Positions, s.Velocities, vv.forces, vv.invMass
	x = x[:len(im)]
	v = v[:len(im)]
	f = f[:len(im)]
	dt, half := vv.dt, 0.5*vv.dt
	for range n {
		for i := range x {
			v[i] += half * f[i] * im[i]
			x[i] += dt * v[i]
		}
		s.Step++
		s.Time += dt
		e, err := vv.pot.EnergyForces(x, f)
		if err != nil {
			return fmt.Errorf("md: forces at step %d: %w", s.Step, err)
		}
		vv.energy = e
		var twoKin float64
		for i := range v {
			v[i] += half * f[i] * im[i]
			twoKin += v[i] * v[i] / im[i]
		}
		if err := checkStable(s.Step, e, 0.5*twoKin, maxPot, 0); err != nil {
			return err
		}
	}
	return nil
}
