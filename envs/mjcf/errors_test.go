package mjcf_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/boltzflow/boltzflow/envs/mjcf"
)

// body wraps worldbody content into a minimal document; the content starts on
// line 4.
func doc(world string) string {
	return "<mujoco>\n<compiler angle=\"degree\"/>\n<worldbody>\n" + world + "\n</worldbody>\n</mujoco>\n"
}

func TestErrors(t *testing.T) {
	cases := []struct {
		name string
		src  string
		want []string // substrings of the error message
	}{
		{"malformed: unclosed tag", "<mujoco>\n<worldbody>\n<body>\n</worldbody>\n</mujoco>",
			[]string{"bad.xml:4:", "malformed XML", "<body>"}},
		{"malformed: truncated", "<mujoco>\n  <worldbody>\n", []string{"bad.xml:", "malformed XML", "<worldbody>"}},
		{"malformed: attribute without quotes", "<mujoco>\n<option timestep=0.01/>\n</mujoco>",
			[]string{"bad.xml:2:", "malformed XML"}},
		{"malformed: empty", "", []string{"bad.xml:1:", "no root element"}},
		{"wrong root", "<robot/>", []string{"bad.xml:1:", "<robot>", "<mujoco>"}},
		{"unknown top-level element", "<mujoco>\n\n<worldbody/>\n<bogus/>\n</mujoco>",
			[]string{"bad.xml:4:", "<bogus>", "unsupported element"}},
		{"unknown element in body", doc("<body name=\"b\">\n  <geom size=\".1\"/>\n  <composite/>\n</body>"),
			[]string{"bad.xml:6:", "<composite>", "unsupported element"}},
		{"unknown attribute", doc("<body>\n  <joint/>\n  <geom size=\".1\" wobble=\"3\"/>\n</body>"),
			[]string{"bad.xml:6:", "<geom>", `"wobble"`, "unsupported attribute"}},
		{"attribute line in a multi-line tag", doc("<body>\n  <geom size=\".1\"\n        colour=\"red\"/>\n</body>"),
			[]string{"bad.xml:6:", "<geom>", `"colour"`}},
		{"bad number", doc("<geom size=\"0.1 x\"/>"), []string{"bad.xml:4:", "<geom>", `"size"`, "not a finite number"}},
		{"too many numbers", doc("<geom size=\"1 2 3 4\"/>"), []string{"bad.xml:4:", "<geom>", `"size"`, "1 to 3"}},
		{"bad enum", doc("<geom type=\"mesh\"/>"), []string{"bad.xml:4:", "<geom>", `"type"`, "mesh"}},
		{"missing size", doc("<geom type=\"capsule\" size=\"0.1\"/>"), []string{"bad.xml:4:", "<geom>", "capsule"}},
		{"unknown class", doc("<geom class=\"nope\" size=\".1\"/>"), []string{"bad.xml:4:", `unknown default class "nope"`}},
		{"global coordinates", "<mujoco>\n<compiler coordinate=\"global\"/>\n</mujoco>",
			[]string{"bad.xml:2:", "<compiler>", "global"}},
		{"elliptic cone", "<mujoco>\n<option cone=\"elliptic\"/>\n</mujoco>", []string{"bad.xml:2:", "<option>", "elliptic"}},
		{"implicit integrator", "<mujoco>\n<option integrator=\"implicit\"/>\n</mujoco>",
			[]string{"bad.xml:2:", "<option>", `"integrator"`}},
		{"unknown flag", "<mujoco>\n<option>\n<flag warp=\"enable\"/>\n</option>\n</mujoco>",
			[]string{"bad.xml:3:", "<flag>", `"warp"`}},
		{"motor on unknown joint", "<mujoco>\n<actuator>\n<motor joint=\"j\"/>\n</actuator>\n</mujoco>",
			[]string{"bad.xml:3:", "<motor>", `unknown joint "j"`}},
		{"other actuator type", "<mujoco>\n<actuator>\n<position joint=\"j\"/>\n</actuator>\n</mujoco>",
			[]string{"bad.xml:3:", "<position>", "only <motor>"}},
		{"equality", "<mujoco>\n<equality>\n<weld body1=\"a\"/>\n</equality>\n</mujoco>",
			[]string{"bad.xml:3:", "<weld>", "unsupported element"}},
		{"limited joint without range order", doc("<body>\n<joint limited=\"true\" range=\"10 -10\"/>\n<geom size=\".1\"/>\n</body>"),
			[]string{"bad.xml:5:", "<joint>", "range"}},
		{"free joint below a child", doc("<body><geom size=\".1\"/><joint/>\n<body><joint type=\"free\"/><geom size=\".1\"/></body></body>"),
			[]string{"bad.xml:5:", "<joint>", "free joint"}},
		{"duplicate joint name", doc("<body><geom size=\".1\"/>\n<joint name=\"a\"/>\n<joint name=\"a\"/>\n</body>"),
			[]string{"bad.xml:6:", "<joint>", `duplicate joint name "a"`}},
		{"massless moving body", doc("<body name=\"ghost\">\n<joint/>\n</body>"),
			[]string{"bad.xml:4:", "<body>", `"ghost"`, "mass"}},
		{"frictionloss", doc("<body><geom size=\".1\"/>\n<joint frictionloss=\"1\"/>\n</body>"),
			[]string{"bad.xml:5:", "<joint>", "frictionloss"}},
		{"tendon stiffness", "<mujoco>\n<tendon>\n<fixed stiffness=\"3\"/>\n</tendon>\n</mujoco>",
			[]string{"bad.xml:3:", "<fixed>", "stiffness"}},
		{"tendon unknown joint", "<mujoco>\n<tendon>\n<fixed>\n<joint joint=\"nope\" coef=\"1\"/>\n</fixed>\n</tendon>\n</mujoco>",
			[]string{"bad.xml:4:", "<joint>", `"nope"`}},
		{"two orientations", doc("<geom size=\".1\" quat=\"1 0 0 0\" euler=\"0 0 1\"/>"),
			[]string{"bad.xml:4:", "<geom>", "one orientation"}},
		{"duplicate attribute", doc("<geom size=\".1\" size=\".2\"/>"), []string{"bad.xml:4:", "<geom>", `duplicate attribute "size"`}},
		{"overflow", doc("<body>\n<joint/>\n<geom type=\"box\" size=\"1e200 1e200 1e200\"/>\n</body>"),
			[]string{"bad.xml:6:", "<geom>", "overflows"}},
		{"text content", doc("<geom size=\".1\">hello</geom>"), []string{"bad.xml:4:", "<geom>", "unexpected text"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := mjcf.Compile(strings.NewReader(tc.src), "bad.xml")
			require.Error(t, err)
			t.Log(err)
			for _, w := range tc.want {
				require.Contains(t, err.Error(), w)
			}
		})
	}
}

func TestCompileFileErrors(t *testing.T) {
	_, err := mjcf.CompileFile(filepath.Join(t.TempDir(), "missing.xml"))
	require.Error(t, err)
	require.Contains(t, err.Error(), "missing.xml")

	path := filepath.Join(t.TempDir(), "m.xml")
	require.NoError(t, os.WriteFile(path, []byte(doc("<geom size=\".1\" bad=\"1\"/>")), 0o644))
	_, err = mjcf.CompileFile(path)
	require.Error(t, err)
	require.Contains(t, err.Error(), path+":4: element <geom>")

	_, err = mjcf.CompileAsset("no_such_model")
	require.Error(t, err)
	require.Contains(t, err.Error(), "no_such_model")
}
