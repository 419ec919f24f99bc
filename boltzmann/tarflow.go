package boltzmann

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/boltzflow/boltzflow/nn"
)

// TarFlowConfig describes a TarFlow over the coordinates of N atoms
// (sbg.md §3).
type TarFlowConfig struct {
	// Atoms is the number N of atoms; the flow's dimension is D = 3N.
	Atoms int `json:"atoms"`
	// Channels is the number of channels per token: 3 (one token per atom,
	// channels x, y, z) or 1 (3N scalar tokens atom0.x, atom0.y, …).
	Channels int `json:"channels"`
	// Width is the transformer width C; Heads divides it (0 means
	// max(1, C/64), head dimension 64 as in SBG).
	Width int `json:"width"`
	Heads int `json:"heads"`
	// Blocks is the number K of flow blocks (even blocks keep the token
	// order, odd blocks reverse it); Layers the number L of causal pre-LN
	// transformer layers per block.
	Blocks int `json:"blocks"`
	Layers int `json:"layers"`
	// SoftClamp, if positive, bounds the log-scale as a ← s·tanh(a/s);
	// 0 (the SBG default) applies no clamp.
	SoftClamp float64 `json:"soft_clamp"`
}

// Dim returns the flow dimension D = 3N.
func (c TarFlowConfig) Dim() int { return 3 * c.Atoms }

// Tokens returns the number of tokens T = 3N / Channels.
func (c TarFlowConfig) Tokens() int { return 3 * c.Atoms / c.Channels }

// NumHeads returns the number of attention heads.
func (c TarFlowConfig) NumHeads() int {
	if c.Heads > 0 {
		return c.Heads
	}
	return max(1, c.Width/64)
}

// Validate reports an invalid configuration.
func (c TarFlowConfig) Validate() error {
	switch {
	case c.Atoms < 1:
		return fmt.Errorf("boltzmann: TarFlow: %d atoms", c.Atoms)
	case c.Channels != 1 && c.Channels != 3:
		return fmt.Errorf("boltzmann: TarFlow: %d channels (want 1 or 3)", c.Channels)
	case c.Tokens() < 2:
		return fmt.Errorf("boltzmann: TarFlow: %d tokens (want at least 2)", c.Tokens())
	case c.Width < 1 || c.Blocks < 1 || c.Layers < 0:
		return fmt.Errorf("boltzmann: TarFlow: width %d, blocks %d, layers %d", c.Width, c.Blocks, c.Layers)
	case c.Width%c.NumHeads() != 0:
		return fmt.Errorf("boltzmann: TarFlow: width %d not divisible by %d heads", c.Width, c.NumHeads())
	case c.SoftClamp < 0:
		return fmt.Errorf("boltzmann: TarFlow: negative soft clamp %g", c.SoftClamp)
	}
	return nil
}

// tarBlock is one autoregressive affine flow block.
type tarBlock[F nn.Float] struct {
	reverse bool
	in      *nn.Linear[F] // Cin → C
	pos     *nn.Param[F]  // [T, C]
	layers  []*nn.TransformerBlock[F]
	out     *nn.Linear[F] // C → 2·Cin, weight zero-initialised
}

// token returns the token at position i of the block's order over t tokens.
func (b *tarBlock[F]) token(i, t int) int {
	if b.reverse {
		return t - 1 - i
	}
	return i
}

// TarFlow is a transformer autoregressive normalising flow (Zhai et al.
// 2025) as used by SBG: K blocks, each an affine autoregressive transform
// z_i = (u_i − m_i)·exp(−a_i) whose shift m_i and log-scale a_i come from a
// causal transformer over the previous tokens (outputs shifted right, so the
// first token passes unchanged), alternating the token order. The base
// density is the standard normal on all D = 3N dimensions. Coordinates are
// flat rows of length D in the atom-major layout.
type TarFlow[F nn.Float] struct {
	Config TarFlowConfig
	// PriorStd is the standard deviation τ of the base density 𝒩(0, τ²I)
	// used by LogProb and Sampler.Sample (0 means 1, the trained flow).
	// A τ below 1 gives a "colder" proposal (latent temperature τ²) that
	// concentrates on the flow's modes; its density stays exact,
	// log q_τ(x) = log 𝒩(f(x); 0, τ²I) + log|det ∂f/∂x|, so importance
	// weights against it are unbiased. Training ignores it (Loss uses τ = 1).
	PriorStd float64
	blocks   []*tarBlock[F]
	params   []*nn.Param[F]
	rev      []int // reversed token order
}

