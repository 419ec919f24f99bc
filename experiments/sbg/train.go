package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/boltzflow/boltzflow/boltzmann"
	"github.com/boltzflow/boltzflow/molecules/traj"
)

func train(args []string) error {
	fs := flag.NewFlagSet("train", flag.ContinueOnError)
	system := fs.String("system", "aldp", "system: aldp, al3, al4 or al6")
	data := fs.String("data", "", "training frames, .npy [frames, atoms, 3] in nm (required)")
	val := fs.String("val", "", "validation frames .npy (default: the last -val-frac of -data)")
	valFrac := fs.Float64("val-frac", 0.1, "fraction of -data held out for validation when -val is not given")
	out := fs.String("out", "", "output directory (default sbg-out/<system>)")
	paper := fs.Bool("paper", false, "use the paper's TarFlow size for the system (sbg.md §3.4) instead of the CPU size")
	channels := fs.Int("channels", 0, "channels per token: 3 (atom tokens) or 1 (scalar tokens); 0 = size default")
	width := fs.Int("width", 0, "transformer width C (0 = size default)")
	heads := fs.Int("heads", 0, "attention heads (0 = size default)")
	blocks := fs.Int("blocks", 0, "flow blocks K (0 = size default); with -init, a larger K appends identity blocks to the initial model")
	layers := fs.Int("layers", 0, "transformer layers per block L (0 = size default); with -init, a larger L deepens the initial model by identity layers")
	clamp := fs.Float64("soft-clamp", 0, "soft clamp of the log-scale (0 = none, the SBG default)")
	epochs := fs.Int("epochs", 100, "epochs")
	batch := fs.Int("batch", 256, "batch size")
	lr := fs.Float64("lr", 1e-3, "peak learning rate (paper: 1e-4 with 1000 epochs)")
	wd := fs.Float64("wd", 4e-4, "AdamW weight decay")
	ema := fs.Float64("ema", 0.999, "EMA decay")
	seed := fs.Uint64("seed", 0, "random seed")
	workers := fs.Int("workers", 1, "data-parallel workers per batch (results depend on -seed and -workers only)")
	limit := fs.Duration("time-limit", 0, "stop after the epoch in which this wall time is exceeded (0 = none)")
	stopEpoch := fs.Int("stop-epoch", 0, "stop after this epoch of the -epochs schedule, like -time-limit (0 = run the whole schedule)")
	valEvery := fs.Int("val-every", 10, "validate (resampled energy-W2 and NLL) every this many epochs")
	valSamples := fs.Int("val-samples", 2000, "proposals per validation")
	selectBy := fs.String("select", "ew2", "validation score that picks best.ckpt: ew2 (resampled energy-W2 of -val-samples proposals, sbg.md §4) or nll (NLL per dimension of up to 10,000 augmented validation frames); both are printed")
	renyiWeight := fs.Float64("renyi-weight", 0, "weight λ of the batch Rényi loss: adds λ/D times (1/α)·log mean exp(α·log w) of the frames' log-weights −E − log q (+ CoM term) to the NLL, i.e. the NLL of the frames weighted by softmax(α·log w); at α = 1 it is log(1 + χ²), the inverse of the IS ESS (0 = maximum likelihood only)")
	renyiAlpha := fs.Float64("renyi-alpha", 1, "order α > 0 of the Rényi loss (-renyi-weight); smaller α weights the frames more evenly")
	varWeight := fs.Float64("var-weight", 0, "weight λ of the log-variance loss: adds λ/D times the batch variance of the frames' log-weights −E − log q (+ CoM term) to the NLL (0 = maximum likelihood only)")
	frameFlag := fs.String("frame", "", "train in a body frame \"origin,axis,plane,sigma\" (atom indices; sigma of the gauge noise in normalised units; aldp: 8,6,14,0.2 for Cα, N, C) instead of on randomly rotated frames; such a model supports plain IS only")
	initPath := fs.String("init", "", "start from the weights and normaliser of this model checkpoint (same system and architecture, which -blocks and -layers may grow; a new schedule over -epochs)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *renyiWeight > 0 && !(*renyiAlpha > 0) {
		return fmt.Errorf("-renyi-alpha %g: want a positive order", *renyiAlpha)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("train: unexpected arguments %q", fs.Args())
	}
	if *data == "" {
		return fmt.Errorf("train: -data is required")
	}
	if *selectBy != "ew2" && *selectBy != "nll" {
		return fmt.Errorf("train: -select %q: want ew2 or nll", *selectBy)
	}
	if *workers < 1 || *epochs < 1 {
		return fmt.Errorf("train: -workers %d -epochs %d: want at least 1 of each", *workers, *epochs)
	}
	if *stopEpoch < 0 || *stopEpoch > *epochs {
		return fmt.Errorf("train: -stop-epoch %d: want 0 (none) to -epochs %d", *stopEpoch, *epochs)
	}
	setup, err := boltzmann.LoadSystem(*system)
	if err != nil {
		return err
	}
	n := setup.Top.NumAtoms()
	var initModel *boltzmann.Model
	if *initPath != "" {
		if *paper || *channels != 0 || *width != 0 || *heads != 0 || *clamp != 0 {
			return fmt.Errorf("train: -init %s fixes the architecture (only -blocks and -layers may grow it); drop -paper, -channels, -width, -heads and -soft-clamp", *initPath)
		}
		if initModel, err = boltzmann.LoadModel(*initPath, n); err != nil {
			return fmt.Errorf("train: -init: %w", err)
		}
		if initModel.System != "" && initModel.System != setup.Key {
			return fmt.Errorf("train: -init %s is a model of %q, not %q", *initPath, initModel.System, setup.Key)
		}
	}
	frames, err := boltzmann.LoadFrames(*data, n)
	if err != nil {
		return err
	}
	var valFrames [][]float64
	if *val != "" {
		if valFrames, err = boltzmann.LoadFrames(*val, n); err != nil {
			return err
		}
	} else {
		k := int(float64(len(frames)) * (1 - *valFrac))
		if k < 1 || k >= len(frames) {
			return fmt.Errorf("train: %s: %d frames cannot be split with -val-frac %g", *data, len(frames), *valFrac)
		}
		frames, valFrames = frames[:k], frames[k:]
	}
	cfg := setup.CPUConfig()
	if *paper {
		cfg = setup.Paper
	}
	if initModel != nil {
		cfg = initModel.Flow.Config
	}
	for _, o := range []struct {
		v   int
		dst *int
	}{{*channels, &cfg.Channels}, {*width, &cfg.Width}, {*heads, &cfg.Heads}, {*blocks, &cfg.Blocks}, {*layers, &cfg.Layers}} {
		if o.v != 0 {
			*o.dst = o.v
		}
	}
	if initModel == nil {
		cfg.SoftClamp = *clamp
	}
	if err := cfg.Validate(); err != nil {
		return err
	}
	var flow *boltzmann.TarFlow[float32]
	switch {
	case initModel == nil:
		flow = boltzmann.NewTarFlow[float32](cfg, rand.New(rand.NewPCG(*seed, 1)))
	case cfg == initModel.Flow.Config:
		flow = initModel.Flow
	default:
		// -blocks and -layers grow the initial model with identity blocks
		// and layers: same density, more capacity (TarFlow.Grow).
		if flow, err = initModel.Flow.Grow(cfg.Blocks, cfg.Layers, rand.New(rand.NewPCG(*seed, 1))); err != nil {
			return fmt.Errorf("train: -init %s -blocks %d -layers %d: %w", *initPath, cfg.Blocks, cfg.Layers, err)
		}
	}
	if *out == "" {
		*out = filepath.Join("sbg-out", setup.Key)
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	norm := boltzmann.FitNormalizer(frames)
	if initModel != nil {
		norm = initModel.Norm // the weights are tied to the scale they were trained at
	}
	target, err := boltzmann.NewTarget(setup.Sys, setup.Spec.Temperature, norm.Std)
	if err != nil {
		return err
	}
	valRef := boltzmann.Subsample(valFrames, boltzmann.MaxEvalSamples)
	valE := target.EnergiesNM(valRef)
	fmt.Fprintf(os.Stderr, "sbg train: %s, %d training and %d validation frames, std %.5f nm, TarFlow %+v (%d parameters)\n",
		setup.Key, len(frames), len(valFrames), norm.Std, cfg, countParams(flow))
	// Both validation scores are computed and printed; -select picks the
	// one that chooses best.ckpt. The other one is only logged, so its
	// failure (no finite proposal early in training, say) is not fatal.
	ew2 := boltzmann.ResampledEnergyW2(target, setup.Chirality(valFrames[0]), valE, *valSamples, *seed+99)
	var frame *boltzmann.BodyFrame
	if *frameFlag != "" {
		f, err := boltzmann.ParseBodyFrame(*frameFlag, n)
		if err != nil {
			return fmt.Errorf("train: -frame: %w", err)
		}
		frame = &f
	}
	nll := boltzmann.ValidationNLL(boltzmann.NormalizeAll(norm, valFrames), boltzmann.MaxEvalSamples, *seed+98, frame)
	statePath, valPath := filepath.Join(*out, "state.ckpt"), filepath.Join(*out, "validation.json")
	var scores []valScore
	if _, err := os.Stat(statePath); err == nil {
		// Resuming: keep the scores of the earlier part of the run.
		if b, err := os.ReadFile(valPath); err == nil {
			if err := json.Unmarshal(b, &scores); err != nil {
				return fmt.Errorf("train: %s: %v", valPath, err)
			}
		}
	}
	validate := func(m *boltzmann.Model) (float64, error) {
		epoch, _ := strconv.Atoi(m.Meta["boltzmann.epoch"])
		sc := valScore{Epoch: epoch}
		var sel float64
		for _, c := range []struct {
			name string
			fn   func(*boltzmann.Model) (float64, error)
			dst  **float64
		}{{"ew2", ew2, &sc.EW2}, {"nll", nll, &sc.NLL}} {
			v, err := c.fn(m)
			if err == nil && math.IsNaN(v) {
				err = fmt.Errorf("score is NaN")
			}
			if err != nil {
				if c.name == *selectBy {
					return math.NaN(), err
				}
				fmt.Fprintf(os.Stderr, "validation %s (logged only): %v\n", c.name, err)
				continue
			}
			*c.dst = &v
			if c.name == *selectBy {
				sel = v
			}
		}
		scores = append(scores, sc)
		b, err := json.MarshalIndent(scores, "", "  ")
		if err != nil {
			return math.NaN(), err
		}
		if err := traj.WriteFileAtomic(valPath, b); err != nil {
			return math.NaN(), err
		}
		fmt.Fprintf(os.Stderr, "validation: resampled E-W2 %s kT (%d proposals), NLL/dim %s; -select %s\n",
			fmtScore(sc.EW2, 3), *valSamples, fmtScore(sc.NLL, 4), *selectBy)
		return sel, nil
	}
	var energies []float64
	if *varWeight > 0 || *renyiWeight > 0 {
		energies = target.EnergiesNM(frames)
	}
	tc := boltzmann.TrainConfig{
		Frame:     frame,
		VarWeight: *varWeight, Energies: energies, RenyiWeight: *renyiWeight, RenyiAlpha: *renyiAlpha,
		Epochs: *epochs, BatchSize: *batch, LR: *lr, WeightDecay: *wd, EMADecay: *ema, Seed: *seed, Workers: *workers,
		StatePath: statePath, BestPath: filepath.Join(*out, "best.ckpt"),
		FinalPath: filepath.Join(*out, "final.ckpt"), ValidateEvery: *valEvery,
		Validate: validate, ValidateName: *selectBy,
		TimeLimit: *limit, StopEpoch: *stopEpoch, Progress: os.Stderr, System: setup.Key,
		Meta: map[string]string{"boltzmann.train_data": filepath.Base(*data), "boltzmann.command": fmt.Sprint(os.Args),
			"boltzmann.init": *initPath},
	}
	start := time.Now()
	_, res, err := boltzmann.Train(flow, norm, boltzmann.NormalizeAll(norm, frames), tc)
	if err != nil {
		return err
	}
	num := func(v float64) any {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil
		}
		return v
	}
	byEpoch := map[string]any{}
	for e, v := range res.Val {
		byEpoch[strconv.Itoa(e)] = num(v)
	}
	summary := map[string]any{
		"system": setup.Key, "tarflow": cfg, "std_nm": norm.Std, "train_frames": len(frames), "val_frames": len(valFrames),
		"epochs": res.Epochs, "steps": res.Steps, "loss_per_dim": num(res.Loss), "samples_per_sec": num(res.SamplesPerSec),
		"select": *selectBy, "best_val": num(res.BestVal), "best_epoch": res.BestEpoch, "val": byEpoch, "val_scores": scores,
		"resumed": res.Resumed, "wall_seconds": time.Since(start).Seconds(), "args": os.Args,
	}
	b, err := json.MarshalIndent(summary, "", "  ")
	if err != nil {
		return fmt.Errorf("train: train.json: %v", err)
	}
	if err := traj.WriteFileAtomic(filepath.Join(*out, "train.json"), b); err != nil {
		return err
	}
	fmt.Printf("trained %s: %d epochs, loss/dim %.4f, %.0f samples/s, best validation %s %.4f at epoch %d; models in %s\n",
		setup.Key, res.Epochs, res.Loss, res.SamplesPerSec, *selectBy, res.BestVal, res.BestEpoch, *out)
	return nil
}

// valScore holds both validation scores of one epoch (nil: not computed).
type valScore struct {
	Epoch int      `json:"epoch"`
	EW2   *float64 `json:"ew2"`
	NLL   *float64 `json:"nll"`
}

func fmtScore(v *float64, prec int) string {
	if v == nil {
		return "–"
	}
	return strconv.FormatFloat(*v, 'f', prec, 64)
}

func countParams(f *boltzmann.TarFlow[float32]) int {
	n := 0
	for _, p := range f.Params() {
		n += len(p.Data)
	}
	return n
}
