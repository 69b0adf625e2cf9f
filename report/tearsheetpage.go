package report

import (
	"fmt"
	"image/color"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"gem/harness"
)

// Sizes of the evaluation page's tables.
const (
	worstDrawdowns   = 5
	topContributions = 15
	tradesShown      = 25
)

// drawdownTable lists the worst drawdown episodes of the base run.
func drawdownTable(dates []harness.Date, values []float64) (Table, bool) {
	eps := DrawdownEpisodes(values, worstDrawdowns)
	if len(eps) == 0 {
		return Table{}, false
	}
	t := Table{Caption: "Worst drawdowns: each from a peak through its trough to the first day back at the peak, in calendar days", Header: []string{"", "depth %", "peak", "trough", "recovered", "days down", "days to recover", "length, days"}}
	days := func(a, b int) string { return strconv.Itoa(int(dates[b] - dates[a])) }
	for i, ep := range eps {
		rec, back, length := dates[ep.End].String(), days(ep.Trough, ep.End), days(ep.Start, ep.End)
		if !ep.Recovered {
			rec, back, length = "not recovered", "—", days(ep.Start, ep.End)+"+"
		}
		t.Rows = append(t.Rows, []string{strconv.Itoa(i + 1), fmt.Sprintf("%.2f", 100*ep.Depth), dates[ep.Start].String(), dates[ep.Trough].String(),
			rec, days(ep.Start, ep.Trough), back, length})
	}
	return t, true
}

