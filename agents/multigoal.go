package agents

import (
	"bytes"
	"fmt"
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/boltzflow/boltzflow/envs"
	"github.com/boltzflow/boltzflow/nn"
)

// valueGrid is a plotter.GridXYZ of V on a regular grid.
type valueGrid struct {
	n      int
	lo, hi float64
	v      []float64 // [n·n], row = y index
}

func (g *valueGrid) Dims() (int, int)   { return g.n, g.n }
func (g *valueGrid) X(c int) float64    { return g.lo + (g.hi-g.lo)*float64(c)/float64(g.n-1) }
func (g *valueGrid) Y(r int) float64    { return g.lo + (g.hi-g.lo)*float64(r)/float64(g.n-1) }
func (g *valueGrid) Z(c, r int) float64 { return g.v[r*g.n+c] }

// PlotValueMap writes a PNG of MEow's soft value V(s) = α(log Z(s) + min(b₁, b₂)(s)) over the 2-D position
// square [lo, hi]² of a 2-D observation task (MultiGoal-v0) as a heat map, with the trajectories of one episode
// on each of test[i] (reset with seed i) acting with the given mode overlaid. It returns the number of distinct
// goals reached (for MultiGoal-v0, by envs.MultiGoalGoals within distance 1) and writes path atomically.
func PlotValueMap(path string, m *MEow[float32], test []envs.Env, lo, hi float64, deterministic bool) (int, error) {
	if m.Config.ObsDim != 2 {
		return 0, fmt.Errorf("agents: PlotValueMap needs 2-D observations, have %d", m.Config.ObsDim)
	}
	const n = 101
	g := &valueGrid{n: n, lo: lo, hi: hi, v: make([]float64, n*n)}
	s := make([]float32, 2*n*n)
	for r := 0; r < n; r++ {
		for c := 0; c < n; c++ {
			s[2*(r*n+c)], s[2*(r*n+c)+1] = float32(g.X(c)), float32(g.Y(r))
		}
	}
	tp := nn.NewTape[float32](nil)
	tp.NoGrad = true
	v1, v2 := m.Values(tp, tp.Const(s, n*n, 2), false)
	for i := range g.v {
		g.v[i] = float64(min(v1.Data[i], v2.Data[i]))
	}
	p := plot.New()
	p.Title.Text = "MEow soft value V(s) and trajectories"
	p.X.Label.Text, p.Y.Label.Text = "x", "y"
	pal := moreland.SmoothBlueRed().Palette(64)
	p.Add(plotter.NewHeatMap(g, pal))

	reached := map[int]bool{}
	act := make([]float64, 2)
	envA := make([]float64, 2)
	for i, e := range test {
		o, _ := e.Reset(int64(i))
		pts := plotter.XYs{{X: o[0], Y: o[1]}}
		for {
			m.Act(act, o, 1, deterministic)
			var term, trunc bool
			var err error
			o, _, term, trunc, _, err = e.Step(Rescale(envA, act, e.ActionSpace()))
			if err != nil {
				return 0, err
			}
			pts = append(pts, plotter.XY{X: o[0], Y: o[1]})
			if term || trunc {
				for k, goal := range envs.MultiGoalGoals {
					dx, dy := o[0]-goal[0], o[1]-goal[1]
					if dx*dx+dy*dy < 1 {
						reached[k] = true
					}
				}
				break
			}
		}
		l, err := plotter.NewLine(pts)
		if err != nil {
			return 0, err
		}
		l.Color = color.Black
		l.Width = vg.Points(1)
		p.Add(l)
	}
	goals := make(plotter.XYs, len(envs.MultiGoalGoals))
	for k, goal := range envs.MultiGoalGoals {
		goals[k] = plotter.XY{X: goal[0], Y: goal[1]}
	}
	sc, err := plotter.NewScatter(goals)
	if err != nil {
		return 0, err
	}
	sc.GlyphStyle.Color = color.RGBA{G: 0xa0, A: 0xff}
	sc.GlyphStyle.Radius = vg.Points(5)
	p.Add(sc)
	w, err := p.WriterTo(14*vg.Centimeter, 13*vg.Centimeter, "png")
	if err != nil {
		return 0, err
	}
	var buf bytes.Buffer
	if _, err := w.WriteTo(&buf); err != nil {
		return 0, err
	}
	return len(reached), WriteFileAtomic(path, buf.Bytes())
}
