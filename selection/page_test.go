package selection

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gem/harness"
	"gem/ledger"
	"gem/optimum"
	"gem/report"
	"gem/trial"
)

const (
	testHarness = "aaaabbbbccccdddd"
	testData    = "1111222233334444"
)

// testGroup is n specialist configurations with daily returns over days
// days from 2021-01-01, noise of 1% a day with a seeded generator; edge is
// added to the first configuration's mean. The benchmark's series is among
// them, noise too.
func testGroup(n, days int, edge float64, seed uint64) (*report.Group, map[string]*ledger.Series) {
	rng := rand.New(rand.NewPCG(seed, 7))
	d0, _ := harness.ParseDate("2021-01-01")
	dates := make([]harness.Date, days)
	for i := range dates {
		dates[i] = d0 + harness.Date(i)
	}
	noise := func(key string, mean float64) *ledger.Series {
		s := &ledger.Series{Key: key, Days: dates, Returns: make([]float64, days)}
		for i := range s.Returns {
			s.Returns[i] = mean + 0.01*rng.NormFloat64()
		}
		return s
	}
	g := &report.Group{Strategy: "specialist", Fill: "causal", Harness: testHarness, Data: testData}
	series := map[string]*ledger.Series{}
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		r := ledger.Row{Time: t0.Add(time.Duration(i) * time.Minute), Command: "sweep", Strategy: g.Strategy, Fill: g.Fill,
			Params: fmt.Sprintf("top_n=%d", i+1), Score: 0.1, Harness: testHarness, Data: testData}
		g.Rows = append(g.Rows, r)
		mean := 0.0
		if i == 0 {
			mean = edge
		}
		series[r.Key()] = noise(r.Key(), mean)
	}
	bk := trial.BenchmarkKey(g.Fill, g.Window, g.Harness, g.Data)
	series[bk] = noise(bk, 0)
	return g, series
}

// cell returns the value column of the section's row named name.
func cell(t *testing.T, s report.Section, name string) string {
	t.Helper()
	for _, r := range s.Tables[0].Rows {
		if r[0] == name {
			return r[1]
		}
	}
	t.Fatalf("no row %q in %v", name, s.Tables[0].Rows)
	return ""
}

// TestLedgerSection: the page shows the numbers and the verdict that gem
// ledger stats computes, and the verdict follows the evidence: noise is not
// trusted, a planted persistent edge (a daily Sharpe ratio of 0.5 against
// noise) is.
func TestLedgerSection(t *testing.T) {
	opt := DefaultOptions()
	opt.Draws = 300
	for _, tt := range []struct {
		name  string
		edge  float64
		trust bool
	}{
		{"noise", 0, false},
		{"planted edge", 0.005, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			g, series := testGroup(12, 500, tt.edge, 3)
			s := LedgerSection(g, series, opt)
			st, err := Compute(g, series, series[trial.BenchmarkKey(g.Fill, g.Window, g.Harness, g.Data)], opt)
			if err != nil {
				t.Fatal(err)
			}
			if len(s.Notes) == 0 || s.Notes[0] != "Verdict: "+st.Verdict+"." {
				t.Errorf("notes %q, want the verdict %q first", s.Notes, st.Verdict)
			}
			if got := strings.HasPrefix(st.Verdict, "the winner survives"); got != tt.trust {
				t.Errorf("verdict %q: trusted %v, want %v", st.Verdict, got, tt.trust)
			}
			for name, want := range map[string]string{
				"PBO, CSCV with 16 blocks":      st.PBO.text("%.3f"),
				"deflated Sharpe ratio":         st.DeflatedSharpe.text("%.3f"),
				"SPA p-value against BTC+ETH":   st.SPAPValue.text("%.3f"),
				"White's reality check p-value": st.RealityCheckPValue.text("%.3f"),
				"rank correlation 2021 → 2022":  st.YearRanks[0].Spearman.text("%.3f"),
			} {
				if got := cell(t, s, name); got != want || got == "n/a" {
					t.Errorf("%s: got %q, want %q", name, got, want)
				}
			}
		})
	}
}

