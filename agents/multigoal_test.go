package agents

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPlotValueMap(t *testing.T) {
	c := DefaultMEowConfig(2, 2)
	c.FlowHidden, c.ShiftHidden = []int{8}, []int{8}
	m := NewMEow[float32](c, 1)
	_, test, err := MakeEnvs("MultiGoal-v0", 3)
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "v.png")
	goals, err := PlotValueMap(path, m, test, -7, 7, true)
	require.NoError(t, err)
	assert.True(t, goals >= 0 && goals <= 4)
	fi, err := os.Stat(path)
	require.NoError(t, err)
	assert.Greater(t, fi.Size(), int64(1000))
	// Only 2-D observations can be mapped.
	_, err = PlotValueMap(path, NewMEow[float32](DefaultMEowConfig(3, 1), 1), test, -7, 7, true)
	require.Error(t, err)
}

func TestPlotCurves(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.png")
	c := Curve{Name: "a", Step: []float64{1, 2, 3}, Mean: []float64{-3, -2, -1}, Std: []float64{1, 1, 0.5}}
	require.NoError(t, PlotCurves(path, "t", 200, 100, c, Curve{Name: "b", Step: []float64{1, 2}, Mean: []float64{0, 1}}))
	fi, err := os.Stat(path)
	require.NoError(t, err)
	assert.Greater(t, fi.Size(), int64(500))
	c.Std = c.Std[:2]
	require.Error(t, PlotCurves(path, "t", 200, 100, c))
}
