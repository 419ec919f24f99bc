// Command smc-toy compares importance sampling (IS) with annealed-Langevin
// SMC on two toy targets with known normalising constants.
//
//	go run ./experiments/smc-toy -target gmm2d|doublewell1d -particles N -steps K -seed S [-png out.png] [-json]
//
// gmm2d is E(x) = −log Σ_k exp(−‖x − μ_k‖²/2) with the four means (±4, ±4),
// log Z = log(8π), and proposal N(0, 3²I). doublewell1d is
// E(x) = 4(x² − 1)² + 0.5x with log Z by quadrature and proposal N(0, 2²).
//
// It prints a table (method, ESS, log Z ± standard error, true log Z, wall
// time) to stdout and progress to stderr. With -png it draws the proposals
// (before) and the SMC particles (after); with -json the last line of stdout
// is a JSON object with the keys logz_is, logz_smc, logz_true and ess_is
// (and a few more).
package main
