package mjc_test

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/boltzflow/boltzflow/envs/mjc"
	"github.com/boltzflow/boltzflow/envs/mjcf"
)

// TestCompiledModels runs the reference-state and smooth-rollout checks on
// models built by the MJCF compiler from the shared Gymnasium XML files.
func TestCompiledModels(t *testing.T) {
	assets := filepath.Join(mjc.RefDir(t), "..", "assets")
	for _, name := range mjc.RefModels {
		t.Run(name, func(t *testing.T) {
			m, err := mjcf.CompileFile(filepath.Join(assets, name+".xml"))
			require.NoError(t, err)
			mjc.CheckRandomStates(t, m, name)
			mjc.CheckRolloutSmooth(t, m, "", name, 20, 1e-8)
		})
	}
	// the Euler variants: same XML with the integrator switched
	for _, name := range []string{"ant", "hopper", "humanoid", "walker2d"} {
		t.Run("variants/"+name, func(t *testing.T) {
			m, err := mjcf.CompileFile(filepath.Join(assets, name+".xml"))
			require.NoError(t, err)
			m.Opt.Integrator = mjc.Euler
			mjc.CheckRolloutSmooth(t, m, "variants", name, 20, 1e-8)
		})
	}
}