// TestLedgerSectionHostile: returns that are missing, too short or bad
// give a section that says why, never a panic.
func TestLedgerSectionHostile(t *testing.T) {
	g, series := testGroup(4, 300, 0, 1)
	short := map[string]*ledger.Series{}
	bad := map[string]*ledger.Series{}
	for k, s := range series {
		short[k] = &ledger.Series{Key: k, Days: s.Days[:2], Returns: s.Returns[:2]}
		b := &ledger.Series{Key: k, Days: s.Days, Returns: append([]float64(nil), s.Returns...)}
		b.Returns[5] = math.NaN()
		b.Returns[6] = math.Inf(1)
		bad[k] = b
	}
	empty := &report.Group{Strategy: "specialist", Fill: "causal"}
	for _, tt := range []struct {
		name   string
		g      *report.Group
		series map[string]*ledger.Series
		want   string
	}{
		{"no returns", g, nil, "need the trials' daily returns"},
		{"two days", g, short, "share only 2 days"},
		{"NaN and Inf", g, bad, "return is"},
		{"no rows", empty, series, "need the trials' daily returns"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := LedgerSection(tt.g, tt.series, DefaultOptions())
			text := strings.Join(append(append(s.Notes, s.Bullets...), fmt.Sprint(s.Tables)), "\n")
			if !strings.Contains(text, tt.want) {
				t.Errorf("section %q, want it to say %q", text, tt.want)
			}
		})
	}
}

// TestLedgerReport reads a ledger with and without its returns file, and
// refuses a missing ledger and a bad pair.
func TestLedgerReport(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ledger.tsv")
	g, series := testGroup(5, 400, 0, 2)
	l, _, err := ledger.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	for i := range g.Rows {
		if err := l.Append(&g.Rows[i]); err != nil {
			t.Fatal(err)
		}
	}
	l.Close()
	html := func(p *report.Page) string {
		var b strings.Builder
		if err := p.WriteHTML(&b); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	p, err := LedgerReport(path, "")
	if err != nil {
		t.Fatal(err)
	}
	if h := html(p); !strings.Contains(h, "Selection statistics") || !strings.Contains(h, "need the trials&#39; daily returns") {
		t.Errorf("a ledger without returns: the page does not say the statistics need them")
	}
	rf, _, err := ledger.OpenReturns(ledger.ReturnsPath(path))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range series {
		if err := rf.Append(s); err != nil {
			t.Fatal(err)
		}
	}
	rf.Close()
	if p, err = LedgerReport(path, ""); err != nil {
		t.Fatal(err)
	}
	if h := html(p); !strings.Contains(h, "Verdict: ") || !strings.Contains(h, "PBO, CSCV with 16 blocks") {
		t.Errorf("a ledger with returns: the page lacks the statistics")
	}
	// Garbage appended to the returns file is skipped, not fatal.
	f, _ := os.OpenFile(ledger.ReturnsPath(path), os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString("\x00\xff garbage that is no record")
	f.Close()
	if _, err := LedgerReport(path, ""); err != nil {
		t.Errorf("a returns file with a torn tail: %v", err)
	}
	// A comparison beside the ledger adds its regret section; a broken one
	// is an error naming it.
	c := &optimum.Comparison{Optimum: 1, Budgets: []int{2}, Seeds: 1, Batch: 1, Methods: []optimum.Method{{Name: "random", Curves: []optimum.Curve{{0.5, 0.75}}}}}
	if err := c.Save(optimum.ComparisonPath(path)); err != nil {
		t.Fatal(err)
	}
	if p, err = LedgerReport(path, ""); err != nil {
		t.Fatal(err)
	}
	if h := html(p); !strings.Contains(h, "Regret against the optimum") || !strings.Contains(h, "0.2500 [0.2500, 0.2500]") {
		t.Errorf("a ledger with a comparison: the page lacks its regret table")
	}
	os.WriteFile(optimum.ComparisonPath(path), []byte(`{"optimum":`), 0o600)
	if _, err := LedgerReport(path, ""); err == nil || !strings.Contains(err.Error(), optimum.ComparisonPath(path)) {
		t.Errorf("a truncated comparison file: error %v, want one naming it", err)
	}
	os.Remove(optimum.ComparisonPath(path))
	if _, err := LedgerReport(filepath.Join(dir, "none.tsv"), ""); err == nil {
		t.Error("a missing ledger: no error")
	}
	if _, err := LedgerReport(path, "top_n"); err == nil {
		t.Error("a bad pair: no error")
	}
}
