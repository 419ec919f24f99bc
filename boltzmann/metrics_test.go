package boltzmann

import (
	"math"
	"math/rand/v2"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/boltzflow/boltzflow/molecules"
)

// bruteAssignment returns the minimum total cost over all permutations.
func bruteAssignment(c [][]float64) float64 {
	n := len(c)
	perm := make([]int, n)
	for i := range perm {
		perm[i] = i
	}
	best := math.Inf(1)
	var rec func(k int, acc float64)
	rec = func(k int, acc float64) {
		if k == n {
			best = math.Min(best, acc)
			return
		}
		for i := k; i < n; i++ {
			perm[k], perm[i] = perm[i], perm[k]
			rec(k+1, acc+c[k][perm[k]])
			perm[k], perm[i] = perm[i], perm[k]
		}
	}
	rec(0, 0)
	return best
}

// costKind is a named generator of random costs.
type costKind struct {
	name string
	gen  func() float64
}

// costKinds returns cost generators for the brute-force tests: continuous,
// heavily tied and signed costs.
func costKinds(rng *rand.Rand) []costKind {
	return []costKind{
		{"uniform", func() float64 { return rng.Float64() }},
		{"integer ties", func() float64 { return float64(rng.IntN(3)) }},
		{"negative", func() float64 { return rng.NormFloat64() * 10 }},
	}
}

func TestAssignmentBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, k := range costKinds(rng) {
		t.Run(k.name, func(t *testing.T) {
			for trial := 0; trial < 60; trial++ {
				n := 1 + trial%8
				c := make([][]float64, n)
				for i := range c {
					c[i] = make([]float64, n)
					for j := range c[i] {
						c[i][j] = k.gen()
					}
				}
				sol := make([]int, n)
				cf := func(i, j int) float64 { return c[i][j] }
				got := Assignment(n, cf, sol)
				want := bruteAssignment(c)
				require.InDelta(t, want, got, 1e-9, "n=%d trial=%d", n, trial)
				// The sparse solver with tiny candidate sets must still
				// be exact (dense fallback and dual-check rounds).
				for _, k := range []int{1, 2} {
					require.InDelta(t, want, assignSparse(n, k, cf, nil), 1e-9, "sparse k=%d n=%d trial=%d", k, n, trial)
				}
				seen := make([]bool, n)
				sum := 0.0
				for i, j := range sol {
					require.False(t, seen[j], "column %d assigned twice", j)
					seen[j] = true
					sum += c[i][j]
				}
				require.InDelta(t, got, sum, 1e-9)
			}
		})
	}
}

func TestAssignmentSparseMatchesDense(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for _, n := range []int{50, 400} {
		a := randAngles(rng, n, 2)
		b := randAngles(rng, n, 2)
		cf := func(i, j int) float64 { return WrappedSqDist(a[i], b[j]) }
		dense := assignDense(n, cf, nil)
		for _, k := range []int{3, 24} {
			assert.InDelta(t, dense, assignSparse(n, k, cf, nil), 1e-9*dense, "n=%d k=%d", n, k)
		}
	}
}

func TestAssignmentDuplicateRows(t *testing.T) {
	// Resampled sets hold many copies of a few points.
	rng := rand.New(rand.NewPCG(13, 14))
	n := 500
	pts := randAngles(rng, 3, 2)
	a := make([][]float64, n)
	for i := range a {
		a[i] = pts[rng.IntN(3)]
	}
	b := randAngles(rng, n, 2)
	cf := func(i, j int) float64 { return WrappedSqDist(a[i], b[j]) }
	dense := assignDense(n, cf, nil)
	assert.InDelta(t, dense, assignSparse(n, 8, cf, nil), 1e-9*dense)
}

func TestAssignmentPermutationRecovered(t *testing.T) {
	// Points matched to a permuted copy of themselves: optimal cost 0 and
	// the solver must return the inverse permutation.
	rng := rand.New(rand.NewPCG(3, 4))
	n := 300
	pts := make([]float64, n)
	for i := range pts {
		pts[i] = rng.Float64()
	}
	perm := rng.Perm(n)
	sol := make([]int, n)
	got := Assignment(n, func(i, j int) float64 { d := pts[i] - pts[perm[j]]; return d * d }, sol)
	assert.InDelta(t, 0, got, 1e-12)
	for i, j := range sol {
		assert.Equal(t, i, perm[j])
	}
}

