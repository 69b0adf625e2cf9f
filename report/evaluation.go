package report

import (
	"errors"
	"fmt"
	"image/color"
	"math"
	"strings"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/palette/brewer"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"gem/harness"
	"gem/ledger"
)

// Evaluation is what an evaluation report shows: one configuration's scored
// backtests, the benchmark's beside them, and what the strategy recorded on
// the way. Evaluate gathers it.
type Evaluation struct {
	Title       string // headline, e.g. "ensemble, causal fills"
	Description string // the data in a few words
	// Changes lists the parameters that differ from the strategy's
	// defaults, "name=value ..."; empty for the defaults.
	Changes string
	// Panel is the panel evaluated: its calendar, tokens and prices (the
	// trades and each token's contribution are reconstructed from them).
	Panel *harness.Panel
	// Result is the strategy's evaluation. Its base run needs recorded
	// holdings (harness.Config.RecordHoldings) for the holdings chart, the
	// contributions and the trades.
	Result *harness.Evaluation
	// Benchmark is the BTC+ETH buy-and-hold evaluated by the same harness
	// on the same panel; nil for none.
	Benchmark *harness.Evaluation
	// Posteriors holds the strategy's regime posterior of each backtest day
	// (nil on days without a regime call), as strategy.EnsembleStats
	// records it; nil for a strategy without regimes.
	Posteriors [][]float64
	// Regimes names the posteriors' components (bear, ranging, bull).
	Regimes []string
}

// Chart sizes, in points (72 to the inch).
const (
	wideWidth   = 9 * vg.Inch
	smallWidth  = 4.4 * vg.Inch
	smallHeight = 3 * vg.Inch
	// maxBandPoints bounds the points of a stacked area: holdings change at
	// rebalances, so a few hundred samples show them without a megabyte of
	// SVG.
	maxBandPoints = 600
	topHoldings   = 10
)

