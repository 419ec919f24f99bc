package ebflow

import (
	"fmt"

	"github.com/boltzflow/boltzflow/nn"
)

// Net is a conditioner network mapping a batch [n, in] to [n, out] on a tape, such as an nn MLP.
type Net[F nn.Float] interface {
	Forward(tp *nn.Tape[F], x *nn.Tensor[F]) *nn.Tensor[F]
	Params() []*nn.Param[F]
}

// AlternatingMask returns a d-vector mask with 1 at even indices and 0 at odd ones (parity 0), or the
// complement (parity 1) — the masks m and 1−m of meow.md §5.2.
func AlternatingMask[F nn.Float](d, parity int) []F {
	m := make([]F, d)
	for i := range m {
		if (i+parity)%2 == 0 {
			m[i] = 1
		}
	}
	return m
}

// coupling holds what both coupling layers share: the mask m (1 = passed through unchanged and fed to the
// conditioner) and its complement.
type coupling[F nn.Float] struct {
	mask, comp []F
}

func newCoupling[F nn.Float](mask []F) coupling[F] {
	c := coupling[F]{mask: append([]F(nil), mask...), comp: make([]F, len(mask))}
	for i, v := range mask {
		if v != 0 && v != 1 {
			panic(fmt.Sprintf("ebflow: coupling mask entry %d is %v, want 0 or 1", i, v))
		}
		c.comp[i] = 1 - v
	}
	return c
}

// condInput returns concat(m ⊙ x, s) ([n, d + c]), or m ⊙ x when s is nil.
func (c *coupling[F]) condInput(tp *nn.Tape[F], x, s *nn.Tensor[F]) *nn.Tensor[F] {
	if x.Rank() != 2 || x.Dim(1) != len(c.mask) {
		panic(fmt.Sprintf("ebflow: coupling: data shape %v, mask length %d", x.Shape(), len(c.mask)))
	}
	mx := tp.Mul(x, tp.Const(c.mask, len(c.mask)))
	if s == nil {
		return mx
	}
	return tp.Concat(1, mx, s)
}

// AdditiveCoupling is a NICE additive coupling layer (non-linear, volume preserving):
//
//	y = m⊙x + (1−m)⊙(x + t(m⊙x, s)),   x = m⊙y + (1−m)⊙(y − t(m⊙y, s)),   log|det| = 0,
//
// where the translation network T maps concat(m⊙x, s) ([n, d + c]) to [n, d]; only its (1−m) entries are used.
type AdditiveCoupling[F nn.Float] struct {
	coupling[F]
	T Net[F]
}

// NewAdditiveCoupling returns an additive coupling layer with the 0/1 mask (length d) and translation net t.
func NewAdditiveCoupling[F nn.Float](mask []F, t Net[F]) *AdditiveCoupling[F] {
	return &AdditiveCoupling[F]{coupling: newCoupling(mask), T: t}
}

func (l *AdditiveCoupling[F]) shift(tp *nn.Tape[F], x, s *nn.Tensor[F]) *nn.Tensor[F] {
	return tp.Mul(l.T.Forward(tp, l.condInput(tp, x, s)), tp.Const(l.comp, len(l.comp)))
}

// Forward implements Layer (sampling direction). The log-det is nil (zero).
func (l *AdditiveCoupling[F]) Forward(tp *nn.Tape[F], x, s *nn.Tensor[F]) (*nn.Tensor[F], *nn.Tensor[F]) {
	return tp.Add(x, l.shift(tp, x, s)), nil
}

// Inverse implements Layer (density direction). The log-det is nil (zero).
func (l *AdditiveCoupling[F]) Inverse(tp *nn.Tape[F], y, s *nn.Tensor[F]) (*nn.Tensor[F], *nn.Tensor[F]) {
	return tp.Sub(y, l.shift(tp, y, s)), nil
}

// IsLinear returns false.
func (l *AdditiveCoupling[F]) IsLinear() bool { return false }

// Params returns the translation net's parameters.
func (l *AdditiveCoupling[F]) Params() []*nn.Param[F] { return l.T.Params() }

// AffineCoupling is an affine coupling layer (non-linear):
//
//	y = m⊙x + (1−m)⊙(x⊙exp(h) + t),   h = B·tanh(r/B),   log|det ∂y/∂x| = Σ (1−m)⊙h,
//
// where the network N maps concat(m⊙x, s) ([n, d + c]) to [n, 2d]: columns [0, d) are the translation t and
// [d, 2d) the raw log-scale r, soft-bounded to (−B, B) by tanh. Only the (1−m) entries are used.
type AffineCoupling[F nn.Float] struct {
	coupling[F]
	N     Net[F]
	Bound float64 // B > 0, bound of the log-scale
}

// NewAffineCoupling returns an affine coupling layer with the 0/1 mask (length d), network n ([n, d+c] →
// [n, 2d]) and log-scale bound (e.g. 2).
func NewAffineCoupling[F nn.Float](mask []F, n Net[F], bound float64) *AffineCoupling[F] {
	if !(bound > 0) {
		panic(fmt.Sprintf("ebflow: NewAffineCoupling: bound %v, want > 0", bound))
	}
	return &AffineCoupling[F]{coupling: newCoupling(mask), N: n, Bound: bound}
}

