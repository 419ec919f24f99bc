package builder

import (
	"fmt"
	"math"
	"testing"
)

func TestDbgPro(t *testing.T) {
	N := vec{0, 0, 0}
	CA := vec{bondNCA, 0, 0}
	C := CA.add(vec{-bondCAC * math.Cos(angNCAC*deg), bondCAC * math.Sin(angNCAC*deg), 0})
	CB := place(C, N, CA, bondCACB, angNCACB, torsCNCACB)
	best := 1e9
	var bs string
	for a1 := 100.0; a1 <= 106; a1 += 0.5 {
		for c1 := -40.0; c1 <= 40; c1 += 1 {
			for c2 := -45.0; c2 <= 45; c2 += 1 {
				CG := place(N, CA, CB, 1.495, a1, c1)
				CD := place(CA, CB, CG, 1.502, a1+1, c2)
				d := CD.sub(N).norm()
				ang := math.Acos(CD.sub(N).unit().dot(CA.sub(N).unit())) / deg
				cost := math.Abs(d-1.473) + 0.01*math.Abs(ang-111.7)
				if cost < best {
					best = cost
					bs = fmt.Sprintf("a1 %v c1 %v c2 %v d %.3f ang %.1f", a1, c1, c2, d, ang)
				}
			}
		}
	}
	t.Log(bs)
}
