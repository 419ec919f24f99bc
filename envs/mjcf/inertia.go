package mjcf

import (
	"math"

	"github.com/boltzflow/boltzflow/envs/mjc"
)

// geomVolume returns the volume (m³) of a geom of the given type and size, as
// MuJoCo's compiler computes it. Planes have no volume.
func geomVolume(typ mjc.GeomType, size [3]float64) float64 {
	switch typ {
	case mjc.GeomSphere:
		r := size[0]
		return 4 * math.Pi * r * r * r / 3
	case mjc.GeomCapsule:
		r, h := size[0], 2*size[1]
		return math.Pi*r*r*h + 4*math.Pi*r*r*r/3
	case mjc.GeomCylinder:
		r, h := size[0], 2*size[1]
		return math.Pi * r * r * h
	case mjc.GeomEllipsoid:
		return 4 * math.Pi * size[0] * size[1] * size[2] / 3
	case mjc.GeomBox:
		return 8 * size[0] * size[1] * size[2]
	}
	return 0
}

// geomInertia returns the principal moments of inertia (kg·m², in the geom's
// own frame) of a solid geom of mass m (kg): MuJoCo's formulas, including the
// capsule's split into a cylinder and two hemispheres.
func geomInertia(typ mjc.GeomType, size [3]float64, m float64) [3]float64 {
	switch typ {
	case mjc.GeomSphere:
		i := 2 * m * size[0] * size[0] / 5
		return [3]float64{i, i, i}
	case mjc.GeomCapsule:
		r, h := size[0], 2*size[1]
		ms := m * 4 * r / (4*r + 3*h) // both hemispheres
		mc := m - ms                  // cylinder
		ixx := mc*(3*r*r+h*h)/12 + ms*(0.4*r*r+0.375*r*h+0.25*h*h)
		izz := mc*r*r/2 + 0.4*ms*r*r
		return [3]float64{ixx, ixx, izz}
	case mjc.GeomCylinder:
		r, h := size[0], 2*size[1]
		ixx := m * (3*r*r + h*h) / 12
		return [3]float64{ixx, ixx, m * r * r / 2}
	case mjc.GeomEllipsoid:
		a, b, c := size[0], size[1], size[2]
		return [3]float64{m * (b*b + c*c) / 5, m * (a*a + c*c) / 5, m * (a*a + b*b) / 5}
	case mjc.GeomBox:
		a, b, c := 2*size[0], 2*size[1], 2*size[2]
		return [3]float64{m * (b*b + c*c) / 12, m * (a*a + c*c) / 12, m * (a*a + b*b) / 12}
	}
	return [3]float64{}
}