// NewTarFlow returns a TarFlow with the SBG initialisation: PyTorch-default
// linear layers, positional embeddings from 𝒩(0, 0.01²), and output
// projections with zero weight (default bias). It panics on an invalid
// configuration (see Validate).
func NewTarFlow[F nn.Float](cfg TarFlowConfig, rng *rand.Rand) *TarFlow[F] {
	if err := cfg.Validate(); err != nil {
		panic(err)
	}
	f := &TarFlow[F]{Config: cfg}
	t, c, cin := cfg.Tokens(), cfg.Width, cfg.Channels
	f.rev = make([]int, t)
	for i := range f.rev {
		f.rev[i] = t - 1 - i
	}
	for k := 0; k < cfg.Blocks; k++ {
		name := fmt.Sprintf("block%d", k)
		b := &tarBlock[F]{reverse: k%2 == 1}
		b.in = nn.NewLinear[F](name+".in", cin, c, nn.Init{}, rng)
		b.pos = nn.NewParam[F](name+".pos", t, c)
		for i := range b.pos.Data {
			b.pos.Data[i] = F(0.01 * rng.NormFloat64())
		}
		for l := 0; l < cfg.Layers; l++ {
			b.layers = append(b.layers, nn.NewTransformerBlock[F](fmt.Sprintf("%s.layer%d", name, l), nn.BlockConfig{
				Dim: c, Heads: cfg.NumHeads(), Hidden: 4 * c, Activation: nn.ActGELU, Causal: true,
			}, rng))
		}
		b.out = nn.NewLinear[F](name+".out", c, 2*cin, nn.Init{}, rng)
		for i := range b.out.W.Data {
			b.out.W.Data[i] = 0
		}
		f.params = append(f.params, b.in.Params()...)
		f.params = append(f.params, b.pos)
		for _, l := range b.layers {
			f.params = append(f.params, l.Params()...)
		}
		f.params = append(f.params, b.out.Params()...)
		f.blocks = append(f.blocks, b)
	}
	return f
}

// Params returns the flow's parameters in a fixed order.
func (f *TarFlow[F]) Params() []*nn.Param[F] { return f.params }

// Clone returns an independent copy of the flow with the same parameters.
func (f *TarFlow[F]) Clone() *TarFlow[F] {
	g := NewTarFlow[F](f.Config, rand.New(rand.NewPCG(0, 0)))
	nn.CopyParams(g.params, f.params)
	g.PriorStd = f.PriorStd
	return g
}

// Deepen returns a copy of the flow with layers causal transformer layers
// per block, at least the current Config.Layers (Grow with the flow's own
// number of blocks).
func (f *TarFlow[F]) Deepen(layers int, rng *rand.Rand) (*TarFlow[F], error) {
	return f.Grow(f.Config.Blocks, layers, rng)
}

// Grow returns a copy of the flow with blocks flow blocks of layers causal
// transformer layers each, at least the current Config.Blocks and
// Config.Layers. Every old block keeps its layers, embeddings and
// projections and gains new layers after its last one; new blocks follow
// the old ones on the latent side, continuing the alternation of token
// orders. A new layer's attention-output and second feed-forward projections
// (weights and biases) are zero, which makes a pre-LN layer the identity; a
// new block's output projection (weight and bias) is zero, which makes the
// block the identity with log-determinant 0. The grown flow therefore has
// exactly the density of f, and training from it uses the extra capacity.
// The other weights of new layers and blocks are drawn from rng as in
// NewTarFlow. f is not modified.
func (f *TarFlow[F]) Grow(blocks, layers int, rng *rand.Rand) (*TarFlow[F], error) {
	oldK, oldL := f.Config.Blocks, f.Config.Layers
	if layers < oldL {
		return nil, fmt.Errorf("boltzmann: TarFlow: %d layers per block, fewer than the flow's %d", layers, oldL)
	}
	if blocks < oldK {
		return nil, fmt.Errorf("boltzmann: TarFlow: %d blocks, fewer than the flow's %d", blocks, oldK)
	}
	cfg := f.Config
	cfg.Blocks, cfg.Layers = blocks, layers
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	g := NewTarFlow[F](cfg, rng)
	for k, b := range g.blocks {
		if k >= oldK {
			// The new block's shift and log-scale are 0: z = u.
			clearParams(b.out.Params())
			continue
		}
		fb := f.blocks[k]
		nn.CopyParams(b.in.Params(), fb.in.Params())
		copy(b.pos.Data, fb.pos.Data)
		nn.CopyParams(b.out.Params(), fb.out.Params())
		for l, layer := range b.layers {
			if l < oldL {
				nn.CopyParams(layer.Params(), fb.layers[l].Params())
				continue
			}
			clearParams([]*nn.Param[F]{layer.Wo.W, layer.Wo.B, layer.FF2.W, layer.FF2.B})
		}
	}
	return g, nil
}

