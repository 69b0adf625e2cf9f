package validate

import (
	"fmt"
	"math"
)

// InputError reports a bad value in a returns matrix: a ragged row, a NaN,
// an infinity, or a return outside [-1, MaxReturn]. Day and Config are 0-based indices into the matrix (row and
// column); Config is -1 when the whole row is at fault. A caller that read
// the matrix from a file maps Day to its line.
type InputError struct {
	Day, Config int
	Reason      string
}

func (e *InputError) Error() string {
	if e.Config < 0 {
		return fmt.Sprintf("validate: day %d: %s", e.Day, e.Reason)
	}
	return fmt.Sprintf("validate: day %d, configuration %d: %s", e.Day, e.Config, e.Reason)
}

// MaxReturn is the largest daily return accepted, a million-fold gain: any
// larger is bad data, and sums of squares of such values could overflow.
const MaxReturn = 1e6

// badReturn reports whether r is not a daily return: NaN, below -1 (a loss
// of more than everything) or above MaxReturn (which excludes +Inf).
func badReturn(r float64) bool {
	return !(r >= -1 && r <= MaxReturn)
}

// checkMatrix checks that returns is a T×N matrix of returns (see
// badReturn) with
// T ≥ minDays and N ≥ minConfigs, and returns T and N. what names the
// matrix in the errors.
func checkMatrix(returns [][]float64, minDays, minConfigs int, what string) (t, n int, err error) {
	t = len(returns)
	if t < minDays {
		return 0, 0, fmt.Errorf("validate: %s has %d days, need at least %d", what, t, minDays)
	}
	n = len(returns[0])
	if n < minConfigs {
		return 0, 0, fmt.Errorf("validate: %s has %d configurations, need at least %d", what, n, minConfigs)
	}
	for d, row := range returns {
		if len(row) != n {
			return 0, 0, &InputError{Day: d, Config: -1, Reason: fmt.Sprintf("%s row has %d values, want %d", what, len(row), n)}
		}
		for c, r := range row {
			if badReturn(r) {
				return 0, 0, &InputError{Day: d, Config: c, Reason: fmt.Sprintf("%s return is %v", what, r)}
			}
		}
	}
	return t, n, nil
}

// Moments are the additive statistics of a run of daily returns r_1..r_n:
// sums over blocks of days add, so a performance measure of any union of
// blocks costs O(blocks), not O(days).
//
//	Days = n,  Sum = Σ r_i,  SumSq = Σ r_i²,  SumLog = Σ log(1 + r_i)
type Moments struct {
	Days               int
	Sum, SumSq, SumLog float64
}

// add accumulates one day's return.
func (m *Moments) add(r float64) {
	m.Days++
	m.Sum += r
	m.SumSq += r * r
	m.SumLog += math.Log1p(r)
}

// plus returns the moments of the union of two disjoint runs.
func (m Moments) plus(o Moments) Moments {
	return Moments{Days: m.Days + o.Days, Sum: m.Sum + o.Sum, SumSq: m.SumSq + o.SumSq, SumLog: m.SumLog + o.SumLog}
}

// Performance measures a configuration from the moments of its daily
// returns over a set of days; higher is better. It must be a pure function.
// Path statistics such as the maximum drawdown are not functions of the
// moments; they are also meaningless on the non-contiguous day sets of
// combinatorially symmetric cross-validation.
type Performance func(Moments) float64

// variance returns the sample variance (n − 1) of the run: 0 when it has
// fewer than two days or is constant up to rounding (a variance below 1e-12
// of its mean square, such as a configuration that never invests).
func (m Moments) variance() float64 {
	if m.Days < 2 {
		return 0
	}
	n := float64(m.Days)
	mean := m.Sum / n
	v := (m.SumSq - n*mean*mean) / (n - 1)
	if v <= 1e-12*m.SumSq/n {
		return 0
	}
	return v
}

// Sharpe is the per-period (not annualised) Sharpe ratio of the returns
// with the sample standard deviation, the performance measure of Bailey et
// al. (2017) and of the deflated Sharpe ratio:
//
//	SR = mean / sd,  mean = Sum/n,  sd² = (SumSq − n·mean²) / (n − 1)
//
// It is 0 when the variance is 0 (see Moments.variance: fewer than two
// days, or constant returns).
func Sharpe(m Moments) float64 {
	v := m.variance()
	if v == 0 {
		return 0
	}
	return m.Sum / float64(m.Days) / math.Sqrt(v)
}

// MeanReturn is the arithmetic mean daily return, Sum/n; 0 for no days.
func MeanReturn(m Moments) float64 {
	if m.Days == 0 {
		return 0
	}
	return m.Sum / float64(m.Days)
}

// LogGrowth is the mean daily log growth, SumLog/n, the log of the
// compounded return per day; 0 for no days. It is -Inf when a day lost
// everything (a return of -1).
func LogGrowth(m Moments) float64 {
	if m.Days == 0 {
		return 0
	}
	return m.SumLog / float64(m.Days)
}
