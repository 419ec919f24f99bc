package boltzmann

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/boltzflow/boltzflow/nn"
	"github.com/boltzflow/boltzflow/smc"
)

// metaKLState marks a FineTuneKL training state.
const metaKLState = "boltzmann.kl_state"

// KLConfig configures FineTuneKL. Zero values take the defaults given.
type KLConfig struct {
	// Steps is the number of optimiser steps (default 1000); BatchSize the
	// number of flow samples per step (default 256).
	Steps, BatchSize int
	// LR is the AdamW learning rate (default 1e-5, constant after a warm-up
	// over the first WarmupSteps steps, default 50); WeightDecay its
	// decoupled weight decay (default 0); Beta1 and Beta2 default to 0.9
	// and 0.95 as in Train.
	LR, WeightDecay, Beta1, Beta2 float64
	WarmupSteps                   int
	// ClipNorm bounds the global gradient norm (default 1).
	ClipNorm float64
	// EnergyHigh (kT, default 1000) tames strained samples: above it the
	// energy enters the loss as EnergyHigh + log(1 + E − EnergyHigh), so its
	// gradient is damped by 1/(1 + E − EnergyHigh) (Noé et al. 2019).
	EnergyHigh float64
	// Com is the CoM density the target includes, as in the importance
	// weights: the target of the flow is exp(−E(x))·p_c(c(x)). Only
	// ComGaussian and ComNone are supported (the χ₃ density's score is
	// singular at c = 0); default ComGaussian with σ_c = 1/√N.
	Com ComAdjust
	// Data, if not empty, adds DataWeight times the maximum-likelihood loss
	// (mean −log q/D over a batch of DataBatch augmented frames, default
	// BatchSize) to every step, which keeps the flow close to the data
	// while the reverse KL sharpens it.
	Data       [][]float64
	DataWeight float64
	DataBatch  int
	// VarWeight and Energies add the log-variance loss to the data term,
	// as in TrainConfig.
	VarWeight float64
	Energies  []float64
	// Seed drives the latents and the data batches.
	Seed uint64
	// Workers is the number of goroutines (default 1), each with its own
	// replica of the flow; results depend on it only through float32
	// rounding (the gradient is summed over shards).
	Workers int
	// Progress, if not nil, receives a line every ProgressEvery (default
	// 30 s) and at the end.
	Progress      io.Writer
	ProgressEvery time.Duration
	// Window is the number of steps over which the progress line's ESS and
	// mean log-weight are computed (default 20).
	Window int
	// StatePath, if set, receives the training state (parameters, optimiser
	// moments, random state, step) every SaveEvery steps (default 100) and
	// at the end, written atomically; a run whose StatePath exists resumes
	// from it. OnSave, if not nil, is called after each save with the
	// steps of this call so far (for a caller's log of the run).
	StatePath string
	SaveEvery int
	OnSave    func(res *KLResult) error
	// Meta is copied into the model's metadata.
	Meta map[string]string
}

func (c *KLConfig) defaults() {
	if c.Steps == 0 {
		c.Steps = 1000
	}
	if c.BatchSize == 0 {
		c.BatchSize = 256
	}
	if c.LR == 0 {
		c.LR = 1e-5
	}
	if c.WarmupSteps == 0 {
		c.WarmupSteps = 50
	}
	if c.Beta1 == 0 {
		c.Beta1 = 0.9
	}
	if c.Beta2 == 0 {
		c.Beta2 = 0.95
	}
	if c.ClipNorm == 0 {
		c.ClipNorm = 1
	}
	if c.EnergyHigh == 0 {
		c.EnergyHigh = 1000
	}
	if c.DataBatch == 0 {
		c.DataBatch = c.BatchSize
	}
	if c.Workers < 1 {
		c.Workers = 1
	}
	if c.ProgressEvery == 0 {
		c.ProgressEvery = 30 * time.Second
	}
	if c.Window == 0 {
		c.Window = 20
	}
	if c.SaveEvery == 0 {
		c.SaveEvery = 100
	}
}

