package nn

import (
	"fmt"
	"math/rand/v2"
)

// Tape records operations for reverse-mode differentiation and owns an arena
// from which every forward output, gradient and scratch buffer is taken.
//
// A training step is: Reset, forward operations (methods of Tape), Backward on
// a scalar loss, then an optimiser step. Reset recycles the arena, so after
// the first (warm-up) step a step with the same sequence of shapes performs no
// heap allocation. Tensors returned by a tape are valid until the next Reset.
//
// Gradients flow into every tensor that requires them: parameters (Param),
// user tensors marked with Tensor.RequireGrad, and tape results computed from
// them. Parameter and RequireGrad gradients accumulate across Backward calls
// until zeroed; gradients of intermediate results are fresh each step.
//
// A Tape is not safe for concurrent use; use one tape per goroutine.
type Tape[F Float] struct {
	// Training selects training behaviour (dropout active). Default false.
	Training bool
	// NoGrad disables recording: operations compute values only (inference).
	NoGrad bool
	// Rand is the random source for dropout. It must be set when Training is
	// true and dropout is used.
	Rand *rand.Rand

	recs  []record[F]
	bufs  [][]F
	nbuf  int
	tens  []*Tensor[F]
	ntens int
	lists [][]*Tensor[F]
	nlist int
	attn  []*attnTask[F]
	nattn int
	done  bool
}

// NewTape returns an empty tape using rng for dropout (rng may be nil when no
// dropout is used in training mode).
func NewTape[F Float](rng *rand.Rand) *Tape[F] {
	return &Tape[F]{Rand: rng}
}

// Reset forgets all recorded operations and recycles the arena. Every tensor
// returned by the tape before Reset becomes invalid.
func (tp *Tape[F]) Reset() {
	for i := range tp.recs {
		tp.recs[i] = record[F]{}
	}
	tp.recs = tp.recs[:0]
	tp.nbuf = 0
	tp.ntens = 0
	tp.nlist = 0
	tp.nattn = 0
	tp.done = false
}

// alloc returns an arena buffer of length n with unspecified contents.
func (tp *Tape[F]) alloc(n int) []F {
	if tp.nbuf < len(tp.bufs) {
		b := tp.bufs[tp.nbuf]
		if cap(b) < n {
			b = make([]F, n)
			tp.bufs[tp.nbuf] = b
		}
		tp.nbuf++
		return b[:n]
	}
	b := make([]F, n)
	tp.bufs = append(tp.bufs, b)
	tp.nbuf++
	return b
}

// allocZero returns a zeroed arena buffer of length n.
func (tp *Tape[F]) allocZero(n int) []F {
	b := tp.alloc(n)
	clear(b)
	return b
}

func (tp *Tape[F]) allocList(n int) []*Tensor[F] {
	if tp.nlist < len(tp.lists) {
		b := tp.lists[tp.nlist]
		if cap(b) < n {
			b = make([]*Tensor[F], n)
			tp.lists[tp.nlist] = b
		}
		tp.nlist++
		return b[:n]
	}
	b := make([]*Tensor[F], n)
	tp.lists = append(tp.lists, b)
	tp.nlist++
	return b
}

// newTensor returns an arena tensor of the given shape with unspecified data.
func (tp *Tape[F]) newTensor(shape [MaxRank]int, rank int) *Tensor[F] {
	t := tp.newHeader(shape, rank)
	t.Data = tp.alloc(t.Size())
	return t
}

// newHeader returns an arena tensor header with nil Data.
func (tp *Tape[F]) newHeader(shape [MaxRank]int, rank int) *Tensor[F] {
	var t *Tensor[F]
	if tp.ntens < len(tp.tens) {
		t = tp.tens[tp.ntens]
	} else {
		t = new(Tensor[F])
		tp.tens = append(tp.tens, t)
	}
	tp.ntens++
	t.shape = shape
	t.rank = rank
	t.Data = nil
	t.Grad = nil
	t.requires = false
	return t
}

func (tp *Tape[F]) newShape(shape ...int) *Tensor[F] {
	var s [MaxRank]int
	if len(shape) > MaxRank {
		panic(fmt.Sprintf("nn: rank of shape %v exceeds MaxRank", shapeStr(shape)))
	}
	copy(s[:], shape)
	return tp.newTensor(s, len(shape))
}

