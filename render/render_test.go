package render

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"gem/harness"
	"gem/ledger"
	"gem/search"
	"gem/space"
	"gem/strategy"
	"gem/synth"
	"gem/trial"
)

// specialist is the specialist's default spec, with changes applied.
func specialist(t *testing.T, changes string) trial.Spec {
	t.Helper()
	c, err := strategy.Build("specialist", changes)
	if err != nil {
		t.Fatal(err)
	}
	return trial.NewSpec(c, harness.Causal)
}

func panel(t *testing.T) *harness.Panel {
	t.Helper()
	cfg := synth.DefaultConfig()
	cfg.Tokens, cfg.Days = 15, 300
	p, err := synth.Panel(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// defaultText is parameter name's default as its declaration formats it.
func defaultText(t *testing.T, a space.Assignment, name string) string {
	t.Helper()
	p, err := a.Space().Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	return p.Format(p.Default)
}

func TestLabelAndChanges(t *testing.T) {
	def := specialist(t, "").Params
	a := specialist(t, "top_n=3").Params
	fw := defaultText(t, a, "fit_window")
	tests := []struct {
		name string
		got  string
		want string
	}{
		{"defaults", Label(def), "defaults"},
		{"a change", Label(a), "top_n=3"},
		{"shown first, whatever its value", Label(a, "fit_window"), "fit_window=" + fw + " top_n=3"},
		{"shown and changed, once", Label(a, "top_n"), "top_n=3"},
		{"unknown name shown", Label(def, "nope"), "defaults"},
		{"no changes", Changes(def), "default parameters"},
		{"changes", Changes(a), "defaults except top_n=3"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, tt.got, tt.want)
		}
	}
}

// TestWindow: a window ten days into the data is scored after ten days of
// warm-up, through its end; one outside the data says so; none says nothing.
func TestWindow(t *testing.T) {
	p := panel(t)
	from := p.Dates[10]
	last := p.Dates[len(p.Dates)-1]
	tests := []struct {
		w    trial.Window
		want string
	}{
		{trial.Window{}, ""},
		{trial.Window{From: from}, ", scored on " + from.String() + ".." + last.String() + " after 10 days of warm-up"},
		{trial.Window{From: last + 100}, ", scoring window " + (last + 100).String() + ".."},
	}
	for _, tt := range tests {
		if got := Window(p, tt.w); got != tt.want {
			t.Errorf("%v: got %q, want %q", tt.w, got, tt.want)
		}
	}
	s := specialist(t, "top_n=3")
	s.Window = trial.Window{From: from}
	if got, want := Setup(p, s), "specialist, causal fills, defaults except top_n=3"+Window(p, s.Window); got != want {
		t.Errorf("Setup: got %q, want %q", got, want)
	}
}

func TestTrialLine(t *testing.T) {
	m := harness.Metrics{AnnualizedReturnPct: 12.5, MaxDrawdownPct: -20, CalmarRatio: 0.625, SharpeRatio: 1.25, RebalanceCount: 7}
	tests := []struct {
		r    trial.Result
		want string
	}{
		{trial.Result{Row: ledger.Row{Score: 0.5, Base: m}}, "x  score=0.500000  ann=12.50%  dd=-20.00%  calmar=0.625  sharpe=1.250  rebalances=7\n"},
		{trial.Result{Row: ledger.Row{Score: math.Inf(-1), Base: m}, Resumed: true}, "x  score=-inf  ann=12.50%  dd=-20.00%  calmar=0.625  sharpe=1.250  rebalances=7  (already evaluated)\n"},
	}
	for _, tt := range tests {
		var b strings.Builder
		TrialLine(&b, "x", &tt.r)
		if b.String() != tt.want {
			t.Errorf("got %q, want %q", b.String(), tt.want)
		}
	}
}

func TestFinish(t *testing.T) {
	best := specialist(t, "top_n=3")
	tests := []struct {
		s        trial.Search
		complete bool
		want     string
	}{
		{trial.Search{}, false, ""},
		{trial.Search{Best: &trial.Result{}, BestSpec: best, BestScore: 0.25}, false, "Best: top_n=3 score=0.25\n"},
		{trial.Search{Best: &trial.Result{}, BestSpec: best, BestScore: math.Inf(-1), Seeds: 3, Count: 5, Resumed: 2}, true,
			"Best: top_n=3 median_score_over_3_seeds=-inf\nDone. 5 configurations (2 not run again: already in the ledger or earlier in this run) in 1.5s\n"},
	}
	for _, tt := range tests {
		var b strings.Builder
		Finish(&b, &tt.s, 1500*time.Millisecond, tt.complete)
		if b.String() != tt.want {
			t.Errorf("got %q, want %q", b.String(), tt.want)
		}
	}
}

// TestSearchLines: a sweep of top_n over 1, 2 prints one line per trial,
// in order, each naming top_n, then Best and Done.
func TestSearchLines(t *testing.T) {
	base := specialist(t, "")
	pl, err := search.SweepPlan("top_n", "1,2")
	if err != nil {
		t.Fatal(err)
	}
	m, err := search.NewPhased(pl, base.Params)
	if err != nil {
		t.Fatal(err)
	}
	s := &trial.Search{Pool: &trial.Pool{Env: trial.NewEnv(panel(t), "test"), Exec: trial.Local{Workers: 2}}, Strategy: base.Strategy, Fill: base.Fill, Base: base.Params}
	var b strings.Builder
	if err := Search(context.Background(), &b, s, m, 0, 8, time.Now(), Shown(pl)...); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[0], "top_n=1  score=") || !strings.HasPrefix(lines[1], "top_n=2  score=") ||
		!strings.HasPrefix(lines[2], "Best: top_n=") || !strings.HasPrefix(lines[3], "Done. 2 configurations (0 not run again") {
		t.Errorf("output:\n%s", b.String())
	}
}

