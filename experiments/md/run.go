package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/boltzflow/boltzflow/molecules"
	"github.com/boltzflow/boltzflow/molecules/analysis"
	"github.com/boltzflow/boltzflow/molecules/builder"
	"github.com/boltzflow/boltzflow/molecules/forcefield"
	"github.com/boltzflow/boltzflow/molecules/md"
	"github.com/boltzflow/boltzflow/molecules/pdb"
	"github.com/boltzflow/boltzflow/molecules/traj"
)

// setup is the resolved system and run parameters; it is stored in
// work/config.json and must match on resume.
type setup struct {
	System          string   `json:"system"`
	Label           string   `json:"label"`
	ForceField      []string `json:"forcefield"`
	Nonbonded       string   `json:"nonbonded"`
	CutoffNM        float64  `json:"cutoff_nm"`
	TemperatureK    float64  `json:"temperature_K"`
	FrictionPS      float64  `json:"friction_per_ps"`
	TimestepFS      float64  `json:"timestep_fs"`
	SaveEveryPS     float64  `json:"save_every_ps"`
	StepsPerFrame   int      `json:"steps_per_frame"`
	FramesPerRep    int      `json:"frames_per_replica"`
	EquilSteps      int      `json:"equilibration_steps"`
	Replicas        int      `json:"replicas"`
	Seed            uint64   `json:"seed"`
	ReplicaSeeds    []uint64 `json:"replica_seeds"`
	MinimizeTol     float64  `json:"minimize_tolerance"`
	Split           [3]float64
	CheckpointEvery int `json:"checkpoint_every"`
	Atoms           int `json:"atoms"`
}

// checkpoint is the resumable state of one replica.
type checkpoint struct {
	Phase  string  `json:"phase"`  // "production" (equilibration is never checkpointed mid-way)
	Frames int     `json:"frames"` // production frames saved
	SumT   float64 `json:"sum_T"`  // sum over saved frames of the kinetic temperature, K
	SumU   float64 `json:"sum_U"`  // sum over saved frames of the potential energy, kJ/mol
	State  []byte  `json:"state"`  // md.State binary
}

// splitmix64 derives well-separated seeds from consecutive integers.
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

func buildSystem(c *config) (*molecules.Topology, []float64, *molecules.System, setup, error) {
	var s setup
	var top *molecules.Topology
	var pos []float64
	var ffNames []string
	method, cutoff := molecules.CutoffNonPeriodic, 2.0
	temp, fric := 300.0, 1.0
	s.System = c.System
	if strings.HasSuffix(strings.ToLower(c.System), ".pdb") {
		f, err := pdb.ReadFile(c.System)
		if err != nil {
			return nil, nil, nil, s, err
		}
		top, pos = f.Topology, f.Positions(0)
		ffNames = []string{"amber14-all.xml", "implicit/obc1.xml"}
		s.Label = filepath.Base(c.System)
	} else {
		spec, err := builder.Named(c.System)
		if err != nil {
			return nil, nil, nil, s, err
		}
		ffNames, method, cutoff, temp, fric = spec.ForceField, spec.Method, spec.Cutoff, spec.Temperature, spec.Friction
		s.System, s.Label = spec.Name, spec.Label
		ff, err := spec.LoadForceField()
		if err != nil {
			return nil, nil, nil, s, err
		}
		top, pos, err = builder.Build(ff, spec.Sequence, builder.Options{Capped: spec.Capped})
		if err != nil {
			return nil, nil, nil, s, err
		}
	}
	if c.ForceField != "" {
		ffNames = strings.Split(c.ForceField, ",")
	}
	if c.Cutoff >= 0 {
		cutoff = c.Cutoff
		method = molecules.CutoffNonPeriodic
		if cutoff == 0 {
			method = molecules.NoCutoff
		}
	}
	if method == molecules.NoCutoff {
		cutoff = 0
	}
	if c.Temperature > 0 {
		temp = c.Temperature
	}
	if c.Friction >= 0 {
		fric = c.Friction
	}
	ff, err := forcefield.Load(ffNames...)
	if err != nil {
		return nil, nil, nil, s, err
	}
	sys, err := ff.CreateSystem(top, forcefield.Options{Method: method, Cutoff: cutoff})
	if err != nil {
		return nil, nil, nil, s, err
	}
	s.ForceField = ffNames
	s.Nonbonded = method.String()
	s.CutoffNM = cutoff
	s.TemperatureK = temp
	s.FrictionPS = fric
	s.TimestepFS = c.DtFS
	s.SaveEveryPS = c.SaveEveryPS
	spf := c.SaveEveryPS * 1000 / c.DtFS
	if math.Abs(spf-math.Round(spf)) > 1e-9*spf || math.Round(spf) < 1 {
		return nil, nil, nil, s, fmt.Errorf("-save-every %v ps is not a whole number of %v fs steps", c.SaveEveryPS, c.DtFS)
	}
	s.StepsPerFrame = int(math.Round(spf))
	s.FramesPerRep = int(math.Round(c.NS * 1000 / c.SaveEveryPS))
	if s.FramesPerRep < 1 {
		return nil, nil, nil, s, fmt.Errorf("-ns %v is shorter than one -save-every interval", c.NS)
	}
	s.EquilSteps = int(math.Round(c.EquilPS * 1000 / c.DtFS))
	s.Replicas = c.Replicas
	s.Seed = c.Seed
	for r := 0; r < c.Replicas; r++ {
		s.ReplicaSeeds = append(s.ReplicaSeeds, splitmix64(c.Seed+uint64(r)+1))
	}
	s.MinimizeTol = c.MinTol
	s.Split = c.Split
	s.CheckpointEvery = c.CkptFrames
	s.Atoms = top.NumAtoms()
	return top, pos, sys, s, nil
}

