package forcefield

import (
	"bytes"
	"compress/gzip"
	_ "embed" // embedded default force fields
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
)

// AtomType is one atom type of a force field.
type AtomType struct {
	Name    string  `json:"n"`
	Class   string  `json:"c"`
	Element string  `json:"e,omitempty"` // element symbol, "" for extra particles
	Mass    float64 `json:"m"`           // amu
}

// TemplateAtom is one atom of a residue template.
type TemplateAtom struct {
	Name string `json:"n"`
	Type string `json:"t"`
	// Charge is the atom's charge in e when the force field takes charges from
	// the residue template (NonbondedParams.ChargeFromResidue), else nil.
	Charge *float64 `json:"q,omitempty"`
}

// Template is a residue template: its atoms with their types, the bonds
// between them (indices into Atoms) and the atoms that bond to other
// residues.
type Template struct {
	Name     string         `json:"n"`
	Atoms    []TemplateAtom `json:"a"`
	Bonds    [][2]int       `json:"b"`
	External []int          `json:"x,omitempty"`
}

// TypeSpec selects atom types in a parameter definition: by type name, by
// class, or every type (both empty: OpenMM's wildcard "").
type TypeSpec struct {
	Type  string `json:"t,omitempty"`
	Class string `json:"c,omitempty"`
}

// IsWildcard reports whether s matches every atom type.
func (s TypeSpec) IsWildcard() bool { return s.Type == "" && s.Class == "" }

// BondParam is a HarmonicBondForce definition (length nm, k kJ/mol/nm²).
type BondParam struct {
	Types  [2]TypeSpec `json:"s"`
	Length float64     `json:"l"`
	K      float64     `json:"k"`
}

// AngleParam is a HarmonicAngleForce definition (angle rad, k kJ/mol/rad²).
type AngleParam struct {
	Types [3]TypeSpec `json:"s"`
	Angle float64     `json:"a"`
	K     float64     `json:"k"`
}

// TorsionTerm is one periodic term (phase rad, k kJ/mol).
type TorsionTerm struct {
	Periodicity int     `json:"n"`
	Phase       float64 `json:"p"`
	K           float64 `json:"k"`
}

// TorsionParam is a PeriodicTorsionForce Proper or Improper definition. For
// impropers Types[0] is the central atom, and Ordering is OpenMM's ordering
// rule ("default", "amber", "charmm" or "smirnoff").
type TorsionParam struct {
	Types    [4]TypeSpec   `json:"s"`
	Terms    []TorsionTerm `json:"t"`
	Ordering string        `json:"o,omitempty"`
}

// AtomParam holds per-type nonbonded or GB parameters.
type AtomParam struct {
	Spec    TypeSpec `json:"s"`
	Charge  float64  `json:"q"`
	Sigma   float64  `json:"sg,omitempty"` // nm (NonbondedForce)
	Epsilon float64  `json:"ep,omitempty"` // kJ/mol (NonbondedForce)
	Radius  float64  `json:"r,omitempty"`  // nm (GBSAOBCForce)
	Scale   float64  `json:"sc,omitempty"` // (GBSAOBCForce)
}

// NonbondedParams is a NonbondedForce definition.
type NonbondedParams struct {
	Coulomb14Scale float64 `json:"c14"`
	LJ14Scale      float64 `json:"lj14"`
	// ChargeFromResidue is set by <UseAttributeFromResidue name="charge"/>:
	// charges come from the residue templates.
	ChargeFromResidue bool        `json:"qres,omitempty"`
	Atoms             []AtomParam `json:"a"`
}

// GBSAOBCParams is a GBSAOBCForce (OBC2) definition.
type GBSAOBCParams struct {
	Atoms []AtomParam `json:"a"`
}

// OBC1Params marks the OBC1 CustomGBForce created by the script of
// OpenMM's implicit/obc1.xml (mbondi2 radii, element screening factors).
type OBC1Params struct {
	SoluteDielectric  float64 `json:"sd"`
	SolventDielectric float64 `json:"vd"`
}

