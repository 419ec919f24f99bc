package mjcf

import (
	"math"

	"github.com/boltzflow/boltzflow/envs/mjc"
)

// jointSpec holds the attributes of a <joint> (or of a default class).
type jointSpec struct {
	typ          mjc.JointType
	pos, axis    [3]float64
	rng          [2]float64
	limited      limitedFlag
	ref          float64
	springref    float64
	stiffness    float64
	damping      float64
	armature     float64
	margin       float64
	frictionloss float64
	solref       [2]float64
	solimp       [5]float64
}

// geomSpec holds the attributes of a <geom> (or of a default class).
type geomSpec struct {
	typ         mjc.GeomType
	size        [3]float64
	pos         [3]float64
	quat        [4]float64
	fromto      [6]float64
	hasFromto   bool
	density     float64
	mass        float64
	hasMass     bool
	contype     int
	conaffinity int
	condim      int
	priority    int
	group       int
	friction    [3]float64
	solref      [2]float64
	solimp      [5]float64
	solmix      float64
	margin      float64
	gap         float64
}

// siteSpec holds the attributes of a <site> (or of a default class).
type siteSpec struct {
	pos  [3]float64
	quat [4]float64
}

// motorSpec holds the attributes of a <motor> (or of a default class).
type motorSpec struct {
	gear         [6]float64
	ctrlrange    [2]float64
	ctrllimited  limitedFlag
	forcerange   [2]float64
	forcelimited limitedFlag
}

// class is one default class: the attribute values its elements start from.
type class struct {
	name  string
	joint jointSpec
	geom  geomSpec
	site  siteSpec
	motor motorSpec
}

// builtinClass returns MuJoCo's built-in defaults (the values used wherever an
// XML file is silent).
func builtinClass() *class {
	solref := [2]float64{0.02, 1}
	solimp := [5]float64{0.9, 0.95, 0.001, 0.5, 2}
	return &class{
		name: "main",
		joint: jointSpec{
			typ:    mjc.JointHinge,
			axis:   [3]float64{0, 0, 1},
			solref: solref,
			solimp: solimp,
		},
		geom: geomSpec{
			typ:         mjc.GeomSphere,
			quat:        [4]float64{1, 0, 0, 0},
			density:     1000,
			contype:     1,
			conaffinity: 1,
			condim:      3,
			friction:    [3]float64{1, 0.005, 0.0001},
			solref:      solref,
			solimp:      solimp,
			solmix:      1,
		},
		site:  siteSpec{quat: [4]float64{1, 0, 0, 0}},
		motor: motorSpec{gear: [6]float64{1}},
	}
}

// readOrientation reads at most one of quat, axisangle, euler, xyaxes and
// zaxis into q (a unit quaternion). It reports whether one was present.
func (c *compiler) readOrientation(r *reader, q *[4]float64) bool {
	var present []string
	for _, k := range []string{"quat", "axisangle", "euler", "xyaxes", "zaxis"} {
		if r.has(k) {
			present = append(present, k)
		}
	}
	if len(present) == 0 {
		return false
	}
	if len(present) > 1 {
		a, _ := r.get(present[1])
		r.fail(a, "conflicts with %q: give one orientation only", present[0])
		return false
	}
	a, _ := r.get(present[0])
	bad := func() bool { r.fail(a, "degenerate orientation %q", a.value); return false }
	switch present[0] {
	case "quat":
		var v [4]float64
		if !r.floats("quat", v[:], 4) {
			return false
		}
		n, ok := quatNormalize(v)
		if !ok {
			return bad()
		}
		*q = n
	case "axisangle":
		var v [4]float64
		if !r.floats("axisangle", v[:], 4) {
			return false
		}
		n, ok := axisAngleQuat([3]float64{v[0], v[1], v[2]}, c.angle(v[3]))
		if !ok {
			return bad()
		}
		*q = n
	case "euler":
		var v [3]float64
		if !r.floats("euler", v[:], 3) {
			return false
		}
		res := [4]float64{1, 0, 0, 0}
		for i, ax := range c.eulerseq {
			var axis [3]float64
			switch ax {
			case 'x', 'X':
				axis[0] = 1
			case 'y', 'Y':
				axis[1] = 1
			default:
				axis[2] = 1
			}
			rot, _ := axisAngleQuat(axis, c.angle(v[i]))
			if ax >= 'a' {
				res = quatMul(res, rot) // rotating (intrinsic) axes
			} else {
				res = quatMul(rot, res) // fixed (extrinsic) axes
			}
		}
		*q, _ = quatNormalize(res)
	case "xyaxes":
		var v [6]float64
		if !r.floats("xyaxes", v[:], 6) {
			return false
		}
		x, ok1 := normalize3([3]float64{v[0], v[1], v[2]})
		y := [3]float64{v[3], v[4], v[5]}
		d := dot3(x, y)
		y = [3]float64{y[0] - d*x[0], y[1] - d*x[1], y[2] - d*x[2]}
		y, ok2 := normalize3(y)
		if !ok1 || !ok2 {
			return bad()
		}
		z := cross3(x, y)
		*q = matToQuat([9]float64{x[0], y[0], z[0], x[1], y[1], z[1], x[2], y[2], z[2]})
	case "zaxis":
		var v [3]float64
		if !r.floats("zaxis", v[:], 3) {
			return false
		}
		n, ok := zToQuat(v)
		if !ok {
			return bad()
		}
		*q = n
	}
	return true
}

