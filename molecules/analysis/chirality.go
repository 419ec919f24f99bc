package analysis

import "github.com/boltzflow/boltzflow/molecules"

// Stereocentre is the Cα of an amino-acid residue with its N, C and Cβ
// neighbours.
type Stereocentre struct {
	Residue      int // residue index
	N, CA, C, CB int // atom indices
}

// Stereocentres returns the Cα stereocentres of top: every residue with
// atoms named N, CA, C and CB (glycine and the caps have none).
func Stereocentres(top *molecules.Topology) []Stereocentre {
	var out []Stereocentre
	for r, res := range top.Residues {
		idx := map[string]int{}
		for _, a := range res.Atoms {
			idx[top.Atoms[a].Name] = a
		}
		n, ok1 := idx["N"]
		ca, ok2 := idx["CA"]
		c, ok3 := idx["C"]
		cb, ok4 := idx["CB"]
		if ok1 && ok2 && ok3 && ok4 {
			out = append(out, Stereocentre{Residue: r, N: n, CA: ca, C: c, CB: cb})
		}
	}
	return out
}

// ChiralVolume returns (N − CA)·((C − CA) × (CB − CA)) in nm³ at pos: positive
// for an L amino acid, negative for D.
func ChiralVolume(pos []float64, s Stereocentre) float64 {
	at := func(i int) [3]float64 { return [3]float64{pos[3*i], pos[3*i+1], pos[3*i+2]} }
	sub := func(a, b [3]float64) [3]float64 { return [3]float64{a[0] - b[0], a[1] - b[1], a[2] - b[2]} }
	ca := at(s.CA)
	return dot(sub(at(s.N), ca), cross(sub(at(s.C), ca), sub(at(s.CB), ca)))
}

// IsL reports whether the stereocentre has L chirality at pos.
func IsL(pos []float64, s Stereocentre) bool { return ChiralVolume(pos, s) > 0 }

// Chirality returns the chirality letter ('L' or 'D') of each centre at pos.
func Chirality(pos []float64, centres []Stereocentre) []byte {
	out := make([]byte, len(centres))
	for i, s := range centres {
		if IsL(pos, s) {
			out[i] = 'L'
		} else {
			out[i] = 'D'
		}
	}
	return out
}
