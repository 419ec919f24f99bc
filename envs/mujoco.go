package envs

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/boltzflow/boltzflow/envs/mjc"
	"github.com/boltzflow/boltzflow/envs/mjcf"
)

// MujocoEnv is the part every MuJoCo task shares, as Gymnasium's MujocoEnv:
// the compiled model and its simulation data, frame skipping, the action
// rule, the random stream for reset noise and the observation and info
// buffers. Tasks embed it.
//
// One Step writes ctrl = action unchanged (the physics clamps a copy to the
// actuators' ctrlrange; control costs use the raw action), advances the
// physics FrameSkip timesteps, and leaves the body quantities of Data as the
// last forward evaluation inside the last timestep computed them (MuJoCo's
// read-after-step semantics, see envs.md §1.1).
type MujocoEnv struct {
	// Model is the compiled model; it must not be modified.
	Model *mjc.Model
	// Data is the simulation state; tasks read it, users should not write it.
	Data *mjc.Data
	// FrameSkip is the number of physics timesteps per env step.
	FrameSkip int

	id       string
	noNoise  bool
	steps    int
	obs      []float64
	info     Info
	actSpace Box
	obsSpace Box
	seeder
}

// newMujocoEnv compiles the task's model (the embedded file asset, or
// opts.ModelPath), applies the integrator option and allocates the data.
// obsDim is the observation dimension; frameSkip the default frame skip
// (overridable by the "frame_skip" parameter, which the caller reads).
func newMujocoEnv(id, asset string, frameSkip, obsDim int, opts Options) (*MujocoEnv, error) {
	var (
		m   *mjc.Model
		err error
	)
	if opts.ModelPath != "" {
		m, err = mjcf.CompileFile(opts.ModelPath)
	} else {
		var src []byte
		src, err = embeddedModel(asset)
		if err == nil {
			m, err = mjcf.Compile(bytes.NewReader(src), asset)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("envs: %s: %w", id, err)
	}
	switch strings.ToLower(opts.Integrator) {
	case "":
	case "euler":
		m.Opt.Integrator = mjc.Euler
	case "rk4":
		m.Opt.Integrator = mjc.RK4
	default:
		return nil, fmt.Errorf("envs: %s: unknown integrator %q (want euler or rk4)", id, opts.Integrator)
	}
	if frameSkip <= 0 {
		return nil, fmt.Errorf("envs: %s: frame_skip = %d, want > 0", id, frameSkip)
	}
	e := &MujocoEnv{Model: m, Data: mjc.NewData(m), FrameSkip: frameSkip, id: id, noNoise: opts.NoResetNoise,
		obs: make([]float64, obsDim), info: Info{}}
	lo, hi := make([]float64, m.Nu), make([]float64, m.Nu)
	for i := range m.Nu {
		lo[i], hi[i] = math.Inf(-1), math.Inf(1)
		if m.ActCtrlLimited[i] {
			lo[i], hi[i] = m.ActCtrlRange[i][0], m.ActCtrlRange[i][1]
		}
	}
	e.actSpace = NewBox(lo, hi)
	e.obsSpace = UniformBox(obsDim, math.Inf(-1), math.Inf(1))
	e.seeder.init()
	if err := mjc.Forward(m, e.Data); err != nil {
		return nil, fmt.Errorf("envs: %s: %w", id, err)
	}
	return e, nil
}

// requireDims returns an error naming the model if it does not have the
// given numbers of position coordinates, dofs and actuators.
func (e *MujocoEnv) requireDims(nq, nv, nu int) error {
	m := e.Model
	if m.Nq != nq || m.Nv != nv || m.Nu != nu {
		return fmt.Errorf("envs: %s: model has nq=%d nv=%d nu=%d, the task needs nq=%d nv=%d nu=%d", e.id, m.Nq, m.Nv, m.Nu, nq, nv, nu)
	}
	return nil
}

// bodyID returns the id of the named body or an error.
func (e *MujocoEnv) bodyID(name string) (int, error) {
	for i, n := range e.Model.BodyName {
		if n == name {
			return i, nil
		}
	}
	return 0, fmt.Errorf("envs: %s: model has no body %q", e.id, name)
}

// ID returns the Gymnasium id of the task.
func (e *MujocoEnv) ID() string { return e.id }

// ObservationSpace returns (−∞, ∞) in every observation dimension.
func (e *MujocoEnv) ObservationSpace() Box { return e.obsSpace }

// ActionSpace returns the actuators' ctrlrange (±∞ where not ctrl-limited).
func (e *MujocoEnv) ActionSpace() Box { return e.actSpace }

// Dt returns the env step duration Timestep·FrameSkip in s.
func (e *MujocoEnv) Dt() float64 { return e.Model.Opt.Timestep * float64(e.FrameSkip) }

// Qpos returns the position coordinates (nq), owned by Data.
func (e *MujocoEnv) Qpos() []float64 { return e.Data.Qpos }

// Qvel returns the velocities (nv), owned by Data.
func (e *MujocoEnv) Qvel() []float64 { return e.Data.Qvel }

// Ctrl returns the raw controls (nu) of the last step, owned by Data.
func (e *MujocoEnv) Ctrl() []float64 { return e.Data.Ctrl }

// Time returns the simulated time in s.
func (e *MujocoEnv) Time() float64 { return e.Data.Time }

// resetData resets the simulation to qpos0, zero velocity, zero control and
// time 0, re-seeds the stream if seed ≥ 0 and clears the step counter.
func (e *MujocoEnv) resetData(seed int64) {
	e.reseed(seed)
	mjc.Reset(e.Model, e.Data)
	e.steps = 0
}

// uniformNoise adds U(−scale, scale) to every entry of x, unless the
// environment was built with NoResetNoise.
func (e *MujocoEnv) uniformNoise(x []float64, scale float64) {
	if e.noNoise {
		return
	}
	for i := range x {
		x[i] += -scale + 2*scale*e.rng.Float64()
	}
}

// normalNoise adds scale·N(0, 1) to every entry of x, unless the environment
// was built with NoResetNoise.
func (e *MujocoEnv) normalNoise(x []float64, scale float64) {
	if e.noNoise {
		return
	}
	for i := range x {
		x[i] += scale * e.rng.NormFloat64()
	}
}

// setState runs the forward pass on the state in Data (Gymnasium's
// set_state after the task wrote qpos and qvel).
func (e *MujocoEnv) setState() {
	if err := mjc.Forward(e.Model, e.Data); err != nil {
		// Only a non-positive-definite mass matrix fails, which a
		// compiled model cannot produce at a finite state.
		panic(fmt.Sprintf("envs: %s: reset: %v", e.id, err))
	}
}

// simulate checks the action, writes it to ctrl and advances FrameSkip
// timesteps. It returns an *ActionError (nothing changed) or a *StateError
// naming the episode step.
func (e *MujocoEnv) simulate(action []float64) error {
	if err := checkAction(e.id, action, e.Model.Nu); err != nil {
		return err
	}
	copy(e.Data.Ctrl, action)
	e.steps++
	for range e.FrameSkip {
		if err := mjc.Step(e.Model, e.Data); err != nil {
			field := "physics"
			var se *mjc.StateError
			if errors.As(err, &se) {
				field = fmt.Sprintf("%s[%d] = %g at t = %g s", se.Field, se.Index, se.Value, se.Time)
			}
			return &StateError{Env: e.id, Step: e.steps, Field: field}
		}
	}
	// Gymnasium's do_simulation calls mj_rnePostConstraint after the
	// frame_skip steps: cfrc_ext, cacc, cfrc_int.
	mjc.RNEPostConstraint(e.Model, e.Data)
	if i := firstNonFinite(e.Data.Qpos); i >= 0 {
		return &StateError{Env: e.id, Step: e.steps, Field: fmt.Sprintf("qpos[%d]", i)}
	}
	if i := firstNonFinite(e.Data.Qvel); i >= 0 {
		return &StateError{Env: e.id, Step: e.steps, Field: fmt.Sprintf("qvel[%d]", i)}
	}
	return nil
}

// sumSquares returns Σ x².
func sumSquares(x []float64) float64 {
	s := 0.0
	for _, v := range x {
		s += v * v
	}
	return s
}

// clip returns x clipped to [lo, hi].
func clip(x, lo, hi float64) float64 { return min(max(x, lo), hi) }

// mujocoParams declares the constructor parameters every MuJoCo task takes
// besides its own.
func mujocoParams(frameSkip int, own ...param) []param {
	return append([]param{{"frame_skip", float64(frameSkip)}}, own...)
}

// intParam converts a parameter value to an int, or returns an error.
func intParam(id, name string, v float64) (int, error) {
	if v != math.Trunc(v) || math.Abs(v) > 1<<30 {
		return 0, fmt.Errorf("envs: %s: parameter %q = %v is not an integer", id, name, v)
	}
	return int(v), nil
}

// mujocoBase returns the embedded MujocoEnv (for tests and tools that read
// the simulation data of any task).
func (e *MujocoEnv) mujocoBase() *MujocoEnv { return e }
