package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/boltzflow/boltzflow/boltzmann"
	"github.com/boltzflow/boltzflow/molecules/traj"
)

// finetune trains a model further by reverse KL to the Boltzmann density
// (path gradient through the sequential inverse), optionally with a data
// term.
func finetune(args []string) error {
	fs := flag.NewFlagSet("finetune", flag.ContinueOnError)
	system := fs.String("system", "aldp", "system: aldp, al3, al4 or al6")
	model := fs.String("model", "", "model checkpoint to start from (required)")
	out := fs.String("out", "", "output directory (default sbg-out/<system>-kl): final.ckpt, state.ckpt (resumes), steps.csv, finetune.json")
	steps := fs.Int("steps", 1000, "optimiser steps")
	batch := fs.Int("batch", 128, "flow samples per step")
	lr := fs.Float64("lr", 1e-5, "AdamW learning rate (constant after a 50-step warm-up)")
	wd := fs.Float64("wd", 0, "AdamW weight decay")
	eHigh := fs.Float64("energy-high", 1000, "energies above this (kT) enter the loss logarithmically, damping the forces of strained samples")
	data := fs.String("data", "", "MD frames .npy (nm) for a data term (optional)")
	dataWeight := fs.Float64("data-weight", 0, "weight of the data term, mean −log q/D of a batch of augmented frames (needs -data)")
	varWeight := fs.Float64("var-weight", 0, "adds the log-variance loss with this weight to the data term (see sbg train -var-weight)")
	seed := fs.Uint64("seed", 0, "random seed")
	workers := fs.Int("workers", 1, "goroutines, each with a replica of the flow")
	saveEvery := fs.Int("save-every", 100, "write the training state every this many steps")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("finetune: unexpected arguments %q", fs.Args())
	}
	if *model == "" {
		return fmt.Errorf("finetune: -model is required")
	}
	if *steps < 1 || *batch < 1 || *workers < 1 || *saveEvery < 1 {
		return fmt.Errorf("finetune: -steps %d -batch %d -workers %d -save-every %d: want at least 1 of each", *steps, *batch, *workers, *saveEvery)
	}
	if (*dataWeight > 0 || *varWeight > 0) && *data == "" {
		return fmt.Errorf("finetune: -data-weight and -var-weight need -data")
	}
	if *varWeight > 0 && *dataWeight == 0 {
		return fmt.Errorf("finetune: -var-weight is part of the data term: set -data-weight too")
	}
	setup, err := boltzmann.LoadSystem(*system)
	if err != nil {
		return err
	}
	n := setup.Top.NumAtoms()
	m, err := boltzmann.LoadModel(*model, n)
	if err != nil {
		return err
	}
	if m.System != "" && m.System != setup.Key {
		return fmt.Errorf("finetune: %s is a model of %q, not %q", *model, m.System, setup.Key)
	}
	target, err := boltzmann.NewTarget(setup.Sys, setup.Spec.Temperature, m.Norm.Std)
	if err != nil {
		return err
	}
	cfg := boltzmann.KLConfig{
		Steps: *steps, BatchSize: *batch, LR: *lr, WeightDecay: *wd, EnergyHigh: *eHigh,
		Com: boltzmann.ComAdjust{Variant: boltzmann.ComGaussian}, Seed: *seed, Workers: *workers,
		Progress: os.Stderr, SaveEvery: *saveEvery, DataWeight: *dataWeight, VarWeight: *varWeight,
		Meta: map[string]string{"boltzmann.command": fmt.Sprint(os.Args), "boltzmann.init": *model},
	}
	if *data != "" {
		frames, err := boltzmann.LoadFrames(*data, n)
		if err != nil {
			return err
		}
		cfg.Data = boltzmann.NormalizeAll(m.Norm, frames)
		if *varWeight > 0 {
			cfg.Energies = target.EnergiesNM(frames)
		}
	}
	if *out == "" {
		*out = filepath.Join("sbg-out", setup.Key+"-kl")
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	cfg.StatePath = filepath.Join(*out, "state.ckpt")
	csvPath := filepath.Join(*out, "steps.csv")
	// A resumed run keeps the rows of its earlier part.
	var earlier [][]string
	if _, err := os.Stat(cfg.StatePath); err == nil {
		if b, err := os.ReadFile(csvPath); err == nil {
			rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
			if err != nil {
				return fmt.Errorf("finetune: %s: %v", csvPath, err)
			}
			if len(rows) > 0 {
				earlier = rows[1:]
			}
		}
	}
	writeCSV := func(res *boltzmann.KLResult) error {
		var buf bytes.Buffer
		w := csv.NewWriter(&buf)
		w.Write([]string{"step", "kl", "ess", "dropped", "data_loss", "grad_norm"})
		for _, r := range earlier {
			if s, err := strconv.Atoi(r[0]); err == nil && s <= res.Start {
				w.Write(r)
			}
		}
		g := func(v float64) string { return strconv.FormatFloat(v, 'g', 6, 64) }
		for _, s := range res.Steps {
			w.Write([]string{strconv.Itoa(s.Step), g(s.KL), g(s.ESS), strconv.Itoa(s.Dropped), g(s.DataLoss), g(s.GradNorm)})
		}
		w.Flush()
		if err := w.Error(); err != nil {
			return err
		}
		return traj.WriteFileAtomic(csvPath, buf.Bytes())
	}
	cfg.OnSave = writeCSV
	fmt.Fprintf(os.Stderr, "sbg finetune: %s from %s, TarFlow %+v, %d steps of %d samples\n", setup.Key, *model, m.Flow.Config, *steps, *batch)
	start := time.Now()
	res, err := boltzmann.FineTuneKL(m, target, cfg)
	if err != nil {
		return err
	}
	finalPath := filepath.Join(*out, "final.ckpt")
	if err := boltzmann.SaveModel(finalPath, m); err != nil {
		return err
	}
	summary := map[string]any{
		"system": setup.Key, "init": *model, "steps": *steps, "resumed_after": res.Start, "batch": *batch, "lr": *lr,
		"samples_per_sec": res.SamplesPerSec, "wall_seconds": time.Since(start).Seconds(), "args": os.Args,
	}
	b, err := json.MarshalIndent(summary, "", "  ")
	if err != nil {
		return err
	}
	if err := traj.WriteFileAtomic(filepath.Join(*out, "finetune.json"), b); err != nil {
		return err
	}
	fmt.Printf("fine-tuned %s: %d steps, %.0f samples/s; model in %s\n", setup.Key, *steps, res.SamplesPerSec, finalPath)
	return nil
}