// clearParams sets every value of ps to zero.
func clearParams[F nn.Float](ps []*nn.Param[F]) {
	for _, p := range ps {
		clear(p.Data)
	}
}

func (f *TarFlow[F]) clamp(tp *nn.Tape[F], a *nn.Tensor[F]) *nn.Tensor[F] {
	s := f.Config.SoftClamp
	if s <= 0 {
		return a
	}
	return tp.Scale(tp.Tanh(tp.Scale(a, 1/s)), s)
}

// Forward maps x [B, D] to z [B, D] in one parallel pass and returns z and
// log|det ∂z/∂x| [B] (a sum over dimensions).
func (f *TarFlow[F]) Forward(tp *nn.Tape[F], x *nn.Tensor[F]) (z, logdet *nn.Tensor[F]) {
	cfg := f.Config
	if x.Rank() != 2 || x.Dim(1) != cfg.Dim() {
		panic(fmt.Sprintf("boltzmann: TarFlow.Forward: input %v, want [B, %d]", x.Shape(), cfg.Dim()))
	}
	bs, t, cin := x.Dim(0), cfg.Tokens(), cfg.Channels
	u := tp.Reshape(x, bs, t, cin)
	zeros := tp.New(bs, 1, 2*cin)
	for _, b := range f.blocks {
		pe := b.pos.Tensor
		if b.reverse {
			u = tp.Gather(u, 1, f.rev)
			pe = tp.Gather(pe, 0, f.rev)
		}
		h := tp.Add(b.in.Forward(tp, u), pe)
		for _, l := range b.layers {
			h = l.Forward(tp, h)
		}
		o := b.out.Forward(tp, h)
		o = tp.Concat(1, zeros, tp.Slice(o, 1, 0, t-1))
		am := tp.Split(o, 2, cin, cin)
		a := f.clamp(tp, am[0])
		zk := tp.Mul(tp.Sub(u, am[1]), tp.Exp(tp.Neg(a)))
		s := tp.SumAxis(tp.Reshape(a, bs, t*cin), 1)
		if logdet == nil {
			logdet = tp.Neg(s)
		} else {
			logdet = tp.Sub(logdet, s)
		}
		if b.reverse {
			zk = tp.Gather(zk, 1, f.rev)
		}
		u = zk
	}
	return tp.Reshape(u, bs, cfg.Dim()), logdet
}

// LogProb returns log q(x) [B] for x [B, D]: log 𝒩(z; 0, τ²I) +
// log|det ∂z/∂x| with τ = PriorStd.
func (f *TarFlow[F]) LogProb(tp *nn.Tape[F], x *nn.Tensor[F]) *nn.Tensor[F] {
	return f.logProb(tp, x, f.priorStd())
}

// logProb returns log q(x) [B] under the base density 𝒩(0, τ²I).
func (f *TarFlow[F]) logProb(tp *nn.Tape[F], x *nn.Tensor[F], tau float64) *nn.Tensor[F] {
	z, ld := f.Forward(tp, x)
	if tau == 1 {
		return tp.Add(tp.GaussianLogDensity(z, nil, nil), ld)
	}
	// log 𝒩(z; 0, τ²I) = log 𝒩(z/τ; 0, I) − D·log τ.
	lp := tp.AddScalar(tp.GaussianLogDensity(tp.Scale(z, 1/tau), nil, nil), -float64(f.Config.Dim())*math.Log(tau))
	return tp.Add(lp, ld)
}

// priorStd returns τ (PriorStd, or 1 when it is 0).
func (f *TarFlow[F]) priorStd() float64 {
	if f.PriorStd == 0 {
		return 1
	}
	return f.PriorStd
}

// Loss returns the training loss, the mean over the batch of −log q(x)/D
// (a scalar), for x [B, D], always under the standard-normal base (τ = 1).
func (f *TarFlow[F]) Loss(tp *nn.Tape[F], x *nn.Tensor[F]) *nn.Tensor[F] {
	return tp.Scale(tp.Mean(f.logProb(tp, x, 1)), -1/float64(f.Config.Dim()))
}

// Sampler inverts a TarFlow token by token with one KV cache per layer, for a
// fixed batch size. It is not safe for concurrent use.
type Sampler[F nn.Float] struct {
	flow   *TarFlow[F]
	batch  int
	tp     *nn.Tape[F]
	caches [][]*nn.KVCache[F]
	v, w   []F // [B, T, Cin] current block's tokens, and scratch
	tok    []F // [B, Cin]
	ld     []float64
}

