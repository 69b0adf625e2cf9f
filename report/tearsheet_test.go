package report

import (
	"math"
	"slices"
	"testing"

	"gem/harness"
)

func TestDrawdownEpisodes(t *testing.T) {
	nan := math.NaN()
	for _, tt := range []struct {
		name   string
		values []float64
		n      int
		want   []DrawdownEpisode
	}{
		// Peaks 120 (day 1), 130 (day 4), 140 (day 6): falls to 60 (−50%,
		// back on day 4), to 110 (−2/13, back on day 6) and to 70 (−50%,
		// still open on the last day, 80).
		{"three episodes", []float64{100, 120, 90, 60, 130, 110, 140, 70, 80}, 5, []DrawdownEpisode{
			{Start: 1, Trough: 3, End: 4, Depth: -0.5, Recovered: true},
			{Start: 6, Trough: 7, End: 8, Depth: -0.5},
			{Start: 4, Trough: 5, End: 6, Depth: 110.0/130 - 1, Recovered: true},
		}},
		{"deepest two", []float64{100, 120, 90, 60, 130, 110, 140, 70, 80}, 2, []DrawdownEpisode{
			{Start: 1, Trough: 3, End: 4, Depth: -0.5, Recovered: true},
			{Start: 6, Trough: 7, End: 8, Depth: -0.5},
		}},
		{"back exactly at the peak", []float64{100, 80, 100}, 3, []DrawdownEpisode{{Start: 0, Trough: 1, End: 2, Depth: -0.2, Recovered: true}}},
		{"NaN days skipped", []float64{100, nan, 50, nan, 100}, 3, []DrawdownEpisode{{Start: 0, Trough: 2, End: 4, Depth: -0.5, Recovered: true}}},
		{"zeros before the first value", []float64{0, 0, 100, 50}, 3, []DrawdownEpisode{{Start: 2, Trough: 3, End: 3, Depth: -0.5}}},
		{"liquidated to zero", []float64{100, 0, 0}, 3, []DrawdownEpisode{{Start: 0, Trough: 1, End: 2, Depth: -1}}},
		{"rising", []float64{1, 2, 3}, 3, nil},
		{"one day", []float64{100}, 3, nil},
		{"empty", nil, 3, nil},
		{"all NaN", []float64{nan, nan}, 3, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := DrawdownEpisodes(tt.values, tt.n)
			if len(got) != len(tt.want) {
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
			for i := range got {
				g, w := got[i], tt.want[i]
				if g.Start != w.Start || g.Trough != w.Trough || g.End != w.End || g.Recovered != w.Recovered || math.Abs(g.Depth-w.Depth) > 1e-15 {
					t.Errorf("episode %d: got %+v, want %+v", i, g, w)
				}
			}
		})
	}
}

func TestRolling(t *testing.T) {
	// Returns +10%, −10%, +10%.
	values := []float64{100, 110, 99, 108.9}
	ann := math.Sqrt(252)
	sharpe, vol := Rolling(values, 2)
	// Windows of two: {+0.1, −0.1} and {−0.1, +0.1}: mean 0, population
	// standard deviation 0.1.
	wantS := []float64{math.NaN(), math.NaN(), 0, 0}
	wantV := []float64{math.NaN(), math.NaN(), 0.1 * ann, 0.1 * ann}
	for i := range values {
		if !same(sharpe[i], wantS[i], 1e-12) || !same(vol[i], wantV[i], 1e-12) {
			t.Errorf("window 2, day %d: got Sharpe %v vol %v, want %v %v", i, sharpe[i], vol[i], wantS[i], wantV[i])
		}
	}
	// One window of three: mean 1/30, standard deviation √(0.08/9), so a
	// daily Sharpe ratio of 1/(2√2) and √(252/8) annualised.
	sharpe, vol = Rolling(values, 3)
	if !same(sharpe[3], math.Sqrt(31.5), 1e-12) || !same(vol[3], math.Sqrt(0.08/9)*ann, 1e-12) || !math.IsNaN(sharpe[2]) {
		t.Errorf("window 3: got Sharpe %v vol %v, want %v %v", sharpe, vol, math.Sqrt(31.5), math.Sqrt(0.08/9)*ann)
	}
	// A window holding a NaN return is NaN; the next clean one is not.
	sharpe, _ = Rolling([]float64{100, math.NaN(), 100, 110, 99}, 2)
	if !math.IsNaN(sharpe[2]) || !math.IsNaN(sharpe[3]) || math.IsNaN(sharpe[4]) {
		t.Errorf("NaN windows: got %v", sharpe)
	}
	for _, vs := range [][]float64{nil, {100}, {100, 101}} {
		s, v := Rolling(vs, 2)
		if len(s) != len(vs) || len(v) != len(vs) || slices.ContainsFunc(s, func(x float64) bool { return !math.IsNaN(x) }) {
			t.Errorf("Rolling(%v): got %v %v, want all NaN", vs, s, v)
		}
	}
	defer func() {
		if r := recover(); r == nil {
			t.Errorf("Rolling with a window of 1 did not panic")
		}
	}()
	Rolling(values, 1)
}

