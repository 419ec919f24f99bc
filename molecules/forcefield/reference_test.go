package forcefield_test

import (
	"encoding/json"
	"encoding/xml"
	"github.com/boltzflow/boltzflow/internal/refdata"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/boltzflow/boltzflow/molecules"
	"github.com/boltzflow/boltzflow/molecules/forcefield"
	"github.com/boltzflow/boltzflow/molecules/pdb"
	"github.com/stretchr/testify/require"
)

// sharedDir returns ../shared/data/openmm relative to the repository root,
// or skips the test when it is absent.
func sharedDir(t testing.TB) string {
	t.Helper()
	return refdata.Dir(t, "data", "openmm")
}

type refSystem struct {
	key      string
	ff       []string
	method   molecules.NonbondedMethod
	cutoff   float64
	gbKey    string
	temp     float64
	numTerms [4]int // bonds, angles, torsions, exceptions
}

var refSystems = []refSystem{
	{"aldp", []string{"amber99sbildn.xml", "amber99_obc.xml"}, molecules.NoCutoff, 0, "GBSAOBCForce", 300, [4]int{21, 36, 42, 98}},
	{"al4", []string{"amber99sbildn.xml", "amber99_obc.xml"}, molecules.NoCutoff, 0, "GBSAOBCForce", 300, [4]int{41, 72, 100, 204}},
	{"aaa", []string{"amber14-all.xml", "implicit/obc1.xml"}, molecules.CutoffNonPeriodic, 2, "CustomGBForce", 310, [4]int{32, 57, 72, 163}},
	{"a6", []string{"amber14-all.xml", "implicit/obc1.xml"}, molecules.CutoffNonPeriodic, 2, "CustomGBForce", 310, [4]int{62, 111, 159, 322}},
}

type conformation struct {
	Label       string                  `json:"label"`
	Positions   [][3]float64            `json:"positions_nm"`
	Total       float64                 `json:"energy_total_kJmol"`
	Groups      map[string]float64      `json:"energy_groups_kJmol"`
	Forces      [][3]float64            `json:"forces_total_kJmolnm"`
	GroupForces map[string][][3]float64 `json:"forces_groups_kJmolnm"`
	NBSplit     map[string]float64      `json:"nonbonded_split_kJmol"`
	GBSplit     map[string]float64      `json:"gb_split_kJmol"`
}

type confsFile struct {
	System        string         `json:"system"`
	Temperature   float64        `json:"temperature_K"`
	Conformations []conformation `json:"conformations"`
}

func loadConfs(t testing.TB, dir, key string) confsFile {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "systems", key, "confs.json"))
	require.NoError(t, err)
	var c confsFile
	require.NoError(t, json.Unmarshal(b, &c))
	return c
}

func flat(p [][3]float64) []float64 {
	out := make([]float64, 0, 3*len(p))
	for _, v := range p {
		out = append(out, v[0], v[1], v[2])
	}
	return out
}

// buildRef reads <key>.pdb and builds its System with the embedded force field.
func buildRef(t testing.TB, dir string, rs refSystem) (*pdb.File, *molecules.System) {
	t.Helper()
	f, err := pdb.ReadFile(filepath.Join(dir, "systems", rs.key, rs.key+".pdb"))
	require.NoError(t, err)
	ff, err := forcefield.Load(rs.ff...)
	require.NoError(t, err)
	sys, err := ff.CreateSystem(f.Topology, forcefield.Options{Method: rs.method, Cutoff: rs.cutoff})
	require.NoError(t, err)
	return f, sys
}

func within(got, want, abs, rel float64) bool {
	tol := math.Max(abs, rel*math.Abs(want))
	return math.Abs(got-want) <= tol
}

