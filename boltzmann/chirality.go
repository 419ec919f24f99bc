package boltzmann

import (
	"github.com/boltzflow/boltzflow/molecules/analysis"
)

// Chirality checks and fixes the handedness of generated conformations
// against a reference (sbg.md §5.1 step 5).
type Chirality struct {
	// Centres are the Cα stereocentres (analysis.Stereocentres).
	Centres []analysis.Stereocentre
	// Reference holds the reference sign of each centre's chiral volume
	// (true: positive, L for amino acids), from a reference MD frame.
	Reference []bool
}

// NewChirality returns the check for the stereocentres with the chirality of
// the reference frame ref (flat positions, length 3N, any length unit).
func NewChirality(centres []analysis.Stereocentre, ref []float64) *Chirality {
	c := &Chirality{Centres: centres, Reference: make([]bool, len(centres))}
	for i, s := range centres {
		c.Reference[i] = analysis.ChiralVolume(ref, s) > 0
	}
	return c
}

// Correct reports whether every centre of x has the reference chirality.
func (c *Chirality) Correct(x []float64) bool {
	for i, s := range c.Centres {
		if (analysis.ChiralVolume(x, s) > 0) != c.Reference[i] {
			return false
		}
	}
	return true
}

// ChiralityStats counts the outcome of Chirality.Fix.
type ChiralityStats struct {
	// Correct samples needed nothing, Flipped were mirrored into the
	// reference chirality, Uncorrectable have mixed chirality (wrong after
	// mirroring too) and are left unchanged.
	Correct, Flipped, Uncorrectable int
}

// Fix mirrors (x → −x) every sample whose chirality differs from the
// reference when the mirror image has the reference chirality, in place.
// Mirroring leaves the energy unchanged. The corrected samples have density
// q(x) + q(−x) under a flow q (Proposal uses it; the paper-era SBG code kept
// the log q of the unflipped sample instead, sbg.md §11.7). If bad is not nil
// (length len(x)) it receives true for uncorrectable samples.
func (c *Chirality) Fix(x [][]float64, bad []bool) ChiralityStats {
	var st ChiralityStats
	for k, r := range x {
		if bad != nil {
			bad[k] = false
		}
		if c.Correct(r) {
			st.Correct++
			continue
		}
		for i := range r {
			r[i] = -r[i]
		}
		if c.Correct(r) {
			st.Flipped++
			continue
		}
		for i := range r {
			r[i] = -r[i]
		}
		st.Uncorrectable++
		if bad != nil {
			bad[k] = true
		}
	}
	return st
}
