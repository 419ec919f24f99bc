package nn

import (
	"encoding"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// CheckpointFormat and CheckpointVersion identify Boltzflow checkpoints in
// the "__metadata__" of the safetensors header.
const (
	CheckpointFormat  = "boltzflow-nn"
	CheckpointVersion = 1
)

// RandState is a random source whose state can be saved, such as
// *rand.PCG or *rand.ChaCha8 from math/rand/v2.
type RandState interface {
	encoding.BinaryMarshaler
	encoding.BinaryUnmarshaler
}

// Checkpoint lists what SaveCheckpoint writes and LoadCheckpoint restores.
//
// The file uses the safetensors layout: an 8-byte little-endian header
// length, a JSON header mapping each tensor name to its dtype ("F32" or
// "F64"), shape and data offsets, plus "__metadata__" (string → string),
// then the raw little-endian data. Parameters are stored under their names,
// Adam moments under "optim.m/<name>" and "optim.v/<name>". PyTorch users can
// read it with safetensors.torch.load_file.
type Checkpoint[F Float] struct {
	// Params are saved and restored by name.
	Params []*Param[F]
	// Optim, if non-nil, has its moments and step count saved and restored.
	Optim *Adam[F]
	// Step is a training step counter (restored by Load).
	Step int64
	// RNG, if non-nil, has its state saved and restored.
	RNG RandState
	// Meta holds extra string metadata (restored by Load; keys starting
	// with "boltzflow." are reserved).
	Meta map[string]string
}

type tensorEntry struct {
	DType       string `json:"dtype"`
	Shape       []int  `json:"shape"`
	DataOffsets [2]int `json:"data_offsets"`
}

type namedData[F Float] struct {
	name  string
	shape []int
	data  []F
}

func (c *Checkpoint[F]) entries() []namedData[F] {
	var es []namedData[F]
	for _, p := range c.Params {
		es = append(es, namedData[F]{p.Name, p.Shape(), p.Data})
	}
	if c.Optim != nil {
		for i, p := range c.Optim.Params {
			es = append(es, namedData[F]{"optim.m/" + p.Name, p.Shape(), c.Optim.M[i]})
			es = append(es, namedData[F]{"optim.v/" + p.Name, p.Shape(), c.Optim.V[i]})
		}
	}
	return es
}

func dtypeName[F Float]() (string, int) {
	if isF32[F]() {
		return "F32", 4
	}
	return "F64", 8
}

// SaveCheckpoint writes c to path atomically (a temporary file in the same
// directory, synced, then renamed over path).
func SaveCheckpoint[F Float](path string, c *Checkpoint[F]) error {
	dt, size := dtypeName[F]()
	header := map[string]any{}
	meta := map[string]string{}
	for k, v := range c.Meta {
		meta[k] = v
	}
	meta["boltzflow.format"] = CheckpointFormat
	meta["boltzflow.version"] = strconv.Itoa(CheckpointVersion)
	meta["boltzflow.step"] = strconv.FormatInt(c.Step, 10)
	if c.Optim != nil {
		meta["boltzflow.optim.steps"] = strconv.FormatInt(c.Optim.Steps, 10)
	}
	if c.RNG != nil {
		b, err := c.RNG.MarshalBinary()
		if err != nil {
			return fmt.Errorf("checkpoint %s: saving RNG state: %w", path, err)
		}
		meta["boltzflow.rng"] = hex.EncodeToString(b)
	}
	header["__metadata__"] = meta
	es := c.entries()
	off := 0
	for _, e := range es {
		if _, dup := header[e.name]; dup {
			return fmt.Errorf("checkpoint %s: duplicate tensor name %q", path, e.name)
		}
		n := len(e.data) * size
		header[e.name] = tensorEntry{DType: dt, Shape: append([]int{}, e.shape...), DataOffsets: [2]int{off, off + n}}
		off += n
	}
	hj, err := json.Marshal(header)
	if err != nil {
		return fmt.Errorf("checkpoint %s: %w", path, err)
	}
	for len(hj)%8 != 0 {
		hj = append(hj, ' ')
	}
	buf := make([]byte, 8, 8+len(hj)+off)
	binary.LittleEndian.PutUint64(buf, uint64(len(hj)))
	buf = append(buf, hj...)
	for _, e := range es {
		for _, v := range e.data {
			if size == 4 {
				buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(float32(v)))
			} else {
				buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(float64(v)))
			}
		}
	}
	return writeAtomic(path, buf)
}

