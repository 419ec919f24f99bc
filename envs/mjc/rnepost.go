package mjc

// RNEPostConstraint computes the quantities MuJoCo's mj_rnePostConstraint
// adds after a forward pass (Gymnasium calls it after every env step):
//
//   - CfrcExt[b], the external wrench on body b, [torque; force] in N·m and
//     N, com-based (about the subtree COM of b's root body, world
//     orientation): the applied XfrcApplied plus the contact forces of the
//     last constraint solve (body of geom 2 receives +f, body of geom 1 −f);
//   - Cacc[b], the com-based body acceleration [angular; linear] with the
//     gravity offset of the RNE (world acceleration −g), from Qvel and Qacc;
//   - CfrcInt[b], the internal wrench transmitted from the parent,
//     cinert·cacc + cvel ×* (cinert·cvel) − cfrc_ext accumulated over the
//     subtree.
//
// It uses the kinematic, com and contact quantities of the last Forward
// (after Step: of the last forward evaluation inside the step). Shapes are
// nbody × 6. It allocates nothing.
func RNEPostConstraint(m *Model, d *Data) {
	nb := m.Nbody
	clear(d.CfrcExt)
	for b := 1; b < nb; b++ {
		x := &d.XfrcApplied[b]
		if *x == [6]float64{} {
			continue
		}
		addWrench(&d.CfrcExt[b], [3]float64{x[0], x[1], x[2]}, [3]float64{x[3], x[4], x[5]}, d.Xipos[b], d.SubtreeCom[m.BodyRoot[b]], 1)
	}
	for i := range d.Ncon {
		c := &d.Contact[i]
		if c.EfcAdr < 0 {
			continue
		}
		var lf [6]float64
		contactForce(d, c, &lf)
		// world frame: frameᵀ·local
		f := &c.Frame
		var force, torque [3]float64
		for r := range 3 {
			force[r] = f[r]*lf[0] + f[3+r]*lf[1] + f[6+r]*lf[2]
			torque[r] = f[r]*lf[3] + f[3+r]*lf[4] + f[6+r]*lf[5]
		}
		if b := m.GeomBody[c.Geom1]; b > 0 {
			addWrench(&d.CfrcExt[b], torque, force, c.Pos, d.SubtreeCom[m.BodyRoot[b]], -1)
		}
		if b := m.GeomBody[c.Geom2]; b > 0 {
			addWrench(&d.CfrcExt[b], torque, force, c.Pos, d.SubtreeCom[m.BodyRoot[b]], 1)
		}
	}

	d.Cacc[0] = [6]float64{}
	if m.Opt.Disable&DisableGravity == 0 {
		g := m.Opt.Gravity
		d.Cacc[0] = [6]float64{0, 0, 0, -g[0], -g[1], -g[2]}
	}
	d.CfrcInt[0] = [6]float64{}
	for i := 1; i < nb; i++ {
		a := d.Cacc[m.BodyParent[i]]
		da := m.BodyDofAdr[i]
		for k := range m.BodyDofNum[i] {
			v, qa := d.Qvel[da+k], d.Qacc[da+k]
			for r := range 6 {
				a[r] += d.CdofDot[da+k][r]*v + d.Cdof[da+k][r]*qa
			}
		}
		d.Cacc[i] = a
		f := &d.CfrcInt[i]
		mulInertVec(f, &d.Cinert[i], &a)
		var iv [6]float64
		mulInertVec(&iv, &d.Cinert[i], &d.Cvel[i])
		crossForceAdd(f, &d.Cvel[i], &iv)
		for r := range 6 {
			f[r] -= d.CfrcExt[i][r]
		}
	}
	for i := nb - 1; i > 0; i-- {
		if p := m.BodyParent[i]; p > 0 {
			for r := range 6 {
				d.CfrcInt[p][r] += d.CfrcInt[i][r]
			}
		}
	}
}

// addWrench adds sgn times the wrench (torque, force) acting at point p,
// re-expressed about point c, to dst = [torque; force]:
// torque_c = torque + (p − c) × force.
func addWrench(dst *[6]float64, torque, force, p, c [3]float64, sgn float64) {
	t := add3(torque, cross(sub3(p, c), force))
	for r := range 3 {
		dst[r] += sgn * t[r]
		dst[3+r] += sgn * force[r]
	}
}
