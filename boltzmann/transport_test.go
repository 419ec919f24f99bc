package boltzmann

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// expand returns the n×n assignment cost matrix of a transportation problem:
// source i repeated supply[i] times.
func expand(supply []int, n int, cost func(i, j int) float64) ([][]float64, []int) {
	var c [][]float64
	var src []int
	for i, s := range supply {
		for t := 0; t < s; t++ {
			row := make([]float64, n)
			for j := range row {
				row[j] = cost(i, j)
			}
			c = append(c, row)
			src = append(src, i)
		}
	}
	return c, src
}

// randSupply splits n into r ≥ 1 positive parts.
func randSupply(rng *rand.Rand, n, r int) []int {
	s := make([]int, r)
	for i := range s {
		s[i] = 1
	}
	for k := r; k < n; k++ {
		s[rng.IntN(r)]++
	}
	return s
}

// checkPlan asserts that colRow serves every sink from a source with the
// given supplies and that it costs total.
func checkPlan(t *testing.T, supply []int, cost func(i, j int) float64, colRow []int, total float64) {
	t.Helper()
	used := make([]int, len(supply))
	sum := 0.0
	for j, i := range colRow {
		require.True(t, i >= 0 && i < len(supply), "sink %d served by %d", j, i)
		used[i]++
		sum += cost(i, j)
	}
	assert.Equal(t, supply, used)
	assert.InDelta(t, total, sum, 1e-9*(1+math.Abs(sum)))
}

// randTransport returns a random problem with n sinks: 1 to n sources with
// random positive supplies summing to n and costs from gen.
func randTransport(rng *rand.Rand, n int, gen func() float64) ([]int, [][]float64) {
	supply := randSupply(rng, n, 1+rng.IntN(n))
	c := make([][]float64, len(supply))
	for i := range c {
		c[i] = make([]float64, n)
		for j := range c[i] {
			c[i][j] = gen()
		}
	}
	return supply, c
}

func TestTransportBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, k := range costKinds(rng) {
		t.Run(k.name, func(t *testing.T) {
			for trial := 0; trial < 60; trial++ {
				n := 1 + trial%8
				supply, c := randTransport(rng, n, k.gen)
				cf := func(i, j int) float64 { return c[i][j] }
				colRow := make([]int, n)
				got, err := Transport(supply, n, cf, colRow)
				require.NoError(t, err)
				full, _ := expand(supply, n, cf)
				assert.InDelta(t, bruteAssignment(full), got, 1e-9, "trial %d supply %v", trial, supply)
				checkPlan(t, supply, cf, colRow, got)
			}
		})
	}
}

// TestTransportMatchesAssignment compares with the dense Jonker–Volgenant
// solver on the expanded rows, on resampled-looking sets: few ancestors with
// many copies against distinct points on the 2-torus, spread uniformly or
// with the ancestors in the wrong basin (90 % against 50 %, so that much of
// the mass must cross).
func TestTransportMatchesAssignment(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	uniform := func(n int) [][]float64 { return randAngles(rng, n, 2) }
	wrong := func(n int) [][]float64 { return mismatchedAngles(rng, n, 0.9) }
	right := func(n int) [][]float64 { return mismatchedAngles(rng, n, 0.5) }
	for _, tc := range []struct {
		name     string
		n, r     int
		anc, pts func(int) [][]float64
	}{
		{"uniform", 50, 1, uniform, uniform},
		{"uniform", 300, 7, uniform, uniform},
		{"uniform", 1000, 40, uniform, uniform},
		{"mismatched", 400, 5, wrong, right},
		{"mismatched", 400, 40, wrong, right},
	} {
		anc, b := tc.anc(tc.r), tc.pts(tc.n)
		supply := randSupply(rng, tc.n, tc.r)
		pa := make([]float64, 0, 2*tc.r)
		for _, row := range anc {
			pa = append(pa, row...)
		}
		pb := make([]float64, 0, 2*tc.n)
		for _, row := range b {
			pb = append(pb, row...)
		}
		cf := torusCost(pa, pb, 2)
		colRow := make([]int, tc.n)
		got, err := Transport(supply, tc.n, cf, colRow)
		require.NoError(t, err)
		checkPlan(t, supply, cf, colRow, got)
		_, src := expand(supply, tc.n, cf)
		want := assignDense(tc.n, func(i, j int) float64 { return cf(src[i], j) }, nil)
		assert.InDelta(t, want, got, 1e-9*want, "%s: n %d, %d sources", tc.name, tc.n, tc.r)
	}
}

