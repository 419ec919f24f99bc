package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"time"

	"github.com/boltzflow/boltzflow/smc"
)

// toy is one demo problem.
type toy struct {
	target smc.Target
	prop   smc.Gaussian
	logZ   float64
	step   float64 // default Langevin step
	energy func(x float64) float64
}

func newToy(name string) (toy, error) {
	switch name {
	case "gmm2d":
		g := smc.GaussianMixture{Means: [][]float64{{4, 4}, {4, -4}, {-4, 4}, {-4, -4}}, Sigma: 1}
		return toy{target: g, prop: smc.Gaussian{Mean: []float64{0, 0}, Sigma: 3}, logZ: math.Log(8 * math.Pi), step: 0.1}, nil
	case "doublewell1d":
		w := smc.DoubleWell{Barrier: 4, Tilt: 0.5}
		return toy{target: w, prop: smc.Gaussian{Mean: []float64{0}, Sigma: 2}, logZ: w.LogZ(), step: 0.02, energy: w.E}, nil
	}
	return toy{}, fmt.Errorf("-target %q: want gmm2d or doublewell1d", name)
}

// summary is the JSON object printed last with -json.
type summary struct {
	Target     string  `json:"target"`
	Particles  int     `json:"particles"`
	Steps      int     `json:"steps"`
	Seed       uint64  `json:"seed"`
	LogZIS     float64 `json:"logz_is"`
	LogZISErr  float64 `json:"logz_is_se"`
	LogZSMC    float64 `json:"logz_smc"`
	LogZSMCErr float64 `json:"logz_smc_se"`
	LogZTrue   float64 `json:"logz_true"`
	ESSIS      float64 `json:"ess_is"`
	ESSSMC     float64 `json:"ess_smc"`
	Resamples  int     `json:"resamplings"`
	Acceptance float64 `json:"acceptance"`
	Ancestors  float64 `json:"ancestor_fraction"`
	SecondsIS  float64 `json:"seconds_is"`
	SecondsSMC float64 `json:"seconds_smc"`
}

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "smc-toy:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("smc-toy", flag.ContinueOnError)
	fs.SetOutput(stderr)
	target := fs.String("target", "gmm2d", "toy target: gmm2d or doublewell1d")
	particles := fs.Int("particles", 2000, "number of particles (IS proposals and SMC particles)")
	steps := fs.Int("steps", 100, "number of SMC annealing steps")
	seed := fs.Uint64("seed", 1, "random seed")
	pngPath := fs.String("png", "", "write a PNG of the particles before and after SMC to this file")
	asJSON := fs.Bool("json", false, "print a JSON summary as the last line")
	kernel := fs.String("kernel", "mala", "Langevin move: ula or mala")
	step := fs.Float64("step", 0, "Langevin step size h (0: the target's default)")
	moves := fs.Int("moves", 2, "Langevin moves per annealing step")
	scheme := fs.String("resampler", "multinomial", "resampling scheme: systematic, multinomial, stratified or residual (the log Z standard error is calibrated for multinomial)")
	ess := fs.Float64("ess", 0.5, "resample when the normalised ESS falls below this threshold")
	workers := fs.Int("workers", 0, "goroutines (0: GOMAXPROCS); results do not depend on it")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	tc, err := newToy(*target)
	if err != nil {
		return err
	}
	if *particles < 2 {
		return fmt.Errorf("-particles %d: want at least 2", *particles)
	}
	if *steps < 1 {
		return fmt.Errorf("-steps %d: want at least 1", *steps)
	}
	var k smc.Kernel
	switch *kernel {
	case "ula":
		k = smc.ULA
	case "mala":
		k = smc.MALA
	default:
		return fmt.Errorf("-kernel %q: want ula or mala", *kernel)
	}
	sc, err := smc.ParseScheme(*scheme)
	if err != nil {
		return fmt.Errorf("-resampler: %w", err)
	}
	h := *step
	if h == 0 {
		h = tc.step
	}

	t0 := time.Now()
	is, err := smc.SampleIS(tc.target, tc.prop, smc.ISConfig{Samples: *particles, Workers: *workers, Seed: *seed})
	if err != nil {
		return fmt.Errorf("importance sampling: %w", err)
	}
	tIS := time.Since(t0)

	t0 = time.Now()
	every := max(1, *steps/10)
	res, err := smc.Run(tc.target, tc.prop, nil, smc.Config{
		Particles: *particles, Steps: *steps, Kernel: k, StepSize: h, MovesPerStep: *moves,
		Scheme: sc, ESSThreshold: *ess, Workers: *workers, Seed: *seed + 1, FinalResample: true,
		Progress: func(r smc.StepRecord) {
			if r.Step%every != 0 && r.Step != *steps {
				return
			}
			el := time.Since(t0).Seconds()
			rate := float64(r.Step) / el
			eta := float64(*steps-r.Step) / rate
			fmt.Fprintf(stderr, "smc step %d/%d  %.0f steps/s  ETA %.1fs  ESS %.3f  acc %.2f  log Z %.4f\n",
				r.Step, *steps, rate, eta, r.ESS, r.Acceptance, r.LogZ)
		},
	})
	if err != nil {
		return fmt.Errorf("smc: %w", err)
	}
	tSMC := time.Since(t0)

	fmt.Fprintf(stdout, "target %s, %d particles, %d steps (%s, h = %g, %s resampling below ESS %g), seed %d\n",
		*target, *particles, *steps, k, h, sc, *ess, *seed)
	fmt.Fprintf(stdout, "%-6s %8s %22s %10s %10s\n", "method", "ESS", "log Z ± SE", "true", "wall")
	fmt.Fprintf(stdout, "%-6s %8.4f %12.4f ± %7.4f %10.4f %10s\n", "IS", is.ESS, is.LogZ, is.LogZErr, tc.logZ, tIS.Round(time.Microsecond))
	fmt.Fprintf(stdout, "%-6s %8.4f %12.4f ± %7.4f %10.4f %10s\n", "SMC", res.ESS, res.LogZ, res.LogZErr, tc.logZ, tSMC.Round(time.Microsecond))
	anc := 1.0
	if n := len(res.Steps); n > 0 {
		anc = res.Steps[n-1].AncestorFraction
	}
	fmt.Fprintf(stdout, "SMC: %d resamplings, acceptance %.3f, surviving ancestors %.3f, invalid %d (SMC ESS is since the last resampling; not comparable with the IS ESS)\n",
		res.Resamplings, res.Acceptance, anc, res.Invalid)

	if *pngPath != "" {
		if err := writePNG(*pngPath, tc, is, res); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "wrote %s\n", *pngPath)
	}
	if *asJSON {
		b, err := json.Marshal(summary{
			Target: *target, Particles: *particles, Steps: *steps, Seed: *seed,
			LogZIS: is.LogZ, LogZISErr: is.LogZErr, LogZSMC: res.LogZ, LogZSMCErr: res.LogZErr,
			LogZTrue: tc.logZ, ESSIS: is.ESS, ESSSMC: res.ESS, Resamples: res.Resamplings,
			Acceptance: res.Acceptance, Ancestors: anc, SecondsIS: tIS.Seconds(), SecondsSMC: tSMC.Seconds(),
		})
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, string(b))
	}
	return nil
}

// writeAtomic writes the output of w to path through a temporary file in the
// same directory and a rename.
func writeAtomic(path string, w io.WriterTo) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".smc-toy-*.tmp")
	if err != nil {
		return err
	}
	tmp := f.Name()
	if _, err := w.WriteTo(f); err != nil {
		f.Close()
		os.Remove(tmp)
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}
