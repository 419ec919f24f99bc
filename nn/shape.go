package nn

import (
	"fmt"
	"math"
)

// axisSplit returns (outer, n, inner) for a reduction or indexing along axis.
func axisSplit[F Float](x *Tensor[F], axis int, name string) (int, int, int, int) {
	if axis < 0 {
		axis += x.rank
	}
	if axis < 0 || axis >= x.rank {
		panic(fmt.Sprintf("nn: %s: axis %d out of range for shape %v", name, axis, x.Shape()))
	}
	outer, inner := 1, 1
	for i := 0; i < axis; i++ {
		outer *= x.shape[i]
	}
	for i := axis + 1; i < x.rank; i++ {
		inner *= x.shape[i]
	}
	return axis, outer, x.shape[axis], inner
}

func removeAxis(shape [MaxRank]int, rank, axis int) ([MaxRank]int, int) {
	var s [MaxRank]int
	j := 0
	for i := 0; i < rank; i++ {
		if i != axis {
			s[j] = shape[i]
			j++
		}
	}
	return s, rank - 1
}

// Sum returns the sum of all elements of x as a scalar (rank-0) tensor.
func (tp *Tape[F]) Sum(x *Tensor[F]) *Tensor[F] { return tp.sumAll(x, 1) }

// Mean returns the mean of all elements of x as a scalar (rank-0) tensor.
func (tp *Tape[F]) Mean(x *Tensor[F]) *Tensor[F] {
	return tp.sumAll(x, 1/float64(max(len(x.Data), 1)))
}

func (tp *Tape[F]) sumAll(x *Tensor[F], scale float64) *Tensor[F] {
	out := tp.newTensor([MaxRank]int{}, 0)
	var s float64
	for _, v := range x.Data {
		s += float64(v)
	}
	out.Data[0] = F(s * scale)
	if tp.needs(x) {
		tp.push(record[F]{op: opSum, out: out, a: x, f0: scale})
	}
	return out
}

func (tp *Tape[F]) backSum(r *record[F]) {
	if gx := tp.grad(r.a); gx != nil {
		g := r.out.Grad[0] * F(r.f0)
		for i := range gx {
			gx[i] += g
		}
	}
}

// SumAxis returns the sum of x along axis (negative counts from the end); the
// axis is removed from the shape.
func (tp *Tape[F]) SumAxis(x *Tensor[F], axis int) *Tensor[F] {
	return tp.sumAxis(x, axis, false)
}

// MeanAxis returns the mean of x along axis; the axis is removed.
func (tp *Tape[F]) MeanAxis(x *Tensor[F], axis int) *Tensor[F] {
	return tp.sumAxis(x, axis, true)
}

func (tp *Tape[F]) sumAxis(x *Tensor[F], axis int, mean bool) *Tensor[F] {
	axis, outer, n, inner := axisSplit(x, axis, "SumAxis")
	s, r := removeAxis(x.shape, x.rank, axis)
	out := tp.newTensor(s, r)
	clear(out.Data)
	scale := F(1)
	if mean && n > 0 {
		scale = F(1 / float64(n))
	}
	for o := 0; o < outer; o++ {
		dst := out.Data[o*inner : (o+1)*inner]
		for k := 0; k < n; k++ {
			src := x.Data[(o*n+k)*inner : (o*n+k+1)*inner]
			for i, v := range src {
				dst[i] += v
			}
		}
		for i := range dst {
			dst[i] *= scale
		}
	}
	if tp.needs(x) {
		op := opSumAxis
		if mean {
			op = opMeanAxis
		}
		tp.push(record[F]{op: op, out: out, a: x, i0: axis, f0: float64(scale)})
	}
	return out
}

func (tp *Tape[F]) backSumAxis(r *record[F]) {
	gx := tp.grad(r.a)
	if gx == nil {
		return
	}
	_, outer, n, inner := axisSplit(r.a, r.i0, "SumAxis")
	scale := F(r.f0)
	for o := 0; o < outer; o++ {
		g := r.out.Grad[o*inner : (o+1)*inner]
		for k := 0; k < n; k++ {
			dst := gx[(o*n+k)*inner : (o*n+k+1)*inner]
			for i, v := range g {
				dst[i] += v * scale
			}
		}
	}
}

// LogSumExp returns log Σ exp(x) along axis, computed stably; the axis is
// removed.
func (tp *Tape[F]) LogSumExp(x *Tensor[F], axis int) *Tensor[F] {
	axis, outer, n, inner := axisSplit(x, axis, "LogSumExp")
	s, r := removeAxis(x.shape, x.rank, axis)
	out := tp.newTensor(s, r)
	for o := 0; o < outer; o++ {
		for i := 0; i < inner; i++ {
			m := math.Inf(-1)
			for k := 0; k < n; k++ {
				m = max(m, float64(x.Data[(o*n+k)*inner+i]))
			}
			var sum float64
			for k := 0; k < n; k++ {
				sum += math.Exp(float64(x.Data[(o*n+k)*inner+i]) - m)
			}
			out.Data[o*inner+i] = F(m + math.Log(sum))
		}
	}
	if tp.needs(x) {
		tp.push(record[F]{op: opLogSumExp, out: out, a: x, i0: axis})
	}
	return out
}

