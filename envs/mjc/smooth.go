package mjc

import (
	"errors"
	"fmt"
	"math"
)

// kinematics computes body, joint, geom and site frames from qpos (mj_kinematics).
func kinematics(m *Model, d *Data) {
	d.Xpos[0] = [3]float64{}
	d.Xquat[0] = [4]float64{1, 0, 0, 0}
	d.Xmat[0] = [9]float64{1, 0, 0, 0, 1, 0, 0, 0, 1}
	d.Xipos[0] = [3]float64{}
	d.Ximat[0] = d.Xmat[0]
	nb := m.Nbody
	parent, jntAdr, jntNum := m.BodyParent[:nb], m.BodyJntAdr[:nb], m.BodyJntNum[:nb]
	bpos, bquat, bipos, biquat, biquatI := m.BodyPos[:nb], m.BodyQuat[:nb], m.BodyIPos[:nb], m.BodyIQuat[:nb], m.bodyIQuatI[:nb]
	xposA, xquatA, xmatA, xiposA, ximatA := d.Xpos[:nb], d.Xquat[:nb], d.Xmat[:nb], d.Xipos[:nb], d.Ximat[:nb]
	for i := 1; i < nb; i++ {
		ja := jntAdr[i]
		xpos := &xposA[i]
		xquat := &xquatA[i]
		if jntNum[i] > 0 && m.JntType[ja] == JointFree {
			a := m.JntQposAdr[ja]
			*xpos = [3]float64{d.Qpos[a], d.Qpos[a+1], d.Qpos[a+2]}
			*xquat = [4]float64{d.Qpos[a+3], d.Qpos[a+4], d.Qpos[a+5], d.Qpos[a+6]}
			quatNormalizeTo(xquat)
			d.Xanchor[ja] = *xpos
			d.Xaxis[ja] = m.JntAxis[ja]
		} else {
			p := parent[i]
			mulMatVecAdd(xpos, &xposA[p], &xmatA[p], &bpos[i])
			quatMulTo(xquat, &xquatA[p], &bquat[i])
			for j := ja; j < ja+jntNum[i]; j++ {
				a := m.JntQposAdr[j]
				anc := &d.Xanchor[j]
				rotVecQuatTo(anc, &m.JntPos[j], xquat)
				anc[0] += xpos[0]
				anc[1] += xpos[1]
				anc[2] += xpos[2]
				ax := &d.Xaxis[j]
				rotVecQuatTo(ax, &m.JntAxis[j], xquat)
				switch m.JntType[j] {
				case JointSlide:
					s := d.Qpos[a] - m.Qpos0[a]
					xpos[0] += ax[0] * s
					xpos[1] += ax[1] * s
					xpos[2] += ax[2] * s
				case JointBall, JointHinge:
					var qloc [4]float64
					if m.JntType[j] == JointBall {
						qloc = [4]float64{d.Qpos[a], d.Qpos[a+1], d.Qpos[a+2], d.Qpos[a+3]}
						quatNormalizeTo(&qloc)
					} else {
						qloc = axisAngle2Quat(m.JntAxis[j], d.Qpos[a]-m.Qpos0[a])
					}
					quatMulTo(xquat, xquat, &qloc)
					var r [3]float64
					rotVecQuatTo(&r, &m.JntPos[j], xquat)
					xpos[0] = anc[0] - r[0]
					xpos[1] = anc[1] - r[1]
					xpos[2] = anc[2] - r[2]
				}
			}
		}
		quatNormalizeTo(xquat)
		xmat := &xmatA[i]
		quat2MatTo(xmat, xquat)
		mulMatVecAdd(&xiposA[i], xpos, xmat, &bipos[i])
		if biquatI[i] {
			ximatA[i] = *xmat
		} else {
			var iq [4]float64
			quatMulTo(&iq, xquat, &biquat[i])
			quat2MatTo(&ximatA[i], &iq)
		}
	}
	if d.skipFrames {
		return
	}
	for g := range m.Ngeom {
		b := m.GeomBody[g]
		mulMatVecAdd(&d.GeomXpos[g], &d.Xpos[b], &d.Xmat[b], &m.GeomPos[g])
		if m.geomLocalI[g] {
			d.GeomXmat[g] = d.Xmat[b]
			continue
		}
		var q [4]float64
		quatMulTo(&q, &d.Xquat[b], &m.GeomQuat[g])
		quat2MatTo(&d.GeomXmat[g], &q)
	}
	for s := range m.Nsite {
		b := m.SiteBody[s]
		mulMatVecAdd(&d.SiteXpos[s], &d.Xpos[b], &d.Xmat[b], &m.SitePos[s])
		var q [4]float64
		quatMulTo(&q, &d.Xquat[b], &m.SiteQuat[s])
		quat2MatTo(&d.SiteXmat[s], &q)
	}
}

