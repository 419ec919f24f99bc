package nn

import (
	"encoding/binary"
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

type trained struct {
	m   *MLP[float32]
	opt *Adam[float32]
	pcg *rand.PCG
}

func newTrained(seed uint64, steps int) trained {
	pcg := rand.NewPCG(seed, 7)
	rng := rand.New(pcg)
	m := NewMLP[float32]("net", MLPConfig{Sizes: []int{3, 8, 2}, Activation: ActTanh, LayerNorm: true}, rng)
	opt := NewAdamW(m.Params(), 1e-2, 0.01)
	tp := NewTape[float32](nil)
	x, y := make([]float32, 12), make([]float32, 8)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	for i := 0; i < steps; i++ {
		mlpStep(m, opt, tp, x, y, 4)
	}
	return trained{m, opt, pcg}
}

func TestCheckpointRoundTrip(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ck.safetensors")
	a := newTrained(1, 5)
	ca := &Checkpoint[float32]{Params: a.m.Params(), Optim: a.opt, Step: 5, RNG: a.pcg, Meta: map[string]string{"env": "Hopper"}}
	require.NoError(t, SaveCheckpoint(path, ca))

	b := newTrained(2, 0)
	cb := &Checkpoint[float32]{Params: b.m.Params(), Optim: b.opt, RNG: b.pcg}
	require.NoError(t, LoadCheckpoint(path, cb))
	for i, p := range a.m.Params() {
		require.Equal(t, p.Data, b.m.Params()[i].Data, p.Name)
		require.Equal(t, a.opt.M[i], b.opt.M[i])
		require.Equal(t, a.opt.V[i], b.opt.V[i])
	}
	require.EqualValues(t, 5, cb.Step)
	require.Equal(t, a.opt.Steps, b.opt.Steps)
	require.Equal(t, map[string]string{"env": "Hopper"}, cb.Meta)
	require.Equal(t, a.pcg.Uint64(), b.pcg.Uint64(), "RNG state restored")

	// Saving the restored state gives the same bytes.
	path2 := filepath.Join(dir, "ck2.safetensors")
	b.pcg.Seed(0, 0)
	a.pcg.Seed(0, 0)
	require.NoError(t, SaveCheckpoint(path, ca))
	require.NoError(t, SaveCheckpoint(path2, &Checkpoint[float32]{Params: b.m.Params(), Optim: b.opt, Step: 5, RNG: b.pcg, Meta: cb.Meta}))
	r1, _ := os.ReadFile(path)
	r2, _ := os.ReadFile(path2)
	require.Equal(t, r1, r2)

	// The header is safetensors: length, JSON with dtype/shape/offsets.
	hl := binary.LittleEndian.Uint64(r1)
	var h map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(r1[8:8+hl], &h))
	var e tensorEntry
	require.NoError(t, json.Unmarshal(h["net.0.weight"], &e))
	require.Equal(t, "F32", e.DType)
	require.Equal(t, []int{8, 3}, e.Shape)
	entries, _ := os.ReadDir(dir)
	require.Len(t, entries, 2, "no temporary files left behind")
}

func TestCheckpointErrors(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ck.safetensors")
	a := newTrained(1, 2)
	require.NoError(t, SaveCheckpoint(path, &Checkpoint[float32]{Params: a.m.Params(), Optim: a.opt}))
	raw, err := os.ReadFile(path)
	require.NoError(t, err)

	load := func(t *testing.T, data []byte, c *Checkpoint[float32]) error {
		p := filepath.Join(t.TempDir(), "x.safetensors")
		require.NoError(t, os.WriteFile(p, data, 0o644))
		return LoadCheckpoint(p, c)
	}
	fresh := func() *Checkpoint[float32] {
		b := newTrained(3, 0)
		return &Checkpoint[float32]{Params: b.m.Params(), Optim: b.opt}
	}
	for _, n := range []int{0, 5, 8, 40, len(raw) - 1} {
		c := fresh()
		before := append([]float32(nil), c.Params[0].Data...)
		err := load(t, raw[:n], c)
		require.Error(t, err, "truncated to %d bytes", n)
		require.Contains(t, err.Error(), "x.safetensors")
		require.Equal(t, before, c.Params[0].Data, "nothing modified on error")
	}
	err = load(t, raw[:len(raw)-1], fresh())
	require.ErrorContains(t, err, "truncated")

	// Wrong shape.
	wide := NewMLP[float32]("net", MLPConfig{Sizes: []int{3, 9, 2}, Activation: ActTanh, LayerNorm: true}, rand.New(rand.NewPCG(1, 1)))
	err = load(t, raw, &Checkpoint[float32]{Params: wide.Params()})
	require.ErrorContains(t, err, `tensor "net.0.weight" has shape [8 3], want [9 3]`)

	// Missing name.
	other := NewMLP[float32]("policy", MLPConfig{Sizes: []int{3, 8, 2}}, rand.New(rand.NewPCG(1, 1)))
	err = load(t, raw, &Checkpoint[float32]{Params: other.Params()})
	require.ErrorContains(t, err, `missing tensor "policy.0.weight"`)

	// Wrong dtype.
	m64 := NewMLP[float64]("net", MLPConfig{Sizes: []int{3, 8, 2}, LayerNorm: true}, rand.New(rand.NewPCG(1, 1)))
	err = LoadCheckpoint(path, &Checkpoint[float64]{Params: m64.Params()})
	require.ErrorContains(t, err, "dtype F32, want F64")

	// Missing RNG state; garbage file; missing file.
	require.ErrorContains(t, LoadCheckpoint(path, &Checkpoint[float32]{Params: a.m.Params(), RNG: rand.NewPCG(1, 1)}), "no RNG state")
	require.Error(t, load(t, []byte("0123456789abcdef"), fresh()))
	require.Error(t, LoadCheckpoint(filepath.Join(dir, "absent"), fresh()))
}
