package envs

import (
	"errors"
	"fmt"
	"runtime"
	"sync"
)

// VectorEnv steps N copies of an environment in parallel goroutines, as
// Gymnasium's vector environments do, with **same-step auto-reset**: when a
// copy's episode ends (terminated or truncated) in Step, the copy is reset at
// once and its row of the returned observations is the first observation of
// the new episode; the last observation of the ended episode is available
// from FinalObs (Gymnasium ≤ 0.29's "final_observation", which CleanRL-style
// agents store in the replay buffer for truncated episodes).
//
// Observations, rewards and flags are returned in buffers owned by the
// VectorEnv (row i = copy i, observations row-major N × obsDim); they are
// overwritten by the next Step or Reset.
//
// Reproducibility: Reset(seed) seeds copy i with seed + i; auto-resets
// continue each copy's own random stream, so results depend only on the seed
// and never on the number of worker goroutines (each copy is stepped by
// exactly one goroutine per Step, with no shared state).
//
// A copy whose state becomes non-finite (a *StateError from its Step) is
// recorded: its blow-up counter is incremented, the error is kept (BlowUpErr),
// the step is reported with reward 0 and truncated = true, FinalObs holds the
// last finite observation, and the copy is reset. Other errors (invalid
// actions) are returned by Step before any copy is stepped.
type VectorEnv struct {
	envs           []Env
	obsDim, actDim int
	obsSpace       Box
	actSpace       Box

	actions    []float64
	obs        []float64
	finalObs   []float64
	rewards    []float64
	terminated []bool
	truncated  []bool
	ended      []bool
	infos      []Info
	errs       []error

	epReturn, lastReturn []float64
	epLength, lastLength []int
	blowups              []int
	blowErr              []error

	nworkers int
	start    []chan struct{}
	wg       sync.WaitGroup
	closed   bool
}

// NewVectorEnv makes n copies of the registered environment id with Make and
// returns them as a VectorEnv.
func NewVectorEnv(id string, n int, opts Options) (*VectorEnv, error) {
	if n <= 0 {
		return nil, fmt.Errorf("envs: NewVectorEnv: n = %d copies, want > 0", n)
	}
	es := make([]Env, n)
	for i := range es {
		e, err := Make(id, opts)
		if err != nil {
			return nil, err
		}
		es[i] = e
	}
	return NewVectorEnvFrom(es)
}

// NewVectorEnvFrom returns a VectorEnv over the given environments, which
// must have equal observation and action dimensions and must not be shared.
// The number of worker goroutines is min(len(envs), GOMAXPROCS).
func NewVectorEnvFrom(envs []Env) (*VectorEnv, error) {
	if len(envs) == 0 {
		return nil, errors.New("envs: NewVectorEnvFrom: no environments")
	}
	os, as := envs[0].ObservationSpace(), envs[0].ActionSpace()
	for i, e := range envs {
		if e.ObservationSpace().Dim() != os.Dim() || e.ActionSpace().Dim() != as.Dim() {
			return nil, fmt.Errorf("envs: NewVectorEnvFrom: env %d has dims (obs %d, act %d), env 0 has (obs %d, act %d)",
				i, e.ObservationSpace().Dim(), e.ActionSpace().Dim(), os.Dim(), as.Dim())
		}
	}
	n, od, ad := len(envs), os.Dim(), as.Dim()
	v := &VectorEnv{
		envs: envs, obsDim: od, actDim: ad, obsSpace: os, actSpace: as,
		actions: make([]float64, n*ad), obs: make([]float64, n*od), finalObs: make([]float64, n*od),
		rewards: make([]float64, n), terminated: make([]bool, n), truncated: make([]bool, n),
		ended: make([]bool, n), infos: make([]Info, n), errs: make([]error, n),
		epReturn: make([]float64, n), lastReturn: make([]float64, n),
		epLength: make([]int, n), lastLength: make([]int, n), blowups: make([]int, n), blowErr: make([]error, n),
	}
	for i := range v.infos {
		v.infos[i] = Info{}
	}
	v.nworkers = min(n, runtime.GOMAXPROCS(0))
	return v, nil
}

// Num returns the number of copies N.
func (v *VectorEnv) Num() int { return len(v.envs) }

// Env returns copy i (for inspection; do not step it directly).
func (v *VectorEnv) Env(i int) Env { return v.envs[i] }

// ObservationSpace returns the observation space of one copy.
func (v *VectorEnv) ObservationSpace() Box { return v.obsSpace }

// ActionSpace returns the action space of one copy.
func (v *VectorEnv) ActionSpace() Box { return v.actSpace }

// Reset resets every copy, copy i with seed + i (or all with NoSeed when
// seed < 0), and returns the N × obsDim observations, row-major.
func (v *VectorEnv) Reset(seed int64) []float64 {
	for i, e := range v.envs {
		s := NoSeed
		if seed >= 0 {
			s = seed + int64(i)
		}
		o, _ := e.Reset(s)
		copy(v.obs[i*v.obsDim:(i+1)*v.obsDim], o)
		v.epReturn[i], v.epLength[i] = 0, 0
		v.ended[i] = false
	}
	return v.obs
}

