package regime

import (
	"math"
	"math/rand/v2"
	"testing"
)

// ulps returns the distance between a and b in units in the last place.
func ulps(a, b float64) float64 {
	if a == b {
		return 0
	}
	d := math.Abs(a - b)
	return d / (math.Nextafter(math.Abs(b), math.Inf(1)) - math.Abs(b))
}

func TestExp(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const maxULP = 2
	var worst, at float64
	xs := []float64{0, math.Copysign(0, -1), -1e-300, -1e-17, -math.Ln2, -1, -10, -700, -708, -708.5, -745, -746, -1e10, math.Inf(-1), 1e-3, 3}
	for i := 0; i < 200000; i++ {
		xs = append(xs, -rng.Float64()*math.Pow(10, 3*rng.Float64()-0.15))
	}
	for _, x := range xs {
		got, want := exp(x), math.Exp(x)
		if u := ulps(got, want); u > worst {
			worst, at = u, x
		}
	}
	if worst > maxULP {
		t.Errorf("exp: worst error %.2f ulp at x = %v, want ≤ %d ulp", worst, at, maxULP)
	}
	t.Logf("exp: worst error %.2f ulp (vs math.Exp) at x = %v", worst, at)
	if !math.IsNaN(exp(math.NaN())) {
		t.Errorf("exp(NaN): got %v, want NaN", exp(math.NaN()))
	}
}

func BenchmarkExp(b *testing.B) {
	xs := make([]float64, 1024)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range xs {
		xs[i] = -rng.Float64() * 30
	}
	b.Run("regime", func(b *testing.B) {
		var s float64
		for b.Loop() {
			for _, x := range xs {
				s += exp(x)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(xs)), "ns/exp")
	})
	b.Run("math", func(b *testing.B) {
		var s float64
		for b.Loop() {
			for _, x := range xs {
				s += math.Exp(x)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(xs)), "ns/exp")
	})
}
