package boltzmann

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/boltzflow/boltzflow/nn"
)

// Model is a trained TarFlow with what is needed to use it on a system: the
// normalisation scale and the system key it was trained for.
type Model struct {
	Flow *TarFlow[float32]
	// Norm maps nm to normalised coordinates.
	Norm Normalizer
	// System is the system key (aldp, al3, al4, al6).
	System string
	// Meta holds extra metadata (training settings, epoch, validation).
	Meta map[string]string
}

const (
	metaConfig = "boltzmann.tarflow"
	metaStd    = "boltzmann.std_nm"
	metaSystem = "boltzmann.system"
)

// SaveModel writes the model's parameters and metadata to path (an nn
// checkpoint, safetensors layout, written atomically).
func SaveModel(path string, m *Model) error {
	meta := map[string]string{}
	for k, v := range m.Meta {
		meta[k] = v
	}
	cfg, err := json.Marshal(m.Flow.Config)
	if err != nil {
		return err
	}
	meta[metaConfig] = string(cfg)
	meta[metaStd] = strconv.FormatFloat(m.Norm.Std, 'g', -1, 64)
	meta[metaSystem] = m.System
	return nn.SaveCheckpoint(path, &nn.Checkpoint[float32]{Params: m.Flow.Params(), Meta: meta})
}

// readMeta returns the metadata and TarFlow configuration of a checkpoint.
func readMeta(path string) (map[string]string, TarFlowConfig, error) {
	var c nn.Checkpoint[float32]
	var cfg TarFlowConfig
	if err := nn.LoadCheckpoint(path, &c); err != nil {
		return nil, cfg, err
	}
	s, ok := c.Meta[metaConfig]
	if !ok {
		return nil, cfg, fmt.Errorf("boltzmann: %s: not a TarFlow checkpoint (no %s metadata)", path, metaConfig)
	}
	if err := json.Unmarshal([]byte(s), &cfg); err != nil {
		return nil, cfg, fmt.Errorf("boltzmann: %s: bad %s metadata: %v", path, metaConfig, err)
	}
	if err := cfg.Validate(); err != nil {
		return nil, cfg, fmt.Errorf("boltzmann: %s: %v", path, err)
	}
	return c.Meta, cfg, nil
}

// LoadModel reads a model written by SaveModel (or a training state written
// by Train, whose EMA weights it loads). If atoms > 0 it returns an error
// when the model does not fit a system of that many atoms.
func LoadModel(path string, atoms int) (*Model, error) {
	meta, cfg, err := readMeta(path)
	if err != nil {
		return nil, err
	}
	if atoms > 0 && cfg.Atoms != atoms {
		return nil, fmt.Errorf("boltzmann: %s: checkpoint is for %d atoms (system %q), the system has %d", path, cfg.Atoms, meta[metaSystem], atoms)
	}
	std, err := strconv.ParseFloat(meta[metaStd], 64)
	if err != nil || !(std > 0) {
		return nil, fmt.Errorf("boltzmann: %s: bad %s metadata %q", path, metaStd, meta[metaStd])
	}
	flow := NewTarFlow[float32](cfg, rand.New(rand.NewPCG(0, 0)))
	ps := flow.Params()
	if meta[metaState] == "1" {
		ps = renamed(ps, "ema.")
	}
	if err := nn.LoadCheckpoint(path, &nn.Checkpoint[float32]{Params: ps}); err != nil {
		return nil, err
	}
	return &Model{Flow: flow, Norm: Normalizer{Std: std}, System: meta[metaSystem], Meta: meta}, nil
}

// renamed returns parameter headers sharing the tensors of ps under
// prefix+name.
func renamed(ps []*nn.Param[float32], prefix string) []*nn.Param[float32] {
	out := make([]*nn.Param[float32], len(ps))
	for i, p := range ps {
		out[i] = &nn.Param[float32]{Tensor: p.Tensor, Name: prefix + p.Name}
	}
	return out
}

