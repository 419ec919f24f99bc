package nn

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// naiveGemm computes C = alpha·op(A)·op(B) + beta·C by the definition.
func naiveGemm(tA, tB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s float64
			for l := 0; l < k; l++ {
				var av, bv float64
				if tA {
					av = a[l*lda+i]
				} else {
					av = a[i*lda+l]
				}
				if tB {
					bv = b[j*ldb+l]
				} else {
					bv = b[l*ldb+j]
				}
				s += av * bv
			}
			c[i*ldc+j] = alpha*s + beta*c[i*ldc+j]
		}
	}
}

func TestBLASBackendNamed(t *testing.T) {
	t.Logf("BLAS %s, kernels %s", BLASBackend, KernelName())
	require.Contains(t, []string{"gonum", "openblas"}, BLASBackend)
	require.Contains(t, []string{"none", "avx2", "avx512"}, KernelName())
}

func TestGemmMatchesDefinition(t *testing.T) {
	defer func(v bool) { useAVX512 = v }(useAVX512)
	kernels := []bool{false}
	if hasAVX512 {
		kernels = append(kernels, true)
	}
	for _, avx512 := range kernels {
		useAVX512 = avx512
		t.Logf("kernels: asm %v, AVX-512 %v", hasGemmKernel, avx512)
		testGemm(t)
	}
}

func testGemm(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, d := range [][3]int{{1, 1, 1}, {3, 5, 7}, {130, 70, 65}, {200, 9, 300}, {17, 256, 256}, {256, 6, 256}, {144, 32, 520}, {12, 48, 3}} {
		m, n, k := d[0], d[1], d[2]
		for _, tA := range []bool{false, true} {
			for _, tB := range []bool{false, true} {
				lda, ldb := k+3, n+1
				ra, rb := m, k
				if tA {
					lda, ra = m+2, k
				}
				if tB {
					ldb, rb = k, n
				}
				a, b := make([]float64, ra*lda), make([]float64, rb*ldb)
				c := make([]float64, m*(n+4))
				for _, s := range [][]float64{a, b, c} {
					for i := range s {
						s[i] = rng.Float64()*2 - 1
					}
				}
				for _, ab := range [][2]float64{{0.7, 0.3}, {1, 0}, {1, 1}} {
					alpha, beta := ab[0], ab[1]
					want := append([]float64(nil), c...)
					naiveGemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, want, n+4)
					got := append([]float64(nil), c...)
					gemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, got, n+4)
					require.InDeltaSlice(t, want, got, 1e-11, "f64 %v tA=%v tB=%v alpha=%v beta=%v", d, tA, tB, alpha, beta)

					a32, b32, c32 := toF32(a), toF32(b), toF32(c)
					gemm(tA, tB, m, n, k, float32(alpha), a32, lda, b32, ldb, float32(beta), c32, n+4)
					for i := range want {
						require.InDelta(t, want[i], float64(c32[i]), 1e-4*float64(k), "f32 %v tA=%v tB=%v", d, tA, tB)
					}
				}
			}
		}
	}
}

func toF32(s []float64) []float32 {
	r := make([]float32, len(s))
	for i, v := range s {
		r[i] = float32(v)
	}
	return r
}
