package harness

import "math"

// Metrics summarise one backtest. The first nine are the reference's, with its
// key names and units (percentages ×100); the rest are gem's additions.
type Metrics struct {
	TotalReturnPct      float64 `metric:"total_return_pct" label:"total return %" fmt:"%.2f"`
	AnnualizedReturnPct float64 `metric:"annualized_return_pct" label:"annualized return %" fmt:"%.2f"`
	MaxDrawdownPct      float64 `metric:"max_drawdown_pct" label:"max drawdown %" fmt:"%.2f"` // ≤ 0
	SharpeRatio         float64 `metric:"sharpe_ratio" label:"Sharpe" fmt:"%.3f"`
	SortinoRatio        float64 `metric:"sortino_ratio" label:"Sortino" fmt:"%.3f"`
	CalmarRatio         float64 `metric:"calmar_ratio" label:"Calmar" fmt:"%.3f"`
	RebalanceCount      int     `metric:"rebalance_count" label:"rebalances"`
	HHI                 float64 `metric:"hhi" label:"HHI (last day)" fmt:"%.3f"` // of the last snapshot
	FinalValue          float64 `metric:"final_value" label:"final value" fmt:"%.2f"`

	AvgHHI          float64 `metric:"avg_hhi" label:"HHI (average)" fmt:"%.3f"`             // mean daily HHI
	TurnoverPerYear float64 `metric:"turnover_per_year" label:"turnover / year" fmt:"%.2f"` // notional traded ÷ mean value, per 365 days
	FeesPaid        float64 `metric:"fees_paid" label:"fees paid" fmt:"%.2f"`
	DaysInvested    int     `metric:"days_invested" label:"days invested"` // days with more than 0.1% of value in positions

	StaleValuePct float64 `metric:"stale_value_pct" label:"value in tokens without a candle %" fmt:"%.2f"` // mean daily share of value held in tokens with no candle that day
	StaleDays     int     `metric:"stale_days" label:"days with stale value"`                              // days on which some value sat in tokens with no candle
	StaleSales    int     `metric:"stale_sales" label:"positions sold as delisted"`                        // positions the delisting rule sold

	FundingPaid     float64 `metric:"funding_paid" label:"funding paid" fmt:"%.2f" table:"omitzero"`         // settlements paid, summed
	FundingReceived float64 `metric:"funding_received" label:"funding received" fmt:"%.2f" table:"omitzero"` // settlements received, summed
	FundingMissing  int     `metric:"funding_missing" label:"settlements without funding" table:"omitzero"`  // settled by the missing-funding rule
	MeanGross       float64 `metric:"mean_gross" label:"gross exposure (mean)" fmt:"%.3f"`                   // mean daily Σ|position| ÷ value
	MeanNet         float64 `metric:"mean_net" label:"net exposure (mean)" fmt:"%.3f"`                       // mean daily Σ position ÷ value
	DaysShort       int     `metric:"days_short" label:"days short" table:"omitzero"`                        // days with more than 0.1% of value short
	Liquidations    int     `metric:"liquidations" label:"liquidations" table:"omitzero"`
	// LiquidationShortfall sums the liquidations' losses beyond the
	// account's equity, which the venue absorbed (the account stops at 0).
	LiquidationShortfall float64 `metric:"liquidation_shortfall" label:"liquidation shortfall" fmt:"%.2f" table:"omitzero"`
}

// Annualisation constants of the reference: 365 calendar days a year for
// returns, sqrt(252) for Sharpe and Sortino.
const (
	daysPerYear       = 365
	sharpeTradingDays = 252
	tiny              = 1e-12
)