// KLStep records one step of FineTuneKL.
type KLStep struct {
	// Step counts from 1. KL is the batch mean of log q'(x) + E(x) over the
	// flow's samples (the reverse KL divergence up to the target's log Z, in
	// nats; lower is better), over the samples with a finite energy.
	Step int     `json:"step"`
	KL   float64 `json:"kl"`
	// ESS is the normalised effective sample size of the batch's importance
	// weights; Dropped counts samples with a non-finite energy or score.
	ESS     float64 `json:"ess"`
	Dropped int     `json:"dropped"`
	// DataLoss is the data term per dimension (mean −log q/D, plus the
	// log-variance term with VarWeight) when Data is set, else NaN.
	DataLoss float64 `json:"data_loss"`
	// GradNorm is the global gradient norm before clipping.
	GradNorm float64 `json:"grad_norm"`
}

// KLResult summarises a FineTuneKL run.
type KLResult struct {
	// Start is the step a resumed run started after (0 for a fresh run);
	// Steps holds the steps run by this call.
	Start         int
	Steps         []KLStep
	SamplesPerSec float64
	Elapsed       time.Duration
}

// klWorker holds one replica's buffers.
type klWorker struct {
	flow       *TarFlow[float32]
	tp, score  *nn.Tape[float32]
	rows, grad [][]float64
	scores     [][]float64 // ∇ₓ log q' of each row
	e          []float64
	cot        []float32
	ones       []float32
	// Per-step outputs for the rows of this worker's shard.
	logw []float64
	bad  []bool
}