func TestShown(t *testing.T) {
	one := search.Plan{Phases: []search.Phase{{Name: "g", Mode: "grid", Params: []search.Param{{Name: "top_n"}, {Name: "fit_window"}}}}}
	if got := Shown(one); strings.Join(got, " ") != "top_n fit_window" {
		t.Errorf("one phase: %v, want its parameters", got)
	}
	if got := Shown(search.PhasedPlan()); got != nil {
		t.Errorf("phased plan: %v, want nothing", got)
	}
}

// TestPlan: each phase's header, a grid's configurations by its
// parameters, a one-at-a-time phase's baseline first, and a total equal to
// the configurations listed.
func TestPlan(t *testing.T) {
	base := specialist(t, "").Params
	pl := search.Plan{Phases: []search.Phase{
		{Name: "g", Mode: "grid", Params: []search.Param{{Name: "top_n", Values: []any{1, 2}}}},
		{Name: "o", Mode: "one_at_a_time", Params: []search.Param{{Name: "fit_window", Values: []any{20, 40}}}},
	}}
	var b strings.Builder
	if err := Plan(&b, pl, base); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	want := []string{"Phase g (grid): 2 configurations around the defaults and --set values", "  top_n=1", "  top_n=2",
		"Phase o (one_at_a_time): at most 3 configurations around the winners of the earlier phases", "  baseline", "  fit_window=20", "  fit_window=40",
		"Total: 5 configurations"}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", b.String(), strings.Join(want, "\n"))
	}
}

func TestScoreJSON(t *testing.T) {
	for _, tt := range []struct {
		x    float64
		want string
	}{{0.5, "0.5"}, {-2, "-2"}, {math.Inf(-1), "null"}, {math.Inf(1), "null"}, {math.NaN(), "null"}} {
		b, err := json.Marshal(Score(tt.x))
		if err != nil || string(b) != tt.want {
			t.Errorf("%v: got %s, %v; want %s", tt.x, b, err, tt.want)
		}
	}
}

// seedResults are three seeds' results scoring 0.1, −Inf and 0.3.
func seedResults() []*trial.Result {
	var res []*trial.Result
	for _, x := range []float64{0.1, math.Inf(-1), 0.3} {
		r := &trial.Result{Row: ledger.Row{Score: x, Strategy: "ensemble", Base: harness.Metrics{AnnualizedReturnPct: 1.5, MaxDrawdownPct: -3, SharpeRatio: 0.5}}}
		if math.IsInf(x, -1) {
			r.Row.Rejection = "rejected"
		}
		res = append(res, r)
	}
	return res
}

