package boltzmann

import (
	"encoding/binary"
	"fmt"
	"math"
	"sort"

	"github.com/boltzflow/boltzflow/molecules"
	"github.com/boltzflow/boltzflow/molecules/analysis"
	"github.com/boltzflow/boltzflow/smc"
)

// MaxEvalSamples is the number of samples (10,000) to which both sets are
// thinned by EnergyW2 and TorusW2, as in the SBG evaluation.
const MaxEvalSamples = 10000

// ESS returns the normalised Kish effective sample size of the log-weights,
// exp(2·LSE(log w) − LSE(2·log w)) / n, in [0, 1], where n counts the finite
// entries only: −Inf entries are proposals dropped by clipping or with
// non-finite energies, which the SBG evaluation removes before computing
// the ESS. It returns 0 if no weight is finite.
func ESS(logw []float64) float64 {
	n := 0
	for _, v := range logw {
		if !math.IsInf(v, -1) {
			n++
		}
	}
	if n == 0 {
		return 0
	}
	return smc.ESS(logw) * float64(len(logw)) / float64(n)
}

// evalCount returns min(len(a), len(b), max) (max ≤ 0 means MaxEvalSamples).
func evalCount(na, nb, max int) int {
	if max <= 0 {
		max = MaxEvalSamples
	}
	return min(na, nb, max)
}

// thin returns m entries of x spread evenly over it, x[⌊i·len(x)/m⌋] for
// i = 0 … m−1 (x itself when m = len(x)). A prefix would be biased: resampled
// sets come ordered by ancestor (smc.Resample walks the cumulative weights in
// order) and MD sets in time, so their first m entries cover only the
// first ancestors or the first part of the trajectory.
func thin[T any](x []T, m int) []T {
	if m >= len(x) {
		return x
	}
	out := make([]T, m)
	for i := range out {
		out[i] = x[i*len(x)/m]
	}
	return out
}

// EnergyW2 returns the 1-D Wasserstein-2 distance between two sets of reduced
// energies (kT): both are thinned evenly to m = min(len(a), len(b),
// MaxEvalSamples) entries (every (len/m)-th, see thin), sorted, and matched by
// quantile, √(Σ (a₍ᵢ₎ − b₍ᵢ₎)² / m). It returns NaN if either set is empty or
// holds a non-finite value among the m.
func EnergyW2(a, b []float64) float64 { return energyW(a, b, 2) }

// EnergyW1 is like EnergyW2 for the Wasserstein-1 distance Σ|a₍ᵢ₎ − b₍ᵢ₎|/m.
func EnergyW1(a, b []float64) float64 { return energyW(a, b, 1) }

func energyW(a, b []float64, p int) float64 {
	m := evalCount(len(a), len(b), 0)
	if m == 0 {
		return math.NaN()
	}
	sa := append([]float64(nil), thin(a, m)...)
	sb := append([]float64(nil), thin(b, m)...)
	for i := range sa {
		if !finite(sa[i]) || !finite(sb[i]) {
			return math.NaN()
		}
	}
	sort.Float64s(sa)
	sort.Float64s(sb)
	s := 0.0
	for i := range sa {
		d := math.Abs(sa[i] - sb[i])
		if p == 2 {
			d *= d
		}
		s += d
	}
	s /= float64(m)
	if p == 2 {
		return math.Sqrt(s)
	}
	return s
}

// WrappedSqDist returns Σ_d min(|Δ_d|, 2π − |Δ_d|)² for two angle vectors
// (radians) of equal length, with Δ_d = a[d] − b[d] reduced modulo 2π.
func WrappedSqDist(a, b []float64) float64 {
	s := 0.0
	for d := range a {
		s += wrapSq(a[d] - b[d])
	}
	return s
}

func wrapSq(delta float64) float64 {
	d := math.Abs(delta)
	if d > 2*math.Pi {
		d = math.Mod(d, 2*math.Pi)
	}
	if d > math.Pi {
		d = 2*math.Pi - d
	}
	return d * d
}

// TorusW2 returns the exact Wasserstein-2 distance with uniform marginals
// between two sets of angle vectors (rows of equal length D, radians) on the
// torus, with ground cost WrappedSqDist: √(min over assignments of
// Σᵢ c(i, σ(i)) / m), where both sets are thinned evenly to
// m = min(len(a), len(b), max) rows (every (len/m)-th row, see thin; max ≤ 0
// means MaxEvalSamples). With equal
// sample counts the optimal transport plan is a permutation, so the problem
// is solved exactly by Assignment; when a set holds exact copies (resampled
// particles), the copies are merged into one source of that multiplicity and
// the same problem is solved exactly by Transport. It returns the distance
// and m; the distance is NaN if a row among the m holds a non-finite angle.
func TorusW2(a, b [][]float64, max int) (float64, int) {
	m := evalCount(len(a), len(b), max)
	if m == 0 {
		return math.NaN(), 0
	}
	a, b = thin(a, m), thin(b, m)
	d := len(a[0])
	for i := 0; i < m; i++ {
		if len(a[i]) != d || len(b[i]) != d {
			panic(fmt.Sprintf("boltzmann: TorusW2: row lengths %d and %d, want %d", len(a[i]), len(b[i]), d))
		}
		for k := range d {
			if !finite(a[i][k]) || !finite(b[i][k]) {
				return math.NaN(), m // Evaluate drops non-finite rows first
			}
		}
	}
	ua, ca := distinctRows(a)
	ub, cb := distinctRows(b)
	if len(ub) < len(ua) {
		// The cost is symmetric: merge the set with fewer distinct rows.
		a, b, ua, ca = b, a, ub, cb
	}
	// Pack both sets contiguously for the solver's inner loops.
	pb := make([]float64, m*d)
	for i := 0; i < m; i++ {
		copy(pb[i*d:], b[i])
	}
	var total float64
	if len(ua) == m {
		pa := make([]float64, m*d)
		for i := 0; i < m; i++ {
			copy(pa[i*d:], a[i])
		}
		total = Assignment(m, torusCost(pa, pb, d), nil)
	} else {
		pa := make([]float64, len(ua)*d)
		for i, row := range ua {
			copy(pa[i*d:], row)
		}
		var err error
		if total, err = Transport(ca, m, torusCost(pa, pb, d), nil); err != nil {
			panic(err) // supplies are counts of a partition of m rows
		}
	}
	return math.Sqrt(math.Max(total, 0) / float64(m)), m
}

