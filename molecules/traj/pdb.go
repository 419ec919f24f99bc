package traj

import (
	"bytes"
	"fmt"

	"github.com/boltzflow/boltzflow/molecules"
	"github.com/boltzflow/boltzflow/molecules/pdb"
)

// WritePDB writes frames (each 3N coordinates in nm, N = top.NumAtoms())
// to path atomically as a multi-model PDB file (MODEL/ENDMDL blocks when
// there is more than one frame; records written by molecules/pdb, Å with
// 3 decimals).
func WritePDB(path string, top *molecules.Topology, frames [][]float64) error {
	checkFrames(frames, top.NumAtoms())
	if len(frames) == 0 {
		return fmt.Errorf("traj: %s: no frames to write", path)
	}
	var buf bytes.Buffer
	if err := pdb.Write(&buf, top, frames...); err != nil {
		return fmt.Errorf("traj: %s: %w", path, err)
	}
	return WriteFileAtomic(path, buf.Bytes())
}

// ReadPDBFrames reads every model of a PDB file with molecules/pdb and
// returns the topology of the first model and the coordinates of all
// models in nm.
func ReadPDBFrames(path string) (*molecules.Topology, [][]float64, error) {
	f, err := pdb.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("traj: %w", err)
	}
	return f.Topology, f.Models, nil
}
