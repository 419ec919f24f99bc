package nn

import (
	"fmt"
	"math"
)

// attnTask holds the arguments of one fused attention call; its run method
// processes one (batch, head) pair.
type attnTask[F Float] struct {
	q, k, v, o  []F
	p           []F // probabilities [B, H, S, S]
	dp          []F // backward scratch [B, H, S, S]
	gq, gk, gv  []F
	betaQ       F // 0 when gq is a fresh buffer (overwrite), else 1
	betaK       F
	betaV       F
	gout        []F
	s, d, h, dh int
	scale       F
	causal, bwd bool
}

func (t *attnTask[F]) run(item int) {
	b, h := item/t.h, item%t.h
	s, d, dh := t.s, t.d, t.dh
	off := b*s*d + h*dh
	hi := off + (s-1)*d + dh
	p := t.p[item*s*s : (item+1)*s*s]
	if !t.bwd {
		gemmSerial(false, true, s, s, dh, t.scale, t.q[off:hi], d, t.k[off:hi], d, 0, p, s)
		for i := 0; i < s; i++ {
			n := s
			if t.causal {
				n = i + 1
			}
			softmaxRow(p[i*s:(i+1)*s], p[i*s:(i+1)*s], n)
		}
		gemmSerial(false, false, s, dh, s, 1, p, s, t.v[off:hi], d, 0, t.o[off:hi], d)
		return
	}
	dp := t.dp[item*s*s : (item+1)*s*s]
	gout := t.gout[off:hi]
	if t.gv != nil {
		gemmSerial(true, false, s, dh, s, 1, p, s, gout, d, t.betaV, t.gv[off:hi], d)
	}
	if t.gq == nil && t.gk == nil {
		return
	}
	gemmSerial(false, true, s, s, dh, 1, gout, d, t.v[off:hi], d, 0, dp, s)
	for i := 0; i < s; i++ {
		pr, dr := p[i*s:(i+1)*s], dp[i*s:(i+1)*s]
		var dot F
		for j, v := range pr {
			dot += v * dr[j]
		}
		for j, v := range pr {
			dr[j] = t.scale * v * (dr[j] - dot)
		}
	}
	if t.gq != nil {
		gemmSerial(false, false, s, dh, s, 1, dp, s, t.k[off:hi], d, t.betaQ, t.gq[off:hi], d)
	}
	if t.gk != nil {
		gemmSerial(true, false, s, dh, s, 1, dp, s, t.q[off:hi], d, t.betaK, t.gk[off:hi], d)
	}
}

func (tp *Tape[F]) attnTask() *attnTask[F] {
	if tp.nattn < len(tp.attn) {
		t := tp.attn[tp.nattn]
		tp.nattn++
		return t
	}
	t := new(attnTask[F])
	tp.attn = append(tp.attn, t)
	tp.nattn++
	return t
}

// Attention is fused multi-head scaled dot-product attention. q, k and v are
// [B, S, D] with D = heads·Dh, laid out as heads consecutive blocks of Dh
// features (the output of Linear projections); the result is [B, S, D] in the
// same layout. Each head computes softmax(QKᵀ/√Dh)·V with strided per-head
// gemms (no head transposes are materialised); with causal set, position i
// attends only to positions ≤ i. Work is split over the B·heads pairs, each
// written by one goroutine, so results do not depend on the worker count.
func (tp *Tape[F]) Attention(q, k, v *Tensor[F], heads int, causal bool) *Tensor[F] {
	if q.rank != 3 || !sameShape(q, k) || !sameShape(q, v) || heads <= 0 || q.shape[2]%heads != 0 {
		panic(fmt.Sprintf("nn: Attention: q %v, k %v, v %v must be equal [B, S, D] with D divisible by %d heads", q.Shape(), k.Shape(), v.Shape(), heads))
	}
	b, s, d := q.shape[0], q.shape[1], q.shape[2]
	out := tp.newTensor(q.shape, 3)
	t := tp.attnTask()
	*t = attnTask[F]{q: q.Data, k: k.Data, v: v.Data, o: out.Data, s: s, d: d, h: heads, dh: d / heads, causal: causal}
	t.scale = F(1 / math.Sqrt(float64(d/heads)))
	t.p = tp.alloc(b * heads * s * s)
	parallelFor(b*heads, t)
	if tp.needs(q, k, v) {
		tp.push(record[F]{op: opAttention, out: out, a: q, b: k, c: v, aux: t})
	}
	return out
}

