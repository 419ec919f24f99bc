package md

import (
	"errors"
	"fmt"
	"math"
)

// MinimizeResult describes the outcome of Minimize.
type MinimizeResult struct {
	Energy      float64 // potential energy at the returned positions, kJ/mol
	MaxForce    float64 // largest force component there, kJ/mol/nm
	RMSForce    float64 // root-mean-square force component there, kJ/mol/nm
	Evaluations int     // number of energy/force evaluations
	Converged   bool    // MaxForce ≤ tolerance
	Status      string  // why the minimiser stopped: GradientThreshold, EvaluationLimit or LineSearchFailure
}

// Minimize minimises the potential energy with limited-memory BFGS,
// starting from and overwriting pos (3N, nm), until the largest force
// component is at most tolerance (kJ/mol/nm) or maxEval energy evaluations
// have been made (0 means 100·len(pos) + 1000).
//
// The L-BFGS method (two-loop recursion over the last 10 steps, backtracking
// line search with the Armijo condition, curvature pairs kept only when
// sᵀy > 0, and no step longer than 0.03 nm per coordinate) is implemented
// here because gonum/optimize cannot be built with the module's go.sum
// (it needs golang.org/x/tools through gonum/stat/distmv).
//
// Not converging is not an error (Converged reports it); an error is
// returned when the potential fails or the energy at the start is not
// finite. pos always holds the lowest-energy positions found.
func Minimize(p Potential, pos []float64, tolerance float64, maxEval int) (MinimizeResult, error) {
	if !(tolerance > 0) {
		return MinimizeResult{}, fmt.Errorf("md: minimisation tolerance %v kJ/mol/nm must be positive", tolerance)
	}
	if maxEval <= 0 {
		maxEval = 100*len(pos) + 1000
	}
	const (
		memory  = 10
		maxStep = 0.03 // nm, largest displacement of one coordinate per line-search trial
		armijo  = 1e-4
	)
	n := len(pos)
	x := append([]float64(nil), pos...)
	g := make([]float64, n)  // gradient at x
	xt := make([]float64, n) // trial point
	gt := make([]float64, n)
	d := make([]float64, n)
	alpha := make([]float64, memory)
	rho := make([]float64, memory)
	S := make([][]float64, memory)
	Y := make([][]float64, memory)
	for i := range S {
		S[i] = make([]float64, n)
		Y[i] = make([]float64, n)
	}
	evals := 0
	evalAt := func(xx, grad []float64) (float64, error) {
		evals++
		e, err := p.EnergyForces(xx, grad)
		if err != nil {
			return 0, fmt.Errorf("md: minimisation: %w", err)
		}
		for i := range grad {
			grad[i] = -grad[i]
		}
		if math.IsNaN(e) {
			e = math.Inf(1)
		}
		return e, nil
	}
	e, err := evalAt(x, g)
	if err != nil {
		return MinimizeResult{}, err
	}
	if math.IsInf(e, 0) {
		return MinimizeResult{}, errors.New("md: minimisation: energy at the starting positions is not finite")
	}
	status := "EvaluationLimit"
	stored, head := 0, 0
	for evals < maxEval {
		if maxAbs(g) <= tolerance {
			status = "GradientThreshold"
			break
		}
		// Two-loop recursion: d = −H·g.
		copy(d, g)
		for k := 0; k < stored; k++ {
			j := (head - 1 - k + memory) % memory
			alpha[j] = rho[j] * dot(S[j], d)
			axpy(-alpha[j], Y[j], d)
		}
		if stored > 0 {
			j := (head - 1 + memory) % memory
			scale(dot(S[j], Y[j])/dot(Y[j], Y[j]), d)
		}
		for k := stored - 1; k >= 0; k-- {
			j := (head - 1 - k + memory) % memory
			b := rho[j] * dot(Y[j], d)
			axpy(alpha[j]-b, S[j], d)
		}
		scale(-1, d)
		slope := dot(g, d)
		if !(slope < 0) { // not a descent direction: restart with steepest descent
			for i := range d {
				d[i] = -g[i]
			}
			slope = dot(g, d)
			stored = 0
		}
		step := 1.0
		if m := maxAbs(d); m > maxStep {
			step = maxStep / m
		}
		accepted := false
		var et float64
		for trial := 0; trial < 40 && evals < maxEval; trial++ {
			for i := range xt {
				xt[i] = x[i] + step*d[i]
			}
			et, err = evalAt(xt, gt)
			if err != nil {
				return MinimizeResult{}, err
			}
			if et <= e+armijo*step*slope {
				accepted = true
				break
			}
			step *= 0.5
		}
		if !accepted {
			if stored > 0 { // retry from steepest descent before giving up
				stored = 0
				continue
			}
			status = "LineSearchFailure"
			break
		}
		// Curvature pair.
		sy := 0.0
		for i := range x {
			S[head][i] = xt[i] - x[i]
			Y[head][i] = gt[i] - g[i]
			sy += S[head][i] * Y[head][i]
		}
		if sy > 1e-12*dot(Y[head], Y[head]) && sy > 0 {
			rho[head] = 1 / sy
			head = (head + 1) % memory
			if stored < memory {
				stored++
			}
		}
		copy(x, xt)
		copy(g, gt)
		e = et
	}
	copy(pos, x)
	r := MinimizeResult{Energy: e, Evaluations: evals, Status: status}
	var ss float64
	for _, gi := range g {
		r.MaxForce = math.Max(r.MaxForce, math.Abs(gi))
		ss += gi * gi
	}
	r.RMSForce = math.Sqrt(ss / float64(n))
	r.Converged = r.MaxForce <= tolerance
	return r, nil
}

func dot(a, b []float64) float64 {
	var s float64
	for i, x := range a {
		s += x * b[i]
	}
	return s
}

func axpy(alpha float64, x, y []float64) {
	for i, v := range x {
		y[i] += alpha * v
	}
}

func scale(alpha float64, x []float64) {
	for i := range x {
		x[i] *= alpha
	}
}

func maxAbs(x []float64) float64 {
	var m float64
	for _, v := range x {
		m = math.Max(m, math.Abs(v))
	}
	return m
}