func TestReferenceEnergiesAndForces(t *testing.T) {
	dir := sharedDir(t)
	for _, rs := range refSystems {
		t.Run(rs.key, func(t *testing.T) {
			_, sys := buildRef(t, dir, rs)
			confs := loadConfs(t, dir, rs.key)
			if len(confs.Conformations) == 0 {
				t.Fatal("no conformations")
			}
			if confs.Temperature != rs.temp {
				t.Errorf("temperature %g, want %g", confs.Temperature, rs.temp)
			}
			n := sys.NumAtoms()
			forces := make([]float64, 3*n)
			var worstE, worstF float64
			for _, c := range confs.Conformations {
				if len(c.Positions) != n {
					t.Fatalf("%s: %d positions, system has %d atoms", c.Label, len(c.Positions), n)
				}
				e, err := sys.Evaluate(flat(c.Positions), forces)
				if err != nil {
					t.Fatalf("%s: %v", c.Label, err)
				}
				checks := []struct {
					name      string
					got, want float64
				}{
					{"total", e.Total(), c.Total},
					{"bond", e.Bond, c.Groups["HarmonicBondForce"]},
					{"angle", e.Angle, c.Groups["HarmonicAngleForce"]},
					{"torsion", e.Torsion, c.Groups["PeriodicTorsionForce"]},
					{"nonbonded", e.Nonbonded, c.Groups["NonbondedForce"]},
					{"gb", e.GB, c.Groups[rs.gbKey]},
					{"coulomb pairs", e.CoulombPairs, c.NBSplit["coulomb_nonexcluded_pairs"]},
					{"lj pairs", e.LJPairs, c.NBSplit["lj_nonexcluded_pairs"]},
					{"coulomb 14", e.Coulomb14, c.NBSplit["coulomb_exceptions_14"]},
					{"lj 14", e.LJ14, c.NBSplit["lj_exceptions_14"]},
				}
				if rs.gbKey == "GBSAOBCForce" {
					checks = append(checks,
						struct {
							name      string
							got, want float64
						}{"gb polar", e.GBSelf + e.GBPair, c.GBSplit["GB_polar_only(surfaceAreaEnergy=0)"]},
						struct {
							name      string
							got, want float64
						}{"gb SA", e.GBSurface, c.GBSplit["GB_nonpolar_SA(ACE)"]})
				} else {
					checks = append(checks,
						struct {
							name      string
							got, want float64
						}{"gb term 0", e.GBSelf, c.GBSplit["CustomGB_energy_term_0"]},
						struct {
							name      string
							got, want float64
						}{"gb term 1", e.GBSurface, c.GBSplit["CustomGB_energy_term_1"]},
						struct {
							name      string
							got, want float64
						}{"gb term 2", e.GBPair, c.GBSplit["CustomGB_energy_term_2"]})
				}
				for _, ch := range checks {
					d := math.Abs(ch.got - ch.want)
					worstE = math.Max(worstE, d)
					if !within(ch.got, ch.want, 1e-6, 1e-9) {
						t.Errorf("%s %s: got %.12f want %.12f (diff %.3g)", c.Label, ch.name, ch.got, ch.want, d)
					}
				}
				want := flat(c.Forces)
				scale := 1.0
				for _, v := range want {
					scale = math.Max(scale, math.Abs(v))
				}
				for k := range want {
					d := math.Abs(forces[k] - want[k])
					worstF = math.Max(worstF, d/scale)
					if d > 1e-5 && d > 1e-9*scale {
						t.Errorf("%s force[%d] (atom %d): got %.10g want %.10g", c.Label, k, k/3, forces[k], want[k])
						break
					}
				}
			}
			t.Logf("%s: %d conformations, worst energy diff %.3g kJ/mol, worst force diff %.3g relative to max(1,|F|)", rs.key, len(confs.Conformations), worstE, worstF)
		})
	}
}

// System XML parsing for the parameter checks.
type xmlSystem struct {
	Particles []struct {
		Mass float64 `xml:"mass,attr"`
	} `xml:"Particles>Particle"`
	Forces []xmlForce `xml:"Forces>Force"`
}

type xmlForce struct {
	Type       string    `xml:"type,attr"`
	Method     int       `xml:"method,attr"`
	Cutoff     float64   `xml:"cutoff,attr"`
	RF         float64   `xml:"rfDielectric,attr"`
	Bonds      []xmlTerm `xml:"Bonds>Bond"`
	Angles     []xmlTerm `xml:"Angles>Angle"`
	Torsions   []xmlTerm `xml:"Torsions>Torsion"`
	Particles  []xmlTerm `xml:"Particles>Particle"`
	Exceptions []xmlTerm `xml:"Exceptions>Exception"`
}

type xmlTerm struct {
	Attrs []xml.Attr `xml:",any,attr"`
}