// New returns a zero-filled arena tensor of the given shape that requires no
// gradient.
func (tp *Tape[F]) New(shape ...int) *Tensor[F] {
	t := tp.newShape(shape...)
	clear(t.Data)
	return t
}

// Const returns an arena tensor header of the given shape that aliases data
// (no copy) and requires no gradient. It panics if len(data) does not match.
func (tp *Tape[F]) Const(data []F, shape ...int) *Tensor[F] {
	var s [MaxRank]int
	if len(shape) > MaxRank {
		panic(fmt.Sprintf("nn: rank of shape %v exceeds MaxRank", shapeStr(shape)))
	}
	copy(s[:], shape)
	t := tp.newHeader(s, len(shape))
	if len(data) != t.Size() {
		panic(fmt.Sprintf("nn: Const: len(data)=%d does not match shape %v", len(data), shapeStr(shape)))
	}
	t.Data = data
	return t
}

// Detach returns a tensor that shares x's data but carries no gradient
// (stop-gradient), e.g. for bootstrapped targets.
func (tp *Tape[F]) Detach(x *Tensor[F]) *Tensor[F] {
	t := tp.newHeader(x.shape, x.rank)
	t.Data = x.Data
	return t
}

// RandNormal returns an arena tensor of the given shape filled with standard
// normal draws from rng (no gradient), e.g. reparameterisation noise.
func (tp *Tape[F]) RandNormal(rng *rand.Rand, shape ...int) *Tensor[F] {
	t := tp.newShape(shape...)
	for i := range t.Data {
		t.Data[i] = F(rng.NormFloat64())
	}
	return t
}

// Var is like Const but the tensor requires a gradient: after Backward its
// Grad (an arena buffer, zeroed here) holds ∂loss/∂data.
func (tp *Tape[F]) Var(data []F, shape ...int) *Tensor[F] {
	t := tp.Const(data, shape...)
	t.Grad = tp.allocZero(len(data))
	t.requires = true
	return t
}

type opKind uint8

const (
	opNone opKind = iota
	opMatMul
	opBatchMatMul
	opLinear
	opBinary
	opAddScalar
	opScale
	opUnary
	opSwish
	opSum
	opSumAxis
	opMeanAxis
	opLogSumExp
	opReshape
	opConcat
	opSlice
	opGather
	opTranspose
	opSwapAxes12
	opLayerNorm
	opSoftmax
	opLogSoftmax
	opCausalSoftmax
	opAttention
	opDropout
	opMSE
	opGaussLogDensity
	opClamp
	opFlip
	opShiftRight
	opAttendStep
)

// record is one recorded operation. Fields are interpreted per op.
type record[F Float] struct {
	op         opKind
	sub        uint8
	out        *Tensor[F]
	a, b, c, d *Tensor[F]
	list       []*Tensor[F]
	s0, s1, s2 []F
	idx        []int
	i0, i1, i2 int
	f0, f1     float64
	t0, t1     bool
	aux        any
}

// needs reports whether an operation on ts must be recorded: recording is on
// and some input requires a gradient.
func (tp *Tape[F]) needs(ts ...*Tensor[F]) bool {
	if tp.NoGrad {
		return false
	}
	for _, t := range ts {
		if t != nil && t.requires {
			return true
		}
	}
	return false
}

// push records r and marks its output as requiring a gradient.
func (tp *Tape[F]) push(r record[F]) {
	r.out.requires = true
	tp.recs = append(tp.recs, r)
}

// grad returns t's gradient buffer, allocating a zeroed one from the arena if
// needed, or nil if t requires no gradient.
func (tp *Tape[F]) grad(t *Tensor[F]) []F {
	if t == nil || !t.requires {
		return nil
	}
	if t.Grad == nil {
		t.Grad = tp.allocZero(len(t.Data))
	}
	return t.Grad
}

// gradFresh is like grad for an operation that overwrites its whole
// gradient when fresh is true: a newly allocated buffer is returned without
// zeroing (fresh = true); an existing one must be accumulated into.
func (tp *Tape[F]) gradFresh(t *Tensor[F]) (g []F, fresh bool) {
	if t == nil || !t.requires {
		return nil, false
	}
	if t.Grad == nil {
		t.Grad = tp.alloc(len(t.Data))
		return t.Grad, true
	}
	return t.Grad, false
}

