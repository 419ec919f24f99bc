package agents

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"gonum.org/v1/plot/vg"

	"github.com/boltzflow/boltzflow/envs"
	"github.com/boltzflow/boltzflow/nn"
)

// Agent is a Learner whose state can be checkpointed (float32 networks).
type Agent interface {
	Learner
	// Checkpoint lists the parameters, optimiser state and random source to save and restore.
	Checkpoint() *nn.Checkpoint[float32]
}

// RunSpec describes one training run of an experiment binary.
type RunSpec struct {
	Method string // "MEow" or "SAC" (titles and metadata)
	EnvID  string // registered environment id
	Seed   int64
	// Out is the output directory (eval.csv, train.csv, curve.png, checkpoint.safetensors, replay.bin, run.json); "" writes
	// nothing.
	Out string
	// Resume continues the run saved in Out.
	Resume bool
	Train  TrainConfig
	// EnvOptions are passed to envs.Make for the training and the evaluation environments (zero value: the
	// registered task, e.g. its time limit).
	EnvOptions envs.Options
	// Progress receives one progress line per log row (nil: silent).
	Progress io.Writer
}

// File names inside a run directory.
const (
	EvalFile       = "eval.csv"
	TrainFile      = "train.csv"
	CurveFile      = "curve.png"
	CheckpointFile = "checkpoint.safetensors"
	ReplayFile     = "replay.bin"
	StatusFile     = "run.json"
)

// RunStatus is what dir/run.json records after every checkpoint: which run it is, how far it got and the wall
// time spent in training so far, summed over resumed segments (so env-steps/s of a resumed run stays honest).
type RunStatus struct {
	Method      string  `json:"method"`
	Env         string  `json:"env"`
	Seed        int64   `json:"seed"`
	Step        int     `json:"step"`         // environment steps done (as in the checkpoint)
	Steps       int     `json:"steps"`        // environment steps the run is configured for
	WallSeconds float64 `json:"wall_seconds"` // training wall time so far, all segments
}

// ReadRunStatus reads dir/run.json. A missing file is reported with an error wrapping fs.ErrNotExist.
func ReadRunStatus(dir string) (RunStatus, error) {
	var st RunStatus
	raw, err := os.ReadFile(filepath.Join(dir, StatusFile))
	if err != nil {
		return st, err
	}
	if err := json.Unmarshal(raw, &st); err != nil {
		return st, fmt.Errorf("agents: %s: %w", filepath.Join(dir, StatusFile), err)
	}
	return st, nil
}

// EvalHeader is the header of eval.csv.
var EvalHeader = []string{"step", "return_mean", "return_std", "episodes"}

// MakeEnvs builds the training environment and n evaluation environments for id. An unknown id is an error
// listing the valid ones.
func MakeEnvs(id string, n int) (envs.Env, []envs.Env, error) {
	return MakeEnvsWith(id, n, envs.Options{})
}

// MakeEnvsWith is MakeEnvs with options (time limit, task parameters) passed to every envs.Make.
func MakeEnvsWith(id string, n int, opts envs.Options) (envs.Env, []envs.Env, error) {
	train, err := envs.Make(id, opts)
	if err != nil {
		return nil, nil, err
	}
	test := make([]envs.Env, n)
	for i := range test {
		if test[i], err = envs.Make(id, opts); err != nil {
			return nil, nil, err
		}
	}
	return train, test, nil
}

