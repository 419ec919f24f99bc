package boltzmann

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// RotationMixtureLogQ writes to dst the log-density of the rotation-mixture
// proposal at each proposal x[i] (rows of length 3N, coordinates about the
// origin), given logq[i], the log-density of the proposal q that drew it.
//
// A flow over Cartesian coordinates is not rotation invariant: the same
// conformation gets a different log q in every orientation, while the
// Boltzmann density (with the CoM density p_c) does not change. For each
// proposal this draws k−1 uniform random rotations Q₂…Q_k (Q₁ = I) and
// returns log (1/k)·Σⱼ q(Qⱼx) (logProb evaluates log q of rows; a NaN from
// it makes the result NaN, which drops the proposal's weight). The
// importance weight p(x)/q_k(x) is unbiased: given the rotations, q_k is the
// normalised density of "pick j uniformly, draw from q, rotate by Qⱼ", and
// since the rotations are exchangeable, drawing from q and using Q₁ = I
// gives the same expectation of every weighted function (Qⱼᵀ is as uniform
// as Qⱼ). It averages the
// flow's orientation error out of the weights at the cost of k−1 forward
// passes per proposal. k ≤ 1 copies logq. dst may alias logq.
//
// groups, if not empty, lists triples of equivalent atoms (a methyl's
// hydrogens: the target's energy is unchanged when their labels are
// permuted cyclically, EquivalentHydrogens). Each of the k−1 extra
// components then also relabels every group by a uniformly random cyclic
// shift before rotating, so the mixture runs over the product of the
// rotation group and the relabellings, which is as exact and averages out
// the flow's dependence on which hydrogen is which.
func RotationMixtureLogQ(dst []float64, x [][]float64, logq []float64, k int, groups [][3]int, rng *rand.Rand, logProb func(x [][]float64, logq []float64)) {
	randomMixtureLogQ(dst, x, logq, k, groups, nil, rng, logProb)
}

// randomMixtureLogQ is RotationMixtureLogQ with, if com is not nil, a
// fresh centroid for every extra component (comShift).
func randomMixtureLogQ(dst []float64, x [][]float64, logq []float64, k int, groups [][3]int, com *ComAdjust, rng *rand.Rand, logProb func(x [][]float64, logq []float64)) {
	mixtureLogQ(dst, x, logq, k, groups, rng, func(i, j int) [3][3]float64 { return RandomRotation(rng) }, comShift(com, rng), logProb)
}

// comShift returns nil for a nil com, else a function drawing centroids
// with rng from the density the CoM adjustment divides by: 𝒩(0, σ²I₃) for
// ComGaussian, and for ComChi the density ∝ χ₃(|c|/σ) ∝ |c|²·e^{−|c|²/2σ²}
// (as a function of c ∈ ℝ³, which is σ·χ₅ in radius, uniform in
// direction).
func comShift(com *ComAdjust, rng *rand.Rand) func(i, j int) [3]float64 {
	if com == nil {
		return nil
	}
	s := com.Sigma
	if com.Variant == ComGaussian {
		return func(i, j int) [3]float64 {
			return [3]float64{s * rng.NormFloat64(), s * rng.NormFloat64(), s * rng.NormFloat64()}
		}
	}
	return func(i, j int) [3]float64 {
		var u [3]float64
		var n2 float64
		for n2 < 1e-24 {
			n2 = 0
			for a := range u {
				u[a] = rng.NormFloat64()
				n2 += u[a] * u[a]
			}
		}
		r2 := 0.0
		for a := 0; a < 5; a++ {
			v := rng.NormFloat64()
			r2 += v * v
		}
		f := s * math.Sqrt(r2/n2)
		return [3]float64{f * u[0], f * u[1], f * u[2]}
	}
}