func TestEnergyW2(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	a := make([]float64, 5000)
	b := make([]float64, 5000)
	for i := range a {
		a[i] = rng.NormFloat64()
	}
	copy(b, a)
	rng.Shuffle(len(b), func(i, j int) { b[i], b[j] = b[j], b[i] })
	assert.Equal(t, 0.0, EnergyW2(a, b), "same set, shuffled")

	// Shift: W2 = |shift| exactly.
	for i := range b {
		b[i] = a[i] + 3
	}
	assert.InDelta(t, 3, EnergyW2(a, b), 1e-12)
	assert.InDelta(t, 3, EnergyW1(a, b), 1e-12)

	// Two Gaussians N(0,1) and N(1, 2²): W2² = 1 + (2−1)² = 2.
	n := 10000
	g1 := make([]float64, n)
	g2 := make([]float64, n)
	for i := range g1 {
		g1[i] = rng.NormFloat64()
		g2[i] = 1 + 2*rng.NormFloat64()
	}
	assert.InDelta(t, math.Sqrt(2), EnergyW2(g1, g2), 0.05)

	// Thinning to MaxEvalSamples takes every other entry of a set twice as
	// long (a prefix would include the 1e6 entries).
	long := make([]float64, 2*MaxEvalSamples)
	for i := 1; i < len(long); i += 2 {
		long[i] = 1e6
	}
	assert.Equal(t, 0.0, EnergyW2(long, make([]float64, MaxEvalSamples)))
	assert.True(t, math.IsNaN(EnergyW2(nil, a)))
	assert.True(t, math.IsNaN(EnergyW2([]float64{math.NaN()}, a)))
}

// TestMetricsThinOrderedSets checks that both metrics compare a resampled
// set, which smc.Resample returns ordered by ancestor, as a whole: the first
// half of a are copies of one state and the second half of another, in equal
// weight, as in b. Taking the first m rows instead would see one state only.
func TestMetricsThinOrderedSets(t *testing.T) {
	const n, m = 5000, 2000
	ea, eb := make([]float64, n), make([]float64, m)
	aa, ab := make([][]float64, n), make([][]float64, m)
	for i := range ea {
		if i >= n/2 {
			ea[i] = 1
			aa[i] = []float64{-1.5, 2.5}
		} else {
			aa[i] = []float64{-1.5, -0.7}
		}
	}
	for i := range eb {
		eb[i] = float64(i % 2)
		ab[i] = aa[(i%2)*(n-1)]
	}
	assert.Equal(t, 0.0, EnergyW2(ea, eb))
	w, k := TorusW2(aa, ab, 0)
	assert.Equal(t, m, k)
	assert.InDelta(t, 0, w, 1e-12)
	// A non-finite angle gives NaN, not a crash in the solver (dense and
	// sparse paths).
	for _, k := range []int{10, 1600} {
		bad, ref := randAngles(rand.New(rand.NewPCG(1, uint64(k))), k, 2), randAngles(rand.New(rand.NewPCG(2, uint64(k))), k, 2)
		bad[k/2][1] = math.NaN()
		w, _ = TorusW2(bad, ref, 0)
		assert.True(t, math.IsNaN(w), "m=%d", k)
	}
	// Subsample spreads over the whole trajectory: 15 frames to 10 takes
	// frames up to 13, not the first 10.
	fr := make([][]float64, 15)
	for i := range fr {
		fr[i] = []float64{float64(i)}
	}
	sub := Subsample(fr, 10)
	assert.Len(t, sub, 10)
	assert.Equal(t, 13.0, sub[9][0])
	// Thinning picks x[⌊i·len/m⌋].
	assert.Equal(t, []int{0, 2, 5, 7}, thin([]int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, 4))
	assert.Equal(t, []int{1, 2}, thin([]int{1, 2}, 5))
}

func TestESSHandCases(t *testing.T) {
	assert.InDelta(t, 1, ESS([]float64{0.3, 0.3, 0.3, 0.3}), 1e-12)
	// −Inf entries (clipped or non-finite proposals) are not counted: one
	// finite weight of one is an ESS of 1, and weights 1, 3 among dropped
	// entries give the same 0.8 as without them.
	assert.InDelta(t, 1, ESS([]float64{0, math.Inf(-1), math.Inf(-1), math.Inf(-1)}), 1e-12)
	assert.InDelta(t, 0.8, ESS([]float64{math.Inf(-1), 0, math.Inf(-1), math.Log(3)}), 1e-12)
	assert.Equal(t, 0.0, ESS([]float64{math.Inf(-1)}))
	assert.Equal(t, 0.0, ESS(nil))
	// Weights 1 and 3: (1+3)²/(2·(1+9)) = 0.8.
	assert.InDelta(t, 0.8, ESS([]float64{0, math.Log(3)}), 1e-12)
}

