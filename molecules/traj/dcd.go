package traj

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
)

// akmaTime is the AKMA unit of time in ps, the unit of the DCD DELTA field.
const akmaTime = 0.04888821

// DCDInfo describes the timing fields of a DCD header.
type DCDInfo struct {
	Timestep  float64 // integration time step, ps (stored in AKMA units)
	SaveEvery int     // steps between frames (NSAVC)
	FirstStep int     // step number of the first frame (ISTART)
	Title     string  // free text, stored as 80-character REMARKS lines
}

// DCDWriter streams frames into a CHARMM/NAMD DCD file (little-endian,
// no unit cell, float32 Å). The file appears at its path only when Close
// succeeds.
type DCDWriter struct {
	a      *atomicFile
	nAtoms int
	frames int
	info   DCDInfo
	buf    []byte
}

// NewDCDWriter starts a DCD trajectory of nAtoms atoms at path.
func NewDCDWriter(path string, nAtoms int, info DCDInfo) (*DCDWriter, error) {
	if nAtoms <= 0 {
		return nil, fmt.Errorf("traj: %s: DCD needs at least one atom", path)
	}
	a, err := createAtomic(path)
	if err != nil {
		return nil, err
	}
	if info.SaveEvery <= 0 {
		info.SaveEvery = 1
	}
	w := &DCDWriter{a: a, nAtoms: nAtoms, info: info, buf: make([]byte, 4*nAtoms+8)}
	if _, err := a.w.Write(dcdHeader(nAtoms, 0, info)); err != nil {
		a.abort()
		return nil, fmt.Errorf("traj: write %s: %w", path, err)
	}
	return w, nil
}

func dcdHeader(nAtoms, nFrames int, info DCDInfo) []byte {
	le := binary.LittleEndian
	var h []byte
	h = le.AppendUint32(h, 84)
	h = append(h, "CORD"...)
	var icntrl [20]uint32
	icntrl[0] = uint32(nFrames)
	icntrl[1] = uint32(info.FirstStep)
	icntrl[2] = uint32(info.SaveEvery)
	icntrl[3] = uint32(nFrames * info.SaveEvery)
	icntrl[7] = uint32(3*nAtoms - 3) // degrees of freedom (informational)
	icntrl[9] = math.Float32bits(float32(info.Timestep / akmaTime))
	icntrl[10] = 0  // no unit cell
	icntrl[19] = 24 // CHARMM version: marks the file as CHARMM format
	for _, v := range icntrl {
		h = le.AppendUint32(h, v)
	}
	h = le.AppendUint32(h, 84)
	titles := []string{"REMARKS " + info.Title, "REMARKS CREATED BY boltzflow molecules/traj"}
	if info.Title == "" {
		titles[0] = "REMARKS boltzflow trajectory"
	}
	h = le.AppendUint32(h, uint32(4+80*len(titles)))
	h = le.AppendUint32(h, uint32(len(titles)))
	for _, t := range titles {
		if len(t) > 80 {
			t = t[:80]
		}
		h = append(h, t...)
		h = append(h, strings.Repeat(" ", 80-len(t))...)
	}
	h = le.AppendUint32(h, uint32(4+80*len(titles)))
	h = le.AppendUint32(h, 4)
	h = le.AppendUint32(h, uint32(nAtoms))
	h = le.AppendUint32(h, 4)
	return h
}

// Write appends one frame (3·nAtoms coordinates in nm; written in Å).
func (w *DCDWriter) Write(frame []float64) error {
	if len(frame) != 3*w.nAtoms {
		panic(fmt.Sprintf("traj: frame has %d coordinates, want 3·%d atoms = %d", len(frame), w.nAtoms, 3*w.nAtoms))
	}
	le := binary.LittleEndian
	n := w.nAtoms
	for k := 0; k < 3; k++ {
		le.PutUint32(w.buf, uint32(4*n))
		for i := 0; i < n; i++ {
			le.PutUint32(w.buf[4+4*i:], math.Float32bits(float32(10*frame[3*i+k])))
		}
		le.PutUint32(w.buf[4+4*n:], uint32(4*n))
		if _, err := w.a.w.Write(w.buf); err != nil {
			return fmt.Errorf("traj: write %s: %w", w.a.path, err)
		}
	}
	w.frames++
	return nil
}

// Close writes the frame count into the header and moves the file into
// place.
func (w *DCDWriter) Close() error {
	if err := w.a.w.Flush(); err != nil {
		w.a.abort()
		return fmt.Errorf("traj: write %s: %w", w.a.path, err)
	}
	if _, err := w.a.f.WriteAt(dcdHeader(w.nAtoms, w.frames, w.info), 0); err != nil {
		w.a.abort()
		return fmt.Errorf("traj: write %s: %w", w.a.path, err)
	}
	return w.a.commit()
}

// Abort discards the file.
func (w *DCDWriter) Abort() { w.a.abort() }

// WriteDCD writes frames (each 3·nAtoms coordinates in nm) to path as a
// DCD trajectory.
func WriteDCD(path string, frames [][]float64, nAtoms int, info DCDInfo) error {
	checkFrames(frames, nAtoms)
	w, err := NewDCDWriter(path, nAtoms, info)
	if err != nil {
		return err
	}
	for _, f := range frames {
		if err := w.Write(f); err != nil {
			w.Abort()
			return err
		}
	}
	return w.Close()
}

