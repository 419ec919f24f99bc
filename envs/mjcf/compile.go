package mjcf

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"os"
	"strings"

	"github.com/boltzflow/boltzflow/envs/assets"
	"github.com/boltzflow/boltzflow/envs/mjc"
)

// Compile reads an MJCF document from r and compiles it into a model ready for
// simulation (mjc.Model.SetConst has been called). name is used in error
// messages (normally the file name). Unsupported elements or attributes and
// malformed XML give an error of the form "name:line: element <tag>: ...".
func Compile(r io.Reader, name string) (*mjc.Model, error) {
	src, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	src = bytes.TrimPrefix(src, []byte("\xef\xbb\xbf")) // UTF-8 byte order mark
	root, err := parseXML(src, name)
	if err != nil {
		return nil, err
	}
	c := newCompiler(name)
	if err := c.document(root); err != nil {
		return nil, err
	}
	m, err := c.model()
	if err != nil {
		return nil, err
	}
	if err := m.SetConst(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return m, nil
}

// CompileFile compiles the MJCF file at path (see Compile).
func CompileFile(path string) (*mjc.Model, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Compile(f, path)
}

type bodyB struct {
	name     string
	line     int
	parent   int
	pos      [3]float64
	quat     [4]float64
	joints   []int
	geoms    []int
	sites    []int
	inertial *inertialB
	mass     float64
	ipos     [3]float64
	iquat    [4]float64
	inertia  [3]float64
}

type inertialB struct {
	line    int
	pos     [3]float64
	quat    [4]float64
	mass    float64
	inertia [3]float64
}

type jointB struct {
	name    string
	line    int
	body    int
	spec    jointSpec
	limited bool
}

type geomB struct {
	name    string
	line    int
	body    int
	spec    geomSpec
	mass    float64
	inertia [3]float64
}

type siteB struct {
	name string
	line int
	body int
	spec siteSpec
}

type motorB struct {
	name         string
	line         int
	joint        int
	spec         motorSpec
	ctrllimited  bool
	forcelimited bool
}

// compiler holds the state of one compilation.
type compiler struct {
	file string

	// <compiler>
	degree          bool
	inertiaFromGeom string // "true", "false" or "auto"
	totalMass       float64
	hasTotalMass    bool
	autolimits      bool
	eulerseq        string
	boundMass       float64
	boundInertia    float64

	opt mjc.Option

	classes map[string]*class
	mainSet bool

	bodies []*bodyB
	joints []*jointB
	geoms  []*geomB
	sites  []*siteB
	motors []*motorB

	tendonJoints []*attr // joint references of fixed tendons, checked after the worldbody
}

func newCompiler(file string) *compiler {
	return &compiler{
		file:            file,
		degree:          true,
		inertiaFromGeom: "auto",
		autolimits:      true,
		eulerseq:        "xyz",
		opt:             mjc.DefaultOption(),
		classes:         map[string]*class{"main": builtinClass()},
	}
}

func (c *compiler) errorf(n *node, format string, args ...any) error {
	return errorf(c.file, n.line, n.name, format, args...)
}

// ignoredSections are top-level elements without effect on the dynamics that
// are skipped entirely (rendering, memory sizes, metadata, sensors, keyframes).
var ignoredSections = map[string]bool{
	"visual": true, "asset": true, "size": true, "statistic": true, "custom": true,
	"sensor": true, "keyframe": true, "extension": true,
}

// document compiles the root <mujoco> element. As in MuJoCo, sections are
// processed in a fixed order whatever their order in the file.
func (c *compiler) document(root *node) error {
	if root.name != "mujoco" {
		return c.errorf(root, "the root element must be <mujoco>")
	}
	r := c.reader(root)
	r.ignore("model")
	if err := r.finish(); err != nil {
		return err
	}
	order := []string{"compiler", "option", "default", "worldbody", "tendon", "actuator", "contact", "equality"}
	known := map[string]bool{}
	for _, s := range order {
		known[s] = true
	}
	for _, ch := range root.children {
		if !known[ch.name] && !ignoredSections[ch.name] {
			return c.errorf(ch, "unsupported element")
		}
	}
	c.bodies = []*bodyB{{name: "world", parent: 0, quat: [4]float64{1, 0, 0, 0}, iquat: [4]float64{1, 0, 0, 0}}}
	for _, sec := range order {
		for _, ch := range root.children {
			if ch.name != sec {
				continue
			}
			var err error
			switch sec {
			case "compiler":
				err = c.compilerElem(ch)
			case "option":
				err = c.option(ch)
			case "default":
				if c.mainSet {
					return c.errorf(ch, "only one top-level <default> is supported")
				}
				c.mainSet = true
				err = c.defaultClass(ch, nil)
			case "worldbody":
				err = c.worldbody(ch)
			case "tendon":
				err = c.tendon(ch)
			case "actuator":
				err = c.actuator(ch)
			case "contact", "equality":
				r := c.reader(ch)
				if err = r.finish(); err == nil && len(ch.children) > 0 {
					err = c.errorf(ch.children[0], "unsupported element (in <%s>)", sec)
				}
			}
			if err != nil {
				return err
			}
		}
	}
	for _, a := range c.tendonJoints {
		if c.jointID(a.value) < 0 {
			return errorf(c.file, a.line, "joint", "tendon references unknown joint %q", a.value)
		}
	}
	return c.inertias()
}

func (c *compiler) compilerElem(n *node) error {
	r := c.reader(n)
	var angle string
	if r.enum("angle", &angle, "degree", "radian") {
		c.degree = angle == "degree"
	}
	var coord string
	if r.enum("coordinate", &coord, "local", "global") && coord == "global" {
		a, _ := r.get("coordinate")
		r.fail(a, `coordinate="global" is not supported (use local coordinates)`)
	}
	r.enum("inertiafromgeom", &c.inertiaFromGeom, "true", "false", "auto")
	if r.float("settotalmass", &c.totalMass) {
		c.hasTotalMass = c.totalMass > 0
	}
	r.boolean("autolimits", &c.autolimits)
	if r.str("eulerseq", &c.eulerseq) {
		ok := len(c.eulerseq) == 3
		for _, ch := range c.eulerseq {
			switch ch {
			case 'x', 'y', 'z', 'X', 'Y', 'Z':
			default:
				ok = false
			}
		}
		if !ok {
			a, _ := r.get("eulerseq")
			r.fail(a, "expected three of xyzXYZ, got %q", c.eulerseq)
		}
	}
	r.nonneg("boundmass", &c.boundMass)
	r.nonneg("boundinertia", &c.boundInertia)
	var b bool
	if r.boolean("balanceinertia", &b) && b {
		a, _ := r.get("balanceinertia")
		r.fail(a, "balanceinertia=\"true\" is not supported")
	}
	if r.boolean("fusestatic", &b) && b {
		a, _ := r.get("fusestatic")
		r.fail(a, "fusestatic=\"true\" is not supported (joint-less bodies are welded to their parent instead)")
	}
	var grp [2]float64
	if r.floats("inertiagrouprange", grp[:], 2) && (grp[0] > 0 || grp[1] < 5) {
		a, _ := r.get("inertiagrouprange")
		r.fail(a, "only the default range 0 5 is supported")
	}
	// Asset paths and mesh processing options have no effect on the subset.
	r.ignore("strippath", "meshdir", "texturedir", "assetdir", "discardvisual", "convexhull", "usethread")
	if err := r.finish(); err != nil {
		return err
	}
	for _, ch := range n.children {
		if ch.name != "lengthrange" {
			return c.errorf(ch, "unsupported element (in <compiler>)")
		}
	}
	return nil
}

func (c *compiler) option(n *node) error {
	r := c.reader(n)
	o := &c.opt
	if r.float("timestep", &o.Timestep) && o.Timestep <= 0 {
		a, _ := r.get("timestep")
		r.fail(a, "must be positive")
	}
	r.floats("gravity", o.Gravity[:], 3)
	r.floats("wind", o.Wind[:], 3)
	r.nonneg("density", &o.Density)
	r.nonneg("viscosity", &o.Viscosity)
	if r.float("impratio", &o.Impratio) && o.Impratio <= 0 {
		a, _ := r.get("impratio")
		r.fail(a, "must be positive")
	}
	r.nonneg("tolerance", &o.Tolerance)
	var s string
	if r.enum("integrator", &s, "Euler", "RK4") {
		o.Integrator = map[string]mjc.Integrator{"Euler": mjc.Euler, "RK4": mjc.RK4}[s]
	}
	if r.enum("cone", &s, "pyramidal", "elliptic") && s == "elliptic" {
		a, _ := r.get("cone")
		r.fail(a, "elliptic friction cones are not supported")
	}
	if r.enum("solver", &s, "PGS", "CG", "Newton") {
		o.Solver = map[string]mjc.Solver{"PGS": mjc.SolverPGS, "CG": mjc.SolverCG, "Newton": mjc.SolverNewton}[s]
	}
	if r.integer("iterations", &o.Iterations) && o.Iterations < 1 {
		a, _ := r.get("iterations")
		r.fail(a, "must be at least 1")
	}
	// Contact pairs are not supported (rejected in <contact>), so "dynamic"
	// equals "all", and "predefined" (pairs only) means no contacts at all.
	if r.enum("collision", &s, "all", "predefined", "dynamic") && s == "predefined" {
		o.Disable |= mjc.DisableContact
	}
	var k int
	if r.integer("noslip_iterations", &k) && k != 0 {
		a, _ := r.get("noslip_iterations")
		r.fail(a, "the noslip solver is not supported")
	}
	r.enum("jacobian", &s, "dense", "sparse", "auto") // storage format only
	// magnetic matters only to magnetometer sensors; the override parameters
	// only with the override flag (rejected below); apirate, mpr_* (mesh
	// collisions) and noslip_tolerance are unused by the supported subset.
	r.ignore("magnetic", "o_margin", "o_solref", "o_solimp", "apirate", "mpr_tolerance", "mpr_iterations", "noslip_tolerance")
	if err := r.finish(); err != nil {
		return err
	}
	for _, ch := range n.children {
		if ch.name != "flag" {
			return c.errorf(ch, "unsupported element (in <option>)")
		}
		if err := c.flags(ch); err != nil {
			return err
		}
	}
	return nil
}

var disableBits = map[string]mjc.DisableFlags{
	"constraint": mjc.DisableConstraint, "equality": mjc.DisableEquality,
	"frictionloss": mjc.DisableFrictionloss, "limit": mjc.DisableLimit,
	"contact": mjc.DisableContact, "passive": mjc.DisablePassive,
	"gravity": mjc.DisableGravity, "clampctrl": mjc.DisableClampCtrl,
	"warmstart": mjc.DisableWarmstart, "filterparent": mjc.DisableFilterParent,
	"actuation": mjc.DisableActuation, "refsafe": mjc.DisableRefsafe,
}

func (c *compiler) flags(n *node) error {
	r := c.reader(n)
	for name, bit := range disableBits {
		var s string
		if r.enum(name, &s, "enable", "disable") {
			if s == "disable" {
				c.opt.Disable |= bit
			} else {
				c.opt.Disable &^= bit
			}
		}
	}
	var s string
	if r.enum("energy", &s, "enable", "disable") {
		if s == "enable" {
			c.opt.Enable |= mjc.EnableEnergy
		} else {
			c.opt.Enable &^= mjc.EnableEnergy
		}
	}
	if r.enum("override", &s, "enable", "disable") && s == "enable" {
		a, _ := r.get("override")
		r.fail(a, "contact parameter override is not supported")
	}
	// Sensor-only and diagnostic flags.
	r.ignore("fwdinv", "sensornoise", "solverstat")
	return r.finish()
}

// defaultClass reads a <default> element and its nested classes.
func (c *compiler) defaultClass(n *node, parent *class) error {
	r := c.reader(n)
	name := "main"
	if r.str("class", &name) && name == "" {
		a, _ := r.get("class")
		r.fail(a, "empty class name")
	}
	if err := r.finish(); err != nil {
		return err
	}
	var cl *class
	if parent == nil {
		if name != "main" {
			return c.errorf(n, "the top-level default class must be unnamed or \"main\", got %q", name)
		}
		cl = c.classes["main"]
	} else {
		if !r.has("class") {
			return c.errorf(n, "a nested <default> needs a class attribute")
		}
		if _, dup := c.classes[name]; dup {
			return c.errorf(n, "duplicate default class %q", name)
		}
		cp := *parent
		cp.name = name
		cl = &cp
		c.classes[name] = cl
	}
	// A class's own settings first, then its nested classes (which inherit
	// them), whatever their order in the file.
	for _, ch := range n.children {
		if ch.name == "default" {
			continue
		}
		var err error
		switch ch.name {
		case "joint":
			cr := c.reader(ch)
			c.readJoint(cr, &cl.joint)
			err = cr.finish()
		case "geom":
			cr := c.reader(ch)
			c.readGeom(cr, &cl.geom)
			err = cr.finish()
		case "site":
			cr := c.reader(ch)
			c.readSite(cr, &cl.site)
			err = cr.finish()
		case "motor":
			cr := c.reader(ch)
			c.readMotor(cr, &cl.motor)
			err = cr.finish()
		case "tendon", "camera", "light", "mesh", "material":
			// Defaults of ignored or rendering-only elements.
		default:
			err = c.errorf(ch, "unsupported element (in <default>)")
		}
		if err != nil {
			return err
		}
	}
	for _, ch := range n.children {
		if ch.name == "default" {
			if err := c.defaultClass(ch, cl); err != nil {
				return err
			}
		}
	}
	return nil
}

// classFor returns the class named by an element's class attribute, else the
// inherited childclass.
func (c *compiler) classFor(r *reader, inherited *class) *class {
	a, ok := r.get("class")
	if !ok {
		return inherited
	}
	cl, ok := c.classes[a.value]
	if !ok {
		r.fail(a, "unknown default class %q", a.value)
		return inherited
	}
	return cl
}

func (c *compiler) worldbody(n *node) error {
	r := c.reader(n)
	if err := r.finish(); err != nil {
		return err
	}
	return c.bodyChildren(n, 0, c.classes["main"])
}

// bodyChildren reads the joints, geoms, sites and child bodies of body id.
func (c *compiler) bodyChildren(n *node, id int, cls *class) error {
	b := c.bodies[id]
	for _, ch := range n.children {
		var err error
		switch ch.name {
		case "body":
			err = c.body(ch, id, cls)
		case "joint", "freejoint":
			if id == 0 {
				return c.errorf(ch, "joints are not allowed in the world body")
			}
			err = c.joint(ch, id, cls)
		case "geom":
			err = c.geom(ch, id, cls)
		case "site":
			err = c.site(ch, id, cls)
		case "inertial":
			if id == 0 {
				return c.errorf(ch, "<inertial> is not allowed in the world body")
			}
			if b.inertial != nil {
				return c.errorf(ch, "a body may have only one <inertial>")
			}
			err = c.inertial(ch, b)
		case "camera", "light":
			// Rendering only.
		default:
			err = c.errorf(ch, "unsupported element (in <%s>)", n.name)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (c *compiler) body(n *node, parent int, inherited *class) error {
	r := c.reader(n)
	b := &bodyB{line: n.line, parent: parent, quat: [4]float64{1, 0, 0, 0}}
	r.str("name", &b.name)
	cls := inherited
	if a, ok := r.get("childclass"); ok {
		cl, ok := c.classes[a.value]
		if !ok {
			r.fail(a, "unknown default class %q", a.value)
		} else {
			cls = cl
		}
	}
	r.floats("pos", b.pos[:], 3)
	c.readOrientation(r, &b.quat)
	var mocap bool
	if r.boolean("mocap", &mocap) && mocap {
		a, _ := r.get("mocap")
		r.fail(a, "mocap bodies are not supported")
	}
	var grav float64
	if r.float("gravcomp", &grav) && grav != 0 {
		a, _ := r.get("gravcomp")
		r.fail(a, "gravity compensation is not supported")
	}
	r.ignore("user")
	if err := r.finish(); err != nil {
		return err
	}
	if b.name != "" {
		for _, o := range c.bodies {
			if o.name == b.name {
				return c.errorf(n, "duplicate body name %q", b.name)
			}
		}
	}
	c.bodies = append(c.bodies, b)
	return c.bodyChildren(n, len(c.bodies)-1, cls)
}

func (c *compiler) joint(n *node, body int, inherited *class) error {
	r := c.reader(n)
	j := &jointB{line: n.line, body: body}
	r.str("name", &j.name)
	if n.name == "freejoint" {
		j.spec = builtinClass().joint
		j.spec.typ = mjc.JointFree
		r.ignore("group")
	} else {
		cls := c.classFor(r, inherited)
		j.spec = cls.joint
		c.readJoint(r, &j.spec)
	}
	if err := r.finish(); err != nil {
		return err
	}
	s := &j.spec
	if j.name != "" && c.jointID(j.name) >= 0 {
		return c.errorf(n, "duplicate joint name %q", j.name)
	}
	if s.frictionloss != 0 {
		return c.errorf(n, "joint frictionloss is not supported")
	}
	b := c.bodies[body]
	switch s.typ {
	case mjc.JointFree:
		if b.parent != 0 {
			return c.errorf(n, "a free joint is allowed only in a child of the world body")
		}
		if len(b.joints) > 0 {
			return c.errorf(n, "a free joint must be the only joint of its body")
		}
	case mjc.JointHinge, mjc.JointSlide:
		axis, ok := normalize3(s.axis)
		if !ok {
			return c.errorf(n, "joint axis has zero length")
		}
		s.axis = axis
	case mjc.JointBall:
	}
	if len(b.joints) > 0 && c.joints[b.joints[0]].spec.typ == mjc.JointFree {
		return c.errorf(n, "a free joint must be the only joint of its body")
	}
	if s.typ == mjc.JointHinge || s.typ == mjc.JointBall {
		s.rng = [2]float64{c.angle(s.rng[0]), c.angle(s.rng[1])}
	}
	if s.typ == mjc.JointHinge {
		s.ref = c.angle(s.ref)
		s.springref = c.angle(s.springref)
	}
	hasRange := s.rng[0] != 0 || s.rng[1] != 0
	switch s.limited {
	case limitedTrue:
		j.limited = true
	case limitedAuto:
		if hasRange && !c.autolimits {
			return c.errorf(n, "range is given but limited is not (and compiler autolimits is false)")
		}
		j.limited = hasRange
	}
	if j.limited && s.typ == mjc.JointFree {
		return c.errorf(n, "free joints cannot be limited")
	}
	if j.limited && s.typ != mjc.JointBall && s.rng[0] >= s.rng[1] {
		return c.errorf(n, "limited joint needs range[0] < range[1], got %v (in %s)", s.rng, map[bool]string{true: "rad", false: "m"}[s.typ == mjc.JointHinge])
	}
	c.joints = append(c.joints, j)
	b.joints = append(b.joints, len(c.joints)-1)
	return nil
}

func (c *compiler) jointID(name string) int {
	for i, j := range c.joints {
		if j.name == name {
			return i
		}
	}
	return -1
}

func (c *compiler) geom(n *node, body int, inherited *class) error {
	r := c.reader(n)
	g := &geomB{line: n.line, body: body}
	r.str("name", &g.name)
	cls := c.classFor(r, inherited)
	g.spec = cls.geom
	c.readGeom(r, &g.spec)
	if err := r.finish(); err != nil {
		return err
	}
	s := &g.spec
	if s.hasFromto {
		if s.typ != mjc.GeomCapsule && s.typ != mjc.GeomCylinder {
			return c.errorf(n, "fromto is supported for capsules and cylinders only")
		}
		f := s.fromto
		vec := [3]float64{f[0] - f[3], f[1] - f[4], f[2] - f[5]}
		half := math.Sqrt(dot3(vec, vec)) / 2
		if half < 1e-15 {
			return c.errorf(n, "fromto has zero length")
		}
		s.size[1] = half
		s.pos = [3]float64{(f[0] + f[3]) / 2, (f[1] + f[4]) / 2, (f[2] + f[5]) / 2}
		s.quat, _ = zToQuat(vec)
	}
	need := map[mjc.GeomType]int{mjc.GeomSphere: 1, mjc.GeomCapsule: 2, mjc.GeomCylinder: 2, mjc.GeomEllipsoid: 3, mjc.GeomBox: 3}[s.typ]
	for i := 0; i < 3; i++ {
		if s.size[i] < 0 || (i < need && s.size[i] <= 0) {
			return c.errorf(n, "%s geom needs %d positive size values, got %v", typeName(s.typ), need, s.size)
		}
	}
	if g.name != "" {
		for _, o := range c.geoms {
			if o.name == g.name {
				return c.errorf(n, "duplicate geom name %q", g.name)
			}
		}
	}
	vol := geomVolume(s.typ, s.size)
	if s.hasMass {
		g.mass = s.mass
	} else {
		g.mass = s.density * vol
	}
	g.inertia = geomInertia(s.typ, s.size, g.mass)
	if !finite(g.mass, g.inertia[0], g.inertia[1], g.inertia[2]) {
		return c.errorf(n, "mass or inertia overflows (size %v, density %v)", s.size, s.density)
	}
	c.geoms = append(c.geoms, g)
	c.bodies[body].geoms = append(c.bodies[body].geoms, len(c.geoms)-1)
	return nil
}

func typeName(t mjc.GeomType) string {
	for k, v := range geomTypes {
		if v == t {
			return k
		}
	}
	return fmt.Sprint(int(t))
}

func (c *compiler) site(n *node, body int, inherited *class) error {
	r := c.reader(n)
	s := &siteB{line: n.line, body: body}
	r.str("name", &s.name)
	cls := c.classFor(r, inherited)
	s.spec = cls.site
	c.readSite(r, &s.spec)
	if err := r.finish(); err != nil {
		return err
	}
	if s.name != "" {
		for _, o := range c.sites {
			if o.name == s.name {
				return c.errorf(n, "duplicate site name %q", s.name)
			}
		}
	}
	c.sites = append(c.sites, s)
	c.bodies[body].sites = append(c.bodies[body].sites, len(c.sites)-1)
	return nil
}

func (c *compiler) inertial(n *node, b *bodyB) error {
	r := c.reader(n)
	in := &inertialB{line: n.line, quat: [4]float64{1, 0, 0, 0}}
	if !r.floats("pos", in.pos[:], 3) && r.err == nil {
		return c.errorf(n, "missing attribute \"pos\"")
	}
	c.readOrientation(r, &in.quat)
	if !r.nonneg("mass", &in.mass) && r.err == nil {
		return c.errorf(n, "missing attribute \"mass\"")
	}
	hasDiag := r.floats("diaginertia", in.inertia[:], 3)
	var full [6]float64
	hasFull := r.floats("fullinertia", full[:], 6)
	if err := r.finish(); err != nil {
		return err
	}
	switch {
	case hasDiag && hasFull:
		return c.errorf(n, "give diaginertia or fullinertia, not both")
	case hasFull:
		t := [9]float64{full[0], full[3], full[4], full[3], full[1], full[5], full[4], full[5], full[2]}
		d, q, ok := principalInertia(t)
		if !ok {
			return c.errorf(n, "fullinertia could not be diagonalised")
		}
		in.inertia = d
		in.quat, _ = quatNormalize(quatMul(in.quat, q))
	case !hasDiag:
		return c.errorf(n, "missing attribute \"diaginertia\" or \"fullinertia\"")
	}
	for _, v := range in.inertia {
		if v < 0 {
			return c.errorf(n, "inertia must be non-negative, got %v", in.inertia)
		}
	}
	b.inertial = in
	return nil
}

// tendon validates the <tendon> section. Fixed and spatial tendons are parsed
// and deliberately ignored: without stiffness, damping, limits, friction or
// actuators attached they do not affect the dynamics, and any of those is
// rejected as unsupported.
func (c *compiler) tendon(n *node) error {
	r := c.reader(n)
	if err := r.finish(); err != nil {
		return err
	}
	for _, t := range n.children {
		if t.name != "fixed" && t.name != "spatial" {
			return c.errorf(t, "unsupported element (in <tendon>)")
		}
		tr := c.reader(t)
		tr.ignore("name", "class", "width", "rgba", "material", "group", "user", "range", "springlength",
			"solreflimit", "solimplimit", "solreffriction", "solimpfriction", "margin")
		var lim limitedFlag
		if tr.limited("limited", &lim) && lim == limitedTrue {
			a, _ := tr.get("limited")
			tr.fail(a, "tendon limits are not supported")
		}
		for _, k := range []string{"stiffness", "damping", "frictionloss"} {
			var v float64
			if tr.float(k, &v) && v != 0 {
				a, _ := tr.get(k)
				tr.fail(a, "tendon %s is not supported", k)
			}
		}
		if err := tr.finish(); err != nil {
			return err
		}
		for _, e := range t.children {
			er := c.reader(e)
			switch {
			case t.name == "fixed" && e.name == "joint":
				var coef float64
				er.float("coef", &coef)
				if a, ok := er.get("joint"); ok {
					c.tendonJoints = append(c.tendonJoints, a)
				} else if er.err == nil {
					return c.errorf(e, "missing attribute \"joint\"")
				}
			case t.name == "spatial" && (e.name == "site" || e.name == "geom" || e.name == "pulley"):
				er.ignore("site", "geom", "sidesite", "divisor")
			default:
				return c.errorf(e, "unsupported element (in <%s>)", t.name)
			}
			if err := er.finish(); err != nil {
				return err
			}
		}
	}
	return nil
}

func (c *compiler) actuator(n *node) error {
	r := c.reader(n)
	if err := r.finish(); err != nil {
		return err
	}
	for _, ch := range n.children {
		if ch.name != "motor" {
			return c.errorf(ch, "unsupported actuator type (only <motor> is supported)")
		}
		ar := c.reader(ch)
		m := &motorB{line: ch.line, joint: -1}
		ar.str("name", &m.name)
		cls := c.classFor(ar, c.classes["main"])
		m.spec = cls.motor
		c.readMotor(ar, &m.spec)
		var jname string
		hasJoint := ar.str("joint", &jname)
		if err := ar.finish(); err != nil {
			return err
		}
		if !hasJoint {
			return c.errorf(ch, "missing attribute \"joint\" (only joint transmissions are supported)")
		}
		m.joint = c.jointID(jname)
		if m.joint < 0 {
			return c.errorf(ch, "unknown joint %q", jname)
		}
		if t := c.joints[m.joint].spec.typ; t != mjc.JointHinge && t != mjc.JointSlide {
			return c.errorf(ch, "motors are supported on hinge and slide joints only")
		}
		if m.name != "" {
			for _, o := range c.motors {
				if o.name == m.name {
					return c.errorf(ch, "duplicate actuator name %q", m.name)
				}
			}
		}
		s := &m.spec
		var err error
		m.ctrllimited, err = c.resolveLimited(ch, "ctrl", s.ctrllimited, s.ctrlrange)
		if err != nil {
			return err
		}
		m.forcelimited, err = c.resolveLimited(ch, "force", s.forcelimited, s.forcerange)
		if err != nil {
			return err
		}
		c.motors = append(c.motors, m)
	}
	return nil
}

func (c *compiler) resolveLimited(n *node, what string, f limitedFlag, rng [2]float64) (bool, error) {
	has := rng[0] != 0 || rng[1] != 0
	lim := f == limitedTrue
	if f == limitedAuto {
		if has && !c.autolimits {
			return false, c.errorf(n, "%srange is given but %slimited is not (and compiler autolimits is false)", what, what)
		}
		lim = has
	}
	if lim && rng[0] >= rng[1] {
		return false, c.errorf(n, "%slimited needs %srange[0] < %srange[1], got %v", what, what, what, rng)
	}
	return lim, nil
}

// CompileAsset compiles one of the project's embedded model files (package
// envs/assets), e.g. "hopper" or "walker2d_v5".
func CompileAsset(name string) (*mjc.Model, error) {
	f, err := assets.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if !strings.HasSuffix(name, ".xml") {
		name += ".xml"
	}
	return Compile(f, "assets/"+name)
}

func finite(xs ...float64) bool {
	for _, x := range xs {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return false
		}
	}
	return true
}
