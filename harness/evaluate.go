package harness

import (
	"context"
	"math"
)

// Evaluation is the scored result of a strategy on a panel.
type Evaluation struct {
	Score     float64 // −Inf when rejected
	Rejection string  // why Score is −Inf; empty otherwise
	Base      Metrics
	Stress    Metrics
	BaseRun   *Run
	StressRun *Run
	Fill      FillMode
	Harness   string // fingerprint of the harness source
	Data      string // fingerprint of the panel
}

// Evaluate runs the base backtest (fee FeeRate) and the stress backtest (fee
// FeeRate × StressMultiplier, and the funding it pays × StressMultiplier:
// Config.StressFunding), both from InitialCapital, and scores them. The
// caller's FeeRate, InitialCapital and StaleDays are ignored: they are the
// harness's (StaleDays is DefaultStaleDays with causal fills; the reference
// mode keeps its stale positions). newStrategy is called once per backtest,
// base first.
func Evaluate(ctx context.Context, p *Panel, newStrategy func() Strategy, cfg Config) (*Evaluation, error) {
	cfg.InitialCapital = InitialCapital
	cfg.FeeRate = FeeRate
	cfg.StaleDays = 0
	if cfg.Fill == Causal {
		cfg.StaleDays = DefaultStaleDays
	}
	base, err := Backtest(ctx, p, newStrategy(), cfg)
	if err != nil {
		return nil, err
	}
	cfg.FeeRate, cfg.StressFunding = StressFeeRate(), true
	stress, err := Backtest(ctx, p, newStrategy(), cfg)
	if err != nil {
		return nil, err
	}
	e := &Evaluation{
		Base: ComputeMetrics(base, p.Dates[base.First:]), Stress: ComputeMetrics(stress, p.Dates[stress.First:]),
		BaseRun: base, StressRun: stress, Fill: cfg.Fill,
		Harness: Fingerprint(), Data: p.Fingerprint(),
	}
	e.Score, e.Rejection = Score(e.Base, e.Stress)
	return e, nil
}

// StressFeeRate is FeeRate × StressMultiplier rounded as float64 arithmetic
// rounds it (0.0045000000000000005), as the reference computes it; Go's
// exact constant arithmetic would give 0.0045.
func StressFeeRate() float64 {
	fee, mult := FeeRate, StressMultiplier
	return fee * mult
}

// Rejected reports whether the score is −Inf.
func (e *Evaluation) Rejected() bool { return math.IsInf(e.Score, -1) }