func (x xmlTerm) get(t testing.TB, name string) float64 {
	for _, a := range x.Attrs {
		if a.Name.Local == name {
			v, err := strconv.ParseFloat(a.Value, 64)
			require.NoError(t, err)
			return v
		}
	}
	t.Fatalf("attribute %s missing in %v", name, x.Attrs)
	return 0
}

func TestReferenceSystemParameters(t *testing.T) {
	dir := sharedDir(t)
	for _, rs := range refSystems {
		t.Run(rs.key, func(t *testing.T) {
			_, sys := buildRef(t, dir, rs)
			b, err := os.ReadFile(filepath.Join(dir, "systems", rs.key, rs.key+"_system.xml"))
			require.NoError(t, err)
			var xs xmlSystem
			require.NoError(t, xml.Unmarshal(b, &xs))
			if len(xs.Particles) != sys.NumAtoms() {
				t.Fatalf("atoms %d want %d", sys.NumAtoms(), len(xs.Particles))
			}
			for i, p := range xs.Particles {
				if sys.Masses[i] != p.Mass {
					t.Errorf("mass %d: %v want %v", i, sys.Masses[i], p.Mass)
				}
			}
			if got := [4]int{len(sys.Bonds), len(sys.Angles), len(sys.Torsions), len(sys.Nonbonded.Exceptions)}; got != rs.numTerms {
				t.Errorf("term counts %v, want %v", got, rs.numTerms)
			}
			var q float64
			for _, p := range sys.Nonbonded.Particles {
				q += p.Charge
			}
			if math.Abs(q) > 1e-9 {
				t.Errorf("total charge %g", q)
			}
			for _, f := range xs.Forces {
				counts := map[string][2]int{
					"HarmonicBondForce":    {len(f.Bonds), len(sys.Bonds)},
					"HarmonicAngleForce":   {len(f.Angles), len(sys.Angles)},
					"PeriodicTorsionForce": {len(f.Torsions), len(sys.Torsions)},
					"NonbondedForce":       {len(f.Exceptions), len(sys.Nonbonded.Exceptions)},
				}
				if c, ok := counts[f.Type]; ok && (c[0] != c[1] || c[0] == 0) {
					t.Errorf("%s: %d terms, system XML has %d", f.Type, c[1], c[0])
				}
				switch f.Type {
				case "HarmonicBondForce":
					want := map[[2]int][2]float64{}
					for _, x := range f.Bonds {
						i, j := int(x.get(t, "p1")), int(x.get(t, "p2"))
						if i > j {
							i, j = j, i
						}
						want[[2]int{i, j}] = [2]float64{x.get(t, "d"), x.get(t, "k")}
					}
					for _, bd := range sys.Bonds {
						i, j := bd.Atoms[0], bd.Atoms[1]
						if i > j {
							i, j = j, i
						}
						if w, ok := want[[2]int{i, j}]; !ok || w != [2]float64{bd.Length, bd.K} {
							t.Errorf("bond %v: %v %v, want %v (present %v)", bd.Atoms, bd.Length, bd.K, w, ok)
						}
					}
				case "HarmonicAngleForce":
					for k, x := range f.Angles {
						a := sys.Angles[k]
						w := [3]int{int(x.get(t, "p1")), int(x.get(t, "p2")), int(x.get(t, "p3"))}
						if a.Atoms != w || a.Angle != x.get(t, "a") || a.K != x.get(t, "k") {
							t.Errorf("angle %d: %+v, want %v a=%v k=%v", k, a, w, x.get(t, "a"), x.get(t, "k"))
						}
					}
				case "PeriodicTorsionForce":
					for k, x := range f.Torsions {
						if k >= len(sys.Torsions) {
							break
						}
						tr := sys.Torsions[k]
						w := [4]int{int(x.get(t, "p1")), int(x.get(t, "p2")), int(x.get(t, "p3")), int(x.get(t, "p4"))}
						if tr.Atoms != w || tr.Periodicity != int(x.get(t, "periodicity")) || tr.Phase != x.get(t, "phase") || tr.K != x.get(t, "k") {
							t.Errorf("torsion %d: %+v, want %v n=%v phase=%v k=%v", k, tr, w, x.get(t, "periodicity"), x.get(t, "phase"), x.get(t, "k"))
						}
					}
				case "NonbondedForce":
					nb := sys.Nonbonded
					if int(nb.Method) != f.Method || nb.ReactionFieldDielectric != f.RF {
						t.Errorf("nonbonded method %v rf %v, want %v %v", nb.Method, nb.ReactionFieldDielectric, f.Method, f.RF)
					}
					if nb.Method == molecules.CutoffNonPeriodic && nb.Cutoff != f.Cutoff {
						t.Errorf("cutoff %v want %v", nb.Cutoff, f.Cutoff)
					}
					for i, x := range f.Particles {
						p := nb.Particles[i]
						if p.Charge != x.get(t, "q") || p.Sigma != x.get(t, "sig") || p.Epsilon != x.get(t, "eps") {
							t.Errorf("NB particle %d: %+v, want %v", i, p, x.Attrs)
						}
					}
					want := map[[2]int][3]float64{}
					for _, x := range f.Exceptions {
						i, j := int(x.get(t, "p1")), int(x.get(t, "p2"))
						if i > j {
							i, j = j, i
						}
						want[[2]int{i, j}] = [3]float64{x.get(t, "q"), x.get(t, "sig"), x.get(t, "eps")}
					}
					for _, e := range nb.Exceptions {
						w, ok := want[e.Atoms]
						if !ok || !within(e.ChargeProd, w[0], 1e-15, 1e-13) || !within(e.Sigma, w[1], 1e-15, 1e-13) || !within(e.Epsilon, w[2], 1e-15, 1e-13) {
							t.Errorf("exception %v: %+v, want %v (present %v)", e.Atoms, e, w, ok)
						}
					}
				case "GBSAOBCForce":
					for i, x := range f.Particles {
						p := sys.GB.Particles[i]
						if p.Charge != x.get(t, "q") || p.Radius != x.get(t, "r") || p.Scale != x.get(t, "scale") {
							t.Errorf("GB particle %d: %+v, want %v", i, p, x.Attrs)
						}
					}
				case "CustomGBForce":
					for i, x := range f.Particles {
						p := sys.GB.Particles[i]
						or := p.Radius - 0.009
						sr := p.Scale * or
						var got []string
						for _, a := range x.Attrs {
							got = append(got, a.Name.Local)
						}
						sort.Strings(got)
						if strings.Join(got, ",") != "param1,param2,param3" {
							t.Fatalf("CustomGB particle attributes %v", got)
						}
						if p.Charge != x.get(t, "param1") || or != x.get(t, "param2") || sr != x.get(t, "param3") {
							t.Errorf("CustomGB particle %d: q=%v or=%v sr=%v, want %v", i, p.Charge, or, sr, x.Attrs)
						}
					}
				}
			}
		})
	}
}

