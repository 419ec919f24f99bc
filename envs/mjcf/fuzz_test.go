package mjcf_test

import (
	"strings"
	"testing"

	"github.com/boltzflow/boltzflow/envs/assets"
	"github.com/boltzflow/boltzflow/envs/mjcf"
)

// FuzzCompile checks that arbitrary input gives a model or an error, never a
// panic. The seeds are the embedded models and a few small documents.
func FuzzCompile(f *testing.F) {
	for _, name := range assets.Names() {
		b, err := assets.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
	f.Add(`<mujoco><worldbody><body><joint type="ball"/><geom type="box" size="1 1 1"/></body></worldbody></mujoco>`)
	f.Add(`<mujoco><default><default class="x"/></default></mujoco>`)
	f.Fuzz(func(t *testing.T, src string) {
		m, err := mjcf.Compile(strings.NewReader(src), "fuzz.xml")
		if err == nil && m == nil {
			t.Fatal("nil model without error")
		}
		if err != nil && !strings.HasPrefix(err.Error(), "fuzz.xml") {
			t.Fatalf("error does not name the file: %v", err)
		}
	})
}