// Backward computes gradients of the scalar (one-element) tensor loss with
// respect to every tensor that requires one, by running the recorded
// operations in reverse. Gradients accumulate (+=) into existing Grad
// buffers. It may be called once per Reset (a second call panics); to
// combine several losses, add them first.
func (tp *Tape[F]) Backward(loss *Tensor[F]) {
	if len(loss.Data) != 1 {
		panic(fmt.Sprintf("nn: Backward: loss has shape %v, want a single element", loss.Shape()))
	}
	if tp.NoGrad {
		panic("nn: Backward on a tape with NoGrad set")
	}
	if !loss.requires {
		return
	}
	tp.checkOnce()
	g := tp.grad(loss)
	g[0] += 1
	tp.backward()
}

// BackwardFrom is like Backward for a tensor of any shape, seeding its
// gradient with seed (same length as out.Data). With seed all ones it computes
// the gradient of the sum of out, e.g. per-sample input gradients of a batch
// of independent log-densities.
func (tp *Tape[F]) BackwardFrom(out *Tensor[F], seed []F) {
	if len(seed) != len(out.Data) {
		panic(fmt.Sprintf("nn: BackwardFrom: seed length %d does not match shape %v", len(seed), out.Shape()))
	}
	if tp.NoGrad {
		panic("nn: BackwardFrom on a tape with NoGrad set")
	}
	if !out.requires {
		return
	}
	tp.checkOnce()
	g := tp.grad(out)
	for i, v := range seed {
		g[i] += v
	}
	tp.backward()
}

// checkOnce panics on a second backward pass over the same recording, which
// would count the gradients of intermediate results twice.
func (tp *Tape[F]) checkOnce() {
	if tp.done {
		panic("nn: Backward called twice without Reset")
	}
	tp.done = true
}

func (tp *Tape[F]) backward() {
	for i := len(tp.recs) - 1; i >= 0; i-- {
		r := &tp.recs[i]
		if r.out.Grad == nil {
			continue
		}
		switch r.op {
		case opMatMul:
			tp.backMatMul(r)
		case opBatchMatMul:
			tp.backBatchMatMul(r)
		case opLinear:
			tp.backLinear(r)
		case opBinary:
			tp.backBinary(r)
		case opAddScalar:
			addTo(tp.grad(r.a), r.out.Grad)
		case opScale:
			if ga := tp.grad(r.a); ga != nil {
				s := F(r.f0)
				for j, v := range r.out.Grad {
					ga[j] += s * v
				}
			}
		case opUnary:
			tp.backUnary(r)
		case opSwish:
			tp.backSwish(r)
		case opSum:
			tp.backSum(r)
		case opSumAxis, opMeanAxis:
			tp.backSumAxis(r)
		case opLogSumExp:
			tp.backLogSumExp(r)
		case opReshape:
			addTo(tp.grad(r.a), r.out.Grad)
		case opConcat:
			tp.backConcat(r)
		case opSlice:
			tp.backSlice(r)
		case opGather:
			tp.backGather(r)
		case opTranspose:
			tp.backTranspose(r)
		case opSwapAxes12:
			tp.backSwapAxes12(r)
		case opLayerNorm:
			tp.backLayerNorm(r)
		case opSoftmax, opCausalSoftmax:
			tp.backSoftmax(r)
		case opLogSoftmax:
			tp.backLogSoftmax(r)
		case opAttention:
			tp.backAttention(r)
		case opDropout:
			if ga := tp.grad(r.a); ga != nil {
				for j, v := range r.out.Grad {
					ga[j] += v * r.s0[j]
				}
			}
		case opMSE:
			tp.backMSE(r)
		case opGaussLogDensity:
			tp.backGauss(r)
		case opClamp:
			tp.backClamp(r)
		case opFlip:
			tp.backFlip(r)
		case opShiftRight:
			tp.backShiftRight(r)
		case opAttendStep:
			tp.backAttendStep(r)
		default:
			panic(fmt.Sprintf("nn: unknown op %d", r.op))
		}
	}
}

// addTo adds src to dst element-wise; dst may be nil (no-op).
func addTo[F Float](dst, src []F) {
	if dst == nil {
		return
	}
	for i, v := range src {
		dst[i] += v
	}
}
