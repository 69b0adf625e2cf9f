package report

import (
	"bytes"
	"cmp"
	"encoding/csv"
	"math"
	"slices"
	"strconv"

	"gem/harness"
)

// DrawdownEpisode is one fall of a value series from a peak and its way
// back. Start, Trough and End index the series: Start is the peak's day,
// Trough the lowest day, End the first day back at or above the peak, or
// the series' last day when it never got back (Recovered false).
type DrawdownEpisode struct {
	Start, Trough, End int
	Depth              float64 // v_trough / v_peak − 1, at most 0
	Recovered          bool
}

// DrawdownEpisodes returns the n deepest drawdown episodes of values,
// deepest first (the earlier first among equal depths). An episode starts at
// a running peak, reaches its trough and ends on the first later day whose
// value is at or above the peak; one still open on the last day is not
// recovered. NaN values and values before the first positive one are
// skipped: they are neither a peak nor a trough. It returns nil for a
// series without a fall.
func DrawdownEpisodes(values []float64, n int) []DrawdownEpisode {
	var eps []DrawdownEpisode
	peak := -1 // index of the running peak
	var cur *DrawdownEpisode
	for i, v := range values {
		if math.IsNaN(v) || peak < 0 && !(v > 0) {
			continue
		}
		if peak < 0 || v >= values[peak] {
			if cur != nil {
				cur.End, cur.Recovered = i, true
				eps = append(eps, *cur)
				cur = nil
			}
			peak = i
			continue
		}
		depth := v/values[peak] - 1
		if cur == nil {
			cur = &DrawdownEpisode{Start: peak, Trough: i, Depth: depth}
		} else if depth < cur.Depth {
			cur.Trough, cur.Depth = i, depth
		}
		cur.End = i
	}
	if cur != nil {
		eps = append(eps, *cur)
	}
	slices.SortStableFunc(eps, func(a, b DrawdownEpisode) int { return cmp.Compare(a.Depth, b.Depth) })
	return eps[:min(n, len(eps))]
}

// RollingWindow is the window of the rolling Sharpe ratio and volatility,
// in days of the backtest: about six months, the window pyfolio and
// quantstats use (126 trading days there; crypto trades every calendar day).
const RollingWindow = 182

// Rolling returns, for each day t of values, the annualised Sharpe ratio
// and volatility of the window daily returns ending on t, with the daily
// return, the population standard deviation and the annualisation of the
// harness's Sharpe ratio (harness.ComputeMetrics, the reference's
// convention: √252, not √365):
//
//	r_t = v_t / v_(t−1) − 1
//	sharpe_t = mean(r_(t−window+1..t)) / std(…) · √252   (0 if std ≤ 1e-12)
//	vol_t    = std(r_(t−window+1..t)) · √252
//
// so that a window spanning the whole run reproduces the metric table's
// Sharpe ratio. Days before the first full window, and windows holding a
// NaN or infinite return, are NaN. It panics if window < 2.
func Rolling(values []float64, window int) (sharpe, vol []float64) {
	if window < 2 {
		panic("report: Rolling needs a window of at least 2 returns")
	}
	sharpe, vol = make([]float64, len(values)), make([]float64, len(values))
	r := make([]float64, max(0, len(values)-1)) // r[t-1] is r_t
	for t := 1; t < len(values); t++ {
		r[t-1] = (values[t] - values[t-1]) / values[t-1]
	}
	scratch := make([]float64, window)
	ann := math.Sqrt(252)
	for t := range values {
		sharpe[t], vol[t] = math.NaN(), math.NaN()
		if t < window {
			continue
		}
		w := r[t-window : t]
		if slices.ContainsFunc(w, func(x float64) bool { return math.IsNaN(x) || math.IsInf(x, 0) }) {
			continue
		}
		sd := harness.StdPop(w, scratch)
		vol[t], sharpe[t] = sd*ann, 0
		if sd > 1e-12 {
			sharpe[t] = harness.Mean(w) / sd * ann
		}
	}
	return sharpe, vol
}

// Exposure is a run's exposure each day, as fractions of the day's value:
// Gross is Σ|position value|, Net Σ position value (they differ only with
// shorts), Stale the value in tokens without a candle that day.
type Exposure struct {
	Gross, Net, Stale []float64
}