const (
	metaState = "boltzmann.train_state"
	metaEpoch = "boltzmann.epoch"
	metaBest  = "boltzmann.best_val"
	metaBestE = "boltzmann.best_epoch"
	metaVName = "boltzmann.val_name"
)

// TrainConfig holds the training settings (sbg.md §4). Zero values select
// the documented defaults.
type TrainConfig struct {
	// Epochs over the training frames (default 100) and BatchSize
	// (default 256).
	Epochs, BatchSize int
	// LR is the peak learning rate (default 1e-4) of the OneCycle cosine
	// schedule with warm-up fraction WarmupPct (default 0.05) from
	// LR/DivFactor (default 500) and final rate LR/(DivFactor·FinalDiv)
	// (FinalDiv default 1).
	LR, WarmupPct, DivFactor, FinalDiv float64
	// WeightDecay of AdamW (default 4e-4); Beta1, Beta2 (defaults 0.9,
	// 0.95).
	WeightDecay, Beta1, Beta2 float64
	// ClipNorm is the gradient-norm clip (default 1).
	ClipNorm float64
	// EMADecay is the EMA decay (default 0.999), applied as
	// min(EMADecay, (1+n)/(10+n)) at update n.
	EMADecay float64
	// Seed determines initialisation order, shuffling and augmentation.
	Seed uint64
	// Workers splits every batch into that many contiguous shards whose
	// gradients are computed in parallel on copies of the flow and summed
	// in shard order (data parallelism; default 1). The numbers depend on
	// Seed and Workers only, not on scheduling.
	Workers int
	// StatePath, if set, receives the full training state (weights, EMA,
	// optimiser, RNG) after every epoch, and training resumes from it when
	// the file exists.
	StatePath string
	// BestPath, if set, receives the EMA model with the lowest validation
	// score; FinalPath the EMA model at the end.
	BestPath, FinalPath string
	// ValidateEvery runs Validate every that many epochs (0: only at the
	// end, if Validate is set).
	ValidateEvery int
	// Validate scores the EMA model (lower is better, e.g. the resampled
	// energy-W2 on validation data). The model's Meta holds the epoch
	// being validated under "boltzmann.epoch".
	Validate func(m *Model) (float64, error)
	// ValidateName names Validate's score (e.g. "ew2" or "nll"). It is
	// stored with the training state, and resuming a state whose best score
	// was of another name is an error, since the two cannot be compared.
	ValidateName string
	// TimeLimit stops training cleanly after the epoch in which it is
	// exceeded (0: no limit).
	TimeLimit time.Duration
	// StopEpoch, if positive and below Epochs, stops training cleanly after
	// that epoch of the Epochs-long schedule, as if the time limit had been
	// hit there: the state at StopEpoch resumes the schedule, and the final
	// model is the EMA model at StopEpoch.
	StopEpoch int
	// Progress, if not nil, receives progress lines (epoch, loss,
	// samples/s, ETA) after every epoch and, within an epoch, every
	// ProgressEvery of wall time (0 means one minute).
	Progress      io.Writer
	ProgressEvery time.Duration
	// VarWeight, if positive, adds VarWeight/D times the log-variance loss
	// to the maximum-likelihood loss: the variance over each batch shard of
	// the frames' log-weights log w = −E(x) + log p_c(c(x)) − log q(x)
	// (Richter et al. 2020, here over MD frames, which are samples of the
	// target p). It is zero exactly when q ∝ p e^{−E}·p_c on the data,
	// and the spread of log w under p is what makes the importance weights
	// of the flow's proposals degenerate; maximum likelihood alone ignores
	// the energies. p_c is the 3-D Gaussian of the CoM noise of Augment
	// (σ = 1/√N). Energies then holds E (kT) of every training frame (it is
	// invariant under the rotations and shifts of Augment).
	VarWeight float64
	Energies  []float64
	// RenyiWeight, if positive, adds RenyiWeight/D times the batch Rényi
	// loss (1/α)·log mean exp(α·log w) over each batch shard (α =
	// RenyiAlpha, default 1; log w as for VarWeight, which also needs
	// Energies). Its gradient is the NLL gradient of the frames weighted by
	// softmax(α·log w): it raises q only where it falls short of the
	// target on the data. At α = 1 it is log E_p[p/q] = log(1 + χ²(p‖q))
	// up to a constant, and the normalised ESS of the flow's importance
	// weights is 1/(1 + χ²); α → 0 gives the forward KL again.
	RenyiWeight, RenyiAlpha float64
	// Frame, if not nil, trains on frame coordinates instead of randomly
	// rotated, CoM-shifted frames: every training frame is written in the
	// body frame (BodyFrame.Canonicalize) with fresh noise on the six gauge
	// coordinates, and the log-weights of VarWeight and RenyiWeight use the
	// frame's log-Jacobian instead of the CoM density. The saved models
	// record the frame (ModelFrame reads it back).
	Frame *BodyFrame
	// System and Meta are recorded in the saved models.
	System string
	Meta   map[string]string
}