// comPos computes subtree COMs, cinert and cdof (mj_comPos).
func comPos(m *Model, d *Data) {
	nb := m.Nbody
	sc := d.SubtreeCom[:nb]
	xi := d.Xipos[:nb]
	for i := range sc {
		ms := m.BodyMass[i]
		x := &xi[i]
		sc[i] = [3]float64{x[0] * ms, x[1] * ms, x[2] * ms}
	}
	for i := nb - 1; i > 0; i-- {
		c, pc := &sc[i], &sc[m.BodyParent[i]]
		pc[0] += c[0]
		pc[1] += c[1]
		pc[2] += c[2]
	}
	for i := range sc {
		c := &sc[i]
		if sm := m.BodySubtreeMass[i]; sm >= minVal {
			c[0] /= sm
			c[1] /= sm
			c[2] /= sm
		} else {
			*c = xi[i]
		}
	}
	d.Cinert[0] = [10]float64{}
	for i := 1; i < nb; i++ {
		off := sub3(d.Xipos[i], d.SubtreeCom[m.BodyRoot[i]])
		inertCom(&d.Cinert[i], &m.BodyInertia[i], &d.Ximat[i], &off, m.BodyMass[i])
	}
	for j := range m.Njnt {
		b := m.JntBody[j]
		da := m.JntDofAdr[j]
		off := sub3(d.SubtreeCom[m.BodyRoot[b]], d.Xanchor[j])
		switch m.JntType[j] {
		case JointFree:
			for k := range 3 {
				d.Cdof[da+k] = [6]float64{}
				d.Cdof[da+k][3+k] = 1
			}
			da += 3
			fallthrough
		case JointBall:
			xm := &d.Xmat[b]
			for k := range 3 {
				ax := [3]float64{xm[k], xm[3+k], xm[6+k]}
				l := cross(ax, off)
				d.Cdof[da+k] = [6]float64{ax[0], ax[1], ax[2], l[0], l[1], l[2]}
			}
		case JointSlide:
			ax := d.Xaxis[j]
			d.Cdof[da] = [6]float64{0, 0, 0, ax[0], ax[1], ax[2]}
		case JointHinge:
			ax := &d.Xaxis[j]
			c := &d.Cdof[da]
			c[0], c[1], c[2] = ax[0], ax[1], ax[2]
			c[3] = ax[1]*off[2] - ax[2]*off[1]
			c[4] = ax[2]*off[0] - ax[0]*off[2]
			c[5] = ax[0]*off[1] - ax[1]*off[0]
		}
	}
}