// TestTorusW2Duplicates checks that TorusW2 on a set with copies (merged into
// sources by Transport) equals the assignment on the expanded set, on either
// side.
func TestTorusW2Duplicates(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	anc := randAngles(rng, 9, 2)
	dup := make([][]float64, 400)
	for i := range dup {
		dup[i] = anc[rng.IntN(len(anc))]
	}
	b := randAngles(rng, 400, 2)
	got, m := TorusW2(dup, b, 0)
	require.Equal(t, 400, m)
	rev, _ := TorusW2(b, dup, 0)
	want := math.Sqrt(Assignment(m, func(i, j int) float64 { return WrappedSqDist(dup[i], b[j]) }, nil) / float64(m))
	assert.InDelta(t, want, got, 1e-12)
	assert.InDelta(t, want, rev, 1e-12)
	self, _ := TorusW2(dup, dup, 0)
	assert.InDelta(t, 0, self, 1e-12)
}

func TestTransportBadInput(t *testing.T) {
	cf := func(i, j int) float64 { return 0 }
	_, err := Transport([]int{1, 0}, 1, cf, nil)
	require.ErrorContains(t, err, "supply[1] = 0")
	_, err = Transport([]int{2, 2}, 3, cf, nil)
	require.ErrorContains(t, err, "sum to 4, want n = 3")
	_, err = Transport([]int{3}, 3, cf, make([]int, 2))
	require.ErrorContains(t, err, "colRow has length 2")
}

// BenchmarkTorusW2Resampled is the case that made the row-by-row solver slow:
// 5,000 resampled particles (50 ancestors) against 5,000 distinct frames.
func BenchmarkTorusW2Resampled(b *testing.B) {
	rng := rand.New(rand.NewPCG(13, 14))
	for _, r := range []int{50, 500} {
		anc := randAngles(rng, r, 2)
		x := make([][]float64, 5000)
		for i := range x {
			x[i] = anc[rng.IntN(r)]
		}
		y := randAngles(rng, 5000, 2)
		b.Run(itoa(r)+"ancestors", func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				TorusW2(x, y, 0)
			}
		})
	}
}

// TestTransportSmallCandidateGraphs uses candidate graphs far too small for a
// plan (k = 0, 1), so that the dense fallback and the dual check do the work,
// including the case where a partly served source falls back to every sink.
func TestTransportSmallCandidateGraphs(t *testing.T) {
	// A case that returned 14 instead of 12 when u_i was taken from an
	// arbitrary served sink.
	c := [][]float64{{9, 1, 9, 8, 6}, {9, 0, 8, 1, 0}, {0, 9, 5, 6, 9}, {3, 1, 6, 5, 8}}
	cf := func(i, j int) float64 { return c[i][j] }
	got, err := transportK([]int{1, 1, 1, 2}, 5, 0, cf, nil)
	require.NoError(t, err)
	full, _ := expand([]int{1, 1, 1, 2}, 5, cf)
	require.Equal(t, 12.0, bruteAssignment(full))
	assert.Equal(t, 12.0, got)

	rng := rand.New(rand.NewPCG(15, 16))
	for _, kind := range costKinds(rng) {
		for trial := 0; trial < 400; trial++ {
			n := 1 + trial%7
			supply, c := randTransport(rng, n, kind.gen)
			cf := func(i, j int) float64 { return c[i][j] }
			colRow := make([]int, n)
			got, err := transportK(supply, n, trial%2, cf, colRow)
			require.NoError(t, err)
			full, _ := expand(supply, n, cf)
			require.InDelta(t, bruteAssignment(full), got, 1e-9, "%s trial %d supply %v costs %v", kind.name, trial, supply, c)
			checkPlan(t, supply, cf, colRow, got)
		}
	}
}

// mismatchedAngles draws n points of two Gaussian basins on the 2-torus (φ, ψ
// near (−1.4, 2.6) and (−1.4, −0.7), σ 0.3) with a fraction w in the first:
// two such sets with different w force a large share of the plan across the
// gap between the basins, the case of a sampler that misweights basins.
func mismatchedAngles(rng *rand.Rand, n int, w float64) [][]float64 {
	x := make([][]float64, n)
	for i := range x {
		c := []float64{-1.4, -0.7}
		if rng.Float64() < w {
			c[1] = 2.6
		}
		x[i] = []float64{c[0] + 0.3*rng.NormFloat64(), c[1] + 0.3*rng.NormFloat64()}
	}
	return x
}