func (c *TrainConfig) defaults() {
	def := func(v *float64, d float64) {
		if *v == 0 {
			*v = d
		}
	}
	if c.Epochs == 0 {
		c.Epochs = 100
	}
	if c.BatchSize == 0 {
		c.BatchSize = 256
	}
	if c.Workers < 1 {
		c.Workers = 1
	}
	if c.ProgressEvery <= 0 {
		c.ProgressEvery = time.Minute
	}
	def(&c.LR, 1e-4)
	def(&c.WarmupPct, 0.05)
	def(&c.DivFactor, 500)
	def(&c.FinalDiv, 1)
	def(&c.WeightDecay, 4e-4)
	def(&c.Beta1, 0.9)
	def(&c.Beta2, 0.95)
	def(&c.ClipNorm, 1)
	def(&c.EMADecay, 0.999)
}

// TrainResult summarises a training run.
type TrainResult struct {
	// Epochs completed, optimiser Steps, final mean training loss per
	// dimension of the last epoch.
	Epochs, Steps int
	Loss          float64
	// SamplesPerSec is the training throughput (frames per second).
	SamplesPerSec float64
	// BestVal and BestEpoch describe the best validation score (NaN if
	// none); Val lists every validation score by epoch.
	BestVal   float64
	BestEpoch int
	Val       map[int]float64
	// Resumed reports that training continued from StatePath.
	Resumed bool
}

