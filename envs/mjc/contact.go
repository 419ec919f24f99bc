package mjc

import (
	"math"

	"github.com/boltzflow/boltzflow/envs/collide"
)

// This file holds the contact stage of the pipeline: collision detection
// with MuJoCo's filters and pair parameters (mj_collision), and the
// instantiation of contacts as efc rows (mj_instantiateContact with the
// pyramidal cone and its regulariser).

// staticCollidable reports whether geoms g1 and g2 pass the filters that
// depend only on the model: contype/conaffinity compatibility and
// different weld bodies (SetConst lists these pairs).
func staticCollidable(m *Model, g1, g2 int) bool {
	if m.GeomContype[g1]&m.GeomConaffinity[g2] == 0 && m.GeomContype[g2]&m.GeomConaffinity[g1] == 0 {
		return false
	}
	return m.BodyWeld[m.GeomBody[g1]] != m.BodyWeld[m.GeomBody[g2]]
}

// parentFiltered reports whether MuJoCo's parent filter excludes the pair:
// the weld bodies are parent and child and neither is the world (unless
// parent filtering is disabled).
func parentFiltered(m *Model, g1, g2 int) bool {
	if m.Opt.Disable&DisableFilterParent != 0 {
		return false
	}
	w1, w2 := m.BodyWeld[m.GeomBody[g1]], m.BodyWeld[m.GeomBody[g2]]
	return w1 != 0 && w2 != 0 && (w1 == m.BodyWeld[m.BodyParent[w2]] || w2 == m.BodyWeld[m.BodyParent[w1]])
}

// collision fills d.Contact[:d.Ncon] with the contacts of the current
// geom frames (mj_collision): every geom pair that passes the filters
// (contype/conaffinity, different weld bodies, no parent–child weld bodies
// unless one is the world, bounding spheres within the pair margin) is
// sent to the narrow phase. Pairs are visited in (g1, g2) order with
// g1 < g2, which is MuJoCo's body-pair order for models whose geoms are
// grouped by body; within a pair the geom of lower type comes first (plane
// before sphere before capsule). Pairs of unsupported shapes (cylinders,
// boxes, …) are skipped; contacts beyond Model.NconMax are dropped.
func collision(m *Model, d *Data) {
	d.Ncon = 0
	if m.Opt.Disable&(DisableConstraint|DisableContact) != 0 || m.NconMax == 0 {
		return
	}
	for _, p := range m.colPairs {
		if parentFiltered(m, p[0], p[1]) {
			continue
		}
		collideGeoms(m, d, p[0], p[1])
	}
}

