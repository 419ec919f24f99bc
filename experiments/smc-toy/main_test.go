package main

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDemo runs both toys with -json and -png and checks the last line's
// keys, the true log Z values and that the estimates lie within 5 of their
// standard errors (a normal tail of 6e-7; the seed is fixed).
func TestDemo(t *testing.T) {
	for _, tc := range []struct {
		target string
		logZ   float64
	}{
		{"gmm2d", math.Log(8 * math.Pi)},
		{"doublewell1d", 0.0573311535},
	} {
		t.Run(tc.target, func(t *testing.T) {
			png := filepath.Join(t.TempDir(), "out.png")
			var out, errb bytes.Buffer
			err := run([]string{"-target", tc.target, "-particles", "1000", "-steps", "20", "-seed", "3", "-png", png, "-json"}, &out, &errb)
			require.NoError(t, err, errb.String())
			lines := strings.Split(strings.TrimSpace(out.String()), "\n")
			var m map[string]any
			require.NoError(t, json.Unmarshal([]byte(lines[len(lines)-1]), &m))
			for _, k := range []string{"logz_is", "logz_smc", "logz_true", "ess_is"} {
				require.Contains(t, m, k)
			}
			assert.InDelta(t, tc.logZ, m["logz_true"].(float64), 1e-9)
			assert.InDelta(t, tc.logZ, m["logz_is"].(float64), 5*m["logz_is_se"].(float64))
			assert.InDelta(t, tc.logZ, m["logz_smc"].(float64), 5*m["logz_smc_se"].(float64))
			assert.Contains(t, out.String(), "IS ")
			assert.Contains(t, out.String(), "SMC ")
			st, err := os.Stat(png)
			require.NoError(t, err)
			assert.Greater(t, st.Size(), int64(1000))
		})
	}
	var out, errb bytes.Buffer
	assert.Error(t, run([]string{"-target", "nope"}, &out, &errb))
	assert.Error(t, run([]string{"-particles", "1"}, &out, &errb))
	assert.Error(t, run([]string{"-resampler", "x"}, &out, &errb))
}
