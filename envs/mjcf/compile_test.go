package mjcf_test

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/boltzflow/boltzflow/envs/assets"
	"github.com/boltzflow/boltzflow/envs/mjcf"
)

// refNames are the models with MuJoCo 2.2.2 reference data.
var refNames = []string{
	"ant", "half_cheetah", "hopper", "humanoid", "inverted_double_pendulum",
	"inverted_pendulum", "reacher", "swimmer", "walker2d", "walker2d_v5",
}

// TestSharedModels compiles Gymnasium's own XML files and compares every
// compiled field with MuJoCo 2.2.2's.
func TestSharedModels(t *testing.T) {
	shared := sharedDir(t)
	for _, name := range refNames {
		t.Run(name, func(t *testing.T) {
			m, err := mjcf.CompileFile(filepath.Join(shared, "assets", name+".xml"))
			require.NoError(t, err)
			compareModel(t, m, loadRef(t, filepath.Join(shared, "ref", name+".model.json")))
		})
	}
}

// TestOptionVariants compiles user-modified XML (integrator and timestep
// changed in <option>) and compares with the reference variants.
func TestOptionVariants(t *testing.T) {
	shared := sharedDir(t)
	cases := []struct {
		model, ref string
		repl       []string
	}{
		{"hopper", "variants/hopper", []string{`integrator="RK4"`, `integrator="Euler"`}},
		{"walker2d", "variants/walker2d", []string{`integrator="RK4"`, `integrator="Euler"`}},
		{"ant", "variants/ant", []string{`integrator="RK4"`, `integrator="Euler"`}},
		{"humanoid", "variants/humanoid", []string{`integrator="RK4"`, `integrator="Euler"`}},
		{"ant", "variants/ant_dt/ant_euler_h005", []string{`integrator="RK4" timestep="0.01"`, `integrator="Euler" timestep="0.005"`}},
		{"ant", "variants/ant_dt/ant_euler_h0025", []string{`integrator="RK4" timestep="0.01"`, `integrator="Euler" timestep="0.0025"`}},
		{"ant", "variants/ant_dt/ant_rk4_h005", []string{`timestep="0.01"`, `timestep="0.005"`}},
	}
	for _, tc := range cases {
		t.Run(filepath.Base(tc.ref), func(t *testing.T) {
			src, err := os.ReadFile(filepath.Join(shared, "assets", tc.model+".xml"))
			require.NoError(t, err)
			s := string(src)
			require.Contains(t, s, tc.repl[0])
			s = strings.Replace(s, tc.repl[0], tc.repl[1], 1)
			m, err := mjcf.Compile(strings.NewReader(s), tc.ref+".xml")
			require.NoError(t, err)
			compareModel(t, m, loadRef(t, filepath.Join(shared, "ref", tc.ref+".model.json")))
		})
	}
}

// TestOwnModels compiles the project's own model files and compares them with
// MuJoCo 2.2.2's compilation of Gymnasium's files.
func TestOwnModels(t *testing.T) {
	shared := sharedDir(t)
	require.ElementsMatch(t, refNames, assets.Names())
	for _, name := range refNames {
		t.Run(name, func(t *testing.T) {
			m, err := mjcf.CompileAsset(name)
			require.NoError(t, err)
			compareModel(t, m, loadRef(t, filepath.Join(shared, "ref", name+".model.json")))
		})
	}
}

// BenchmarkCompileHumanoid measures compiling the humanoid (XML parse,
// compilation and SetConst).
func BenchmarkCompileHumanoid(b *testing.B) {
	src, err := assets.ReadFile("humanoid")
	require.NoError(b, err)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := mjcf.Compile(strings.NewReader(string(src)), "humanoid.xml"); err != nil {
			b.Fatal(err)
		}
	}
}

func TestByteOrderMark(t *testing.T) {
	src, err := assets.ReadFile("hopper")
	require.NoError(t, err)
	m, err := mjcf.Compile(strings.NewReader("\ufeff"+string(src)), "bom.xml")
	require.NoError(t, err)
	require.Equal(t, 6, m.Nq)
}

// TestOwnMatchesShared compares every exported field of the models compiled
// from the project's files and from Gymnasium's files (including fields the
// reference JSON lacks), to round-off.
func TestOwnMatchesShared(t *testing.T) {
	shared := sharedDir(t)
	for _, name := range refNames {
		t.Run(name, func(t *testing.T) {
			theirs, err := mjcf.CompileFile(filepath.Join(shared, "assets", name+".xml"))
			require.NoError(t, err)
			ours, err := mjcf.CompileAsset(name)
			require.NoError(t, err)
			compareValues(t, "Model", reflect.ValueOf(*ours), reflect.ValueOf(*theirs))
		})
	}
}

// compareValues compares exported fields recursively; floats to 1e-12
// relative (unit quaternions up to sign are not needed: both compilers are
// this one).
func compareValues(t *testing.T, path string, a, b reflect.Value) {
	t.Helper()
	switch a.Kind() {
	case reflect.Struct:
		for i := 0; i < a.NumField(); i++ {
			if !a.Type().Field(i).IsExported() {
				continue
			}
			compareValues(t, path+"."+a.Type().Field(i).Name, a.Field(i), b.Field(i))
		}
	case reflect.Slice, reflect.Array:
		require.Equal(t, b.Len(), a.Len(), path)
		for i := 0; i < a.Len(); i++ {
			compareValues(t, fmt.Sprintf("%s[%d]", path, i), a.Index(i), b.Index(i))
		}
	case reflect.Float64:
		x, y := a.Float(), b.Float()
		require.Truef(t, math.Abs(x-y) <= 1e-12*math.Max(1, math.Abs(y)), "%s: %.17g vs %.17g", path, x, y)
	default:
		require.Equal(t, b.Interface(), a.Interface(), path)
	}
}

// TestOtherGymnasiumFiles compiles the remaining Gymnasium files (user
// variants without reference data) and checks their sizes.
func TestOtherGymnasiumFiles(t *testing.T) {
	shared := sharedDir(t)
	for _, tc := range []struct {
		name           string
		nq, nv, nu, nb int
	}{
		{"humanoidstandup", 24, 23, 17, 14},
		{"pusher", 11, 11, 7, 13},
		{"pusher_v5", 11, 11, 7, 13},
		{"point", 3, 3, 2, 2},
	} {
		m, err := mjcf.CompileFile(filepath.Join(shared, "assets", tc.name+".xml"))
		require.NoError(t, err, tc.name)
		require.Equal(t, []int{tc.nq, tc.nv, tc.nu, tc.nb}, []int{m.Nq, m.Nv, m.Nu, m.Nbody}, tc.name)
	}
}

// TestMuJoCoCompiledExtras compares with MuJoCo 2.2.2's compilation of the
// package's feature test model and of the Gymnasium files without shared
// reference data (testdata/README.md).
func TestMuJoCoCompiledExtras(t *testing.T) {
	m, err := mjcf.CompileFile(filepath.Join("testdata", "features.xml"))
	require.NoError(t, err)
	compareModelTol(t, m, loadRef(t, filepath.Join("testdata", "features.model.json")), 1e-6)
	require.Equal(t, [3]float64{0.5, 0, 0}, m.Opt.Wind)

	shared := sharedDir(t)
	for _, name := range []string{"pusher", "pusher_v5", "point", "humanoidstandup"} {
		t.Run(name, func(t *testing.T) {
			m, err := mjcf.CompileFile(filepath.Join(shared, "assets", name+".xml"))
			require.NoError(t, err)
			compareModel(t, m, loadRef(t, filepath.Join("testdata", name+".model.json")))
		})
	}
}