// TestSeeds: sorted, the scores are −Inf, 0.1, 0.3: the median is 0.1, the
// first quartile (at 0.5 between −Inf and 0.1) −Inf, the third (at 1.5)
// 0.2, one of three rejected; the seeds count up from the spec's own.
func TestSeeds(t *testing.T) {
	ens, _ := strategy.New("ensemble")
	spec := trial.NewSpec(ens, harness.Causal)
	first, err := spec.Params.Get(trial.SeedParam)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := (Printer{W: &b, JSON: true}).Seeds(spec, seedResults()); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Seeds []struct {
			Seed      int64
			Score     *float64
			Rejection string
		}
		Median, Q1, Q3 *float64
		Rejected       int
		RejectedShare  float64 `json:"rejected_share"`
	}
	if err := json.Unmarshal(b.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Seeds) != 3 || got.Seeds[2].Seed != first.I+2 || got.Seeds[1].Score != nil || got.Seeds[1].Rejection != "rejected" ||
		got.Median == nil || *got.Median != 0.1 || got.Q1 != nil || got.Q3 == nil || math.Abs(*got.Q3-0.2) > 1e-15 ||
		got.Rejected != 1 || math.Abs(got.RejectedShare-1.0/3) > 1e-15 {
		t.Errorf("got %s", b.String())
	}
	b.Reset()
	if err := (Printer{W: &b, Desc: "data"}).Seeds(spec, seedResults()); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"data\nensemble, causal fills, default parameters, 3 regime-model seeds (hmm.seed ",
		"score over 3 seeds: median 0.1  interquartile [-inf, "} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, b.String())
		}
	}
}

// TestBench: the load row's token-days/s is the panel's token-days over the
// median load (1000 / 2 ms = 5e+05); an evaluation's counts both runs (2 ×
// 1000 / 10 ms = 2e+05); a golden row shows the reference's time over the
// median (1 s / 100 ms = 10x); a missing dataset is skipped.
func TestBench(t *testing.T) {
	ms := time.Millisecond
	s := &trial.Suite{Desc: "data", Loads: []time.Duration{3 * ms, 1 * ms, 2 * ms}, TokenDays: 1000, Rows: []trial.SuiteRow{
		{Name: "ensemble cold", Timing: trial.Timing{Runs: 3, Median: 10 * ms, Allocs: 5, TokenDays: 1000}},
		{Name: "specialist x", Missing: "/no/x.csv"},
		{Name: "specialist y cold", Timing: trial.Timing{Runs: 2, Median: 100 * ms, Allocs: 7, TokenDays: 10}, Ref: 1},
	}}
	var b strings.Builder
	Bench(&b, s, 12)
	var rows []string
	for _, l := range strings.Split(b.String(), "\n") {
		rows = append(rows, strings.Join(strings.Fields(l), " "))
	}
	got := strings.Join(rows, "\n")
	for _, want := range []string{"data\nGOMAXPROCS ", "load panel 3 2.000 ms 5e+05", "ensemble cold 3 10.000 ms 100 2e+05 5",
		"specialist x skipped: /no/x.csv not found", "specialist y cold (reference 1 s: 10x) 2 100.000 ms 10 200 7", "peak RSS 12 MiB"} {
		if !strings.Contains(got, want) {
			t.Errorf("table lacks %q:\n%s", want, b.String())
		}
	}
}

