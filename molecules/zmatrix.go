package molecules

import (
	"fmt"
	"math"
	"sort"
)

// ZEntry places one atom of a ZMatrix from atoms placed before it: at
// distance r from Bond, at angle θ Atom–Bond–Angle from Angle, and at
// dihedral φ Atom–Bond–Angle–Dihedral about the Bond–Angle axis. Bond,
// Angle and Dihedral are −1 for the first, first two and first three
// entries (the root, and the atoms that fix the orientation). Sibling, if not
// −1, is the index of an earlier entry with the same Bond, Angle and
// Dihedral atoms whose dihedral this entry's is stored relative to: the
// offset between two substituents of one atom (a methyl's hydrogens, the
// three neighbours of a Cα) is a stiff coordinate, while the first
// substituent's dihedral carries the soft torsion.
type ZEntry struct {
	Atom, Bond, Angle, Dihedral, Sibling int
}

// ZMatrix is a spanning-tree internal-coordinate system of a molecule
// (Cartesian ↔ bond lengths, bond angles and dihedrals). Entry k owns the
// internal coordinates 3k (r, in the length unit of the input), 3k+1 (θ,
// rad in [0, π]) and 3k+2 (φ, rad in (−π, π], or the offset from its
// Sibling's φ wrapped into (−π, π]); coordinates an entry does not have are
// NaN. Together with the root's position and the orientation carried by the
// first three entries, they map the 3N Cartesian coordinates one to one.
// Bonds that close rings are not part of the tree; their lengths follow
// from the other coordinates.
type ZMatrix struct {
	Entries []ZEntry
}

// NewZMatrix builds a ZMatrix of n atoms from their bonds (pairs of atom
// indices) by breadth-first search from the most bonded atom (lowest index
// among ties), visiting more bonded neighbours first, so that heavy atoms
// fix the orientation and hydrogens hang off them. It returns an error if
// n < 3, a bond names an atom out of range, or the bonds do not connect all
// n atoms.
func NewZMatrix(n int, bonds [][2]int) (*ZMatrix, error) {
	if n < 3 {
		return nil, fmt.Errorf("molecules: Z-matrix needs at least 3 atoms, have %d", n)
	}
	nb := make([][]int, n)
	for k, b := range bonds {
		if b[0] < 0 || b[0] >= n || b[1] < 0 || b[1] >= n || b[0] == b[1] {
			return nil, fmt.Errorf("molecules: Z-matrix: bond %d joins atoms %d and %d of %d", k, b[0], b[1], n)
		}
		nb[b[0]] = append(nb[b[0]], b[1])
		nb[b[1]] = append(nb[b[1]], b[0])
	}
	for i := range nb {
		sort.Slice(nb[i], func(a, b int) bool {
			da, db := len(nb[nb[i][a]]), len(nb[nb[i][b]])
			if da != db {
				return da > db
			}
			return nb[i][a] < nb[i][b]
		})
	}
	root := 0
	for i := range nb {
		if len(nb[i]) > len(nb[root]) {
			root = i
		}
	}
	parent := make([]int, n)
	placed := make([]bool, n)
	for i := range parent {
		parent[i] = -1
	}
	order := []int{root}
	placed[root] = true
	for h := 0; h < len(order); h++ {
		for _, j := range nb[order[h]] {
			if !placed[j] {
				placed[j] = true
				parent[j] = order[h]
				order = append(order, j)
			}
		}
	}
	if len(order) != n {
		missing := 0
		for i, p := range placed {
			if !p {
				missing = i
				break
			}
		}
		return nil, fmt.Errorf("molecules: Z-matrix: the bonds connect %d of %d atoms (atom %d is not reached from atom %d)", len(order), n, missing, root)
	}
	z := &ZMatrix{Entries: make([]ZEntry, n)}
	done := make([]bool, n)
	// other returns a placed neighbour of atom a that is none of not.
	other := func(a int, not ...int) int {
		for _, j := range nb[a] {
			skip := !done[j]
			for _, v := range not {
				skip = skip || j == v
			}
			if !skip {
				return j
			}
		}
		return -1
	}
	for k, i := range order {
		e := ZEntry{Atom: i, Bond: -1, Angle: -1, Dihedral: -1, Sibling: -1}
		if k > 0 {
			e.Bond = parent[i]
		}
		if k > 1 {
			e.Angle = parent[e.Bond]
			if e.Angle < 0 {
				e.Angle = other(e.Bond, i)
			}
		}
		if k > 2 {
			for s := 0; s < k; s++ {
				if p := z.Entries[s]; p.Bond == e.Bond && p.Angle == e.Angle && p.Dihedral >= 0 && p.Sibling < 0 {
					e.Sibling, e.Dihedral = s, p.Dihedral
					break
				}
			}
			if e.Dihedral < 0 {
				e.Dihedral = other(e.Angle, e.Bond, i)
			}
			if e.Dihedral < 0 {
				e.Dihedral = other(e.Bond, e.Angle, i)
			}
		}
		z.Entries[k] = e
		done[i] = true
	}
	return z, nil
}

// zv is a 3-vector for the Z-matrix geometry.
type zv [3]float64

