package nn

import "unsafe"

// Packed gemm: C = alpha·op(A)·op(B) + beta·C with the AVX2/FMA micro-kernels
// (6×16 float32, 6×8 float64 tiles). op(B) is packed per k-block into panels
// of nr columns, op(A) into panels of 6 rows; row blocks of C are computed in
// parallel, each C element by exactly one item in a fixed order, so results do
// not depend on the number of workers.

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
	pc, kb   int // current k-block
	nr       int
	pa, pb   []F
	tiles    []F
}

func nrOf[F Float]() int {
	if isF32[F]() {
		return 16
	}
	return 8
}

func grow[F Float](s []F, n int) []F {
	if cap(s) < n {
		return make([]F, n)
	}
	return s[:n]
}

func gemmPacked[F Float](par, tA, tB bool, m, n, k int, alpha F, a []F, lda int, b []F, ldb int, beta F, c []F, ldc int) {
	// C ← beta·C first; the k-blocks then accumulate.
	if beta != 1 {
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
	mPanels := (m + packMR - 1) / packMR
	t.tA, t.tB, t.m, t.n, t.k, t.alpha = tA, tB, m, n, k, alpha
	t.nr = nr
	t.a, t.lda, t.b, t.ldb, t.c, t.ldc = a, lda, b, ldb, c, ldc
	kbMax := min(packKC, k)
	t.pb = grow(t.pb, np*nr*kbMax)
	t.pa = grow(t.pa, mPanels*packMR*kbMax)
	t.tiles = grow(t.tiles, nItems*packMR*nr)
	for pc := 0; pc < k; pc += packKC {
		kb := min(packKC, k-pc)
		t.pc, t.kb = pc, kb
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

// packB packs op(B)[pc:pc+kb, :] into panels of nr columns (zero padded).
func (t *packTask[F]) packB() {
	nr, kb, pc := t.nr, t.kb, t.pc
	np := (t.n + nr - 1) / nr
	for p := 0; p < np; p++ {
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

// run computes rows [item·packMC, …) of C for the current k-block.
func (t *packTask[F]) run(item int) {
	nr, kb, pc := t.nr, t.kb, t.pc
	i0 := item * packMC
	i1 := min(t.m, i0+packMC)
	// Pack A rows i0..i1 into 6-row panels.
	p0 := i0 / packMR
	nP := (i1 - i0 + packMR - 1) / packMR
	pa := t.pa[p0*packMR*kb : (p0+nP)*packMR*kb]
	for p := 0; p < nP; p++ {
		dst := pa[p*packMR*kb : (p+1)*packMR*kb]
		r0 := i0 + p*packMR
		h := min(packMR, i1-r0)
		if h < packMR {
			clear(dst)
		}
		if t.tA {
			// Row l of the stored A holds op(A)[r0:r0+h, pc+l] contiguously.
			for l := 0; l < kb; l++ {
				copy(dst[l*packMR:l*packMR+h], t.a[(pc+l)*t.lda+r0:(pc+l)*t.lda+r0+h])
			}
			continue
		}
		for ii := 0; ii < h; ii++ {
			src := t.a[(r0+ii)*t.lda+pc : (r0+ii)*t.lda+pc+kb]
			for l, v := range src {
				dst[l*packMR+ii] = v
			}
		}
	}
	tile := t.tiles[item*packMR*nr : (item+1)*packMR*nr]
	np := (t.n + nr - 1) / nr
	for q := 0; q < np; q++ {
		j0 := q * nr
		w := min(nr, t.n-j0)
		bp := t.pb[q*nr*kb : (q+1)*nr*kb]
		for p := 0; p < nP; p++ {
			r0 := i0 + p*packMR
			h := min(packMR, i1-r0)
			ap := pa[p*packMR*kb : (p+1)*packMR*kb]
			if isF32[F]() {
				sgemm6x16(kb, (*float32)(unsafe.Pointer(&ap[0])), (*float32)(unsafe.Pointer(&bp[0])), (*float32)(unsafe.Pointer(&tile[0])))
			} else {
				dgemm6x8(kb, (*float64)(unsafe.Pointer(&ap[0])), (*float64)(unsafe.Pointer(&bp[0])), (*float64)(unsafe.Pointer(&tile[0])))
			}
			alpha := t.alpha
			for ii := 0; ii < h; ii++ {
				crow := t.c[(r0+ii)*t.ldc+j0 : (r0+ii)*t.ldc+j0+w]
				trow := tile[ii*nr : ii*nr+w]
				if alpha == 1 {
					for j, v := range trow {
						crow[j] += v
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
