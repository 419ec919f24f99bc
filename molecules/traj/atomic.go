package traj

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
)

// atomicFile is a file written under a temporary name in the directory of
// its final path and renamed into place by commit.
type atomicFile struct {
	f    *os.File
	w    *bufio.Writer
	path string
}

func createAtomic(path string) (*atomicFile, error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return nil, fmt.Errorf("traj: create %s: %w", path, err)
	}
	return &atomicFile{f: f, w: bufio.NewWriterSize(f, 1<<16), path: path}, nil
}

// commit flushes, syncs, closes and renames the file into place.
func (a *atomicFile) commit() error {
	if err := a.w.Flush(); err != nil {
		a.abort()
		return fmt.Errorf("traj: write %s: %w", a.path, err)
	}
	if err := a.f.Chmod(0o644); err != nil {
		a.abort()
		return fmt.Errorf("traj: chmod %s: %w", a.path, err)
	}
	if err := a.f.Sync(); err != nil {
		a.abort()
		return fmt.Errorf("traj: sync %s: %w", a.path, err)
	}
	if err := a.f.Close(); err != nil {
		os.Remove(a.f.Name())
		return fmt.Errorf("traj: close %s: %w", a.path, err)
	}
	if err := os.Rename(a.f.Name(), a.path); err != nil {
		os.Remove(a.f.Name())
		return fmt.Errorf("traj: rename to %s: %w", a.path, err)
	}
	return nil
}

// abort closes and removes the temporary file.
func (a *atomicFile) abort() {
	a.f.Close()
	os.Remove(a.f.Name())
}

// WriteFileAtomic writes data to path atomically (temporary file in the
// same directory, fsync, rename).
func WriteFileAtomic(path string, data []byte) error {
	a, err := createAtomic(path)
	if err != nil {
		return err
	}
	if _, err := a.w.Write(data); err != nil {
		a.abort()
		return fmt.Errorf("traj: write %s: %w", path, err)
	}
	return a.commit()
}

// writeAtomic writes path atomically with fn.
func writeAtomic(path string, fn func(w *bufio.Writer) error) error {
	a, err := createAtomic(path)
	if err != nil {
		return err
	}
	if err := fn(a.w); err != nil {
		a.abort()
		return fmt.Errorf("traj: write %s: %w", path, err)
	}
	return a.commit()
}

func checkFrames(frames [][]float64, nAtoms int) {
	for i, f := range frames {
		if len(f) != 3*nAtoms {
			panic(fmt.Sprintf("traj: frame %d has %d coordinates, want 3·%d atoms = %d", i, len(f), nAtoms, 3*nAtoms))
		}
	}
}
