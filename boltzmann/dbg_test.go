package boltzmann
import ("testing";"math/rand/v2";"time";"fmt")
func TestDbg(t *testing.T){
 rng := rand.New(rand.NewPCG(9, 10))
 n := 10000
 pts := randAngles(rng, 3, 2)
 a := make([][]float64, n)
 for i := range a { a[i] = pts[rng.IntN(3)] }
 y := randAngles(rng, n, 2)
 t0 := time.Now()
 w, _ := TorusW2(a, y, 0)
 fmt.Println(n, time.Since(t0), w)
}