// ComputeExposure computes the daily exposure of run from its snapshots; a
// day with a value of 0 or less has NaN fractions.
func ComputeExposure(run *harness.Run) Exposure {
	nd := len(run.Values)
	e := Exposure{Gross: make([]float64, nd), Net: make([]float64, nd), Stale: make([]float64, nd)}
	at := func(xs []float64, d int) float64 {
		v := run.Values[d]
		if d >= len(xs) || !(v > 0) {
			return math.NaN()
		}
		return xs[d] / v
	}
	for d := range nd {
		e.Gross[d], e.Net[d], e.Stale[d] = at(run.Gross, d), at(run.Net, d), at(run.Stale, d)
	}
	return e
}

// Attribution splits a run's total return into each token's contribution.
type Attribution struct {
	// Tokens and Contributions, largest contribution in magnitude first:
	// the profit of each token's positions at their daily marks, as a
	// fraction of the first day's value (see ComputeAttribution).
	Tokens        []int
	Contributions []float64
	// Trading is what the marks do not explain, Total − Σ Contributions:
	// fees, fills away from the close, funding and liquidations.
	Trading float64
	// Total is the run's total return as the harness measures it,
	// v_last / v_0 − 1.
	Total float64
}

// ComputeAttribution attributes the total return of run (recorded with
// harness.Config.RecordHoldings) on panel p to its tokens. Each day's profit
// of token i is its previous snapshot's value times the token's move from
// mark to mark:
//
//	pnl_(d,i)      = h_(d−1,i) · (c_(d,i) / c_(d−1,i) − 1)
//	contribution_i = Σ_(d≥1) pnl_(d,i) / v_0
//
// with h the position's value in the snapshot of day d−1, c the token's
// last close on or before a day (the mark of causal fills; a day without a
// candle moves nothing) and v_0 the first day's value, so that
//
//	Σ_i contribution_i + Trading = v_last / v_0 − 1 = Total
//
// holds by construction, and Trading is exactly 0 (up to rounding) over
// days without a trade, funding or liquidation: on such days the
// positions' marks explain the whole change of value. It returns false
// without recorded holdings or when v_0 is not positive.
func ComputeAttribution(run *harness.Run, p *harness.Panel) (Attribution, bool) {
	var a Attribution
	nd := len(run.Values)
	if nd == 0 || len(run.Holdings) != nd || !(run.Values[0] > 0) {
		return a, false
	}
	v0 := run.Values[0]
	a.Total = run.Values[nd-1]/v0 - 1
	pnl := map[int]float64{}
	for k := 1; k < nd; k++ {
		d := run.First + k
		for _, h := range run.Holdings[k-1] {
			x := 0.0 // a token held is listed even when it never moved
			prev, ok1 := lastClose(p, h.Token, d-1)
			now, ok2 := lastClose(p, h.Token, d)
			if ok1 && ok2 {
				x = h.Value * (now/prev - 1)
			}
			pnl[h.Token] += x
		}
	}
	sum := 0.0
	for tok, x := range pnl {
		a.Tokens = append(a.Tokens, tok)
		a.Contributions = append(a.Contributions, x/v0)
		sum += x / v0
	}
	order := make([]int, len(a.Tokens))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(i, j int) int {
		if c := cmp.Compare(math.Abs(a.Contributions[j]), math.Abs(a.Contributions[i])); c != 0 {
			return c
		}
		return cmp.Compare(a.Tokens[i], a.Tokens[j])
	})
	toks, cs := make([]int, len(order)), make([]float64, len(order))
	for n, i := range order {
		toks[n], cs[n] = a.Tokens[i], a.Contributions[i]
	}
	a.Tokens, a.Contributions = toks, cs
	a.Trading = a.Total - sum
	return a, true
}

// lastClose is the close of token tok's latest candle on or before
// calendar day d.
func lastClose(p *harness.Panel, tok, d int) (float64, bool) {
	n := p.Rows(tok, d)
	if n == 0 {
		return 0, false
	}
	return p.Series[tok].Close[n-1], true
}

// TradesCSV formats the fills of a run (harness.Run.Fills) as CSV with a
// header: date, token, side (buy or sell), quantity (unsigned), price,
// notional (quantity × price), fee and reason.
func TradesCSV(fills []harness.Fill, p *harness.Panel) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Write([]string{"date", "token", "side", "quantity", "price", "notional", "fee", "reason"})
	g := func(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }
	for _, f := range fills {
		w.Write([]string{p.Dates[f.Day].String(), p.Series[f.Token].Token, side(f), g(math.Abs(f.Qty)), g(f.Price), g(math.Abs(f.Qty * f.Price)), g(f.Fee), f.Reason.String()})
	}
	w.Flush()
	return b.Bytes()
}

// side is "buy" for a fill of positive quantity (a short's cover included),
// "sell" otherwise.
func side(f harness.Fill) string {
	if f.Qty > 0 {
		return "buy"
	}
	return "sell"
}