// Step steps every copy with its row of actions (N × actDim, row-major) and
// auto-resets the copies whose episode ended. It returns the observations
// (N × obsDim), rewards, terminated and truncated flags (length N). An
// invalid action is an *ActionError naming the copy and nothing is stepped.
func (v *VectorEnv) Step(actions []float64) (obs, rewards []float64, terminated, truncated []bool, err error) {
	if len(actions) != len(v.actions) {
		return nil, nil, nil, nil, fmt.Errorf("envs: VectorEnv.Step: len(actions) = %d, want %d copies × %d", len(actions), len(v.envs), v.actDim)
	}
	if j := firstNonFinite(actions); j >= 0 {
		i := j / v.actDim
		return nil, nil, nil, nil, &ActionError{Env: fmt.Sprintf("VectorEnv copy %d", i), Len: v.actDim, Want: v.actDim, Index: j % v.actDim, Value: actions[j]}
	}
	if v.closed {
		return nil, nil, nil, nil, errors.New("envs: VectorEnv.Step after Close")
	}
	copy(v.actions, actions)
	if v.nworkers <= 1 {
		for i := range v.envs {
			v.stepOne(i)
		}
	} else {
		if v.start == nil {
			v.startWorkers()
		}
		v.wg.Add(v.nworkers)
		for _, c := range v.start {
			c <- struct{}{}
		}
		v.wg.Wait()
	}
	for i, e := range v.errs {
		if e != nil {
			v.errs[i] = nil
			return nil, nil, nil, nil, fmt.Errorf("envs: VectorEnv copy %d: %w", i, e)
		}
	}
	return v.obs, v.rewards, v.terminated, v.truncated, nil
}

// startWorkers launches the worker goroutines; worker w always steps the
// copies [w·N/W, (w+1)·N/W).
func (v *VectorEnv) startWorkers() {
	n := len(v.envs)
	v.start = make([]chan struct{}, v.nworkers)
	for w := range v.start {
		c := make(chan struct{})
		v.start[w] = c
		lo, hi := w*n/v.nworkers, (w+1)*n/v.nworkers
		go func() {
			for range c {
				for i := lo; i < hi; i++ {
					v.stepOne(i)
				}
				v.wg.Done()
			}
		}()
	}
}

// stepOne steps copy i and auto-resets it when its episode ends.
func (v *VectorEnv) stepOne(i int) {
	od := v.obsDim
	row := v.obs[i*od : (i+1)*od]
	final := v.finalObs[i*od : (i+1)*od]
	o, r, term, trunc, info, err := v.envs[i].Step(v.actions[i*v.actDim : (i+1)*v.actDim])
	v.ended[i] = false
	if err != nil {
		var se *StateError
		if !errors.As(err, &se) {
			v.errs[i] = err
			return
		}
		v.blowups[i]++
		v.blowErr[i] = err
		copy(final, row)
		r, term, trunc = 0, false, true
		clear(v.infos[i])
	} else {
		copy(row, o)
		for k, x := range info {
			v.infos[i][k] = x
		}
	}
	v.rewards[i], v.terminated[i], v.truncated[i] = r, term, trunc
	v.epReturn[i] += r
	v.epLength[i]++
	if term || trunc {
		if err == nil {
			copy(final, row)
		}
		v.ended[i] = true
		v.lastReturn[i], v.lastLength[i] = v.epReturn[i], v.epLength[i]
		v.epReturn[i], v.epLength[i] = 0, 0
		o, _ := v.envs[i].Reset(NoSeed)
		copy(row, o)
	}
}

// Ended reports whether copy i's episode ended in the last Step (it has been
// auto-reset since).
func (v *VectorEnv) Ended(i int) bool { return v.ended[i] }

// FinalObs returns the last observation of the episode that copy i ended in
// the last Step, or nil if it did not end. The slice is owned by the
// VectorEnv.
func (v *VectorEnv) FinalObs(i int) []float64 {
	if !v.ended[i] {
		return nil
	}
	return v.finalObs[i*v.obsDim : (i+1)*v.obsDim]
}

// Info returns the info of copy i's last Step (taken before any auto-reset).
// The map is owned by the VectorEnv.
func (v *VectorEnv) Info(i int) Info { return v.infos[i] }

// Episode returns the return and length of the last episode copy i
// completed (RecordEpisodeStatistics), valid when Ended(i).
func (v *VectorEnv) Episode(i int) (ret float64, length int) {
	return v.lastReturn[i], v.lastLength[i]
}

// BlowUps returns how many times copy i's state became non-finite and the
// copy was reset.
func (v *VectorEnv) BlowUps(i int) int { return v.blowups[i] }

// TotalBlowUps returns the number of blow-ups over all copies.
func (v *VectorEnv) TotalBlowUps() int {
	s := 0
	for _, b := range v.blowups {
		s += b
	}
	return s
}

// BlowUpErr returns the error of copy i's most recent blow-up, or nil.
func (v *VectorEnv) BlowUpErr(i int) error { return v.blowErr[i] }

// Close stops the worker goroutines. The VectorEnv cannot be stepped
// afterwards.
func (v *VectorEnv) Close() {
	if v.closed {
		return
	}
	v.closed = true
	for _, c := range v.start {
		close(c)
	}
}