func (tp *Tape[F]) backLogSumExp(r *record[F]) {
	gx := tp.grad(r.a)
	if gx == nil {
		return
	}
	_, outer, n, inner := axisSplit(r.a, r.i0, "LogSumExp")
	for o := 0; o < outer; o++ {
		for i := 0; i < inner; i++ {
			g, l := r.out.Grad[o*inner+i], float64(r.out.Data[o*inner+i])
			for k := 0; k < n; k++ {
				j := (o*n+k)*inner + i
				gx[j] += g * F(math.Exp(float64(r.a.Data[j])-l))
			}
		}
	}
}

// Reshape returns a tensor with the same data (shared, not copied) and a new
// shape; one dimension may be −1 and is inferred.
func (tp *Tape[F]) Reshape(x *Tensor[F], shape ...int) *Tensor[F] {
	if len(shape) > MaxRank {
		panic(fmt.Sprintf("nn: Reshape: shape %v exceeds MaxRank", shapeStr(shape)))
	}
	var s [MaxRank]int
	n, infer := 1, -1
	for i, d := range shape {
		if d == -1 {
			if infer >= 0 {
				panic(fmt.Sprintf("nn: Reshape: more than one -1 in %v", shapeStr(shape)))
			}
			infer = i
			continue
		}
		s[i] = d
		n *= d
	}
	if infer >= 0 && n > 0 {
		s[infer] = len(x.Data) / n
		n *= s[infer]
	}
	if n != len(x.Data) {
		panic(fmt.Sprintf("nn: Reshape: cannot reshape %v to %v", x.Shape(), shapeStr(shape)))
	}
	out := tp.newHeader(s, len(shape))
	out.Data = x.Data
	if tp.needs(x) {
		tp.push(record[F]{op: opReshape, out: out, a: x})
	}
	return out
}

// Concat joins tensors along axis; all other dimensions must agree.
func (tp *Tape[F]) Concat(axis int, ts ...*Tensor[F]) *Tensor[F] {
	if len(ts) == 0 {
		panic("nn: Concat of no tensors")
	}
	first := ts[0]
	axis, _, _, _ = axisSplit(first, axis, "Concat")
	shape := first.shape
	total := 0
	for _, t := range ts {
		if t.rank != first.rank {
			panic(fmt.Sprintf("nn: Concat: shapes %v and %v differ in rank", first.Shape(), t.Shape()))
		}
		for i := 0; i < t.rank; i++ {
			if i != axis && t.shape[i] != first.shape[i] {
				panic(fmt.Sprintf("nn: Concat: shapes %v and %v differ off axis %d", first.Shape(), t.Shape(), axis))
			}
		}
		total += t.shape[axis]
	}
	shape[axis] = total
	out := tp.newTensor(shape, first.rank)
	_, outer, _, inner := axisSplit(out, axis, "Concat")
	off := 0
	for _, t := range ts {
		w := t.shape[axis] * inner
		for o := 0; o < outer; o++ {
			copy(out.Data[o*total*inner+off:o*total*inner+off+w], t.Data[o*w:(o+1)*w])
		}
		off += w
	}
	if tp.needs(ts...) {
		l := tp.allocList(len(ts))
		copy(l, ts)
		tp.push(record[F]{op: opConcat, out: out, list: l, i0: axis})
	}
	return out
}

func (tp *Tape[F]) backConcat(r *record[F]) {
	_, outer, total, inner := axisSplit(r.out, r.i0, "Concat")
	off := 0
	for _, t := range r.list {
		w := t.shape[r.i0] * inner
		if gt := tp.grad(t); gt != nil {
			for o := 0; o < outer; o++ {
				addTo(gt[o*w:(o+1)*w], r.out.Grad[o*total*inner+off:o*total*inner+off+w])
			}
		}
		off += w
	}
}

// Slice returns the elements of x with index in [start, end) along axis (a
// copy).
func (tp *Tape[F]) Slice(x *Tensor[F], axis, start, end int) *Tensor[F] {
	axis, outer, n, inner := axisSplit(x, axis, "Slice")
	if start < 0 || end > n || start > end {
		panic(fmt.Sprintf("nn: Slice: range [%d, %d) out of bounds for axis %d of %v", start, end, axis, x.Shape()))
	}
	shape := x.shape
	shape[axis] = end - start
	out := tp.newTensor(shape, x.rank)
	w := (end - start) * inner
	for o := 0; o < outer; o++ {
		copy(out.Data[o*w:(o+1)*w], x.Data[(o*n+start)*inner:(o*n+start)*inner+w])
	}
	if tp.needs(x) {
		tp.push(record[F]{op: opSlice, out: out, a: x, i0: axis, i1: start, i2: end})
	}
	return out
}