func zat(x []float64, i int) zv { return zv{x[3*i], x[3*i+1], x[3*i+2]} }
func (a zv) sub(b zv) zv        { return zv{a[0] - b[0], a[1] - b[1], a[2] - b[2]} }
func (a zv) add(b zv) zv        { return zv{a[0] + b[0], a[1] + b[1], a[2] + b[2]} }
func (a zv) mul(s float64) zv   { return zv{a[0] * s, a[1] * s, a[2] * s} }
func (a zv) dot(b zv) float64   { return a[0]*b[0] + a[1]*b[1] + a[2]*b[2] }
func (a zv) norm() float64      { return math.Sqrt(a.dot(a)) }
func (a zv) unit() zv           { return a.mul(1 / a.norm()) }
func (a zv) perp(u zv) zv       { return a.sub(u.mul(a.dot(u))) }
func (a zv) cross(b zv) zv {
	return zv{a[1]*b[2] - a[2]*b[1], a[2]*b[0] - a[0]*b[2], a[0]*b[1] - a[1]*b[0]}
}

// WrapAngle returns a (rad) wrapped into (−π, π].
func WrapAngle(a float64) float64 {
	a = math.Mod(a, 2*math.Pi)
	switch {
	case a > math.Pi:
		a -= 2 * math.Pi
	case a <= -math.Pi:
		a += 2 * math.Pi
	}
	return a
}

// Internal writes to dst (len 3·len(Entries)) the internal coordinates of
// the Cartesian coordinates x (len 3N): r, θ, φ of each entry, NaN where
// undefined (see ZMatrix).
func (z *ZMatrix) Internal(dst, x []float64) {
	for k, e := range z.Entries {
		dst[3*k], dst[3*k+1], dst[3*k+2] = math.NaN(), math.NaN(), math.NaN()
		if e.Bond < 0 {
			continue
		}
		d := zat(x, e.Atom).sub(zat(x, e.Bond))
		dst[3*k] = d.norm()
		if e.Angle < 0 {
			continue
		}
		b := zat(x, e.Angle).sub(zat(x, e.Bond))
		dst[3*k+1] = math.Acos(math.Max(-1, math.Min(1, d.dot(b)/(dst[3*k]*b.norm()))))
		if e.Dihedral < 0 {
			continue
		}
		phi := Dihedral(x, e.Atom, e.Bond, e.Angle, e.Dihedral)
		if e.Sibling >= 0 {
			s := z.Entries[e.Sibling]
			phi = WrapAngle(phi - Dihedral(x, s.Atom, s.Bond, s.Angle, s.Dihedral))
		}
		dst[3*k+2] = phi
	}
}

// Cartesian writes to dst (len 3N) the Cartesian coordinates with internal
// coordinates q (as written by Internal). The root atom's position, the
// direction from the second entry's Bond atom to its atom and the plane of
// the third entry's atoms are taken from frame (len 3N, e.g. the
// coordinates q came from), so that Cartesian(Internal(x), x) = x. dst must
// not alias frame.
func (z *ZMatrix) Cartesian(dst, q, frame []float64) {
	for k, e := range z.Entries {
		var p zv
		switch {
		case e.Bond < 0:
			p = zat(frame, e.Atom)
		case e.Angle < 0:
			u := zat(frame, e.Atom).sub(zat(frame, e.Bond)).unit()
			p = zat(dst, e.Bond).add(u.mul(q[3*k]))
		default:
			a := zat(dst, e.Bond)
			b1 := zat(dst, e.Angle).sub(a).unit()
			var w zv // unit vector ⟂ b1 in the half-plane of φ = 0
			phi := 0.0
			if e.Dihedral < 0 {
				// The third atom: its half-plane comes from frame. The
				// Bond–Angle axis kept its direction (the second atom
				// kept its), so the frame's perpendicular is ⟂ b1.
				fb := zat(frame, e.Angle).sub(zat(frame, e.Bond)).unit()
				w = zat(frame, e.Atom).sub(zat(frame, e.Bond)).perp(fb).unit()
			} else {
				w = zat(dst, e.Dihedral).sub(zat(dst, e.Angle)).perp(b1).unit()
				phi = q[3*k+2]
				if e.Sibling >= 0 {
					s := z.Entries[e.Sibling]
					phi += Dihedral(dst, s.Atom, s.Bond, s.Angle, s.Dihedral)
				}
			}
			v := w.mul(math.Cos(phi)).add(w.cross(b1).mul(math.Sin(phi)))
			th := q[3*k+1]
			p = a.add(b1.mul(math.Cos(th)).add(v.mul(math.Sin(th))).mul(q[3*k]))
		}
		dst[3*e.Atom], dst[3*e.Atom+1], dst[3*e.Atom+2] = p[0], p[1], p[2]
	}
}

// LogVolume returns log ∏ r²·sin θ over the entries that have those
// coordinates (q as written by Internal): the log-Jacobian of the Cartesian
// volume element with respect to the internal coordinates, the root's
// position and the orientation.
func (z *ZMatrix) LogVolume(q []float64) float64 {
	s := 0.0
	for k, e := range z.Entries {
		if e.Bond >= 0 {
			s += 2 * math.Log(q[3*k])
		}
		if e.Angle >= 0 {
			s += math.Log(math.Sin(q[3*k+1]))
		}
	}
	return s
}

// Defined reports whether internal coordinate k (see ZMatrix) exists: the
// first entry has none, the second only r, the third no φ.
func (z *ZMatrix) Defined(k int) bool {
	e := z.Entries[k/3]
	switch k % 3 {
	case 0:
		return e.Bond >= 0
	case 1:
		return e.Angle >= 0
	}
	return e.Dihedral >= 0
}
