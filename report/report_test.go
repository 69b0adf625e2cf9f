package report

import (
	"bytes"
	"flag"
	stdhtml "html"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gem/harness"
	"gem/ledger"
)

func TestDrawdowns(t *testing.T) {
	tests := []struct {
		name   string
		values []float64
		want   []float64
	}{
		{"empty", nil, []float64{}},
		{"rising", []float64{1, 2, 3}, []float64{0, 0, 0}},
		{"fall and recover", []float64{100, 50, 75, 120, 60}, []float64{0, -0.5, -0.25, 0, -0.5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Drawdowns(nil, tt.values)
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func date(t *testing.T, s string) harness.Date {
	t.Helper()
	d, err := harness.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestComputeMonthlyReturns(t *testing.T) {
	dates := []harness.Date{date(t, "2021-12-30"), date(t, "2021-12-31"), date(t, "2022-01-15"), date(t, "2022-01-31"), date(t, "2022-03-01")}
	values := []float64{100, 110, 90, 99, 198}
	m := ComputeMonthlyReturns(dates, values)
	if !slices.Equal(m.Years, []int{2021, 2022}) {
		t.Fatalf("years: got %v, want [2021 2022]", m.Years)
	}
	const tol = 1e-12
	tests := []struct {
		name        string
		year, month int // month 1-based
		want        float64
	}{
		{"first month from the first value", 0, 12, 0.1},
		{"January from December's close", 1, 1, 99.0/110 - 1},
		{"February has no data", 1, 2, math.NaN()},
		{"March from January's close", 1, 3, 1},
		{"November before the series", 0, 11, math.NaN()},
	}
	for _, tt := range tests {
		got := m.Returns[tt.year][tt.month-1]
		if math.IsNaN(tt.want) != math.IsNaN(got) || !math.IsNaN(got) && math.Abs(got-tt.want) > tol {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
	}
	if got, want := m.Annual[0], 0.1; math.Abs(got-want) > tol {
		t.Errorf("annual 2021: got %v, want %v", got, want)
	}
	if got, want := m.Annual[1], 198.0/110-1; math.Abs(got-want) > tol {
		t.Errorf("annual 2022: got %v, want %v", got, want)
	}
}

func TestComputeHoldingWeights(t *testing.T) {
	run := &harness.Run{
		Values: []float64{100, 200},
		Cash:   []float64{100, 20},
		Holdings: [][]harness.Holding{
			nil,
			{{Token: 2, Value: 100}, {Token: 0, Value: 60}, {Token: 1, Value: 20}},
		},
	}
	hw, ok := ComputeHoldingWeights(run, []string{"A", "B", "C"}, 2)
	if !ok {
		t.Fatal("no weights")
	}
	if want := []string{"C", "A", "other", "cash"}; !slices.Equal(hw.Names, want) {
		t.Errorf("bands: got %v, want %v", hw.Names, want)
	}
	want := [][]float64{{0, 0.5}, {0, 0.3}, {0, 0.1}, {1, 0.1}}
	for b := range want {
		if !slices.Equal(hw.Weights[b], want[b]) {
			t.Errorf("band %s: got %v, want %v", hw.Names[b], hw.Weights[b], want[b])
		}
	}
	if _, ok := ComputeHoldingWeights(&harness.Run{Values: []float64{1}}, nil, 3); ok {
		t.Error("weights from a run without recorded holdings")
	}
}

func TestTicks(t *testing.T) {
	cases := []struct {
		name   string
		lo, hi float64
		want   []string
	}{
		{"two decades", 900, 150000, []string{"1k", "2k", "5k", "10k", "20k", "50k", "100k"}},
		{"one decade", 5000, 60000, []string{"5k", "7k", "10k", "20k", "30k", "50k"}},
		{"five decades", 1, 1e5, []string{"1", "10", "100", "1k", "10k", "100k"}},
	}
	for _, c := range cases {
		var got []string
		for _, tk := range (logTicks{}).Ticks(c.lo, c.hi) {
			if tk.Label != "" {
				got = append(got, tk.Label)
			}
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("logTicks %s: got %v, want %v", c.name, got, c.want)
		}
	}
	// A NaN or infinite range has no ticks (gonum's default ticker, under
	// percentTicks, would loop forever on NaN).
	for _, r := range [][2]float64{{math.NaN(), 0}, {0, math.NaN()}, {math.Inf(-1), 1}, {1, 0}} {
		if got := (percentTicks{}).Ticks(r[0], r[1]); got != nil {
			t.Errorf("percentTicks%v: got %v, want none", r, got)
		}
	}
	if got := (percentTicks{}).Ticks(0, 1); len(got) == 0 || got[0].Label != "0%" {
		t.Errorf("percentTicks(0, 1): got %v, want labels from 0%%", got)
	}
	dcases := []struct {
		name     string
		from, to string
		want     []string
	}{
		{"five years: yearly labels", "2020-03-10", "2024-12-30", []string{"2021", "2022", "2023", "2024"}},
		{"one year: quarters", "2022-01-01", "2022-12-31", []string{"2022-01", "2022-04", "2022-07", "2022-10"}},
		{"three months: months", "2022-01-15", "2022-04-20", []string{"2022-02", "2022-03", "2022-04"}},
	}
	for _, c := range dcases {
		var got []string
		for _, tk := range (dateTicks{}).Ticks(float64(date(t, c.from)), float64(date(t, c.to))) {
			if tk.Label != "" {
				got = append(got, tk.Label)
			}
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("dateTicks %s: got %v, want %v", c.name, got, c.want)
		}
	}
}

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

var svgPath = regexp.MustCompile(`<path `)

// TestEvaluationPage checks that an evaluation report has every chart, that
// each chart's SVG draws paths, that the HTML references nothing outside
// itself, and that the PNGs decode.
func TestEvaluationPage(t *testing.T) {
	e := testEvaluation(t)
	p, err := EvaluationPage(e)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range p.Charts() {
		names = append(names, c.Name)
		svg, err := c.SVG()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(svg, []byte("<svg")) {
			t.Errorf("%s: SVG starts with %q, want <svg", c.Name, svg[:min(20, len(svg))])
		}
		if n := len(svgPath.FindAll(svg, -1)); n < 10 {
			t.Errorf("%s: %d paths, want at least 10", c.Name, n)
		}
	}
	if want := []string{"equity", "drawdown", "rolling", "exposure", "holdings", "monthly"}; !slices.Equal(names, want) {
		t.Errorf("charts: got %v, want %v", names, want)
	}
	var html bytes.Buffer
	if err := p.WriteHTML(&html); err != nil {
		t.Fatal(err)
	}
	checkSelfContained(t, html.String())
	text := stdhtml.UnescapeString(html.String())
	for _, want := range []string{"BTC+ETH (base)", "annualized return %", e.Result.Harness, "bull regime", "fees ×1.5",
		"Worst drawdowns", "Returns by calendar year", "Contribution to the total return", "fills away from the close", "NAME-trades.csv", "bull.top_n=7"} {
		if !strings.Contains(text, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}

	dir := t.TempDir()
	files, err := p.WritePNGs(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != len(names) {
		t.Errorf("got %d PNG files, want %d", len(files), len(names))
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s: %v", filepath.Base(f), err)
		}
		if w := img.Bounds().Dx(); w < 500 {
			t.Errorf("%s: %d pixels wide, want at least 500", filepath.Base(f), w)
		}
	}
}

func TestEvaluationPageErrors(t *testing.T) {
	good := testEvaluation(t)
	tests := []struct {
		name string
		edit func(e *Evaluation)
	}{
		{"no result", func(e *Evaluation) { e.Result = nil }},
		{"no panel", func(e *Evaluation) { e.Panel = nil }},
		{"run beyond the panel", func(e *Evaluation) {
			r := *e.Result
			b := *r.BaseRun
			b.First = 5
			r.BaseRun = &b
			e.Result = &r
		}},
		{"stress run", func(e *Evaluation) {
			r := *e.Result
			r.StressRun = &harness.Run{Values: []float64{1}}
			e.Result = &r
		}},
		{"posteriors", func(e *Evaluation) { e.Posteriors = e.Posteriors[:3] }},
		{"benchmark", func(e *Evaluation) {
			b := *e.Benchmark
			b.BaseRun = &harness.Run{Values: []float64{1}}
			e.Benchmark = &b
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := *good
			tt.edit(&e)
			if _, err := EvaluationPage(&e); err == nil {
				t.Error("got no error")
			}
		})
	}
}

// checkSelfContained fails when the page loads anything from elsewhere.
func checkSelfContained(t *testing.T, html string) {
	t.Helper()
	for _, bad := range []string{"<script src", "<link", "http://", "https://", "@import", "url("} {
		if i := strings.Index(html, bad); i >= 0 {
			// SVG's namespace declarations are identifiers, not fetches.
			if strings.HasPrefix(html[i:], "http://www.w3.org/") {
				continue
			}
			t.Errorf("HTML contains %q: %.80s", bad, html[i:])
		}
	}
}

func TestLedgerPage(t *testing.T) {
	rows := ledgerFixture()
	var asked *Group
	selection := func(g *Group) Section {
		asked = g
		return Section{Heading: "Selection statistics", Notes: []string{"selection verdict"}}
	}
	p, err := LedgerPage(rows, LedgerOptions{Path: "ledger.tsv", Harness: "aaaabbbbccccdddd", Selection: selection})
	if err != nil {
		t.Fatal(err)
	}
	if asked == nil || len(asked.Rows) != 14 || asked.Harness != "aaaabbbbccccdddd" {
		t.Errorf("the selection statistics were asked for %+v, want the charted group of 14 trials", asked)
	}
	var names []string
	for _, c := range p.Charts() {
		names = append(names, c.Name)
		svg, err := c.SVG()
		if err != nil {
			t.Fatal(err)
		}
		if n := len(svgPath.FindAll(svg, -1)); n < 5 {
			t.Errorf("%s: %d paths, want at least 5", c.Name, n)
		}
	}
	// use_r2_filter never varies, so it has no chart.
	if want := []string{"best-so-far", "param-top_n", "param-fit_window", "pair-top_n-fit_window"}; !slices.Equal(names, want) {
		t.Errorf("charts: got %v, want %v", names, want)
	}
	var html bytes.Buffer
	if err := p.WriteHTML(&html); err != nil {
		t.Fatal(err)
	}
	checkSelfContained(t, html.String())
	for _, want := range []string{
		"1 trial was produced by a harness other than the current one",
		"0123456789abcdef (other)",
		"selection verdict",
		"What it cannot",
		"Trials: 14, of 11 distinct configurations",
	} {
		if !strings.Contains(stdhtml.UnescapeString(html.String()), want) {
			t.Errorf("HTML lacks %q", want)
		}
	}

	if _, err := LedgerPage(nil, LedgerOptions{}); err == nil {
		t.Error("empty ledger: got no error")
	}
}

func TestPickPair(t *testing.T) {
	mk := func(ss ...string) []params {
		var ps []params
		for _, s := range ss {
			ps = append(ps, parseParams(s))
		}
		return ps
	}
	tests := []struct {
		name  string
		ps    []params
		wantA string
		wantB string
	}{
		{"one-at-a-time", mk("a=1 b=1 c=x", "a=2 b=1 c=x", "a=1 b=2 c=x"), "", ""},
		{"grid beats sweep", mk("a=1 b=1 c=x", "a=2 b=1 c=y", "a=1 b=2 c=x", "a=2 b=2 c=x", "a=1 b=1 c=z"), "a", "b"},
		{"no variation", mk("a=1", "a=1"), "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := pickPair(tt.ps, varying(tt.ps))
			if a != tt.wantA || b != tt.wantB {
				t.Errorf("got %q %q, want %q %q", a, b, tt.wantA, tt.wantB)
			}
		})
	}
}

func TestSortValues(t *testing.T) {
	tests := []struct {
		in          []string
		want        []string
		wantNumeric bool
	}{
		{[]string{"10", "9", "1.5", "9"}, []string{"1.5", "9", "10"}, true},
		{[]string{"true", "false", "true"}, []string{"false", "true"}, false},
		{[]string{"student_t", "gaussian"}, []string{"gaussian", "student_t"}, false},
	}
	for _, tt := range tests {
		got, num := sortValues(tt.in)
		if !slices.Equal(got, tt.want) || num != tt.wantNumeric {
			t.Errorf("sortValues(%v): got %v %v, want %v %v", tt.in, got, num, tt.want, tt.wantNumeric)
		}
	}
}

func TestComputeHonesty(t *testing.T) {
	rows := ledgerFixture()
	g := largest(GroupRows(rows))
	h := ComputeHonesty(g.Rows)
	// The sweep's top_n=3, 5 and 10 are configurations the search tries again.
	if h.Trials != 14 || h.Configs != 11 || h.Rejected != 1 {
		t.Errorf("trials, configs, rejected: got %d %d %d, want 14 11 1", h.Trials, h.Configs, h.Rejected)
	}
	if math.Abs(h.Best-0.21) > 1e-12 {
		t.Errorf("best: got %v, want 0.21", h.Best)
	}
	// The stress score keeps the base ranking in the fixture.
	if h.StressRank != 1 || math.Abs(h.RankCorrelation-1) > 1e-12 {
		t.Errorf("stress rank, correlation: got %d %v, want 1 1", h.StressRank, h.RankCorrelation)
	}
	// A duplicated trial counts once.
	dup := append(slices.Clone(g.Rows), g.Rows[3])
	if got := ComputeHonesty(dup).Configs; got != 11 {
		t.Errorf("configs with a duplicate: got %d, want 11", got)
	}
}

func TestSummarize(t *testing.T) {
	sums := Summarize(ledgerFixture())
	if len(sums) != 2 {
		t.Fatalf("got %d groups, want 2", len(sums))
	}
	s := sums[0]
	// By hand: trials 2, 3, 11-14 beat their incumbent; trial 10 repeats
	// the incumbent top_n=5 fit_window=30; the six other probes lose.
	if s.Kept != 6 || s.Discarded != 6 || s.Replicates != 1 || s.Rejected != 1 {
		t.Errorf("kept, discarded, replicates, rejected: got %d %d %d %d, want 6 6 1 1", s.Kept, s.Discarded, s.Replicates, s.Rejected)
	}
	var buf bytes.Buffer
	if err := WriteSummary(&buf, sums, SummaryOptions{Ledger: "ledger.tsv", Harness: "aaaabbbbccccdddd"}); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "summary.md")
	if *update {
		if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got := buf.String(); got != string(want) {
		t.Errorf("summary differs from %s (rerun with -update if the change is intended):\n%s", golden, got)
	}
}

func TestSummarizeEdgeCases(t *testing.T) {
	r := ledger.Row{Strategy: "s", Fill: "causal", Params: "a=1", Score: math.Inf(-1)}
	r2 := r
	r2.Params, r2.Score = "a=2", 0.1
	s := Summarize([]ledger.Row{r, r2})[0]
	if s.Kept != 1 || s.Best.Params != "a=2" {
		t.Errorf("a finite score beats a rejected baseline: got kept %d, best %q", s.Kept, s.Best.Params)
	}
	if got := fmtDelta(s.Params[0].After - s.Params[0].Before); got != "n/a" {
		t.Errorf("delta over a rejected baseline: got %q, want n/a", got)
	}
	var buf bytes.Buffer
	if err := WriteSummary(&buf, nil, SummaryOptions{}); err != nil || !strings.Contains(buf.String(), "no trials") {
		t.Errorf("empty ledger: got %q, %v", buf.String(), err)
	}
}
