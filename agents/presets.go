package agents

import (
	"fmt"
	"sort"
	"strings"
)

// MEowPreset holds the per-environment settings of MEow (meow.md §7; Pendulum-v1 and InvertedPendulum are
// Boltzflow's own choices, marked in Source).
type MEowPreset struct {
	Steps, LearningStarts    int
	Alpha, Tau, Gamma        float64
	LogSigmaMin, LogSigmaMax float64
	EvalEvery                int
	Source                   string
	// FlowHidden and ShiftHidden override the paper's network widths when non-nil (the toy tasks, for speed).
	FlowHidden, ShiftHidden []int
}

// Apply writes the preset's α, τ, γ, log σ range and network widths into c.
func (p MEowPreset) Apply(c *MEowConfig) {
	c.Alpha, c.Tau, c.Gamma, c.LogSigmaMin, c.LogSigmaMax = p.Alpha, p.Tau, p.Gamma, p.LogSigmaMin, p.LogSigmaMax
	if p.FlowHidden != nil {
		c.FlowHidden = append([]int(nil), p.FlowHidden...)
	}
	if p.ShiftHidden != nil {
		c.ShiftHidden = append([]int(nil), p.ShiftHidden...)
	}
}

// MEowPresets maps environment ids (without the version suffix) to MEow's settings. Versions v4 and v5 share
// them.
var MEowPresets = map[string]MEowPreset{
	"Hopper":           {1_500_000, 5000, 0.25, 0.005, 0.99, -5, -0.3, 10000, "meow.md §7.1", nil, nil},
	"HalfCheetah":      {1_500_000, 10000, 0.25, 0.003, 0.99, -5, 2.0, 10000, "meow.md §7.1", nil, nil},
	"Walker2d":         {4_000_000, 10000, 0.1, 0.005, 0.99, -5, -0.3, 10000, "meow.md §7.1", nil, nil},
	"Ant":              {4_000_000, 5000, 0.05, 0.0001, 0.99, -5, -0.3, 10000, "meow.md §7.1", nil, nil},
	"Humanoid":         {5_000_000, 5000, 0.125, 0.0005, 0.99, -5, -0.3, 10000, "meow.md §7.1", nil, nil},
	"MultiGoal":        {4000, 1000, 2.5, 0.0005, 0.9, -2, 1, 500, "meow.md §7.3; paper widths (shift nets 256-256 as MEow's toy)", nil, nil},
	"Pendulum":         {20000, 1000, 0.1, 0.005, 0.99, -5, -0.3, 2000, "Boltzflow choice", nil, []int{64, 64}},
	"InvertedPendulum": {100000, 5000, 0.2, 0.005, 0.99, -5, -0.3, 10000, "Boltzflow choice: α from a 20k-step sweep (docs/results-rl.md)", nil, nil},
}

// SACPreset holds the per-environment schedule of the SAC baseline (CleanRL settings otherwise, meow.md §11).
type SACPreset struct {
	Steps, LearningStarts, EvalEvery int
}

// SACPresets maps environment ids (without version) to SAC's schedule; unlisted ids use CleanRL's 1M steps and
// 5000 warm-up steps.
var SACPresets = map[string]SACPreset{
	"Pendulum":  {20000, 1000, 2000},
	"MultiGoal": {4000, 1000, 500},
}

// baseID strips the "-vN" suffix of a Gymnasium id.
func baseID(id string) string {
	if i := strings.LastIndex(id, "-v"); i > 0 {
		return id[:i]
	}
	return id
}

// LookupMEowPreset returns the MEow preset for a Gymnasium id. Environments without a preset are an error
// listing those that have one.
func LookupMEowPreset(id string) (MEowPreset, error) {
	if p, ok := MEowPresets[baseID(id)]; ok {
		return p, nil
	}
	var names []string
	for k := range MEowPresets {
		names = append(names, k)
	}
	sort.Strings(names)
	return MEowPreset{}, fmt.Errorf("agents: no MEow preset for %q; environments with presets (any version): %s",
		id, strings.Join(names, ", "))
}

// LookupSACPreset returns SAC's schedule for a Gymnasium id (CleanRL's defaults if none is listed).
func LookupSACPreset(id string) SACPreset {
	if p, ok := SACPresets[baseID(id)]; ok {
		return p
	}
	return SACPreset{Steps: 1_000_000, LearningStarts: 5000, EvalEvery: 10000}
}