// progress counts production steps of all replicas.
type progress struct {
	steps      atomic.Int64 // steps integrated by this process (equilibration included)
	frames     atomic.Int64 // production frames done (including resumed ones)
	totalSteps int64        // steps this process still has to run at start
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	top, pos, sys, s, err := buildSystem(c)
	if err != nil {
		return err
	}
	work := filepath.Join(c.Out, "work")
	if err := os.MkdirAll(work, 0o755); err != nil {
		return err
	}
	cfgPath := filepath.Join(work, "config.json")
	if b, err := os.ReadFile(cfgPath); err == nil {
		var old setup
		if err := json.Unmarshal(b, &old); err != nil {
			return fmt.Errorf("%s: %w", cfgPath, err)
		}
		if !reflect.DeepEqual(old, s) {
			return fmt.Errorf("%s was started with different settings (%s); use a new -out directory or the same flags", c.Out, diffSetup(old, s))
		}
		fmt.Fprintf(stderr, "md: resuming the run in %s\n", c.Out)
	} else if err := traj.WriteJSON(cfgPath, s); err != nil {
		return err
	}

	// Minimise (deterministic, so it is simply redone on resume).
	t0 := time.Now()
	res, err := md.Minimize(sys, pos, c.MinTol, 0)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "md: %s (%d atoms): minimised to %.3f kJ/mol, max force %.3g kJ/mol/nm (%s, %d evaluations, %.1fs)\n",
		s.Label, s.Atoms, res.Energy, res.MaxForce, res.Status, res.Evaluations, time.Since(t0).Seconds())
	if err := traj.WritePDB(filepath.Join(c.Out, "topology.pdb"), top, [][]float64{pos}); err != nil {
		return err
	}

	// Replicas.
	var prog progress
	ckpts := make([]*checkpoint, c.Replicas)
	for r := range ckpts {
		ck, err := readCheckpoint(ckptPath(work, r))
		if err != nil {
			return err
		}
		ckpts[r] = ck
		done := 0
		eq := int64(s.EquilSteps)
		if ck != nil {
			done, eq = ck.Frames, 0
		}
		prog.frames.Add(int64(done))
		prog.totalSteps += eq + int64(s.FramesPerRep-done)*int64(s.StepsPerFrame)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errs := make([]error, c.Replicas)
	jobs := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < c.Workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range jobs {
				if err := runReplica(ctx, c, s, sys, pos, r, ckpts[r], work, &prog); err != nil {
					errs[r] = err
					cancel()
				}
			}
		}()
	}
	stopProgress := make(chan struct{})
	progDone := make(chan struct{})
	start := time.Now()
	go func() {
		defer close(progDone)
		tick := time.NewTicker(time.Duration(c.ProgressSec * float64(time.Second)))
		defer tick.Stop()
		for {
			select {
			case <-stopProgress:
				return
			case <-tick.C:
				printProgress(stderr, s, &prog, start, c.Workers)
			}
		}
	}()
	for r := 0; r < c.Replicas; r++ {
		jobs <- r
	}
	close(jobs)
	wg.Wait()
	close(stopProgress)
	<-progDone
	elapsed := time.Since(start)
	var failed []error
	for r, err := range errs {
		if err != nil && !errors.Is(err, context.Canceled) {
			failed = append(failed, fmt.Errorf("replica %d: %w", r, err))
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("%w (frames saved so far are readable in %s/replica-NN.npy)", errors.Join(failed...), work)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("interrupted; run the same command again to resume: %w", err)
	}
	rate := float64(prog.steps.Load()) * s.TimestepFS * 1e-6 / elapsed.Seconds() * 86400
	printProgress(stderr, s, &prog, start, c.Workers)
	return finish(c, s, top, work, rate, elapsed, stdout)
}

