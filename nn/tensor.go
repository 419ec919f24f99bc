package nn

import (
	"fmt"
	"strconv"
	"strings"
)

// Float is the element type constraint of tensors: float32 (the training
// default) or float64 (gradient checks and numerically critical paths).
type Float interface{ ~float32 | ~float64 }

// MaxRank is the largest number of dimensions a Tensor can have.
const MaxRank = 4

// Tensor is a dense, row-major, contiguous array of rank 0 to MaxRank.
//
// Data holds the values (length = product of the shape). Grad holds the
// gradient of the tape's loss with respect to Data, with the same length; it is
// nil when no gradient is tracked for the tensor. Tensors returned by Tape
// operations live in the tape's arena and are valid only until the next
// Tape.Reset; tensors made with NewTensor (parameters, user data) are owned by
// the caller.
type Tensor[F Float] struct {
	// Data holds the values in row-major order.
	Data []F
	// Grad holds ∂loss/∂Data after Tape.Backward, or nil.
	Grad []F

	shape [MaxRank]int
	rank  int
	// requires reports whether gradients flow into this tensor.
	requires bool
}

// NewTensor returns a zero-filled tensor of the given shape that owns its data.
// A rank-0 (scalar) tensor is made by passing no dimensions.
func NewTensor[F Float](shape ...int) *Tensor[F] {
	t := &Tensor[F]{}
	t.setShape(shape)
	t.Data = make([]F, t.Size())
	return t
}

// FromData returns a tensor of the given shape that uses data as its backing
// store (no copy). It panics if len(data) does not match the shape.
func FromData[F Float](data []F, shape ...int) *Tensor[F] {
	t := &Tensor[F]{}
	t.setShape(shape)
	if len(data) != t.Size() {
		panic(fmt.Sprintf("nn: FromData: len(data)=%d does not match shape %v", len(data), shapeStr(shape)))
	}
	t.Data = data
	return t
}

// RequireGrad allocates a zeroed Grad buffer (if absent) and marks t so that
// tape operations propagate gradients into it. Use it on user-owned inputs
// whose gradient is wanted (∇ₓ). It returns t.
func (t *Tensor[F]) RequireGrad() *Tensor[F] {
	if len(t.Grad) != len(t.Data) {
		t.Grad = make([]F, len(t.Data))
	}
	t.requires = true
	return t
}

// SetRequiresGrad marks whether tape operations propagate gradients into t;
// true is RequireGrad. Freezing parameters (false) makes a backward pass
// compute only the gradients of the other inputs, e.g. ∇ₓ log q(x) of a
// trained flow without its parameter gradients. It returns t.
func (t *Tensor[F]) SetRequiresGrad(on bool) *Tensor[F] {
	if on {
		return t.RequireGrad()
	}
	t.requires = false
	return t
}

// RequiresGrad reports whether gradients are propagated into t.
func (t *Tensor[F]) RequiresGrad() bool { return t.requires }

// ZeroGrad sets every element of t.Grad to zero.
func (t *Tensor[F]) ZeroGrad() { clear(t.Grad) }

func (t *Tensor[F]) setShape(shape []int) {
	if len(shape) > MaxRank {
		panic(fmt.Sprintf("nn: rank %d of shape %v exceeds MaxRank %d", len(shape), shapeStr(shape), MaxRank))
	}
	t.rank = len(shape)
	t.shape = [MaxRank]int{}
	for i, d := range shape {
		if d < 0 {
			panic(fmt.Sprintf("nn: negative dimension in shape %v", shapeStr(shape)))
		}
		t.shape[i] = d
	}
}

// Shape returns the dimensions of t. The returned slice aliases t and must not
// be modified.
func (t *Tensor[F]) Shape() []int { return t.shape[:t.rank] }

// Rank returns the number of dimensions of t.
func (t *Tensor[F]) Rank() int { return t.rank }

// Dim returns the size of dimension i; negative i counts from the end.
func (t *Tensor[F]) Dim(i int) int {
	if i < 0 {
		i += t.rank
	}
	if i < 0 || i >= t.rank {
		panic(fmt.Sprintf("nn: dimension %d out of range for shape %v", i, t.Shape()))
	}
	return t.shape[i]
}

// Size returns the number of elements of t (1 for a scalar).
func (t *Tensor[F]) Size() int {
	n := 1
	for i := 0; i < t.rank; i++ {
		n *= t.shape[i]
	}
	return n
}

// Item returns the single value of a one-element tensor.
func (t *Tensor[F]) Item() F {
	if len(t.Data) != 1 {
		panic(fmt.Sprintf("nn: Item on tensor of shape %v", t.Shape()))
	}
	return t.Data[0]
}

// At returns the element at the given index (one index per dimension).
func (t *Tensor[F]) At(idx ...int) F { return t.Data[t.offset(idx)] }

// Set sets the element at the given index (one index per dimension) to v.
func (t *Tensor[F]) Set(v F, idx ...int) { t.Data[t.offset(idx)] = v }

func (t *Tensor[F]) offset(idx []int) int {
	if len(idx) != t.rank {
		panic(fmt.Sprintf("nn: index %v does not match shape %v", shapeStr(idx), t.Shape()))
	}
	off := 0
	for i, v := range idx {
		if v < 0 || v >= t.shape[i] {
			panic(fmt.Sprintf("nn: index %v out of range for shape %v", shapeStr(idx), t.Shape()))
		}
		off = off*t.shape[i] + v
	}
	return off
}

// Clone returns a deep copy of t's data and shape (without gradient) owned by
// the caller.
func (t *Tensor[F]) Clone() *Tensor[F] {
	c := &Tensor[F]{shape: t.shape, rank: t.rank}
	c.Data = append([]F(nil), t.Data...)
	return c
}

// String returns a short description: shape and, for small tensors, values.
func (t *Tensor[F]) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Tensor%v", t.Shape())
	if len(t.Data) <= 16 {
		fmt.Fprintf(&b, "%v", t.Data)
	}
	return b.String()
}

func sameShape[F Float](a, b *Tensor[F]) bool {
	return a.rank == b.rank && a.shape == b.shape
}

// rowsCols returns the product of all but the last dimension and the last
// dimension.
func (t *Tensor[F]) rowsCols() (int, int) {
	if t.rank == 0 {
		return 1, 1
	}
	c := t.shape[t.rank-1]
	if c == 0 {
		return 0, 0
	}
	return len(t.Data) / c, c
}

// shapeStr formats a shape like fmt's %v without letting the slice escape, so
// that variadic shape arguments stay on the stack.
func shapeStr(s []int) string {
	b := make([]byte, 0, 32)
	b = append(b, '[')
	for i, v := range s {
		if i > 0 {
			b = append(b, ' ')
		}
		b = strconv.AppendInt(b, int64(v), 10)
	}
	return string(append(b, ']'))
}