func (tp *Tape[F]) backAttention(r *record[F]) {
	t := r.aux.(*attnTask[F])
	t.bwd = true
	t.betaQ, t.betaK, t.betaV = 1, 1, 1
	if r.a != r.b && r.b != r.c && r.a != r.c {
		// Distinct inputs: a fresh gradient buffer is fully written by one
		// gemm per (batch, head) and needs no zeroing.
		var fq, fk, fv bool
		t.gq, fq = tp.gradFresh(r.a)
		t.gk, fk = tp.gradFresh(r.b)
		t.gv, fv = tp.gradFresh(r.c)
		if fq {
			t.betaQ = 0
		}
		if fk {
			t.betaK = 0
		}
		if fv {
			t.betaV = 0
		}
	} else {
		t.gq, t.gk, t.gv = tp.grad(r.a), tp.grad(r.b), tp.grad(r.c)
	}
	t.gout = r.out.Grad
	b := r.a.shape[0]
	t.dp = tp.alloc(b * t.h * t.s * t.s)
	parallelFor(b*t.h, t)
}

// KVCache is the inference path of causal multi-head attention for
// autoregressive decoding: keys and values of past positions are kept, and
// each Step attends one new token per sequence to all cached positions. It
// uses no tape and does not allocate after construction.
type KVCache[F Float] struct {
	// Batch, MaxLen, Dim and Heads are the fixed sizes: Batch sequences of at
	// most MaxLen tokens with Dim = Heads·Dh features.
	Batch, MaxLen, Dim, Heads int
	// Len is the number of cached positions.
	Len int
	// K and V hold the cached keys and values [Batch, MaxLen, Dim].
	K, V   []F
	scores []F
}

// NewKVCache returns an empty cache for batch sequences of up to maxLen
// tokens with dim features split over heads.
func NewKVCache[F Float](batch, maxLen, dim, heads int) *KVCache[F] {
	if heads <= 0 || dim%heads != 0 {
		panic(fmt.Sprintf("nn: NewKVCache: dim %d not divisible by %d heads", dim, heads))
	}
	return &KVCache[F]{
		Batch: batch, MaxLen: maxLen, Dim: dim, Heads: heads,
		K:      make([]F, batch*maxLen*dim),
		V:      make([]F, batch*maxLen*dim),
		scores: make([]F, maxLen),
	}
}

// Reset empties the cache.
func (c *KVCache[F]) Reset() { c.Len = 0 }

// Step appends the keys k and values v ([Batch, Dim], the next token of each
// sequence) at position Len and writes to dst ([Batch, Dim]) the attention of
// queries q ([Batch, Dim]) over positions 0..Len, then increments Len. The
// result equals row Len of the causal Attention over the whole sequence.
func (c *KVCache[F]) Step(dst, q, k, v []F) {
	n := c.Batch * c.Dim
	if len(dst) != n || len(q) != n || len(k) != n || len(v) != n {
		panic(fmt.Sprintf("nn: KVCache.Step: lengths dst %d, q %d, k %d, v %d, want %d×%d", len(dst), len(q), len(k), len(v), c.Batch, c.Dim))
	}
	if c.Len >= c.MaxLen {
		panic(fmt.Sprintf("nn: KVCache.Step: cache full (%d positions)", c.MaxLen))
	}
	pos := c.Len
	d, dh := c.Dim, c.Dim/c.Heads
	scale := F(1 / math.Sqrt(float64(dh)))
	for b := 0; b < c.Batch; b++ {
		base := b * c.MaxLen * d
		copy(c.K[base+pos*d:base+(pos+1)*d], k[b*d:(b+1)*d])
		copy(c.V[base+pos*d:base+(pos+1)*d], v[b*d:(b+1)*d])
		for h := 0; h < c.Heads; h++ {
			qh := q[b*d+h*dh : b*d+(h+1)*dh]
			sc := c.scores[:pos+1]
			for t := 0; t <= pos; t++ {
				kt := c.K[base+t*d+h*dh : base+t*d+(h+1)*dh]
				var dot F
				for j, x := range qh {
					dot += x * kt[j]
				}
				sc[t] = dot * scale
			}
			softmaxRow(sc, sc, pos+1)
			o := dst[b*d+h*dh : b*d+(h+1)*dh]
			clear(o)
			for t := 0; t <= pos; t++ {
				vt := c.V[base+t*d+h*dh : base+t*d+(h+1)*dh]
				w := sc[t]
				for j, x := range vt {
					o[j] += w * x
				}
			}
		}
	}
	c.Len++
}

