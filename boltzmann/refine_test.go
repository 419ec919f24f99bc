package boltzmann

import (
	"math"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRefineKeepsEquilibrium starts the MALA rejuvenation from equilibrium
// MD frames: the target is invariant under the moves, so the mean energy
// must stay at its equilibrium value (a wrong gradient sign or step would
// heat or freeze the system by tens of kT), the weights stay equal, and the
// adapted acceptance lies in the adaptation window's neighbourhood.
func TestRefineKeepsEquilibrium(t *testing.T) {
	s := aldp(t)
	frames, err := LoadFrames(filepath.Join("..", "experiments", "quickstart", "data", "aldp-300K-test.npy"), 22)
	require.NoError(t, err)
	frames = Subsample(frames, 96)
	norm := Normalizer{Std: 0.166}
	tg, err := NewTarget(s.Sys, s.Spec.Temperature, norm.Std)
	require.NoError(t, err)
	e0 := tg.EnergiesNM(frames)
	res := &SBGResult{SMCX: NormalizeAll(norm, frames)}
	require.NoError(t, refine(res, tg, SBGConfig{RefineSteps: 200, BatchSize: 32, Workers: 2, Seed: 3}))
	require.Len(t, res.RefinedX, len(frames))
	for _, lw := range res.Refine.LogW {
		assert.Zero(t, lw)
	}
	mean := func(v []float64) float64 {
		m := 0.0
		for _, x := range v {
			m += x
		}
		return m / float64(len(v))
	}
	m0, m1 := mean(e0), mean(res.RefinedEnergy)
	t.Logf("mean energy %.2f kT before, %.2f kT after 200 MALA moves; final h %.2e, acceptance %.2f", m0, m1, res.Refine.StepSize, res.Refine.Acceptance)
	// Standard error of a 96-frame mean is about 0.6 kT; allow 3 kT.
	assert.InDelta(t, m0, m1, 3)
	assert.False(t, math.IsNaN(m1))
	assert.Greater(t, res.Refine.Acceptance, 0.3)
	// The step adapts during the first 100 moves only, then stays fixed.
	last := res.Refine.Steps[len(res.Refine.Steps)-1].StepSize
	for _, st := range res.Refine.Steps[100:] {
		require.Equal(t, last, st.StepSize, "move %d", st.Step)
	}
	// The original particles are not modified.
	assert.Equal(t, NormalizeAll(norm, frames)[0], res.SMCX[0])
}
