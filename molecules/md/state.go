package md

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
)

// State is the dynamical state of a system: positions, velocities, the
// number of completed steps, the simulated time and the random-number
// source of the thermostat. Everything needed to continue a run
// reproducibly is in State, and MarshalBinary/UnmarshalBinary round-trip it
// exactly.
type State struct {
	// Positions holds the 3N coordinates in nm, atom-major.
	Positions []float64
	// Velocities holds the 3N velocity components in nm/ps, atom-major.
	// For Langevin they are the velocities after the stochastic (O) half of
	// the last step, as in OpenMM's LangevinMiddleIntegrator.
	Velocities []float64
	// Step is the number of completed integration steps.
	Step int64
	// Time is the simulated time in ps.
	Time float64
	// Source is the random source of the thermostat and of Randomize.
	Source *rand.PCG

	rnd    *rand.Rand
	rndSrc *rand.PCG
}

// NewState returns a state at the given positions (3N, nm; copied) with
// zero velocities and a PCG random source seeded with (seed, 0x6d64).
func NewState(pos []float64, seed uint64) *State {
	if len(pos)%3 != 0 {
		panic(fmt.Sprintf("md: len(pos) = %d is not a multiple of 3", len(pos)))
	}
	return &State{
		Positions:  append([]float64(nil), pos...),
		Velocities: make([]float64, len(pos)),
		Source:     rand.NewPCG(seed, 0x6d64),
	}
}

// Rand returns a *rand.Rand drawing from s.Source. It allocates only when
// Source has been replaced since the last call.
func (s *State) Rand() *rand.Rand {
	if s.rnd == nil || s.rndSrc != s.Source {
		s.rnd = rand.New(s.Source)
		s.rndSrc = s.Source
	}
	return s.rnd
}

// Clone returns a deep copy of s, including the random source.
func (s *State) Clone() *State {
	c := &State{
		Positions:  append([]float64(nil), s.Positions...),
		Velocities: append([]float64(nil), s.Velocities...),
		Step:       s.Step,
		Time:       s.Time,
	}
	if s.Source != nil {
		b, err := s.Source.MarshalBinary()
		if err != nil {
			panic(err)
		}
		c.Source = &rand.PCG{}
		if err := c.Source.UnmarshalBinary(b); err != nil {
			panic(err)
		}
	}
	return c
}

// Randomize draws velocities from the Maxwell–Boltzmann distribution at
// temperature (K) for the given masses (amu, one per atom), using s's
// random source. If removeCOM is true the centre-of-mass velocity is then
// removed. It returns an error for a temperature < 0 or non-positive mass.
func (s *State) Randomize(masses []float64, temperature float64, removeCOM bool) error {
	if 3*len(masses) != len(s.Positions) {
		panic(fmt.Sprintf("md: len(masses) = %d does not match len(Positions) = %d", len(masses), len(s.Positions)))
	}
	if !(temperature >= 0) || math.IsInf(temperature, 0) {
		return fmt.Errorf("md: temperature %v K is not a finite non-negative number", temperature)
	}
	if err := checkMasses(masses); err != nil {
		return err
	}
	rnd := s.Rand()
	kT := Boltzmann * temperature
	for i, m := range masses {
		sd := math.Sqrt(kT / m)
		for k := 0; k < 3; k++ {
			s.Velocities[3*i+k] = sd * rnd.NormFloat64()
		}
	}
	if removeCOM {
		RemoveCOMVelocity(s.Velocities, masses)
	}
	return nil
}

func checkMasses(masses []float64) error {
	for i, m := range masses {
		if !(m > 0) || math.IsInf(m, 0) {
			return fmt.Errorf("md: mass of atom %d is %v amu; masses must be positive and finite", i, m)
		}
	}
	return nil
}

// RemoveCOMVelocity subtracts the mass-weighted mean velocity from vel
// (3N, nm/ps) in place, so that the total momentum is zero. masses are in
// amu, one per atom.
func RemoveCOMVelocity(vel, masses []float64) {
	if len(vel) != 3*len(masses) {
		panic(fmt.Sprintf("md: len(vel) = %d does not match 3·len(masses) = %d", len(vel), 3*len(masses)))
	}
	var px, py, pz, mt float64
	for i, m := range masses {
		px += m * vel[3*i]
		py += m * vel[3*i+1]
		pz += m * vel[3*i+2]
		mt += m
	}
	px /= mt
	py /= mt
	pz /= mt
	for i := range masses {
		vel[3*i] -= px
		vel[3*i+1] -= py
		vel[3*i+2] -= pz
	}
}

