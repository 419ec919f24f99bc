// Package traj reads and writes molecular trajectories and datasets.
//
// A frame is a flat slice of 3N coordinates in nm, atom-major
// (frame[3*i+k] is coordinate k of atom i), as in molecules/md. Formats:
//
//   - NumPy .npy (format 1.0, C order): float32 '<f4' arrays of shape
//     [frames, atoms, 3] in nm, the dataset format read by Python
//     (numpy.load). Float64 '<f8' files can be read too.
//   - DCD (CHARMM/NAMD binary, as read by mdtraj and VMD): little-endian
//     Fortran records, 'CORD' header, no unit cell, float32 coordinates in Å.
//   - XYZ: element symbol and x y z in Å per atom, one block per frame.
//   - Multi-model PDB: MODEL/ENDMDL blocks of ATOM/HETATM records in Å.
//   - JSON metadata of a dataset (Metadata).
//
// Every writer writes to a temporary file in the destination directory and
// renames it into place when it is closed, so a reader never sees a
// half-written file. Readers return errors naming the file and, for text
// formats, the line.
package traj