// EvaluationPage builds the report of one evaluation, a tearsheet on the
// model of quantstats and pyfolio: the equity curves of the base and stress
// runs against the benchmark on a log scale with the regime posterior as a
// ribbon under them, the drawdowns and the worst of them, the returns by
// year against the benchmark, the rolling Sharpe ratio and volatility, the
// exposure and the stale value, the holdings, each token's contribution,
// the trades (a table, and a CSV file beside the page), the monthly
// returns, the metric table and the parameters that differ from the
// defaults.
func EvaluationPage(e *Evaluation) (*Page, error) {
	if e.Result == nil || e.Result.BaseRun == nil || e.Result.StressRun == nil {
		return nil, errors.New("report: evaluation without a base and a stress run")
	}
	if e.Panel == nil {
		return nil, errors.New("report: evaluation without its panel")
	}
	run := e.Result.BaseRun
	nd := len(run.Values)
	if nd == 0 || run.First < 0 || run.First+nd > e.Panel.NumDays() {
		return nil, fmt.Errorf("report: a run of %d days from day %d on a panel of %d", nd, run.First, e.Panel.NumDays())
	}
	if s := e.Result.StressRun; len(s.Values) != nd || s.First != run.First {
		return nil, errors.New("report: the stress run does not cover the base run's days")
	}
	if b := e.Benchmark; b != nil && (b.BaseRun == nil || len(b.BaseRun.Values) != nd || b.BaseRun.First != run.First) {
		return nil, errors.New("report: the benchmark's run does not cover the same days")
	}
	if e.Posteriors != nil && len(e.Posteriors) != nd {
		return nil, fmt.Errorf("report: %d regime posteriors for %d backtest days", len(e.Posteriors), nd)
	}
	if e.Posteriors != nil && len(e.Regimes) == 0 {
		return nil, errors.New("report: regime posteriors without the regimes' names")
	}
	dates := e.Panel.Dates[run.First : run.First+nd]
	p := &Page{
		Title: "gem evaluation: " + e.Title,
		Subtitle: fmt.Sprintf("%s · %s to %s · %s fills · harness %s · data %s",
			e.Description, dates[0], dates[nd-1], e.Result.Fill, e.Result.Harness, e.Result.Data),
	}

	score := "Score " + ledger.FormatFloat(e.Result.Score)
	if e.Result.Rejected() {
		score += " (rejected: " + e.Result.Rejection + ")"
	}
	if e.Benchmark != nil {
		score += "; the BTC+ETH benchmark scores " + ledger.FormatFloat(e.Benchmark.Score) + " under the same harness."
	}
	xs := make([]float64, nd)
	for i, d := range dates {
		xs[i] = float64(d)
	}
	equity := &Chart{Name: "equity", Width: wideWidth, Height: 4.6 * vg.Inch,
		Caption: fmt.Sprintf("Portfolio value from 10,000, log scale: the base run (fees 0.30%% per side), the stress run (fees ×%g) and BTC+ETH buy-and-hold under the same harness.", harness.StressMultiplier)}
	eqPlot, legend := e.equityPlot(xs)
	if e.Posteriors != nil {
		ribbon := e.ribbonPlot(xs, &legend)
		equity.draw = stacked([]*plot.Plot{eqPlot, ribbon}, []float64{4, 1}, &legend)
		equity.Caption += " The ribbon under it is the regime posterior of each decision day (blank before the first regime call)."
	} else {
		equity.draw = stacked([]*plot.Plot{eqPlot}, []float64{1}, &legend)
	}
	p.Sections = append(p.Sections, Section{Heading: "Equity", Notes: []string{score}, Charts: []*Chart{equity}})

	dd, ddLegend := e.drawdownPlot(xs)
	dds := Section{Heading: "Drawdown", Charts: []*Chart{{
		Name: "drawdown", Width: wideWidth, Height: 2.6 * vg.Inch,
		Caption: "Fall from the running peak of the portfolio value. The score's dampener starts biting beyond 15%.",
		draw:    stacked([]*plot.Plot{dd}, []float64{1}, &ddLegend),
	}}}
	if t, ok := drawdownTable(dates, run.Values); ok {
		dds.Tables = append(dds.Tables, t)
	}
	p.Sections = append(p.Sections, dds)

	var bench []float64
	if e.Benchmark != nil {
		bench = e.Benchmark.BaseRun.Values
	}
	p.Sections = append(p.Sections, Section{Heading: "Returns by year", Tables: []Table{yearlyTable(dates, run.Values, bench)}})

	rolling := Section{Heading: "Rolling Sharpe ratio and volatility"}
	if c := e.rollingChart(xs); c != nil {
		rolling.Charts = append(rolling.Charts, c)
	} else {
		rolling.Notes = append(rolling.Notes, fmt.Sprintf("The run has %d days, not more than the rolling window of %d.", nd, RollingWindow))
	}
	p.Sections = append(p.Sections, rolling)

	p.Sections = append(p.Sections, Section{Heading: "Exposure", Charts: []*Chart{e.exposureChart(xs)}})

	if hw, ok := ComputeHoldingWeights(run, e.tokens(), topHoldings); ok {
		hp, hl := holdingsPlot(xs, hw)
		p.Sections = append(p.Sections, Section{Heading: "Holdings", Charts: []*Chart{{
			Name: "holdings", Width: wideWidth, Height: 3.4 * vg.Inch,
			Caption: "Weight of each position in the daily snapshot, stacked: the largest tokens by average weight, every other token together (grey), and cash (sand).",
			draw:    stacked([]*plot.Plot{hp}, []float64{1}, &hl),
		}}})
	} else {
		p.Sections = append(p.Sections, Section{Heading: "Holdings", Notes: []string{"No holdings were recorded for this run (harness.Config.RecordHoldings)."}})
	}

	if t, ok := e.contributionTable(); ok {
		p.Sections = append(p.Sections, Section{Heading: "Contribution by token", Tables: []Table{t},
			Notes: []string{"Each token's profit at its daily marks (last close) on the previous day's holdings, as a share of the first day's value. With the fees and what the marks do not see (fills at the open rather than the close, funding, liquidations) they sum to the total return exactly; the fees are those of the trades after the first day, as the total return is measured from the first day's value."}})
	}
	p.Sections = append(p.Sections, e.tradesSection())

	mr := ComputeMonthlyReturns(dates, run.Values)
	p.Sections = append(p.Sections, Section{Heading: "Monthly returns", Charts: []*Chart{{
		Name: "monthly", Width: wideWidth, Height: vg.Length(1.1+0.36*float64(len(mr.Years))) * vg.Inch,
		Caption: "Return of each calendar month of the base run, in percent; the year's compounded return is in the row label.",
		draw:    single(monthlyPlot(mr)),
	}}})

	p.Sections = append(p.Sections, Section{Heading: "Metrics", Tables: []Table{e.metricTable()}})
	conf := "Default parameters ('gem params' lists them)."
	if e.Changes != "" {
		conf = "The defaults ('gem params' lists them) except: " + e.Changes
	}
	p.Sections = append(p.Sections, Section{Heading: "Configuration", Notes: []string{conf}})
	return p, nil
}

