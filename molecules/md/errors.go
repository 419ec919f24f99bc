package md

import (
	"fmt"
	"math"
)

// DefaultMaxPotential is the potential energy (kJ/mol) above which an
// integrator reports an explosion when its MaxPotential field is zero.
const DefaultMaxPotential = 1e7

// DefaultMaxTemperatureFactor is the multiple of the target temperature
// above which Langevin reports an explosion when its MaxTemperatureFactor
// field is zero.
const DefaultMaxTemperatureFactor = 100

// UnstableError reports a run that produced a non-finite or exploding
// energy. Step is the 1-based index of the step that failed (State.Step at
// the time of the failure).
type UnstableError struct {
	Step      int64   // step whose result is unstable
	Potential float64 // potential energy after the step, kJ/mol
	Kinetic   float64 // kinetic energy after the step, kJ/mol
	Reason    string  // what was detected
}

// Error implements the error interface.
func (e *UnstableError) Error() string {
	return fmt.Sprintf("md: simulation unstable at step %d: %s (potential %.6g kJ/mol, kinetic %.6g kJ/mol); reduce the time step or minimise first",
		e.Step, e.Reason, e.Potential, e.Kinetic)
}

// checkStable returns an *UnstableError if pot or kin are non-finite or
// exceed their limits (maxKin ≤ 0 disables the kinetic limit).
func checkStable(step int64, pot, kin, maxPot, maxKin float64) error {
	switch {
	case math.IsNaN(pot) || math.IsInf(pot, 0):
		return &UnstableError{Step: step, Potential: pot, Kinetic: kin, Reason: "non-finite potential energy"}
	case math.IsNaN(kin) || math.IsInf(kin, 0):
		return &UnstableError{Step: step, Potential: pot, Kinetic: kin, Reason: "non-finite kinetic energy"}
	case pot > maxPot:
		return &UnstableError{Step: step, Potential: pot, Kinetic: kin, Reason: fmt.Sprintf("potential energy above %.4g kJ/mol", maxPot)}
	case maxKin > 0 && kin > maxKin:
		return &UnstableError{Step: step, Potential: pot, Kinetic: kin, Reason: fmt.Sprintf("kinetic energy above %.4g kJ/mol", maxKin)}
	}
	return nil
}