func writeAtomic(path string, data []byte) error {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp*")
	if err != nil {
		return fmt.Errorf("checkpoint %s: %w", path, err)
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("checkpoint %s: %w", path, err)
	}
	return nil
}

// LoadCheckpoint reads path and restores into c every parameter (by name),
// the optimiser state, Step, the RNG state and Meta. Nothing is modified
// unless the whole file is valid. It returns an error naming the file and the
// tensor for a truncated or malformed file, a different format version, a
// missing tensor, or a wrong dtype or shape. Tensors in the file that c does
// not list are ignored.
func LoadCheckpoint[F Float](path string, c *Checkpoint[F]) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	fail := func(format string, args ...any) error {
		return fmt.Errorf("checkpoint %s: "+format, append([]any{path}, args...)...)
	}
	if len(raw) < 8 {
		return fail("truncated: %d bytes, no header length", len(raw))
	}
	hl := binary.LittleEndian.Uint64(raw)
	if hl > uint64(len(raw)-8) {
		return fail("truncated: header length %d exceeds file size %d", hl, len(raw))
	}
	data := raw[8+hl:]
	var header map[string]json.RawMessage
	if err := json.Unmarshal(raw[8:8+hl], &header); err != nil {
		return fail("malformed header: %v", err)
	}
	meta := map[string]string{}
	if m, ok := header["__metadata__"]; ok {
		if err := json.Unmarshal(m, &meta); err != nil {
			return fail("malformed __metadata__: %v", err)
		}
	}
	if meta["boltzflow.format"] != CheckpointFormat {
		return fail("not a %s checkpoint (format %q)", CheckpointFormat, meta["boltzflow.format"])
	}
	if v := meta["boltzflow.version"]; v != strconv.Itoa(CheckpointVersion) {
		return fail("unsupported version %q (this build reads version %d)", v, CheckpointVersion)
	}
	step, err := strconv.ParseInt(meta["boltzflow.step"], 10, 64)
	if err != nil {
		return fail("bad step counter %q", meta["boltzflow.step"])
	}
	var optSteps int64
	if c.Optim != nil {
		s, ok := meta["boltzflow.optim.steps"]
		if !ok {
			return fail("no optimiser state")
		}
		if optSteps, err = strconv.ParseInt(s, 10, 64); err != nil {
			return fail("bad optimiser step counter %q", s)
		}
	}
	var rngState []byte
	if c.RNG != nil {
		s, ok := meta["boltzflow.rng"]
		if !ok {
			return fail("no RNG state")
		}
		if rngState, err = hex.DecodeString(s); err != nil {
			return fail("bad RNG state: %v", err)
		}
	}
	dt, size := dtypeName[F]()
	es := c.entries()
	srcs := make([][]byte, len(es))
	for i, e := range es {
		h, ok := header[e.name]
		if !ok {
			return fail("missing tensor %q", e.name)
		}
		var te tensorEntry
		if err := json.Unmarshal(h, &te); err != nil {
			return fail("tensor %q: malformed entry: %v", e.name, err)
		}
		if te.DType != dt {
			return fail("tensor %q has dtype %s, want %s", e.name, te.DType, dt)
		}
		if !equalInts(te.Shape, e.shape) {
			return fail("tensor %q has shape %v, want %v", e.name, te.Shape, e.shape)
		}
		b, en := te.DataOffsets[0], te.DataOffsets[1]
		if b < 0 || en < b || en-b != len(e.data)*size {
			return fail("tensor %q: data offsets %v do not match shape %v", e.name, te.DataOffsets, te.Shape)
		}
		if en > len(data) {
			return fail("truncated: tensor %q needs bytes [%d, %d) of %d", e.name, b, en, len(data))
		}
		srcs[i] = data[b:en]
	}
	if rngState != nil {
		if err := c.RNG.UnmarshalBinary(rngState); err != nil {
			return fail("restoring RNG state: %v", err)
		}
	}
	for i, e := range es {
		src := srcs[i]
		for j := range e.data {
			if size == 4 {
				e.data[j] = F(math.Float32frombits(binary.LittleEndian.Uint32(src[4*j:])))
			} else {
				e.data[j] = F(math.Float64frombits(binary.LittleEndian.Uint64(src[8*j:])))
			}
		}
	}
	c.Step = step
	if c.Optim != nil {
		c.Optim.Steps = optSteps
	}
	c.Meta = map[string]string{}
	for k, v := range meta {
		if !strings.HasPrefix(k, "boltzflow.") {
			c.Meta[k] = v
		}
	}
	return nil
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