// TestParams: the table has a row per parameter with its kind, bounds and
// default; the JSON is a list of objects with the same names.
func TestParams(t *testing.T) {
	sp := specialist(t, "").Params.Space()
	var b bytes.Buffer
	if err := (Printer{W: &b}).Params(sp); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != sp.Len()+1 || !strings.HasPrefix(lines[0], "name") {
		t.Fatalf("%d lines for %d parameters:\n%s", len(lines), sp.Len(), b.String())
	}
	for i, p := range sp.Params() {
		if f := strings.Fields(lines[i+1]); f[0] != p.Name || f[1] != p.Kind.String() {
			t.Errorf("row %d: %q, want %s %s first", i, lines[i+1], p.Name, p.Kind)
		}
	}
	b.Reset()
	if err := (Printer{W: &b, JSON: true}).Params(sp); err != nil {
		t.Fatal(err)
	}
	var list []struct{ Name, Kind string }
	if err := json.Unmarshal(b.Bytes(), &list); err != nil || len(list) != sp.Len() || list[0].Name != sp.Param(0).Name || list[0].Kind == "" {
		t.Errorf("JSON %v: %s", err, b.String())
	}
}

// TestWalkForward: the in-sample mean is over the folds not rejected
// ((0.25 + 0.75) / 2 = 0.5, one of three rejected).
func TestWalkForward(t *testing.T) {
	p := panel(t)
	ev := &harness.Evaluation{Score: 0.1, Base: harness.Metrics{AnnualizedReturnPct: 5, MaxDrawdownPct: -10, SharpeRatio: 0.75}, BaseRun: &harness.Run{Values: make([]float64, 5)}}
	spec := specialist(t, "top_n=2")
	var folds []trial.Fold
	for _, x := range []float64{0.25, math.Inf(-1), 0.75} {
		folds = append(folds, trial.Fold{Best: spec, InSample: x, Tried: 4, OutOfSample: ev})
	}
	var b strings.Builder
	Fold(&b, folds[0])
	WalkForward(&b, &trial.WalkResult{Folds: folds, OOS: ev, Benchmark: ev}, p)
	for _, want := range []string{": 4 tried, in-sample 0.25, out-of-sample 0.1 (ann 5.00%, dd -10.00%): top_n=2\n",
		"out-of-sample (chained, 5 days)  score 0.1  ann 5.00%  dd -10.00%  sharpe 0.750",
		"in-sample (mean of the folds' best)  score 0.5  (1 of 3 folds' best rejected)",
		"benchmark " + strategy.BenchmarkBasket(p) + ", same days  score 0.1"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, b.String())
		}
	}
}

// TestEval: the text names the setup, the score, every metric of the schema
// but the perp metrics a spot run has at 0, and the fingerprints; the JSON holds the same score bit for bit.
func TestEval(t *testing.T) {
	p := panel(t)
	env := trial.NewEnv(p, "test")
	spec := specialist(t, "top_n=3")
	r, err := trial.Evaluate(context.Background(), env, spec)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := (Printer{W: &b, Desc: "data", Panel: p}).Eval(spec, r, nil); err != nil {
		t.Fatal(err)
	}
	text := b.String()
	wants := []string{"data\nspecialist, causal fills, defaults except top_n=3\n\nscore  " + ledger.FormatFloat(r.Score()), "harness " + r.Eval.Harness + "  data " + r.Eval.Data}
	for _, f := range harness.MetricSchema() {
		// A spot run's perp metrics are 0 and left out of the table.
		if f.OmitZero != (strings.Contains(f.Name, "funding") || strings.Contains(f.Name, "liquidation") || f.Name == "days_short") {
			t.Errorf("metric %s: OmitZero %t", f.Name, f.OmitZero)
		}
		if f.OmitZero == strings.Contains(text, f.Label) {
			t.Errorf("metric %q (OmitZero %t, 0 in this spot run): shown %t", f.Label, f.OmitZero, !f.OmitZero)
		}
	}
	for _, want := range wants {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q:\n%s", want, text)
		}
	}
	b.Reset()
	if err := (Printer{W: &b, JSON: true, Panel: p}).Eval(spec, r, nil); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Score *float64
		Key   string
	}
	if err := json.Unmarshal(b.Bytes(), &got); err != nil || got.Key != r.Row.Key() ||
		(r.Eval.Rejected() != (got.Score == nil)) || (got.Score != nil && math.Float64bits(*got.Score) != math.Float64bits(r.Score())) {
		t.Errorf("JSON %v: %s", err, b.String())
	}
}
