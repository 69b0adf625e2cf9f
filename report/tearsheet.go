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

// Trade is one change of a position, reconstructed from a run's daily
// snapshots.
type Trade struct {
	Day    int     // calendar day of the panel
	Token  int     // token index of the panel
	Qty    float64 // quantity bought (> 0) or sold (< 0)
	Price  float64 // the fill price (see Trades); NaN when not known
	Reason string  // "rebalance", "stale sale" or "liquidation"
	// Cover marks a short bought back whole, which the harness charges its
	// fee on the gross, as a sell.
	Cover bool
}

// Notional is the trade's quantity times its price, signed as Qty.
func (t Trade) Notional() float64 { return t.Qty * t.Price }

// Fee is the trade's fee at the fee rate rate, as the harness charges it: a
// buy spends an amount of which the fee is rate and the rest buys Qty, a
// sell and a short's cover pay rate of their gross.
//
//	buy:          rate · Notional / (1 − rate)
//	sell, cover:  rate · |Notional|
func (t Trade) Fee(rate float64) float64 {
	if t.Qty > 0 && !t.Cover {
		return rate * t.Notional() / (1 - rate)
	}
	return rate * math.Abs(t.Notional())
}

// Trades reconstructs the trades of run (recorded with
// harness.Config.RecordHoldings) on panel p: on each day the harness says
// something traded (a rebalance, a stale sale, a liquidation), every
// position whose quantity changed, the quantity being the snapshot's value
// over its mark (the token's last close; with reference fills a token
// without a close that day keeps its quantity). A change smaller than 1e-9
// of the position is rounding, not a trade. The price is the fill of the
// harness's rules: the day's open (the previous close for a candle without
// one) with causal fills, the day's close with reference fills and the
// last close for a stale sale; a liquidation's price is NaN, since the
// harness liquidates at a point of the day's price path
// (harness.Liquidation.Path) that the snapshots do not record. The harness
// counts a buy's amount with its fee, Qty·Price/(1 − fee), and a sell's
// gross, |Qty|·Price, in Run.Traded. It returns false without recorded
// holdings.
func Trades(run *harness.Run, p *harness.Panel, fill harness.FillMode) ([]Trade, bool) {
	nd := len(run.Values)
	if nd == 0 || len(run.Holdings) != nd {
		return nil, false
	}
	reason := map[int]string{}
	for _, r := range run.Rebalances {
		reason[r.Day] = "rebalance"
	}
	stale := map[[2]int]bool{}
	for _, s := range run.StaleSales {
		stale[[2]int{s.Day, s.Token}] = true
		reason[s.Day] = cmpOr(reason[s.Day], "stale sale")
	}
	for _, l := range run.Liquidations {
		reason[l.Day] = "liquidation"
	}
	qtys := func(k int, prev map[int]float64) map[int]float64 {
		q := make(map[int]float64, len(run.Holdings[k]))
		d := run.First + k
		for _, h := range run.Holdings[k] {
			c, ok := lastClose(p, h.Token, d)
			if _, on := p.CloseOn(h.Token, d); fill == harness.Reference && !on {
				c, ok = 0, false
			}
			switch {
			case ok && c > 0:
				q[h.Token] = h.Value / c
			default:
				q[h.Token] = prev[h.Token]
			}
		}
		return q
	}
	var trades []Trade
	prev := map[int]float64{}
	for k := range nd {
		d := run.First + k
		cur := qtys(k, prev)
		why, traded := reason[d]
		if !traded {
			prev = cur
			continue
		}
		var toks []int
		for tok := range prev {
			toks = append(toks, tok)
		}
		for tok := range cur {
			if _, ok := prev[tok]; !ok {
				toks = append(toks, tok)
			}
		}
		slices.Sort(toks)
		for _, tok := range toks {
			dq := cur[tok] - prev[tok]
			if !(math.Abs(dq) > 1e-9*max(math.Abs(cur[tok]), math.Abs(prev[tok]))) {
				continue
			}
			_, held := cur[tok]
			t := Trade{Day: d, Token: tok, Qty: dq, Reason: why, Cover: prev[tok] < 0 && !held}
			switch {
			case stale[[2]int{d, tok}]:
				t.Reason = "stale sale"
				t.Price, _ = lastClose(p, tok, d)
			case why == "liquidation":
				t.Price = math.NaN()
			default:
				t.Price = fillPrice(p, tok, d, fill)
			}
			trades = append(trades, t)
		}
		prev = cur
	}
	return trades, true
}

// fillPrice is the price a trade in tok fills at on calendar day d: the
// harness's rule (harness.Backtest), restated here because the harness does
// not record its fills.
func fillPrice(p *harness.Panel, tok, d int, fill harness.FillMode) float64 {
	if fill == harness.Reference {
		c, _ := p.CloseOn(tok, d)
		return c
	}
	n := p.Rows(tok, d)
	s := &p.Series[tok]
	if n == 0 || int(s.Day[n-1]) != d {
		return math.NaN()
	}
	if o := s.Open[n-1]; !math.IsNaN(o) {
		return o
	}
	if n >= 2 {
		return s.Close[n-2]
	}
	return math.NaN()
}

// TradesCSV formats trades as CSV with a header: date, token, side (buy or
// sell), quantity (unsigned), price, notional (quantity × price) and
// reason; an unknown price and its notional are empty.
func TradesCSV(trades []Trade, p *harness.Panel) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Write([]string{"date", "token", "side", "quantity", "price", "notional", "reason"})
	g := func(x float64) string {
		if math.IsNaN(x) {
			return "" // a price the harness does not record
		}
		return strconv.FormatFloat(x, 'g', -1, 64)
	}
	for _, t := range trades {
		side := "buy"
		if t.Qty < 0 {
			side = "sell"
		}
		w.Write([]string{p.Dates[t.Day].String(), p.Series[t.Token].Token, side, g(math.Abs(t.Qty)), g(t.Price), g(math.Abs(t.Notional())), t.Reason})
	}
	w.Flush()
	return b.Bytes()
}
