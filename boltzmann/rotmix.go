package boltzmann

import (
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
			r := RandomRotation(rng)
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
			for a := 0; a < len(xi)/3; a++ {
				b := perm[a]
				p0, p1, p2 := xi[3*b], xi[3*b+1], xi[3*b+2]
				for c := 0; c < 3; c++ {
					rows[i][3*a+c] = r[c][0]*p0 + r[c][1]*p1 + r[c][2]*p2
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