func (tp *Tape[F]) backSlice(r *record[F]) {
	gx := tp.grad(r.a)
	if gx == nil {
		return
	}
	_, outer, n, inner := axisSplit(r.a, r.i0, "Slice")
	w := (r.i2 - r.i1) * inner
	for o := 0; o < outer; o++ {
		addTo(gx[(o*n+r.i1)*inner:(o*n+r.i1)*inner+w], r.out.Grad[o*w:(o+1)*w])
	}
}

// Split cuts x along axis into pieces of the given sizes (which must add up to
// the axis length). The returned slice lives in the tape's arena.
func (tp *Tape[F]) Split(x *Tensor[F], axis int, sizes ...int) []*Tensor[F] {
	res := tp.allocList(len(sizes))
	start := 0
	for i, s := range sizes {
		res[i] = tp.Slice(x, axis, start, start+s)
		start += s
	}
	ax, _, n, _ := axisSplit(x, axis, "Split")
	if start != n {
		panic(fmt.Sprintf("nn: Split: sizes %v do not add up to dimension %d of %v", shapeStr(sizes), ax, x.Shape()))
	}
	return res
}

// Gather returns the slices of x at the given indices along axis (like
// torch.index_select); idx must stay unchanged until Backward.
func (tp *Tape[F]) Gather(x *Tensor[F], axis int, idx []int) *Tensor[F] {
	axis, outer, n, inner := axisSplit(x, axis, "Gather")
	for _, k := range idx {
		if k < 0 || k >= n {
			panic(fmt.Sprintf("nn: Gather: index %d out of range for axis %d of %v", k, axis, x.Shape()))
		}
	}
	shape := x.shape
	shape[axis] = len(idx)
	out := tp.newTensor(shape, x.rank)
	m := len(idx)
	for o := 0; o < outer; o++ {
		for j, k := range idx {
			copy(out.Data[(o*m+j)*inner:(o*m+j+1)*inner], x.Data[(o*n+k)*inner:(o*n+k+1)*inner])
		}
	}
	if tp.needs(x) {
		tp.push(record[F]{op: opGather, out: out, a: x, i0: axis, idx: idx})
	}
	return out
}

func (tp *Tape[F]) backGather(r *record[F]) {
	gx := tp.grad(r.a)
	if gx == nil {
		return
	}
	_, outer, n, inner := axisSplit(r.a, r.i0, "Gather")
	m := len(r.idx)
	for o := 0; o < outer; o++ {
		for j, k := range r.idx {
			addTo(gx[(o*n+k)*inner:(o*n+k+1)*inner], r.out.Grad[(o*m+j)*inner:(o*m+j+1)*inner])
		}
	}
}

// Transpose returns the transpose of the 2-D tensor x (a copy).
func (tp *Tape[F]) Transpose(x *Tensor[F]) *Tensor[F] {
	if x.rank != 2 {
		panic(fmt.Sprintf("nn: Transpose: shape %v is not 2-D", x.Shape()))
	}
	m, n := x.shape[0], x.shape[1]
	out := tp.newShape(n, m)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			out.Data[j*m+i] = x.Data[i*n+j]
		}
	}
	if tp.needs(x) {
		tp.push(record[F]{op: opTranspose, out: out, a: x})
	}
	return out
}

func (tp *Tape[F]) backTranspose(r *record[F]) {
	gx := tp.grad(r.a)
	if gx == nil {
		return
	}
	m, n := r.a.shape[0], r.a.shape[1]
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			gx[i*n+j] += r.out.Grad[j*m+i]
		}
	}
}

// SwapAxes12 returns x [A, B, C, D] with axes 1 and 2 exchanged: [A, C, B, D]
// (a copy). It is the head transpose [batch, seq, heads, dhead] ↔
// [batch, heads, seq, dhead].
func (tp *Tape[F]) SwapAxes12(x *Tensor[F]) *Tensor[F] {
	if x.rank != 4 {
		panic(fmt.Sprintf("nn: SwapAxes12: shape %v is not 4-D", x.Shape()))
	}
	a, b, c, d := x.shape[0], x.shape[1], x.shape[2], x.shape[3]
	out := tp.newShape(a, c, b, d)
	swap12(x.Data, out.Data, a, b, c, d, false)
	if tp.needs(x) {
		tp.push(record[F]{op: opSwapAxes12, out: out, a: x})
	}
	return out
}

