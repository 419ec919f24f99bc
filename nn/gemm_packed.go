package nn

import "unsafe"

// Kernel-based gemm: C = alpha·op(A)·op(B) + beta·C with the AVX2/FMA
// micro-kernels (6×16 float32, 6×8 float64 tiles). Full 6-row panels of A
// and, when B is not transposed, full column panels of B are read in place;
// transposed B and partial panels are packed (zero padded). Full tiles are
// accumulated straight into C when alpha = 1, others go through a small tile
// buffer. Row blocks of C are computed in parallel, each C element by exactly
// one item in a fixed order, so results do not depend on the number of
// workers.

const (
	packMR = 6
	packKC = 256
	packMC = 72 // rows per parallel item (multiple of packMR)
)

type packTask[F Float] struct {
	tA, tB   bool
	m, n, k  int
	alpha    F
	a, b, c  []F
	lda, ldb int
	ldc      int
	pc, kb   int  // current k-block
	store    bool // the current k-block overwrites C (beta = 0, first block)
	nr       int
	pa, pb   []F
	tiles    []F
}

// useAVX512 selects the AVX-512 kernels when the CPU has them; tests switch
// it off to cover the AVX2 kernels too.
var useAVX512 = hasAVX512

// nrOf returns the tile width (columns) of the active kernel.
func nrOf[F Float]() int {
	n := 8
	if isF32[F]() {
		n = 16
	}
	if useAVX512 {
		n *= 2
	}
	return n
}

func grow[F Float](s []F, n int) []F {
	if cap(s) < n {
		return make([]F, n)
	}
	return s[:n]
}

func gemmPacked[F Float](par, tA, tB bool, m, n, k int, alpha F, a []F, lda int, b []F, ldb int, beta F, c []F, ldc int) {
	// C ← beta·C first (for beta = 0 the first k-block stores instead); the
	// k-blocks then accumulate.
	if beta != 1 && (beta != 0 || k == 0 || alpha == 0) {
		for i := 0; i < m; i++ {
			row := c[i*ldc : i*ldc+n]
			if beta == 0 {
				clear(row)
			} else {
				for j := range row {
					row[j] *= beta
				}
			}
		}
	}
	if k == 0 || alpha == 0 {
		return
	}
	t := getPackTask[F]()
	nr := nrOf[F]()
	np := (n + nr - 1) / nr
	nItems := (m + packMC - 1) / packMC
	t.tA, t.tB, t.m, t.n, t.k, t.alpha = tA, tB, m, n, k, alpha
	t.a, t.lda, t.b, t.ldb, t.c, t.ldc = a, lda, b, ldb, c, ldc
	t.nr = nr
	kbMax := min(packKC, k)
	t.pb = grow(t.pb, np*nr*kbMax)
	t.pa = grow(t.pa, nItems*packMR*kbMax)
	t.tiles = grow(t.tiles, nItems*packMR*nr)
	for pc := 0; pc < k; pc += packKC {
		kb := min(packKC, k-pc)
		t.pc, t.kb = pc, kb
		t.store = pc == 0 && beta == 0
		t.packB()
		if par && nItems > 1 {
			parallelFor(nItems, t)
		} else {
			for i := 0; i < nItems; i++ {
				t.run(i)
			}
		}
	}
	t.a, t.b, t.c = nil, nil, nil
	putPackTask(t)
}

// bDirect reports whether column panel q of op(B) is read in place.
func (t *packTask[F]) bDirect(q int) bool {
	return !t.tB && (q+1)*t.nr <= t.n
}

// packB packs the panels of op(B)[pc:pc+kb, :] that are not read in place
// into panels of nr columns (zero padded).
func (t *packTask[F]) packB() {
	nr, kb, pc := t.nr, t.kb, t.pc
	np := (t.n + nr - 1) / nr
	for p := 0; p < np; p++ {
		if t.bDirect(p) {
			continue
		}
		j0 := p * nr
		w := min(nr, t.n-j0)
		dst := t.pb[p*nr*kb : (p+1)*nr*kb]
		if !t.tB {
			for l := 0; l < kb; l++ {
				src := t.b[(pc+l)*t.ldb+j0 : (pc+l)*t.ldb+j0+w]
				d := dst[l*nr : (l+1)*nr]
				copy(d, src)
				clear(d[w:])
			}
			continue
		}
		if w < nr {
			clear(dst)
		}
		for jj := 0; jj < w; jj++ {
			src := t.b[(j0+jj)*t.ldb+pc : (j0+jj)*t.ldb+pc+kb]
			for l, v := range src {
				dst[l*nr+jj] = v
			}
		}
	}
}

