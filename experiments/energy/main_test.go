package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"github.com/boltzflow/boltzflow/internal/refdata"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func sharedDir(t *testing.T) string {
	t.Helper()
	return refdata.Dir(t, "data", "openmm", "systems")
}

type outLine struct {
	Frame  int                `json:"frame"`
	Energy float64            `json:"energy_kJmol"`
	Terms  map[string]float64 `json:"terms_kJmol"`
	Forces [][3]float64       `json:"forces_kJmolnm"`
}

func TestXYZFramesMatchReference(t *testing.T) {
	dir := sharedDir(t)
	for _, c := range []struct{ key, ff, method, cutoff, gb string }{
		{"aldp", "amber99sbildn.xml,amber99_obc.xml", "NoCutoff", "1", "GBSAOBCForce"},
		{"a6", "amber14-all.xml,implicit/obc1.xml", "CutoffNonPeriodic", "2.0", "CustomGBForce"},
	} {
		raw, err := os.ReadFile(filepath.Join(dir, c.key, "confs.json"))
		require.NoError(t, err)
		var confs struct {
			Atoms []struct {
				Element string `json:"element"`
			} `json:"atoms"`
			Conformations []struct {
				Positions [][3]float64       `json:"positions_nm"`
				Total     float64            `json:"energy_total_kJmol"`
				Groups    map[string]float64 `json:"energy_groups_kJmol"`
				Forces    [][3]float64       `json:"forces_total_kJmolnm"`
			} `json:"conformations"`
		}
		require.NoError(t, json.Unmarshal(raw, &confs))
		sel := confs.Conformations[:3]
		var xyz strings.Builder
		for k, cf := range sel {
			fmt.Fprintf(&xyz, "%d\nframe %d\n", len(cf.Positions), k)
			for i, p := range cf.Positions {
				fmt.Fprintf(&xyz, "%s %.17g %.17g %.17g\n", confs.Atoms[i].Element, 10*p[0], 10*p[1], 10*p[2])
			}
		}
		xyzPath := filepath.Join(t.TempDir(), "frames.xyz")
		require.NoError(t, os.WriteFile(xyzPath, []byte(xyz.String()), 0o644))
		var stdout, stderr bytes.Buffer
		args := []string{"-pdb", filepath.Join(dir, c.key, c.key+".pdb"), "-forcefield", c.ff, "-nonbonded", c.method, "-cutoff", c.cutoff, "-frames", xyzPath}
		if err := run(args, &stdout, &stderr); err != nil {
			t.Fatalf("%s: %v\n%s", c.key, err, stderr.String())
		}
		lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
		if len(lines) != len(sel) {
			t.Fatalf("%s: %d output lines, want %d", c.key, len(lines), len(sel))
		}
		for k, l := range lines {
			if !strings.HasPrefix(l, fmt.Sprintf(`{"frame":%d,"energy_kJmol":`, k)) || !strings.Contains(l, `,"terms_kJmol":{"bond":`) {
				t.Errorf("%s line %d: unexpected layout %.80s", c.key, k, l)
			}
			var o outLine
			require.NoError(t, json.Unmarshal([]byte(l), &o))
			want := sel[k]
			if math.Abs(o.Energy-want.Total) > 1e-6 {
				t.Errorf("%s frame %d: energy %v want %v", c.key, k, o.Energy, want.Total)
			}
			for name, key := range map[string]string{"bond": "HarmonicBondForce", "angle": "HarmonicAngleForce", "torsion": "PeriodicTorsionForce", "nonbonded": "NonbondedForce", "gb": c.gb} {
				if math.Abs(o.Terms[name]-want.Groups[key]) > 1e-6 {
					t.Errorf("%s frame %d %s: %v want %v", c.key, k, name, o.Terms[name], want.Groups[key])
				}
			}
			for i := range want.Forces {
				for d := 0; d < 3; d++ {
					if math.Abs(o.Forces[i][d]-want.Forces[i][d]) > 1e-5 {
						t.Errorf("%s frame %d atom %d force: %v want %v", c.key, k, i, o.Forces[i], want.Forces[i])
					}
				}
			}
		}
	}
}

func TestBadArguments(t *testing.T) {
	var out, errb bytes.Buffer
	if err := run([]string{}, &out, &errb); err == nil {
		t.Error("missing -pdb gave no error")
	}
	if err := run([]string{"-pdb", "x.pdb", "-nonbonded", "Ewald"}, &out, &errb); err == nil || !strings.Contains(err.Error(), "Ewald") {
		t.Errorf("bad method: %v", err)
	}
}

func TestPDBModelsAsFrames(t *testing.T) {
	dir := sharedDir(t)
	src := filepath.Join(dir, "aldp", "aldp.pdb")
	raw, err := os.ReadFile(src)
	require.NoError(t, err)
	body := strings.TrimSuffix(strings.TrimSpace(string(raw)), "END")
	multi := "MODEL        1\n" + body + "ENDMDL\nMODEL        2\n" + body + "ENDMDL\nEND\n"
	path := filepath.Join(t.TempDir(), "frames.pdb")
	require.NoError(t, os.WriteFile(path, []byte(multi), 0o644))
	var stdout, stderr bytes.Buffer
	if err := run([]string{"-pdb", src, "-frames", path}, &stdout, &stderr); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines, want 2", len(lines))
	}
	var a, b outLine
	require.NoError(t, json.Unmarshal([]byte(lines[0]), &a))
	require.NoError(t, json.Unmarshal([]byte(lines[1]), &b))
	if a.Frame != 0 || b.Frame != 1 || a.Energy != b.Energy || len(a.Forces) != 22 {
		t.Errorf("frames %d %d energies %v %v forces %d", a.Frame, b.Frame, a.Energy, b.Energy, len(a.Forces))
	}
	// The PDB is rounded to 1e-3 Å; the minimised energy is −133.806223 kJ/mol.
	if math.Abs(a.Energy+133.806223) > 0.05 {
		t.Errorf("energy %v, want about −133.806", a.Energy)
	}
}