// inertCom returns the com-based 10-vector inertia of a body with principal
// inertia diag(inert) in frame mat, COM offset dif from the origin, mass ms.
func inertCom(dst *[10]float64, inert *[3]float64, mat *[9]float64, dif *[3]float64, ms float64) {
	// r = mat·diag(inert)·matᵀ (symmetric)
	m0, m1, m2, m3, m4, m5, m6, m7, m8 := mat[0], mat[1], mat[2], mat[3], mat[4], mat[5], mat[6], mat[7], mat[8]
	i0, i1, i2 := inert[0], inert[1], inert[2]
	r00 := m0*i0*m0 + m1*i1*m1 + m2*i2*m2
	r01 := m0*i0*m3 + m1*i1*m4 + m2*i2*m5
	r02 := m0*i0*m6 + m1*i1*m7 + m2*i2*m8
	r11 := m3*i0*m3 + m4*i1*m4 + m5*i2*m5
	r12 := m3*i0*m6 + m4*i1*m7 + m5*i2*m8
	r22 := m6*i0*m6 + m7*i1*m7 + m8*i2*m8
	d0, d1, d2 := dif[0], dif[1], dif[2]
	dst[0] = r00 + ms*(d1*d1+d2*d2)
	dst[1] = r11 + ms*(d0*d0+d2*d2)
	dst[2] = r22 + ms*(d0*d0+d1*d1)
	dst[3] = r01 - ms*d0*d1
	dst[4] = r02 - ms*d0*d2
	dst[5] = r12 - ms*d1*d2
	dst[6] = ms * d0
	dst[7] = ms * d1
	dst[8] = ms * d2
	dst[9] = ms
}

// sparseM is a symmetric nv×nv matrix with the sparsity of the dof tree
// (row k has entries only at its ancestors), or its LᵀDL factor.
type sparseM struct {
	L    []float64 // strictly-lower entries, layout of Model.mAdr/mAnc
	D    []float64 // diagonal, length nv
	Dinv []float64 // 1/D after factorisation
}

func newSparseM(m *Model) sparseM {
	return sparseM{L: make([]float64, m.nM), D: make([]float64, m.Nv), Dinv: make([]float64, m.Nv)}
}

func (s *sparseM) copyFrom(src *sparseM) {
	copy(s.L, src.L)
	copy(s.D, src.D)
}

// crb computes the joint-space inertia M with armature (mj_crb) into the
// tree-sparse d.qM and the dense d.M.
func crb(m *Model, d *Data) {
	nb, nv := m.Nbody, m.Nv
	copy(d.Crb, d.Cinert)
	for i := nb - 1; i > 0; i-- {
		if p := m.BodyParent[i]; p > 0 {
			c, pc := &d.Crb[i], &d.Crb[p]
			for k := range 10 {
				pc[k] += c[k]
			}
		}
	}
	L, D := d.qM.L, d.qM.D[:nv]
	cdof, dofBody, arm := d.Cdof[:nv], m.DofBody[:nv], m.DofArmature[:nv]
	adr := m.mAdr[:nv+1]
	for i := range D {
		var buf [6]float64
		ci := &cdof[i]
		mulInertVec(&buf, &d.Crb[dofBody[i]], ci)
		D[i] = arm[i] + dot6(ci, &buf)
		for p := adr[i]; p < adr[i+1]; p++ {
			L[p] = dot6(&cdof[m.mAnc[p]], &buf)
		}
	}
	// entries outside the tree pattern are never written and stay zero
	for i := range nv {
		d.M[i*nv+i] = D[i]
		for p := m.mAdr[i]; p < m.mAdr[i+1]; p++ {
			j := m.mAnc[p]
			d.M[i*nv+j] = L[p]
			d.M[j*nv+i] = L[p]
		}
	}
}

var errNotPD = errors.New("mass matrix is not positive definite")

// factorM computes the tree-sparse LᵀDL factorisation of src into dst
// (mj_factorI); dst may be src.
func factorM(m *Model, src, dst *sparseM) error {
	if dst != src {
		dst.copyFrom(src)
	}
	nv := m.Nv
	L, D, dinv := dst.L, dst.D[:nv], dst.Dinv[:nv]
	adr, anc := m.mAdr[:nv+1], m.mAnc
	for k := nv - 1; k >= 0; k-- {
		// D[k] is final here: only rows below k (processed already) update it
		dk := D[k]
		if !(dk > minVal) {
			return errNotPD
		}
		inv := 1 / dk
		dinv[k] = inv
		start, end := adr[k], adr[k+1]
		row := L[start:end]
		ak := anc[start:end]
		ak = ak[:len(row)]
		for q, lp := range row {
			i := ak[q]
			a := lp * inv
			D[i] -= a * lp
			// the ancestors of i are those after q in row k; row i starts at adr[i]
			rest := row[q+1:]
			ri := L[adr[i]:]
			ri = ri[:len(rest)]
			for t, lq := range rest {
				ri[t] -= a * lq
			}
			row[q] = a
		}
	}
	return nil
}