func (t *packTask[F]) kernel(kb int, a []F, rs, cs int, b []F, ldb int, c []F, ldc, acc int) {
	if t.nr == 32 {
		sgemm6x32(kb, (*float32)(unsafe.Pointer(&a[0])), rs, cs, (*float32)(unsafe.Pointer(&b[0])), ldb, (*float32)(unsafe.Pointer(&c[0])), ldc, acc)
	} else if t.nr == 16 && !isF32[F]() {
		dgemm6x16(kb, (*float64)(unsafe.Pointer(&a[0])), rs, cs, (*float64)(unsafe.Pointer(&b[0])), ldb, (*float64)(unsafe.Pointer(&c[0])), ldc, acc)
	} else if isF32[F]() {
		sgemm6x16(kb, (*float32)(unsafe.Pointer(&a[0])), rs, cs, (*float32)(unsafe.Pointer(&b[0])), ldb, (*float32)(unsafe.Pointer(&c[0])), ldc, acc)
	} else {
		dgemm6x8(kb, (*float64)(unsafe.Pointer(&a[0])), rs, cs, (*float64)(unsafe.Pointer(&b[0])), ldb, (*float64)(unsafe.Pointer(&c[0])), ldc, acc)
	}
}

// run computes rows [item·packMC, …) of C for the current k-block.
func (t *packTask[F]) run(item int) {
	nr, kb, pc := t.nr, t.kb, t.pc
	i0 := item * packMC
	i1 := min(t.m, i0+packMC)
	nP := (i1 - i0 + packMR - 1) / packMR
	// Pack the partial last row panel, if any (zero padded).
	pa := t.pa[item*packMR*kb : (item+1)*packMR*kb]
	if rem := (i1 - i0) % packMR; rem != 0 {
		r0 := i0 + (nP-1)*packMR
		clear(pa)
		for ii := 0; ii < rem; ii++ {
			for l := 0; l < kb; l++ {
				pa[l*packMR+ii] = t.opA(r0+ii, pc+l)
			}
		}
	}
	tile := t.tiles[item*packMR*nr : (item+1)*packMR*nr]
	np := (t.n + nr - 1) / nr
	for q := 0; q < np; q++ {
		j0 := q * nr
		w := min(nr, t.n-j0)
		bs, ldb := t.pb[q*nr*kb:(q+1)*nr*kb], nr
		if t.bDirect(q) {
			bs, ldb = t.b[pc*t.ldb+j0:], t.ldb
		}
		for p := 0; p < nP; p++ {
			r0 := i0 + p*packMR
			h := min(packMR, i1-r0)
			as, rs, cs := pa, 1, packMR
			if h == packMR {
				if t.tA {
					as, rs, cs = t.a[pc*t.lda+r0:], 1, t.lda
				} else {
					as, rs, cs = t.a[r0*t.lda+pc:], t.lda, 1
				}
			}
			if h == packMR && w == nr && t.alpha == 1 {
				acc := 1
				if t.store {
					acc = 0
				}
				t.kernel(kb, as, rs, cs, bs, ldb, t.c[r0*t.ldc+j0:], t.ldc, acc)
				continue
			}
			t.kernel(kb, as, rs, cs, bs, ldb, tile, nr, 0)
			alpha := t.alpha
			for ii := 0; ii < h; ii++ {
				crow := t.c[(r0+ii)*t.ldc+j0 : (r0+ii)*t.ldc+j0+w]
				trow := tile[ii*nr : ii*nr+w]
				if t.store {
					for j, v := range trow {
						crow[j] = alpha * v
					}
				} else {
					for j, v := range trow {
						crow[j] += alpha * v
					}
				}
			}
		}
	}
}

// opA returns op(A)[i, l].
func (t *packTask[F]) opA(i, l int) F {
	if t.tA {
		return t.a[l*t.lda+i]
	}
	return t.a[i*t.lda+l]
}

func getPackTask[F Float]() *packTask[F] {
	gemmMu.Lock()
	for i := len(gemmFree) - 1; i >= 0; i-- {
		if t, ok := gemmFree[i].(*packTask[F]); ok {
			gemmFree[i] = gemmFree[len(gemmFree)-1]
			gemmFree = gemmFree[:len(gemmFree)-1]
			gemmMu.Unlock()
			return t
		}
	}
	gemmMu.Unlock()
	return new(packTask[F])
}

func putPackTask[F Float](t *packTask[F]) {
	gemmMu.Lock()
	gemmFree = append(gemmFree, t)
	gemmMu.Unlock()
}