// FineTuneKL trains the model's flow by minimising the reverse KL divergence
// KL(q‖p) to the target p(x) ∝ exp(−E(x))·p_c(c(x)) with the path gradient
// (Roeder et al. 2017; Vaitl et al. 2022): for samples x = f⁻¹(z), z ~ 𝒩(0, I),
// recorded with TarFlow.InverseTape, the gradient is that of
// mean_x Σ_j x_j·g_j with the cotangent g = ∇ₓ log q'(x) + ∇ₓE(x) held fixed
// (log q' = log q − log p_c as in the importance weights). The score term
// ∂_θ log q, whose expectation is zero, is left out, so the estimator's
// variance vanishes as q approaches p. Unlike maximum likelihood on MD data,
// the gradient uses the forces: it penalises exactly the strained bonds and
// angles that make most proposals' weights negligible. The target must be
// safe for concurrent use (Workers goroutines call Energy); its energy is in
// units of kT. The model's flow is trained in place (m.Flow). An error
// reports a step where no sample has a finite energy and score, or a
// non-finite gradient.
func FineTuneKL(m *Model, target smc.Target, cfg KLConfig) (*KLResult, error) {
	cfg.defaults()
	flow := m.Flow
	d := flow.Config.Dim()
	if target.Dim() != d {
		return nil, fmt.Errorf("boltzmann: FineTuneKL: model for %d atoms, target system has %d", d/3, target.Dim()/3)
	}
	switch cfg.Com.Variant {
	case ComNone:
	case ComGaussian:
		if cfg.Com.Sigma == 0 {
			cfg.Com.Sigma = 1 / math.Sqrt(float64(d/3))
		}
	default:
		return nil, fmt.Errorf("boltzmann: FineTuneKL: CoM adjustment %v not supported (want gaussian or none)", cfg.Com.Variant)
	}
	for i, r := range cfg.Data {
		if len(r) != d {
			return nil, fmt.Errorf("boltzmann: FineTuneKL: frame %d has %d coordinates, the flow has %d", i, len(r), d)
		}
	}
	if cfg.BatchSize < cfg.Workers {
		cfg.Workers = cfg.BatchSize
	}
	defer nn.ShareCores(cfg.Workers)()
	pcg := rand.NewPCG(cfg.Seed, 0x6b1)
	rng := rand.New(pcg)
	opt := nn.NewAdamW(flow.Params(), cfg.LR, cfg.WeightDecay)
	opt.Beta1, opt.Beta2 = cfg.Beta1, cfg.Beta2
	res := &KLResult{}
	state := func(step int) *nn.Checkpoint[float32] {
		cj, _ := json.Marshal(flow.Config)
		return &nn.Checkpoint[float32]{Params: flow.Params(), Optim: opt, RNG: pcg, Step: int64(step),
			Meta: map[string]string{metaConfig: string(cj), metaStd: strconv.FormatFloat(m.Norm.Std, 'g', -1, 64),
				metaSystem: m.System, metaKLState: "1"}}
	}
	if cfg.StatePath != "" {
		if _, err := os.Stat(cfg.StatePath); err == nil {
			meta, scfg, err := readMeta(cfg.StatePath)
			if err != nil {
				return nil, err
			}
			if scfg != flow.Config || meta[metaKLState] != "1" {
				return nil, fmt.Errorf("boltzmann: %s: not a fine-tuning state of this flow (TarFlow %+v, this run %+v)", cfg.StatePath, scfg, flow.Config)
			}
			st := state(0)
			if err := nn.LoadCheckpoint(cfg.StatePath, st); err != nil {
				return nil, err
			}
			res.Start = int(st.Step)
			if cfg.Progress != nil {
				fmt.Fprintf(cfg.Progress, "resumed from %s after step %d\n", cfg.StatePath, res.Start)
			}
		}
	}
	save := func(step int) error {
		if cfg.StatePath == "" {
			return nil
		}
		if err := nn.SaveCheckpoint(cfg.StatePath, state(step)); err != nil {
			return err
		}
		if cfg.OnSave != nil {
			return cfg.OnSave(res)
		}
		return nil
	}
	var par *dataParallel
	var off []float64
	if len(cfg.Data) > 0 && cfg.DataWeight > 0 {
		par = newDataParallel(flow.Clone(), cfg.Workers, cfg.DataBatch)
		if cfg.VarWeight > 0 {
			if len(cfg.Energies) != len(cfg.Data) {
				return nil, fmt.Errorf("boltzmann: FineTuneKL: %d energies for %d frames", len(cfg.Energies), len(cfg.Data))
			}
			off = make([]float64, cfg.DataBatch)
			par.varWeight, par.off = cfg.VarWeight, off
		}
	}
	ws := make([]*klWorker, cfg.Workers)
	for i := range ws {
		n := (i+1)*cfg.BatchSize/cfg.Workers - i*cfg.BatchSize/cfg.Workers
		w := &klWorker{flow: flow.Clone(), tp: nn.NewTape[float32](nil), score: nn.NewTape[float32](nil),
			rows: make([][]float64, n), grad: make([][]float64, n), scores: make([][]float64, n), e: make([]float64, n),
			cot: make([]float32, n*d), ones: make([]float32, n), logw: make([]float64, n), bad: make([]bool, n)}
		for r := range w.rows {
			w.rows[r], w.grad[r], w.scores[r] = make([]float64, d), make([]float64, d), make([]float64, d)
			w.ones[r] = 1
		}
		ws[i] = w
	}
	z := make([]float32, cfg.BatchSize*d)
	xb := make([]float32, cfg.DataBatch*d)
	row := make([]float64, d)
	var win [][]float64
	start, last := time.Now(), time.Now()
	for step := res.Start + 1; step <= cfg.Steps; step++ {
		for i := range z {
			z[i] = float32(rng.NormFloat64())
		}
		opt.ZeroGrad()
		st := KLStep{Step: step, DataLoss: math.NaN()}
		if par != nil {
			for r := 0; r < cfg.DataBatch; r++ {
				augmentRow(xb, off, r, row, cfg.Data, cfg.Energies, rng.IntN(len(cfg.Data)), nil, rng)
			}
			nn.CopyParams(par.replicas[0].Params(), flow.Params())
			nn.ZeroGrad(par.replicas[0].Params())
			st.DataLoss = par.lossGrad(par.replicas[0], xb, cfg.DataBatch)
			addGrads(flow.Params(), par.replicas[0].Params(), float32(cfg.DataWeight))
		}
		var wg sync.WaitGroup
		for i, w := range ws {
			lo := i * cfg.BatchSize / cfg.Workers
			wg.Add(1)
			go func() {
				defer wg.Done()
				w.step(flow, target, cfg, z[lo*d:(lo+len(w.rows))*d])
			}()
		}
		wg.Wait()
		var lw []float64
		for _, w := range ws {
			addGrads(flow.Params(), w.flow.Params(), 1)
			for r, bad := range w.bad {
				if bad {
					st.Dropped++
				} else {
					lw = append(lw, w.logw[r])
				}
			}
		}
		if len(lw) == 0 {
			return res, fmt.Errorf("boltzmann: FineTuneKL: step %d: no sample has a finite energy and score", step)
		}
		for _, v := range lw {
			st.KL -= v
		}
		st.KL /= float64(len(lw))
		st.ESS = ESS(lw)
		st.GradNorm = nn.ClipGradNorm(flow.Params(), cfg.ClipNorm)
		if !finite(st.GradNorm) {
			return res, fmt.Errorf("boltzmann: FineTuneKL: non-finite gradient at step %d", step)
		}
		opt.LR = cfg.LR * math.Min(1, float64(step)/float64(cfg.WarmupSteps))
		opt.Step()
		res.Steps = append(res.Steps, st)
		// The log-weights of the last Window steps.
		win = append(win, lw)
		if len(win) > cfg.Window {
			win = win[1:]
		}
		if cfg.Progress != nil && (time.Since(last) >= cfg.ProgressEvery || step == cfg.Steps) {
			last = time.Now()
			el := time.Since(start)
			rate := float64((step-res.Start)*cfg.BatchSize) / el.Seconds()
			fmt.Fprintf(cfg.Progress, "step %d/%d  KL %.2f  ESS(batch) %.4f  ESS(last %d steps, 0.2 %% clipped) %.4f  data loss/dim %.4f  |g| %.3g  dropped %d  %.0f samples/s  ETA %s\n",
				step, cfg.Steps, st.KL, st.ESS, cfg.Window, windowESS(win), st.DataLoss, st.GradNorm, st.Dropped, rate,
				time.Duration(float64(cfg.Steps-step)*float64(cfg.BatchSize)/rate*float64(time.Second)).Round(time.Second))
		}
		if step%cfg.SaveEvery == 0 && step < cfg.Steps {
			if err := save(step); err != nil {
				return res, err
			}
		}
	}
	res.Elapsed = time.Since(start)
	res.SamplesPerSec = float64(len(res.Steps)*cfg.BatchSize) / res.Elapsed.Seconds()
	if err := save(cfg.Steps); err != nil {
		return res, err
	}
	if m.Meta == nil {
		m.Meta = map[string]string{}
	}
	for k, v := range cfg.Meta {
		m.Meta[k] = v
	}
	m.Meta["boltzmann.kl_steps"] = strconv.Itoa(cfg.Steps)
	return res, nil
}