// collideGeoms runs the narrow phase on one geom pair and appends its
// contacts with the mixed pair parameters (mj_collideGeoms).
func collideGeoms(m *Model, d *Data, g1, g2 int) {
	if m.GeomType[g1] > m.GeomType[g2] {
		g1, g2 = g2, g1
	}
	margin := math.Max(m.GeomMargin[g1], m.GeomMargin[g2])
	gap := math.Max(m.GeomGap[g1], m.GeomGap[g2])
	r1, r2 := m.GeomRBound[g1], m.GeomRBound[g2]
	p1, p2 := d.GeomXpos[g1], d.GeomXpos[g2]
	if r1 > 0 && r2 > 0 {
		dif := sub3(p1, p2)
		if lim := r1 + r2 + margin; dot3(dif, dif) > lim*lim {
			return
		}
	}
	var buf [collide.MaxContacts]collide.Contact
	mat1, mat2 := &d.GeomXmat[g1], &d.GeomXmat[g2]
	s1, s2 := m.GeomSize[g1], m.GeomSize[g2]
	n := 0
	switch t1, t2 := m.GeomType[g1], m.GeomType[g2]; {
	case t1 == GeomPlane && t2 == GeomSphere:
		n = collide.PlaneSphere(buf[:], margin, p1, mat1, p2, s2[0])
	case t1 == GeomPlane && t2 == GeomCapsule:
		n = collide.PlaneCapsule(buf[:], margin, p1, mat1, p2, mat2, s2[0], s2[1])
	case t1 == GeomSphere && t2 == GeomSphere:
		n = collide.SphereSphere(buf[:], margin, p1, [3]float64{mat1[2], mat1[5], mat1[8]}, s1[0], p2, [3]float64{mat2[2], mat2[5], mat2[8]}, s2[0])
	case t1 == GeomSphere && t2 == GeomCapsule:
		n = collide.SphereCapsule(buf[:], margin, p1, mat1, s1[0], p2, mat2, s2[0], s2[1])
	case t1 == GeomCapsule && t2 == GeomCapsule:
		n = collide.CapsuleCapsule(buf[:], margin, p1, mat1, s1[0], s1[1], p2, mat2, s2[0], s2[1])
	default:
		return
	}
	if n == 0 {
		return
	}

	// Mixed pair parameters (equal priorities: condim max, friction max,
	// solmix-weighted solref/solimp; else the higher priority's).
	var (
		condim   int
		fr       [3]float64
		solref   [2]float64
		solimp   [5]float64
		pr1, pr2 = m.GeomPriority[g1], m.GeomPriority[g2]
	)
	switch {
	case pr1 > pr2:
		condim, fr, solref, solimp = m.GeomCondim[g1], m.GeomFriction[g1], m.GeomSolref[g1], m.GeomSolimp[g1]
	case pr2 > pr1:
		condim, fr, solref, solimp = m.GeomCondim[g2], m.GeomFriction[g2], m.GeomSolref[g2], m.GeomSolimp[g2]
	default:
		condim = max(m.GeomCondim[g1], m.GeomCondim[g2])
		for k := range 3 {
			fr[k] = math.Max(m.GeomFriction[g1][k], m.GeomFriction[g2][k])
		}
		sm1, sm2 := m.GeomSolmix[g1], m.GeomSolmix[g2]
		var mix float64
		switch {
		case sm1 < minVal && sm2 < minVal:
			mix = 0.5
		case sm1 < minVal:
			mix = 0
		case sm2 < minVal:
			mix = 1
		default:
			mix = sm1 / (sm1 + sm2)
		}
		sr1, sr2 := m.GeomSolref[g1], m.GeomSolref[g2]
		if sr1[0] > 0 && sr2[0] > 0 {
			for k := range 2 {
				solref[k] = mix*sr1[k] + (1-mix)*sr2[k]
			}
		} else {
			for k := range 2 {
				solref[k] = math.Min(sr1[k], sr2[k])
			}
		}
		for k := range 5 {
			solimp[k] = mix*m.GeomSolimp[g1][k] + (1-mix)*m.GeomSolimp[g2][k]
		}
	}
	for i := range n {
		if d.Ncon >= len(d.Contact) {
			return
		}
		c := &buf[i]
		collide.MakeFrame(&c.Frame)
		d.Contact[d.Ncon] = Contact{
			Dist:          c.Dist,
			Pos:           c.Pos,
			Frame:         c.Frame,
			IncludeMargin: margin - gap,
			Friction:      [5]float64{fr[0], fr[0], fr[1], fr[2], fr[2]},
			Solref:        solref,
			Solimp:        solimp,
			Dim:           condim,
			Geom1:         g1,
			Geom2:         g2,
			EfcAdr:        -1,
		}
		d.Ncon++
	}
}

// contactRows returns the number of efc rows of a contact of dimension dim
// with the pyramidal cone: 1 for frictionless, 2(dim−1) pyramid edges
// otherwise.
func contactRows(dim int) int {
	if dim == 1 {
		return 1
	}
	return 2 * (dim - 1)
}

