package mjcf

import (
	"github.com/boltzflow/boltzflow/envs/mjc"
)

// minVal is MuJoCo's mjMINVAL: the smallest mass or inertia of a moving body.
const minVal = 1e-15

// inertias computes the mass, centre of mass and principal inertia of every
// body (from its geoms or its <inertial>), applies boundmass, boundinertia
// and settotalmass, and checks that every moving body has mass.
func (c *compiler) inertias() error {
	nb := len(c.bodies)
	weld := make([]int, nb)
	for i := 1; i < nb; i++ {
		if len(c.bodies[i].joints) > 0 {
			weld[i] = i
		} else {
			weld[i] = weld[c.bodies[i].parent]
		}
	}
	for _, g := range c.geoms {
		if g.spec.typ == mjc.GeomPlane && weld[g.body] != 0 {
			return errorf(c.file, g.line, "geom", "planes are allowed only in static bodies (not welded to a moving body)")
		}
	}
	for i := 1; i < nb; i++ {
		b := c.bodies[i]
		b.iquat = [4]float64{1, 0, 0, 0}
		fromGeoms := c.inertiaFromGeom == "true" || (c.inertiaFromGeom == "auto" && b.inertial == nil)
		switch {
		case fromGeoms:
			if err := c.geomFrame(b); err != nil {
				return err
			}
		case b.inertial != nil:
			b.ipos, b.iquat, b.mass, b.inertia = b.inertial.pos, b.inertial.quat, b.inertial.mass, b.inertial.inertia
		}
		if b.mass < c.boundMass {
			b.mass = c.boundMass
		}
		for k := range b.inertia {
			if b.inertia[k] < c.boundInertia {
				b.inertia[k] = c.boundInertia
			}
		}
	}
	if c.hasTotalMass {
		var total float64
		for _, b := range c.bodies[1:] {
			total += b.mass
		}
		if total < minVal {
			return errorf(c.file, 1, "compiler", "settotalmass given but the bodies have no mass")
		}
		scale := c.totalMass / total
		for _, b := range c.bodies[1:] {
			b.mass *= scale
			for k := range b.inertia {
				b.inertia[k] *= scale
			}
		}
	}
	for _, b := range c.bodies[1:] {
		if !finite(b.mass, b.inertia[0], b.inertia[1], b.inertia[2], b.ipos[0], b.ipos[1], b.ipos[2]) {
			return errorf(c.file, b.line, "body", "body %q: mass or inertia overflows", b.name)
		}
	}
	for i := 1; i < nb; i++ {
		if weld[i] != i {
			continue
		}
		var m, in float64
		for k := i; k < nb; k++ {
			if weld[k] == i {
				m += c.bodies[k].mass
				in += c.bodies[k].inertia[0] + c.bodies[k].inertia[1] + c.bodies[k].inertia[2]
			}
		}
		if m < minVal || in < minVal {
			b := c.bodies[i]
			return errorf(c.file, b.line, "body", "moving body %q has no mass or inertia (add geoms or an <inertial>)", b.name)
		}
	}
	return nil
}

// geomFrame sets a body's mass, COM and principal inertia from its geoms, as
// MuJoCo does: a single geom's frame is copied; several geoms are combined
// about their common COM (parallel-axis theorem) and diagonalised.
func (c *compiler) geomFrame(b *bodyB) error {
	switch len(b.geoms) {
	case 0:
		return nil
	case 1:
		g := c.geoms[b.geoms[0]]
		b.ipos, b.iquat, b.mass, b.inertia = g.spec.pos, g.spec.quat, g.mass, g.inertia
		return nil
	}
	var mass float64
	var com [3]float64
	for _, id := range b.geoms {
		g := c.geoms[id]
		mass += g.mass
		for k := 0; k < 3; k++ {
			com[k] += g.mass * g.spec.pos[k]
		}
	}
	if mass < minVal {
		return errorf(c.file, b.line, "body", "body %q: its geoms have no mass", b.name)
	}
	for k := range com {
		com[k] /= mass
	}
	var total [9]float64
	for _, id := range b.geoms {
		g := c.geoms[id]
		rot := globalInertia(g.inertia, g.spec.quat)
		d := [3]float64{g.spec.pos[0] - com[0], g.spec.pos[1] - com[1], g.spec.pos[2] - com[2]}
		dd := dot3(d, d)
		for i := 0; i < 3; i++ {
			for j := 0; j < 3; j++ {
				off := -g.mass * d[i] * d[j]
				if i == j {
					off += g.mass * dd
				}
				total[3*i+j] += rot[3*i+j] + off
			}
		}
	}
	inertia, q, ok := principalInertia(total)
	if !ok {
		return errorf(c.file, b.line, "body", "body %q: inertia could not be diagonalised", b.name)
	}
	b.mass, b.ipos, b.iquat, b.inertia = mass, com, q, inertia
	return nil
}