// windowESS returns the ESS of the log-weights of several steps together,
// after clipping the top 0.2 % as RunSBG does by default.
func windowESS(win [][]float64) float64 {
	var all []float64
	for _, lw := range win {
		all = append(all, lw...)
	}
	smc.ClipQuantile(all, 0.002)
	return ESS(all)
}

// step computes the path gradient of this worker's shard (z, n rows) into
// its replica's parameter gradients and records the shard's log-weights.
func (w *klWorker) step(flow *TarFlow[float32], target smc.Target, cfg KLConfig, z []float32) {
	n, d := len(w.rows), flow.Config.Dim()
	nn.CopyParams(w.flow.Params(), flow.Params())
	w.tp.Reset()
	x, _ := w.flow.InverseTape(w.tp, w.tp.Const(z, n, d))
	for r := range w.rows {
		for j := range w.rows[r] {
			w.rows[r][j] = float64(x.Data[r*d+j])
		}
	}
	// ∇ₓ log q at the samples, with the parameters held fixed.
	w.score.Reset()
	xv := w.score.Var(x.Data, n, d)
	lq := w.flow.logProb(w.score, xv, 1)
	w.score.BackwardFrom(lq, w.ones)
	nn.ZeroGrad(w.flow.Params())
	target.Energy(w.rows, w.e, w.grad)
	for r := range w.rows {
		e := w.e[r]
		sc := w.scores[r]
		for j := range sc {
			sc[j] = float64(xv.Grad[r*d+j])
		}
		logq := cfg.Com.Apply(w.rows[r], float64(lq.Data[r]), sc) // log q' and its score
		w.logw[r] = -e - logq
		damp := 1.0
		if e > cfg.EnergyHigh {
			damp = 1 / (1 + e - cfg.EnergyHigh)
		}
		// g = ∇ log q' + ∇E.
		bad := !finite(e) || !finite(w.logw[r])
		for j := 0; j < d && !bad; j++ {
			g := sc[j] + damp*w.grad[r][j]
			if !finite(g) {
				bad = true
			}
			w.cot[r*d+j] = float32(g / float64(cfg.BatchSize*d))
		}
		w.bad[r] = bad
		if bad {
			clear(w.cot[r*d : (r+1)*d])
		}
	}
	w.tp.Backward(w.tp.Sum(w.tp.Mul(x, w.tp.Const(w.cot, n, d))))
}
