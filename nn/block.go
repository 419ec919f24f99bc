package nn

import (
	"fmt"
	"math/rand/v2"
)

// BlockConfig describes a pre-LN transformer block.
type BlockConfig struct {
	// Dim is the model width D; Heads divides it.
	Dim, Heads int
	// Hidden is the width of the feed-forward layer (typically 4·Dim).
	Hidden int
	// Activation follows the first feed-forward layer (ActGELU or ActReLU).
	Activation Activation
	// Causal restricts attention to past and present positions.
	Causal bool
	// Dropout is applied to the attention and feed-forward outputs before each
	// residual addition in training mode; 0 disables it.
	Dropout float64
}

// TransformerBlock is a pre-LN transformer block:
//
//	h = x + Wo·Attn(LN₁(x))
//	y = h + W₂·act(W₁·LN₂(h))
//
// with separate query, key and value projections Wq, Wk, Wv.
type TransformerBlock[F Float] struct {
	// Config is the block's configuration.
	Config BlockConfig
	// LN1 and LN2 are the (γ, β) [D] of the two LayerNorms.
	LN1, LN2 [2]*Param[F]
	// Wq, Wk, Wv and Wo are the attention projections [D, D].
	Wq, Wk, Wv, Wo *Linear[F]
	// FF1 [Hidden, D] and FF2 [D, Hidden] form the feed-forward network.
	FF1, FF2 *Linear[F]
	params   []*Param[F]
}

// NewTransformerBlock returns a block with PyTorch-default initialised
// linear layers and unit LayerNorms; parameters are named name+".…".
func NewTransformerBlock[F Float](name string, cfg BlockConfig, rng *rand.Rand) *TransformerBlock[F] {
	if cfg.Heads <= 0 || cfg.Dim%cfg.Heads != 0 {
		panic(fmt.Sprintf("nn: NewTransformerBlock: width %d not divisible by %d heads", cfg.Dim, cfg.Heads))
	}
	d := cfg.Dim
	b := &TransformerBlock[F]{Config: cfg}
	ln := func(n string) [2]*Param[F] {
		g := NewParam[F](name+"."+n+".weight", d)
		for i := range g.Data {
			g.Data[i] = 1
		}
		return [2]*Param[F]{g, NewParam[F](name+"."+n+".bias", d)}
	}
	b.LN1 = ln("ln1")
	b.Wq = NewLinear[F](name+".attn.q", d, d, Init{}, rng)
	b.Wk = NewLinear[F](name+".attn.k", d, d, Init{}, rng)
	b.Wv = NewLinear[F](name+".attn.v", d, d, Init{}, rng)
	b.Wo = NewLinear[F](name+".attn.out", d, d, Init{}, rng)
	b.LN2 = ln("ln2")
	b.FF1 = NewLinear[F](name+".ff.0", d, cfg.Hidden, Init{}, rng)
	b.FF2 = NewLinear[F](name+".ff.1", cfg.Hidden, d, Init{}, rng)
	b.params = append(b.params, b.LN1[0], b.LN1[1])
	for _, l := range []*Linear[F]{b.Wq, b.Wk, b.Wv, b.Wo} {
		b.params = append(b.params, l.params...)
	}
	b.params = append(b.params, b.LN2[0], b.LN2[1])
	b.params = append(b.params, b.FF1.params...)
	b.params = append(b.params, b.FF2.params...)
	return b
}

// Params returns the block's parameters in a fixed order.
func (b *TransformerBlock[F]) Params() []*Param[F] { return b.params }

// Forward applies the block to x [B, S, D]; the result is [B, S, D].
func (b *TransformerBlock[F]) Forward(tp *Tape[F], x *Tensor[F]) *Tensor[F] {
	h := tp.LayerNorm(x, b.LN1[0].Tensor, b.LN1[1].Tensor, 1e-5)
	a := tp.Attention(b.Wq.Forward(tp, h), b.Wk.Forward(tp, h), b.Wv.Forward(tp, h), b.Config.Heads, b.Config.Causal)
	x = tp.Add(x, tp.Dropout(b.Wo.Forward(tp, a), b.Config.Dropout))
	return tp.Add(x, tp.Dropout(b.feedForward(tp, x), b.Config.Dropout))
}

func (b *TransformerBlock[F]) feedForward(tp *Tape[F], x *Tensor[F]) *Tensor[F] {
	h := tp.LayerNorm(x, b.LN2[0].Tensor, b.LN2[1].Tensor, 1e-5)
	h = Activate(tp, b.Config.Activation, b.FF1.Forward(tp, h), nil)
	return b.FF2.Forward(tp, h)
}

// NewCache returns a key/value cache for autoregressive decoding of batch
// sequences of up to maxLen tokens with this block.
func (b *TransformerBlock[F]) NewCache(batch, maxLen int) *KVCache[F] {
	return NewKVCache[F](batch, maxLen, b.Config.Dim, b.Config.Heads)
}

// ForwardCached applies the (causal) block to the next token x [B, D] of each
// sequence, attending to the tokens already in cache, and appends the token's
// keys and values to the cache. The result [B, D] equals the corresponding
// position of Forward over the whole sequence (dropout is not applied). Use a
// tape with NoGrad set: no gradient flows through the cache. After warm-up it
// allocates nothing.
func (b *TransformerBlock[F]) ForwardCached(tp *Tape[F], cache *KVCache[F], x *Tensor[F]) *Tensor[F] {
	if x.rank != 2 || x.shape[0] != cache.Batch || x.shape[1] != b.Config.Dim {
		panic(fmt.Sprintf("nn: ForwardCached: input %v does not match cache [%d, %d]", x.Shape(), cache.Batch, b.Config.Dim))
	}
	h := tp.LayerNorm(x, b.LN1[0].Tensor, b.LN1[1].Tensor, 1e-5)
	q, k, v := b.Wq.Forward(tp, h), b.Wk.Forward(tp, h), b.Wv.Forward(tp, h)
	a := tp.newTensor(x.shape, 2)
	cache.Step(a.Data, q.Data, k.Data, v.Data)
	x = tp.Add(x, b.Wo.Forward(tp, a))
	return tp.Add(x, b.feedForward(tp, x))
}

// ForwardStep is the recording counterpart of ForwardCached, for
// differentiable step-by-step decoding: it applies the causal block to the
// next token x [B, D] of each sequence, appends that token's keys and values
// ([B, D] tape tensors) to *ks and *vs, which the caller keeps per block and
// empties for a new sequence, and attends over all of them (AttendStep). The
// result [B, D] equals the corresponding position of Forward over the whole
// sequence (dropout is not applied), and gradients flow through the keys and
// values of earlier positions to the earlier tokens and to the parameters.
func (b *TransformerBlock[F]) ForwardStep(tp *Tape[F], ks, vs *[]*Tensor[F], x *Tensor[F]) *Tensor[F] {
	if x.rank != 2 || x.shape[1] != b.Config.Dim {
		panic(fmt.Sprintf("nn: ForwardStep: input %v, want [B, %d]", x.Shape(), b.Config.Dim))
	}
	h := tp.LayerNorm(x, b.LN1[0].Tensor, b.LN1[1].Tensor, 1e-5)
	*ks = append(*ks, b.Wk.Forward(tp, h))
	*vs = append(*vs, b.Wv.Forward(tp, h))
	a := tp.AttendStep(b.Wq.Forward(tp, h), *ks, *vs, b.Config.Heads)
	x = tp.Add(x, b.Wo.Forward(tp, a))
	return tp.Add(x, b.feedForward(tp, x))
}