func ckptPath(work string, r int) string {
	return filepath.Join(work, fmt.Sprintf("replica-%02d.ckpt", r))
}
func framesPath(work string, r int) string {
	return filepath.Join(work, fmt.Sprintf("replica-%02d.npy", r))
}

func readCheckpoint(path string) (*checkpoint, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var ck checkpoint
	if err := json.Unmarshal(b, &ck); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &ck, nil
}

// replicaPotential gives each replica its own evaluator.
func replicaPotential(sys *molecules.System) (md.Potential, error) {
	ev, err := molecules.NewEvaluator(sys)
	if err != nil {
		return nil, err
	}
	return md.PotentialFunc(func(pos, f []float64) (float64, error) {
		e, err := ev.Evaluate(pos, f)
		return e.Total(), err
	}), nil
}

func runReplica(ctx context.Context, c *config, s setup, sys *molecules.System, minPos []float64, r int, ck *checkpoint, work string, prog *progress) error {
	pot, err := replicaPotential(sys)
	if err != nil {
		return err
	}
	lg, err := md.NewLangevin(pot, sys.Masses, md.LangevinParams{
		Timestep: s.TimestepFS / 1000, Friction: s.FrictionPS, Temperature: s.TemperatureK, RemoveCOM: true,
	})
	if err != nil {
		return err
	}
	var st *md.State
	keep := 0
	var sumT, sumU float64
	if ck != nil {
		sumT, sumU = ck.SumT, ck.SumU
		st = &md.State{}
		if err := st.UnmarshalBinary(ck.State); err != nil {
			return fmt.Errorf("%s: %w", ckptPath(work, r), err)
		}
		keep = ck.Frames
	} else {
		st = md.NewState(minPos, s.ReplicaSeeds[r])
		if err := st.Randomize(sys.Masses, s.TemperatureK, true); err != nil {
			return err
		}
		// Equilibrate in chunks (results do not depend on the chunking).
		for done := 0; done < s.EquilSteps; {
			n := min(s.StepsPerFrame, s.EquilSteps-done)
			if err := lg.Run(st, n); err != nil {
				return fmt.Errorf("equilibration: %w", err)
			}
			done += n
			prog.steps.Add(int64(n))
			if ctx.Err() != nil {
				return ctx.Err()
			}
		}
		st.Step, st.Time = 0, 0 // production clock starts after equilibration
	}
	app, err := traj.OpenNPYAppender(framesPath(work, r), s.Atoms, keep)
	if err != nil {
		return err
	}
	defer app.Close()
	saveCheckpoint := func() error {
		if err := app.Sync(); err != nil {
			return err
		}
		b, err := st.MarshalBinary()
		if err != nil {
			return err
		}
		return traj.WriteJSON(ckptPath(work, r), checkpoint{Phase: "production", Frames: app.Frames(), SumT: sumT, SumU: sumU, State: b})
	}
	if ck == nil {
		if err := saveCheckpoint(); err != nil {
			return err
		}
	}
	nCkpt := 0
	for app.Frames() < s.FramesPerRep {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := lg.Run(st, s.StepsPerFrame); err != nil {
			app.Sync()
			return err
		}
		prog.steps.Add(int64(s.StepsPerFrame))
		if err := app.Append(st.Positions); err != nil {
			return err
		}
		sumT += md.KineticTemperature(md.KineticEnergy(st.Velocities, sys.Masses), lg.DOF())
		sumU += lg.Energy()
		prog.frames.Add(1)
		if app.Frames()%s.CheckpointEvery == 0 || app.Frames() == s.FramesPerRep {
			if err := saveCheckpoint(); err != nil {
				return err
			}
			nCkpt++
			if r == 0 && c.exitAfterCkp > 0 && nCkpt >= c.exitAfterCkp {
				os.Exit(3) // simulated crash for the resume test
			}
		}
	}
	return nil
}

