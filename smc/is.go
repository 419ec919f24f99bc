package smc

import (
	"errors"
	"fmt"
	"math/rand/v2"
)

// ISConfig holds the settings of SampleIS.
type ISConfig struct {
	// Samples is the number n of proposals drawn.
	Samples int
	// ClipQuantile sets the log-weights above the (1 − ClipQuantile)
	// quantile to −Inf (0.002 in SBG); 0 disables.
	ClipQuantile float64
	// UseEnergyCutoff gives weight zero to proposals whose target energy is
	// not below EnergyCutoff (kT).
	UseEnergyCutoff bool
	EnergyCutoff    float64
	// BatchSize (default 256) and Workers (default GOMAXPROCS) as in Config.
	BatchSize, Workers int
	// Seed determines every random number.
	Seed uint64
}

// ISResult is the outcome of SampleIS. Filtered and invalid proposals keep
// their rows with log-weight −Inf and count in n for ESS and LogZ.
type ISResult struct {
	// X holds the n proposals (rows of length D); Energy their target
	// energies E_T (kT); LogQ their proposal log-densities; LogW their
	// importance log-weights −E_T − log q after filtering.
	X            [][]float64
	Energy, LogQ []float64
	LogW         []float64
	// ESS is the normalised Kish ESS; LogZ and LogZErr the estimate of
	// log Z_T and its standard error (see LogZ).
	ESS, LogZ, LogZErr float64
	// Invalid, Clipped and CutOff count proposals given weight zero because
	// of non-finite values, the quantile clip and the energy cut-off.
	Invalid, Clipped, CutOff int
}

// SampleIS draws cfg.Samples proposals from prop in parallel batches,
// evaluates the target energies and returns the importance weights and
// estimates. The same Seed gives the same numbers for any Workers.
func SampleIS(target Target, prop Proposal, cfg ISConfig) (*ISResult, error) {
	if target == nil || prop == nil {
		return nil, errors.New("smc: nil target or proposal")
	}
	d := target.Dim()
	if prop.Dim() != d {
		return nil, fmt.Errorf("smc: target dimension %d, proposal dimension %d", d, prop.Dim())
	}
	n := cfg.Samples
	if n < 1 {
		return nil, fmt.Errorf("smc: %d samples, want at least 1", n)
	}
	if !(cfg.ClipQuantile >= 0 && cfg.ClipQuantile < 1) {
		return nil, fmt.Errorf("smc: clip quantile %v outside [0, 1)", cfg.ClipQuantile)
	}
	bs := cfg.BatchSize
	if bs == 0 {
		bs = 256
	}
	if bs < 0 {
		return nil, fmt.Errorf("smc: batch size %d, want positive", bs)
	}
	r := &ISResult{X: newRows(n, d), Energy: make([]float64, n), LogQ: make([]float64, n)}
	nb := (n + bs - 1) / bs
	p := newPool(cfg.Workers, func(_, b int) {
		lo := b * bs
		hi := min(lo+bs, n)
		a, c := streamSeed(cfg.Seed, tagIS, 0, uint64(b))
		rng := rand.New(rand.NewPCG(a, c))
		prop.Sample(rng, r.X[lo:hi], r.LogQ[lo:hi])
		target.Energy(r.X[lo:hi], r.Energy[lo:hi], nil)
	})
	p.do(0, nb)
	p.close()
	r.LogW, r.Invalid = LogWeights(nil, r.Energy, r.LogQ)
	if cfg.ClipQuantile > 0 {
		r.Clipped = ClipQuantile(r.LogW, cfg.ClipQuantile)
	}
	if cfg.UseEnergyCutoff {
		r.CutOff = EnergyCutoff(r.LogW, r.Energy, cfg.EnergyCutoff)
	}
	var err error
	r.LogZ, r.LogZErr, err = LogZ(r.LogW)
	if err != nil {
		return r, err
	}
	r.ESS = ESS(r.LogW)
	return r, nil
}

// Resample draws an equally weighted set of n particles from the weighted
// proposals with the given scheme and returns copies of their rows.
func (r *ISResult) Resample(n int, scheme Scheme, rng *rand.Rand) ([][]float64, error) {
	w, err := Normalize(nil, r.LogW)
	if err != nil {
		return nil, err
	}
	idx := make([]int, n)
	if err := Resample(idx, w, scheme, rng); err != nil {
		return nil, err
	}
	d := 0
	if len(r.X) > 0 {
		d = len(r.X[0])
	}
	out := newRows(n, d)
	for j, i := range idx {
		copy(out[j], r.X[i])
	}
	return out, nil
}