// TestRollingMatchesMetrics: a window spanning the whole run reproduces the
// harness's Sharpe ratio.
func TestRollingMatchesMetrics(t *testing.T) {
	e := testEvaluation(t)
	v := e.Result.BaseRun.Values
	sharpe, _ := Rolling(v, len(v)-1)
	if got, want := sharpe[len(v)-1], e.Result.Base.SharpeRatio; !same(got, want, 1e-12*math.Abs(want)) {
		t.Errorf("whole-run rolling Sharpe %v, metric %v", got, want)
	}
}

func TestComputeExposure(t *testing.T) {
	run := &harness.Run{Values: []float64{100, 200, 0}, Gross: []float64{50, 300, 0}, Net: []float64{50, -100, 0}, Stale: []float64{0, 20, 0}}
	e := ComputeExposure(run)
	nan := math.NaN()
	for _, c := range []struct {
		name      string
		got, want []float64
	}{
		{"gross", e.Gross, []float64{0.5, 1.5, nan}},
		{"net", e.Net, []float64{0.5, -0.5, nan}},
		{"stale", e.Stale, []float64{0, 0.1, nan}},
	} {
		for i := range c.want {
			if !same(c.got[i], c.want[i], 0) {
				t.Errorf("%s: got %v, want %v", c.name, c.got, c.want)
				break
			}
		}
	}
	if e := ComputeExposure(&harness.Run{Values: []float64{100}}); !math.IsNaN(e.Gross[0]) {
		t.Errorf("a run without exposure records: got %v, want NaN", e.Gross)
	}
}