func TestReferenceForcesMatchFiniteDifferences(t *testing.T) {
	dir := sharedDir(t)
	for _, rs := range refSystems {
		_, sys := buildRef(t, dir, rs)
		confs := loadConfs(t, dir, rs.key)
		last := len(confs.Conformations) - 1
		for _, ci := range []int{0, last} {
			c := confs.Conformations[ci]
			pos := flat(c.Positions)
			forces := make([]float64, len(pos))
			_, err := sys.Evaluate(pos, forces)
			require.NoError(t, err)
			var fmax float64
			for _, f := range forces {
				fmax = math.Max(fmax, math.Abs(f))
			}
			const h = 1e-6
			p := append([]float64(nil), pos...)
			var worst float64
			for k := range p {
				p[k] = pos[k] + h
				ep, err := sys.Evaluate(p, nil)
				require.NoError(t, err)
				p[k] = pos[k] - h
				em, err := sys.Evaluate(p, nil)
				require.NoError(t, err)
				p[k] = pos[k]
				fd := -(ep.Total() - em.Total()) / (2 * h)
				d := math.Abs(fd - forces[k])
				worst = math.Max(worst, d/math.Max(1, fmax))
				if d > 1e-4+2e-6*fmax {
					t.Errorf("%s %s coordinate %d: analytic %.8g, finite difference %.8g", rs.key, c.Label, k, forces[k], fd)
				}
			}
			t.Logf("%s %s: worst |FD − analytic| / max(1,|F|) = %.2g", rs.key, c.Label, worst)
		}
	}
}
