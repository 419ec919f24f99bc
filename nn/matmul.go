package nn

import "fmt"

// opDims returns (rows, cols) of op(A) for a 2-D matrix of shape r×c.
func opDims(r, c int, t bool) (int, int) {
	if t {
		return c, r
	}
	return r, c
}

// MatMul returns op(a)·op(b) for 2-D a and b, where op transposes its
// argument when the corresponding flag is set (no transpose is materialised).
// With op(a) of shape [m, k] and op(b) of shape [k, n] the result is [m, n].
func (tp *Tape[F]) MatMul(a, b *Tensor[F], transA, transB bool) *Tensor[F] {
	if a.rank != 2 || b.rank != 2 {
		panic(fmt.Sprintf("nn: MatMul: shapes %v and %v must be 2-D", a.Shape(), b.Shape()))
	}
	m, k := opDims(a.shape[0], a.shape[1], transA)
	k2, n := opDims(b.shape[0], b.shape[1], transB)
	if k != k2 {
		panic(fmt.Sprintf("nn: MatMul: inner dimensions of %v (trans=%v) and %v (trans=%v) differ", a.Shape(), transA, b.Shape(), transB))
	}
	out := tp.newShape(m, n)
	gemm(transA, transB, m, n, k, 1, a.Data, a.shape[1], b.Data, b.shape[1], 0, out.Data, n)
	if tp.needs(a, b) {
		tp.push(record[F]{op: opMatMul, out: out, a: a, b: b, t0: transA, t1: transB, i0: m, i1: n, i2: k})
	}
	return out
}

// mmBack accumulates the gradients of C = op(A)·op(B) (C is m×n, inner k)
// into dA and dB (either may be nil).
func mmBack[F Float](tA, tB bool, m, n, k int, a []F, lda int, b []F, ldb int, dc []F, dA, dB []F, ser bool) {
	g := gemm[F]
	if ser {
		g = gemmSerial[F]
	}
	if dA != nil {
		switch {
		case !tA && !tB:
			g(false, true, m, k, n, 1, dc, n, b, ldb, 1, dA, lda)
		case !tA && tB:
			g(false, false, m, k, n, 1, dc, n, b, ldb, 1, dA, lda)
		case tA && !tB:
			g(false, true, k, m, n, 1, b, ldb, dc, n, 1, dA, lda)
		default:
			g(true, true, k, m, n, 1, b, ldb, dc, n, 1, dA, lda)
		}
	}
	if dB != nil {
		switch {
		case !tB && !tA:
			g(true, false, k, n, m, 1, a, lda, dc, n, 1, dB, ldb)
		case !tB && tA:
			g(false, false, k, n, m, 1, a, lda, dc, n, 1, dB, ldb)
		case tB && !tA:
			g(true, false, n, k, m, 1, dc, n, a, lda, 1, dB, ldb)
		default:
			g(true, true, n, k, m, 1, dc, n, a, lda, 1, dB, ldb)
		}
	}
}

func (tp *Tape[F]) backMatMul(r *record[F]) {
	mmBack(r.t0, r.t1, r.i0, r.i1, r.i2, r.a.Data, r.a.shape[1], r.b.Data, r.b.shape[1], r.out.Grad, tp.grad(r.a), tp.grad(r.b), false)
}

