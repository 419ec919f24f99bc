package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/boltzflow/boltzflow/boltzmann"
	"github.com/boltzflow/boltzflow/molecules/traj"
)

// floorRow is one line of the floor table: the metrics of an ideal sampler
// with Neff independent equilibrium samples, resampled to N.
type floorRow struct {
	Neff    int       `json:"neff"`
	N       int       `json:"samples"`
	TW2     []float64 `json:"tw2"`
	EW2     []float64 `json:"ew2"`
	TW2Med  float64   `json:"tw2_median"`
	EW2Med  float64   `json:"ew2_median"`
	TW2Max  float64   `json:"tw2_max"`
	Samples int       `json:"tw2_samples"`
}

// floorIndices draws the pool indices of one ideal resampled set: neff
// distinct pool frames chosen uniformly, then n draws with replacement from
// them (the first n of them, in order, when neff ≥ n), as a resampled
// population with neff equally weighted independent ancestors.
func floorIndices(rng *rand.Rand, pool, neff, n int) []int {
	neff = min(neff, pool)
	base := rng.Perm(pool)[:neff]
	if neff >= n {
		return base[:n]
	}
	idx := make([]int, n)
	for i := range idx {
		idx[i] = base[rng.IntN(neff)]
	}
	return idx
}

// floor measures how close an ideal sampler with only n_eff independent
// equilibrium samples can come to a reference set: the floor that T-W2 and
// E-W2 of IS or SMC cannot beat with that many effective samples.
func floor(args []string) error {
	fs := flag.NewFlagSet("floor", flag.ContinueOnError)
	system := fs.String("system", "aldp", "system: aldp, al3, al4 or al6")
	refPath := fs.String("ref", "", "reference MD frames (.npy, nm), as for eval")
	poolPath := fs.String("pool", "", "independent MD frames (.npy, nm) the ideal sampler draws from")
	n := fs.Int("n", 2000, "samples per set (the resampled population size)")
	neffList := fs.String("neff", "10,30,100,300,1000,3000,10000", "comma-separated effective sample counts")
	reps := fs.Int("reps", 5, "repetitions per n_eff")
	seed := fs.Uint64("seed", 1, "random seed")
	out := fs.String("out", "", "directory for floor.json and floor.md (none if empty)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *refPath == "" || *poolPath == "" {
		return fmt.Errorf("floor: -ref and -pool are required")
	}
	if *n < 1 || *reps < 1 {
		return fmt.Errorf("floor: -n %d -reps %d: want at least 1 of each", *n, *reps)
	}
	var neffs []int
	for _, f := range strings.Split(*neffList, ",") {
		v, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || v < 1 {
			return fmt.Errorf("floor: -neff %q: %q is not a positive integer", *neffList, f)
		}
		neffs = append(neffs, v)
	}
	setup, err := boltzmann.LoadSystem(*system)
	if err != nil {
		return err
	}
	atoms := setup.Top.NumAtoms()
	ref, err := boltzmann.LoadFrames(*refPath, atoms)
	if err != nil {
		return err
	}
	pool, err := boltzmann.LoadFrames(*poolPath, atoms)
	if err != nil {
		return err
	}
	target, err := boltzmann.NewTarget(setup.Sys, setup.Spec.Temperature, 1)
	if err != nil {
		return err
	}
	refA, _ := boltzmann.BackboneAngles(setup.Top, ref)
	poolA, _ := boltzmann.BackboneAngles(setup.Top, pool)
	refE := target.EnergiesNM(ref)
	poolE := target.EnergiesNM(pool)
	fmt.Fprintf(os.Stderr, "floor: %s, %d reference frames, pool of %d\n", *system, len(ref), len(pool))
	rows := make([]floorRow, 0, len(neffs))
	for _, neff := range neffs {
		row := floorRow{Neff: min(neff, len(pool)), N: *n}
		for r := 0; r < *reps; r++ {
			rng := rand.New(rand.NewPCG(*seed, uint64(neff)<<16|uint64(r)))
			idx := floorIndices(rng, len(pool), neff, *n)
			a := make([][]float64, len(idx))
			e := make([]float64, len(idx))
			for k, i := range idx {
				a[k], e[k] = poolA[i], poolE[i]
			}
			tw, m := boltzmann.TorusW2(a, refA, *n)
			row.TW2 = append(row.TW2, tw)
			row.EW2 = append(row.EW2, boltzmann.EnergyW2(e, refE))
			row.Samples = m
		}
		row.TW2Med, row.EW2Med, row.TW2Max = median(row.TW2), median(row.EW2), slices.Max(row.TW2)
		rows = append(rows, row)
		fmt.Fprintf(os.Stderr, "n_eff %d done\n", neff)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Ideal sampler with n_eff independent MD frames of %s resampled to %d samples, against %s (%d frames); %d repetitions, seed %d\n\n",
		filepath.Base(*poolPath), *n, filepath.Base(*refPath), len(ref), *reps, *seed)
	fmt.Fprintf(&b, "| n_eff | samples | T-W2 samples | T-W2 median (rad) | T-W2 max (rad) | E-W2 median (kT) |\n|---|---|---|---|---|---|\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "| %d | %d | %d | %.3f | %.3f | %.3f |\n", r.Neff, r.N, r.Samples, r.TW2Med, r.TW2Max, r.EW2Med)
	}
	fmt.Print(b.String())
	if *out == "" {
		return nil
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	js, err := json.MarshalIndent(rows, "", "  ")
	if err != nil {
		return err
	}
	if err := traj.WriteFileAtomic(filepath.Join(*out, "floor.json"), js); err != nil {
		return err
	}
	return traj.WriteFileAtomic(filepath.Join(*out, "floor.md"), []byte(b.String()))
}

// median returns the median of v (the mean of the middle two for even
// lengths); v is not modified.
func median(v []float64) float64 {
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	k := len(s) / 2
	if len(s)%2 == 1 {
		return s[k]
	}
	return (s[k-1] + s[k]) / 2
}