// params returns the masked translation t and log-scale h ([n, d] each) and Σh ([n]).
func (l *AffineCoupling[F]) params(tp *nn.Tape[F], x, s *nn.Tensor[F]) (t, h, sumH *nn.Tensor[F]) {
	d := len(l.mask)
	out := l.N.Forward(tp, l.condInput(tp, x, s))
	if out.Rank() != 2 || out.Dim(1) != 2*d {
		panic(fmt.Sprintf("ebflow: AffineCoupling: network output %v, want [n, %d]", out.Shape(), 2*d))
	}
	parts := tp.Split(out, 1, d, d)
	comp := tp.Const(l.comp, d)
	t = tp.Mul(parts[0], comp)
	h = tp.Mul(tp.Scale(tp.Tanh(tp.Scale(parts[1], 1/l.Bound)), l.Bound), comp)
	return t, h, tp.SumAxis(h, 1)
}

// Forward implements Layer (sampling direction).
func (l *AffineCoupling[F]) Forward(tp *nn.Tape[F], x, s *nn.Tensor[F]) (*nn.Tensor[F], *nn.Tensor[F]) {
	t, h, sh := l.params(tp, x, s)
	return tp.Add(tp.Mul(x, tp.Exp(h)), t), sh
}

// Inverse implements Layer (density direction).
func (l *AffineCoupling[F]) Inverse(tp *nn.Tape[F], y, s *nn.Tensor[F]) (*nn.Tensor[F], *nn.Tensor[F]) {
	t, h, sh := l.params(tp, y, s)
	return tp.Mul(tp.Sub(y, t), tp.Exp(tp.Neg(h))), tp.Neg(sh)
}

// IsLinear returns false.
func (l *AffineCoupling[F]) IsLinear() bool { return false }

// Params returns the network's parameters.
func (l *AffineCoupling[F]) Params() []*nn.Param[F] { return l.N.Params() }

// Scale is the state-conditioned element-wise scaling y = σ(s) ⊙ x, a linear layer (its Jacobian diag σ(s)
// does not depend on x), with
//
//	log σ(s) = ℓmin + ½(ℓmax − ℓmin)(tanh(h(s)) + 1) ∈ [ℓmin, ℓmax],
//
// h a network of the context ([n, c] → [n, d]). log|det ∂y/∂x| = Σ log σ(s). It is MEow's only linear layer:
// equivalent to a prior N(0, diag σ(s)²).
type Scale[F nn.Float] struct {
	H              Net[F]
	LogMin, LogMax float64
}

// NewScale returns a Scale layer with context network h and the bounds [logMin, logMax] of log σ.
func NewScale[F nn.Float](h Net[F], logMin, logMax float64) *Scale[F] {
	if !(logMin < logMax) {
		panic(fmt.Sprintf("ebflow: NewScale: log σ range [%v, %v] is empty", logMin, logMax))
	}
	return &Scale[F]{H: h, LogMin: logMin, LogMax: logMax}
}

// LogSigma returns log σ(s) ([n, d]).
func (l *Scale[F]) LogSigma(tp *nn.Tape[F], s *nn.Tensor[F]) *nn.Tensor[F] {
	if s == nil {
		panic("ebflow: Scale needs a context")
	}
	half := 0.5 * (l.LogMax - l.LogMin)
	return tp.AddScalar(tp.Scale(tp.Tanh(l.H.Forward(tp, s)), half), l.LogMin+half)
}

// Forward implements Layer (sampling direction): y = σ(s)⊙x, log-det Σ log σ(s).
func (l *Scale[F]) Forward(tp *nn.Tape[F], x, s *nn.Tensor[F]) (*nn.Tensor[F], *nn.Tensor[F]) {
	ls := l.LogSigma(tp, s)
	return tp.Mul(x, tp.Exp(ls)), tp.SumAxis(ls, 1)
}

// Inverse implements Layer (density direction): x = y/σ(s), log-det −Σ log σ(s).
func (l *Scale[F]) Inverse(tp *nn.Tape[F], y, s *nn.Tensor[F]) (*nn.Tensor[F], *nn.Tensor[F]) {
	ls := l.LogSigma(tp, s)
	return tp.Mul(y, tp.Exp(tp.Neg(ls))), tp.Neg(tp.SumAxis(ls, 1))
}

// InverseLogDet implements LinearLayer: −Σ log σ(s) ([n]).
func (l *Scale[F]) InverseLogDet(tp *nn.Tape[F], s *nn.Tensor[F], n int) *nn.Tensor[F] {
	return tp.Neg(tp.SumAxis(l.LogSigma(tp, s), 1))
}

// IsLinear returns true.
func (l *Scale[F]) IsLinear() bool { return true }

// Params returns the context network's parameters.
func (l *Scale[F]) Params() []*nn.Param[F] { return l.H.Params() }
