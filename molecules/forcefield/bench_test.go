package forcefield_test

import (
	"testing"

	"github.com/boltzflow/boltzflow/molecules"
	"github.com/stretchr/testify/require"
)

func benchSystem(b *testing.B, key string) {
	dir := sharedDir(b)
	var rs refSystem
	for _, r := range refSystems {
		if r.key == key {
			rs = r
		}
	}
	_, sys := buildRef(b, dir, rs)
	confs := loadConfs(b, dir, key)
	pos := flat(confs.Conformations[0].Positions)
	forces := make([]float64, len(pos))
	_, err := sys.Evaluate(pos, forces)
	require.NoError(b, err)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := sys.Evaluate(pos, forces); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkALDPEnergyForces is one alanine-dipeptide energy+force evaluation
// (OpenMM 8.5.2: Reference 50–64 µs, CPU 1 thread 170–280 µs).
func BenchmarkALDPEnergyForces(b *testing.B) { benchSystem(b, "aldp") }

// BenchmarkA6EnergyForces is one hexa-alanine evaluation (amber14, OBC1, 2 nm cutoff).
func BenchmarkA6EnergyForces(b *testing.B) { benchSystem(b, "a6") }

// BenchmarkALDPBatch evaluates 200 ALDP conformations (the 50 shared ones,
// four times) with 2 workers; ns/op is per batch, ns/conf per conformation.
func BenchmarkALDPBatch(b *testing.B) {
	dir := sharedDir(b)
	_, sys := buildRef(b, dir, refSystems[0])
	confs := loadConfs(b, dir, "aldp")
	var pos, forces [][]float64
	for k := 0; k < 4; k++ {
		for _, c := range confs.Conformations {
			p := flat(c.Positions)
			pos = append(pos, p)
			forces = append(forces, make([]float64, len(p)))
		}
	}
	dst := make([]molecules.Energies, len(pos))
	require.NoError(b, sys.EvaluateBatch(dst, pos, forces, 2))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := sys.EvaluateBatch(dst, pos, forces, 2); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(pos)), "ns/conf")
}