// solveM overwrites x with M⁻¹x using the LᵀDL factor f (mj_solveLD).
func solveM(m *Model, f *sparseM, x []float64) {
	L := f.L
	nv := m.Nv
	adr, anc := m.mAdr[:nv+1], m.mAnc
	x = x[:nv]
	for k := nv - 1; k >= 0; k-- {
		if xk := x[k]; xk != 0 {
			row := L[adr[k]:adr[k+1]]
			ak := anc[adr[k]:adr[k+1]]
			ak = ak[:len(row)]
			for q, l := range row {
				x[ak[q]] -= l * xk
			}
		}
	}
	for k, di := range f.Dinv[:nv] {
		x[k] *= di
	}
	for k := range x {
		s := x[k]
		row := L[adr[k]:adr[k+1]]
		ak := anc[adr[k]:adr[k+1]]
		ak = ak[:len(row)]
		for q, l := range row {
			s -= l * x[ak[q]]
		}
		x[k] = s
	}
}

// SolveM overwrites x (length nv) with M⁻¹x using the factorisation of the
// last Forward.
func SolveM(m *Model, d *Data, x []float64) {
	if len(x) != m.Nv {
		panic(fmt.Sprintf("mjc: SolveM: len(x) = %d, nv = %d", len(x), m.Nv))
	}
	solveM(m, &d.qLD, x)
}

// jacPoint writes the translational (jacp, 3×nv) and rotational (jacr,
// 3×nv) Jacobians of a world point attached to body b (mj_jac).
func jacPoint(m *Model, d *Data, b int, point [3]float64, jacp, jacr []float64) {
	nv := m.Nv
	clear(jacp[:3*nv])
	clear(jacr[:3*nv])
	off := sub3(point, d.SubtreeCom[m.BodyRoot[b]])
	for j := lastDofOf(m, b); j >= 0; j = m.DofParent[j] {
		c := &d.Cdof[j]
		l := cross([3]float64{c[0], c[1], c[2]}, off)
		for r := range 3 {
			jacr[r*nv+j] = c[r]
			jacp[r*nv+j] = c[3+r] + l[r]
		}
	}
}

// lastDofOf returns the last dof moving body b (its own or an ancestor's), −1 if none.
func lastDofOf(m *Model, b int) int {
	for ; b > 0; b = m.BodyParent[b] {
		if m.BodyDofNum[b] > 0 {
			return m.BodyDofAdr[b] + m.BodyDofNum[b] - 1
		}
	}
	return -1
}

// comVel computes cvel and cdof_dot (mj_comVel).
func comVel(m *Model, d *Data) {
	nb := m.Nbody
	cvelA, parent, jntAdr, jntNum := d.Cvel[:nb], m.BodyParent[:nb], m.BodyJntAdr[:nb], m.BodyJntNum[:nb]
	cvelA[0] = [6]float64{}
	for i := 1; i < nb; i++ {
		cvel := cvelA[parent[i]]
		ja := jntAdr[i]
		for j := ja; j < ja+jntNum[i]; j++ {
			da := m.JntDofAdr[j]
			switch m.JntType[j] {
			case JointFree:
				for k := range 3 {
					v := d.Qvel[da+k]
					for r := range 6 {
						cvel[r] += d.Cdof[da+k][r] * v
					}
					d.CdofDot[da+k] = [6]float64{}
				}
				da += 3
				fallthrough
			case JointBall:
				for k := range 3 {
					crossMotion(&d.CdofDot[da+k], &cvel, &d.Cdof[da+k])
				}
				for k := range 3 {
					v := d.Qvel[da+k]
					for r := range 6 {
						cvel[r] += d.Cdof[da+k][r] * v
					}
				}
			default:
				c := &d.Cdof[da]
				crossMotion(&d.CdofDot[da], &cvel, c)
				v := d.Qvel[da]
				for r := range 6 {
					cvel[r] += c[r] * v
				}
			}
		}
		cvelA[i] = cvel
	}
}

