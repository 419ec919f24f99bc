package traj

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"strconv"
	"strings"
)

const npyMagic = "\x93NUMPY"

// npyHeader returns a format-1.0 header for a '<f4' C-order array of the
// given shape, padded with spaces so that the total header length is
// minLen rounded up to a multiple of 64.
func npyHeader(shape []int, minLen int) []byte {
	dims := make([]string, len(shape))
	for i, d := range shape {
		dims[i] = strconv.Itoa(d)
	}
	tuple := strings.Join(dims, ", ")
	if len(shape) == 1 {
		tuple += ","
	}
	dict := fmt.Sprintf("{'descr': '<f4', 'fortran_order': False, 'shape': (%s), }", tuple)
	total := 10 + len(dict) + 1
	if total < minLen {
		total = minLen
	}
	total = (total + 63) / 64 * 64
	h := make([]byte, 0, total)
	h = append(h, npyMagic...)
	h = append(h, 1, 0)
	h = binary.LittleEndian.AppendUint16(h, uint16(total-10))
	h = append(h, dict...)
	for len(h) < total-1 {
		h = append(h, ' ')
	}
	return append(h, '\n')
}

// WriteNPY writes frames (each 3·nAtoms coordinates in nm) atomically to
// path as a float32 NumPy array of shape [len(frames), nAtoms, 3]. It panics
// if a frame has the wrong length.
func WriteNPY(path string, frames [][]float64, nAtoms int) error {
	checkFrames(frames, nAtoms)
	return writeAtomic(path, func(w *bufio.Writer) error {
		if _, err := w.Write(npyHeader([]int{len(frames), nAtoms, 3}, 0)); err != nil {
			return err
		}
		var b [4]byte
		for _, f := range frames {
			for _, x := range f {
				binary.LittleEndian.PutUint32(b[:], math.Float32bits(float32(x)))
				if _, err := w.Write(b[:]); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// NPYWriter streams frames into a float32 .npy file of shape
// [frames, atoms, 3]. The file appears at its path only when Close
// succeeds.
type NPYWriter struct {
	a      *atomicFile
	nAtoms int
	frames int
	buf    []byte
}

// npyStreamHeader is the reserved header length of NPYWriter: room for any
// frame count.
const npyStreamHeader = 128

// NewNPYWriter starts a .npy dataset of frames with nAtoms atoms at path.
func NewNPYWriter(path string, nAtoms int) (*NPYWriter, error) {
	a, err := createAtomic(path)
	if err != nil {
		return nil, err
	}
	w := &NPYWriter{a: a, nAtoms: nAtoms, buf: make([]byte, 12*nAtoms)}
	if _, err := a.w.Write(npyHeader([]int{0, nAtoms, 3}, npyStreamHeader)); err != nil {
		a.abort()
		return nil, fmt.Errorf("traj: write %s: %w", path, err)
	}
	return w, nil
}

// Write appends one frame (3·nAtoms coordinates, nm), converted to float32.
func (w *NPYWriter) Write(frame []float64) error {
	if len(frame) != 3*w.nAtoms {
		panic(fmt.Sprintf("traj: frame has %d coordinates, want 3·%d atoms = %d", len(frame), w.nAtoms, 3*w.nAtoms))
	}
	for i, x := range frame {
		binary.LittleEndian.PutUint32(w.buf[4*i:], math.Float32bits(float32(x)))
	}
	if _, err := w.a.w.Write(w.buf); err != nil {
		return fmt.Errorf("traj: write %s: %w", w.a.path, err)
	}
	w.frames++
	return nil
}

// Frames returns the number of frames written so far.
func (w *NPYWriter) Frames() int { return w.frames }

// Close writes the final shape into the header and moves the file into
// place.
func (w *NPYWriter) Close() error {
	if err := w.a.w.Flush(); err != nil {
		w.a.abort()
		return fmt.Errorf("traj: write %s: %w", w.a.path, err)
	}
	h := npyHeader([]int{w.frames, w.nAtoms, 3}, npyStreamHeader)
	if len(h) != npyStreamHeader {
		w.a.abort()
		return fmt.Errorf("traj: %s: npy header grew to %d bytes", w.a.path, len(h))
	}
	if _, err := w.a.f.WriteAt(h, 0); err != nil {
		w.a.abort()
		return fmt.Errorf("traj: write %s: %w", w.a.path, err)
	}
	return w.a.commit()
}

// Abort discards the file.
func (w *NPYWriter) Abort() { w.a.abort() }

var (
	npyDescr   = regexp.MustCompile(`'descr'\s*:\s*'([^']*)'`)
	npyFortran = regexp.MustCompile(`'fortran_order'\s*:\s*(True|False)`)
	npyShape   = regexp.MustCompile(`'shape'\s*:\s*\(([^)]*)\)`)
)

// ReadNPY reads a NumPy array of shape [frames, atoms, 3] ('<f4' or '<f8',
// C order, format 1.x or 2.x) and returns its frames (nm, float64) and the
// number of atoms.
func ReadNPY(path string) (frames [][]float64, nAtoms int, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, fmt.Errorf("traj: %w", err)
	}
	defer f.Close()
	r := bufio.NewReader(f)
	fail := func(format string, args ...any) ([][]float64, int, error) {
		return nil, 0, fmt.Errorf("traj: %s: "+format, append([]any{path}, args...)...)
	}
	pre := make([]byte, 8)
	if _, err := io.ReadFull(r, pre); err != nil || string(pre[:6]) != npyMagic {
		return fail("not a NumPy .npy file (bad magic)")
	}
	var hlen int
	switch pre[6] {
	case 1:
		var b [2]byte
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return fail("truncated header")
		}
		hlen = int(binary.LittleEndian.Uint16(b[:]))
	case 2, 3:
		var b [4]byte
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return fail("truncated header")
		}
		hlen = int(binary.LittleEndian.Uint32(b[:]))
	default:
		return fail("unsupported .npy format version %d.%d", pre[6], pre[7])
	}
	hb := make([]byte, hlen)
	if _, err := io.ReadFull(r, hb); err != nil {
		return fail("truncated header")
	}
	h := string(hb)
	m := npyDescr.FindStringSubmatch(h)
	if m == nil {
		return fail("header has no 'descr' field")
	}
	descr := m[1]
	var size int
	switch descr {
	case "<f4":
		size = 4
	case "<f8":
		size = 8
	default:
		return fail("field 'descr' is %q; want '<f4' or '<f8'", descr)
	}
	if m := npyFortran.FindStringSubmatch(h); m == nil || m[1] != "False" {
		return fail("field 'fortran_order' must be False")
	}
	m = npyShape.FindStringSubmatch(h)
	if m == nil {
		return fail("header has no 'shape' field")
	}
	var shape []int
	for _, s := range strings.Split(m[1], ",") {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		d, err := strconv.Atoi(s)
		if err != nil || d < 0 {
			return fail("bad 'shape' entry %q", s)
		}
		shape = append(shape, d)
	}
	if len(shape) != 3 || shape[2] != 3 {
		return fail("field 'shape' is %v; want [frames, atoms, 3]", shape)
	}
	nf, na := shape[0], shape[1]
	buf := make([]byte, 3*na*size)
	frames = make([][]float64, nf)
	for i := range frames {
		if _, err := io.ReadFull(r, buf); err != nil {
			return fail("truncated data at frame %d of %d", i, nf)
		}
		fr := make([]float64, 3*na)
		for j := range fr {
			if size == 4 {
				fr[j] = float64(math.Float32frombits(binary.LittleEndian.Uint32(buf[4*j:])))
			} else {
				fr[j] = math.Float64frombits(binary.LittleEndian.Uint64(buf[8*j:]))
			}
		}
		frames[i] = fr
	}
	if _, err := r.ReadByte(); !errors.Is(err, io.EOF) {
		return fail("trailing data after %d frames", nf)
	}
	return frames, na, nil
}
