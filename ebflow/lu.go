package ebflow

import (
	"fmt"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"

	"github.com/boltzflow/boltzflow/nn"
)

// LU is a dense, unconditional linear layer y = x·Wᵀ + b with W = P·L·U (a linear layer: its Jacobian W does
// not depend on x). P is a fixed permutation, L unit lower triangular (its strict lower part is the parameter
// Lower), U upper triangular with strict upper part Upper and a positive diagonal exp(LogDiag), so that
//
//	log|det W| = Σ LogDiag   exactly, with no sign flips or log 0 (meow.md §9 item 10).
//
// The density direction x = (y − b)·W⁻ᵀ is differentiable: W⁻¹ is computed numerically (d³, no gradient) and
// used in x = x₀ + ((y − b) − x₀·Wᵀ)·W⁻ᵀ, whose value is x₀ = (y − b)·W⁻ᵀ and whose first derivatives are
// those of the exact inverse.
type LU[F nn.Float] struct {
	D                     int
	Perm                  []int // y_i gets row Perm[i] of L·U
	Lower, Upper, LogDiag *nn.Param[F]
	Bias                  *nn.Param[F]

	lmask, umask, eye []F // constant masks [d, d]
	perm              []F // permutation matrix [d, d]
	params            []*nn.Param[F]
}

// NewLU returns an LU layer on R^d named name, with a random permutation, strict triangular parts drawn from
// U(−scale, scale), LogDiag and Bias zero (scale 0 gives a permutation matrix).
func NewLU[F nn.Float](name string, d int, scale float64, rng *rand.Rand) *LU[F] {
	l := &LU[F]{
		D:       d,
		Perm:    rng.Perm(d),
		Lower:   nn.NewParam[F](name+".lower", d, d),
		Upper:   nn.NewParam[F](name+".upper", d, d),
		LogDiag: nn.NewParam[F](name+".logdiag", d),
		Bias:    nn.NewParam[F](name+".bias", d),
		lmask:   make([]F, d*d), umask: make([]F, d*d), eye: make([]F, d*d), perm: make([]F, d*d),
	}
	for i := 0; i < d; i++ {
		for j := 0; j < d; j++ {
			switch {
			case j < i:
				l.lmask[i*d+j] = 1
				l.Lower.Data[i*d+j] = F(scale * (2*rng.Float64() - 1))
			case j > i:
				l.umask[i*d+j] = 1
				l.Upper.Data[i*d+j] = F(scale * (2*rng.Float64() - 1))
			default:
				l.eye[i*d+j] = 1
			}
		}
		l.perm[i*d+l.Perm[i]] = 1
	}
	l.params = []*nn.Param[F]{l.Lower, l.Upper, l.LogDiag, l.Bias}
	return l
}

// Weight returns W = P·L·U ([d, d]) on the tape.
func (l *LU[F]) Weight(tp *nn.Tape[F]) *nn.Tensor[F] {
	d := l.D
	eye := tp.Const(l.eye, d, d)
	lo := tp.Add(tp.Mul(l.Lower.Tensor, tp.Const(l.lmask, d, d)), eye)
	diag := tp.Mul(tp.Reshape(tp.Exp(l.LogDiag.Tensor), 1, d), eye)
	up := tp.Add(tp.Mul(l.Upper.Tensor, tp.Const(l.umask, d, d)), diag)
	return tp.MatMul(tp.Const(l.perm, d, d), tp.MatMul(lo, up, false, false), false, false)
}

func (l *LU[F]) check(x *nn.Tensor[F]) int {
	if x.Rank() != 2 || x.Dim(1) != l.D {
		panic(fmt.Sprintf("ebflow: LU: data shape %v, want [n, %d]", x.Shape(), l.D))
	}
	return x.Dim(0)
}

func (l *LU[F]) logDet(tp *nn.Tape[F], n int, sign float64) *nn.Tensor[F] {
	return tp.Add(tp.New(n), tp.Scale(tp.Sum(l.LogDiag.Tensor), sign))
}

// Forward implements Layer (sampling direction): y = x·Wᵀ + b, log-det Σ LogDiag.
func (l *LU[F]) Forward(tp *nn.Tape[F], x, s *nn.Tensor[F]) (*nn.Tensor[F], *nn.Tensor[F]) {
	n := l.check(x)
	return tp.Linear(x, l.Weight(tp), l.Bias.Tensor), l.logDet(tp, n, 1)
}

// Inverse implements Layer (density direction): x = (y − b)·W⁻ᵀ, log-det −Σ LogDiag.
func (l *LU[F]) Inverse(tp *nn.Tape[F], y, s *nn.Tensor[F]) (*nn.Tensor[F], *nn.Tensor[F]) {
	n := l.check(y)
	d := l.D
	w := l.Weight(tp)
	var wd, wi mat.Dense
	wd.ReuseAs(d, d)
	for i := 0; i < d; i++ {
		for j := 0; j < d; j++ {
			wd.Set(i, j, float64(w.Data[i*d+j]))
		}
	}
	if err := wi.Inverse(&wd); err != nil {
		// W = P·L·U with a positive diagonal is never singular; a failure means non-finite parameters.
		panic(fmt.Sprintf("ebflow: LU: cannot invert W: %v", err))
	}
	minv := tp.New(d, d)
	for i := 0; i < d; i++ {
		for j := 0; j < d; j++ {
			minv.Data[i*d+j] = F(wi.At(i, j))
		}
	}
	yb := tp.Sub(y, l.Bias.Tensor)
	x0 := tp.Linear(tp.Const(yb.Data, n, d), minv, nil) // value only
	r := tp.Sub(yb, tp.Linear(x0, w, nil))
	return tp.Add(x0, tp.Linear(r, minv, nil)), l.logDet(tp, n, -1)
}

// InverseLogDet implements LinearLayer: −Σ LogDiag for every row ([n]).
func (l *LU[F]) InverseLogDet(tp *nn.Tape[F], s *nn.Tensor[F], n int) *nn.Tensor[F] {
	return l.logDet(tp, n, -1)
}

// IsLinear returns true.
func (l *LU[F]) IsLinear() bool { return true }

// Params returns Lower, Upper, LogDiag and Bias.
func (l *LU[F]) Params() []*nn.Param[F] { return l.params }
