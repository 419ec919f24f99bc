package envs

import (
	"fmt"
	"math"
)

// RescaleAction wraps an Env so that it takes actions in [Min, Max] in every
// dimension (typically [−1, 1], as MEow and SAC agents act), as Gymnasium's
// RescaleAction: a ↦ clip(low + (high − low)·(a − Min)/(Max − Min), low,
// high) with the wrapped env's bounds low and high. The wrapped env then sees
// (and its control cost uses) the rescaled, clipped action. Invalid actions
// (wrong length, NaN, ±Inf) are rejected as by the wrapped env.
type RescaleAction struct {
	Env      Env
	Min, Max float64

	space Box
	buf   []float64
}

// NewRescaleAction wraps env so that its actions range over [lo, hi] in
// every dimension. It returns an error if lo ≥ hi or if the env's action
// space has an infinite bound.
func NewRescaleAction(env Env, lo, hi float64) (*RescaleAction, error) {
	if !(lo < hi) || math.IsInf(lo, 0) || math.IsInf(hi, 0) {
		return nil, fmt.Errorf("envs: RescaleAction: want finite lo < hi, got [%v, %v]", lo, hi)
	}
	as := env.ActionSpace()
	for i := range as.Low {
		if math.IsInf(as.Low[i], 0) || math.IsInf(as.High[i], 0) {
			return nil, fmt.Errorf("envs: RescaleAction: action dimension %d has infinite bounds [%v, %v]", i, as.Low[i], as.High[i])
		}
	}
	return &RescaleAction{Env: env, Min: lo, Max: hi, space: UniformBox(as.Dim(), lo, hi), buf: make([]float64, as.Dim())}, nil
}

// ObservationSpace returns the wrapped environment's observation space.
func (r *RescaleAction) ObservationSpace() Box { return r.Env.ObservationSpace() }

// ActionSpace returns [Min, Max]^n.
func (r *RescaleAction) ActionSpace() Box { return r.space }

// Reset resets the wrapped environment.
func (r *RescaleAction) Reset(seed int64) ([]float64, Info) { return r.Env.Reset(seed) }

// Step rescales the action and steps the wrapped environment.
func (r *RescaleAction) Step(action []float64) ([]float64, float64, bool, bool, Info, error) {
	if len(action) != len(r.buf) || firstNonFinite(action) >= 0 {
		return r.Env.Step(action) // the wrapped env reports the error
	}
	as := r.Env.ActionSpace()
	for i, a := range action {
		lo, hi := as.Low[i], as.High[i]
		r.buf[i] = min(max(lo+(hi-lo)*((a-r.Min)/(r.Max-r.Min)), lo), hi)
	}
	return r.Env.Step(r.buf)
}

// Unwrap returns the wrapped environment.
func (r *RescaleAction) Unwrap() Env { return r.Env }