// AttendStep is single-query multi-head attention for differentiable
// step-by-step decoding: the query q [B, D] of the newest position attends to
// the keys ks[t] and values vs[t] ([B, D] each) of positions t = 0…S−1, the
// newest included, with the head layout of Attention (heads consecutive
// blocks of D/heads features). The result [B, D] equals row S−1 of the causal
// Attention over the S positions. Unlike KVCache.Step, it records the
// operation, so gradients flow to q and to every key and value: a sequential
// (autoregressive) inverse built from it can be differentiated with respect
// to its inputs and to the parameters that produced the keys and values.
func (tp *Tape[F]) AttendStep(q *Tensor[F], ks, vs []*Tensor[F], heads int) *Tensor[F] {
	s := len(ks)
	if q.rank != 2 || s == 0 || len(vs) != s || heads <= 0 || q.shape[1]%heads != 0 {
		panic(fmt.Sprintf("nn: AttendStep: q %v with %d keys and %d values, %d heads: want q [B, D], D divisible by heads, as many keys as values (at least one)", q.Shape(), len(ks), len(vs), heads))
	}
	for t := range ks {
		if !sameShape(q, ks[t]) || !sameShape(q, vs[t]) {
			panic(fmt.Sprintf("nn: AttendStep: key %v or value %v at position %d differs from q %v", ks[t].Shape(), vs[t].Shape(), t, q.Shape()))
		}
	}
	b, d := q.shape[0], q.shape[1]
	dh := d / heads
	scale := F(1 / math.Sqrt(float64(dh)))
	out := tp.newTensor(q.shape, 2)
	p := tp.alloc(b * heads * s) // probabilities [B, H, S]
	for r := 0; r < b; r++ {
		for h := 0; h < heads; h++ {
			lo, hi := r*d+h*dh, r*d+(h+1)*dh
			qh := q.Data[lo:hi]
			pr := p[(r*heads+h)*s : (r*heads+h+1)*s]
			for t, k := range ks {
				var dot F
				for j, v := range k.Data[lo:hi] {
					dot += qh[j] * v
				}
				pr[t] = dot * scale
			}
			softmaxRow(pr, pr, s)
			o := out.Data[lo:hi]
			clear(o)
			for t, v := range vs {
				w := pr[t]
				for j, x := range v.Data[lo:hi] {
					o[j] += w * x
				}
			}
		}
	}
	if tp.needs(q) || tp.needs(ks...) || tp.needs(vs...) {
		l := tp.allocList(2 * s)
		copy(l, ks)
		copy(l[s:], vs)
		tp.push(record[F]{op: opAttendStep, out: out, a: q, list: l, s0: p, i0: heads})
	}
	return out
}

func (tp *Tape[F]) backAttendStep(r *record[F]) {
	q, heads := r.a, r.i0
	s := len(r.list) / 2
	ks, vs := r.list[:s], r.list[s:]
	b, d := q.shape[0], q.shape[1]
	dh := d / heads
	scale := F(1 / math.Sqrt(float64(dh)))
	gq := tp.grad(q)
	gout := r.out.Grad
	dp := tp.alloc(s)
	for row := 0; row < b; row++ {
		for h := 0; h < heads; h++ {
			lo, hi := row*d+h*dh, row*d+(h+1)*dh
			g := gout[lo:hi]
			pr := r.s0[(row*heads+h)*s : (row*heads+h+1)*s]
			// dp_t = g·v_t; ds_t = scale·p_t·(dp_t − Σ p·dp).
			var dot F
			for t, v := range vs {
				var x F
				for j, vv := range v.Data[lo:hi] {
					x += g[j] * vv
				}
				dp[t] = x
				dot += pr[t] * x
				if gv := tp.grad(v); gv != nil {
					for j := range g {
						gv[lo+j] += pr[t] * g[j]
					}
				}
			}
			for t, k := range ks {
				ds := scale * pr[t] * (dp[t] - dot)
				if gq != nil {
					for j, kv := range k.Data[lo:hi] {
						gq[lo+j] += ds * kv
					}
				}
				if gk := tp.grad(k); gk != nil {
					for j, qv := range q.Data[lo:hi] {
						gk[lo+j] += ds * qv
					}
				}
			}
		}
	}
}
