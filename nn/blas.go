package nn

import (
	"runtime"
	"sync"
	"sync/atomic"
	"unsafe"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
)

// directBLAS is set by the openblas build to call the BLAS implementation
// directly (it parallelises itself without Go heap allocations). The default
// pure-Go build blocks large products itself so that gonum's serial kernel is
// used and the work is spread over a persistent worker pool without
// allocating.
var directBLAS = false

// BLASBackend names the BLAS implementation of large products: "gonum"
// (pure-Go gonum, or the package's assembly kernels when the CPU has AVX2 and
// FMA; see KernelName) or "openblas" (cgo, build tag openblas).
var BLASBackend = "gonum"

// KernelName describes the in-package gemm kernels in use: "avx512",
// "avx2" or "none" (gonum's pure-Go BLAS).
func KernelName() string {
	switch {
	case !hasGemmKernel:
		return "none"
	case useAVX512:
		return "avx512"
	}
	return "avx2"
}

const gemmBlock = 64

// directMinWork is the smallest m·n·k sent to OpenBLAS when directBLAS is
// set; smaller products (per-head attention) avoid the cgo call overhead.
const directMinWork = 64 * 64 * 64

func trans(t bool) blas.Transpose {
	if t {
		return blas.Trans
	}
	return blas.NoTrans
}

func isF32[F Float]() bool {
	var z F
	return unsafe.Sizeof(z) == 4
}

func asF32[F Float](s []F) []float32 {
	return unsafe.Slice((*float32)(unsafe.Pointer(unsafe.SliceData(s))), len(s))
}

func asF64[F Float](s []F) []float64 {
	return unsafe.Slice((*float64)(unsafe.Pointer(unsafe.SliceData(s))), len(s))
}

// gemmRaw calls the active BLAS implementation once.
func gemmRaw[F Float](tA, tB bool, m, n, k int, alpha F, a []F, lda int, b []F, ldb int, beta F, c []F, ldc int) {
	if isF32[F]() {
		blas32.Implementation().Sgemm(trans(tA), trans(tB), m, n, k, float32(alpha), asF32(a), lda, asF32(b), ldb, float32(beta), asF32(c), ldc)
		return
	}
	blas64.Implementation().Dgemm(trans(tA), trans(tB), m, n, k, float64(alpha), asF64(a), lda, asF64(b), ldb, float64(beta), asF64(c), ldc)
}

// view returns the sub-matrix of the row-major matrix a (leading dimension
// lda) starting at (i, j) with r rows and c columns.
func view[F Float](a []F, lda, i, j, r, c int) []F {
	if r == 0 || c == 0 {
		return a[:0]
	}
	return a[i*lda+j : (i+r-1)*lda+j+c]
}

