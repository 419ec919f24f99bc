package boltzmann

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/boltzflow/boltzflow/nn"
	"github.com/stretchr/testify/require"
)

// TestDataParallelGradient checks that sharding a batch over workers gives
// the loss and gradient of the whole batch (up to float32 summation order).
func TestDataParallelGradient(t *testing.T) {
	cfg := TarFlowConfig{Atoms: 4, Channels: 3, Width: 16, Heads: 2, Blocks: 2, Layers: 1}
	rng := rand.New(rand.NewPCG(3, 4))
	flow := NewTarFlow[float32](cfg, rng)
	// Non-zero output projections so that every parameter gets a gradient.
	for _, p := range flow.Params() {
		for i := range p.Data {
			p.Data[i] += float32(0.05 * rng.NormFloat64())
		}
	}
	const bs = 7
	xb := make([]float32, bs*cfg.Dim())
	for i := range xb {
		xb[i] = float32(rng.NormFloat64())
	}
	grads := func(workers int) (float64, [][]float32) {
		nn.ZeroGrad(flow.Params())
		l := newDataParallel(flow, workers, bs).lossGrad(flow, xb, bs)
		var g [][]float32
		for _, p := range flow.Params() {
			g = append(g, append([]float32(nil), p.Grad...))
		}
		return l, g
	}
	l1, g1 := grads(1)
	for _, w := range []int{2, 3, 7} {
		lw, gw := grads(w)
		require.InDelta(t, l1, lw, 1e-5*math.Abs(l1)+1e-6, "loss with %d workers", w)
		for j := range g1 {
			for k := range g1[j] {
				require.InDelta(t, g1[j][k], gw[j][k], 1e-4*math.Abs(float64(g1[j][k]))+1e-6,
					"%d workers: gradient of %s[%d]", w, flow.Params()[j].Name, k)
			}
		}
	}
}