// tinyPanel is two tokens over four days: A closes 10, 11, 12.1, 11 (opens
// 9.8, 10.5, 12, 11.5); B closes 20, 20, 25 and has no candle on day 3.
func tinyPanel(t *testing.T) *harness.Panel {
	t.Helper()
	d0, _ := harness.ParseDate("2024-01-01")
	c := func(tok string, d int, open, close float64) harness.Candle {
		return harness.Candle{Token: tok, Date: d0 + harness.Date(d), Open: open, High: max(open, close), Low: min(open, close), Close: close, Volume: 1}
	}
	p, err := harness.NewPanel([]harness.Candle{
		c("A", 0, 9.8, 10), c("A", 1, 10.5, 11), c("A", 2, 12, 12.1), c("A", 3, 11.5, 11),
		c("B", 0, 19, 20), c("B", 1, 21, 20), c("B", 2, math.NaN(), 25),
	})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// tinyRun holds A and B from day 0 and sells A down to 30 on day 2 at a
// cost of 0.3: the values are computed by hand from tinyPanel's closes.
func tinyRun() *harness.Run {
	h := func(a, b float64) []harness.Holding {
		return []harness.Holding{{Token: 0, Value: a}, {Token: 1, Value: b}}
	}
	return &harness.Run{
		Values:     []float64{100, 105, 120.2, 30*11/12.1 + 50 + 40.2},
		Cash:       []float64{10, 10, 40.2, 40.2},
		Holdings:   [][]harness.Holding{h(50, 40), h(55, 40), h(30, 50), h(30*11/12.1, 50)},
		Rebalances: []harness.Rebalance{{Day: 0}, {Day: 2}},
	}
}

func TestComputeAttribution(t *testing.T) {
	a, ok := ComputeAttribution(tinyRun(), tinyPanel(t))
	if !ok {
		t.Fatal("no attribution")
	}
	// A: 50·0.1 + 55·0.1 + 30·(11/12.1 − 1) = 10.5 − 30/11; B: 40·0 +
	// 40·0.25 + 50·0 (no candle on day 3) = 10; of v_0 = 100. The day-2 sale
	// cost 0.3 (120.5 at the marks, 120.2 after it).
	wantA, wantB := (10.5-30.0/11)/100, 0.10
	if !slices.Equal(a.Tokens, []int{1, 0}) {
		t.Fatalf("tokens %v, want B then A (largest first)", a.Tokens)
	}
	if !same(a.Contributions[0], wantB, 1e-15) || !same(a.Contributions[1], wantA, 1e-15) {
		t.Errorf("contributions %v, want [%v %v]", a.Contributions, wantB, wantA)
	}
	wantTotal := (30*11/12.1+90.2)/100 - 1
	if !same(a.Total, wantTotal, 1e-15) || !same(a.Trading, -0.003, 1e-14) {
		t.Errorf("total %v trading %v, want %v and -0.003", a.Total, a.Trading, wantTotal)
	}
	for _, run := range []*harness.Run{{}, {Values: []float64{100}}, {Values: []float64{0, 1}, Holdings: make([][]harness.Holding, 2)}} {
		if _, ok := ComputeAttribution(run, tinyPanel(t)); ok {
			t.Errorf("attribution of %+v: want none", run)
		}
	}
}

// TestAttributionExplainsQuietDays: on every day of a real backtest without
// a trade, the marks of the previous snapshot explain the whole change of
// value, so the one-day attribution leaves nothing to trading.
func TestAttributionExplainsQuietDays(t *testing.T) {
	e := testEvaluation(t)
	run := e.Result.BaseRun
	busy := map[int]bool{}
	for _, r := range run.Rebalances {
		busy[r.Day] = true
	}
	for _, s := range run.StaleSales {
		busy[s.Day] = true
	}
	quiet, moved := 0, 0
	for k := 1; k < len(run.Values); k++ {
		day := &harness.Run{First: run.First + k - 1, Values: run.Values[k-1 : k+1], Holdings: run.Holdings[k-1 : k+1]}
		a, ok := ComputeAttribution(day, e.Panel)
		if !ok {
			t.Fatalf("day %d: no attribution", k)
		}
		if busy[run.First+k] {
			if math.Abs(a.Trading) > 1e-12 {
				moved++
			}
			continue
		}
		quiet++
		if math.Abs(a.Trading) > 1e-12 {
			t.Errorf("day %d without a trade: trading %v, want 0", k, a.Trading)
		}
	}
	if quiet < 100 || moved == 0 {
		t.Errorf("%d quiet days, %d trading days with a cost: the fixture should have both", quiet, moved)
	}
}

// TestTradesCSV: the fills as CSV rows, a short's cover a buy and a
// liquidation with its trigger price.
func TestTradesCSV(t *testing.T) {
	p := tinyPanel(t)
	fills := []harness.Fill{
		{Day: 0, Token: 0, Qty: 5, Price: 9.8, Fee: 0.49, Traded: 49.49, Reason: harness.FillRebalance},
		{Day: 1, Token: 1, Qty: -2, Price: 21, Fee: 0.42, Traded: 42, Reason: harness.FillRebalance},
		{Day: 2, Token: 1, Qty: 2, Price: 24.5, Fee: 0.6125, Traded: 49, Reason: harness.FillLiquidation},
		{Day: 3, Token: 0, Qty: -5, Price: 11, Fee: 0.55, Traded: 55, Reason: harness.FillStale},
	}
	want := "date,token,side,quantity,price,notional,fee,reason\n" +
		"2024-01-01,A,buy,5,9.8,49,0.49,rebalance\n" +
		"2024-01-02,B,sell,2,21,42,0.42,rebalance\n" +
		"2024-01-03,B,buy,2,24.5,49,0.6125,liquidation\n" +
		"2024-01-04,A,sell,5,11,55,0.55,stale sale\n"
	if got := string(TradesCSV(fills, p)); got != want {
		t.Errorf("CSV:\n%s\nwant\n%s", got, want)
	}
	if got, want := string(TradesCSV(nil, p)), "date,token,side,quantity,price,notional,fee,reason\n"; got != want {
		t.Errorf("no fills: %q, want the header %q", got, want)
	}
}

// TestFillsMatchSnapshots: the fills of a real backtest (the report's
// evaluation, with fills and holdings recorded) sum to the notional and the
// fees the harness counted, and their running quantities agree each day
// with the daily snapshots: each held token's value over its last close.
func TestFillsMatchSnapshots(t *testing.T) {
	e := testEvaluation(t)
	run := e.Result.BaseRun
	if len(run.Fills) < 20 || len(run.Holdings) != len(run.Values) {
		t.Fatalf("%d fills, %d snapshots: want a real backtest's", len(run.Fills), len(run.Holdings))
	}
	traded, fees := 0.0, 0.0
	for _, f := range run.Fills {
		traded += f.Traded
		fees += f.Fee
	}
	if !same(traded, run.Traded, 1e-9*run.Traded) {
		t.Errorf("fills trade %v, the harness traded %v", traded, run.Traded)
	}
	if !same(fees, run.FeesPaid, 1e-9*run.FeesPaid) {
		t.Errorf("the fills' fees sum to %v, the harness charged %v", fees, run.FeesPaid)
	}
	qty, scale := map[int]float64{}, map[int]float64{}
	next := 0
	for k, hs := range run.Holdings {
		d := run.First + k
		for ; next < len(run.Fills) && run.Fills[next].Day <= d; next++ {
			f := run.Fills[next]
			qty[f.Token] += f.Qty
			scale[f.Token] += math.Abs(f.Qty)
		}
		held := map[int]bool{}
		for _, h := range hs {
			held[h.Token] = true
			c, ok := lastClose(e.Panel, h.Token, d)
			if !ok || !same(h.Value/c, qty[h.Token], 1e-9*scale[h.Token]) {
				t.Fatalf("day %d token %d: the snapshot holds %v, the fills %v", d, h.Token, h.Value/c, qty[h.Token])
			}
		}
		for tok, q := range qty {
			if !held[tok] && !same(q, 0, 1e-9*scale[tok]) {
				t.Fatalf("day %d token %d: not held, the fills leave %v", d, tok, q)
			}
		}
	}
}

// same reports whether a and b are within tol, or both NaN.
func same(a, b, tol float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	return math.Abs(a-b) <= tol
}

// TestEvaluationPageHostile: runs of one day, of NaN values, of a
// liquidated book, without holdings and without a benchmark build a page
// that writes its HTML, PNGs and files without a panic; an empty run is an
// error.
func TestEvaluationPageHostile(t *testing.T) {
	p := tinyPanel(t)
	nan := math.NaN()
	eval := func(run *harness.Run) *Evaluation {
		stress := *run
		return &Evaluation{Title: "<b>hostile</b>", Panel: p, Result: &harness.Evaluation{Score: math.Inf(-1), BaseRun: run, StressRun: &stress}}
	}
	full := tinyRun()
	for _, tt := range []struct {
		name string
		run  *harness.Run
	}{
		{"one day", &harness.Run{Values: []float64{100}, Cash: []float64{100}, Holdings: [][]harness.Holding{nil}}},
		{"all NaN", &harness.Run{Values: []float64{nan, nan, nan}, Cash: []float64{nan, nan, nan}, Gross: []float64{nan, nan, nan},
			Holdings: [][]harness.Holding{{{Token: 0, Value: nan}}, nil, nil}, Rebalances: []harness.Rebalance{{Day: 0}}}},
		{"liquidated to zero", &harness.Run{Values: []float64{100, 0, 0}, Cash: []float64{0, 0, 0}, Holdings: [][]harness.Holding{{{Token: 0, Value: 100}}, nil, nil},
			Rebalances: []harness.Rebalance{{Day: 0}}, Liquidations: []harness.Liquidation{{Day: 1}}}},
		{"no holdings recorded", &harness.Run{Values: full.Values, Cash: full.Cash, Rebalances: full.Rebalances}},
		{"no benchmark", full},
	} {
		t.Run(tt.name, func(t *testing.T) {
			page, err := EvaluationPage(eval(tt.run))
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			if _, err := page.WriteFiles(dir+"/page.html", dir+"/png"); err != nil {
				t.Fatal(err)
			}
		})
	}
	if _, err := EvaluationPage(eval(&harness.Run{})); err == nil {
		t.Error("an empty run: no error")
	}
}

func TestParsePair(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want [2]string
		ok   bool
	}{
		{"", [2]string{}, true},
		{"top_n,fit_window", [2]string{"top_n", "fit_window"}, true},
		{" top_n , fit_window ", [2]string{"top_n", "fit_window"}, true},
		{"top_n", [2]string{}, false},
		{"top_n,", [2]string{}, false},
		{",fit_window", [2]string{}, false},
		{"a,b,c", [2]string{}, false},
	} {
		got, err := ParsePair(tt.in)
		if got != tt.want || (err == nil) != tt.ok {
			t.Errorf("ParsePair(%q) = %q, %v; want %q, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

// TestTradesSection: the page's trade table shows each fill with its price,
// a liquidation's trigger price included, and says so when no fills were
// recorded.
func TestTradesSection(t *testing.T) {
	p := tinyPanel(t)
	run := tinyRun()
	run.Fills = []harness.Fill{
		{Day: 0, Token: 0, Qty: 5, Price: 9.8, Fee: 0.49, Traded: 49.49, Reason: harness.FillRebalance},
		{Day: 2, Token: 0, Qty: -5, Price: 11.25, Fee: 0.703125, Traded: 56.25, Reason: harness.FillLiquidation},
	}
	e := &Evaluation{Panel: p, Result: &harness.Evaluation{BaseRun: run}}
	s := e.tradesSection()
	if len(s.Tables) != 1 || len(s.Files) != 1 {
		t.Fatalf("section %+v, want a table and a CSV file", s)
	}
	want := []string{"2024-01-03", "A", "sell", "5", "11.25", "56.25", "0.70", "liquidation"}
	if rows := s.Tables[0].Rows; len(rows) != 2 || !slices.Equal(rows[1], want) {
		t.Errorf("rows %q, want the liquidation as %q", rows, want)
	}
	run.Fills = nil
	if s := e.tradesSection(); len(s.Tables) != 0 || len(s.Notes) != 1 {
		t.Errorf("without fills: %+v, want a note and no table", s)
	}
}

// TestMetricTable: the evaluation page's metric table has the score and then
// one row per metric of the schema, the stale and perp metrics included,
// each cell in the schema's format, except the perp metrics that are 0 in
// every column (here funding received, settlements without funding, days
// short and the liquidation shortfall: four rows).
func TestMetricTable(t *testing.T) {
	base := harness.Metrics{SharpeRatio: 1.23456, StaleSales: 3, FundingPaid: 12.345, Liquidations: 2}
	stress := harness.Metrics{SharpeRatio: -0.5, StaleSales: 4}
	e := &Evaluation{Result: &harness.Evaluation{Score: 0.25, Base: base, Stress: stress},
		Benchmark: &harness.Evaluation{Score: 0.5, Base: harness.Metrics{SharpeRatio: 2}}}
	tb := e.metricTable()
	schema := harness.MetricSchema()
	if len(tb.Rows) != 1+len(schema)-4 || len(tb.Header) != 4 {
		t.Fatalf("%d rows, %d columns; want the score and %d metrics in 4 columns", len(tb.Rows), len(tb.Header), len(schema)-4)
	}
	if want := []string{"score", "0.25", "", "0.5"}; !slices.Equal(tb.Rows[0], want) {
		t.Errorf("score row %q, want %q", tb.Rows[0], want)
	}
	rows := map[string][]string{}
	for _, r := range tb.Rows[1:] {
		rows[r[0]] = r[1:]
	}
	for label, want := range map[string][]string{
		"Sharpe":                     {"1.235", "-0.500", "2.000"},
		"positions sold as delisted": {"3", "4", "0"},
		"funding paid":               {"12.35", "0.00", "0.00"},
		"liquidations":               {"2", "0", "0"},
		"days short":                 nil,
	} {
		if !slices.Equal(rows[label], want) {
			t.Errorf("row %q: %q, want %q", label, rows[label], want)
		}
	}
}
