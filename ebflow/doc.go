// Package ebflow implements conditional energy-based normalizing flows (EBFlow, Chao et al. 2023; MEow,
// Chao et al. 2024) on the nn tape.
//
// A Flow maps a latent z ~ N(0, I_d) to a sample x (an action in MEow) through a stack of invertible Layers,
// each conditioned on a context s (the state; nil for unconditional layers). The sampling direction is called
// Forward (z → x) and the density direction Inverse (x → z). Every layer reports whether it is linear — a
// first- or zero-degree polynomial of its input, so that its Jacobian does not depend on the input (it may
// depend on the context) — and the flow accumulates the log-determinants of the two groups separately:
//
//	log p(x|s) = −E(x|s) − log Z(s)
//	E(x|s)     = ½‖z‖² − Σ_{non-linear i} log|det ∂g_i/∂x_{i}|     (density direction)
//	log Z(s)   = (d/2)·log 2π − Σ_{linear i} log|det ∂g_i/∂x_{i}|
//
// so that Z(s) = ∫ exp(−E(x|s)) dx exactly. MEow reads Q(s,a) = −α·E(a|s) and V(s) = α·log Z(s) off one flow.
// The constant (d/2)·log 2π of the standard normal is kept in log Z, as in the reference implementation
// (meow.md §4). LogZ evaluates only the linear layers' context networks, never the data path.
//
// Layers: AdditiveCoupling (NICE, volume preserving), AffineCoupling (RealNVP-style, bounded log-scale),
// Scale (state-conditioned element-wise scaling with log σ(s) bounded to [ℓmin, ℓmax] by tanh — the linear
// layer of MEow), LU (dense linear layer W = P·L·U with exp-parameterised positive diagonal, exact
// log|det W| = Σ log u_ii) and Tanh (squashing with the clamp ±(1−1e-5) and log(1 − x² + ε) of meow.md §5.3).
//
// All methods work on batches: data tensors are [n, d] and contexts [n, c], row-major; per-sample results are
// [n]. Everything runs on an nn.Tape: with tape.NoGrad set the same code is the inference path.
package ebflow