// ComputeMetrics derives the metrics of a run on a panel whose calendar is
// dates (run.Values[t] is the value on dates[t]), reproducing the
// reference's arithmetic operation by operation:
//
//	total   = (v_last − v_0) / v_0
//	days    = date_last − date_0 + 1                (elapsed calendar days)
//	annual  = (1 + total)^(365/days) − 1
//	dd      = max_t (peak_t − v_t) / peak_t
//	r_t     = (v_{t+1} − v_t) / v_t             (0 from v_t = 0: Return)
//	sharpe  = mean(r) / std(r) · √252            (population std; 0 if std ≤ 1e-12)
//	sortino = mean(r) / √(Σ_{r<0} r² / N) · √252 (0 if the deviation ≤ 1e-12)
//	calmar  = annual / dd                        (0 if dd ≤ 1e-12)
//
// The reference counts days as rows of its daily calendar; on a calendar
// without holes that is the same number, but a panel's calendar holds only
// the dates some token has a candle on, so a year without data would not
// count. The turnover is per year of the same elapsed days. It panics if
// dates is shorter than run.Values.
func ComputeMetrics(run *Run, dates []Date) Metrics {
	v := run.Values
	var m Metrics
	if len(v) == 0 {
		return m
	}
	if len(dates) < len(v) {
		panic("harness: ComputeMetrics with fewer dates than values")
	}
	first, last := v[0], v[len(v)-1]
	total := (last - first) / first
	years := float64(dates[len(v)-1]-dates[0]+1) / daysPerYear
	annual := Pow(1+total, 1/years) - 1
	peak, dd := first, 0.0
	for _, x := range v {
		peak = max(peak, x)
		dd = max(dd, (peak-x)/peak)
	}
	m.TotalReturnPct = total * 100
	m.AnnualizedReturnPct = annual * 100
	m.MaxDrawdownPct = -dd * 100
	if len(v) > 1 {
		r := make([]float64, len(v)-1)
		for i := range r {
			r[i] = Return(v[i], v[i+1])
		}
		mean := Mean(r)
		if sd := StdPop(r, nil); sd > tiny {
			m.SharpeRatio = mean / sd * math.Sqrt(sharpeTradingDays)
		}
		down := r[:0:0]
		for _, x := range r {
			if x < 0 {
				down = append(down, x*x)
			}
		}
		if dev := math.Sqrt(PairwiseSum(down) / float64(len(r))); dev > tiny {
			m.SortinoRatio = mean / dev * math.Sqrt(sharpeTradingDays)
		}
	}
	if dd > tiny {
		m.CalmarRatio = annual / dd
	}
	m.RebalanceCount = len(run.Rebalances)
	m.HHI = run.HHIs[len(run.HHIs)-1]
	m.FinalValue = last
	m.AvgHHI = Mean(run.HHIs)
	m.FeesPaid = run.FeesPaid
	m.TurnoverPerYear = run.Traded / Mean(v) / years
	for i, x := range v {
		if x-run.Cash[i] > 0.001*x {
			m.DaysInvested++
		}
	}
	if len(run.Stale) == len(v) {
		share := 0.0
		for i, st := range run.Stale {
			if st > 0 {
				m.StaleDays++
				share += st / v[i]
			}
		}
		m.StaleValuePct = 100 * share / float64(len(v))
	}
	m.StaleSales = len(run.StaleSales)
	m.FundingPaid, m.FundingReceived, m.FundingMissing = run.FundingPaid, run.FundingReceived, run.FundingMissing
	m.Liquidations = len(run.Liquidations)
	for _, l := range run.Liquidations {
		m.LiquidationShortfall += l.Shortfall
	}
	if len(run.Gross) == len(v) && len(run.Net) == len(v) {
		g, n := make([]float64, len(v)), make([]float64, len(v))
		for i, x := range v {
			if x > 0 {
				g[i], n[i] = run.Gross[i]/x, run.Net[i]/x
			}
			if (run.Gross[i]-run.Net[i])/2 > 0.001*x {
				m.DaysShort++
			}
		}
		m.MeanGross, m.MeanNet = Mean(g), Mean(n)
	}
	return m
}

// Return is the return realised between consecutive snapshot values,
//
//	r = (cur − prev) / prev
//
// and 0 from a value of 0: an account that a liquidation left at zero earns
// nothing more (its −100% is the liquidation day's return), rather than 0/0.
func Return(prev, cur float64) float64 {
	if prev == 0 {
		return 0
	}
	return (cur - prev) / prev
}

// hhi is the Herfindahl-Hirschman index of a snapshot, defined on the
// absolute weights |w_i| (w_i = position value ÷ total, negative for a short)
// so that a short concentrates a book as a long of the same size does. Cash
// counts as one more holding, of weight c = 1 − G where G = Σ|w_i| when c
// exceeds 1e-9, and the weights are normalised by the larger of 1 and G:
//
//	HHI = (Σ_i |w_i|² + c²) / max(1, G)²
//
// On a long book without leverage this is the reference's index (squared
// weights plus squared cash; an all-cash book has HHI 1), computed with its
// arithmetic (cash 1 − Σw) bit for bit; a levered book's index is that of
// its positions as fractions of the gross, so leverage alone does not
// change it. It lies in [1/(n+1), 1] for n positions.
func hhi(pf *portfolio, total float64, price func(tok int, entry float64) float64) float64 {
	h, invested, gross := 0.0, 0.0, 0.0
	for _, p := range pf.positions {
		w := p.Qty * price(p.Token, p.Entry) / total
		h += w * w
		invested += w
		gross += math.Abs(w)
	}
	if gross-invested <= 2e-9 && gross <= 1+1e-9 { // long and unlevered
		if cash := 1 - invested; cash > 1e-9 {
			h += cash * cash
		}
		return h
	}
	if cash := 1 - gross; cash > 1e-9 {
		h += cash * cash
	}
	return h / (max(1, gross) * max(1, gross))
}
