package mjc

import (
	"encoding/csv"
	"encoding/json"
	"github.com/boltzflow/boltzflow/internal/refdata"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

// refModels are the ten models of ../shared/data/mujoco/ref.
var refModels = []string{
	"ant", "half_cheetah", "hopper", "humanoid", "inverted_double_pendulum",
	"inverted_pendulum", "reacher", "swimmer", "walker2d", "walker2d_v5",
}

// refDir returns ../shared/data/mujoco/ref relative to the repository root,
// or skips the test when it is absent.
func refDir(t testing.TB) string {
	t.Helper()
	return refdata.Dir(t, "data", "mujoco", "ref")
}

type refOpt struct {
	Timestep     float64    `json:"timestep"`
	Gravity      [3]float64 `json:"gravity"`
	Density      float64    `json:"density"`
	Viscosity    float64    `json:"viscosity"`
	Impratio     float64    `json:"impratio"`
	Tolerance    float64    `json:"tolerance"`
	Integrator   int        `json:"integrator"`
	Cone         int        `json:"cone"`
	Solver       int        `json:"solver"`
	Iterations   int        `json:"iterations"`
	Disableflags int        `json:"disableflags"`
	Enableflags  int        `json:"enableflags"`
}

type refModelJSON struct {
	Nq, Nv, Nu, Nbody, Njnt, Ngeom, Nsite int
	Opt                                   refOpt    `json:"opt"`
	Qpos0                                 []float64 `json:"qpos0"`
	QposSpring                            []float64 `json:"qpos_spring"`
	Body                                  struct {
		Name        []string     `json:"name"`
		Parentid    []int        `json:"parentid"`
		Rootid      []int        `json:"rootid"`
		Weldid      []int        `json:"weldid"`
		Jntnum      []int        `json:"jntnum"`
		Dofnum      []int        `json:"dofnum"`
		Pos         [][3]float64 `json:"pos"`
		Quat        [][4]float64 `json:"quat"`
		Ipos        [][3]float64 `json:"ipos"`
		Iquat       [][4]float64 `json:"iquat"`
		Mass        []float64    `json:"mass"`
		Subtreemass []float64    `json:"subtreemass"`
		Inertia     [][3]float64 `json:"inertia"`
		Invweight0  [][2]float64 `json:"invweight0"`
	} `json:"body"`
	Joint struct {
		Name      []string     `json:"name"`
		Type      []int        `json:"type"`
		Bodyid    []int        `json:"bodyid"`
		Qposadr   []int        `json:"qposadr"`
		Dofadr    []int        `json:"dofadr"`
		Limited   []int        `json:"limited"`
		Pos       [][3]float64 `json:"pos"`
		Axis      [][3]float64 `json:"axis"`
		Range     [][2]float64 `json:"range"`
		Stiffness []float64    `json:"stiffness"`
		Margin    []float64    `json:"margin"`
		Solref    [][2]float64 `json:"solref"`
		Solimp    [][5]float64 `json:"solimp"`
	} `json:"joint"`
	Dof struct {
		Bodyid       []int     `json:"bodyid"`
		Jntid        []int     `json:"jntid"`
		Parentid     []int     `json:"parentid"`
		Armature     []float64 `json:"armature"`
		Damping      []float64 `json:"damping"`
		Frictionloss []float64 `json:"frictionloss"`
		Invweight0   []float64 `json:"invweight0"`
		M0           []float64 `json:"M0"`
	} `json:"dof"`
	Geom struct {
		Name        []string     `json:"name"`
		Type        []int        `json:"type"`
		Bodyid      []int        `json:"bodyid"`
		Contype     []int        `json:"contype"`
		Conaffinity []int        `json:"conaffinity"`
		Condim      []int        `json:"condim"`
		Priority    []int        `json:"priority"`
		Size        [][3]float64 `json:"size"`
		Pos         [][3]float64 `json:"pos"`
		Quat        [][4]float64 `json:"quat"`
		Friction    [][3]float64 `json:"friction"`
		Margin      []float64    `json:"margin"`
		Gap         []float64    `json:"gap"`
		Solmix      []float64    `json:"solmix"`
		Solref      [][2]float64 `json:"solref"`
		Solimp      [][5]float64 `json:"solimp"`
	} `json:"geom"`
	Site struct {
		Name   []string     `json:"name"`
		Bodyid []int        `json:"bodyid"`
		Pos    [][3]float64 `json:"pos"`
	} `json:"site"`
	Actuator struct {
		Name         []string     `json:"name"`
		TrnidJoint   []int        `json:"trnid_joint"`
		Gear         []float64    `json:"gear"`
		Ctrllimited  []int        `json:"ctrllimited"`
		Ctrlrange    [][2]float64 `json:"ctrlrange"`
		Forcelimited []int        `json:"forcelimited"`
		Gainprm0     []float64    `json:"gainprm0"`
	} `json:"actuator"`
}

func readJSON(t testing.TB, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, v), path)
}

