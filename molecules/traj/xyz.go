package traj

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// WriteXYZ writes frames (each 3·len(symbols) coordinates in nm) to path
// in XYZ format: per frame the atom count, a comment line (comments[i] if
// given) and one line "symbol x y z" per atom with coordinates in Å
// (6 decimals).
func WriteXYZ(path string, symbols []string, frames [][]float64, comments []string) error {
	checkFrames(frames, len(symbols))
	return writeAtomic(path, func(w *bufio.Writer) error {
		for fi, f := range frames {
			c := ""
			if fi < len(comments) {
				c = strings.ReplaceAll(comments[fi], "\n", " ")
			}
			fmt.Fprintf(w, "%d\n%s\n", len(symbols), c)
			for i, s := range symbols {
				fmt.Fprintf(w, "%-2s %14.6f %14.6f %14.6f\n", s, 10*f[3*i], 10*f[3*i+1], 10*f[3*i+2])
			}
		}
		return nil
	})
}

// ReadXYZ reads a multi-frame XYZ file (coordinates in Å) and returns the
// atom symbols of the first frame, the frames in nm and the comment lines.
// All frames must have the same atoms.
func ReadXYZ(path string) (symbols []string, frames [][]float64, comments []string, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("traj: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<16), 1<<24)
	line := 0
	fail := func(format string, args ...any) ([]string, [][]float64, []string, error) {
		return nil, nil, nil, fmt.Errorf("traj: %s:%d: "+format, append([]any{path, line}, args...)...)
	}
	for {
		// Atom-count line (blank lines between frames are tolerated).
		var head string
		for sc.Scan() {
			line++
			if head = strings.TrimSpace(sc.Text()); head != "" {
				break
			}
		}
		if head == "" {
			break
		}
		n, err := strconv.Atoi(head)
		if err != nil || n < 0 {
			return fail("atom count %q is not a non-negative integer", head)
		}
		if len(frames) > 0 && n != len(symbols) {
			return fail("frame %d has %d atoms, the first frame has %d", len(frames), n, len(symbols))
		}
		if !sc.Scan() {
			line++
			return fail("missing comment line")
		}
		line++
		comments = append(comments, sc.Text())
		fr := make([]float64, 3*n)
		first := len(frames) == 0
		for i := 0; i < n; i++ {
			if !sc.Scan() {
				line++
				return fail("file ends after %d of %d atoms", i, n)
			}
			line++
			fields := strings.Fields(sc.Text())
			if len(fields) < 4 {
				return fail("want 'symbol x y z', got %q", sc.Text())
			}
			if first {
				symbols = append(symbols, fields[0])
			} else if fields[0] != symbols[i] {
				return fail("atom %d is %s, %s in the first frame", i+1, fields[0], symbols[i])
			}
			for k := 0; k < 3; k++ {
				v, err := strconv.ParseFloat(fields[1+k], 64)
				if err != nil {
					return fail("coordinate %q: %v", fields[1+k], err)
				}
				fr[3*i+k] = v / 10
			}
		}
		frames = append(frames, fr)
	}
	if err := sc.Err(); err != nil {
		return fail("%v", err)
	}
	return symbols, frames, comments, nil
}
