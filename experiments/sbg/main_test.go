package main

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/boltzflow/boltzflow/boltzmann"
	"github.com/boltzflow/boltzflow/molecules/traj"
	"github.com/boltzflow/boltzflow/nn"
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

	// -layers deepens the initial model by identity layers: same density.
	c := filepath.Join(dir, "c")
	require.NoError(t, train(append(tiny, "-val-frac", "0.3", "-lr", "1e-12", "-init", filepath.Join(a, "final.ckpt"), "-layers", "3", "-out", c)))
	mc, err := boltzmann.LoadModel(filepath.Join(c, "final.ckpt"), 22)
	require.NoError(t, err)
	assert.Equal(t, 3, mc.Flow.Config.Layers)
	frames, err := boltzmann.LoadFrames(testFrames, 22)
	require.NoError(t, err)
	la, lc := flowLogProb(ma, frames[:8]), flowLogProb(mc, frames[:8])
	for i := range la {
		assert.InDelta(t, float64(la[i]), float64(lc[i]), 1e-4*(1+math.Abs(float64(la[i]))))
	}

	// -blocks appends identity blocks: same density again.
	e := filepath.Join(dir, "e")
	require.NoError(t, train(append(tiny, "-val-frac", "0.3", "-lr", "1e-12", "-init", filepath.Join(a, "final.ckpt"), "-blocks", "3", "-out", e)))
	me, err := boltzmann.LoadModel(filepath.Join(e, "final.ckpt"), 22)
	require.NoError(t, err)
	assert.Equal(t, 3, me.Flow.Config.Blocks)
	le := flowLogProb(me, frames[:8])
	for i := range la {
		assert.InDelta(t, float64(la[i]), float64(le[i]), 1e-4*(1+math.Abs(float64(la[i]))))
	}

	err = train(append(tiny, "-init", filepath.Join(a, "final.ckpt"), "-width", "32", "-out", b))
	require.ErrorContains(t, err, "fixes the architecture")
	err = train(append(tiny, "-init", filepath.Join(c, "final.ckpt"), "-layers", "2", "-out", b))
	require.ErrorContains(t, err, "fewer than the flow's 3")
	err = train(append(tiny, "-init", filepath.Join(e, "final.ckpt"), "-blocks", "2", "-out", b))
	require.ErrorContains(t, err, "2 blocks, fewer than the flow's 3")
	err = train([]string{"-system", "al3", "-data", testFrames, "-init", filepath.Join(a, "final.ckpt"), "-out", b})
	require.ErrorContains(t, err, "checkpoint is for 22 atoms")
	err = train(append(tiny, "-stop-epoch", "2", "-out", b))
	require.ErrorContains(t, err, "-stop-epoch 2: want 0 (none) to -epochs 1")
}

// flowLogProb returns the flow's log density of frames (nm) in normalised
// coordinates.
func flowLogProb(m *boltzmann.Model, frames [][]float64) []float32 {
	x := boltzmann.NormalizeAll(m.Norm, frames)
	d := len(x[0])
	flat := make([]float32, 0, len(x)*d)
	for _, r := range x {
		for _, v := range r {
			flat = append(flat, float32(v))
		}
	}
	tp := nn.NewTape[float32](nil)
	tp.NoGrad = true
	return m.Flow.LogProb(tp, tp.Const(flat, len(x), d)).Data
}

