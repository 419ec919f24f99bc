package main

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/boltzflow/boltzflow/boltzmann"
)

const testFrames = "../quickstart/data/aldp-300K-test.npy"

// TestTrainInit trains a tiny TarFlow, then continues from it with -init at a
// learning rate too small to move the weights: the second model must have the
// first one's weights and normaliser (not one refitted to its own, different
// training split), and -init must refuse architecture flags and models of
// another system.
func TestTrainInit(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	tiny := []string{"-system", "aldp", "-data", testFrames, "-epochs", "1", "-batch", "256", "-val-every", "1", "-val-samples", "16"}
	require.NoError(t, train(append(tiny, "-val-frac", "0.5", "-width", "16", "-heads", "2", "-blocks", "2", "-layers", "1", "-out", a)))
	require.NoError(t, train(append(tiny, "-val-frac", "0.3", "-lr", "1e-12", "-init", filepath.Join(a, "final.ckpt"), "-out", b)))
	ma, err := boltzmann.LoadModel(filepath.Join(a, "final.ckpt"), 22)
	require.NoError(t, err)
	mb, err := boltzmann.LoadModel(filepath.Join(b, "final.ckpt"), 22)
	require.NoError(t, err)
	assert.Equal(t, ma.Flow.Config, mb.Flow.Config)
	assert.Equal(t, ma.Norm, mb.Norm)
	pa, pb := ma.Flow.Params(), mb.Flow.Params()
	require.Len(t, pb, len(pa))
	for i := range pa {
		require.InDeltaSlice(t, pa[i].Data, pb[i].Data, 1e-5, pa[i].Name)
	}

	err = train(append(tiny, "-init", filepath.Join(a, "final.ckpt"), "-width", "32", "-out", b))
	require.ErrorContains(t, err, "fixes the architecture")
	err = train([]string{"-system", "al3", "-data", testFrames, "-init", filepath.Join(a, "final.ckpt"), "-out", b})
	require.ErrorContains(t, err, "checkpoint is for 22 atoms")
}
