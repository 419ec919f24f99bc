package envs

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// SineAction writes the sine control law of the shared MuJoCo reference data
// into dst and returns dst:
//
//	dst[j] = c_j + 0.8·r_j·sin(2π(1 + 0.37 j)·t + 0.5 j),
//
// with c_j and r_j the centre and half-width of space's bounds in dimension j
// (c = 0, r = 1 where a bound is infinite) and t the simulated time in s at
// the start of the env step. It panics if len(dst) != space.Dim().
func SineAction(dst []float64, space Box, t float64) []float64 {
	if len(dst) != space.Dim() {
		panic(fmt.Sprintf("envs: SineAction: len(dst) = %d, dim = %d", len(dst), space.Dim()))
	}
	for j := range dst {
		lo, hi := space.Low[j], space.High[j]
		c, r := 0.0, 1.0
		if !math.IsInf(lo, 0) && !math.IsInf(hi, 0) {
			c, r = 0.5*(lo+hi), 0.5*(hi-lo)
		}
		fj := float64(j)
		dst[j] = c + 0.8*r*math.Sin(2*math.Pi*(1+0.37*fj)*t+0.5*fj)
	}
	return dst
}

// ActionFunc writes the action of env step k (1-based) into dst, given the
// simulated time t in s at the start of the step.
type ActionFunc func(k int, t float64, dst []float64) error

// RolloutConfig configures Rollout.
type RolloutConfig struct {
	// Steps is the number of env steps to take (> 0).
	Steps int
	// Seed is passed to Reset.
	Seed int64
	// Action chooses the actions.
	Action ActionFunc
	// PastTermination keeps stepping after the episode terminated or was
	// truncated, up to Steps; otherwise the rollout stops at the end of the
	// first episode.
	PastTermination bool
	// Progress, if not nil, is called after every env step with the number
	// of steps taken.
	Progress func(step int)
}

// RolloutSummary describes the first episode of a rollout.
type RolloutSummary struct {
	// Return is the sum of rewards of the first episode (up to its end or
	// to the last step taken).
	Return float64
	// Length is the number of steps of the first episode.
	Length int
	// Terminated and Truncated report how the first episode ended (both
	// false if it did not end within the rollout).
	Terminated, Truncated bool
	// Steps is the number of env steps taken (CSV rows − 1).
	Steps int
}

// RolloutHeader returns the CSV header of a rollout with nq position
// coordinates, nv velocities and nu controls:
// step,time,qpos0..,qvel0..,ctrl0..,reward,terminated,truncated.
func RolloutHeader(nq, nv, nu int) []string {
	h := []string{"step", "time"}
	for i := range nq {
		h = append(h, "qpos"+strconv.Itoa(i))
	}
	for i := range nv {
		h = append(h, "qvel"+strconv.Itoa(i))
	}
	for i := range nu {
		h = append(h, "ctrl"+strconv.Itoa(i))
	}
	return append(h, "reward", "terminated", "truncated")
}

// Rollout resets env with cfg.Seed and steps it, writing one CSV row per env
// step to w, starting with row 0 = the state after Reset (reward 0, flags 0).
// Columns are RolloutHeader's; ctrl is the control after the step (the raw
// action for the MuJoCo tasks), flags are 0 or 1, numbers are printed with
// the shortest representation that round-trips. The unwrapped env must
// implement State. A step error stops the rollout and is returned after the
// rows written so far are flushed.
func Rollout(w io.Writer, env Env, cfg RolloutConfig) (RolloutSummary, error) {
	var sum RolloutSummary
	st, ok := Unwrap(env).(State)
	if !ok {
		return sum, fmt.Errorf("envs: Rollout: %T does not expose its state (envs.State)", Unwrap(env))
	}
	if cfg.Steps <= 0 {
		return sum, fmt.Errorf("envs: Rollout: Steps = %d, want > 0", cfg.Steps)
	}
	if cfg.Action == nil {
		return sum, errors.New("envs: Rollout: nil Action")
	}
	bw := bufio.NewWriter(w)
	cw := csv.NewWriter(bw)
	env.Reset(cfg.Seed)
	nq, nv, nu := len(st.Qpos()), len(st.Qvel()), len(st.Ctrl())
	if err := cw.Write(RolloutHeader(nq, nv, nu)); err != nil {
		return sum, err
	}
	rec := make([]string, 0, 5+nq+nv+nu)
	fmtF := func(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }
	b01 := func(b bool) string {
		if b {
			return "1"
		}
		return "0"
	}
	write := func(k int, r float64, term, trunc bool) error {
		rec = append(rec[:0], strconv.Itoa(k), fmtF(st.Time()))
		for _, v := range st.Qpos() {
			rec = append(rec, fmtF(v))
		}
		for _, v := range st.Qvel() {
			rec = append(rec, fmtF(v))
		}
		for _, v := range st.Ctrl() {
			rec = append(rec, fmtF(v))
		}
		rec = append(rec, fmtF(r), b01(term), b01(trunc))
		return cw.Write(rec)
	}
	if err := write(0, 0, false, false); err != nil {
		return sum, err
	}
	a := make([]float64, env.ActionSpace().Dim())
	ended := false
	var stepErr error
	for k := 1; k <= cfg.Steps; k++ {
		if err := cfg.Action(k, st.Time(), a); err != nil {
			stepErr = err
			break
		}
		_, r, term, trunc, _, err := env.Step(a)
		if err != nil {
			stepErr = err
			break
		}
		sum.Steps = k
		if !ended {
			sum.Return += r
			sum.Length = k
			if term || trunc {
				ended = true
				sum.Terminated, sum.Truncated = term, trunc
			}
		}
		if err := write(k, r, term, trunc); err != nil {
			return sum, err
		}
		if cfg.Progress != nil {
			cfg.Progress(k)
		}
		if (term || trunc) && !cfg.PastTermination {
			break
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return sum, err
	}
	if err := bw.Flush(); err != nil {
		return sum, err
	}
	return sum, stepErr
}

// ReadActionsCSV reads an action sequence from CSV: one row per env step,
// each with dim numbers (row k = the action of step k). Blank lines and
// lines starting with '#' are skipped; a first row that is not numeric is
// taken as a header. Errors name the file (name), line and column.
func ReadActionsCSV(r io.Reader, name string, dim int) ([][]float64, error) {
	cr := csv.NewReader(r)
	cr.Comment = '#'
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	var out [][]float64
	first := true
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		line, _ := cr.FieldPos(0)
		if first {
			first = false
			if _, err := strconv.ParseFloat(strings.TrimSpace(rec[0]), 64); err != nil {
				continue // header
			}
		}
		if len(rec) != dim {
			return nil, fmt.Errorf("%s:%d: %d values, want %d (the action dimension)", name, line, len(rec), dim)
		}
		row := make([]float64, dim)
		for j, s := range rec {
			v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
			if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("%s:%d: column %d: %q is not a finite number", name, line, j+1, s)
			}
			row[j] = v
		}
		out = append(out, row)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no action rows", name)
	}
	return out, nil
}
