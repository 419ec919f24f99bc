package smc

import "math/rand/v2"

// Target is an unnormalised target density π(x) ∝ exp(−E(x)) with a reduced
// (dimensionless, units of kT) energy E.
//
// When SMC or SampleIS run with more than one worker, Energy is called
// concurrently on disjoint batches and must be safe for that.
type Target interface {
	// Dim returns the dimension D of a particle.
	Dim() int
	// Energy writes E(x[i]) to e[i] for each of the len(x) particles
	// (rows of length D). If grad is not nil it also writes ∇E(x[i]) to
	// grad[i] (rows of length D). len(e) and len(grad) equal len(x).
	// Non-finite values are allowed: they mark the particle as invalid.
	Energy(x [][]float64, e []float64, grad [][]float64)
}

// Proposal is a normalised density q over particles of dimension D that can
// be sampled and whose exact log-density and score are available.
//
// When SMC or SampleIS run with more than one worker, its methods are called
// concurrently on disjoint batches and must be safe for that.
type Proposal interface {
	// Dim returns the dimension D of a particle.
	Dim() int
	// Sample draws len(dst) independent samples from q using rng, writing
	// them to the rows of dst (length D each) and log q of each to logq[i].
	Sample(rng *rand.Rand, dst [][]float64, logq []float64)
	// LogProb writes the exact log q(x[i]) (natural log) to logq[i].
	LogProb(x [][]float64, logq []float64)
	// GradLogProb writes log q(x[i]) to logq[i] and the score
	// ∇ log q(x[i]) to grad[i] (rows of length D).
	GradLogProb(x [][]float64, logq []float64, grad [][]float64)
}