// Train fits the flow by maximum likelihood to the normalised frames data
// (rows of length 3N, CoM removed and divided by norm.Std) with random
// rotations and CoM noise, AdamW, OneCycle cosine schedule, gradient-norm
// clipping and an EMA of the weights, as in sbg.md §4. It returns the EMA
// model (used for sampling) and a summary.
func Train(flow *TarFlow[float32], norm Normalizer, data [][]float64, cfg TrainConfig) (*Model, *TrainResult, error) {
	cfg.defaults()
	d := flow.Config.Dim()
	for i, r := range data {
		if len(r) != d {
			return nil, nil, fmt.Errorf("boltzmann: Train: frame %d has %d coordinates, the flow has %d", i, len(r), d)
		}
	}
	if len(data) == 0 {
		return nil, nil, errNoData
	}
	if cfg.VarWeight < 0 || math.IsNaN(cfg.VarWeight) {
		return nil, nil, fmt.Errorf("boltzmann: Train: log-variance weight %g (want 0 or more)", cfg.VarWeight)
	}
	if cfg.RenyiWeight < 0 || math.IsNaN(cfg.RenyiWeight) || cfg.RenyiAlpha < 0 || math.IsNaN(cfg.RenyiAlpha) || math.IsInf(cfg.RenyiAlpha, 0) {
		return nil, nil, fmt.Errorf("boltzmann: Train: Rényi weight %g and order α %g (want 0 or more, α finite)", cfg.RenyiWeight, cfg.RenyiAlpha)
	}
	if cfg.RenyiAlpha == 0 {
		cfg.RenyiAlpha = 1
	}
	if cfg.VarWeight > 0 || cfg.RenyiWeight > 0 {
		if len(cfg.Energies) != len(data) {
			return nil, nil, fmt.Errorf("boltzmann: Train: %d energies for %d frames (the log-variance and Rényi losses need one per frame)", len(cfg.Energies), len(data))
		}
		for i, e := range cfg.Energies {
			if !finite(e) {
				return nil, nil, fmt.Errorf("boltzmann: Train: frame %d has a non-finite energy %g", i, e)
			}
		}
	}
	if cfg.Frame != nil {
		row := make([]float64, d)
		for i, r := range data {
			if err := cfg.Frame.Canonicalize(row, r); err != nil {
				return nil, nil, fmt.Errorf("boltzmann: Train: frame %d: %w", i, err)
			}
		}
	}
	if len(data) < cfg.BatchSize {
		cfg.BatchSize = len(data)
	}
	batches := len(data) / cfg.BatchSize
	total := cfg.Epochs * batches
	pcg := rand.NewPCG(cfg.Seed, 0x5b6)
	rng := rand.New(pcg)
	ema := flow.Clone()
	emaParams := renamed(ema.Params(), "ema.")
	opt := nn.NewAdamW(flow.Params(), cfg.LR, cfg.WeightDecay)
	opt.Beta1, opt.Beta2 = cfg.Beta1, cfg.Beta2
	sched := nn.OneCycle{MaxLR: cfg.LR, TotalSteps: total, PctStart: cfg.WarmupPct, DivFactor: cfg.DivFactor, FinalDivFactor: cfg.FinalDiv}
	res := &TrainResult{BestVal: math.NaN(), Val: map[int]float64{}}
	startEpoch := 0
	emaUpdates := 0
	state := func() *nn.Checkpoint[float32] {
		ps := append(append([]*nn.Param[float32](nil), flow.Params()...), emaParams...)
		return &nn.Checkpoint[float32]{Params: ps, Optim: opt, RNG: pcg}
	}
	if cfg.StatePath != "" {
		if _, err := os.Stat(cfg.StatePath); err == nil {
			meta, scfg, err := readMeta(cfg.StatePath)
			if err != nil {
				return nil, nil, err
			}
			if scfg != flow.Config {
				return nil, nil, fmt.Errorf("boltzmann: %s: training state has TarFlow %+v, this run %+v", cfg.StatePath, scfg, flow.Config)
			}
			st := state()
			if err := nn.LoadCheckpoint(cfg.StatePath, st); err != nil {
				return nil, nil, err
			}
			startEpoch, _ = strconv.Atoi(meta[metaEpoch])
			emaUpdates = int(st.Step)
			if v, err := strconv.ParseFloat(meta[metaBest], 64); err == nil {
				res.BestVal = v
			}
			res.BestEpoch, _ = strconv.Atoi(meta[metaBestE])
			// A best score can only be compared with scores of its own kind.
			// (States written before the name was stored have none.)
			if name, ok := meta[metaVName]; ok && name != cfg.ValidateName && !math.IsNaN(res.BestVal) {
				return nil, nil, fmt.Errorf("boltzmann: %s: training state selects by validation score %q, this run by %q", cfg.StatePath, name, cfg.ValidateName)
			}
			// The coordinates the state was trained on must be this run's.
			if want := frameString(cfg.Frame); meta[metaFrame] != want {
				return nil, nil, fmt.Errorf("boltzmann: %s: training state has body frame %q, this run %q (empty: rotated Cartesian frames)", cfg.StatePath, meta[metaFrame], want)
			}
			res.Resumed = true
			if cfg.Progress != nil {
				fmt.Fprintf(cfg.Progress, "resumed from %s at epoch %d\n", cfg.StatePath, startEpoch)
			}
		}
	}
	model := func() *Model {
		meta := map[string]string{}
		for k, v := range cfg.Meta {
			meta[k] = v
		}
		if cfg.Frame != nil {
			meta[metaFrame] = cfg.Frame.String()
		}
		return &Model{Flow: ema, Norm: norm, System: cfg.System, Meta: meta}
	}
	par := newDataParallel(flow, cfg.Workers, cfg.BatchSize)
	// Each data-parallel worker keeps its matrix products to its share of the cores.
	defer nn.ShareCores(len(par.losses))()
	xb := make([]float32, cfg.BatchSize*d)
	var off []float64 // −E + log p_c of each batch row, for the log-variance and Rényi losses
	if cfg.VarWeight > 0 || cfg.RenyiWeight > 0 {
		off = make([]float64, cfg.BatchSize)
		par.varWeight = cfg.VarWeight
		par.renyiWeight, par.renyiAlpha = cfg.RenyiWeight, cfg.RenyiAlpha
	}
	row := make([]float64, d)
	perm := make([]int, len(data))
	start := time.Now()
	lastLine := start
	seen := 0
	// rate is the throughput since start (samples/s); eta the time the
	// remaining optimiser steps take at that rate.
	rate := func() float64 { return float64(seen) / time.Since(start).Seconds() }
	eta := func(steps int) time.Duration {
		return (time.Duration(float64(steps*cfg.BatchSize) / rate() * float64(time.Second))).Round(time.Second)
	}
	// The ETA counts to the end of the schedule, or to StopEpoch.
	end, endNote := total, ""
	if cfg.StopEpoch > 0 && cfg.StopEpoch < cfg.Epochs {
		end, endNote = cfg.StopEpoch*batches, fmt.Sprintf(" to the stop after epoch %d", cfg.StopEpoch)
	}
	epoch := startEpoch
	for ; epoch < cfg.Epochs; epoch++ {
		for i := range perm {
			perm[i] = i
		}
		rng.Shuffle(len(perm), func(i, j int) { perm[i], perm[j] = perm[j], perm[i] })
		lossSum := 0.0
		for bi := 0; bi < batches; bi++ {
			for r := 0; r < cfg.BatchSize; r++ {
				augmentRow(xb, off, r, row, data, cfg.Energies, perm[bi*cfg.BatchSize+r], cfg.Frame, rng)
			}
			opt.ZeroGrad()
			par.off = off
			lv := par.lossGrad(flow, xb, cfg.BatchSize)
			if !finite(lv) {
				return nil, nil, fmt.Errorf("boltzmann: Train: non-finite loss at epoch %d batch %d", epoch, bi)
			}
			lossSum += lv
			nn.ClipGradNorm(flow.Params(), cfg.ClipNorm)
			opt.LR = sched.LR(epoch*batches + bi)
			opt.Step()
			emaUpdates++
			decay := math.Min(cfg.EMADecay, float64(1+emaUpdates)/float64(10+emaUpdates))
			nn.Polyak(ema.Params(), flow.Params(), 1-decay)
			seen += cfg.BatchSize
			if cfg.Progress != nil && bi+1 < batches && time.Since(lastLine) >= cfg.ProgressEvery {
				lastLine = time.Now()
				step := epoch*batches + bi + 1
				fmt.Fprintf(cfg.Progress, "epoch %d/%d  step %d/%d  running loss/dim %.4f  %.0f samples/s  ETA %s%s\n",
					epoch+1, cfg.Epochs, step, total, lossSum/float64(bi+1), rate(), eta(end-step), endNote)
			}
		}
		lastLine = time.Now()
		res.Loss = lossSum / float64(batches)
		res.SamplesPerSec = rate()
		if cfg.Progress != nil {
			fmt.Fprintf(cfg.Progress, "epoch %d/%d  step %d/%d  loss/dim %.4f  lr %.2e  %.0f samples/s  ETA %s%s\n",
				epoch+1, cfg.Epochs, (epoch+1)*batches, total, res.Loss, opt.LR, res.SamplesPerSec, eta(end-(epoch+1)*batches), endNote)
		}
		last := epoch+1 == cfg.Epochs || epoch+1 == cfg.StopEpoch || (cfg.TimeLimit > 0 && time.Since(start) > cfg.TimeLimit)
		if cfg.Validate != nil && (last || (cfg.ValidateEvery > 0 && (epoch+1)%cfg.ValidateEvery == 0)) {
			vm := model()
			vm.Meta[metaEpoch] = strconv.Itoa(epoch + 1)
			v, err := cfg.Validate(vm)
			if err != nil {
				return nil, nil, fmt.Errorf("boltzmann: Train: validation at epoch %d: %w", epoch+1, err)
			}
			res.Val[epoch+1] = v
			if cfg.Progress != nil {
				fmt.Fprintf(cfg.Progress, "epoch %d  validation %.4f\n", epoch+1, v)
			}
			if math.IsNaN(res.BestVal) || v < res.BestVal {
				res.BestVal, res.BestEpoch = v, epoch+1
				if cfg.BestPath != "" {
					m := model()
					m.Meta[metaEpoch] = strconv.Itoa(epoch + 1)
					m.Meta["boltzmann.val"] = strconv.FormatFloat(v, 'g', 6, 64)
					m.Meta[metaVName] = cfg.ValidateName
					if err := SaveModel(cfg.BestPath, m); err != nil {
						return nil, nil, err
					}
				}
			}
		}
		if cfg.StatePath != "" {
			st := state()
			st.Step = int64(emaUpdates)
			cj, _ := json.Marshal(flow.Config)
			st.Meta = map[string]string{metaConfig: string(cj), metaStd: strconv.FormatFloat(norm.Std, 'g', -1, 64),
				metaSystem: cfg.System, metaState: "1", metaEpoch: strconv.Itoa(epoch + 1),
				metaBest: strconv.FormatFloat(res.BestVal, 'g', -1, 64), metaBestE: strconv.Itoa(res.BestEpoch), metaVName: cfg.ValidateName}
			if cfg.Frame != nil {
				st.Meta[metaFrame] = cfg.Frame.String()
			}
			if err := nn.SaveCheckpoint(cfg.StatePath, st); err != nil {
				return nil, nil, err
			}
		}
		if last {
			epoch++
			break
		}
	}
	res.Epochs = epoch
	res.Steps = epoch * batches
	m := model()
	m.Meta[metaEpoch] = strconv.Itoa(epoch)
	if cfg.FinalPath != "" {
		if err := SaveModel(cfg.FinalPath, m); err != nil {
			return nil, nil, err
		}
	}
	return m, res, nil
}

