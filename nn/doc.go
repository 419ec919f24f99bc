// Package nn is Boltzflow's numeric core: dense row-major tensors in float32
// and float64, a reverse-mode tape with an arena, fused operations, modules,
// optimisers, learning-rate schedules and checkpoints. Everything that learns
// in Boltzflow (ebflow, agents, boltzmann) is built on it.
//
// # Tensors
//
// Tensor[F] (F is float32 or float64) holds Data in row-major order, a shape
// of rank ≤ MaxRank and, when gradients are tracked, a Grad buffer of the same
// length. Shapes are written [batch, features] etc. in doc comments.
//
// # Tape
//
// A Tape records operations (its methods: Linear, MatMul, Add, ReLU,
// LayerNorm, Attention, MSE, ...) and runs them backwards in Backward. All
// outputs, gradients and scratch buffers come from an arena that Reset
// recycles, so a training step with the same shapes allocates nothing after
// the first one. Tensors returned by a tape are valid until its next Reset.
// Backward may run once per Reset (add several losses first).
//
// Gradients flow to every tensor that requires one: parameters (Param),
// user tensors marked with RequireGrad (or made by Tape.Var), and every result
// computed from them. That gives gradients with respect to inputs (∇ₓ) as
// well as parameters. Parameter gradients accumulate until ZeroGrad.
//
// Setting Tape.NoGrad turns recording off for inference: operations only
// compute values (still from the arena, still allocation-free). Tape.Training
// switches dropout on. Shape mismatches are programmer errors and panic with a
// message naming both shapes.
//
// A training step:
//
//	rng := rand.New(rand.NewPCG(1, 2))
//	mlp := nn.NewMLP[float32]("q", nn.MLPConfig{Sizes: []int{17, 256, 256, 6}, Activation: nn.ActReLU}, rng)
//	opt := nn.NewAdam(mlp.Params(), 3e-4)
//	tp := nn.NewTape[float32](rng)
//	for step := 0; step < steps; step++ {
//		tp.Reset()
//		x := tp.Const(xs, batch, 17)   // [batch, 17], aliases xs
//		y := tp.Const(ys, batch, 6)
//		loss := tp.MSE(mlp.Forward(tp, x), y)
//		opt.ZeroGrad()
//		tp.Backward(loss)
//		nn.ClipGradNorm(mlp.Params(), 1.0)
//		opt.LR = sched.LR(step)
//		opt.Step()
//	}
//
// An input gradient, e.g. ∇ₓ log q(x) of a batch of independent samples:
//
//	tp.Reset()
//	x := tp.Var(xs, batch, dim)        // requires a gradient
//	lq := flowLogDensity(tp, x)        // [batch]
//	tp.BackwardFrom(lq, ones)          // ones: []float32 of length batch
//	// x.Grad[b*dim+i] = ∂ log q(x_b) / ∂x_bi
//
// # Fused operations
//
// Linear (gemm + bias, PyTorch weight layout [out, in]), LayerNorm, Softmax,
// CausalSoftmax, LogSoftmax, LogSumExp, Attention (multi-head, optionally
// causal, strided per-head gemms, parallel over batch×heads with a fixed
// partition), MSE and GaussianLogDensity have hand-written backward passes.
// KVCache and TransformerBlock.ForwardCached give the allocation-free,
// tape-free decoding path for autoregressive sampling. Element-wise and shape
// operations (Add/Sub/Mul/Div/Minimum/Maximum with broadcasting, Exp, Log,
// Softplus, Tanh, Atanh, GELU, Swish, Clamp, Concat, Split, Slice, Gather,
// Flip, ShiftRight, SplitHeads/MergeHeads, ...) complete the set; Detach
// stops gradients. float32 GELU, softmax, Sigmoid and Swish use fast exp/erf
// approximations accurate to float32 resolution (Sigmoid and Swish save σ' in
// the forward pass); float64 uses the math package.
//
// # Modules and optimisers
//
// Param is a named tensor; a Module lists its Params in a fixed order. Linear
// (PyTorch-default, orthogonal, zero init), MLP (sizes, activation, optional
// LayerNorm and dropout) and TransformerBlock (pre-LN) are provided, with
// CopyParams and Polyak for target networks and EMA weights. Adam and AdamW
// follow PyTorch's update rules; ClipGradNorm clips the global gradient norm;
// Constant and OneCycle (PyTorch's OneCycleLR, cosine) are schedules.
//
// # Checkpoints
//
// SaveCheckpoint and LoadCheckpoint store parameters, optimiser moments, the
// step counter and RNG state in the safetensors layout (readable from
// PyTorch), written atomically, with a versioned header and clear errors for
// missing names, wrong shapes and truncated files.
//
// # BLAS
//
// Matrix products never allocate and split large products over a persistent
// worker pool with a fixed partition (results do not depend on GOMAXPROCS).
// On amd64 with AVX2 and FMA they run on the package's own assembly
// micro-kernels (6×16 float32 / 6×8 float64 tiles, 6×32 / 6×16 with
// AVX-512), still without cgo; elsewhere, or with the build tag noasm, they
// use gonum's pure-Go BLAS. The build tag openblas routes gonum's
// blas32/blas64 to OpenBLAS through gonum.org/v1/netlib (cgo, Debian
// libopenblas-dev) and sends every product of at least 64³ multiply-adds
// there:
//
//	CGO_LDFLAGS=-lopenblas go test -tags openblas ./nn
//
// BLASBackend names the active back-end.
//
// Use one precision per model: float32 for training networks, float64 for
// gradient checks and numerically critical paths.
package nn
