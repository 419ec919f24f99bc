package builder

import (
	"fmt"
	"sort"
	"strings"

	"github.com/boltzflow/boltzflow/molecules"
	"github.com/boltzflow/boltzflow/molecules/forcefield"
)

// System describes one of the named peptide systems of the Sequential
// Boltzmann Generator (docs/sbg.md §1.1, docs/molecules.md §1).
type System struct {
	Name        string   // key: aldp, al3, al4, al6, chignolin
	Label       string   // SBG sequence string, e.g. "Ace-A-Nme"
	Sequence    string   // one-letter amino-acid sequence (caps excluded)
	Capped      bool     // ACE…NME caps (else zwitterionic)
	ForceField  []string // force-field files, as for forcefield.Load
	Method      molecules.NonbondedMethod
	Cutoff      float64 // nm (CutoffNonPeriodic only; 0 otherwise)
	Temperature float64 // K
	Friction    float64 // 1/ps, as in the SBG reference code
}

var named = map[string]System{
	"aldp": {Name: "aldp", Label: "Ace-A-Nme", Sequence: "A", Capped: true,
		ForceField: []string{"amber99sbildn.xml", "amber99_obc.xml"}, Method: molecules.NoCutoff,
		Temperature: 300, Friction: 1},
	"al3": {Name: "al3", Label: "AAA", Sequence: "AAA",
		ForceField: []string{"amber14-all.xml", "implicit/obc1.xml"}, Method: molecules.CutoffNonPeriodic, Cutoff: 2,
		Temperature: 310, Friction: 0.3},
	"al4": {Name: "al4", Label: "Ace-AAA-Nme", Sequence: "AAA", Capped: true,
		ForceField: []string{"amber99sbildn.xml", "amber99_obc.xml"}, Method: molecules.NoCutoff,
		Temperature: 300, Friction: 0.3},
	"al6": {Name: "al6", Label: "AAAAAA", Sequence: "AAAAAA",
		ForceField: []string{"amber14-all.xml", "implicit/obc1.xml"}, Method: molecules.CutoffNonPeriodic, Cutoff: 2,
		Temperature: 310, Friction: 0.3},
	"chignolin": {Name: "chignolin", Label: "GYDPETGTWG", Sequence: "GYDPETGTWG",
		ForceField: []string{"amber14-all.xml", "implicit/obc1.xml"}, Method: molecules.CutoffNonPeriodic, Cutoff: 2,
		Temperature: 310, Friction: 0.3},
}

// Names returns the keys of the named systems, sorted.
func Names() []string {
	var s []string
	for k := range named {
		s = append(s, k)
	}
	sort.Strings(s)
	return s
}

// Named returns the named system key (aldp, al3, al4, al6, chignolin; the
// molecules.md keys aaa and a6 are accepted for al3 and al6).
func Named(key string) (System, error) {
	k := strings.ToLower(strings.TrimSpace(key))
	switch k {
	case "aaa":
		k = "al3"
	case "a6":
		k = "al6"
	}
	s, ok := named[k]
	if !ok {
		return System{}, fmt.Errorf("builder: unknown system %q (want one of %s)", key, strings.Join(Names(), ", "))
	}
	s.ForceField = append([]string(nil), s.ForceField...)
	return s, nil
}

// LoadForceField loads the system's force-field files.
func (s System) LoadForceField() (*forcefield.ForceField, error) {
	return forcefield.Load(s.ForceField...)
}

// Options returns the createSystem options of s.
func (s System) Options() forcefield.Options {
	return forcefield.Options{Method: s.Method, Cutoff: s.Cutoff}
}

// Build builds s with the default backbone dihedrals and returns its
// topology, positions (nm) and force-field System.
func (s System) Build() (*molecules.Topology, []float64, *molecules.System, error) {
	ff, err := s.LoadForceField()
	if err != nil {
		return nil, nil, nil, err
	}
	top, pos, err := Build(ff, s.Sequence, Options{Capped: s.Capped})
	if err != nil {
		return nil, nil, nil, err
	}
	sys, err := ff.CreateSystem(top, s.Options())
	if err != nil {
		return nil, nil, nil, fmt.Errorf("builder: %s: %w", s.Name, err)
	}
	return top, pos, sys, nil
}
