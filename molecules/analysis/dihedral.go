package analysis

import (
	"fmt"
	"math"

	"github.com/boltzflow/boltzflow/molecules"
)

// Dihedral returns the dihedral angle (rad, in [−π, π]) of atoms q[0]–q[1]–
// q[2]–q[3] at pos (nm, len 3N) in the IUPAC convention used by mdtraj:
// with b1 = p1 − p0, b2 = p2 − p1, b3 = p3 − p2, n1 = b1 × b2 and
// n2 = b2 × b3, φ = atan2(|b2|·b1·n2, n1·n2). It is 0 for cis, ±π for trans,
// and positive when the far bond is rotated clockwise looking along b2.
func Dihedral(pos []float64, q [4]int) float64 {
	a, b, c, d := 3*q[0], 3*q[1], 3*q[2], 3*q[3]
	b1 := [3]float64{pos[b] - pos[a], pos[b+1] - pos[a+1], pos[b+2] - pos[a+2]}
	b2 := [3]float64{pos[c] - pos[b], pos[c+1] - pos[b+1], pos[c+2] - pos[b+2]}
	b3 := [3]float64{pos[d] - pos[c], pos[d+1] - pos[c+1], pos[d+2] - pos[c+2]}
	n1 := cross(b1, b2)
	n2 := cross(b2, b3)
	return math.Atan2(math.Sqrt(dot(b2, b2))*dot(b1, n2), dot(n1, n2))
}

func cross(a, b [3]float64) [3]float64 {
	return [3]float64{a[1]*b[2] - a[2]*b[1], a[2]*b[0] - a[0]*b[2], a[0]*b[1] - a[1]*b[0]}
}

func dot(a, b [3]float64) float64 { return a[0]*b[0] + a[1]*b[1] + a[2]*b[2] }

// Torsion names one dihedral of a topology.
type Torsion struct {
	Kind    string // "phi", "psi" or "omega"
	Residue int    // index of the residue the angle belongs to (φ, ψ: that residue; ω: the first of the pair)
	Atoms   [4]int // atom indices
}

// Label returns e.g. "phi ALA2" for t in top (residue id from the file).
func (t Torsion) Label(top *molecules.Topology) string {
	r := top.Residues[t.Residue]
	return fmt.Sprintf("%s %s%s", t.Kind, r.Name, r.ID)
}

// BackboneTorsions returns the backbone torsions of top from its residue
// and atom names, residue by residue within each chain:
//
//	φ(i) = C(i−1)–N(i)–CA(i)–C(i)
//	ψ(i) = N(i)–CA(i)–C(i)–N(i+1)
//	ω(i) = CA(i)–C(i)–N(i+1)–CA(i+1)
//
// as mdtraj defines them, except that for the ACE and NME caps the methyl
// carbon CH3 stands in for CA, so that the ω angles of capped peptides
// (which mdtraj omits) are included. A torsion is listed only when all
// four atoms exist and the residues are consecutive in the same chain.
func BackboneTorsions(top *molecules.Topology) (phi, psi, omega []Torsion) {
	find := func(r int, names ...string) int {
		for _, a := range top.Residues[r].Atoms {
			for _, n := range names {
				if top.Atoms[a].Name == n {
					return a
				}
			}
		}
		return -1
	}
	for _, ch := range top.Chains {
		for k, r := range ch.Residues {
			n, ca, c := find(r, "N"), find(r, "CA"), find(r, "C")
			caX := find(r, "CA", "CH3")
			prev, next := -1, -1
			if k > 0 {
				prev = ch.Residues[k-1]
			}
			if k+1 < len(ch.Residues) {
				next = ch.Residues[k+1]
			}
			if prev >= 0 && n >= 0 && ca >= 0 && c >= 0 {
				if cp := find(prev, "C"); cp >= 0 {
					phi = append(phi, Torsion{"phi", r, [4]int{cp, n, ca, c}})
				}
			}
			if next >= 0 && n >= 0 && ca >= 0 && c >= 0 {
				if nn := find(next, "N"); nn >= 0 {
					psi = append(psi, Torsion{"psi", r, [4]int{n, ca, c, nn}})
				}
			}
			if next >= 0 && caX >= 0 && c >= 0 {
				nn, can := find(next, "N"), find(next, "CA", "CH3")
				if nn >= 0 && can >= 0 {
					omega = append(omega, Torsion{"omega", r, [4]int{caX, c, nn, can}})
				}
			}
		}
	}
	return phi, psi, omega
}

// Dihedrals writes into dst[k][j] the angle of torsions[j] in frame k. dst
// is allocated when nil; otherwise it must have len(frames) rows of
// len(torsions).
func Dihedrals(dst [][]float64, frames [][]float64, torsions []Torsion) [][]float64 {
	if dst == nil {
		dst = make([][]float64, len(frames))
		for i := range dst {
			dst[i] = make([]float64, len(torsions))
		}
	}
	if len(dst) != len(frames) {
		panic(fmt.Sprintf("analysis: len(dst) = %d, len(frames) = %d", len(dst), len(frames)))
	}
	for k, f := range frames {
		if len(dst[k]) != len(torsions) {
			panic(fmt.Sprintf("analysis: len(dst[%d]) = %d, len(torsions) = %d", k, len(dst[k]), len(torsions)))
		}
		for j, t := range torsions {
			dst[k][j] = Dihedral(f, t.Atoms)
		}
	}
	return dst
}

// Column returns the angles of one torsion over all frames (rad).
func Column(frames [][]float64, t Torsion) []float64 {
	out := make([]float64, len(frames))
	for k, f := range frames {
		out[k] = Dihedral(f, t.Atoms)
	}
	return out
}
