package boltzmann

import (
	"fmt"
	"math"

	"github.com/boltzflow/boltzflow/molecules"
	"github.com/boltzflow/boltzflow/molecules/analysis"
	"github.com/boltzflow/boltzflow/molecules/builder"
)

// SystemSetup is a named peptide system ready for SBG: topology, force-field
// system, temperature and the SBG per-system settings.
type SystemSetup struct {
	// Key is the system key (aldp, al3, al4, al6); Spec the builder's
	// description (temperature, force field, …).
	Key  string
	Spec builder.System
	Top  *molecules.Topology
	Sys  *molecules.System
	// Start holds the builder's starting positions (nm), a chirality
	// reference.
	Start []float64
	// EnergyCutoff is the SBG energy cut-off before SMC (kT) and StepSize
	// the SBG Langevin step h (normalised units) for this system.
	EnergyCutoff, StepSize float64
	// Channels and TarFlowPaper are the SBG token layout and paper-size
	// TarFlow (sbg.md §3.4).
	Channels int
	Paper    TarFlowConfig
}

// LoadSystem builds the named system (aldp, al3, al4, al6) with its force
// field.
func LoadSystem(key string) (*SystemSetup, error) {
	spec, err := builder.Named(key)
	if err != nil {
		return nil, err
	}
	top, pos, sys, err := spec.Build()
	if err != nil {
		return nil, fmt.Errorf("boltzmann: building %s: %w", key, err)
	}
	s := &SystemSetup{Key: spec.Name, Spec: spec, Top: top, Sys: sys, Start: pos, Channels: 3}
	n := top.NumAtoms()
	switch spec.Name {
	case "aldp":
		s.EnergyCutoff, s.StepSize, s.Channels = 10, 1e-7, 1
		s.Paper = TarFlowConfig{Atoms: n, Channels: 1, Width: 256, Blocks: 4, Layers: 4}
	case "al3":
		s.EnergyCutoff, s.StepSize = -120, 1e-7
		s.Paper = TarFlowConfig{Atoms: n, Channels: 3, Width: 256, Blocks: 6, Layers: 6}
	case "al4":
		s.EnergyCutoff, s.StepSize = 50, 1e-8
		s.Paper = TarFlowConfig{Atoms: n, Channels: 3, Width: 256, Blocks: 6, Layers: 6}
	case "al6":
		s.EnergyCutoff, s.StepSize = -20, 1e-8
		s.Paper = TarFlowConfig{Atoms: n, Channels: 3, Width: 384, Blocks: 6, Layers: 6}
	default:
		s.EnergyCutoff, s.StepSize = math.Inf(1), 1e-8
		s.Paper = TarFlowConfig{Atoms: n, Channels: 3, Width: 384, Blocks: 8, Layers: 8}
	}
	return s, nil
}

// CPUConfig returns the CPU-sized TarFlow used by default for the system:
// one token per atom, width 64, 4 blocks of 2 layers.
func (s *SystemSetup) CPUConfig() TarFlowConfig {
	return TarFlowConfig{Atoms: s.Top.NumAtoms(), Channels: 3, Width: 64, Heads: 2, Blocks: 4, Layers: 2}
}

// Chirality returns the chirality check with the Cα stereocentres of the
// system and reference frame ref (nm; nil uses the builder's positions).
func (s *SystemSetup) Chirality(ref []float64) *Chirality {
	if ref == nil {
		ref = s.Start
	}
	return NewChirality(analysis.Stereocentres(s.Top), ref)
}

// ZMatrix returns the internal coordinates of the system built from its
// force-field bonds (molecules.NewZMatrix), for Calibration.
func (s *SystemSetup) ZMatrix() (*molecules.ZMatrix, error) {
	z, err := molecules.NewZMatrix(s.Top.NumAtoms(), s.bonds())
	if err != nil {
		return nil, fmt.Errorf("boltzmann: system %s: %w", s.Key, err)
	}
	return z, nil
}

// EquivalentHydrogens returns the triples of hydrogens bonded to one atom
// (methyl and ammonium groups) whose cyclic relabelling leaves the
// potential energy of the start structure unchanged (to 1e-9 relative, so
// that their force-field parameters agree), for the relabelling in
// RotationMixtureLogQ. A cyclic relabelling keeps every stereocentre's
// handedness.
func (s *SystemSetup) EquivalentHydrogens() ([][3]int, error) {
	nb := make([][]int, s.Top.NumAtoms())
	for _, b := range s.bonds() {
		nb[b[0]] = append(nb[b[0]], b[1])
		nb[b[1]] = append(nb[b[1]], b[0])
	}
	e0, err := s.Sys.EnergyForces(s.Start, nil)
	if err != nil {
		return nil, fmt.Errorf("boltzmann: system %s: %w", s.Key, err)
	}
	var out [][3]int
	y := make([]float64, len(s.Start))
	for a := range nb {
		var h []int
		for _, j := range nb[a] {
			if s.Top.Atoms[j].Element.Symbol == "H" && len(nb[j]) == 1 {
				h = append(h, j)
			}
		}
		if len(h) != 3 {
			continue
		}
		copy(y, s.Start)
		for c := 0; c < 3; c++ {
			copy(y[3*h[c]:3*h[c]+3], s.Start[3*h[(c+1)%3]:3*h[(c+1)%3]+3])
		}
		e1, err := s.Sys.EnergyForces(y, nil)
		if err != nil {
			return nil, fmt.Errorf("boltzmann: system %s: %w", s.Key, err)
		}
		if math.Abs(e1-e0) <= 1e-9*math.Max(1, math.Abs(e0)) {
			out = append(out, [3]int{h[0], h[1], h[2]})
		}
	}
	return out, nil
}

// bonds returns the atom pairs of the force field's bonds.
func (s *SystemSetup) bonds() [][2]int {
	out := make([][2]int, len(s.Sys.Bonds))
	for i, b := range s.Sys.Bonds {
		out[i] = b.Atoms
	}
	return out
}
