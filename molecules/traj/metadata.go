package traj

import (
	"encoding/json"
	"fmt"
	"os"
)

// Metadata describes an MD dataset written by experiments/md. Units are in
// the field names.
type Metadata struct {
	System       string   `json:"system"`        // system key (aldp, al3, …) or input PDB file
	Sequence     string   `json:"sequence"`      // one-letter sequence with caps, e.g. "Ace-A-Nme"
	Atoms        int      `json:"atoms"`         // number of atoms N
	ForceField   []string `json:"forcefield"`    // force-field files
	Nonbonded    string   `json:"nonbonded"`     // NoCutoff or CutoffNonPeriodic
	CutoffNM     float64  `json:"cutoff_nm"`     // nonbonded cutoff (0 for NoCutoff)
	TemperatureK float64  `json:"temperature_K"` // bath temperature
	FrictionPS   float64  `json:"friction_per_ps"`
	TimestepFS   float64  `json:"timestep_fs"`
	SaveEveryPS  float64  `json:"save_every_ps"`
	Integrator   string   `json:"integrator"`
	RemoveCOM    bool     `json:"remove_com_motion"`
	Seed         uint64   `json:"seed"`
	ReplicaSeeds []uint64 `json:"replica_seeds"`
	Replicas     int      `json:"replicas"`
	// NSPerReplica is the production length of each replica in ns
	// (equilibration excluded); NSTotal sums over replicas.
	NSPerReplica    float64 `json:"ns_per_replica"`
	NSTotal         float64 `json:"ns_total"`
	EquilibrationPS float64 `json:"equilibration_ps"`
	MinimizeTolKJ   float64 `json:"minimize_tolerance_kJ_mol_nm"`
	// Splits maps train/val/test to frame counts; frames are float32 nm,
	// shape [frames, atoms, 3].
	Splits map[string]int `json:"splits"`
	// SplitRule explains how frames were assigned to splits.
	SplitRule string            `json:"split_rule"`
	Files     map[string]string `json:"files"` // role → file name
	Units     map[string]string `json:"units"`
	// Means over all replicas' saved frames: kinetic temperature
	// (3N − 3 degrees of freedom) and potential energy.
	MeanKineticTemperatureK float64 `json:"mean_kinetic_temperature_K,omitempty"`
	MeanPotentialKJ         float64 `json:"mean_potential_energy_kJ_mol,omitempty"`
	// Basins maps "split/residue" (e.g. "test/ALA2") to the backbone basin
	// populations of that residue's φ/ψ: alpha_R (φ < 0, −120° < ψ < 50°),
	// beta_C7eq (other φ < 0) and alpha_L (φ > 0).
	Basins  map[string]map[string]float64 `json:"basins,omitempty"`
	Notes   string                        `json:"notes,omitempty"`
	Version string                        `json:"generator"`
}

// WriteJSON writes v as indented JSON to path atomically.
func WriteJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("traj: %s: %w", path, err)
	}
	return WriteFileAtomic(path, append(b, '\n'))
}

// ReadMetadata reads a dataset's metadata JSON file; unknown fields are an
// error so that typos are caught.
func ReadMetadata(path string) (*Metadata, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("traj: %w", err)
	}
	defer f.Close()
	dec := json.NewDecoder(f)
	dec.DisallowUnknownFields()
	var m Metadata
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("traj: %s: %w", path, err)
	}
	return &m, nil
}