// tokens names the panel's tokens, indexed as harness.Holding.Token.
func (e *Evaluation) tokens() []string {
	names := make([]string, e.Panel.NumTokens())
	for i := range names {
		names[i] = e.Panel.Series[i].Token
	}
	return names
}

// equityPlot is the log-scale equity curve with the benchmark, and the
// legend to draw beside the figure.
func (e *Evaluation) equityPlot(xs []float64) (*plot.Plot, plot.Legend) {
	p := newPlot("", "", "value (log scale)")
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = logTicks{}
	p.X.Tick.Marker = dateTicks{}
	legend := newLegend()
	// A log scale has no place for a value at or below zero (a liquidated
	// book) or NaN: such days are gaps in the curves.
	positive := func(vs []float64) []float64 {
		out := make([]float64, len(vs))
		for i, v := range vs {
			out[i] = math.NaN()
			if v > 0 {
				out[i] = v
			}
		}
		return out
	}
	var bl []*plotter.Line
	if e.Benchmark != nil {
		bl = segments(xs, positive(e.Benchmark.BaseRun.Values), benchmarkColor, 1.1, longDashes)
	}
	sl := segments(xs, positive(e.Result.StressRun.Values), stressColor, 1, dots)
	l := segments(xs, positive(e.Result.BaseRun.Values), strategyColor, 1.4, nil)
	addLines(p, nil, "", bl) // drawn first, so under the strategy's curves
	addLines(p, nil, "", sl)
	addLines(p, nil, "", l)
	for _, c := range []struct {
		name  string
		lines []*plotter.Line
	}{{"strategy", l}, {fmt.Sprintf("fees ×%g", harness.StressMultiplier), sl}, {"BTC+ETH", bl}} {
		if len(c.lines) > 0 {
			legend.Add(c.name, c.lines[0])
		}
	}
	if !(p.Y.Max > p.Y.Min) {
		p.Y.Min, p.Y.Max = 1, 10 // nothing to draw
	}
	p.X.Min, p.X.Max = xs[0], xs[len(xs)-1]
	if e.Posteriors != nil {
		p.X.Tick.Label.Color = color.Transparent // the ribbon below carries the dates
	}
	return p, legend
}

// ribbonPlot draws the regime posteriors as stacked bands on [0, 1] and adds
// the regimes to the legend.
func (e *Evaluation) ribbonPlot(xs []float64, legend *plot.Legend) *plot.Plot {
	p := newPlot("", "", "regime")
	p.X.Tick.Marker = dateTicks{}
	p.Y.Tick.Marker = plot.ConstantTicks{{Value: 0, Label: "0"}, {Value: 1, Label: "1"}}
	p.Y.Min, p.Y.Max = 0, 1
	p.X.Min, p.X.Max = xs[0], xs[len(xs)-1]
	k := len(e.Regimes)
	idx := sampled(len(xs), sampleEvery(len(xs), maxBandPoints))
	lower := make([]float64, len(xs))
	for r := range k {
		var rings []plotter.XYer
		// One ring per run of consecutive days with a posterior.
		for a := 0; a < len(idx); {
			if e.Posteriors[idx[a]] == nil {
				a++
				continue
			}
			b := a
			for b < len(idx) && e.Posteriors[idx[b]] != nil {
				b++
			}
			ring := make(plotter.XYs, 0, 2*(b-a))
			for _, i := range idx[a:b] {
				ring = append(ring, plotter.XY{X: xs[i], Y: lower[i] + e.Posteriors[i][r]})
			}
			for j := b - 1; j >= a; j-- {
				i := idx[j]
				ring = append(ring, plotter.XY{X: xs[i], Y: lower[i]})
			}
			rings = append(rings, ring)
			a = b
		}
		for _, i := range idx {
			if e.Posteriors[i] != nil {
				lower[i] += e.Posteriors[i][r]
			}
		}
		if len(rings) == 0 {
			continue
		}
		poly, err := plotter.NewPolygon(rings...)
		if err != nil {
			continue
		}
		poly.Color = regimeColor(e.Regimes[r], r)
		poly.LineStyle.Width = 0
		p.Add(poly)
		legend.Add(e.Regimes[r]+" regime", poly)
	}
	return p
}