// loadRefModel builds a Model from ref/<name>.model.json (inputs only; the
// derived fields come from SetConst) and returns it with the parsed JSON.
// dir may be "" for ref/ or a subdirectory such as "variants".
func loadRefModel(t testing.TB, dir, name string) (*Model, *refModelJSON) {
	t.Helper()
	var r refModelJSON
	readJSON(t, filepath.Join(refDir(t), dir, name+".model.json"), &r)
	m := &Model{
		Opt: Option{
			Timestep:   r.Opt.Timestep,
			Gravity:    r.Opt.Gravity,
			Density:    r.Opt.Density,
			Viscosity:  r.Opt.Viscosity,
			Impratio:   r.Opt.Impratio,
			Tolerance:  r.Opt.Tolerance,
			Integrator: Integrator(r.Opt.Integrator),
			Cone:       Cone(r.Opt.Cone),
			Solver:     Solver(r.Opt.Solver),
			Iterations: r.Opt.Iterations,
			Disable:    DisableFlags(r.Opt.Disableflags),
			Enable:     EnableFlags(r.Opt.Enableflags),
		},
		Qpos0:      r.Qpos0,
		QposSpring: r.QposSpring,

		BodyName:    r.Body.Name,
		BodyParent:  r.Body.Parentid,
		BodyPos:     r.Body.Pos,
		BodyQuat:    r.Body.Quat,
		BodyIPos:    r.Body.Ipos,
		BodyIQuat:   r.Body.Iquat,
		BodyMass:    r.Body.Mass,
		BodyInertia: r.Body.Inertia,

		JntName:      r.Joint.Name,
		JntBody:      r.Joint.Bodyid,
		JntPos:       r.Joint.Pos,
		JntAxis:      r.Joint.Axis,
		JntRange:     r.Joint.Range,
		JntStiffness: r.Joint.Stiffness,
		JntMargin:    r.Joint.Margin,
		JntSolref:    r.Joint.Solref,
		JntSolimp:    r.Joint.Solimp,

		DofArmature:     r.Dof.Armature,
		DofDamping:      r.Dof.Damping,
		DofFrictionloss: r.Dof.Frictionloss,

		GeomName:        r.Geom.Name,
		GeomBody:        r.Geom.Bodyid,
		GeomContype:     r.Geom.Contype,
		GeomConaffinity: r.Geom.Conaffinity,
		GeomCondim:      r.Geom.Condim,
		GeomPriority:    r.Geom.Priority,
		GeomSize:        r.Geom.Size,
		GeomPos:         r.Geom.Pos,
		GeomQuat:        r.Geom.Quat,
		GeomFriction:    r.Geom.Friction,
		GeomMargin:      r.Geom.Margin,
		GeomGap:         r.Geom.Gap,
		GeomSolmix:      r.Geom.Solmix,
		GeomSolref:      r.Geom.Solref,
		GeomSolimp:      r.Geom.Solimp,

		SiteName: r.Site.Name,
		SiteBody: r.Site.Bodyid,
		SitePos:  r.Site.Pos,

		ActName:      r.Actuator.Name,
		ActTrnID:     r.Actuator.TrnidJoint,
		ActGear:      r.Actuator.Gear,
		ActGain:      r.Actuator.Gainprm0,
		ActCtrlRange: r.Actuator.Ctrlrange,
	}
	if m.SiteBody == nil {
		m.SiteBody = []int{}
		m.SitePos = [][3]float64{}
	}
	for _, t := range r.Joint.Type {
		m.JntType = append(m.JntType, JointType(t))
	}
	for _, l := range r.Joint.Limited {
		m.JntLimited = append(m.JntLimited, l != 0)
	}
	for _, g := range r.Geom.Type {
		m.GeomType = append(m.GeomType, GeomType(g))
	}
	for i := range r.Actuator.Ctrllimited {
		m.ActCtrlLimited = append(m.ActCtrlLimited, r.Actuator.Ctrllimited[i] != 0)
		m.ActForceLimited = append(m.ActForceLimited, r.Actuator.Forcelimited[i] != 0)
	}
	m.ActForceRange = make([][2]float64, len(m.ActTrnID))
	require.NoError(t, m.SetConst(), name)
	return m, &r
}