func printProgress(w io.Writer, s setup, p *progress, start time.Time, workers int) {
	el := time.Since(start).Seconds()
	steps := float64(p.steps.Load())
	total := int64(s.Replicas * s.FramesPerRep)
	fr := p.frames.Load()
	nsDay := steps * s.TimestepFS * 1e-6 / el * 86400
	eta := "?"
	if steps > 0 {
		rem := float64(p.totalSteps) - steps
		eta = (time.Duration(rem / steps * el * float64(time.Second))).Round(time.Second).String()
	}
	fmt.Fprintf(w, "md: frames %d/%d (%.1f%%), %.3f ns simulated by this run, %.0f ns/day total (%.0f ns/day per running replica), ETA %s\n",
		fr, total, 100*float64(fr)/float64(total), steps*s.TimestepFS*1e-6, nsDay, nsDay/float64(max(1, min(s.Replicas, workers))), eta)
}

// finish assembles the splits and writes the outputs.
func finish(c *config, s setup, top *molecules.Topology, work string, rate float64, elapsed time.Duration, stdout io.Writer) error {
	var sumT, sumU float64
	for r := 0; r < s.Replicas; r++ {
		ck, err := readCheckpoint(ckptPath(work, r))
		if err != nil {
			return err
		}
		if ck == nil || ck.Frames != s.FramesPerRep {
			return fmt.Errorf("%s: replica %d is not finished", work, r)
		}
		sumT += ck.SumT
		sumU += ck.SumU
	}
	nAll := float64(s.Replicas * s.FramesPerRep)
	nTrain := int(math.Floor(float64(s.FramesPerRep)*s.Split[0] + 1e-9))
	nVal := int(math.Floor(float64(s.FramesPerRep)*(s.Split[0]+s.Split[1])+1e-9)) - nTrain
	// Stream every replica's frames into the split files (one replica in
	// memory at a time).
	splitNames := []string{"train", "val", "test"}
	bounds := [4]int{0, nTrain, nTrain + nVal, s.FramesPerRep}
	writers := make([]*traj.NPYWriter, 3)
	abort := func() {
		for _, w := range writers {
			if w != nil {
				w.Abort()
			}
		}
	}
	for k, nm := range splitNames {
		w, err := traj.NewNPYWriter(filepath.Join(c.Out, nm+".npy"), s.Atoms)
		if err != nil {
			abort()
			return err
		}
		writers[k] = w
	}
	rama := newRamaAccumulator(top)
	counts := map[string]int{}
	for r := 0; r < s.Replicas; r++ {
		fr, n, err := traj.ReadNPY(framesPath(work, r))
		if err != nil {
			abort()
			return err
		}
		if n != s.Atoms || len(fr) != s.FramesPerRep {
			abort()
			return fmt.Errorf("%s: %d frames of %d atoms, want %d of %d", framesPath(work, r), len(fr), n, s.FramesPerRep, s.Atoms)
		}
		for k, nm := range splitNames {
			part := fr[bounds[k]:bounds[k+1]]
			for _, f := range part {
				if err := writers[k].Write(f); err != nil {
					abort()
					return err
				}
			}
			counts[nm] += len(part)
			rama.add(nm, part)
		}
		if c.DCD {
			info := traj.DCDInfo{Timestep: s.TimestepFS / 1000, SaveEvery: s.StepsPerFrame, FirstStep: s.StepsPerFrame,
				Title: fmt.Sprintf("%s replica %d seed %d", s.Label, r, s.ReplicaSeeds[r])}
			if err := traj.WriteDCD(filepath.Join(c.Out, fmt.Sprintf("replica-%02d.dcd", r)), fr, s.Atoms, info); err != nil {
				abort()
				return err
			}
		}
	}
	for k, w := range writers {
		writers[k] = nil
		if err := w.Close(); err != nil {
			abort()
			return err
		}
	}
	basins, err := rama.finish(c.Out)
	if err != nil {
		return err
	}
	nsPer := float64(s.FramesPerRep) * s.SaveEveryPS / 1000
	meta := traj.Metadata{
		System: s.System, Sequence: s.Label, Atoms: s.Atoms, ForceField: s.ForceField, Nonbonded: s.Nonbonded,
		CutoffNM: s.CutoffNM, TemperatureK: s.TemperatureK, FrictionPS: s.FrictionPS, TimestepFS: s.TimestepFS,
		SaveEveryPS: s.SaveEveryPS, Integrator: "LangevinMiddle (BAOAB, OpenMM LangevinMiddleIntegrator splitting)",
		RemoveCOM: true, Seed: s.Seed, ReplicaSeeds: s.ReplicaSeeds, Replicas: s.Replicas,
		NSPerReplica: nsPer, NSTotal: nsPer * float64(s.Replicas),
		EquilibrationPS: float64(s.EquilSteps) * s.TimestepFS / 1000, MinimizeTolKJ: s.MinimizeTol,
		Splits: counts,
		SplitRule: fmt.Sprintf("each replica's %d frames in time order: first %d train, next %d val, last %d test; concatenated in replica order",
			s.FramesPerRep, nTrain, nVal, s.FramesPerRep-nTrain-nVal),
		Files:                   map[string]string{"train": "train.npy", "val": "val.npy", "test": "test.npy", "topology": "topology.pdb"},
		Units:                   map[string]string{"positions": "nm (float32, [frames, atoms, 3])", "topology.pdb": "Å"},
		MeanKineticTemperatureK: sumT / nAll, MeanPotentialKJ: sumU / nAll,
		Basins:  basins,
		Version: "boltzflow experiments/md",
	}
	if err := traj.WriteJSON(filepath.Join(c.Out, "metadata.json"), meta); err != nil {
		return err
	}
	timing := map[string]any{"ns_per_day_total": rate, "wall_seconds": elapsed.Seconds(), "workers": c.Workers, "replicas": s.Replicas}
	if err := traj.WriteJSON(filepath.Join(c.Out, "timing.json"), timing); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s: train %d, val %d, test %d frames of %d atoms (%.3g ns per replica × %d); <T_kin> %.2f K, <U> %.3f kJ/mol; %.0f ns/day\n",
		c.Out, counts["train"], counts["val"], counts["test"], s.Atoms, nsPer, s.Replicas, meta.MeanKineticTemperatureK, meta.MeanPotentialKJ, rate)
	return nil
}