// RunExperiment trains agent as spec says and returns the evaluation table. After every evaluation it
// rewrites eval.csv and the learning-curve PNG and saves a checkpoint (agent, trainer state, replay buffer); a
// diverging run returns the *DivergenceError and leaves the last good checkpoint in place.
func RunExperiment(spec RunSpec, agent Agent) (*Table, error) {
	c := spec.Train
	env, test, err := MakeEnvsWith(spec.EnvID, c.EvalEpisodes, spec.EnvOptions)
	if err != nil {
		return nil, err
	}
	tr := &Trainer{Env: env, Test: test, Agent: agent, Config: c, Seed: spec.Seed}
	tr.Src = rand.NewPCG(uint64(spec.Seed), 0x5eed)
	path := func(name string) string { return filepath.Join(spec.Out, name) }
	eval := NewTable(path(EvalFile), EvalHeader...)
	train := NewTable(path(TrainFile), append([]string{"step"}, tr.LogNames()...)...)
	prevWall := 0.0
	if spec.Resume {
		if spec.Out == "" {
			return nil, errors.New("agents: resume needs an output directory")
		}
		if err := LoadRun(spec.Out, tr, agent.Checkpoint()); err != nil {
			return nil, err
		}
		if st, err := ReadRunStatus(spec.Out); err == nil {
			if st.Method != spec.Method || st.Env != spec.EnvID || st.Seed != spec.Seed {
				return nil, fmt.Errorf("agents: %s is a run of %s on %s seed %d, not %s on %s seed %d",
					filepath.Join(spec.Out, StatusFile), st.Method, st.Env, st.Seed, spec.Method, spec.EnvID, spec.Seed)
			}
			prevWall = st.WallSeconds
		} else if !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		if eval, err = LoadTable(path(EvalFile), tr.Step, EvalHeader...); err != nil {
			return nil, err
		}
		if train, err = LoadTable(path(TrainFile), tr.Step, train.Header...); err != nil {
			return nil, err
		}
	} else if spec.Out != "" {
		if err := os.MkdirAll(spec.Out, 0o755); err != nil {
			return nil, err
		}
	}
	mode := "deterministic"
	if !c.Deterministic {
		mode = "stochastic"
	}
	start, startStep := time.Now(), tr.Step
	tr.OnLog = func(step int, row []float64) error {
		train.Append(append([]float64{float64(step)}, row...)...)
		if spec.Progress != nil {
			el := time.Since(start).Seconds()
			rate := float64(step-startStep) / el
			eta := time.Duration(float64(c.Steps-step)/rate) * time.Second
			fmt.Fprintf(spec.Progress, "%s %s seed %d: step %d/%d  %.0f steps/s  ETA %v  loss %.4g\n",
				spec.Method, spec.EnvID, spec.Seed, step, c.Steps, rate, eta.Round(time.Second), row[0])
		}
		if spec.Out == "" {
			return nil
		}
		return train.Flush()
	}
	savedStep := -1
	if spec.Resume {
		savedStep = tr.Step
	}
	// save writes the checkpoint (agent, trainer state, replay buffer) if ckpt, then run.json.
	save := func(ckpt bool) error {
		if ckpt {
			ck := agent.Checkpoint()
			ck.Meta = map[string]string{"method": spec.Method, "env": spec.EnvID, "eval_mode": mode,
				"seed": strconv.FormatInt(spec.Seed, 10)}
			if err := SaveRun(spec.Out, tr, ck); err != nil {
				return err
			}
			savedStep = tr.Step
		}
		wall := prevWall
		if tr.Step > startStep {
			wall += time.Since(start).Seconds() // a resumed run that was complete adds no training time
		}
		st := RunStatus{Method: spec.Method, Env: spec.EnvID, Seed: spec.Seed, Step: savedStep, Steps: c.Steps,
			WallSeconds: wall}
		raw, _ := json.MarshalIndent(st, "", "  ")
		return WriteFileAtomic(path(StatusFile), raw)
	}
	tr.OnEval = func(step int, r EvalResult) error {
		eval.Append(float64(step), r.ReturnMean, r.ReturnStd, float64(r.Episodes))
		if spec.Progress != nil {
			fmt.Fprintf(spec.Progress, "%s %s seed %d: step %d  eval return %.2f ± %.2f (%d episodes, %s)\n",
				spec.Method, spec.EnvID, spec.Seed, step, r.ReturnMean, r.ReturnStd, r.Episodes, mode)
		}
		if spec.Out == "" {
			return nil
		}
		if err := eval.Flush(); err != nil {
			return err
		}
		if err := train.Flush(); err != nil {
			return err
		}
		cv := Curve{Name: fmt.Sprintf("%s seed %d (%s eval)", spec.Method, spec.Seed, mode)}
		for _, row := range eval.Rows {
			cv.Step = append(cv.Step, row[0])
			cv.Mean = append(cv.Mean, row[1])
			cv.Std = append(cv.Std, row[2])
		}
		if err := PlotCurves(path(CurveFile), spec.Method+" on "+spec.EnvID, 16*vg.Centimeter, 10*vg.Centimeter, cv); err != nil {
			return err
		}
		return save(true)
	}
	if err := tr.Run(); err != nil {
		return eval, err
	}
	if spec.Out != "" {
		// The last evaluation need not fall on the last step (Steps not a multiple of EvalEvery), and a resumed
		// run that was already complete trains nothing: checkpoint the final step if it is not saved yet and
		// record run.json in any case (also for directories written before run.json existed).
		if err := train.Flush(); err != nil {
			return eval, err
		}
		if err := save(tr.Step != savedStep); err != nil {
			return eval, err
		}
	}
	return eval, nil
}

