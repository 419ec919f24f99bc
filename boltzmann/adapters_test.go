package boltzmann

import (
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
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