// diffSetup names the first differing field of two setups.
func diffSetup(a, b setup) string {
	va, vb := reflect.ValueOf(a), reflect.ValueOf(b)
	for i := 0; i < va.NumField(); i++ {
		if !reflect.DeepEqual(va.Field(i).Interface(), vb.Field(i).Interface()) {
			return fmt.Sprintf("%s: %v before, %v now", va.Type().Field(i).Name, va.Field(i).Interface(), vb.Field(i).Interface())
		}
	}
	return "no difference"
}

// ramaAccumulator collects φ/ψ of every residue that has both, per split.
type ramaAccumulator struct {
	top      *molecules.Topology
	pairs    [][2]analysis.Torsion
	phi, psi []map[string][]float64 // per pair, per split
}

func newRamaAccumulator(top *molecules.Topology) *ramaAccumulator {
	a := &ramaAccumulator{top: top}
	phi, psi, _ := analysis.BackboneTorsions(top)
	for _, ph := range phi {
		for _, ps := range psi {
			if ps.Residue == ph.Residue {
				a.pairs = append(a.pairs, [2]analysis.Torsion{ph, ps})
				a.phi = append(a.phi, map[string][]float64{})
				a.psi = append(a.psi, map[string][]float64{})
			}
		}
	}
	return a
}

func (a *ramaAccumulator) add(split string, frames [][]float64) {
	for k, p := range a.pairs {
		a.phi[k][split] = append(a.phi[k][split], analysis.Column(frames, p[0])...)
		a.psi[k][split] = append(a.psi[k][split], analysis.Column(frames, p[1])...)
	}
}

// finish returns the basin populations per "split/residue" and renders
// ramachandran-<residue>.png from all frames.
func (a *ramaAccumulator) finish(out string) (map[string]map[string]float64, error) {
	basins := map[string]map[string]float64{}
	for k, p := range a.pairs {
		res := a.top.Residues[p[0].Residue]
		label := res.Name + res.ID
		var allPhi, allPsi []float64
		for _, split := range []string{"train", "val", "test"} {
			ph, ps := a.phi[k][split], a.psi[k][split]
			if len(ph) == 0 {
				continue
			}
			allPhi = append(allPhi, ph...)
			allPsi = append(allPsi, ps...)
			bp := analysis.BasinPopulations(ph, ps)
			basins[split+"/"+label] = map[string]float64{"alpha_R": bp.AlphaR, "beta_C7eq": bp.Beta, "alpha_L": bp.AlphaL}
		}
		if len(allPhi) == 0 {
			continue
		}
		r := analysis.NewRamachandran(allPhi, allPsi, 60)
		if err := r.SavePNG(filepath.Join(out, "ramachandran-"+label+".png"), label, 0, 0); err != nil {
			return nil, err
		}
	}
	return basins, nil
}