// closeRel reports whether got ≈ want: |got − want| ≤ tol·max(|want|, scale).
func closeRel(got, want, tol, scale float64) bool {
	return math.Abs(got-want) <= tol*math.Max(math.Abs(want), scale)
}

// requireVec checks got against want elementwise with relative tolerance
// tol; entries much smaller than the vector's largest are compared with
// tol·1e-3·‖want‖∞ as absolute floor.
func requireVec(t testing.TB, got, want []float64, tol float64, what string) {
	t.Helper()
	require.Len(t, got, len(want), what)
	scale := 0.0
	for _, w := range want {
		scale = math.Max(scale, math.Abs(w))
	}
	scale = math.Max(scale*1e-3, 1e-12)
	for i := range want {
		if !closeRel(got[i], want[i], tol, scale) {
			require.Failf(t, "mismatch", "%s[%d]: got %.17g want %.17g (rel %.3g)", what, i, got[i], want[i],
				math.Abs(got[i]-want[i])/math.Max(math.Abs(want[i]), scale))
		}
	}
}

func flat3(x [][3]float64) []float64 {
	out := make([]float64, 0, 3*len(x))
	for _, v := range x {
		out = append(out, v[:]...)
	}
	return out
}

func flatN[T any](x []T, f func(T) []float64) []float64 {
	var out []float64
	for _, v := range x {
		out = append(out, f(v)...)
	}
	return out
}

func flatRows(x [][]float64) []float64 {
	var out []float64
	for _, v := range x {
		out = append(out, v...)
	}
	return out
}

type refState struct {
	Qpos, Qvel, Ctrl []float64
	M                [][]float64 `json:"M"`
	QfrcBias         []float64   `json:"qfrc_bias"`
	QfrcPassive      []float64   `json:"qfrc_passive"`
	QfrcActuator     []float64   `json:"qfrc_actuator"`
	QaccSmooth       []float64   `json:"qacc_smooth"`
	Qacc             []float64   `json:"qacc"`
	Energy           []float64   `json:"energy_pot_kin"`
	Xpos             [][]float64 `json:"xpos"`
	Xquat            [][]float64 `json:"xquat"`
	Xipos            [][]float64 `json:"xipos"`
	GeomXpos         [][]float64 `json:"geom_xpos"`
	GeomXmat         [][]float64 `json:"geom_xmat"`
	Cinert           [][]float64 `json:"cinert"`
	Cvel             [][]float64 `json:"cvel"`
	SubtreeCom       [][]float64 `json:"subtree_com"`
}

type refStates struct {
	Random []refState `json:"random"`
}

// readCSV reads a rollout CSV into a header index and float rows (empty
// cells are NaN).
func readCSV(t testing.TB, path string) (map[string]int, [][]float64) {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	rows := make([][]float64, len(recs)-1)
	for r, rec := range recs[1:] {
		rows[r] = make([]float64, len(rec))
		for i, s := range rec {
			if s == "" {
				rows[r][i] = math.NaN()
				continue
			}
			v, err := strconv.ParseFloat(s, 64)
			require.NoError(t, err, "%s row %d col %d", path, r+2, i)
			rows[r][i] = v
		}
	}
	return col, rows
}