// torusCost returns the wrapped squared distance between row i of pa and row j
// of pb (both packed with d values per row).
func torusCost(pa, pb []float64, d int) func(i, j int) float64 {
	return func(i, j int) float64 {
		s := 0.0
		ra, rb := pa[i*d:i*d+d], pb[j*d:j*d+d]
		for k := range ra {
			s += wrapSq(ra[k] - rb[k])
		}
		return s
	}
}

// distinctRows returns the distinct rows of x (bitwise equal values), in order
// of first appearance, and how often each occurs.
func distinctRows(x [][]float64) ([][]float64, []int) {
	seen := make(map[string]int, len(x))
	var rows [][]float64
	var count []int
	key := make([]byte, 0, 8*len(x[0]))
	for _, row := range x {
		key = key[:0]
		for _, v := range row {
			key = binary.LittleEndian.AppendUint64(key, math.Float64bits(v))
		}
		if k, ok := seen[string(key)]; ok {
			count[k]++
			continue
		}
		seen[string(key)] = len(rows)
		rows = append(rows, row)
		count = append(count, 1)
	}
	return rows, count
}

// BackboneAngles returns, for each frame (flat positions, length 3N), the
// vector of all backbone dihedrals of top (radians): every φ (residues that
// have one) followed by every ψ, the feature of TorusW2. It also returns the
// torsions used.
func BackboneAngles(top *molecules.Topology, frames [][]float64) ([][]float64, []analysis.Torsion) {
	phi, psi, _ := analysis.BackboneTorsions(top)
	tors := append(append([]analysis.Torsion(nil), phi...), psi...)
	return analysis.Dihedrals(nil, frames, tors), tors
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// EnergyTerms holds the median of each force-field term over a set of
// conformations, in kT: it shows which terms a flow's proposals get wrong
// (stretched bonds and bent angles, clashes in the non-bonded term).
type EnergyTerms struct {
	// Set names the sample set; Samples is the number of conformations
	// with finite coordinates and energy that enter the medians.
	Set     string `json:"set"`
	Samples int    `json:"samples"`
	// Medians of the bond, angle, torsion, non-bonded (Coulomb and LJ,
	// 1-4 included), generalised-Born and total energies, kT.
	Bond      float64 `json:"bond"`
	Angle     float64 `json:"angle"`
	Torsion   float64 `json:"torsion"`
	Nonbonded float64 `json:"nonbonded"`
	GB        float64 `json:"gb"`
	Total     float64 `json:"total"`
}

// MedianEnergyTerms returns the per-term median energies (kT at
// temperature, K) of frames (flat positions in nm, length 3N) under sys.
// Frames with non-finite coordinates or energy are skipped and not
// counted; the medians of an empty set are NaN.
func MedianEnergyTerms(sys *molecules.System, temperature float64, set string, frames [][]float64) (EnergyTerms, error) {
	ev, err := molecules.NewEvaluator(sys)
	if err != nil {
		return EnergyTerms{}, err
	}
	kT := molecules.KT(temperature)
	var cols [6][]float64
	for _, f := range frames {
		if len(f) != 3*sys.NumAtoms() {
			return EnergyTerms{}, fmt.Errorf("boltzmann: MedianEnergyTerms: frame of length %d, system has %d atoms", len(f), sys.NumAtoms())
		}
		e, err := ev.Evaluate(f, nil)
		if err != nil || !finite(e.Total()) {
			continue
		}
		for k, v := range [6]float64{e.Bond, e.Angle, e.Torsion, e.Nonbonded, e.GB, e.Total()} {
			cols[k] = append(cols[k], v/kT)
		}
	}
	var med [6]float64
	for k, c := range cols {
		med[k] = math.NaN()
		if len(c) == 0 {
			continue
		}
		sort.Float64s(c)
		if n := len(c); n%2 == 1 {
			med[k] = c[n/2]
		} else {
			med[k] = 0.5 * (c[n/2-1] + c[n/2])
		}
	}
	return EnergyTerms{Set: set, Samples: len(cols[0]), Bond: med[0], Angle: med[1], Torsion: med[2],
		Nonbonded: med[3], GB: med[4], Total: med[5]}, nil
}
