package harness

import "math"

// Fees and capital are the harness's, whatever a caller asks for.
const (
	FeeRate          = 0.003 // of notional, per buy and per sell (10 bps exchange + 20 bps slippage)
	StressMultiplier = 1.5   // the stress run pays FeeRate × StressMultiplier
	InitialCapital   = 10000.0
	drawdownFree     = 0.15 // drawdown tolerated before the dampener bites
)

// Score is gem's one scalar:
//
//	score = annual · 1/(1 + max(0, dd − 0.15))² · (1 + 0.1·(1 − HHI))
//
// with annual and dd as fractions from the base run. It is −Inf, with the
// reason, when the base annualised return is below −50% or the stress run's
// Calmar ratio is negative. The ×100 then ÷100 of the percentage metrics is
// repeated as the reference does it, since it is not bit-neutral.
func Score(base, stress Metrics) (score float64, rejection string) {
	annual := base.AnnualizedReturnPct / 100
	dd := math.Abs(base.MaxDrawdownPct) / 100
	switch {
	case annual < -0.5:
		return math.Inf(-1), "annualized return below -50%"
	case stress.CalmarRatio < 0:
		return math.Inf(-1), "stress run (fees x1.5) has a negative Calmar ratio"
	}
	excess := 1 + max(0, dd-drawdownFree)
	dampener := 1 / (excess * excess)
	bonus := 1 + 0.1*(1-base.HHI)
	return annual * dampener * bonus, ""
}
