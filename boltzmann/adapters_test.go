package boltzmann

import (
	"math"
	"math/rand/v2"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestProposalReplicasSurviveGC checks that the proposal's flow replicas (a
// cloned flow and a tape arena of many MB each) are kept across garbage
// collections: after a warm-up call, a GradLogProb preceded by a collection
// allocates almost nothing (two collections: sync.Pool keeps objects through
// one in its victim cache). With sync.Pool every collection dropped the
// replicas, and rebuilding one (about 150 allocations, 130 MB for 64 rows)
// cost more than the evaluation.
func TestProposalReplicasSurviveGC(t *testing.T) {
	cfg := TarFlowConfig{Atoms: 22, Channels: 3, Width: 32, Heads: 2, Blocks: 2, Layers: 1}
	m := &Model{Flow: NewTarFlow[float32](cfg, rand.New(rand.NewPCG(1, 1))), Norm: Normalizer{Std: 0.17}}
	p := NewProposal(m, ComAdjust{Variant: ComChi, Sigma: 0.2})
	x := newRowsT(16, cfg.Dim())
	g := newRowsT(16, cfg.Dim())
	lq := make([]float64, 16)
	p.GradLogProb(x, lq, g)
	allocs := testing.AllocsPerRun(3, func() {
		runtime.GC() // sync.Pool moves its objects to a victim cache
		runtime.GC() // and drops them here
		p.GradLogProb(x, lq, g)
	})
	assert.Less(t, allocs, 5.0)
}

// TestProposalNegligibleMirror checks the chirality-fixed score where the
// mirror term is negligible, the usual case with a trained flow: on samples
// of the shipped model, whose mirror images have log q lower by more than
// 50, GradLogProb equals the plain proposal's (log q' to float64 rounding of
// the mixture, the score exactly), and it allocates nothing once warm.
func TestProposalNegligibleMirror(t *testing.T) {
	m, err := LoadModel(filepath.Join("testdata", "aldp_tarflow_cpu.ckpt"), 22)
	require.NoError(t, err)
	s := aldp(t)
	com := ComAdjust{Variant: ComChi, Sigma: 1 / math.Sqrt(22)}
	p, plain := NewProposal(m, com), NewProposal(m, com)
	p.Chirality = s.Chirality(nil)
	const n, d = 32, 66
	x := newRowsT(n, d)
	p.Sample(rand.New(rand.NewPCG(3, 3)), x, make([]float64, n))
	lx, lm := make([]float64, n), make([]float64, n)
	plain.LogProb(x, lx)
	mx := newRowsT(n, d)
	for i := range x {
		for j, v := range x[i] {
			mx[i][j] = -v
		}
	}
	plain.LogProb(mx, lm)
	for i := range x {
		require.Less(t, lm[i]-lx[i], mirrorNegligible, "row %d: the mirror term is not negligible", i)
	}
	g, gp := newRowsT(n, d), newRowsT(n, d)
	lq, lp := make([]float64, n), make([]float64, n)
	p.GradLogProb(x, lq, g)
	plain.GradLogProb(x, lp, gp)
	for i := range x {
		assert.InDelta(t, lp[i], lq[i], 1e-12*(1+math.Abs(lp[i])), "log q' row %d", i)
		assert.Equal(t, gp[i], g[i], "score row %d", i)
	}
	allocs := testing.AllocsPerRun(3, func() { p.GradLogProb(x, lq, g) })
	assert.Zero(t, allocs)
}
