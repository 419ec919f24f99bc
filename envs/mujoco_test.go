package envs

import (
	"encoding/csv"
	"github.com/boltzflow/boltzflow/internal/refdata"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sharedDir returns ../shared/data/mujoco relative to the repository root,
// skipping the test when it is absent.
func sharedDir(t testing.TB) string {
	t.Helper()
	return refdata.Dir(t, "data", "mujoco")
}

// refRollout is a reference rollout CSV: column name → values per row.
type refRollout struct {
	cols map[string][]float64
	rows int
}

func (r refRollout) at(col string, row int) float64 { return r.cols[col][row] }

func readRollout(t testing.TB, path string) refRollout {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	r := refRollout{cols: map[string][]float64{}, rows: len(recs) - 1}
	for j, name := range recs[0] {
		col := make([]float64, r.rows)
		for i := range r.rows {
			s := recs[i+1][j]
			if s == "" {
				col[i] = math.NaN()
				continue
			}
			col[i], err = strconv.ParseFloat(s, 64)
			require.NoError(t, err, "%s row %d column %s", path, i+1, name)
		}
		r.cols[name] = col
	}
	return r
}

// makeTask builds a task with NoResetNoise from its embedded model.
func makeTask(t testing.TB, id, xml string, opts Options) Env {
	t.Helper()
	opts.NoResetNoise = true
	e, err := Make(id, opts)
	require.NoError(t, err)
	return e
}

// refReturn recomputes the Gymnasium v5 zero-action return and episode
// length from a reference rollout (the formulas of refgen/summarize.py and
// envs.md §1.9, written independently of the tasks).
func refReturn(name string, r refRollout, dt float64, maxSteps int) (float64, int) {
	ret := 0.0
	for k := 1; k <= maxSteps && k < r.rows; k++ {
		var rew float64
		healthy := true
		switch name {
		case "inverted_pendulum":
			healthy = math.Abs(r.at("qpos1", k)) <= 0.2
			if healthy {
				rew = 1
			}
		case "inverted_double_pendulum":
			x, y := r.at("site0_x", k), r.at("site0_z", k)
			healthy = y > 1
			v1, v2 := r.at("qvel1", k), r.at("qvel2", k)
			if healthy {
				rew = 10
			}
			rew -= 0.01*x*x + (y-2)*(y-2) + 0.001*v1*v1 + 0.005*v2*v2
		case "swimmer":
			rew = (r.at("qpos0", k) - r.at("qpos0", k-1)) / dt
		case "reacher":
			// Fingertip from the arm's forward kinematics (links 0.1 m
			// and 0.11 m in reacher.xml), target from qpos[2:4].
			q0, q1 := r.at("qpos0", k), r.at("qpos1", k)
			fx := 0.1*math.Cos(q0) + 0.11*math.Cos(q0+q1)
			fy := 0.1*math.Sin(q0) + 0.11*math.Sin(q0+q1)
			rew = -math.Hypot(fx-r.at("qpos2", k), fy-r.at("qpos3", k))
		}
		ret += rew
		if !healthy {
			return ret, k
		}
	}
	return ret, min(maxSteps, r.rows-1)
}

func TestContactFreeZeroRollouts(t *testing.T) {
	dir := sharedDir(t)
	for _, c := range []struct {
		id, name string
		dt       float64
		nq       int
	}{
		{"InvertedPendulum-v5", "inverted_pendulum", 0.04, 2},
		{"InvertedDoublePendulum-v5", "inverted_double_pendulum", 0.05, 3},
		{"Reacher-v5", "reacher", 0.02, 4},
		{"Swimmer-v5", "swimmer", 0.04, 5},
	} {
		t.Run(c.id, func(t *testing.T) {
			ref := readRollout(t, filepath.Join(dir, "ref", c.name+".rollout_zero.csv"))
			spec, ok := Lookup(c.id)
			require.True(t, ok)
			wantRet, wantLen := refReturn(c.name, ref, c.dt, spec.MaxEpisodeSteps)

			e := makeTask(t, c.id, c.name+".xml", Options{})
			st := Unwrap(e).(State)
			e.Reset(0)
			a := make([]float64, e.ActionSpace().Dim())
			ret, length := 0.0, 0
			maxDev := 0.0
			for k := 1; ; k++ {
				_, r, term, trunc, _, err := e.Step(a)
				require.NoError(t, err)
				ret += r
				length = k
				if k <= 20 {
					for i := range c.nq {
						maxDev = max(maxDev, math.Abs(st.Qpos()[i]-ref.at("qpos"+strconv.Itoa(i), k)))
					}
					require.InDelta(t, ref.at("time", k), st.Time(), 1e-12)
				}
				if term || trunc {
					break
				}
			}
			assert.Equal(t, wantLen, length, "episode length")
			assert.InDelta(t, wantRet, ret, 1e-6*max(1, math.Abs(wantRet)), "episode return")
			assert.Less(t, maxDev, 1e-8, "max |qpos − MuJoCo| over the first 20 steps")
			t.Logf("%s: return %.6f (MuJoCo %.6f), length %d, max |Δqpos| first 20 steps %.2e", c.id, ret, wantRet, length, maxDev)
		})
	}
}