func regimeColor(name string, i int) color.Color {
	switch strings.ToLower(name) {
	case "bear":
		return bearColor
	case "ranging":
		return rangingColor
	case "bull":
		return bullColor
	}
	return categorical[i%len(categorical)]
}

// drawdownPlot shows the drawdowns of the strategy (filled) and the
// benchmark (dashed).
func (e *Evaluation) drawdownPlot(xs []float64) (*plot.Plot, plot.Legend) {
	p := newPlot("", "", "drawdown")
	p.X.Tick.Marker = dateTicks{}
	p.Y.Tick.Marker = percentTicks{}
	p.Y.Max = 0
	legend := newLegend()
	dd := Drawdowns(nil, e.Result.BaseRun.Values)
	ring := make(plotter.XYs, 0, len(xs)+2)
	for i, x := range xs {
		if finite(dd[i]) {
			ring = append(ring, plotter.XY{X: x, Y: dd[i]})
		}
	}
	if len(ring) > 1 {
		ring = append(ring, plotter.XY{X: ring[len(ring)-1].X}, plotter.XY{X: ring[0].X})
		if poly, err := plotter.NewPolygon(ring); err == nil {
			poly.Color = withAlpha(strategyColor, 0.25)
			poly.LineStyle.Width = 0
			p.Add(poly)
		}
	}
	addLines(p, &legend, "strategy", segments(xs, dd, strategyColor, 1, nil))
	if e.Benchmark != nil {
		addLines(p, &legend, "BTC+ETH", segments(xs, Drawdowns(nil, e.Benchmark.BaseRun.Values), benchmarkColor, 1, longDashes))
	}
	p.Y.Min = min(p.Y.Min, -0.01) // an axis even without a fall
	p.X.Min, p.X.Max = xs[0], xs[len(xs)-1]
	return p, legend
}

// holdingsPlot stacks the holding weights as filled bands.
func holdingsPlot(xs []float64, hw HoldingWeights) (*plot.Plot, plot.Legend) {
	p := newPlot("", "", "weight")
	p.X.Tick.Marker = dateTicks{}
	p.Y.Tick.Marker = percentTicks{}
	p.Y.Min, p.Y.Max = 0, 1
	legend := newLegend()
	idx := sampled(len(xs), sampleEvery(len(xs), maxBandPoints))
	lower := make([]float64, len(xs))
	var polys []*plotter.Polygon
	for b, name := range hw.Names {
		w := hw.Weights[b]
		ring := make(plotter.XYs, 0, 2*len(idx))
		for _, i := range idx {
			ring = append(ring, plotter.XY{X: xs[i], Y: lower[i] + w[i]})
		}
		for j := len(idx) - 1; j >= 0; j-- {
			ring = append(ring, plotter.XY{X: xs[idx[j]], Y: lower[idx[j]]})
		}
		for i := range lower {
			lower[i] += w[i]
		}
		poly, err := plotter.NewPolygon(ring)
		if err != nil {
			continue
		}
		switch name {
		case "other":
			poly.Color = otherColor
		case "cash":
			poly.Color = cashColor
		default:
			poly.Color = categorical[b%len(categorical)]
		}
		poly.LineStyle.Width = 0
		p.Add(poly)
		polys = append(polys, poly)
	}
	// The legend lists the bands top to bottom, as they are stacked.
	for i := len(polys) - 1; i >= 0; i-- {
		legend.Add(hw.Names[i], polys[i])
	}
	return p, legend
}

// monthGrid adapts MonthlyReturns to plotter.GridXYZ: columns are months,
// rows years.
type monthGrid struct{ m MonthlyReturns }

func (g monthGrid) Dims() (c, r int)   { return 12, len(g.m.Years) }
func (g monthGrid) Z(c, r int) float64 { return g.m.Returns[r][c] }
func (g monthGrid) X(c int) float64    { return float64(c) }
func (g monthGrid) Y(r int) float64    { return float64(r) }