// NewSampler returns a sampler for batches of batch samples.
func (f *TarFlow[F]) NewSampler(batch int) *Sampler[F] {
	s := &Sampler[F]{flow: f, batch: batch, tp: nn.NewTape[F](nil)}
	s.tp.NoGrad = true
	t := f.Config.Tokens()
	for _, b := range f.blocks {
		cs := make([]*nn.KVCache[F], len(b.layers))
		for l, layer := range b.layers {
			cs[l] = layer.NewCache(batch, t)
		}
		s.caches = append(s.caches, cs)
	}
	d := f.Config.Dim()
	s.v = make([]F, batch*d)
	s.w = make([]F, batch*d)
	s.tok = make([]F, batch*f.Config.Channels)
	s.ld = make([]float64, batch)
	return s
}

// Batch returns the sampler's batch size.
func (s *Sampler[F]) Batch() int { return s.batch }

// Inverse maps z [B, D] (flat, row-major) to x = f⁻¹(z), written to dst
// [B, D], and adds log|det ∂x/∂z| of each sample to logdet[b] (length B).
// dst may alias z.
func (s *Sampler[F]) Inverse(dst, z []F, logdet []float64) {
	f := s.flow
	cfg := f.Config
	bs, t, cin, c, d := s.batch, cfg.Tokens(), cfg.Channels, cfg.Width, cfg.Dim()
	if len(z) != bs*d || len(dst) != bs*d || len(logdet) != bs {
		panic(fmt.Sprintf("boltzmann: Sampler.Inverse: z %d, dst %d, logdet %d values, want %d, %d, %d", len(z), len(dst), len(logdet), bs*d, bs*d, bs))
	}
	cur := s.w
	copy(cur, z)
	clamp := cfg.SoftClamp
	for k := len(f.blocks) - 1; k >= 0; k-- {
		b := f.blocks[k]
		perm := func(i int) int { return b.token(i, t) }
		// v[b, i] = cur[b, P(i)].
		for r := 0; r < bs; r++ {
			for i := 0; i < t; i++ {
				copy(s.v[(r*t+i)*cin:(r*t+i+1)*cin], cur[(r*t+perm(i))*cin:(r*t+perm(i)+1)*cin])
			}
		}
		for _, cache := range s.caches[k] {
			cache.Reset()
		}
		for i := 0; i < t-1; i++ {
			s.tp.Reset()
			for r := 0; r < bs; r++ {
				copy(s.tok[r*cin:(r+1)*cin], s.v[(r*t+i)*cin:(r*t+i+1)*cin])
			}
			p := perm(i)
			h := b.in.Forward(s.tp, s.tp.Const(s.tok, bs, cin))
			h = s.tp.Add(h, s.tp.Const(b.pos.Data[p*c:(p+1)*c], c))
			for l, layer := range b.layers {
				h = layer.ForwardCached(s.tp, s.caches[k][l], h)
			}
			o := b.out.Forward(s.tp, h).Data // [B, 2·Cin]
			for r := 0; r < bs; r++ {
				for ch := 0; ch < cin; ch++ {
					a := float64(o[r*2*cin+ch])
					if clamp > 0 {
						a = clamp * math.Tanh(a/clamp)
					}
					m := float64(o[r*2*cin+cin+ch])
					idx := (r*t+i+1)*cin + ch
					s.v[idx] = F(float64(s.v[idx])*math.Exp(a) + m)
					logdet[r] += a
				}
			}
		}
		for r := 0; r < bs; r++ {
			for i := 0; i < t; i++ {
				copy(cur[(r*t+perm(i))*cin:(r*t+perm(i)+1)*cin], s.v[(r*t+i)*cin:(r*t+i+1)*cin])
			}
		}
	}
	copy(dst, cur)
}

// Sample draws z ~ 𝒩(0, τ²I) (τ = the flow's PriorStd) for each of the B
// rows of dst [B, D] (flat), maps it through the inverse flow and writes
// log q(x) of each sample to logq (log 𝒩(z; 0, τ²I) − log|det ∂x/∂z|).
func (s *Sampler[F]) Sample(rng *rand.Rand, dst []F, logq []float64) {
	d := s.flow.Config.Dim()
	tau := s.flow.priorStd()
	for r := 0; r < s.batch; r++ {
		ss := 0.0
		for j := 0; j < d; j++ {
			v := rng.NormFloat64()
			dst[r*d+j] = F(tau * v)
			ss += v * v
		}
		logq[r] = -0.5*ss - 0.5*float64(d)*math.Log(2*math.Pi) - float64(d)*math.Log(tau)
	}
	for r := range s.ld {
		s.ld[r] = 0
	}
	s.Inverse(dst, dst, s.ld)
	for r := range logq {
		logq[r] -= s.ld[r]
	}
}