// weightedLoss returns the maximum-likelihood loss of the rows x plus
// varWeight/D times the variance of their log-weights off − log q and
// renyiWeight/D times their Rényi loss (1/α)·log mean exp(α·log w).
func (p *dataParallel) weightedLoss(f *TarFlow[float32], tp *nn.Tape[float32], x []float32, off []float64) *nn.Tensor[float32] {
	n, d := len(off), f.Config.Dim()
	lq := f.logProb(tp, tp.Const(x, n, d), 1)
	// Centre the log-weights on their current mean (a constant), so that
	// the float32 variance does not cancel two large numbers (the Rényi
	// term adds c0 back).
	c0 := 0.0
	for i, v := range off {
		c0 += (v - float64(lq.Data[i])) / float64(n)
	}
	oc := tp.New(n)
	for i, v := range off {
		oc.Data[i] = float32(v - c0)
	}
	lw := tp.Sub(oc, lq)
	loss := tp.Scale(tp.Mean(lq), -1/float64(d))
	if p.varWeight > 0 {
		v := tp.Sub(tp.Mean(tp.Square(lw)), tp.Square(tp.Mean(lw)))
		loss = tp.Add(loss, tp.Scale(v, p.varWeight/float64(d)))
	}
	if p.renyiWeight > 0 {
		a := p.renyiAlpha
		r := tp.AddScalar(tp.Scale(tp.AddScalar(tp.LogSumExp(tp.Scale(lw, a), 0), -math.Log(float64(n))), 1/a), c0)
		loss = tp.Add(loss, tp.Scale(r, p.renyiWeight/float64(d)))
	}
	return loss
}