// monthlyPlot is the heatmap of monthly returns, red for losses and green
// for gains on a scale symmetric around zero, with each cell's value.
func monthlyPlot(m MonthlyReturns) *plot.Plot {
	p := newPlot("", "", "")
	months := make([]string, 12)
	for i := range months {
		months[i] = time.Month(i + 1).String()[:3]
	}
	years := make([]string, len(m.Years))
	for i, y := range m.Years {
		years[i] = fmt.Sprintf("%d  %+.0f%%", y, 100*m.Annual[i])
		if math.IsNaN(m.Annual[i]) {
			years[i] = fmt.Sprint(y)
		}
	}
	var cells plotter.XYLabels
	lim := 0.0
	for r := range m.Returns {
		for c, v := range m.Returns[r] {
			if math.IsNaN(v) {
				continue
			}
			lim = max(lim, math.Abs(v))
			cells.XYs = append(cells.XYs, plotter.XY{X: float64(c), Y: float64(r)})
			cells.Labels = append(cells.Labels, fmt.Sprintf("%.1f", 100*v))
		}
	}
	if !(lim > 0) {
		lim = 1
	}
	heatmap(p, monthGrid{m}, -lim, lim, cells, months, years)
	p.Y.Scale = plot.InvertedScale{Normalizer: plot.LinearScale{}} // earliest year on top
	return p
}

// heatmap adds a cell grid coloured on a red-yellow-green scale from lo to
// hi, with cell labels, and labels the axes with the names of the columns
// and rows.
func heatmap(p *plot.Plot, g plotter.GridXYZ, lo, hi float64, cells plotter.XYLabels, xnames, ynames []string) {
	if !(hi > lo) {
		lo, hi = lo-1, lo+1
	}
	pal, err := brewer.GetPalette(brewer.TypeAny, "RdYlGn", 11)
	if err != nil {
		panic("report: " + err.Error()) // a built-in palette: cannot fail
	}
	h := plotter.NewHeatMap(g, pal)
	h.Min, h.Max = lo, hi
	h.NaN = color.White
	p.Add(h)
	if len(cells.XYs) > 0 && len(cells.XYs) <= 400 {
		if labels, err := plotter.NewLabels(cells); err == nil {
			for i := range labels.TextStyle {
				labels.TextStyle[i].Font = font.From(sans, 8)
				labels.TextStyle[i].XAlign = draw.XCenter
				labels.TextStyle[i].YAlign = draw.YCenter
			}
			p.Add(labels)
		}
	}
	p.X.Tick.Marker = nominalTicks(xnames)
	p.Y.Tick.Marker = nominalTicks(ynames)
	p.X.Tick.Length, p.Y.Tick.Length = 0, 0
	p.X.LineStyle.Width, p.Y.LineStyle.Width = 0, 0
}

// metricTable lists the metrics of the base and stress runs and of the
// benchmark's base run after the score: every metric of the schema
// (harness.MetricSchema), with its label and format.
func (e *Evaluation) metricTable() Table {
	header := []string{"metric", "base", fmt.Sprintf("stress (fees ×%g)", harness.StressMultiplier)}
	ms := []harness.Metrics{e.Result.Base, e.Result.Stress}
	scores := []string{ledger.FormatFloat(e.Result.Score), ""}
	if e.Benchmark != nil {
		header = append(header, "BTC+ETH (base)")
		ms = append(ms, e.Benchmark.Base)
		scores = append(scores, ledger.FormatFloat(e.Benchmark.Score))
	}
	t := Table{Header: header}
	t.Rows = append(t.Rows, append([]string{"score"}, scores...))
	for _, f := range harness.MetricSchema() {
		if !f.Shown(ms...) {
			continue
		}
		r := []string{f.Label}
		for i := range ms {
			r = append(r, f.Text(&ms[i]))
		}
		t.Rows = append(t.Rows, r)
	}
	return t
}

// line is a plain line through (xs[i], ys[i]).
func line(xs, ys []float64, c color.Color, width float64) *plotter.Line {
	pts := make(plotter.XYs, len(xs))
	for i := range xs {
		pts[i] = plotter.XY{X: xs[i], Y: ys[i]}
	}
	l := &plotter.Line{XYs: pts}
	l.LineStyle = draw.LineStyle{Color: c, Width: vg.Points(width)}
	return l
}

// newLegend is a legend in the report's font, drawn beside a figure.
func newLegend() plot.Legend {
	l := plot.NewLegend()
	l.TextStyle.Font = font.From(sans, 9)
	l.ThumbnailWidth = 14
	l.Top, l.Left = true, true
	l.Padding = 2
	return l
}
