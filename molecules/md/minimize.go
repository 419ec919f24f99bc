package md

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/optimize"
)

// MinimizeResult describes the outcome of Minimize.
type MinimizeResult struct {
	Energy      float64 // potential energy at the returned positions, kJ/mol
	MaxForce    float64 // largest force component there, kJ/mol/nm
	RMSForce    float64 // root-mean-square force component there, kJ/mol/nm
	Evaluations int     // number of energy/force evaluations
	Converged   bool    // MaxForce ≤ tolerance
	Status      string  // why the minimiser stopped (gonum/optimize's status, e.g. GradientThreshold)
}

// Minimize minimises the potential energy with limited-memory BFGS
// (gonum/optimize's LBFGS with its default strong-Wolfe line search, 10
// stored pairs), starting from and overwriting pos (3N, nm), until the
// largest force component is at most tolerance (kJ/mol/nm) or maxEval energy
// evaluations have been made (0 means 100·len(pos) + 1000).
//
// Not converging is not an error (Converged reports it); an error is
// returned when the potential fails or the energy at the start is not
// finite. A failed or non-finite evaluation at a trial point (atoms pushed
// onto each other by a long line-search step) is reported to the line search
// as +Inf, which makes it shorten the step. pos holds the best positions
// found.
func Minimize(p Potential, pos []float64, tolerance float64, maxEval int) (MinimizeResult, error) {
	if !(tolerance > 0) {
		return MinimizeResult{}, fmt.Errorf("md: minimisation tolerance %v kJ/mol/nm must be positive", tolerance)
	}
	if maxEval <= 0 {
		maxEval = 100*len(pos) + 1000
	}
	n := len(pos)
	forces := make([]float64, n)
	var potErr error
	evals := 0
	eval := func(x, grad []float64) float64 {
		evals++
		e, err := p.EnergyForces(x, forces)
		if err != nil {
			potErr = err
			e = math.Inf(1)
		}
		if math.IsNaN(e) {
			e = math.Inf(1)
		}
		if grad != nil {
			for i, f := range forces {
				grad[i] = -f
			}
		}
		return e
	}
	if e := eval(pos, nil); math.IsInf(e, 0) {
		if potErr != nil {
			return MinimizeResult{}, fmt.Errorf("md: minimisation: %w", potErr)
		}
		return MinimizeResult{}, errors.New("md: minimisation: energy at the starting positions is not finite")
	}
	prob := optimize.Problem{
		Func: func(x []float64) float64 { return eval(x, nil) },
		Grad: func(grad, x []float64) { eval(x, grad) },
	}
	settings := &optimize.Settings{GradientThreshold: tolerance, FuncEvaluations: maxEval, GradEvaluations: maxEval}
	res, err := optimize.Minimize(prob, pos, settings, &optimize.LBFGS{Store: 10})
	if res == nil {
		if err == nil {
			err = errors.New("no result")
		}
		return MinimizeResult{}, fmt.Errorf("md: minimisation: %w", err)
	}
	x := res.Location.X
	e := eval(x, forces) // forces now hold the gradient at x
	if math.IsInf(e, 0) {
		return MinimizeResult{}, fmt.Errorf("md: minimisation ended at a non-finite energy (%v): %v", res.Status, potErr)
	}
	copy(pos, x)
	r := MinimizeResult{Energy: e, Evaluations: evals, Status: res.Status.String()}
	var ss float64
	for _, gi := range forces {
		r.MaxForce = math.Max(r.MaxForce, math.Abs(gi))
		ss += gi * gi
	}
	r.RMSForce = math.Sqrt(ss / float64(n))
	r.Converged = r.MaxForce <= tolerance
	return r, nil
}