// rne computes the inverse dynamics M·qacc + C (flgAcc) or C alone into dst
// (mj_rne). It uses d.cacc and d.cfrcBody as scratch.
func rne(m *Model, d *Data, flgAcc bool, dst []float64) {
	nb := m.Nbody
	d.cacc[0] = [6]float64{}
	if m.Opt.Disable&DisableGravity == 0 {
		g := m.Opt.Gravity
		d.cacc[0] = [6]float64{0, 0, 0, -g[0], -g[1], -g[2]}
	}
	parent, dofAdr, dofNum := m.BodyParent[:nb], m.BodyDofAdr[:nb], m.BodyDofNum[:nb]
	cacc, cfrc, cinert, cvel := d.cacc[:nb], d.cfrcBody[:nb], d.Cinert[:nb], d.Cvel[:nb]
	for i := 1; i < nb; i++ {
		a := cacc[parent[i]]
		da := dofAdr[i]
		for k := range dofNum[i] {
			v := d.Qvel[da+k]
			cd := &d.CdofDot[da+k]
			for r := range 6 {
				a[r] += cd[r] * v
			}
			if flgAcc {
				qa := d.Qacc[da+k]
				c := &d.Cdof[da+k]
				for r := range 6 {
					a[r] += c[r] * qa
				}
			}
		}
		cacc[i] = a
		bodyForce(&cfrc[i], &cinert[i], &a, &cvel[i])
	}
	cfrc[0] = [6]float64{}
	for i := nb - 1; i > 0; i-- {
		if p := parent[i]; p > 0 {
			c, pc := &cfrc[i], &cfrc[p]
			for r := range 6 {
				pc[r] += c[r]
			}
		}
	}
	for i := range m.Nv {
		dst[i] = dot6(&d.Cdof[i], &d.cfrcBody[m.DofBody[i]])
	}
}

// applyFT adds the generalized force of a world force and torque acting at
// point on body b to qfrc (mj_applyFT).
func applyFT(m *Model, d *Data, force, torque, point [3]float64, b int, qfrc []float64) {
	off := sub3(point, d.SubtreeCom[m.BodyRoot[b]])
	for j := lastDofOf(m, b); j >= 0; j = m.DofParent[j] {
		c := &d.Cdof[j]
		ang := [3]float64{c[0], c[1], c[2]}
		l := cross(ang, off)
		qfrc[j] += force[0]*(c[3]+l[0]) + force[1]*(c[4]+l[1]) + force[2]*(c[5]+l[2]) + dot3(torque, ang)
	}
}

// passive computes joint springs, dampers and fluid forces (mj_passive).
func passive(m *Model, d *Data) {
	clear(d.QfrcPassive)
	if m.Opt.Disable&DisablePassive != 0 {
		return
	}
	for j := range m.Njnt {
		k := m.JntStiffness[j]
		if k == 0 {
			continue
		}
		qa, da := m.JntQposAdr[j], m.JntDofAdr[j]
		switch m.JntType[j] {
		case JointFree:
			for r := range 3 {
				d.QfrcPassive[da+r] = -k * (d.Qpos[qa+r] - m.QposSpring[qa+r])
			}
			qa += 3
			da += 3
			fallthrough
		case JointBall:
			q := quatNormalize([4]float64{d.Qpos[qa], d.Qpos[qa+1], d.Qpos[qa+2], d.Qpos[qa+3]})
			qs := [4]float64{m.QposSpring[qa], m.QposSpring[qa+1], m.QposSpring[qa+2], m.QposSpring[qa+3]}
			dif := subQuat(q, qs)
			for r := range 3 {
				d.QfrcPassive[da+r] = -k * dif[r]
			}
		default:
			d.QfrcPassive[da] = -k * (d.Qpos[qa] - m.QposSpring[qa])
		}
	}
	for i := range m.Nv {
		if b := m.DofDamping[i]; b != 0 {
			d.QfrcPassive[i] -= b * d.Qvel[i]
		}
	}
	if m.Opt.Density > 0 || m.Opt.Viscosity > 0 {
		fluid(m, d)
	}
}