// gemm computes C = alpha·op(A)·op(B) + beta·C for row-major matrices, where
// op(A) is m×k and op(B) is k×n. It never allocates. Large products are split
// into 64×64 blocks of C computed in parallel with a fixed partition, so the
// result does not depend on the number of workers.
func gemm[F Float](tA, tB bool, m, n, k int, alpha F, a []F, lda int, b []F, ldb int, beta F, c []F, ldc int) {
	gemmPar(true, tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// gemmSerial is gemm without parallelism, for use inside parallel tasks.
func gemmSerial[F Float](tA, tB bool, m, n, k int, alpha F, a []F, lda int, b []F, ldb int, beta F, c []F, ldc int) {
	gemmPar(false, tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

func gemmPar[F Float](par, tA, tB bool, m, n, k int, alpha F, a []F, lda int, b []F, ldb int, beta F, c []F, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	if hasGemmKernel && (!directBLAS || m*n*k < directMinWork) {
		gemmPacked(par, tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	bm := (m + gemmBlock - 1) / gemmBlock
	bn := (n + gemmBlock - 1) / gemmBlock
	if directBLAS || (bm*bn < 4 && k <= gemmBlock) || k == 0 {
		gemmRaw(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	t := getGemmTask[F]()
	t.tA, t.tB, t.m, t.n, t.k = tA, tB, m, n, k
	t.alpha, t.beta = alpha, beta
	t.a, t.lda, t.b, t.ldb, t.c, t.ldc = a, lda, b, ldb, c, ldc
	t.bn = bn
	if par {
		parallelFor(bm*bn, t)
	} else {
		for i := 0; i < bm*bn; i++ {
			t.run(i)
		}
	}
	t.a, t.b, t.c = nil, nil, nil
	putGemmTask(t)
}

type gemmTask[F Float] struct {
	tA, tB      bool
	m, n, k, bn int
	alpha, beta F
	a, b, c     []F
	lda, ldb    int
	ldc         int
}

func (t *gemmTask[F]) run(blk int) {
	i := (blk / t.bn) * gemmBlock
	j := (blk % t.bn) * gemmBlock
	li := min(gemmBlock, t.m-i)
	lj := min(gemmBlock, t.n-j)
	cs := view(t.c, t.ldc, i, j, li, lj)
	beta := t.beta
	for kk := 0; kk < t.k; kk += gemmBlock {
		lk := min(gemmBlock, t.k-kk)
		var as, bs []F
		if t.tA {
			as = view(t.a, t.lda, kk, i, lk, li)
		} else {
			as = view(t.a, t.lda, i, kk, li, lk)
		}
		if t.tB {
			bs = view(t.b, t.ldb, j, kk, lj, lk)
		} else {
			bs = view(t.b, t.ldb, kk, j, lk, lj)
		}
		gemmRaw(t.tA, t.tB, li, lj, lk, t.alpha, as, t.lda, bs, t.ldb, beta, cs, t.ldc)
		beta = 1
	}
}

var (
	gemmMu    sync.Mutex
	gemmFree  []any
	batchMu   sync.Mutex
	batchFree []*batch
)

func getGemmTask[F Float]() *gemmTask[F] {
	gemmMu.Lock()
	for i := len(gemmFree) - 1; i >= 0; i-- {
		if t, ok := gemmFree[i].(*gemmTask[F]); ok {
			gemmFree[i] = gemmFree[len(gemmFree)-1]
			gemmFree = gemmFree[:len(gemmFree)-1]
			gemmMu.Unlock()
			return t
		}
	}
	gemmMu.Unlock()
	return new(gemmTask[F])
}

func putGemmTask[F Float](t *gemmTask[F]) {
	gemmMu.Lock()
	gemmFree = append(gemmFree, t)
	gemmMu.Unlock()
}

// task is a unit of parallel work: run(i) processes item i. Items must write
// disjoint memory so that results do not depend on scheduling.
type task interface{ run(i int) }

type batch struct {
	t    task
	n    int64
	next atomic.Int64
	wg   sync.WaitGroup
}

func (b *batch) drain() {
	for {
		i := b.next.Add(1) - 1
		if i >= b.n {
			return
		}
		b.t.run(int(i))
	}
}

var (
	poolOnce sync.Once
	poolCh   chan *batch
	poolSize int
)

func startPool() {
	poolSize = max(runtime.NumCPU(), 2) - 1
	poolCh = make(chan *batch, 4*poolSize)
	for w := 0; w < poolSize; w++ {
		go func() {
			for b := range poolCh {
				b.drain()
				b.wg.Done()
			}
		}()
	}
}

// maxThreads is the limit set by SetMaxThreads (0: none).
var maxThreads atomic.Int32

// SetMaxThreads limits the goroutines that one matrix product or attention
// call spreads over to n (n ≤ 0 removes the limit; the default is GOMAXPROCS).
// A process that runs as many independent trainings at once as it has cores
// (agents' rl-bench with -workers 2 on 2 cores) sets 1, so that each training
// keeps to its core instead of waiting for helpers that the other one
// occupies. Results do not depend on it: the partition of the work is fixed.
func SetMaxThreads(n int) { maxThreads.Store(int32(max(n, 0))) }

// ShareCores sets the limit for runs independent computations that proceed
// at once in this process, each with its own goroutine: every matrix product
// then spreads over GOMAXPROCS/runs goroutines (at least one). It returns a
// function that restores the previous limit. Results do not depend on it.
func ShareCores(runs int) (restore func()) {
	old := int(maxThreads.Load())
	SetMaxThreads(max(1, runtime.GOMAXPROCS(0)/max(runs, 1)))
	return func() { SetMaxThreads(old) }
}

// parallelFor runs t.run(i) for i in [0, n) on up to GOMAXPROCS goroutines of
// a persistent pool (the caller takes part), or fewer after SetMaxThreads. It
// must not be called from inside a task. It does not allocate in steady state.
func parallelFor(n int, t task) {
	w := min(runtime.GOMAXPROCS(0), n)
	if m := int(maxThreads.Load()); m > 0 {
		w = min(w, m)
	}
	if w <= 1 {
		for i := 0; i < n; i++ {
			t.run(i)
		}
		return
	}
	poolOnce.Do(startPool)
	w = min(w, poolSize+1)
	batchMu.Lock()
	var b *batch
	if k := len(batchFree); k > 0 {
		b = batchFree[k-1]
		batchFree = batchFree[:k-1]
	}
	batchMu.Unlock()
	if b == nil {
		b = new(batch)
	}
	b.t = t
	b.n = int64(n)
	b.next.Store(0)
	b.wg.Add(w - 1)
	for i := 0; i < w-1; i++ {
		poolCh <- b
	}
	b.drain()
	b.wg.Wait()
	b.t = nil
	batchMu.Lock()
	batchFree = append(batchFree, b)
	batchMu.Unlock()
}