// TestTrainSelect trains a tiny TarFlow for two epochs selecting by the
// validation NLL, killed (time limit) after the first and resumed:
// validation.json and train.json must hold both scores of both epochs, and
// the best epoch must be the one with the lower NLL. Resuming with the
// other score is an error, as is an unknown -select.
func TestTrainSelect(t *testing.T) {
	dir := t.TempDir()
	args := []string{"-system", "aldp", "-data", testFrames, "-val-frac", "0.8", "-epochs", "2", "-batch", "256",
		"-val-every", "1", "-val-samples", "16", "-width", "16", "-heads", "2", "-blocks", "2", "-layers", "1", "-out", dir}
	require.ErrorContains(t, train(append(args, "-select", "loss")), `-select "loss"`)
	require.NoError(t, train(append(args, "-select", "nll", "-time-limit", "1ns")))
	require.NoError(t, train(append(args, "-select", "nll")))
	b, err := os.ReadFile(filepath.Join(dir, "train.json"))
	require.NoError(t, err)
	var s struct {
		Select    string
		Resumed   bool
		BestVal   float64    `json:"best_val"`
		BestEpoch int        `json:"best_epoch"`
		Scores    []valScore `json:"val_scores"`
	}
	require.NoError(t, json.Unmarshal(b, &s))
	assert.Equal(t, "nll", s.Select)
	assert.True(t, s.Resumed)
	require.Len(t, s.Scores, 2)
	best := 0
	for i, v := range s.Scores {
		assert.Equal(t, i+1, v.Epoch)
		require.NotNil(t, v.EW2)
		require.NotNil(t, v.NLL)
		if *v.NLL < *s.Scores[best].NLL {
			best = i
		}
	}
	assert.Equal(t, best+1, s.BestEpoch)
	assert.Equal(t, *s.Scores[best].NLL, s.BestVal)
	m, err := boltzmann.LoadModel(filepath.Join(dir, "best.ckpt"), 22)
	require.NoError(t, err)
	assert.Equal(t, strconv.Itoa(best+1), m.Meta["boltzmann.epoch"])
	assert.Equal(t, "nll", m.Meta["boltzmann.val_name"])

	err = train(append(args, "-select", "ew2"))
	assert.ErrorContains(t, err, `selects by validation score "nll", this run by "ew2"`)
}

// TestTrainRenyi trains a tiny TarFlow with the Rényi loss and checks that
// the run finishes with a finite loss that includes the Rényi term (the
// untrained flow's log-weights of MD frames are around +100 nats, so with
// the same seed the loss per dimension differs from the NLL run's by more
// than 0.5), and that a non-positive order is refused.
func TestTrainRenyi(t *testing.T) {
	dir := t.TempDir()
	args := []string{"-system", "aldp", "-data", testFrames, "-val-frac", "0.5", "-epochs", "1", "-batch", "256",
		"-val-every", "1", "-val-samples", "16", "-width", "16", "-heads", "2", "-blocks", "2", "-layers", "1", "-seed", "4"}
	require.ErrorContains(t, train(append(args, "-renyi-weight", "1", "-renyi-alpha", "0", "-out", dir)), "-renyi-alpha 0")
	loss := func(out string) float64 {
		b, err := os.ReadFile(filepath.Join(out, "train.json"))
		require.NoError(t, err)
		var s struct {
			Loss *float64 `json:"loss_per_dim"`
		}
		require.NoError(t, json.Unmarshal(b, &s))
		require.NotNil(t, s.Loss, "train.json of %s has no finite loss_per_dim", out)
		return *s.Loss
	}
	a, b := filepath.Join(dir, "nll"), filepath.Join(dir, "renyi")
	require.NoError(t, train(append(args, "-out", a)))
	require.NoError(t, train(append(args, "-renyi-weight", "1", "-renyi-alpha", "0.5", "-out", b)))
	la, lb := loss(a), loss(b)
	t.Logf("final loss/dim: NLL %.3f, NLL + Rényi %.3f", la, lb)
	assert.Greater(t, math.Abs(lb-la), 0.5)
}