// model fills an mjc.Model with the compiled elements (inputs only; SetConst
// derives the rest).
func (c *compiler) model() (*mjc.Model, error) {
	m := &mjc.Model{Opt: c.opt}
	for _, b := range c.bodies {
		m.BodyName = append(m.BodyName, b.name)
		m.BodyParent = append(m.BodyParent, b.parent)
		m.BodyPos = append(m.BodyPos, b.pos)
		m.BodyQuat = append(m.BodyQuat, b.quat)
		m.BodyIPos = append(m.BodyIPos, b.ipos)
		m.BodyIQuat = append(m.BodyIQuat, b.iquat)
		m.BodyMass = append(m.BodyMass, b.mass)
		m.BodyInertia = append(m.BodyInertia, b.inertia)
	}
	// Joints, geoms and sites are numbered by body, then by order within the
	// body (MuJoCo's numbering); bodies are already in depth-first order.
	jointID := make([]int, len(c.joints))
	for bi, b := range c.bodies {
		for _, id := range b.joints {
			j := c.joints[id]
			s := &j.spec
			jointID[id] = len(m.JntName)
			m.JntName = append(m.JntName, j.name)
			m.JntType = append(m.JntType, s.typ)
			m.JntBody = append(m.JntBody, bi)
			m.JntLimited = append(m.JntLimited, j.limited)
			m.JntPos = append(m.JntPos, s.pos)
			axis := s.axis
			if n, ok := normalize3(axis); ok {
				axis = n
			}
			m.JntAxis = append(m.JntAxis, axis)
			m.JntRange = append(m.JntRange, s.rng)
			m.JntRef = append(m.JntRef, s.ref)
			m.JntSpringRef = append(m.JntSpringRef, s.springref)
			m.JntStiffness = append(m.JntStiffness, s.stiffness)
			m.JntMargin = append(m.JntMargin, s.margin)
			m.JntSolref = append(m.JntSolref, s.solref)
			m.JntSolimp = append(m.JntSolimp, s.solimp)
			ndof := map[mjc.JointType]int{mjc.JointFree: 6, mjc.JointBall: 3, mjc.JointSlide: 1, mjc.JointHinge: 1}[s.typ]
			for k := 0; k < ndof; k++ {
				m.DofArmature = append(m.DofArmature, s.armature)
				m.DofDamping = append(m.DofDamping, s.damping)
				m.DofFrictionloss = append(m.DofFrictionloss, 0)
			}
			switch s.typ {
			case mjc.JointFree:
				m.Qpos0 = append(m.Qpos0, b.pos[0], b.pos[1], b.pos[2], b.quat[0], b.quat[1], b.quat[2], b.quat[3])
				m.QposSpring = append(m.QposSpring, b.pos[0], b.pos[1], b.pos[2], b.quat[0], b.quat[1], b.quat[2], b.quat[3])
			case mjc.JointBall:
				m.Qpos0 = append(m.Qpos0, 1, 0, 0, 0)
				m.QposSpring = append(m.QposSpring, 1, 0, 0, 0)
			default:
				m.Qpos0 = append(m.Qpos0, s.ref)
				m.QposSpring = append(m.QposSpring, s.springref)
			}
		}
		for _, id := range b.geoms {
			g := c.geoms[id]
			s := &g.spec
			m.GeomName = append(m.GeomName, g.name)
			m.GeomType = append(m.GeomType, s.typ)
			m.GeomBody = append(m.GeomBody, bi)
			m.GeomContype = append(m.GeomContype, s.contype)
			m.GeomConaffinity = append(m.GeomConaffinity, s.conaffinity)
			m.GeomCondim = append(m.GeomCondim, s.condim)
			m.GeomPriority = append(m.GeomPriority, s.priority)
			m.GeomSize = append(m.GeomSize, s.size) // unused entries kept as given, as MuJoCo does
			m.GeomPos = append(m.GeomPos, s.pos)
			m.GeomQuat = append(m.GeomQuat, s.quat)
			m.GeomFriction = append(m.GeomFriction, s.friction)
			m.GeomMargin = append(m.GeomMargin, s.margin)
			m.GeomGap = append(m.GeomGap, s.gap)
			m.GeomSolmix = append(m.GeomSolmix, s.solmix)
			m.GeomSolref = append(m.GeomSolref, s.solref)
			m.GeomSolimp = append(m.GeomSolimp, s.solimp)
		}
		for _, id := range b.sites {
			s := c.sites[id]
			m.SiteName = append(m.SiteName, s.name)
			m.SiteBody = append(m.SiteBody, bi)
			m.SitePos = append(m.SitePos, s.spec.pos)
			m.SiteQuat = append(m.SiteQuat, s.spec.quat)
		}
	}
	for _, a := range c.motors {
		m.ActName = append(m.ActName, a.name)
		m.ActTrnID = append(m.ActTrnID, jointID[a.joint])
		m.ActGear = append(m.ActGear, a.spec.gear[0])
		m.ActGain = append(m.ActGain, 1)
		m.ActCtrlLimited = append(m.ActCtrlLimited, a.ctrllimited)
		m.ActCtrlRange = append(m.ActCtrlRange, a.spec.ctrlrange)
		m.ActForceLimited = append(m.ActForceLimited, a.forcelimited)
		m.ActForceRange = append(m.ActForceRange, a.spec.forcerange)
	}
	return m, nil
}