// SaveRun saves a run: the replay buffer to dir/replay.bin, then the agent checkpoint ck with the trainer's
// step and random state to dir/checkpoint.safetensors (both written atomically).
func SaveRun(dir string, tr *Trainer, ck *nn.Checkpoint[float32]) error {
	var buf bytes.Buffer
	if err := tr.Buffer.write(&buf, tr.Step); err != nil {
		return err
	}
	if err := WriteFileAtomic(filepath.Join(dir, ReplayFile), buf.Bytes()); err != nil {
		return err
	}
	st, err := tr.Src.MarshalBinary()
	if err != nil {
		return err
	}
	if ck.Meta == nil {
		ck.Meta = map[string]string{}
	}
	ck.Meta["trainer_rng"] = hex.EncodeToString(st)
	ck.Step = int64(tr.Step)
	return nn.SaveCheckpoint(filepath.Join(dir, CheckpointFile), ck)
}

// LoadRun restores a run saved by SaveRun into tr (Step, random source, replay buffer) and ck (the agent).
func LoadRun(dir string, tr *Trainer, ck *nn.Checkpoint[float32]) error {
	if err := nn.LoadCheckpoint(filepath.Join(dir, CheckpointFile), ck); err != nil {
		return err
	}
	st, err := hex.DecodeString(ck.Meta["trainer_rng"])
	if err != nil {
		return fmt.Errorf("agents: %s: metadata trainer_rng: %w", filepath.Join(dir, CheckpointFile), err)
	}
	if tr.Src == nil {
		tr.Src = rand.NewPCG(0, 0)
	}
	if err := tr.Src.UnmarshalBinary(st); err != nil {
		return fmt.Errorf("agents: %s: metadata trainer_rng: %w", filepath.Join(dir, CheckpointFile), err)
	}
	tr.Step = int(ck.Step)
	f, err := os.Open(filepath.Join(dir, ReplayFile))
	if err != nil {
		return err
	}
	defer f.Close()
	b, step, err := readReplay(f, filepath.Join(dir, ReplayFile))
	if err != nil {
		return err
	}
	if step != tr.Step {
		return fmt.Errorf("agents: %s holds step %d but the checkpoint is at step %d", filepath.Join(dir, ReplayFile), step, tr.Step)
	}
	tr.Buffer = b
	return nil
}

const replayMagic = "BFREPLAY1"

// write serialises the buffer (little-endian): magic, then capacity, obsDim, actDim, n, pos, step as int64,
// then obs, act, next, rew, done as float32.
func (b *ReplayBuffer) write(w io.Writer, step int) error {
	if _, err := io.WriteString(w, replayMagic); err != nil {
		return err
	}
	hdr := []int64{int64(b.capacity), int64(b.obsDim), int64(b.actDim), int64(b.n), int64(b.pos), int64(step)}
	if err := binary.Write(w, binary.LittleEndian, hdr); err != nil {
		return err
	}
	for _, s := range [][]float32{b.obs, b.act, b.next, b.rew, b.done} {
		if err := binary.Write(w, binary.LittleEndian, s); err != nil {
			return err
		}
	}
	return nil
}

func readReplay(r io.Reader, name string) (*ReplayBuffer, int, error) {
	magic := make([]byte, len(replayMagic))
	if _, err := io.ReadFull(r, magic); err != nil || string(magic) != replayMagic {
		return nil, 0, fmt.Errorf("agents: %s: not a replay buffer file (bad magic)", name)
	}
	hdr := make([]int64, 6)
	if err := binary.Read(r, binary.LittleEndian, hdr); err != nil {
		return nil, 0, fmt.Errorf("agents: %s: truncated header: %w", name, err)
	}
	capa, od, ad, n, pos := int(hdr[0]), int(hdr[1]), int(hdr[2]), int(hdr[3]), int(hdr[4])
	if capa <= 0 || od <= 0 || ad <= 0 || n < 0 || n > capa || pos < 0 || pos >= capa || n > math.MaxInt32 {
		return nil, 0, fmt.Errorf("agents: %s: invalid header %v", name, hdr)
	}
	b := NewReplayBuffer(capa, od, ad)
	b.n, b.pos = n, pos
	b.obs, b.act, b.next = make([]float32, n*od), make([]float32, n*ad), make([]float32, n*od)
	b.rew, b.done = make([]float32, n), make([]float32, n)
	for i, s := range [][]float32{b.obs, b.act, b.next, b.rew, b.done} {
		if err := binary.Read(r, binary.LittleEndian, s); err != nil {
			return nil, 0, fmt.Errorf("agents: %s: truncated data (array %d): %w", name, i, err)
		}
	}
	return b, int(hdr[5]), nil
}