// InversionStats summarises a re-encoding check: x → z = f(x) → f⁻¹(z)
// compared with x.
type InversionStats struct {
	// MSE, MaxAbs and MeanAbs are the mean squared, largest and mean
	// absolute coordinate errors; Over1e2 and Over1e3 count coordinates with
	// an absolute error above 0.01 and 0.001.
	MSE, MaxAbs, MeanAbs float64
	Over1e2, Over1e3     int
}

// ReencodeError encodes the B samples x [B, D] (flat) with one forward pass,
// decodes them again with the sequential inverse and reports the
// reconstruction error (the check of sbg.md §3.3).
func ReencodeError[F nn.Float](f *TarFlow[F], x []F, batch int) InversionStats {
	d := f.Config.Dim()
	tp := nn.NewTape[F](nil)
	tp.NoGrad = true
	z, _ := f.Forward(tp, tp.Const(x, batch, d))
	back := make([]F, batch*d)
	ld := make([]float64, batch)
	f.NewSampler(batch).Inverse(back, z.Data, ld)
	var st InversionStats
	for i := range back {
		e := math.Abs(float64(back[i]) - float64(x[i]))
		st.MSE += e * e
		st.MeanAbs += e
		st.MaxAbs = math.Max(st.MaxAbs, e)
		if e > 1e-2 {
			st.Over1e2++
		}
		if e > 1e-3 {
			st.Over1e3++
		}
	}
	st.MSE /= float64(len(back))
	st.MeanAbs /= float64(len(back))
	return st
}

// InverseTape maps z [B, D] to x = f⁻¹(z) [B, D] with the sequential inverse
// of Sampler.Inverse, but records every step on tp (one token at a time,
// attending over the keys and values of the earlier tokens with
// nn.TransformerBlock.ForwardStep), so that gradients flow from x to z and to
// the flow's parameters along the sample path: the reparameterised gradient
// of an expectation over samples, as reverse-KL training needs. It returns x
// and log|det ∂x/∂z| [B]. Its forward pass does the work of Sampler.Inverse
// plus the tape's bookkeeping; the backward pass about twice that.
func (f *TarFlow[F]) InverseTape(tp *nn.Tape[F], z *nn.Tensor[F]) (x, logdet *nn.Tensor[F]) {
	cfg := f.Config
	if z.Rank() != 2 || z.Dim(1) != cfg.Dim() {
		panic(fmt.Sprintf("boltzmann: TarFlow.InverseTape: input %v, want [B, %d]", z.Shape(), cfg.Dim()))
	}
	bs, t, cin, c := z.Dim(0), cfg.Tokens(), cfg.Channels, cfg.Width
	z3 := tp.Reshape(z, bs, t, cin)
	cur := make([]*nn.Tensor[F], t) // tokens [B, Cin] in the natural order
	for i := range cur {
		cur[i] = tp.Reshape(tp.Slice(z3, 1, i, i+1), bs, cin)
	}
	var ks, vs [][]*nn.Tensor[F]
	for k := len(f.blocks) - 1; k >= 0; k-- {
		b := f.blocks[k]
		perm := func(i int) int { return b.token(i, t) }
		for len(ks) < len(b.layers) {
			ks, vs = append(ks, nil), append(vs, nil)
		}
		for l := range b.layers {
			ks[l], vs[l] = ks[l][:0], vs[l][:0]
		}
		next := make([]*nn.Tensor[F], t)
		v := cur[perm(0)]
		next[perm(0)] = v
		for i := 0; i < t-1; i++ {
			p := perm(i)
			h := tp.Add(b.in.Forward(tp, v), tp.Reshape(tp.Slice(b.pos.Tensor, 0, p, p+1), c))
			for l, layer := range b.layers {
				h = layer.ForwardStep(tp, &ks[l], &vs[l], h)
			}
			am := tp.Split(b.out.Forward(tp, h), 1, cin, cin) // [B, Cin] each
			a := f.clamp(tp, am[0])
			q := perm(i + 1)
			v = tp.Add(tp.Mul(cur[q], tp.Exp(a)), am[1])
			next[q] = v
			s := tp.SumAxis(a, 1)
			if logdet == nil {
				logdet = s
			} else {
				logdet = tp.Add(logdet, s)
			}
		}
		cur = next
	}
	return tp.Concat(1, cur...), logdet
}
