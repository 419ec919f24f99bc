package traj

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"
)

// NPYAppender grows a float32 .npy file of shape [frames, atoms, 3] in
// place, for long runs that must stay readable while they are written and
// resumable after a crash. The header reserves room for any frame count;
// Sync rewrites it with the current count and flushes the file to disk, so
// after every Sync the file is a complete NumPy array. It is not written
// atomically: it is a working file, not a final output.
type NPYAppender struct {
	f      *os.File
	path   string
	nAtoms int
	frames int
	buf    []byte
}

// OpenNPYAppender opens (or creates) path for appending frames of nAtoms
// atoms and truncates it to its first keep frames (keep < 0 keeps all the
// frames its header records). It returns an error if an existing file is
// not such an array or holds fewer than keep frames.
func OpenNPYAppender(path string, nAtoms, keep int) (*NPYAppender, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("traj: %w", err)
	}
	a := &NPYAppender{f: f, path: path, nAtoms: nAtoms, buf: make([]byte, 12*nAtoms)}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("traj: %w", err)
	}
	if st.Size() == 0 {
		if keep > 0 {
			f.Close()
			return nil, fmt.Errorf("traj: %s is empty, cannot keep %d frames", path, keep)
		}
		if err := a.writeHeader(); err != nil {
			f.Close()
			return nil, err
		}
		return a, nil
	}
	h := make([]byte, npyStreamHeader)
	if _, err := io.ReadFull(f, h); err != nil {
		f.Close()
		return nil, fmt.Errorf("traj: %s: not an appendable .npy file", path)
	}
	var nf, na int
	if _, err := fmt.Sscanf(string(h[10:]), "{'descr': '<f4', 'fortran_order': False, 'shape': (%d, %d, 3), }", &nf, &na); err != nil || string(h[:8]) != npyMagic+"\x01\x00" {
		f.Close()
		return nil, fmt.Errorf("traj: %s: not an appendable float32 .npy file", path)
	}
	if na != nAtoms {
		f.Close()
		return nil, fmt.Errorf("traj: %s has %d atoms, want %d", path, na, nAtoms)
	}
	if keep < 0 {
		keep = nf
	}
	if int64(npyStreamHeader)+int64(keep)*int64(12*nAtoms) > st.Size() {
		f.Close()
		return nil, fmt.Errorf("traj: %s holds fewer than %d frames", path, keep)
	}
	a.frames = keep
	if err := f.Truncate(int64(npyStreamHeader) + int64(keep)*int64(12*nAtoms)); err != nil {
		f.Close()
		return nil, fmt.Errorf("traj: %w", err)
	}
	if _, err := f.Seek(0, io.SeekEnd); err != nil {
		f.Close()
		return nil, fmt.Errorf("traj: %w", err)
	}
	if err := a.writeHeader(); err != nil {
		f.Close()
		return nil, err
	}
	return a, nil
}

func (a *NPYAppender) writeHeader() error {
	h := npyHeader([]int{a.frames, a.nAtoms, 3}, npyStreamHeader)
	if len(h) != npyStreamHeader {
		return fmt.Errorf("traj: %s: npy header grew to %d bytes", a.path, len(h))
	}
	if _, err := a.f.WriteAt(h, 0); err != nil {
		return fmt.Errorf("traj: write %s: %w", a.path, err)
	}
	if a.frames == 0 {
		if _, err := a.f.Seek(int64(npyStreamHeader), io.SeekStart); err != nil {
			return fmt.Errorf("traj: %w", err)
		}
	}
	return nil
}

// Frames returns the number of frames in the file.
func (a *NPYAppender) Frames() int { return a.frames }

// Append writes one frame (3·nAtoms coordinates, nm) as float32 at the end.
func (a *NPYAppender) Append(frame []float64) error {
	if len(frame) != 3*a.nAtoms {
		panic(fmt.Sprintf("traj: frame has %d coordinates, want 3·%d atoms = %d", len(frame), a.nAtoms, 3*a.nAtoms))
	}
	for i, x := range frame {
		binary.LittleEndian.PutUint32(a.buf[4*i:], math.Float32bits(float32(x)))
	}
	if _, err := a.f.Write(a.buf); err != nil {
		return fmt.Errorf("traj: write %s: %w", a.path, err)
	}
	a.frames++
	return nil
}

// Sync records the frame count in the header and flushes the file to disk.
func (a *NPYAppender) Sync() error {
	if err := a.writeHeader(); err != nil {
		return err
	}
	if err := a.f.Sync(); err != nil {
		return fmt.Errorf("traj: sync %s: %w", a.path, err)
	}
	return nil
}

// Close syncs and closes the file.
func (a *NPYAppender) Close() error {
	err := a.Sync()
	if cerr := a.f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("traj: close %s: %w", a.path, cerr)
	}
	return err
}