// errNoData reports an empty data set.
var errNoData = errors.New("boltzmann: no training frames")

// dataParallel computes the batch loss and its gradient with the batch
// split into contiguous shards, one per worker, each on its own copy of the
// flow and tape.
type dataParallel struct {
	replicas []*TarFlow[float32]
	tapes    []*nn.Tape[float32]
	losses   []float64
	// off, if not nil, holds −E + log p_c of each row, and the loss adds
	// varWeight/D times each shard's variance of log w = off − log q and
	// renyiWeight/D times its Rényi loss of order renyiAlpha
	// (weightedLoss).
	off                     []float64
	varWeight               float64
	renyiWeight, renyiAlpha float64
}

func newDataParallel(flow *TarFlow[float32], workers, batch int) *dataParallel {
	workers = max(1, min(workers, batch))
	p := &dataParallel{losses: make([]float64, workers)}
	for w := 0; w < workers; w++ {
		r := flow
		if w > 0 {
			r = flow.Clone()
		}
		p.replicas = append(p.replicas, r)
		p.tapes = append(p.tapes, nn.NewTape[float32](nil))
	}
	return p
}

// lossGrad returns the mean loss of the bs rows of xb (row length D) and
// adds its gradient to flow's parameter gradients, which the caller has
// zeroed. Replica 0 is flow itself.
func (p *dataParallel) lossGrad(flow *TarFlow[float32], xb []float32, bs int) float64 {
	w := len(p.replicas)
	d := flow.Config.Dim()
	run := func(i int) {
		lo, hi := i*bs/w, (i+1)*bs/w
		r, tp := p.replicas[i], p.tapes[i]
		if i > 0 {
			nn.CopyParams(r.Params(), flow.Params())
			nn.ZeroGrad(r.Params())
		}
		tp.Reset()
		var loss *nn.Tensor[float32]
		if p.off == nil {
			loss = r.Loss(tp, tp.Const(xb[lo*d:hi*d], hi-lo, d))
		} else {
			loss = p.weightedLoss(r, tp, xb[lo*d:hi*d], p.off[lo:hi])
		}
		// The batch loss is the shard-size-weighted mean of shard losses.
		loss = tp.Scale(loss, float64(hi-lo)/float64(bs))
		p.losses[i] = float64(loss.Item())
		tp.Backward(loss)
	}
	if w == 1 {
		run(0)
		return p.losses[0]
	}
	var wg sync.WaitGroup
	for i := 1; i < w; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			run(i)
		}()
	}
	run(0)
	wg.Wait()
	total := p.losses[0]
	for i := 1; i < w; i++ {
		total += p.losses[i]
		addGrads(flow.Params(), p.replicas[i].Params(), 1)
	}
	return total
}

// addGrads adds scale times the gradients of src to those of dst, its
// replica's parameters in the same order.
func addGrads(dst, src []*nn.Param[float32], scale float32) {
	for j, q := range src {
		g := dst[j].Grad
		for k, v := range q.Grad {
			g[k] += scale * v
		}
	}
}

// augmentRow writes an augmented copy of frame data[fi] (Augment, through the
// scratch row) to row r of the batch xb and, when off is not nil, its
// log-variance offset −E + log p_c to off[r] (energies[fi] is E in kT, p_c
// the Gaussian CoM density of Augment's shift). With a body frame, the copy
// is the frame coordinates with fresh gauge noise, and p_c is replaced by
// the frame's log-Jacobian.
func augmentRow(xb []float32, off []float64, r int, row []float64, data [][]float64, energies []float64, fi int, frame *BodyFrame, rng *rand.Rand) {
	// Training frames were checked when training started.
	_ = augmentFrame(row, data[fi], frame, rng)
	d := len(row)
	for j, v := range row {
		xb[r*d+j] = float32(v)
	}
	if off != nil {
		off[r] = -energies[fi] + augmentLogDensity(row, row, frame)
	}
}