// swap12 copies (or adds, when add) src [a,b,c,d] into dst [a,c,b,d].
func swap12[F Float](src, dst []F, a, b, c, d int, add bool) {
	for i := 0; i < a; i++ {
		for j := 0; j < b; j++ {
			for k := 0; k < c; k++ {
				s := src[((i*b+j)*c+k)*d : ((i*b+j)*c+k+1)*d]
				t := dst[((i*c+k)*b+j)*d : ((i*c+k)*b+j+1)*d]
				if add {
					addTo(t, s)
				} else {
					copy(t, s)
				}
			}
		}
	}
}

func (tp *Tape[F]) backSwapAxes12(r *record[F]) {
	gx := tp.grad(r.a)
	if gx == nil {
		return
	}
	a, b, c, d := r.a.shape[0], r.a.shape[1], r.a.shape[2], r.a.shape[3]
	// out is [a, c, b, d]; swapping back maps it onto [a, b, c, d].
	swap12(r.out.Grad, gx, a, c, b, d, true)
}

// SplitHeads reshapes x [B, S, H·Dh] into [B, H, S, Dh].
func (tp *Tape[F]) SplitHeads(x *Tensor[F], heads int) *Tensor[F] {
	if x.rank != 3 || heads <= 0 || x.shape[2]%heads != 0 {
		panic(fmt.Sprintf("nn: SplitHeads: shape %v cannot be split into %d heads", x.Shape(), heads))
	}
	return tp.SwapAxes12(tp.Reshape(x, x.shape[0], x.shape[1], heads, x.shape[2]/heads))
}

// MergeHeads reshapes x [B, H, S, Dh] into [B, S, H·Dh]; it inverts SplitHeads.
func (tp *Tape[F]) MergeHeads(x *Tensor[F]) *Tensor[F] {
	if x.rank != 4 {
		panic(fmt.Sprintf("nn: MergeHeads: shape %v is not 4-D", x.Shape()))
	}
	y := tp.SwapAxes12(x)
	return tp.Reshape(y, x.shape[0], x.shape[2], x.shape[1]*x.shape[3])
}

// Flip reverses x along axis (e.g. the token order of a TarFlow block).
func (tp *Tape[F]) Flip(x *Tensor[F], axis int) *Tensor[F] {
	axis, outer, n, inner := axisSplit(x, axis, "Flip")
	out := tp.newTensor(x.shape, x.rank)
	flipInto(out.Data, x.Data, outer, n, inner, false)
	if tp.needs(x) {
		tp.push(record[F]{op: opFlip, out: out, a: x, i0: axis})
	}
	return out
}

// flipInto copies (or adds, when add) src reversed along the middle axis
// into dst, both [outer, n, inner].
func flipInto[F Float](dst, src []F, outer, n, inner int, add bool) {
	for o := 0; o < outer; o++ {
		for k := 0; k < n; k++ {
			d := dst[(o*n+k)*inner : (o*n+k+1)*inner]
			s := src[(o*n+n-1-k)*inner : (o*n+n-k)*inner]
			if add {
				addTo(d, s)
			} else {
				copy(d, s)
			}
		}
	}
}

func (tp *Tape[F]) backFlip(r *record[F]) {
	if gx := tp.grad(r.a); gx != nil {
		_, outer, n, inner := axisSplit(r.a, r.i0, "Flip")
		flipInto(gx, r.out.Grad, outer, n, inner, true)
	}
}

// ShiftRight shifts x by one position along axis: out[..., 0, ...] = 0 and
// out[..., k, ...] = x[..., k−1, ...] (the right shift of autoregressive
// conditioner outputs).
func (tp *Tape[F]) ShiftRight(x *Tensor[F], axis int) *Tensor[F] {
	axis, outer, n, inner := axisSplit(x, axis, "ShiftRight")
	out := tp.newTensor(x.shape, x.rank)
	for o := 0; o < outer; o++ {
		clear(out.Data[o*n*inner : (o*n+1)*inner])
		if n > 1 {
			copy(out.Data[(o*n+1)*inner:(o+1)*n*inner], x.Data[o*n*inner:((o+1)*n-1)*inner])
		}
	}
	if tp.needs(x) {
		tp.push(record[F]{op: opShiftRight, out: out, a: x, i0: axis})
	}
	return out
}

func (tp *Tape[F]) backShiftRight(r *record[F]) {
	gx := tp.grad(r.a)
	if gx == nil {
		return
	}
	_, outer, n, inner := axisSplit(r.a, r.i0, "ShiftRight")
	for o := 0; o < outer; o++ {
		if n > 1 {
			addTo(gx[o*n*inner:((o+1)*n-1)*inner], r.out.Grad[(o*n+1)*inner:(o+1)*n*inner])
		}
	}
}
