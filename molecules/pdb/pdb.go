package pdb

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode"

	"github.com/boltzflow/boltzflow/molecules"
)

// File is the content of a PDB file.
type File struct {
	// Topology holds the atoms, residues, chains and explicit bonds of the
	// first model.
	Topology *molecules.Topology
	// Models holds one set of positions per model, in nm, each of length
	// 3·NumAtoms (atom-major).
	Models [][]float64
}

// Positions returns the positions (nm, len 3N) of model k. It panics if k
// is out of range.
func (f *File) Positions(k int) []float64 {
	if k < 0 || k >= len(f.Models) {
		panic(fmt.Sprintf("pdb: model %d out of range [0,%d)", k, len(f.Models)))
	}
	return f.Models[k]
}

// ReadFile reads the PDB file at path. Errors name the file and line.
func ReadFile(path string) (*File, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	f, err := Read(fh)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return f, nil
}

func field(line string, lo, hi int) string {
	if lo >= len(line) {
		return ""
	}
	if hi > len(line) {
		hi = len(line)
	}
	return line[lo:hi]
}

// InferElement guesses the element of an atom from its PDB name and residue
// name: a two-letter element when the residue is a single-atom ion of that
// element (NA, CL, MG, ...), otherwise the first letter of the name after
// leading digits (so "1HB" and "HB1" are hydrogen and "CA" is carbon).
func InferElement(atomName, resName string) (molecules.Element, bool) {
	name := strings.ToUpper(strings.TrimSpace(atomName))
	res := strings.ToUpper(strings.TrimSpace(resName))
	trimmed := strings.TrimLeftFunc(name, unicode.IsDigit)
	if len(trimmed) >= 2 {
		two := trimmed[:2]
		if res == two || res == two+"+" || res == two+"-" || res == two+"2" {
			if e, ok := molecules.ElementBySymbol(two); ok {
				return e, true
			}
		}
	}
	if trimmed == "" {
		return molecules.Element{}, false
	}
	return molecules.ElementBySymbol(trimmed[:1])
}

type resKey struct {
	chain   string
	seq     string
	resName string
}

