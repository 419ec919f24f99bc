// Command energy evaluates the potential energy and forces of a peptide with
// an Amber force field and implicit solvent, exactly as OpenMM does.
//
//	go run ./experiments/energy -pdb FILE -forcefield amber99sbildn.xml,amber99_obc.xml \
//	    [-nonbonded NoCutoff|CutoffNonPeriodic] [-cutoff 2.0] [-frames FILE.xyz|FILE.pdb]
//
// Force-field names are embedded defaults (amber99sbildn.xml, amber99_obc.xml,
// amber14-all.xml, implicit/obc1.xml) or paths to OpenMM ForceField XML
// files. With no -frames the PDB's coordinates (first model) are evaluated;
// otherwise every frame of the XYZ file (Å, atoms in the PDB's order) or
// every model of the PDB file. Output, one JSON object per line and frame:
//
//	{"frame":0,"energy_kJmol":E,"terms_kJmol":{"bond":…,"angle":…,"torsion":…,"nonbonded":…,"gb":…},"forces_kJmolnm":[[fx,fy,fz],…]}
//
// Progress (frames, rate, ETA) goes to stderr.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/boltzflow/boltzflow/molecules"
	"github.com/boltzflow/boltzflow/molecules/forcefield"
	"github.com/boltzflow/boltzflow/molecules/pdb"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "energy:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("energy", flag.ContinueOnError)
	fs.SetOutput(stderr)
	pdbPath := fs.String("pdb", "", "PDB file defining the topology (and the coordinates when -frames is not given)")
	ffNames := fs.String("forcefield", "amber99sbildn.xml,amber99_obc.xml", "comma-separated force-field files (embedded names or paths)")
	method := fs.String("nonbonded", "NoCutoff", "nonbonded method: NoCutoff or CutoffNonPeriodic")
	cutoff := fs.Float64("cutoff", 2.0, "nonbonded and GB cutoff in nm, CutoffNonPeriodic only (default 2.0 as in the SBG systems; OpenMM's createSystem default is 1.0)")
	frames := fs.String("frames", "", "optional frames: .xyz (Å, PDB atom order) or .pdb (MODEL records)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *pdbPath == "" {
		fs.Usage()
		return fmt.Errorf("-pdb is required")
	}
	m, err := molecules.ParseNonbondedMethod(*method)
	if err != nil {
		return err
	}
	f, err := pdb.ReadFile(*pdbPath)
	if err != nil {
		return err
	}
	ff, err := forcefield.Load(strings.Split(*ffNames, ",")...)
	if err != nil {
		return err
	}
	sys, err := ff.CreateSystem(f.Topology, forcefield.Options{Method: m, Cutoff: *cutoff})
	if err != nil {
		return fmt.Errorf("%s: %w", *pdbPath, err)
	}
	n := f.Topology.NumAtoms()
	confs := [][]float64{f.Positions(0)}
	if *frames != "" {
		if strings.HasSuffix(strings.ToLower(*frames), ".pdb") {
			g, err := pdb.ReadFile(*frames)
			if err != nil {
				return err
			}
			if g.Topology.NumAtoms() != n {
				return fmt.Errorf("%s: %d atoms, %s has %d", *frames, g.Topology.NumAtoms(), *pdbPath, n)
			}
			confs = g.Models
		} else {
			confs, err = readXYZ(*frames, f.Topology)
			if err != nil {
				return err
			}
		}
	}
	w := bufio.NewWriter(stdout)
	defer w.Flush()
	forces := make([]float64, 3*n)
	buf := make([]byte, 0, 64*n)
	start := time.Now()
	last := start
	for k, pos := range confs {
		e, err := sys.Evaluate(pos, forces)
		if err != nil {
			return fmt.Errorf("frame %d: %w", k, err)
		}
		buf = appendJSON(buf[:0], k, e, forces)
		if _, err := w.Write(buf); err != nil {
			return err
		}
		if now := time.Now(); now.Sub(last) > 2*time.Second || k == len(confs)-1 {
			last = now
			el := now.Sub(start).Seconds()
			rate := float64(k+1) / el
			eta := float64(len(confs)-k-1) / rate
			fmt.Fprintf(stderr, "frame %d/%d  %.0f frames/s  ETA %.1fs\n", k+1, len(confs), rate, eta)
		}
	}
	return nil
}