// yearlyTable compares each calendar year's return with the benchmark's.
func yearlyTable(dates []harness.Date, values, bench []float64) Table {
	mr := ComputeMonthlyReturns(dates, values)
	t := Table{Caption: "Returns by calendar year, %", Header: []string{"year", "strategy"}}
	var br MonthlyReturns
	if bench != nil {
		br = ComputeMonthlyReturns(dates, bench)
		t.Header = append(t.Header, "BTC+ETH", "difference")
	}
	pct := func(x float64) string {
		if math.IsNaN(x) {
			return "—"
		}
		return fmt.Sprintf("%.2f", 100*x)
	}
	first, last := dates[0].String(), dates[len(dates)-1].String()
	for i, y := range mr.Years {
		label := strconv.Itoa(y)
		switch {
		case first[:4] == label && last[:4] == label:
			label += fmt.Sprintf(" (%s to %s)", first[5:], last[5:])
		case first[:4] == label && first[5:] != "01-01":
			label += " (from " + first[5:] + ")"
		case last[:4] == label && last[5:] != "12-31":
			label += " (to " + last[5:] + ")"
		}
		row := []string{label, pct(mr.Annual[i])}
		if bench != nil {
			row = append(row, pct(br.Annual[i]), pct(mr.Annual[i]-br.Annual[i]))
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// rollingChart draws the rolling Sharpe ratio and volatility of the base
// run and the benchmark; nil when the run is not longer than the window.
func (e *Evaluation) rollingChart(xs []float64) *Chart {
	if len(xs) <= RollingWindow {
		return nil
	}
	sp := newPlot("", "", "Sharpe ratio")
	vp := newPlot("", "", "volatility")
	sp.X.Tick.Marker, vp.X.Tick.Marker = dateTicks{}, dateTicks{}
	sp.X.Tick.Label.Color = color.Transparent
	vp.Y.Tick.Marker = percentTicks{}
	vp.Y.Min = 0
	legend := newLegend()
	add := func(values []float64, name string, benchmark bool) {
		s, v := Rolling(values, RollingWindow)
		c, w, dashes := strategyColor, 1.2, []vg.Length(nil)
		if benchmark {
			c, w, dashes = benchmarkColor, 1, longDashes
		}
		addLines(sp, &legend, name, segments(xs, s, c, w, dashes))
		addLines(vp, nil, name, segments(xs, v, c, w, dashes))
	}
	add(e.Result.BaseRun.Values, "strategy", false)
	if e.Benchmark != nil {
		add(e.Benchmark.BaseRun.Values, "BTC+ETH", true)
	}
	zero := plotter.NewFunction(func(float64) float64 { return 0 })
	zero.LineStyle.Color, zero.LineStyle.Width = otherColor, vg.Points(0.6)
	sp.Add(zero)
	for _, p := range []*plot.Plot{sp, vp} {
		p.X.Min, p.X.Max = xs[0], xs[len(xs)-1]
	}
	return &Chart{Name: "rolling", Width: wideWidth, Height: 4 * vg.Inch,
		Caption: fmt.Sprintf("Sharpe ratio and volatility of the daily returns over the last %d days (about six months), annualised by √252 as the metric table's Sharpe ratio is (the reference's convention); blank until the first full window.", RollingWindow),
		draw:    stacked([]*plot.Plot{sp, vp}, []float64{1, 1}, &legend)}
}

// exposureChart draws the gross and net exposure and the value held in
// tokens without a candle, as fractions of the portfolio's value.
func (e *Evaluation) exposureChart(xs []float64) *Chart {
	run := e.Result.BaseRun
	ex := ComputeExposure(run)
	p := newPlot("", "", "share of value")
	p.X.Tick.Marker = dateTicks{}
	p.Y.Tick.Marker = percentTicks{}
	p.Y.Min = 0
	legend := newLegend()
	short := false
	for d := range ex.Gross {
		short = short || ex.Gross[d]-ex.Net[d] > 1e-9
		if finite(ex.Net[d]) {
			p.Y.Min = min(p.Y.Min, ex.Net[d])
		}
	}
	addLines(p, &legend, map[bool]string{false: "invested", true: "gross exposure"}[short], segments(xs, ex.Gross, strategyColor, 1, nil))
	if short {
		addLines(p, &legend, "net exposure", segments(xs, ex.Net, bullColor, 1, nil))
	}
	addLines(p, &legend, "in tokens without a candle", segments(xs, ex.Stale, highlightColor, 1.4, nil))
	p.Y.Max = max(p.Y.Max, 1)
	p.X.Min, p.X.Max = xs[0], xs[len(xs)-1]
	return &Chart{Name: "exposure", Width: wideWidth, Height: 2.6 * vg.Inch,
		Caption: fmt.Sprintf("Value in positions each day, and the part of it in tokens without a candle that day (marked at their last close; sold after %d days without one: %d such sales, %.2f%% of the value on average).",
			harness.DefaultStaleDays, len(run.StaleSales), e.Result.Base.StaleValuePct),
		draw: stacked([]*plot.Plot{p}, []float64{1}, &legend)}
}

// contributionTable lists the tokens that contributed most to the base
// run's return.
func (e *Evaluation) contributionTable() (Table, bool) {
	a, ok := ComputeAttribution(e.Result.BaseRun, e.Panel)
	if !ok {
		return Table{}, false
	}
	t := Table{Caption: "Contribution to the total return, percentage points", Header: []string{"token", "contribution"}}
	pp := func(x float64) string { return fmt.Sprintf("%+.2f", 100*x) }
	rest := 0.0
	for i, tok := range a.Tokens {
		if i < topContributions {
			t.Rows = append(t.Rows, []string{e.Panel.Series[tok].Token, pp(a.Contributions[i])})
		} else {
			rest += a.Contributions[i]
		}
	}
	if n := len(a.Tokens) - topContributions; n > 0 {
		t.Rows = append(t.Rows, []string{plural(n, "other token", "other tokens"), pp(rest)})
	}
	if run := e.Result.BaseRun; run.Fills != nil {
		fees := 0.0 // the first day's fees come before v_0
		for _, f := range run.Fills {
			if f.Day > run.First {
				fees += f.Fee
			}
		}
		fees /= run.Values[0]
		t.Rows = append(t.Rows,
			[]string{"fees", pp(-fees)},
			[]string{"fills away from the close, funding, liquidations", pp(a.Trading + fees)})
	} else {
		t.Rows = append(t.Rows, []string{"trading: fees, fills away from the close, funding", pp(a.Trading)})
	}
	t.Rows = append(t.Rows, []string{"total return", pp(a.Total)})
	return t, true
}

// tradesSection shows the last trades of the base run in a table and all
// of them in a CSV file beside the page.
func (e *Evaluation) tradesSection() Section {
	s := Section{Heading: "Trades"}
	fills := e.Result.BaseRun.Fills
	if fills == nil {
		s.Notes = append(s.Notes, "No fills were recorded for this run (harness.Config.RecordFills), so its trades cannot be listed.")
		return s
	}
	buys := 0
	for _, f := range fills {
		if f.Qty > 0 {
			buys++
		}
	}
	s.Notes = append(s.Notes, fmt.Sprintf("%d trades (%d buys, %d sells) on %d rebalances, as the harness filled them (%s fills); the table shows the last %d. A buy's fee is on top of its notional, a sell's comes out of it; a liquidation fills at its trigger price and pays its share of the liquidation fee.",
		len(fills), buys, len(fills)-buys, len(e.Result.BaseRun.Rebalances), e.Result.Fill, min(tradesShown, len(fills))))
	t := Table{Header: []string{"date", "token", "side", "quantity", "price", "notional", "fee", "reason"}}
	for _, f := range fills[max(0, len(fills)-tradesShown):] {
		t.Rows = append(t.Rows, []string{e.Panel.Dates[f.Day].String(), e.Panel.Series[f.Token].Token, side(f),
			strconv.FormatFloat(math.Abs(f.Qty), 'g', 6, 64), strconv.FormatFloat(f.Price, 'g', 6, 64), fmt.Sprintf("%.2f", math.Abs(f.Qty*f.Price)), fmt.Sprintf("%.2f", f.Fee), f.Reason.String()})
	}
	s.Tables = append(s.Tables, t)
	s.Files = append(s.Files, File{Suffix: "-trades.csv", Text: "every trade as CSV (date, token, side, quantity, price, notional, fee, reason).", Data: TradesCSV(fills, e.Panel)})
	return s
}

// Dash patterns: the benchmark's long dashes and the stress run's dots.
var (
	longDashes = []vg.Length{vg.Points(4), vg.Points(2)}
	dots       = []vg.Length{vg.Points(1.5), vg.Points(1.5)}
)

// segments draws ys against xs as one line per run of finite values, with
// the dash pattern dashes (nil for a solid line).
func segments(xs, ys []float64, c color.Color, width float64, dashes []vg.Length) []*plotter.Line {
	var out []*plotter.Line
	for a := 0; a < len(ys); {
		if !finite(ys[a]) {
			a++
			continue
		}
		b := a
		for b < len(ys) && finite(ys[b]) {
			b++
		}
		l := line(xs[a:b], ys[a:b], c, width)
		l.LineStyle.Dashes = dashes
		out = append(out, l)
		a = b
	}
	return out
}

// addLines adds the lines to p and, unless legend is nil or there are no
// lines, the first of them to the legend under name.
func addLines(p *plot.Plot, legend *plot.Legend, name string, ls []*plotter.Line) {
	for _, l := range ls {
		p.Add(l)
	}
	if legend != nil && len(ls) > 0 {
		legend.Add(name, ls[0])
	}
}