// Read parses PDB text from r.
func Read(r io.Reader) (*File, error) {
	top := &molecules.Topology{}
	var models [][]float64
	var cur []float64
	serialToIndex := map[int]int{}
	var conect [][2]int
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	lineNo := 0
	modelIdx := 0
	atomInModel := 0
	inModel := false
	newChain := true
	var lastKey resKey
	curRes := -1
	sawAtoms := false
	for sc.Scan() {
		lineNo++
		line := strings.TrimRight(sc.Text(), "\r\n")
		rec := strings.TrimSpace(field(line, 0, 6))
		switch rec {
		case "MODEL":
			inModel = true
			atomInModel = 0
			cur = nil
			newChain = true
		case "ENDMDL":
			if modelIdx > 0 && atomInModel != top.NumAtoms() {
				return nil, fmt.Errorf("line %d: model %d has %d atoms, model 1 has %d", lineNo, modelIdx+1, atomInModel, top.NumAtoms())
			}
			models = append(models, cur)
			cur = nil
			modelIdx++
			inModel = false
		case "TER":
			newChain = true
		case "END":
			goto done
		case "CONECT":
			a, err := strconv.Atoi(strings.TrimSpace(field(line, 6, 11)))
			if err != nil {
				return nil, fmt.Errorf("line %d: CONECT serial %q: %v", lineNo, field(line, 6, 11), err)
			}
			for k := 11; k+5 <= len(line) && k < 31; k += 5 {
				s := strings.TrimSpace(line[k : k+5])
				if s == "" {
					continue
				}
				b, err := strconv.Atoi(s)
				if err != nil {
					return nil, fmt.Errorf("line %d: CONECT serial %q: %v", lineNo, s, err)
				}
				conect = append(conect, [2]int{a, b})
			}
		case "ATOM", "HETATM":
			sawAtoms = true
			alt := field(line, 16, 17)
			if alt != " " && alt != "" && alt != "A" && alt != "1" {
				continue
			}
			name := strings.TrimSpace(field(line, 12, 16))
			resName := strings.TrimSpace(field(line, 17, 21))
			chainID := field(line, 21, 22)
			seq := strings.TrimSpace(field(line, 22, 27))
			var xyz [3]float64
			for k, c := range [][2]int{{30, 38}, {38, 46}, {46, 54}} {
				s := strings.TrimSpace(field(line, c[0], c[1]))
				v, err := strconv.ParseFloat(s, 64)
				if err != nil {
					return nil, fmt.Errorf("line %d: atom %q of residue %s %s: coordinate %c %q: %v", lineNo, name, resName, seq, "xyz"[k], s, err)
				}
				if math.IsNaN(v) || math.IsInf(v, 0) {
					ri := curRes
					if modelIdx == 0 && (curRes < 0 || newChain || (resKey{chainID, seq, resName}) != lastKey) {
						ri = len(top.Residues)
					} else if modelIdx > 0 && atomInModel < top.NumAtoms() {
						ri = top.Atoms[atomInModel].Residue
					}
					return nil, fmt.Errorf("line %d: residue %d (%s, id %s) atom %q: coordinate %c is %s: %w", lineNo, ri, resName, seq, name, "xyz"[k], s, molecules.ErrNonFinite)
				}
				xyz[k] = v / 10
			}
			if modelIdx == 0 {
				key := resKey{chainID, seq, resName}
				if newChain || (len(top.Chains) > 0 && top.Chains[len(top.Chains)-1].ID != chainID) {
					top.AddChain(chainID)
					newChain = false
					curRes = -1
				}
				if curRes < 0 || key != lastKey {
					curRes = top.AddResidue(resName, seq, len(top.Chains)-1)
					lastKey = key
				}
				el, ok := molecules.Element{}, false
				if sym := strings.TrimSpace(field(line, 76, 78)); sym != "" {
					el, ok = molecules.ElementBySymbol(sym)
					if !ok {
						return nil, fmt.Errorf("line %d: atom %q of residue %s %s: unknown element %q", lineNo, name, resName, seq, sym)
					}
				} else {
					el, ok = InferElement(name, resName)
					if !ok {
						return nil, fmt.Errorf("line %d: atom %q of residue %s %s: cannot infer the element", lineNo, name, resName, seq)
					}
				}
				idx := top.AddAtom(name, el, curRes)
				top.Atoms[idx].Hetero = rec == "HETATM"
				if s, err := strconv.Atoi(strings.TrimSpace(field(line, 6, 11))); err == nil {
					serialToIndex[s] = idx
				}
			} else {
				if atomInModel >= top.NumAtoms() {
					return nil, fmt.Errorf("line %d: model %d has more atoms than model 1 (%d)", lineNo, modelIdx+1, top.NumAtoms())
				}
				if want := top.Atoms[atomInModel].Name; want != name {
					return nil, fmt.Errorf("line %d: model %d atom %d is %q, model 1 has %q", lineNo, modelIdx+1, atomInModel, name, want)
				}
			}
			cur = append(cur, xyz[0], xyz[1], xyz[2])
			atomInModel++
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("line %d: %v", lineNo, err)
	}
done:
	if inModel || (len(models) == 0 && cur != nil) {
		if modelIdx > 0 && atomInModel != top.NumAtoms() {
			return nil, fmt.Errorf("line %d: model %d has %d atoms, model 1 has %d", lineNo, modelIdx+1, atomInModel, top.NumAtoms())
		}
		models = append(models, cur)
	}
	if !sawAtoms || top.NumAtoms() == 0 {
		return nil, fmt.Errorf("no ATOM or HETATM records")
	}
	for _, c := range conect {
		i, ok1 := serialToIndex[c[0]]
		j, ok2 := serialToIndex[c[1]]
		if !ok1 || !ok2 {
			return nil, fmt.Errorf("CONECT %d-%d refers to an unknown atom serial", c[0], c[1])
		}
		if i != j {
			top.AddBond(i, j)
		}
	}
	addDisulfides(top, models[0])
	return &File{Topology: top, Models: models}, nil
}

// addDisulfides bonds SG atoms of CYS/CYX residues closer than 0.3 nm.
func addDisulfides(top *molecules.Topology, pos []float64) {
	var sg []int
	for i, a := range top.Atoms {
		rn := top.Residues[a.Residue].Name
		if a.Name == "SG" && (rn == "CYS" || rn == "CYX") {
			sg = append(sg, i)
		}
	}
	for x := 0; x < len(sg); x++ {
		for y := x + 1; y < len(sg); y++ {
			i, j := 3*sg[x], 3*sg[y]
			dx, dy, dz := pos[i]-pos[j], pos[i+1]-pos[j+1], pos[i+2]-pos[j+2]
			if dx*dx+dy*dy+dz*dz < 0.3*0.3 {
				top.AddBond(sg[x], sg[y])
			}
		}
	}
}

func formatName(name string, el molecules.Element) string {
	if len(name) < 4 && len(el.Symbol) == 1 {
		return fmt.Sprintf(" %-3s", name)
	}
	return fmt.Sprintf("%-4s", name)
}

// Write writes top with one or more position sets (nm, each len 3N) as PDB
// text. Several models are wrapped in MODEL/ENDMDL. It returns an error for
// wrong lengths or non-finite coordinates, naming the atom.
func Write(w io.Writer, top *molecules.Topology, models ...[]float64) error {
	n := top.NumAtoms()
	if len(models) == 0 {
		return fmt.Errorf("pdb: no positions to write")
	}
	bw := bufio.NewWriter(w)
	for m, pos := range models {
		if len(pos) != 3*n {
			return fmt.Errorf("pdb: model %d has %d coordinates, want 3·%d", m, len(pos), n)
		}
		if len(models) > 1 {
			fmt.Fprintf(bw, "MODEL     %4d\n", m+1)
		}
		serial := 1
		for c, ch := range top.Chains {
			var lastRes int = -1
			for _, r := range ch.Residues {
				res := top.Residues[r]
				for _, i := range res.Atoms {
					a := top.Atoms[i]
					rec := "ATOM  "
					if a.Hetero {
						rec = "HETATM"
					}
					x, y, z := 10*pos[3*i], 10*pos[3*i+1], 10*pos[3*i+2]
					for _, v := range []float64{x, y, z} {
						if math.IsNaN(v) || math.IsInf(v, 0) || math.Abs(v) >= 1e4 {
							return fmt.Errorf("pdb: atom %d (%s of %s): coordinate %v Å cannot be written", i, a.Name, top.ResidueLabel(a.Residue), v)
						}
					}
					seq, icode := res.ID, " "
					if k := len(seq); k > 0 && !unicode.IsDigit(rune(seq[k-1])) {
						seq, icode = seq[:k-1], seq[k-1:]
					}
					fmt.Fprintf(bw, "%s%5d %s %3s %1s%4s%1s   %8.3f%8.3f%8.3f  1.00  0.00          %2s\n",
						rec, serial%100000, formatName(a.Name, a.Element), res.Name, chainID(ch.ID), seq, icode, x, y, z, strings.ToUpper(a.Element.Symbol))
					serial++
				}
				lastRes = r
			}
			if lastRes >= 0 {
				res := top.Residues[lastRes]
				fmt.Fprintf(bw, "TER   %5d      %3s %1s%4s\n", serial%100000, res.Name, chainID(top.Chains[c].ID), res.ID)
				serial++
			}
		}
		if len(models) > 1 {
			fmt.Fprintf(bw, "ENDMDL\n")
		}
	}
	if len(top.Bonds) > 0 {
		serials := serialNumbers(top)
		for _, b := range top.Bonds {
			fmt.Fprintf(bw, "CONECT%5d%5d\n", serials[b[0]], serials[b[1]])
			fmt.Fprintf(bw, "CONECT%5d%5d\n", serials[b[1]], serials[b[0]])
		}
	}
	fmt.Fprintf(bw, "END\n")
	return bw.Flush()
}

func chainID(id string) string {
	if id == "" {
		return " "
	}
	return id[:1]
}

// serialNumbers returns the serial number Write assigns to every atom
// (TER records consume a serial number).
func serialNumbers(top *molecules.Topology) []int {
	s := make([]int, top.NumAtoms())
	serial := 1
	for _, ch := range top.Chains {
		for _, r := range ch.Residues {
			for _, i := range top.Residues[r].Atoms {
				s[i] = serial
				serial++
			}
		}
		if len(ch.Residues) > 0 {
			serial++
		}
	}
	return s
}

// WriteFile writes a PDB file atomically (temporary file and rename).
func WriteFile(path string, top *molecules.Topology, models ...[]float64) error {
	var buf bytes.Buffer
	if err := Write(&buf, top, models...); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return WriteFileAtomic(path, buf.Bytes())
}

// WriteFileAtomic writes data to path through a temporary file in the same
// directory followed by a rename.
func WriteFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	name := tmp.Name()
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		os.Remove(name)
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		os.Remove(name)
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(name)
		return err
	}
	if err := os.Rename(name, path); err != nil {
		os.Remove(name)
		return err
	}
	return nil
}