func appendFloat(b []byte, v float64) []byte { return strconv.AppendFloat(b, v, 'g', -1, 64) }

func appendJSON(b []byte, frame int, e molecules.Energies, forces []float64) []byte {
	b = append(b, `{"frame":`...)
	b = strconv.AppendInt(b, int64(frame), 10)
	b = append(b, `,"energy_kJmol":`...)
	b = appendFloat(b, e.Total())
	b = append(b, `,"terms_kJmol":{"bond":`...)
	b = appendFloat(b, e.Bond)
	b = append(b, `,"angle":`...)
	b = appendFloat(b, e.Angle)
	b = append(b, `,"torsion":`...)
	b = appendFloat(b, e.Torsion)
	b = append(b, `,"nonbonded":`...)
	b = appendFloat(b, e.Nonbonded)
	b = append(b, `,"gb":`...)
	b = appendFloat(b, e.GB)
	b = append(b, `},"forces_kJmolnm":[`...)
	for i := 0; i < len(forces); i += 3 {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '[')
		b = appendFloat(b, forces[i])
		b = append(b, ',')
		b = appendFloat(b, forces[i+1])
		b = append(b, ',')
		b = appendFloat(b, forces[i+2])
		b = append(b, ']')
	}
	b = append(b, "]}\n"...)
	return b
}

// readXYZ reads concatenated XYZ frames (count line, comment line, then
// "element x y z" in Å per atom) and returns positions in nm.
func readXYZ(path string, top *molecules.Topology) ([][]float64, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	sc := bufio.NewScanner(fh)
	sc.Buffer(make([]byte, 1<<16), 1<<24)
	n := top.NumAtoms()
	var out [][]float64
	line := 0
	next := func() (string, bool) {
		for sc.Scan() {
			line++
			return sc.Text(), true
		}
		return "", false
	}
	for {
		s, ok := next()
		if !ok {
			break
		}
		if strings.TrimSpace(s) == "" {
			continue
		}
		cnt, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil {
			return nil, fmt.Errorf("%s:%d: atom count %q: %v", path, line, s, err)
		}
		if cnt != n {
			return nil, fmt.Errorf("%s:%d: frame %d has %d atoms, the PDB has %d", path, line, len(out), cnt, n)
		}
		if _, ok := next(); !ok {
			return nil, fmt.Errorf("%s:%d: missing comment line", path, line)
		}
		pos := make([]float64, 3*n)
		for i := 0; i < n; i++ {
			s, ok := next()
			if !ok {
				return nil, fmt.Errorf("%s:%d: frame %d ends after %d atoms", path, line, len(out), i)
			}
			fld := strings.Fields(s)
			if len(fld) < 4 {
				return nil, fmt.Errorf("%s:%d: want \"element x y z\", got %q", path, line, s)
			}
			if el, ok := molecules.ElementBySymbol(fld[0]); ok && el.Symbol != top.Atoms[i].Element.Symbol {
				return nil, fmt.Errorf("%s:%d: atom %d is %s, the PDB has %s (%s)", path, line, i, fld[0], top.Atoms[i].Element.Symbol, top.Atoms[i].Name)
			}
			for k := 0; k < 3; k++ {
				v, err := strconv.ParseFloat(fld[1+k], 64)
				if err != nil {
					return nil, fmt.Errorf("%s:%d: coordinate %c %q: %v", path, line, "xyz"[k], fld[1+k], err)
				}
				pos[3*i+k] = v / 10
			}
		}
		out = append(out, pos)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s:%d: %v", path, line, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no frames", path)
	}
	return out, nil
}