// GroupMixtureLogQ is RotationMixtureLogQ over a finite rotation group
// (RotationGroup) instead of independent random rotations: for each
// proposal x[i] it draws one uniform random rotation R and returns
// log (1/k)·Σⱼ q(R·Gⱼ·Rᵀ·x), the Gⱼ the k elements of group (group[0] the
// identity). The conjugated group is a group, so the mixture density is
// invariant under it and the importance weights of rotation-invariant
// targets and observables are unbiased for every R; the random R only
// keeps the group's axes from being tied to the flow's frame. Spread
// evenly over the orientations, the k components are a quadrature rather
// than a Monte-Carlo estimate of the orientation average (on the Gaussian
// test case the icosahedral group's weights vary less than those of 60
// random orientations). Relabellings are not combined with it: a random
// relabelling per component would break the group structure.
func GroupMixtureLogQ(dst []float64, x [][]float64, logq []float64, group [][3][3]float64, rng *rand.Rand, logProb func(x [][]float64, logq []float64)) {
	groupMixtureLogQ(dst, x, logq, group, nil, rng, logProb)
}

// groupMixtureLogQ is GroupMixtureLogQ with, if com is not nil, a fresh
// centroid for every extra component (comShift).
func groupMixtureLogQ(dst []float64, x [][]float64, logq []float64, group [][3][3]float64, com *ComAdjust, rng *rand.Rand, logProb func(x [][]float64, logq []float64)) {
	r := make([][3][3]float64, len(x))
	for i := range r {
		r[i] = RandomRotation(rng)
	}
	mixtureLogQ(dst, x, logq, len(group), nil, rng, func(i, j int) [3][3]float64 {
		return matMul3(matMul3(r[i], group[j]), transpose3(r[i]))
	}, comShift(com, rng), logProb)
}

// mixtureLogQ computes the mixture log-density of RotationMixtureLogQ with
// the rotation of component j ≥ 1 of proposal i given by rot(i, j) (called
// in order j = 1…k−1, i = 0…n−1 within each j). If shift is not nil, the
// rotated row of component j ≥ 1 is moved from its own centroid to
// shift(i, j) (called after rot(i, j) and the relabelling draws).
func mixtureLogQ(dst []float64, x [][]float64, logq []float64, k int, groups [][3]int, rng *rand.Rand, rot func(i, j int) [3][3]float64, shift func(i, j int) [3]float64, logProb func(x [][]float64, logq []float64)) {
	copy(dst, logq)
	if k <= 1 {
		return
	}
	n := len(x)
	rows := make([][]float64, n)
	for i := range rows {
		rows[i] = make([]float64, len(x[i]))
	}
	lq := make([]float64, n)
	// sum[i] accumulates Σⱼ exp(log q(Qⱼᵀx) − ref[i]), ref[i] the largest
	// term so far (log-sum-exp in one pass).
	ref := append([]float64(nil), logq...)
	sum := make([]float64, n)
	for i := range sum {
		sum[i] = 1
	}
	var perm []int // atom whose position goes to atom a
	for j := 1; j < k; j++ {
		for i, xi := range x {
			r := rot(i, j)
			if perm == nil {
				perm = make([]int, len(xi)/3)
			}
			for a := range perm {
				perm[a] = a
			}
			for _, g := range groups {
				s := rng.IntN(3)
				for c := 0; c < 3; c++ {
					perm[g[c]] = g[(c+s)%3]
				}
			}
			var t [3]float64 // added to every atom of the row
			if shift != nil {
				c, s := Com(xi), shift(i, j)
				for a := 0; a < 3; a++ {
					t[a] = s[a] - (r[a][0]*c[0] + r[a][1]*c[1] + r[a][2]*c[2])
				}
			}
			for a := 0; a < len(xi)/3; a++ {
				b := perm[a]
				p0, p1, p2 := xi[3*b], xi[3*b+1], xi[3*b+2]
				for c := 0; c < 3; c++ {
					rows[i][3*a+c] = r[c][0]*p0 + r[c][1]*p1 + r[c][2]*p2 + t[c]
				}
			}
		}
		logProb(rows, lq)
		for i, v := range lq {
			switch {
			case !finite(ref[i]):
				// The proposal's own density is not finite: its weight is
				// dropped anyway, and stays so.
			case math.IsNaN(v):
				ref[i] = math.NaN()
			case v > ref[i]:
				sum[i] = sum[i]*math.Exp(ref[i]-v) + 1
				ref[i] = v
			default:
				sum[i] += math.Exp(v - ref[i]) // 0 for v = −Inf
			}
		}
	}
	for i := range dst {
		dst[i] = ref[i] // not finite: as the proposal's own, or NaN
		if finite(ref[i]) {
			dst[i] += math.Log(sum[i] / float64(k))
		}
	}
}