// BatchMatMul returns op(a[i])·op(b[i]) for every i of 3-D a [B, ·, ·] and
// b [B, ·, ·]; the result is [B, m, n].
func (tp *Tape[F]) BatchMatMul(a, b *Tensor[F], transA, transB bool) *Tensor[F] {
	if a.rank != 3 || b.rank != 3 || a.shape[0] != b.shape[0] {
		panic(fmt.Sprintf("nn: BatchMatMul: shapes %v and %v must be 3-D with equal batch", a.Shape(), b.Shape()))
	}
	m, k := opDims(a.shape[1], a.shape[2], transA)
	k2, n := opDims(b.shape[1], b.shape[2], transB)
	if k != k2 {
		panic(fmt.Sprintf("nn: BatchMatMul: inner dimensions of %v (trans=%v) and %v (trans=%v) differ", a.Shape(), transA, b.Shape(), transB))
	}
	nb := a.shape[0]
	out := tp.newShape(nb, m, n)
	sa, sb, sc := a.shape[1]*a.shape[2], b.shape[1]*b.shape[2], m*n
	for i := 0; i < nb; i++ {
		gemm(transA, transB, m, n, k, 1, a.Data[i*sa:(i+1)*sa], a.shape[2], b.Data[i*sb:(i+1)*sb], b.shape[2], 0, out.Data[i*sc:(i+1)*sc], n)
	}
	if tp.needs(a, b) {
		tp.push(record[F]{op: opBatchMatMul, out: out, a: a, b: b, t0: transA, t1: transB, i0: m, i1: n, i2: k})
	}
	return out
}

func (tp *Tape[F]) backBatchMatMul(r *record[F]) {
	a, b := r.a, r.b
	ga, gb := tp.grad(a), tp.grad(b)
	sa, sb, sc := a.shape[1]*a.shape[2], b.shape[1]*b.shape[2], r.i0*r.i1
	for i := 0; i < a.shape[0]; i++ {
		var da, db []F
		if ga != nil {
			da = ga[i*sa : (i+1)*sa]
		}
		if gb != nil {
			db = gb[i*sb : (i+1)*sb]
		}
		mmBack(r.t0, r.t1, r.i0, r.i1, r.i2, a.Data[i*sa:(i+1)*sa], a.shape[2], b.Data[i*sb:(i+1)*sb], b.shape[2], r.out.Grad[i*sc:(i+1)*sc], da, db, false)
	}
}

// Linear returns x·wᵀ + b (PyTorch's layout): x is [..., in], w is
// [out, in], b is [out] or nil; the result is [..., out].
func (tp *Tape[F]) Linear(x, w, b *Tensor[F]) *Tensor[F] {
	if w.rank != 2 || x.rank < 1 || x.shape[x.rank-1] != w.shape[1] {
		panic(fmt.Sprintf("nn: Linear: input %v does not match weight %v", x.Shape(), w.Shape()))
	}
	nOut, nIn := w.shape[0], w.shape[1]
	if b != nil && (b.rank != 1 || b.shape[0] != nOut) {
		panic(fmt.Sprintf("nn: Linear: bias %v does not match weight %v", b.Shape(), w.Shape()))
	}
	shape := x.shape
	shape[x.rank-1] = nOut
	out := tp.newTensor(shape, x.rank)
	rows := 1
	if nIn > 0 {
		rows = len(x.Data) / nIn
	} else {
		rows = len(out.Data) / max(nOut, 1)
	}
	var beta F
	if b != nil {
		for i := 0; i < rows; i++ {
			copy(out.Data[i*nOut:(i+1)*nOut], b.Data)
		}
		beta = 1
	}
	gemm(false, true, rows, nOut, nIn, 1, x.Data, nIn, w.Data, nIn, beta, out.Data, nOut)
	if tp.needs(x, w, b) {
		tp.push(record[F]{op: opLinear, out: out, a: x, b: w, c: b, i0: rows})
	}
	return out
}

func (tp *Tape[F]) backLinear(r *record[F]) {
	x, w := r.a, r.b
	nOut, nIn := w.shape[0], w.shape[1]
	rows := r.i0
	dy := r.out.Grad
	if gx, fresh := tp.gradFresh(x); gx != nil {
		beta := F(1)
		if fresh {
			beta = 0
		}
		gemm(false, false, rows, nIn, nOut, 1, dy, nOut, w.Data, nIn, beta, gx, nIn)
	}
	if gw := tp.grad(w); gw != nil {
		gemm(true, false, nOut, nIn, rows, 1, dy, nOut, x.Data, nIn, 1, gw, nIn)
	}
	if gb := tp.grad(r.c); gb != nil {
		for i := 0; i < rows; i++ {
			row := dy[i*nOut : (i+1)*nOut]
			for j, v := range row {
				gb[j] += v
			}
		}
	}
}