// TestFloor checks the ideal-sampler floor: with as many distinct reference
// frames as samples the set is a permutation of the reference, so both
// distances are 0; with 3 effective frames they are not; bad flags are
// errors that name the flag.
func TestFloor(t *testing.T) {
	frames, atoms, err := traj.ReadNPY(testFrames)
	require.NoError(t, err)
	dir := t.TempDir()
	small := filepath.Join(dir, "small.npy")
	require.NoError(t, traj.WriteNPY(small, frames[:300], atoms))
	out := filepath.Join(dir, "floor")
	require.NoError(t, floor([]string{"-ref", small, "-pool", small, "-n", "300", "-neff", "300,3", "-reps", "2", "-out", out}))
	b, err := os.ReadFile(filepath.Join(out, "floor.json"))
	require.NoError(t, err)
	var rows []floorRow
	require.NoError(t, json.Unmarshal(b, &rows))
	require.Len(t, rows, 2)
	for _, v := range rows[0].TW2 {
		assert.InDelta(t, 0, v, 1e-9)
	}
	for _, v := range rows[0].EW2 {
		assert.InDelta(t, 0, v, 1e-9)
	}
	assert.Greater(t, rows[1].TW2Med, 0.05)
	assert.Greater(t, rows[1].EW2Med, 0.5)
	assert.Equal(t, 300, rows[1].Samples)

	require.ErrorContains(t, floor([]string{"-ref", small}), "-pool")
	require.ErrorContains(t, floor([]string{"-ref", small, "-pool", small, "-neff", "10,x"}), `"x"`)
	require.ErrorContains(t, floor([]string{"-ref", small, "-pool", small, "-n", "0"}), "-n 0")
}

func TestFloorIndices(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	idx := floorIndices(rng, 100, 5, 1000)
	distinct := map[int]bool{}
	for _, i := range idx {
		distinct[i] = true
	}
	assert.Len(t, idx, 1000)
	assert.Len(t, distinct, 5)
	idx = floorIndices(rng, 100, 500, 50)
	distinct = map[int]bool{}
	for _, i := range idx {
		distinct[i] = true
	}
	assert.Len(t, distinct, 50)
}

// TestEvalPriorStdFlag: -prior-std must be a positive finite number.
func TestEvalPriorStdFlag(t *testing.T) {
	for _, v := range []string{"0", "-0.5", "Inf", "NaN"} {
		err := eval([]string{"-model", "../../boltzmann/testdata/aldp_tarflow_cpu.ckpt", "-ref", testFrames, "-no-smc", "-prior-std", v})
		require.ErrorContains(t, err, "want a positive finite standard deviation", v)
	}
}

