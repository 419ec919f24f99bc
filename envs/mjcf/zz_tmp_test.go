package mjcf_test

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/boltzflow/boltzflow/envs/mjcf"
)

func TestTmpFeat(t *testing.T) {
	m, _ := mjcf.CompileFile(filepath.Join("testdata", "features.xml"))
	r := loadRef(t, filepath.Join("testdata", "features.model.json"))
	for i := range r.Geom.Name {
		fmt.Println(r.Geom.Name[i], m.GeomPos[i], r.Geom.Pos[i], m.GeomQuat[i], r.Geom.Quat[i], m.GeomSize[i], r.Geom.Size[i])
	}
	for i := range r.Body.Name {
		fmt.Printf("%s mass %.17g %.17g\n  inertia %v %v\n  iquat %v %v\n ipos %v %v\n", r.Body.Name[i], m.BodyMass[i], r.Body.Mass[i], m.BodyInertia[i], r.Body.Inertia[i], m.BodyIQuat[i], r.Body.Iquat[i], m.BodyIPos[i], r.Body.Ipos[i])
		fmt.Println(" ", tensor(m.BodyInertia[i], m.BodyIQuat[i]), "\n ", tensor(r.Body.Inertia[i], r.Body.Iquat[i]))
	}
}
