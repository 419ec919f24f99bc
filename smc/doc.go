// Package smc implements importance sampling (IS) and annealed-Langevin
// sequential Monte Carlo (SMC) over any differentiable target density.
//
// A target is given by a reduced (dimensionless, units of kT) energy E(x),
// π(x) ∝ exp(−E(x)), and its gradient; a proposal q is a normalised density
// that can be sampled and whose exact log-density and score ∇ log q are
// available. Both work on batches of particles stored as rows of a
// [][]float64 (M rows of dimension D).
//
// Importance sampling weights proposals by log w = −E(x) − log q(x)
// (see LogWeights, ESS, LogZ, ClipQuantile, Resample and SampleIS).
//
// SMC (Run) anneals the population from q to π along the linear energy path
//
//	E_t(x) = (1−t)·E_S(x) + t·E_T(x),  E_S = −log q,  t ∈ [0, 1],
//
// accumulating the Jarzynski weight increment −(t_k − t_{k−1})·(E_T − E_S) at
// the current particles before each Langevin move (ULA or MALA) for
// k = 1…K, so that the last increment to t = 1 is applied, and resampling
// whenever the normalised effective sample size falls below a threshold.
// The estimate of log Z_T (Z_S = 1 because q is normalised) accumulates over
// resamplings.
//
// Particles are processed in fixed batches by a pool of goroutines; each
// batch draws its random numbers from a stream derived from the seed, the step
// and the batch index, so the same seed gives the same numbers whatever the
// number of workers. Targets and proposals must therefore allow concurrent
// calls on disjoint batches when more than one worker is used.
//
// A particle whose energy, log-density or gradient is not finite is marked:
// its weight becomes zero, it is no longer moved, and it is counted in the
// results. If every weight is zero the functions return ErrAllZeroWeights.
//
// This package depends on no learning code; adapters that turn a normalising
// flow into a Proposal and a force field into a Target live elsewhere.
package smc