// fluid adds MuJoCo's inertia-box fluid forces (density and viscosity).
func fluid(m *Model, d *Data) {
	rho, beta := m.Opt.Density, m.Opt.Viscosity
	for i := 1; i < m.Nbody; i++ {
		ms := m.BodyMass[i]
		if ms < minVal {
			continue
		}
		in := m.BodyInertia[i]
		box := [3]float64{
			math.Sqrt(math.Max(minVal, in[1]+in[2]-in[0]) / ms * 6),
			math.Sqrt(math.Max(minVal, in[0]+in[2]-in[1]) / ms * 6),
			math.Sqrt(math.Max(minVal, in[0]+in[1]-in[2]) / ms * 6),
		}
		// body velocity at xipos in the inertia frame
		cv := &d.Cvel[i]
		w := [3]float64{cv[0], cv[1], cv[2]}
		off := sub3(d.Xipos[i], d.SubtreeCom[m.BodyRoot[i]])
		v := add3([3]float64{cv[3], cv[4], cv[5]}, cross(w, off))
		lw := mulMatTVec(&d.Ximat[i], w)
		lv := mulMatTVec(&d.Ximat[i], sub3(v, m.Opt.Wind))
		var lt, lf [3]float64
		if beta > 0 {
			diam := (box[0] + box[1] + box[2]) / 3
			c1 := -math.Pi * diam * diam * diam * beta
			c2 := -3 * math.Pi * diam * beta
			lt = [3]float64{c1 * lw[0], c1 * lw[1], c1 * lw[2]}
			lf = [3]float64{c2 * lv[0], c2 * lv[1], c2 * lv[2]}
		}
		if rho > 0 {
			lf[0] -= 0.5 * rho * box[1] * box[2] * math.Abs(lv[0]) * lv[0]
			lf[1] -= 0.5 * rho * box[0] * box[2] * math.Abs(lv[1]) * lv[1]
			lf[2] -= 0.5 * rho * box[0] * box[1] * math.Abs(lv[2]) * lv[2]
			b4 := [3]float64{box[0] * box[0] * box[0] * box[0], box[1] * box[1] * box[1] * box[1], box[2] * box[2] * box[2] * box[2]}
			lt[0] -= rho * box[0] * (b4[1] + b4[2]) / 64 * math.Abs(lw[0]) * lw[0]
			lt[1] -= rho * box[1] * (b4[0] + b4[2]) / 64 * math.Abs(lw[1]) * lw[1]
			lt[2] -= rho * box[2] * (b4[0] + b4[1]) / 64 * math.Abs(lw[2]) * lw[2]
		}
		applyFT(m, d, mulMatVec(&d.Ximat[i], lf), mulMatVec(&d.Ximat[i], lt), d.Xipos[i], i, d.QfrcPassive)
	}
}

// actuation computes actuator forces and qfrc_actuator (mj_fwdActuation).
func actuation(m *Model, d *Data) {
	clear(d.QfrcActuator)
	if m.Opt.Disable&DisableActuation != 0 {
		clear(d.ActuatorForce)
		return
	}
	clamp := m.Opt.Disable&DisableClampCtrl == 0
	for i := range m.Nu {
		c := d.Ctrl[i]
		if clamp && m.ActCtrlLimited[i] {
			c = clampF(c, m.ActCtrlRange[i][0], m.ActCtrlRange[i][1])
		}
		f := m.ActGain[i] * c
		if m.ActForceLimited[i] {
			f = clampF(f, m.ActForceRange[i][0], m.ActForceRange[i][1])
		}
		d.ActuatorForce[i] = f
		d.QfrcActuator[m.JntDofAdr[m.ActTrnID[i]]] += m.ActGear[i] * f
	}
}

