package validate

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/stat"
)

// Spearman is Spearman's rank correlation of x and y: Pearson's correlation
// of their ranks, ties sharing their mean rank (Spearman, "The proof and
// measurement of association between two things", American Journal of
// Psychology 15(1), 1904):
//
//	ρ_s = corr(rank(x), rank(y))
//
// Infinities are ordinary values (a score of -Inf ranks last); NaN is an
// error, and so are slices of different lengths or shorter than 2. The
// result is NaN when x or y is constant.
func Spearman(x, y []float64) (float64, error) {
	if err := checkPair(x, y); err != nil {
		return 0, err
	}
	rx, ry := ranks(x), ranks(y)
	if constant(rx) || constant(ry) {
		return math.NaN(), nil
	}
	return stat.Correlation(rx, ry, nil), nil
}

// Kendall is Kendall's τ_b of x and y, which corrects for ties (Kendall,
// "The treatment of ties in ranking problems", Biometrika 33(3), 1945):
//
//	τ_b = (C − D) / √((P − T_x)·(P − T_y))
//
// over the P = n(n−1)/2 pairs, C concordant, D discordant, T_x tied in x
// and T_y tied in y (pairs tied in both count in both). It takes O(n²)
// time. Inputs and errors are as for Spearman; the result is NaN when x or
// y is constant.
func Kendall(x, y []float64) (float64, error) {
	if err := checkPair(x, y); err != nil {
		return 0, err
	}
	var conc, disc, tx, ty float64
	for i := range x {
		for j := i + 1; j < len(x); j++ {
			dx, dy := cmpSign(x[i], x[j]), cmpSign(y[i], y[j])
			switch {
			case dx == 0 || dy == 0:
				if dx == 0 {
					tx++
				}
				if dy == 0 {
					ty++
				}
			case dx == dy:
				conc++
			default:
				disc++
			}
		}
	}
	p := float64(len(x)) * float64(len(x)-1) / 2
	den := math.Sqrt((p - tx) * (p - ty))
	if den == 0 {
		return math.NaN(), nil
	}
	return (conc - disc) / den, nil
}

// RankStability is how well the ranking of configurations in one period
// predicts their ranking in another ("does the ranking on 2021 predict
// 2023?"). Performance[i][n] is configuration n's performance in period i;
// Spearman[i][j] and Kendall[i][j] are the rank correlations of the
// configurations between periods i and j (1 on the diagonal, NaN where a
// period's performances are all equal).
type RankStability struct {
	Performance       [][]float64
	Spearman, Kendall [][]float64
}

// PeriodRanks measures each configuration (a column of the T×N matrix
// returns) by perf on each period (nil means Sharpe) and returns the rank
// correlations between the periods. periods holds the first day of each
// period after the first, so the len(periods)+1 periods are days
// [0, periods[0]), [periods[0], periods[1]), …, [periods[len−1], T).
//
// It returns an error if a period has fewer than 2 days (which includes
// periods out of order or beyond T), if there are fewer than 2
// configurations, if perf returns NaN, or if the matrix is ragged or holds
// a bad return (an *InputError).
func PeriodRanks(returns [][]float64, periods []int, perf Performance) (RankStability, error) {
	t, n, err := checkMatrix(returns, 2, 2, "returns")
	if err != nil {
		return RankStability{}, err
	}
	if perf == nil {
		perf = Sharpe
	}
	bounds := append(append([]int{0}, periods...), t)
	for i := 1; i < len(bounds); i++ {
		if bounds[i]-bounds[i-1] < 2 {
			return RankStability{}, fmt.Errorf("validate: period %d covers days %d to %d, need at least 2 days in increasing order", i-1, bounds[i-1], bounds[i]-1)
		}
	}
	np := len(bounds) - 1
	res := RankStability{Performance: make([][]float64, np), Spearman: make([][]float64, np), Kendall: make([][]float64, np)}
	for i := range np {
		ms := make([]Moments, n)
		for _, row := range returns[bounds[i]:bounds[i+1]] {
			for c, r := range row {
				ms[c].add(r)
			}
		}
		res.Performance[i] = make([]float64, n)
		for c, m := range ms {
			p := perf(m)
			if math.IsNaN(p) {
				return RankStability{}, fmt.Errorf("validate: configuration %d's performance in period %d is NaN", c, i)
			}
			res.Performance[i][c] = p
		}
	}
	for i := range np {
		res.Spearman[i], res.Kendall[i] = make([]float64, np), make([]float64, np)
		for j := range np {
			// The inputs were checked: the errors cannot happen.
			res.Spearman[i][j], _ = Spearman(res.Performance[i], res.Performance[j])
			res.Kendall[i][j], _ = Kendall(res.Performance[i], res.Performance[j])
		}
	}
	return res, nil
}

// checkPair checks the inputs of a rank correlation.
func checkPair(x, y []float64) error {
	if len(x) != len(y) {
		return fmt.Errorf("validate: rank correlation of %d and %d values", len(x), len(y))
	}
	if len(x) < 2 {
		return errors.New("validate: rank correlation needs at least 2 pairs")
	}
	for i := range x {
		if math.IsNaN(x[i]) || math.IsNaN(y[i]) {
			return fmt.Errorf("validate: rank correlation: pair %d holds NaN", i)
		}
	}
	return nil
}

// cmpSign returns -1, 0 or 1 as a is less than, equal to or greater than b.
func cmpSign(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// ranks returns the ranks of xs (1 = smallest), ties sharing their mean
// rank.
func ranks(xs []float64) []float64 {
	idx := make([]int, len(xs))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int { return cmpSign(xs[a], xs[b]) })
	r := make([]float64, len(xs))
	for i := 0; i < len(idx); {
		j := i
		for j < len(idx) && xs[idx[j]] == xs[idx[i]] {
			j++
		}
		mean := float64(i+j+1) / 2 // ranks i+1..j
		for _, k := range idx[i:j] {
			r[k] = mean
		}
		i = j
	}
	return r
}