func randAngles(rng *rand.Rand, n, d int) [][]float64 {
	x := make([][]float64, n)
	for i := range x {
		x[i] = make([]float64, d)
		for k := range x[i] {
			x[i][k] = (2*rng.Float64() - 1) * math.Pi
		}
	}
	return x
}

func TestTorusW2(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	a := randAngles(rng, 200, 2)

	w, m := TorusW2(a, a, 0)
	assert.Equal(t, 200, m)
	assert.InDelta(t, 0, w, 1e-12, "a set with itself")

	// Invariance to 2π shifts of any coordinate.
	b := randAngles(rng, 200, 2)
	ref, _ := TorusW2(a, b, 0)
	shifted := make([][]float64, len(b))
	for i := range b {
		shifted[i] = []float64{b[i][0] + 2*math.Pi*float64(rng.IntN(5)-2), b[i][1] - 4*math.Pi}
	}
	got, _ := TorusW2(a, shifted, 0)
	assert.InDelta(t, ref, got, 1e-9)

	// Symmetry and the bound: per-angle cost ≤ π².
	rev, _ := TorusW2(b, a, 0)
	assert.InDelta(t, ref, rev, 1e-9)
	assert.LessOrEqual(t, ref, math.Sqrt(2)*math.Pi)

	// Wrap-around: points near +π and −π are close.
	p := [][]float64{{math.Pi - 0.01}}
	q := [][]float64{{-math.Pi + 0.01}}
	w, _ = TorusW2(p, q, 0)
	assert.InDelta(t, 0.02, w, 1e-12)

	// A rigid shift by δ of every point of a set is a transport of cost δ²
	// per point; it is optimal for small δ on well-separated points.
	grid := [][]float64{}
	for i := 0; i < 6; i++ {
		for j := 0; j < 6; j++ {
			grid = append(grid, []float64{-math.Pi + float64(i)*math.Pi/3, -math.Pi + float64(j)*math.Pi/3})
		}
	}
	moved := make([][]float64, len(grid))
	for i := range grid {
		moved[i] = []float64{grid[i][0] + 0.1, grid[i][1]}
	}
	w, _ = TorusW2(grid, moved, 0)
	assert.InDelta(t, 0.1, w, 1e-12)

	// Thinning to max rows.
	w, m = TorusW2(a, b, 50)
	assert.Equal(t, 50, m)
	w2, _ := TorusW2(thin(a, 50), thin(b, 50), 0)
	assert.Equal(t, w2, w)
}

func TestWrappedSqDist(t *testing.T) {
	cases := []struct {
		a, b []float64
		want float64
	}{
		{[]float64{0}, []float64{0}, 0},
		{[]float64{math.Pi}, []float64{-math.Pi}, 0},
		{[]float64{3}, []float64{-3}, (2*math.Pi - 6) * (2*math.Pi - 6)},
		{[]float64{0, 1}, []float64{math.Pi, 0.5}, math.Pi*math.Pi + 0.25},
	}
	for _, c := range cases {
		assert.InDelta(t, c.want, WrappedSqDist(c.a, c.b), 1e-12)
		assert.InDelta(t, c.want, WrappedSqDist(c.b, c.a), 1e-12)
	}
}

func BenchmarkTorusW2(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		rng := rand.New(rand.NewPCG(9, 10))
		x := randAngles(rng, n, 2)
		y := randAngles(rng, n, 2)
		b.Run(itoa(n), func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				TorusW2(x, y, 0)
			}
		})
	}
}

func itoa(n int) string {
	s := ""
	if n == 0 {
		return "0"
	}
	for n > 0 {
		s = string(rune('0'+n%10)) + s
		n /= 10
	}
	return s
}