// TestEvalRotMix runs IS on 64 proposals with the rotation mixture and
// checks that the settings record it and the table says so; -rot-mix 0 is
// refused.
func TestEvalRotMix(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, eval([]string{"-model", "../../boltzmann/testdata/aldp_tarflow_cpu.ckpt", "-ref", testFrames, "-no-smc",
		"-n", "64", "-tw2-samples", "64", "-rot-mix", "3", "-out", dir}))
	b, err := os.ReadFile(filepath.Join(dir, "results.json"))
	require.NoError(t, err)
	var res struct {
		Report struct {
			Settings struct {
				RotationMixture int    `json:"rotation_mixture"`
				ComMixture      bool   `json:"com_mixture"`
				Com             string `json:"com_adjustment"`
			} `json:"settings"`
		} `json:"report"`
	}
	require.NoError(t, json.Unmarshal(b, &res))
	assert.Equal(t, 3, res.Report.Settings.RotationMixture)
	tab, err := os.ReadFile(filepath.Join(dir, "table.md"))
	require.NoError(t, err)
	assert.Contains(t, string(tab), "rotation mixture over 3 orientations")
	err = eval([]string{"-model", "../../boltzmann/testdata/aldp_tarflow_cpu.ckpt", "-ref", testFrames, "-no-smc", "-rot-mix", "0"})
	require.ErrorContains(t, err, "-rot-mix 0: want at least 1")
	err = eval([]string{"-model", "../../boltzmann/testdata/aldp_tarflow_cpu.ckpt", "-ref", testFrames, "-no-smc", "-relabel"})
	require.ErrorContains(t, err, "-relabel needs -rot-mix 2 or more")
	require.NoError(t, eval([]string{"-model", "../../boltzmann/testdata/aldp_tarflow_cpu.ckpt", "-ref", testFrames, "-no-smc",
		"-n", "64", "-tw2-samples", "64", "-rot-mix", "3", "-relabel", "-out", dir}))
	tab, err = os.ReadFile(filepath.Join(dir, "table.md"))
	require.NoError(t, err)
	assert.Contains(t, string(tab), "rotation mixture over 3 orientations and relabellings of 3 equivalent-hydrogen groups")
	require.NoError(t, eval([]string{"-model", "../../boltzmann/testdata/aldp_tarflow_cpu.ckpt", "-ref", testFrames, "-no-smc",
		"-n", "64", "-tw2-samples", "64", "-rot-group", "tetrahedral", "-out", dir}))
	b, err = os.ReadFile(filepath.Join(dir, "results.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &res))
	assert.Equal(t, 12, res.Report.Settings.RotationMixture)
	assert.False(t, res.Report.Settings.ComMixture)
	tab, err = os.ReadFile(filepath.Join(dir, "table.md"))
	require.NoError(t, err)
	assert.Contains(t, string(tab), "rotation mixture over the tetrahedral group (12 orientations, randomly conjugated per proposal)")
	assert.NotContains(t, string(tab), "over 12 orientations,")
	assert.NotContains(t, string(tab), "fresh centroid")
	require.NoError(t, eval([]string{"-model", "../../boltzmann/testdata/aldp_tarflow_cpu.ckpt", "-ref", testFrames, "-no-smc",
		"-n", "64", "-tw2-samples", "64", "-rot-group", "tetrahedral", "-com", "gaussian", "-com-mix", "-out", dir}))
	b, err = os.ReadFile(filepath.Join(dir, "results.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &res))
	assert.True(t, res.Report.Settings.ComMixture)
	assert.Equal(t, "gaussian", res.Report.Settings.Com)
	tab, err = os.ReadFile(filepath.Join(dir, "table.md"))
	require.NoError(t, err)
	assert.Contains(t, string(tab), "each extra mixture component at a fresh centroid from the gaussian CoM density (σ_c 0.213)")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-rot-group", "cubic"}, `unknown rotation group "cubic"`},
		{[]string{"-rot-group", "octahedral", "-rot-mix", "4"}, "-rot-group octahedral replaces -rot-mix"},
		{[]string{"-rot-group", "octahedral", "-relabel"}, "-rot-group octahedral replaces -rot-mix"},
		{[]string{"-com-mix"}, "CoM-translation mixture needs a CoM adjustment (have chi) and a rotation mixture"},
		{[]string{"-rot-mix", "3", "-com", "none", "-com-mix"}, "CoM-translation mixture needs a CoM adjustment (have none)"},
	} {
		err := eval(append([]string{"-model", "../../boltzmann/testdata/aldp_tarflow_cpu.ckpt", "-ref", testFrames, "-no-smc"}, tc.args...))
		assert.ErrorContains(t, err, tc.want)
	}
}

func TestEvalCalibrate(t *testing.T) {
	dir := t.TempDir()
	model := "../../boltzmann/testdata/aldp_tarflow_cpu.ckpt"
	require.NoError(t, eval([]string{"-model", model, "-ref", testFrames, "-no-smc", "-n", "64", "-tw2-samples", "64",
		"-calibrate", testFrames, "-calibrate-proposals", "64", "-calibrate-frames", "500", "-calibrate-strength", "0.4", "-out", dir}))
	b, err := os.ReadFile(filepath.Join(dir, "results.json"))
	require.NoError(t, err)
	var res struct {
		Report struct {
			Settings struct {
				Strength  float64 `json:"calibration_strength"`
				Bins      int     `json:"calibration_torsion_bins"`
				Frames    int     `json:"calibration_reference_frames"`
				Proposals int     `json:"calibration_proposals"`
			} `json:"settings"`
			Rows []struct {
				Method string `json:"method"`
			} `json:"rows"`
		} `json:"report"`
	}
	require.NoError(t, json.Unmarshal(b, &res))
	assert.Equal(t, 0.4, res.Report.Settings.Strength)
	assert.Equal(t, 72, res.Report.Settings.Bins)
	assert.Equal(t, 500, res.Report.Settings.Frames)
	assert.Equal(t, 64, res.Report.Settings.Proposals)
	tab, err := os.ReadFile(filepath.Join(dir, "table.md"))
	require.NoError(t, err)
	assert.Contains(t, string(tab), "| flow-cal | 64 |")
	assert.Contains(t, string(tab), "calibrated in internal coordinates (stiff strength 0.4, soft torsions matched over 72 bins")
	for _, c := range []struct {
		args []string
		msg  string
	}{
		{[]string{"-calibrate", testFrames, "-calibrate-strength", "2"}, "strength 2"},
		{[]string{"-calibrate", filepath.Join(dir, "missing.npy")}, "missing.npy"},
		{[]string{"-calibrate", testFrames, "-calibrate-frames", "3"}, "-calibrate-frames 3"},
	} {
		err := eval(append([]string{"-model", model, "-ref", testFrames, "-no-smc", "-n", "16"}, c.args...))
		require.Error(t, err)
		assert.Contains(t, err.Error(), c.msg)
	}
}

// TestTrainFrame trains a small body-frame model from the CLI and checks that
// the model records its frame, that IS weights its proposals as
// conformations with the gauge coordinates zeroed, and that what a frame
// model cannot do (SMC, rotation mixtures) is an error.
func TestTrainFrame(t *testing.T) {
	dir := t.TempDir()
	args := []string{"-system", "aldp", "-data", testFrames, "-val-frac", "0.5", "-epochs", "1", "-batch", "256",
		"-val-every", "1", "-val-samples", "16", "-width", "16", "-heads", "2", "-blocks", "2", "-layers", "1", "-seed", "4",
		"-out", dir}
	require.ErrorContains(t, train(append(args, "-frame", "8,6,8,0.2")), "-frame")
	require.NoError(t, train(append(args, "-frame", "8,6,14,0.2")))
	// Its training state cannot resume in other coordinates.
	require.ErrorContains(t, train(args), "body frame")
	require.ErrorContains(t, train(append(args, "-frame", "8,6,14,0.3")), "body frame")
	setup, err := boltzmann.LoadSystem("aldp")
	require.NoError(t, err)
	m, err := boltzmann.LoadModel(filepath.Join(dir, "final.ckpt"), setup.Top.NumAtoms())
	require.NoError(t, err)
	f, err := boltzmann.ModelFrame(m)
	require.NoError(t, err)
	require.NotNil(t, f)
	assert.Equal(t, boltzmann.BodyFrame{Origin: 8, Axis: 6, Plane: 14, Sigma: 0.2}, *f)
	target, err := boltzmann.NewTarget(setup.Sys, setup.Spec.Temperature, m.Norm.Std)
	require.NoError(t, err)
	cfg := boltzmann.SBGConfig{Proposals: 64, Seed: 1, Chirality: setup.Chirality(nil), SkipSMC: true}
	res, err := boltzmann.RunSBG(m, target, cfg)
	require.NoError(t, err)
	for _, x := range res.Proposals {
		for _, g := range f.Gauge() {
			assert.Zero(t, x[g])
		}
	}
	// Every proposal is counted once: off the chart, or of either chirality.
	assert.LessOrEqual(t, res.Chirality.Correct+res.Chirality.Uncorrectable, 64)
	assert.Positive(t, res.Chirality.Correct)
	assert.GreaterOrEqual(t, res.NonFinite, res.Chirality.Uncorrectable)
	assert.Greater(t, res.ISESS, 0.0)
	// SMC moves the frame coordinates and reports conformations with
	// their own energies.
	cfg.SkipSMC, cfg.Steps, cfg.StepSize = false, 4, 1e-12
	res, err = boltzmann.RunSBG(m, target, cfg)
	require.NoError(t, err)
	require.NotEmpty(t, res.SMCX)
	e := make([]float64, len(res.SMCX))
	target.Energy(res.SMCX, e, nil)
	for i, x := range res.SMCX {
		for _, g := range f.Gauge() {
			assert.Zero(t, x[g])
		}
		assert.Equal(t, e[i], res.SMCEnergy[i])
	}
	cfg.SkipSMC, cfg.RotationMixture = true, 4
	_, err = boltzmann.RunSBG(m, target, cfg)
	assert.ErrorContains(t, err, "body frame")
}