// instantiateContacts adds the efc rows of every contact whose distance is
// below its included margin (mj_instantiateContact, pyramidal cone): one
// frictionless row for condim 1, else the pyramid edges J_n ± μ_k J_k in
// the order (+t1, −t1, +t2, −t2, …). Â is the sum of the two bodies'
// translational (rotational for torsional/rolling edges) invweight0,
// scaled by 1 + μ_k² for edges; then every edge of a pyramid gets
// R = 2 μ² R₀ with μ = friction[0]/√impratio and R₀ the first edge's
// regulariser, as MuJoCo's pyramidal regularisation.
func instantiateContacts(m *Model, d *Data) {
	nv := m.Nv
	for ci := range d.Ncon {
		con := &d.Contact[ci]
		con.EfcAdr = -1
		if con.Dist >= con.IncludeMargin {
			continue
		}
		dim := con.Dim
		nrow := contactRows(dim)
		if d.Nefc+nrow > m.efcCap {
			return
		}
		b1, b2 := m.GeomBody[con.Geom1], m.GeomBody[con.Geom2]
		tran := m.BodyInvWeight0[b1][0] + m.BodyInvWeight0[b2][0]
		rot := m.BodyInvWeight0[b1][1] + m.BodyInvWeight0[b2][1]
		adr := d.Nefc
		if dim == 1 {
			addRow(m, d, ConstraintFrictionless, ci, con.Dist, con.IncludeMargin, tran, con.Solref, con.Solimp)
		} else {
			for k := 1; k < dim; k++ {
				mu := con.Friction[k-1]
				w := tran
				if k >= 3 {
					w = rot
				}
				da := tran + mu*mu*w
				addRow(m, d, ConstraintPyramidal, ci, con.Dist, con.IncludeMargin, da, con.Solref, con.Solimp)
				addRow(m, d, ConstraintPyramidal, ci, con.Dist, con.IncludeMargin, da, con.Solref, con.Solimp)
			}
			mu := con.Friction[0] / math.Sqrt(m.Opt.Impratio)
			r := 2 * mu * mu * d.EfcR[adr]
			for i := adr; i < adr+nrow; i++ {
				d.EfcR[i] = r
				d.EfcD[i] = 1 / r
			}
		}
		con.EfcAdr = adr
		contactJacobian(m, d, con, b2, 1, d.EfcJ[adr*nv:(adr+nrow)*nv])
		contactJacobian(m, d, con, b1, -1, d.EfcJ[adr*nv:(adr+nrow)*nv])
	}
}

// contactJacobian adds sgn times the contact-frame Jacobian of the contact
// point moving with body b to the contact's efc rows (nrow × nv, row-major):
// frame rows applied to the translational Jacobian (first three
// components) and to the rotational Jacobian (torsional and rolling
// components), combined into pyramid edges.
func contactJacobian(m *Model, d *Data, con *Contact, b int, sgn float64, rows []float64) {
	nv := m.Nv
	dim := con.Dim
	f := &con.Frame
	off := sub3(con.Pos, d.SubtreeCom[m.BodyRoot[b]])
	for j := lastDofOf(m, b); j >= 0; j = m.DofParent[j] {
		c := &d.Cdof[j]
		ang := [3]float64{c[0], c[1], c[2]}
		l := cross(ang, off)
		jp := [3]float64{c[3] + l[0], c[4] + l[1], c[5] + l[2]}
		var proj [6]float64
		for k := range min(dim, 3) {
			proj[k] = sgn * (f[3*k]*jp[0] + f[3*k+1]*jp[1] + f[3*k+2]*jp[2])
		}
		for k := 3; k < dim; k++ {
			r := k - 3
			proj[k] = sgn * (f[3*r]*ang[0] + f[3*r+1]*ang[1] + f[3*r+2]*ang[2])
		}
		if dim == 1 {
			rows[j] += proj[0]
			continue
		}
		for k := 1; k < dim; k++ {
			t := con.Friction[k-1] * proj[k]
			rows[(2*k-2)*nv+j] += proj[0] + t
			rows[(2*k-1)*nv+j] += proj[0] - t
		}
	}
}

// contactForce writes the force and torque of contact c in its contact
// frame, [normal, tangent 1, tangent 2, torsion, roll 1, roll 2], from the
// efc forces (mj_contactForce with the pyramid decoding); zero when the
// contact has no rows.
func contactForce(d *Data, c *Contact, dst *[6]float64) {
	*dst = [6]float64{}
	adr := c.EfcAdr
	if adr < 0 {
		return
	}
	if c.Dim == 1 {
		dst[0] = d.EfcForce[adr]
		return
	}
	n := contactRows(c.Dim)
	for i := range n {
		dst[0] += d.EfcForce[adr+i]
	}
	for k := 1; k < c.Dim; k++ {
		dst[k] = c.Friction[k-1] * (d.EfcForce[adr+2*k-2] - d.EfcForce[adr+2*k-1])
	}
}

// ContactForce writes the force and torque of contact i of d in the
// contact's frame ([normal, tangent 1, tangent 2, torsion, roll 1, roll 2],
// N and N·m), decoded from the pyramid edge forces of the last constraint
// solve (MuJoCo's mj_contactForce). It panics if i is not in [0, d.Ncon).
func ContactForce(d *Data, i int, dst *[6]float64) {
	if i < 0 || i >= d.Ncon {
		panic("mjc: ContactForce: contact index out of range")
	}
	contactForce(d, &d.Contact[i], dst)
}
