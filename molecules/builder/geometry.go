package builder

import "math"

type vec [3]float64

func (a vec) add(b vec) vec       { return vec{a[0] + b[0], a[1] + b[1], a[2] + b[2]} }
func (a vec) sub(b vec) vec       { return vec{a[0] - b[0], a[1] - b[1], a[2] - b[2]} }
func (a vec) scale(s float64) vec { return vec{s * a[0], s * a[1], s * a[2]} }
func (a vec) dot(b vec) float64   { return a[0]*b[0] + a[1]*b[1] + a[2]*b[2] }
func (a vec) cross(b vec) vec {
	return vec{a[1]*b[2] - a[2]*b[1], a[2]*b[0] - a[0]*b[2], a[0]*b[1] - a[1]*b[0]}
}
func (a vec) norm() float64 { return math.Sqrt(a.dot(a)) }
func (a vec) unit() vec     { return a.scale(1 / a.norm()) }

const deg = math.Pi / 180

// place returns the position of atom d bonded to c with |cd| = bond,
// angle b–c–d = angle (degrees) and IUPAC dihedral a–b–c–d = torsion
// (degrees) (the natural extension reference frame, NeRF).
func place(a, b, c vec, bond, angle, torsion float64) vec {
	bc := c.sub(b).unit()
	n := b.sub(a).cross(bc).unit()
	m := n.cross(bc)
	th, ph := angle*deg, torsion*deg
	d2 := vec{-bond * math.Cos(th), bond * math.Sin(th) * math.Cos(ph), bond * math.Sin(th) * math.Sin(ph)}
	return c.add(bc.scale(d2[0])).add(m.scale(d2[1])).add(n.scale(d2[2]))
}