// TestReportMarkdownColumns checks that every row of the results table has
// the header's columns and states both sample counts.
func TestReportMarkdownColumns(t *testing.T) {
	r := &Report{System: "aldp", RefSamples: 10000, Rows: []MethodRow{
		{Method: "flow-IS", Samples: 9990, ESS: 0.0012, EW2: 11.7, EW2Samples: 9990, TW2: 0.466, TW2Samples: 2000},
		{Method: "flow-SMC", Samples: 1996, ESS: math.NaN(), EW2: 1.06, EW2Samples: 1996, TW2: 1.9, TW2Samples: 1996},
	}}
	var table []string
	for _, line := range strings.Split(r.Markdown(), "\n") {
		if strings.HasPrefix(line, "|") {
			table = append(table, line)
		}
	}
	require.Len(t, table, 4)
	cols := strings.Count(table[0], "|")
	for _, line := range table {
		assert.Equal(t, cols, strings.Count(line, "|"), line)
	}
	assert.Contains(t, table[0], "E-W2 samples")
	assert.Contains(t, table[2], "| 11.700 | 9990 | 0.466 | 2000 |")
	assert.Contains(t, table[3], "| – | 1.060 | 1996 | 1.900 | 1996 |")

	// The header names the SMC start count, or that SMC did not run.
	r.Settings.Proposals, r.SMCStart = 10000, 1800
	assert.Contains(t, r.Markdown(), "10000 proposals (SMC from 1800)")
	r.Rows = r.Rows[:1]
	assert.Contains(t, r.Markdown(), "10000 proposals (no SMC)")
	// A colder proposal says so; τ = 1 is SBG's and is not mentioned.
	r.Settings.PriorStd = 1
	assert.NotContains(t, r.Markdown(), "latent std")
	r.Settings.PriorStd = 0.9
	assert.Contains(t, r.Markdown(), "10000 proposals (no SMC; latent std τ = 0.9, a colder proposal than SBG's)")
}

// TestMedianEnergyTerms checks the per-term medians against the force
// field's own term energies: on three MD frames the median of each term is
// the middle of the three values; a frame with a NaN coordinate is skipped;
// a frame of the wrong length is an error.
func TestMedianEnergyTerms(t *testing.T) {
	s, err := LoadSystem("aldp")
	require.NoError(t, err)
	frames, err := LoadFrames(filepath.Join("..", "experiments", "quickstart", "data", "aldp-300K-test.npy"), 22)
	require.NoError(t, err)
	frames = frames[:3]
	kT := molecules.KT(s.Spec.Temperature)
	var cols [6][]float64
	for _, f := range frames {
		e, err := s.Sys.Evaluate(f, nil)
		require.NoError(t, err)
		for k, v := range []float64{e.Bond, e.Angle, e.Torsion, e.Nonbonded, e.GB, e.Total()} {
			cols[k] = append(cols[k], v/kT)
		}
	}
	mid := func(v []float64) float64 {
		c := append([]float64(nil), v...)
		sort.Float64s(c)
		return c[1]
	}
	bad := append([]float64(nil), frames[0]...)
	bad[4] = math.NaN()
	got, err := MedianEnergyTerms(s.Sys, s.Spec.Temperature, "md", append(append([][]float64(nil), frames...), bad))
	require.NoError(t, err)
	assert.Equal(t, "md", got.Set)
	assert.Equal(t, 3, got.Samples)
	for k, v := range []float64{got.Bond, got.Angle, got.Torsion, got.Nonbonded, got.GB, got.Total} {
		assert.InDelta(t, mid(cols[k]), v, 1e-9, "term %d", k)
	}
	// Equilibrium ALDP at 300 K: about 0.5 kT per bond (21 bonds).
	assert.InDelta(t, 10.5, got.Bond, 6)

	// With an even count the median is the mean of the middle two.
	four, err := LoadFrames(filepath.Join("..", "experiments", "quickstart", "data", "aldp-300K-test.npy"), 22)
	require.NoError(t, err)
	e4, err := s.Sys.Evaluate(four[3], nil)
	require.NoError(t, err)
	b := append(append([]float64(nil), cols[0]...), e4.Bond/kT)
	sort.Float64s(b)
	got4, err := MedianEnergyTerms(s.Sys, s.Spec.Temperature, "md4", four[:4])
	require.NoError(t, err)
	assert.Equal(t, 4, got4.Samples)
	assert.InDelta(t, 0.5*(b[1]+b[2]), got4.Bond, 1e-9)

	empty, err := MedianEnergyTerms(s.Sys, s.Spec.Temperature, "none", nil)
	require.NoError(t, err)
	assert.Zero(t, empty.Samples)
	assert.True(t, math.IsNaN(empty.Total))
	_, err = MedianEnergyTerms(s.Sys, s.Spec.Temperature, "short", [][]float64{frames[0][:60]})
	assert.ErrorContains(t, err, "length 60")
}