func matMul3(a, b [3][3]float64) (c [3][3]float64) {
	for i := 0; i < 3; i++ {
		for j := 0; j < 3; j++ {
			for k := 0; k < 3; k++ {
				c[i][j] += a[i][k] * b[k][j]
			}
		}
	}
	return c
}

func transpose3(a [3][3]float64) (t [3][3]float64) {
	for i := 0; i < 3; i++ {
		for j := 0; j < 3; j++ {
			t[i][j] = a[j][i]
		}
	}
	return t
}

// RotationGroup returns the elements of a finite rotation group, the
// identity first: "tetrahedral" (12), "octahedral" (24) or "icosahedral"
// (60), the proper rotational symmetries of the regular solids, in a frame
// with the octahedral axes along x, y and z (the tetrahedral and
// icosahedral groups share three of their two-fold axes with it).
func RotationGroup(name string) ([][3][3]float64, error) {
	rz := func(axis [3]float64, angle float64) [3][3]float64 {
		n := math.Sqrt(axis[0]*axis[0] + axis[1]*axis[1] + axis[2]*axis[2])
		x, y, z := axis[0]/n, axis[1]/n, axis[2]/n
		c, s := math.Cos(angle), math.Sin(angle)
		t := 1 - c
		return [3][3]float64{
			{c + x*x*t, x*y*t - z*s, x*z*t + y*s},
			{y*x*t + z*s, c + y*y*t, y*z*t - x*s},
			{z*x*t - y*s, z*y*t + x*s, c + z*z*t},
		}
	}
	var gens [][3][3]float64
	var order int
	phi := (1 + math.Sqrt(5)) / 2
	switch name {
	case "tetrahedral":
		gens = [][3][3]float64{rz([3]float64{1, 1, 1}, 2*math.Pi/3), rz([3]float64{0, 0, 1}, math.Pi)}
		order = 12
	case "octahedral":
		gens = [][3][3]float64{rz([3]float64{1, 1, 1}, 2*math.Pi/3), rz([3]float64{0, 0, 1}, math.Pi/2)}
		order = 24
	case "icosahedral":
		// Five-fold axis through the vertex (0, 1, φ) of the icosahedron
		// with vertices (0, ±1, ±φ) and cyclic permutations; three-fold
		// axis through the face centre (1, 1, 1).
		gens = [][3][3]float64{rz([3]float64{0, 1, phi}, 2*math.Pi/5), rz([3]float64{1, 1, 1}, 2*math.Pi/3)}
		order = 60
	default:
		return nil, fmt.Errorf("boltzmann: unknown rotation group %q (want tetrahedral, octahedral or icosahedral)", name)
	}
	g := [][3][3]float64{{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}}
	same := func(a, b [3][3]float64) bool {
		for i := 0; i < 3; i++ {
			for j := 0; j < 3; j++ {
				if math.Abs(a[i][j]-b[i][j]) > 1e-9 {
					return false
				}
			}
		}
		return true
	}
	// Closure: multiply every element by every generator until nothing is
	// new.
	for i := 0; i < len(g); i++ {
		for _, h := range gens {
			p := matMul3(g[i], h)
			found := false
			for _, e := range g {
				if same(e, p) {
					found = true
					break
				}
			}
			if !found {
				g = append(g, p)
			}
		}
		if len(g) > order {
			break
		}
	}
	if len(g) != order {
		return nil, fmt.Errorf("boltzmann: rotation group %s has %d elements, want %d", name, len(g), order)
	}
	return g, nil
}