// ReadDCD reads a CHARMM or NAMD DCD file (either byte order, 32-bit
// record markers, optional unit-cell blocks, no fixed atoms) and returns
// its frames in nm, the number of atoms and the header's timing fields. If
// the header's frame count is zero or wrong, frames are read until the end
// of the file.
func ReadDCD(path string) (frames [][]float64, nAtoms int, info DCDInfo, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, info, fmt.Errorf("traj: %w", err)
	}
	defer f.Close()
	r := bufio.NewReader(f)
	fail := func(format string, args ...any) ([][]float64, int, DCDInfo, error) {
		return nil, 0, DCDInfo{}, fmt.Errorf("traj: %s: DCD: "+format, append([]any{path}, args...)...)
	}
	var first [4]byte
	if _, err := io.ReadFull(r, first[:]); err != nil {
		return fail("empty file")
	}
	var bo binary.ByteOrder
	switch {
	case binary.LittleEndian.Uint32(first[:]) == 84:
		bo = binary.LittleEndian
	case binary.BigEndian.Uint32(first[:]) == 84:
		bo = binary.BigEndian
	default:
		return fail("first record marker is not 84 (not a DCD file or 64-bit markers)")
	}
	// readRecord reads one Fortran record whose opening marker has not been
	// consumed yet (except for the first).
	readRecord := func(what string) ([]byte, error) {
		var m [4]byte
		if _, err := io.ReadFull(r, m[:]); err != nil {
			return nil, err
		}
		n := bo.Uint32(m[:])
		if n > 1<<30 {
			return nil, fmt.Errorf("%s record has implausible length %d", what, n)
		}
		b := make([]byte, n)
		if _, err := io.ReadFull(r, b); err != nil {
			return nil, fmt.Errorf("truncated %s record", what)
		}
		if _, err := io.ReadFull(r, m[:]); err != nil || bo.Uint32(m[:]) != n {
			return nil, fmt.Errorf("%s record: closing marker does not match %d", what, n)
		}
		return b, nil
	}
	hdr := make([]byte, 84+4)
	if _, err := io.ReadFull(r, hdr); err != nil {
		return fail("truncated header")
	}
	if string(hdr[:4]) != "CORD" {
		return fail("header does not start with 'CORD'")
	}
	if bo.Uint32(hdr[84:]) != 84 {
		return fail("header closing marker is not 84")
	}
	ic := func(i int) uint32 { return bo.Uint32(hdr[4+4*i:]) }
	nset := int(ic(0))
	info.FirstStep = int(int32(ic(1)))
	info.SaveEvery = int(int32(ic(2)))
	namnf := ic(8)
	charmm := ic(19) != 0
	if charmm {
		info.Timestep = float64(math.Float32frombits(ic(9))) * akmaTime
	} else {
		return fail("X-PLOR (non-CHARMM) DCD files are not supported")
	}
	hasCell := ic(10) != 0
	if ic(11) != 0 {
		return fail("4-dimensional DCD files are not supported")
	}
	if namnf != 0 {
		return fail("%d fixed atoms: fixed-atom DCD files are not supported", namnf)
	}
	tb, err := readRecord("title")
	if err != nil {
		return fail("%v", err)
	}
	if len(tb) >= 4 {
		nt := int(bo.Uint32(tb))
		var lines []string
		for i := 0; i < nt && 4+80*(i+1) <= len(tb); i++ {
			lines = append(lines, strings.TrimSpace(strings.TrimPrefix(string(tb[4+80*i:4+80*(i+1)]), "REMARKS")))
		}
		if len(lines) > 0 {
			info.Title = lines[0]
		}
	}
	nb, err := readRecord("atom count")
	if err != nil || len(nb) != 4 {
		return fail("bad atom-count record")
	}
	nAtoms = int(bo.Uint32(nb))
	for fi := 0; ; fi++ {
		if hasCell {
			cb, err := readRecord("unit cell")
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return fail("frame %d: %v", fi, err)
			}
			if len(cb) != 48 {
				return fail("frame %d: unit-cell record has %d bytes, want 48", fi, len(cb))
			}
		}
		fr := make([]float64, 3*nAtoms)
		eof := false
		for k := 0; k < 3; k++ {
			b, err := readRecord("coordinate")
			if errors.Is(err, io.EOF) && k == 0 && !hasCell {
				eof = true
				break
			}
			if err != nil {
				return fail("frame %d: %v", fi, err)
			}
			if len(b) != 4*nAtoms {
				return fail("frame %d: coordinate record has %d bytes, want %d", fi, len(b), 4*nAtoms)
			}
			for i := 0; i < nAtoms; i++ {
				fr[3*i+k] = float64(math.Float32frombits(bo.Uint32(b[4*i:]))) / 10
			}
		}
		if eof {
			break
		}
		frames = append(frames, fr)
	}
	// The header's NSET is not trusted: writers that crash leave a stale
	// count, so frames are read to the end of the file.
	_ = nset
	return frames, nAtoms, info, nil
}