// angle converts an angle given in the file's unit to radians.
func (c *compiler) angle(v float64) float64 {
	if c.degree {
		return v * math.Pi / 180
	}
	return v
}

func (c *compiler) readJoint(r *reader, j *jointSpec) {
	var typ string
	if r.enum("type", &typ, "hinge", "slide", "ball", "free") {
		j.typ = map[string]mjc.JointType{"hinge": mjc.JointHinge, "slide": mjc.JointSlide, "ball": mjc.JointBall, "free": mjc.JointFree}[typ]
	}
	r.floats("pos", j.pos[:], 3)
	r.floats("axis", j.axis[:], 3)
	r.floats("range", j.rng[:], 2)
	r.limited("limited", &j.limited)
	r.float("ref", &j.ref)
	r.float("springref", &j.springref)
	r.nonneg("stiffness", &j.stiffness)
	r.nonneg("damping", &j.damping)
	r.nonneg("armature", &j.armature)
	r.float("margin", &j.margin)
	r.nonneg("frictionloss", &j.frictionloss)
	r.floats("solreflimit", j.solref[:], 1)
	r.floats("solimplimit", j.solimp[:], 1)
	r.ignore("user", "group", "solreffriction", "solimpfriction")
}

var geomTypes = map[string]mjc.GeomType{
	"plane": mjc.GeomPlane, "sphere": mjc.GeomSphere, "capsule": mjc.GeomCapsule,
	"ellipsoid": mjc.GeomEllipsoid, "cylinder": mjc.GeomCylinder, "box": mjc.GeomBox,
}

func (c *compiler) readGeom(r *reader, g *geomSpec) {
	var typ string
	if r.enum("type", &typ, "plane", "sphere", "capsule", "ellipsoid", "cylinder", "box") {
		g.typ = geomTypes[typ]
	}
	r.floats("size", g.size[:], 1)
	if r.floats("pos", g.pos[:], 3) {
		g.hasFromto = false
	}
	if c.readOrientation(r, &g.quat) {
		g.hasFromto = false
	}
	if r.floats("fromto", g.fromto[:], 6) {
		g.hasFromto = true
	}
	r.nonneg("density", &g.density)
	if r.nonneg("mass", &g.mass) {
		g.hasMass = true
	}
	r.integer("contype", &g.contype)
	r.integer("conaffinity", &g.conaffinity)
	if r.integer("condim", &g.condim) {
		switch g.condim {
		case 1, 3, 4, 6:
		default:
			a, _ := r.get("condim")
			r.fail(a, "condim must be 1, 3, 4 or 6, got %d", g.condim)
		}
	}
	r.integer("priority", &g.priority)
	if r.integer("group", &g.group) && (g.group < 0 || g.group > 5) {
		a, _ := r.get("group")
		r.fail(a, "group %d is outside the inertia group range [0, 5] (unsupported)", g.group)
	}
	r.floats("friction", g.friction[:], 1)
	r.floats("solref", g.solref[:], 1)
	r.floats("solimp", g.solimp[:], 1)
	r.nonneg("solmix", &g.solmix)
	r.nonneg("margin", &g.margin)
	r.nonneg("gap", &g.gap)
	r.ignore("rgba", "material", "user")
}

func (c *compiler) readSite(r *reader, s *siteSpec) {
	r.floats("pos", s.pos[:], 3)
	c.readOrientation(r, &s.quat)
	r.ignore("type", "size", "rgba", "material", "group", "user")
}

func (c *compiler) readMotor(r *reader, m *motorSpec) {
	r.floats("gear", m.gear[:], 1)
	r.floats("ctrlrange", m.ctrlrange[:], 2)
	r.limited("ctrllimited", &m.ctrllimited)
	r.floats("forcerange", m.forcerange[:], 2)
	r.limited("forcelimited", &m.forcelimited)
	r.ignore("group", "user")
}