// ForceField holds atom types, residue templates and parameters, as
// OpenMM's ForceField does. Several files are combined with Merge.
type ForceField struct {
	AtomTypes []AtomType       `json:"types"`
	Templates []Template       `json:"templates"`
	Bonds     []BondParam      `json:"bonds,omitempty"`
	Angles    []AngleParam     `json:"angles,omitempty"`
	Propers   []TorsionParam   `json:"propers,omitempty"`
	Impropers []TorsionParam   `json:"impropers,omitempty"`
	Nonbonded *NonbondedParams `json:"nonbonded,omitempty"`
	GBSAOBC   *GBSAOBCParams   `json:"gbsaobc,omitempty"`
	OBC1      *OBC1Params      `json:"obc1,omitempty"`

	once      sync.Once
	typeIndex map[string]int
	tmplIndex map[string]int
}

// Merge appends the content of o to f, as OpenMM does when a ForceField is
// built from several files. It returns an error for conflicting 1-4 scales
// or duplicate atom types or templates.
func (f *ForceField) Merge(o *ForceField) error {
	seen := map[string]bool{}
	for _, t := range f.AtomTypes {
		seen[t.Name] = true
	}
	for _, t := range o.AtomTypes {
		if seen[t.Name] {
			return fmt.Errorf("forcefield: atom type %q defined twice", t.Name)
		}
		seen[t.Name] = true
	}
	seenT := map[string]bool{}
	for _, t := range f.Templates {
		seenT[t.Name] = true
	}
	for _, t := range o.Templates {
		if seenT[t.Name] {
			return fmt.Errorf("forcefield: residue template %q defined twice", t.Name)
		}
		seenT[t.Name] = true
	}
	f.AtomTypes = append(f.AtomTypes, o.AtomTypes...)
	f.Templates = append(f.Templates, o.Templates...)
	f.Bonds = append(f.Bonds, o.Bonds...)
	f.Angles = append(f.Angles, o.Angles...)
	f.Propers = append(f.Propers, o.Propers...)
	f.Impropers = append(f.Impropers, o.Impropers...)
	if o.Nonbonded != nil {
		if f.Nonbonded == nil {
			nb := *o.Nonbonded
			nb.Atoms = append([]AtomParam(nil), o.Nonbonded.Atoms...)
			f.Nonbonded = &nb
		} else {
			const tol = 1e-5
			if abs(f.Nonbonded.Coulomb14Scale-o.Nonbonded.Coulomb14Scale) > tol || abs(f.Nonbonded.LJ14Scale-o.Nonbonded.LJ14Scale) > tol {
				return fmt.Errorf("forcefield: NonbondedForce definitions with different 1-4 scales")
			}
			f.Nonbonded.ChargeFromResidue = f.Nonbonded.ChargeFromResidue || o.Nonbonded.ChargeFromResidue
			f.Nonbonded.Atoms = append(f.Nonbonded.Atoms, o.Nonbonded.Atoms...)
		}
	}
	if o.GBSAOBC != nil {
		if f.GBSAOBC == nil {
			f.GBSAOBC = &GBSAOBCParams{}
		}
		f.GBSAOBC.Atoms = append(f.GBSAOBC.Atoms, o.GBSAOBC.Atoms...)
	}
	if o.OBC1 != nil {
		c := *o.OBC1
		f.OBC1 = &c
	}
	if f.GBSAOBC != nil && f.OBC1 != nil {
		return fmt.Errorf("forcefield: both GBSAOBCForce and the OBC1 script are present; use one implicit-solvent model")
	}
	f.typeIndex, f.tmplIndex = nil, nil
	f.once = sync.Once{}
	return nil
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

func (f *ForceField) index() {
	f.once.Do(func() {
		f.typeIndex = make(map[string]int, len(f.AtomTypes))
		for i, t := range f.AtomTypes {
			f.typeIndex[t.Name] = i
		}
		f.tmplIndex = make(map[string]int, len(f.Templates))
		for i, t := range f.Templates {
			f.tmplIndex[t.Name] = i
		}
	})
}

// Template returns the residue template called name, or nil.
func (f *ForceField) Template(name string) *Template {
	f.index()
	if i, ok := f.tmplIndex[name]; ok {
		return &f.Templates[i]
	}
	return nil
}

// AtomTypeByName returns the atom type called name and whether it exists.
func (f *ForceField) AtomTypeByName(name string) (AtomType, bool) {
	f.index()
	if i, ok := f.typeIndex[name]; ok {
		return f.AtomTypes[i], true
	}
	return AtomType{}, false
}

// matches reports whether spec selects atom type typ.
func (f *ForceField) matches(spec TypeSpec, typ string) bool {
	if spec.Type != "" {
		return spec.Type == typ
	}
	if spec.Class != "" {
		t, ok := f.AtomTypeByName(typ)
		return ok && t.Class == spec.Class
	}
	return true
}

//go:generate go run ../../experiments/ffconvert -src ../../../shared/data/openmm/forcefields -out defaults.json.gz

//go:embed defaults.json.gz
var embeddedDefaults []byte

var (
	embeddedOnce sync.Once
	embeddedFF   map[string]json.RawMessage
	embeddedErr  error
)

// EmbeddedNames returns the names of the embedded force-field files
// ("amber14-all.xml", "amber99_obc.xml", "amber99sbildn.xml", "implicit/obc1.xml").
func EmbeddedNames() []string {
	embeddedOnce.Do(loadEmbedded)
	var names []string
	for k := range embeddedFF {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

func loadEmbedded() {
	zr, err := gzip.NewReader(bytes.NewReader(embeddedDefaults))
	if err != nil {
		embeddedErr = fmt.Errorf("forcefield: embedded defaults: %v", err)
		return
	}
	var m map[string]json.RawMessage
	if err := json.NewDecoder(zr).Decode(&m); err != nil {
		embeddedErr = fmt.Errorf("forcefield: embedded defaults: %v", err)
		return
	}
	embeddedFF = m
}

// Embedded returns a fresh copy of the embedded force-field file name
// (protein residues only), or an error if there is none by that name.
func Embedded(name string) (*ForceField, error) {
	embeddedOnce.Do(loadEmbedded)
	if embeddedErr != nil {
		return nil, embeddedErr
	}
	raw, ok := embeddedFF[name]
	if !ok {
		return nil, fmt.Errorf("forcefield: no embedded force field %q (have %s)", name, strings.Join(EmbeddedNames(), ", "))
	}
	var f ForceField
	if err := json.Unmarshal(raw, &f); err != nil {
		return nil, fmt.Errorf("forcefield: embedded %q: %v", name, err)
	}
	return &f, nil
}

// Load builds a ForceField from the named files, merged in order. A name
// that exists on disk is read as an OpenMM ForceField XML file (its
// <Include> elements are followed relative to the file); otherwise a name
// from EmbeddedNames (e.g. "amber99sbildn.xml") loads the embedded default.
func Load(names ...string) (*ForceField, error) {
	if len(names) == 0 {
		return nil, fmt.Errorf("forcefield: no force-field files given")
	}
	ff := &ForceField{}
	for _, name := range names {
		name = strings.TrimSpace(name)
		var part *ForceField
		var err error
		if isEmbeddedName(name) {
			part, err = Embedded(name)
		} else {
			part, err = LoadXMLFile(name)
		}
		if err != nil {
			return nil, err
		}
		if err := ff.Merge(part); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
	}
	return ff, nil
}

func isEmbeddedName(name string) bool {
	if _, err := os.Stat(name); err == nil {
		return false
	}
	embeddedOnce.Do(loadEmbedded)
	_, ok := embeddedFF[name]
	return ok
}

// MarshalCompact returns the gzipped JSON encoding of named force-field
// parts, the format of the embedded defaults.
func MarshalCompact(parts map[string]*ForceField) ([]byte, error) {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	enc := json.NewEncoder(zw)
	if err := enc.Encode(parts); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
