package validate_test

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gem/validate"
)

// The numerical example of Bailey and López de Prado (2014): the best of
// 100 trials (variance of their annualised Sharpe ratios 1/2) has an
// annualised Sharpe ratio of 2.5 over 1,250 days, skewness -3 and kurtosis
// 10. The paper reports SR₀ = 0.1132 and DSR = 0.9004.
func ExampleProbabilisticSharpe() {
	sr0 := validate.ExpectedMaxSharpe(100, 0.5/250)
	dsr := validate.ProbabilisticSharpe(2.5/math.Sqrt(250), sr0, 1250, -3, 10)
	fmt.Printf("SR₀ %.4f, DSR %.4f\n", sr0, dsr)
	// Output: SR₀ 0.1132, DSR 0.9004
}

// The rank of configurations in one period against the next: x = 1..5
// and y = 2, 1, 4, 3, 5 give ρ = 1 − 6·4/(5·24) = 0.8 and, with 8
// concordant and 2 discordant pairs, τ = 0.6.
func ExampleSpearman() {
	x := []float64{1, 2, 3, 4, 5}
	y := []float64{2, 1, 4, 3, 5}
	rho, _ := validate.Spearman(x, y)
	tau, _ := validate.Kendall(x, y)
	fmt.Printf("Spearman %.1f, Kendall %.1f\n", rho, tau)
	// Output: Spearman 0.8, Kendall 0.6
}

// A configuration with a strong persistent edge among 49 of noise is never
// an overfit choice: PBO is 0 over all C(16, 8) splits.
func ExamplePBO() {
	rng := rand.New(rand.NewPCG(1, 2))
	returns := make([][]float64, 800)
	for d := range returns {
		for c := range 50 {
			r := 0.01 * rng.NormFloat64()
			if c == 7 {
				r += 0.005
			}
			returns[d] = append(returns[d], r)
		}
	}
	res, err := validate.PBO(returns, validate.PBOConfig{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("PBO %.2f over %d splits, P(out-of-sample loss) %.2f\n", res.PBO, res.Splits, res.ProbOOSLoss)
	// Output: PBO 0.00 over 12870 splits, P(out-of-sample loss) 0.00
}

// Three groups of four perfect clones are three independent trials.
func ExampleEffectiveTrials() {
	rng := rand.New(rand.NewPCG(3, 4))
	returns := make([][]float64, 20000)
	for d := range returns {
		for range 3 {
			r := 0.01 * rng.NormFloat64()
			returns[d] = append(returns[d], r, 2*r, r+0.001, 0.5*r)
		}
	}
	eff, err := validate.EffectiveTrials(returns)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%d configurations, %.1f effective trials\n", eff.Configs, eff.Trials)
	// Output: 12 configurations, 3.0 effective trials
}