// energyPos computes the potential energy (gravity and springs).
func energyPos(m *Model, d *Data) {
	e := 0.0
	if m.Opt.Disable&DisableGravity == 0 {
		g := m.Opt.Gravity
		for i := 1; i < m.Nbody; i++ {
			e -= m.BodyMass[i] * dot3(g, d.Xipos[i])
		}
	}
	if m.Opt.Disable&DisablePassive == 0 {
		for j := range m.Njnt {
			k := m.JntStiffness[j]
			if k == 0 {
				continue
			}
			qa := m.JntQposAdr[j]
			switch m.JntType[j] {
			case JointFree:
				var s float64
				for r := range 3 {
					x := d.Qpos[qa+r] - m.QposSpring[qa+r]
					s += x * x
				}
				e += 0.5 * k * s
				qa += 3
				fallthrough
			case JointBall:
				q := quatNormalize([4]float64{d.Qpos[qa], d.Qpos[qa+1], d.Qpos[qa+2], d.Qpos[qa+3]})
				qs := [4]float64{m.QposSpring[qa], m.QposSpring[qa+1], m.QposSpring[qa+2], m.QposSpring[qa+3]}
				dif := subQuat(q, qs)
				e += 0.5 * k * dot3(dif, dif)
			default:
				x := d.Qpos[qa] - m.QposSpring[qa]
				e += 0.5 * k * x * x
			}
		}
	}
	d.Energy[0] = e
}

// energyVel computes the kinetic energy ½ vᵀ M v (armature included).
func energyVel(m *Model, d *Data) {
	nv := m.Nv
	e := 0.0
	for i := range nv {
		s := 0.0
		row := d.M[i*nv : i*nv+nv]
		for j, v := range d.Qvel {
			s += row[j] * v
		}
		e += s * d.Qvel[i]
	}
	d.Energy[1] = 0.5 * e
}

// bodyForce writes cinert·a + v ×* (cinert·v), the com-based net wrench of
// a body with acceleration a and velocity v (one RNE body term).
func bodyForce(dst *[6]float64, in *[10]float64, a, v *[6]float64) {
	i0, i1, i2, i3, i4, i5 := in[0], in[1], in[2], in[3], in[4], in[5]
	h0, h1, h2, ms := in[6], in[7], in[8], in[9]
	// p = cinert·v
	w0, w1, w2, l0, l1, l2 := v[0], v[1], v[2], v[3], v[4], v[5]
	p0 := i0*w0 + i3*w1 + i4*w2 - h2*l1 + h1*l2
	p1 := i3*w0 + i1*w1 + i5*w2 + h2*l0 - h0*l2
	p2 := i4*w0 + i5*w1 + i2*w2 - h1*l0 + h0*l1
	p3 := h2*w1 - h1*w2 + ms*l0
	p4 := h0*w2 - h2*w0 + ms*l1
	p5 := h1*w0 - h0*w1 + ms*l2
	// cinert·a
	a0, a1, a2, a3, a4, a5 := a[0], a[1], a[2], a[3], a[4], a[5]
	dst[0] = i0*a0 + i3*a1 + i4*a2 - h2*a4 + h1*a5 + (-w2*p1 + w1*p2 - l2*p4 + l1*p5)
	dst[1] = i3*a0 + i1*a1 + i5*a2 + h2*a3 - h0*a5 + (w2*p0 - w0*p2 + l2*p3 - l0*p5)
	dst[2] = i4*a0 + i5*a1 + i2*a2 - h1*a3 + h0*a4 + (-w1*p0 + w0*p1 - l1*p3 + l0*p4)
	dst[3] = h2*a1 - h1*a2 + ms*a3 + (-w2*p4 + w1*p5)
	dst[4] = h0*a2 - h2*a0 + ms*a4 + (w2*p3 - w0*p5)
	dst[5] = h1*a0 - h0*a1 + ms*a5 + (-w1*p3 + w0*p4)
}
