package validate

import (
	"math"
	"math/rand/v2"
	"slices"
)

// noise returns a T×N matrix of independent normal daily returns with mean
// 0 and standard deviation sd, drawn from seed.
func noise(t, n int, sd float64, seed uint64) [][]float64 {
	rng := rand.New(rand.NewPCG(seed, 1))
	m := make([][]float64, t)
	for d := range m {
		m[d] = make([]float64, n)
		for c := range m[d] {
			m[d][c] = sd * rng.NormFloat64()
		}
	}
	return m
}

// column returns column c of m.
func column(m [][]float64, c int) []float64 {
	col := make([]float64, len(m))
	for d, row := range m {
		col[d] = row[c]
	}
	return col
}

// ksUniform returns the Kolmogorov–Smirnov distance between the empirical
// distribution function of ps and that of the uniform distribution on
// [0, 1], the supremum taken over [0, upTo].
func ksUniform(ps []float64, upTo float64) float64 {
	s := slices.Sorted(slices.Values(ps))
	n := float64(len(s))
	var d float64
	for i, p := range s {
		if p > upTo {
			// Between the last p below upTo and upTo itself.
			d = math.Max(d, math.Abs(upTo-float64(i)/n))
			break
		}
		d = math.Max(d, math.Max(float64(i+1)/n-p, p-float64(i)/n))
	}
	return d
}

// meanSD returns the mean and the sample standard deviation of xs.
func meanSD(xs []float64) (mean, sd float64) {
	for _, x := range xs {
		mean += x
	}
	mean /= float64(len(xs))
	for _, x := range xs {
		sd += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(sd / float64(len(xs)-1))
}

// near reports whether got is within tol of want, absolutely or relative
// to |want|.
func near(got, want, tol float64) bool {
	return math.Abs(got-want) <= tol*math.Max(1, math.Abs(want))
}
