package boltzmann

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"sort"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/boltzflow/boltzflow/molecules"
	"github.com/boltzflow/boltzflow/molecules/analysis"
	"github.com/boltzflow/boltzflow/molecules/traj"
)

// SampleSet is a named set of conformations for plots: flat rows in nm and
// their reduced energies (kT, may be nil).
type SampleSet struct {
	Name   string
	X      [][]float64
	Energy []float64
}

// RamachandranBins is the number of bins per axis of the Ramachandran
// histograms (100 × 100 on [−π, π)², sbg.md §7).
const RamachandranBins = 100

// SaveRamachandranGrid writes one PNG per residue with a (φ, ψ) backbone
// angle pair, each with the sets side by side (e.g. MD reference, proposals,
// IS, SMC), as free energies in kT (0 at the most populated bin, colour scale
// up to 8 kT). It returns the paths written: prefix + "_" + residue label +
// ".png".
func SaveRamachandranGrid(prefix string, top *molecules.Topology, sets []SampleSet) ([]string, error) {
	phi, psi, _ := analysis.BackboneTorsions(top)
	var paths []string
	for _, f := range phi {
		var p *analysis.Torsion
		for k := range psi {
			if psi[k].Residue == f.Residue {
				p = &psi[k]
			}
		}
		if p == nil {
			continue
		}
		row := make([][]*plot.Plot, 1)
		for _, s := range sets {
			a := analysis.Dihedrals(nil, s.X, []analysis.Torsion{f, *p})
			ph, ps := make([]float64, len(a)), make([]float64, len(a))
			for i := range a {
				ph[i], ps[i] = a[i][0], a[i][1]
			}
			r := analysis.NewRamachandran(ph, ps, RamachandranBins)
			row[0] = append(row[0], r.Plot(s.Name, 8))
		}
		w := vg.Length(len(sets)) * 4 * vg.Inch
		img := vgimg.New(w, 4*vg.Inch)
		dc := draw.New(img)
		t := draw.Tiles{Rows: 1, Cols: len(sets), PadX: vg.Millimeter * 4, PadY: vg.Millimeter * 2,
			PadTop: vg.Millimeter * 2, PadBottom: vg.Millimeter * 2, PadLeft: vg.Millimeter * 2, PadRight: vg.Millimeter * 2}
		cv := plot.Align(row, t, dc)
		for j, pl := range row[0] {
			pl.Draw(cv[0][j])
		}
		var buf bytes.Buffer
		if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(&buf); err != nil {
			return paths, err
		}
		path := fmt.Sprintf("%s_%s.png", prefix, sanitize(top.ResidueLabel(f.Residue)))
		if err := traj.WriteFileAtomic(path, buf.Bytes()); err != nil {
			return paths, err
		}
		paths = append(paths, path)
	}
	return paths, nil
}

func sanitize(s string) string {
	b := []byte(s)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			b[i] = '_'
		}
	}
	return string(b)
}

// SaveEnergyHistogram writes a PNG with normalised histograms of the reduced
// energies (kT) of each set, overlaid, over the central range covering the
// reference (first set) from its 0.1 % to 99.9 % quantile widened by 25 %.
func SaveEnergyHistogram(path string, sets []SampleSet) error {
	if len(sets) == 0 {
		return fmt.Errorf("boltzmann: SaveEnergyHistogram: no sets")
	}
	ref := finiteSorted(sets[0].Energy)
	if len(ref) == 0 {
		return fmt.Errorf("boltzmann: SaveEnergyHistogram: reference set %q has no finite energies", sets[0].Name)
	}
	lo, hi := ref[len(ref)/1000], ref[len(ref)-1-len(ref)/1000]
	pad := 0.25 * (hi - lo)
	lo, hi = lo-pad, hi+pad
	p := plot.New()
	p.Title.Text = "Reduced energy"
	p.X.Label.Text = "E (kT)"
	p.Y.Label.Text = "density"
	colours := []color.Color{color.Black, color.RGBA{0, 114, 178, 255}, color.RGBA{230, 159, 0, 255}, color.RGBA{0, 158, 115, 255}, color.RGBA{204, 121, 167, 255}}
	for k, s := range sets {
		var vs plotter.Values
		for _, e := range s.Energy {
			if finite(e) && e >= lo && e <= hi {
				vs = append(vs, e)
			}
		}
		if len(vs) < 2 {
			continue
		}
		// Add the range end points with zero weight by using fixed bins:
		// plotter.NewHist bins over the data range, so clamp to [lo, hi].
		h, err := plotter.NewHist(vs, 60)
		if err != nil {
			return err
		}
		h.Normalize(1)
		h.FillColor = nil
		h.LineStyle.Color = colours[k%len(colours)]
		h.LineStyle.Width = vg.Points(1.5)
		p.Add(h)
		p.Legend.Add(fmt.Sprintf("%s (%d)", s.Name, len(s.Energy)), h)
	}
	p.X.Min, p.X.Max = lo, hi
	p.Legend.Top = true
	return savePlot(p, path, 7*vg.Inch, 4.5*vg.Inch)
}

func savePlot(p *plot.Plot, path string, w, h vg.Length) error {
	img := vgimg.New(w, h)
	p.Draw(draw.New(img))
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(&buf); err != nil {
		return err
	}
	return traj.WriteFileAtomic(path, buf.Bytes())
}

func finiteSorted(v []float64) []float64 {
	out := make([]float64, 0, len(v))
	for _, x := range v {
		if finite(x) {
			out = append(out, x)
		}
	}
	sort.Float64s(out)
	return out
}

// meanFinite returns the mean of the finite values (NaN if none).
func meanFinite(v []float64) float64 {
	s, n := 0.0, 0
	for _, x := range v {
		if finite(x) {
			s += x
			n++
		}
	}
	if n == 0 {
		return math.NaN()
	}
	return s / float64(n)
}
