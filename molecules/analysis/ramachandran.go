package analysis

import (
	"bytes"
	"fmt"
	"image/color"
	"math"

	"github.com/boltzflow/boltzflow/molecules/traj"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// Basins holds the populations (fractions summing to 1) of the backbone
// basins of one residue: αR (φ < 0, −120° < ψ < 50°), β/C7eq (the rest of
// φ < 0) and αL (φ ≥ 0), the split used for alanine dipeptide.
type Basins struct {
	AlphaR, Beta, AlphaL float64
}

// wrap maps an angle (rad) into [−π, π).
func wrap(a float64) float64 {
	a = math.Mod(a+math.Pi, 2*math.Pi)
	if a < 0 {
		a += 2 * math.Pi
	}
	return a - math.Pi
}

// BasinPopulations classifies each (φ, ψ) pair (rad, any branch) into
// Basins.
func BasinPopulations(phi, psi []float64) Basins {
	if len(phi) != len(psi) {
		panic(fmt.Sprintf("analysis: len(phi) = %d, len(psi) = %d", len(phi), len(psi)))
	}
	var b Basins
	if len(phi) == 0 {
		return b
	}
	lo, hi := -120*math.Pi/180, 50*math.Pi/180
	for i, f := range phi {
		f, s := wrap(f), wrap(psi[i])
		switch {
		case f >= 0:
			b.AlphaL++
		case s > lo && s < hi:
			b.AlphaR++
		default:
			b.Beta++
		}
	}
	n := float64(len(phi))
	b.AlphaR /= n
	b.Beta /= n
	b.AlphaL /= n
	return b
}

// Ramachandran is a 2-D histogram of (φ, ψ) over [−π, π)² with Bins×Bins
// cells, expressed as a free energy.
type Ramachandran struct {
	Bins int
	// Counts[i][j] counts samples with φ in cell i and ψ in cell j.
	Counts [][]int
	// F[i][j] = −ln(p_ij / max p) in kT (0 at the most populated cell,
	// +Inf for empty cells).
	F [][]float64
	N int // number of samples
}

// NewRamachandran histograms the (φ, ψ) pairs (rad) into bins×bins cells.
// Angles are wrapped into [−π, π).
func NewRamachandran(phi, psi []float64, bins int) *Ramachandran {
	if len(phi) != len(psi) {
		panic(fmt.Sprintf("analysis: len(phi) = %d, len(psi) = %d", len(phi), len(psi)))
	}
	if bins <= 0 {
		panic(fmt.Sprintf("analysis: bins = %d", bins))
	}
	r := &Ramachandran{Bins: bins, Counts: make([][]int, bins), F: make([][]float64, bins), N: len(phi)}
	for i := range r.Counts {
		r.Counts[i] = make([]int, bins)
		r.F[i] = make([]float64, bins)
	}
	cell := func(a float64) int {
		k := int((wrap(a) + math.Pi) / (2 * math.Pi) * float64(bins))
		if k >= bins {
			k = bins - 1
		}
		return k
	}
	maxC := 0
	for k := range phi {
		i, j := cell(phi[k]), cell(psi[k])
		r.Counts[i][j]++
		maxC = max(maxC, r.Counts[i][j])
	}
	for i := range r.F {
		for j := range r.F[i] {
			if c := r.Counts[i][j]; c > 0 {
				r.F[i][j] = -math.Log(float64(c) / float64(maxC))
			} else {
				r.F[i][j] = math.Inf(1)
			}
		}
	}
	return r
}

// ramaGrid adapts a Ramachandran to plotter.GridXYZ in degrees.
type ramaGrid struct {
	r    *Ramachandran
	fmax float64
}

func (g ramaGrid) Dims() (c, r int) { return g.r.Bins, g.r.Bins }
func (g ramaGrid) Z(c, r int) float64 {
	f := g.r.F[c][r]
	if math.IsInf(f, 1) {
		return math.NaN()
	}
	return math.Min(f, g.fmax)
}
func (g ramaGrid) X(c int) float64 { return -180 + (float64(c)+0.5)*360/float64(g.r.Bins) }
func (g ramaGrid) Y(r int) float64 { return -180 + (float64(r)+0.5)*360/float64(g.r.Bins) }

// Plot renders the free-energy surface as a heat map (φ on x, ψ on y, in
// degrees), with free energies clipped at fmax kT (≤ 0 means 8) and empty
// cells white.
func (r *Ramachandran) Plot(title string, fmax float64) *plot.Plot {
	if fmax <= 0 {
		fmax = 8
	}
	p := plot.New()
	p.Title.Text = fmt.Sprintf("%s (%d samples)", title, r.N)
	p.X.Label.Text = "φ (degrees)"
	p.Y.Label.Text = "ψ (degrees)"
	p.X.Min, p.X.Max = -180, 180
	p.Y.Min, p.Y.Max = -180, 180
	h := plotter.NewHeatMap(ramaGrid{r, fmax}, colorMap(fmax).Palette(64))
	h.Min, h.Max = 0, fmax
	h.NaN = color.White
	p.Add(h)
	ticks := []plot.Tick{}
	for d := -180; d <= 180; d += 60 {
		ticks = append(ticks, plot.Tick{Value: float64(d), Label: fmt.Sprint(d)})
	}
	p.X.Tick.Marker = plot.ConstantTicks(ticks)
	p.Y.Tick.Marker = plot.ConstantTicks(ticks)
	return p
}

func colorMap(fmax float64) palette.ColorMap {
	cm := moreland.ExtendedBlackBody()
	cm.SetMin(0)
	cm.SetMax(fmax)
	return cm
}

// SavePNG renders the surface (see Plot) with a colour bar in kT to a PNG
// file of width×(0.85·width) points (width ≤ 0 means 6 inches), written
// atomically.
func (r *Ramachandran) SavePNG(path, title string, fmax float64, width vg.Length) error {
	if fmax <= 0 {
		fmax = 8
	}
	if width <= 0 {
		width = 6 * vg.Inch
	}
	height := 0.85 * width
	barW := 0.17 * width
	img := vgimg.New(width, height)
	dc := draw.New(img)
	r.Plot(title, fmax).Draw(draw.Crop(dc, 0, -barW, 0, 0))
	cb := plot.New()
	cb.Title.Text = "F (kT)"
	cb.HideX()
	cb.Y.Min, cb.Y.Max = 0, fmax
	cb.Add(&plotter.ColorBar{ColorMap: colorMap(fmax), Vertical: true})
	cb.Draw(draw.Crop(dc, width-barW, 0, 0, 0))
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(&buf); err != nil {
		return fmt.Errorf("analysis: render %s: %w", path, err)
	}
	if err := traj.WriteFileAtomic(path, buf.Bytes()); err != nil {
		return fmt.Errorf("analysis: %w", err)
	}
	return nil
}
