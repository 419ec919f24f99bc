// Command md makes equilibrium molecular-dynamics datasets of peptides in
// implicit solvent: it minimises the structure, equilibrates, runs R
// independent Langevin replicas in parallel and writes float32 NumPy
// datasets split into contiguous time blocks.
//
//	go run ./experiments/md -system aldp|al3|al4|al6|chignolin|FILE.pdb \
//	    [-forcefield a.xml,b.xml] [-cutoff nm] [-temperature K] [-friction 1/ps] [-dt fs] \
//	    -ns N -save-every ps -replicas R -seed S -out DIR
//
// Named systems take their force field, cutoff, temperature and friction
// from docs/sbg.md (molecules/builder.Named) and are built from ideal
// geometry by molecules/builder; a PDB file must carry Amber atom names
// and defaults to amber14-all.xml + implicit/obc1.xml with a 2 nm cutoff,
// 300 K and 1/ps. Integrator: OpenMM-style LangevinMiddle (molecules/md)
// with centre-of-mass motion removal.
//
// Each replica r uses the seed splitmix64(S + r + 1) for its velocities and
// thermostat noise, is minimised from the same structure, equilibrated for
// -equilibrate ps (discarded) and then run for -ns ns, saving one frame
// every -save-every ps. Replica trajectories do not depend on -workers.
//
// Output in DIR:
//
//	train.npy, val.npy, test.npy  float32 [frames, atoms, 3] in nm; every replica's
//	                              trajectory is cut into contiguous time blocks in the
//	                              proportions of -split (first block train, then val,
//	                              then test), concatenated in replica order
//	topology.pdb                  the minimised structure (Å, Amber names)
//	replica-NN.dcd                each replica's trajectory for VMD/mdtraj (with -dcd)
//	metadata.json                 system, force field, temperature, friction, time step,
//	                              save interval, seeds, ns, split sizes
//	timing.json                   ns/day of this invocation
//	work/                         per-replica growing .npy files and checkpoints
//
// Progress (frames, ns/day, ETA) goes to stderr. When killed, running the
// same command again resumes from the last checkpoint of every replica and
// produces files identical to an uninterrupted run. A run that blows up
// (non-finite or exploding energy) stops with an error naming the replica
// and step; the frames saved up to the last checkpoint stay readable in
// work/replica-NN.npy.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(2)
		}
		fmt.Fprintln(os.Stderr, "md:", err)
		os.Exit(1)
	}
}

// config holds the parsed command line.
type config struct {
	System       string
	ForceField   string
	Cutoff       float64 // nm; < 0: system default; 0: NoCutoff
	Temperature  float64 // K; 0: system default
	Friction     float64 // 1/ps; < 0: system default
	DtFS         float64
	NS           float64
	SaveEveryPS  float64
	Replicas     int
	Seed         uint64
	Out          string
	EquilPS      float64
	MinTol       float64
	Split        [3]float64
	Workers      int
	CkptFrames   int
	DCD          bool
	ProgressSec  float64
	exitAfterCkp int // testing: exit(3) after this many checkpoints of replica 0
}

func parseFlags(args []string, stderr io.Writer) (*config, error) {
	c := &config{}
	fs := flag.NewFlagSet("md", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.System, "system", "", "system: aldp, al3, al4, al6, chignolin, or a PDB file with Amber atom names")
	fs.StringVar(&c.ForceField, "forcefield", "", "comma-separated force-field files (embedded names or OpenMM XML paths); default: the system's")
	fs.Float64Var(&c.Cutoff, "cutoff", -1, "nonbonded and GB cutoff in nm (0 = NoCutoff); default: the system's")
	fs.Float64Var(&c.Temperature, "temperature", 0, "temperature in K; default: the system's")
	fs.Float64Var(&c.Friction, "friction", -1, "Langevin friction in 1/ps; default: the system's")
	fs.Float64Var(&c.DtFS, "dt", 1, "time step in fs")
	fs.Float64Var(&c.NS, "ns", 0, "production length per replica in ns")
	fs.Float64Var(&c.SaveEveryPS, "save-every", 1, "interval between saved frames in ps")
	fs.IntVar(&c.Replicas, "replicas", 1, "number of independent replicas")
	fs.Uint64Var(&c.Seed, "seed", 1, "random seed")
	fs.StringVar(&c.Out, "out", "", "output directory")
	fs.Float64Var(&c.EquilPS, "equilibrate", 50, "equilibration per replica in ps (discarded)")
	fs.Float64Var(&c.MinTol, "minimize-tol", 10, "minimisation tolerance: largest force component in kJ/mol/nm")
	split := fs.String("split", "0.8,0.1,0.1", "train,val,test fractions of every replica's trajectory (contiguous time blocks)")
	fs.IntVar(&c.Workers, "workers", 0, "replicas run at once (0 = min(replicas, GOMAXPROCS)); results do not depend on it")
	fs.IntVar(&c.CkptFrames, "checkpoint-every", 100, "frames between checkpoints")
	fs.BoolVar(&c.DCD, "dcd", true, "also write each replica's trajectory as DCD")
	fs.Float64Var(&c.ProgressSec, "progress", 10, "seconds between progress lines on stderr")
	fs.IntVar(&c.exitAfterCkp, "test-exit-after-checkpoints", 0, "testing only: exit with status 3 right after this many checkpoints of replica 0")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if set["temperature"] && !(c.Temperature > 0) {
		return nil, fmt.Errorf("-temperature %v K: must be positive", c.Temperature)
	}
	if set["friction"] && !(c.Friction >= 0) {
		return nil, fmt.Errorf("-friction %v /ps: must not be negative", c.Friction)
	}
	if set["cutoff"] && !(c.Cutoff >= 0) {
		return nil, fmt.Errorf("-cutoff %v nm: must not be negative (0 = no cutoff)", c.Cutoff)
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	parts := strings.Split(*split, ",")
	if len(parts) != 3 {
		return nil, fmt.Errorf("-split %q: want three comma-separated fractions", *split)
	}
	var sum float64
	for i, p := range parts {
		v, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || v < 0 {
			return nil, fmt.Errorf("-split %q: fraction %q is not a non-negative number", *split, p)
		}
		c.Split[i] = v
		sum += v
	}
	if sum <= 0 {
		return nil, fmt.Errorf("-split %q: fractions sum to zero", *split)
	}
	for i := range c.Split {
		c.Split[i] /= sum
	}
	switch {
	case c.System == "":
		return nil, errors.New("-system is required")
	case c.Out == "":
		return nil, errors.New("-out is required")
	case !(c.NS > 0):
		return nil, fmt.Errorf("-ns %v: must be positive", c.NS)
	case !(c.DtFS > 0):
		return nil, fmt.Errorf("-dt %v fs: must be positive", c.DtFS)
	case !(c.SaveEveryPS > 0):
		return nil, fmt.Errorf("-save-every %v ps: must be positive", c.SaveEveryPS)
	case c.Replicas < 1:
		return nil, fmt.Errorf("-replicas %d: must be at least 1", c.Replicas)
	case c.EquilPS < 0:
		return nil, fmt.Errorf("-equilibrate %v ps: must not be negative", c.EquilPS)
	case !(c.MinTol > 0):
		return nil, fmt.Errorf("-minimize-tol %v: must be positive", c.MinTol)
	case c.CkptFrames < 1:
		return nil, fmt.Errorf("-checkpoint-every %d: must be at least 1", c.CkptFrames)
	}
	if c.Workers <= 0 {
		c.Workers = min(c.Replicas, runtime.GOMAXPROCS(0))
	}
	return c, nil
}
