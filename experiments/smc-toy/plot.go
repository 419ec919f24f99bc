package main

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/boltzflow/boltzflow/smc"
)

// writePNG draws the proposals (before) and the SMC particles (after) side by
// side: scatter plots for 2-D targets, histograms with the exact target
// density for 1-D targets.
func writePNG(path string, tc toy, is *smc.ISResult, res *smc.Result) error {
	before, err := panel("before: proposals", tc, is.X)
	if err != nil {
		return err
	}
	after, err := panel("after: SMC particles (resampled)", tc, res.X)
	if err != nil {
		return err
	}
	img := vgimg.New(vg.Points(800), vg.Points(400))
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: 1, Cols: 2, PadX: vg.Points(10), PadY: vg.Points(10), PadTop: vg.Points(5), PadBottom: vg.Points(5), PadLeft: vg.Points(5), PadRight: vg.Points(5)}
	plots := [][]*plot.Plot{{before, after}}
	canvases := plot.Align(plots, tiles, dc)
	before.Draw(canvases[0][0])
	after.Draw(canvases[0][1])
	return writeAtomic(path, vgimg.PngCanvas{Canvas: img})
}

func panel(title string, tc toy, x [][]float64) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "x₁"
	if tc.target.Dim() == 2 {
		p.Y.Label.Text = "x₂"
		xy := make(plotter.XYs, len(x))
		for i, r := range x {
			xy[i].X, xy[i].Y = r[0], r[1]
		}
		s, err := plotter.NewScatter(xy)
		if err != nil {
			return nil, fmt.Errorf("plot: %w", err)
		}
		s.GlyphStyle.Radius = vg.Points(1.2)
		s.GlyphStyle.Color = color.RGBA{R: 30, G: 90, B: 200, A: 255}
		p.Add(s)
		p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = -9, 9, -9, 9
		return p, nil
	}
	p.Y.Label.Text = "density"
	v := make(plotter.Values, len(x))
	for i, r := range x {
		v[i] = r[0]
	}
	h, err := plotter.NewHist(v, 60)
	if err != nil {
		return nil, fmt.Errorf("plot: %w", err)
	}
	h.Normalize(1)
	h.FillColor = color.RGBA{R: 120, G: 160, B: 230, A: 255}
	p.Add(h)
	f := plotter.NewFunction(func(x float64) float64 { return math.Exp(-tc.energy(x) - tc.logZ) })
	f.Color = color.RGBA{R: 200, A: 255}
	f.Width = vg.Points(1.5)
	f.Samples = 400
	p.Add(f)
	p.Legend.Add("target density", f)
	p.Legend.Top = true
	peak := 0.0
	for i := 0; i <= 800; i++ {
		peak = math.Max(peak, math.Exp(-tc.energy(-4+float64(i)/100)-tc.logZ))
	}
	p.Y.Max = math.Max(p.Y.Max, 1.05*peak)
	p.X.Min, p.X.Max = math.Min(p.X.Min, -3), math.Max(p.X.Max, 3)
	return p, nil
}