// BenchmarkTorusW2Mismatched measures the exact solver when the two sets put
// different weights on two basins (50 % against 90 % in the first), so that
// 40 % of the mass must cross between them.
func BenchmarkTorusW2Mismatched(b *testing.B) {
	for _, n := range []int{1000, 2000, 4000, 10000} {
		rng := rand.New(rand.NewPCG(17, 18))
		x := mismatchedAngles(rng, n, 0.5)
		y := mismatchedAngles(rng, n, 0.9)
		b.Run(itoa(n), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				TorusW2(x, y, 0)
			}
		})
	}
}

// TestAuctionEpsilonOptimal checks the auction's contract on random costs of
// every kind, with unit and with larger supplies: every source serves exactly
// its supply, every sink it serves is within (slack+1)·ε_min of the cheapest
// sink it does not serve at the final prices (over all sinks), and its
// candidate lists hold exact costs, with k = 2 (rescans on almost every bid)
// and k = sparseK.
func TestAuctionEpsilonOptimal(t *testing.T) {
	rng := rand.New(rand.NewPCG(19, 20))
	for _, kind := range costKinds(rng) {
		for _, tc := range []struct{ n, r int }{{1, 1}, {2, 2}, {7, 7}, {60, 60}, {250, 250}, {7, 3}, {60, 5}, {250, 40}, {250, 1}} {
			n := tc.n
			supply := randSupply(rng, n, tc.r)
			c := make([][]float64, tc.r)
			scale := 0.0
			for i := range c {
				c[i] = make([]float64, n)
				for j := range c[i] {
					c[i][j] = kind.gen()
					scale = max(scale, math.Abs(c[i][j]))
				}
			}
			cf := func(i, j int) float64 { return c[i][j] }
			for _, k := range []int{2, sparseK} {
				owner, p, cand, gotScale := auction(supply, n, k, cf)
				require.Equal(t, scale, gotScale)
				served := make([]int, tc.r)
				for _, i := range owner {
					served[i]++
				}
				require.Equal(t, supply, served, "%s n %d r %d k %d", kind.name, n, tc.r, k)
				eps := (auctionSlack + 1) * 1e-13 * scale
				for i := range c {
					best := math.Inf(1) // cheapest sink i does not serve
					for j := 0; j < n; j++ {
						if owner[j] != i {
							best = min(best, c[i][j]+p[j])
						}
					}
					for j := 0; j < n; j++ {
						if owner[j] == i {
							require.LessOrEqual(t, c[i][j]+p[j], best+eps+1e-15*math.Abs(best), "%s n %d r %d k %d source %d", kind.name, n, tc.r, k, i)
						}
					}
					require.LessOrEqual(t, len(cand[i]), min(n, max(k, 2)+supply[i]-1))
					for _, e := range cand[i] {
						require.Equal(t, c[i][e.j], e.c, "candidate costs are exact")
					}
				}
			}
		}
	}
}

// TestAssignmentMismatchedMatchesDense solves sets that weight two basins
// differently (40 % of the mass must cross) with the auction-started solver
// and with the dense one.
func TestAssignmentMismatchedMatchesDense(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	for _, n := range []int{65, 400} {
		a := mismatchedAngles(rng, n, 0.5)
		b := mismatchedAngles(rng, n, 0.9)
		cf := func(i, j int) float64 { return WrappedSqDist(a[i], b[j]) }
		dense := assignDense(n, cf, nil)
		sol := make([]int, n)
		got := Assignment(n, cf, sol)
		assert.InDelta(t, dense, got, 1e-9*dense, "n %d", n)
		seen := make([]bool, n)
		sum := 0.0
		for i, j := range sol {
			require.False(t, seen[j])
			seen[j] = true
			sum += cf(i, j)
		}
		assert.InDelta(t, got, sum, 1e-9*got)
	}
}

// TestTransportScaleInvariant checks that tolerances are relative: scaling
// every cost by 1e-9 or 1e9 scales the optimum by the same factor.
func TestTransportScaleInvariant(t *testing.T) {
	rng := rand.New(rand.NewPCG(25, 26))
	for trial := 0; trial < 20; trial++ {
		n := 150
		supply := randSupply(rng, n, []int{150, 20}[trial%2])
		c := make([][]float64, len(supply))
		for i := range c {
			c[i] = make([]float64, n)
			for j := range c[i] {
				c[i][j] = rng.Float64()
			}
		}
		ref, err := Transport(supply, n, func(i, j int) float64 { return c[i][j] }, nil)
		require.NoError(t, err)
		for _, f := range []float64{1e-9, 1e9} {
			got, err := Transport(supply, n, func(i, j int) float64 { return f * c[i][j] }, nil)
			require.NoError(t, err)
			require.InDelta(t, ref, got/f, 1e-9*ref, "trial %d factor %g", trial, f)
		}
	}
}