// KineticEnergy returns ½ Σ m v² in kJ/mol for velocities vel (3N, nm/ps)
// and masses (amu, one per atom).
func KineticEnergy(vel, masses []float64) float64 {
	if len(vel) != 3*len(masses) {
		panic(fmt.Sprintf("md: len(vel) = %d does not match 3·len(masses) = %d", len(vel), 3*len(masses)))
	}
	var e float64
	for i, m := range masses {
		x, y, z := vel[3*i], vel[3*i+1], vel[3*i+2]
		e += m * (x*x + y*y + z*z)
	}
	return 0.5 * e
}

// KineticTemperature returns the instantaneous temperature (K) that
// corresponds to kinetic energy ke (kJ/mol) spread over dof degrees of
// freedom: T = 2·ke/(dof·k_B). With centre-of-mass motion removed a system
// of N atoms has dof = 3N − 3.
func KineticTemperature(ke float64, dof int) float64 {
	return 2 * ke / (float64(dof) * Boltzmann)
}

const checkpointMagic = "BFMDSTATE1"

// MarshalBinary encodes s (positions, velocities, step, time and the state
// of the random source) in a little-endian binary format.
func (s *State) MarshalBinary() ([]byte, error) {
	if len(s.Velocities) != len(s.Positions) {
		return nil, fmt.Errorf("md: state has %d positions but %d velocities", len(s.Positions), len(s.Velocities))
	}
	if s.Source == nil {
		return nil, errors.New("md: state has no random source")
	}
	rb, err := s.Source.MarshalBinary()
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	buf.WriteString(checkpointMagic)
	le := binary.LittleEndian
	var b8 [8]byte
	put := func(u uint64) {
		le.PutUint64(b8[:], u)
		buf.Write(b8[:])
	}
	put(uint64(len(s.Positions)))
	put(uint64(s.Step))
	put(math.Float64bits(s.Time))
	for _, x := range s.Positions {
		put(math.Float64bits(x))
	}
	for _, v := range s.Velocities {
		put(math.Float64bits(v))
	}
	put(uint64(len(rb)))
	buf.Write(rb)
	return buf.Bytes(), nil
}

// UnmarshalBinary decodes a state written by MarshalBinary into s,
// replacing all of its fields.
func (s *State) UnmarshalBinary(data []byte) error {
	if !bytes.HasPrefix(data, []byte(checkpointMagic)) {
		return errors.New("md: not a state checkpoint (bad magic)")
	}
	data = data[len(checkpointMagic):]
	le := binary.LittleEndian
	get := func() (uint64, error) {
		if len(data) < 8 {
			return 0, errors.New("md: truncated state checkpoint")
		}
		u := le.Uint64(data)
		data = data[8:]
		return u, nil
	}
	n, err := get()
	if err != nil {
		return err
	}
	if n%3 != 0 || n > uint64(len(data))/8 {
		return fmt.Errorf("md: state checkpoint claims %d coordinates", n)
	}
	step, err := get()
	if err != nil {
		return err
	}
	tb, err := get()
	if err != nil {
		return err
	}
	pos := make([]float64, n)
	vel := make([]float64, n)
	for _, dst := range [][]float64{pos, vel} {
		for i := range dst {
			u, err := get()
			if err != nil {
				return err
			}
			dst[i] = math.Float64frombits(u)
		}
	}
	rl, err := get()
	if err != nil {
		return err
	}
	if rl != uint64(len(data)) {
		return fmt.Errorf("md: state checkpoint has %d trailing bytes, want %d", len(data), rl)
	}
	src := &rand.PCG{}
	if err := src.UnmarshalBinary(data); err != nil {
		return fmt.Errorf("md: state checkpoint random source: %w", err)
	}
	*s = State{Positions: pos, Velocities: vel, Step: int64(step), Time: math.Float64frombits(tb), Source: src}
	return nil
}
