package agents

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// Curve is one learning curve: evaluation return Mean (and its Std across episodes or seeds, may be nil)
// against environment Step.
type Curve struct {
	Name       string
	Step, Mean []float64
	Std        []float64
}

var palette = []color.RGBA{
	{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff}, {R: 0xd6, G: 0x27, B: 0x28, A: 0xff},
	{R: 0x2c, G: 0xa0, B: 0x2c, A: 0xff}, {R: 0xff, G: 0x7f, B: 0x0e, A: 0xff},
	{R: 0x94, G: 0x67, B: 0xbd, A: 0xff}, {R: 0x8c, G: 0x56, B: 0x4b, A: 0xff},
}

// PlotCurves writes a PNG (width × height in points) of the learning curves to path atomically: mean return as a
// line and mean ± std as a shaded band.
func PlotCurves(path, title string, width, height vg.Length, curves ...Curve) error {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "environment steps"
	p.X.Tick.Marker = stepTicks{}
	p.Y.Label.Text = "evaluation return"
	p.Add(plotter.NewGrid())
	for ci, c := range curves {
		if len(c.Step) != len(c.Mean) || (c.Std != nil && len(c.Std) != len(c.Mean)) {
			return fmt.Errorf("agents: PlotCurves: curve %q has %d steps, %d means, %d stds", c.Name, len(c.Step), len(c.Mean), len(c.Std))
		}
		if len(c.Step) == 0 {
			continue
		}
		col := palette[ci%len(palette)]
		if c.Std != nil {
			band := make(plotter.XYs, 0, 2*len(c.Step))
			for i := range c.Step {
				band = append(band, plotter.XY{X: c.Step[i], Y: c.Mean[i] + c.Std[i]})
			}
			for i := len(c.Step) - 1; i >= 0; i-- {
				band = append(band, plotter.XY{X: c.Step[i], Y: c.Mean[i] - c.Std[i]})
			}
			poly, err := plotter.NewPolygon(band)
			if err != nil {
				return err
			}
			poly.Color = color.NRGBA{R: col.R, G: col.G, B: col.B, A: 0x40} // non-premultiplied: translucent band
			poly.LineStyle.Width = 0
			p.Add(poly)
		}
		pts := make(plotter.XYs, len(c.Step))
		for i := range c.Step {
			pts[i] = plotter.XY{X: c.Step[i], Y: c.Mean[i]}
		}
		l, err := plotter.NewLine(pts)
		if err != nil {
			return err
		}
		l.Color = col
		l.Width = vg.Points(1.5)
		p.Add(l)
		p.Legend.Add(c.Name, l)
	}
	p.Legend.Top = false
	p.Legend.Left = false
	w, err := p.WriterTo(width, height, "png")
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if _, err := w.WriteTo(&buf); err != nil {
		return err
	}
	return WriteFileAtomic(path, buf.Bytes())
}

// stepTicks places gonum/plot's default ticks and labels them compactly (25k, 1.5M) instead of "25000.00".
type stepTicks struct{}

func (stepTicks) Ticks(min, max float64) []plot.Tick {
	ts := plot.DefaultTicks{}.Ticks(min, max)
	for i := range ts {
		if ts[i].Label != "" {
			ts[i].Label = stepLabel(ts[i].Value)
		}
	}
	return ts
}

// stepLabel formats a step count: 500, 25k, 1.5M.
func stepLabel(v float64) string {
	switch a := math.Abs(v); {
	case a >= 1e6:
		return strconv.FormatFloat(v/1e6, 'g', 4, 64) + "M"
	case a >= 1e3:
		return strconv.FormatFloat(v/1e3, 'g', 4, 64) + "k"
	default:
		return strconv.FormatFloat(v, 'g', 4, 64)
	}
}
