package regime

import "math"

// digamma returns ψ(x) = d/dx lnΓ(x) for x > 0. It shifts x above 10 with
// the recurrence ψ(x) = ψ(x+1) - 1/x and then sums the asymptotic expansion
// (Abramowitz & Stegun 1964, 6.3.5 and 6.3.18)
//
//	ψ(x) ~ ln x - 1/(2x) - 1/(12x²) + 1/(120x⁴) - 1/(252x⁶) + 1/(240x⁸)
//	       - 1/(132x¹⁰) + 691/(32760x¹²)
//
// whose truncation error is below 1e-15 for x ≥ 10.
func digamma(x float64) float64 {
	var r float64
	for x < 10 {
		r -= 1 / x
		x++
	}
	f := 1 / (x * x)
	s := f * (1.0/12 - f*(1.0/120-f*(1.0/252-f*(1.0/240-f*(1.0/132-f*(691.0/32760))))))
	return r + math.Log(x) - 0.5/x - s
}

// trigamma returns ψ'(x) for x > 0 from the recurrence ψ'(x) = ψ'(x+1) + 1/x²
// and the asymptotic expansion (Abramowitz & Stegun 1964, 6.4.6 and 6.4.12)
//
//	ψ'(x) ~ 1/x + 1/(2x²) + 1/(6x³) - 1/(30x⁵) + 1/(42x⁷) - 1/(30x⁹) + 5/(66x¹¹)
//
// for x ≥ 10.
func trigamma(x float64) float64 {
	var r float64
	for x < 10 {
		r += 1 / (x * x)
		x++
	}
	f := 1 / (x * x)
	s := 1.0/6 - f*(1.0/30-f*(1.0/42-f*(1.0/30-f*(5.0/66))))
	return r + 1/x + f/2 + s*f/x
}
