package report

import (
	"bytes"
	"io"
	"math"
	"slices"
	"strings"
	"testing"

	"gem/optimum"
)

// handComparison has quartiles worked by hand (NumPy's linear
// interpolation): method a's regrets at 1 evaluation are 0.8, 0.6 and 1
// (q25 0.6 + 0.5·0.2 = 0.7, median 0.8, q75 0.9), at 2 they are 0.5, 0.6,
// 0.4 (0.45, 0.5, 0.55), at 3 they are 0.1, 0 and 0.4 (0.05, 0.1, 0.25);
// only its second run comes within 5% of the optimum 1 (0.95, at 3).
// Phased's one run scores nothing in its first evaluation (regret inf) and
// stops after its second.
func handComparison() *optimum.Comparison {
	return &optimum.Comparison{Optimum: 1, Budgets: []int{1, 3}, Seeds: 3, Batch: 2, Methods: []optimum.Method{
		{Name: "phased", Curves: []optimum.Curve{{math.Inf(-1), 0.5}}},
		{Name: "a", Curves: []optimum.Curve{{0.2, 0.5, 0.9}, {0.4, 0.4, 1.0}, {0.0, 0.6, 0.6}}},
	}}
}

func TestRegretSection(t *testing.T) {
	p, err := LedgerPage(ledgerFixture(), LedgerOptions{Comparison: handComparison()})
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(p.Sections, func(s Section) bool { return s.Heading == "Regret against the optimum" })
	if i < 0 {
		t.Fatal("no regret section")
	}
	s := p.Sections[i]
	if len(s.Tables) != 1 || len(s.Charts) != 1 || s.Charts[0].Name != "regret" {
		t.Fatalf("section has %d tables and charts %v, want one table and the regret chart", len(s.Tables), s.Charts)
	}
	want := [][]string{
		{"phased", "inf [inf, inf]", "0.5000 [0.5000, 0.5000]", ">3 (0/1)"},
		{"a", "0.8000 [0.7000, 0.9000]", "0.1000 [0.0500, 0.2500]", ">3 (1/3)"},
	}
	if got := s.Tables[0].Rows; !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("table rows %q, want %q", got, want)
	}
	if h := s.Tables[0].Header; !slices.Equal(h[:3], []string{"method", "1", "3"}) {
		t.Errorf("header %q", h)
	}
	b := regretBands(handComparison(), handComparison().Methods[1], 3)
	if !slices.Equal(b.x, []float64{1, 2, 3}) || !close3(b.q25, 0.7, 0.45, 0.05) || !close3(b.median, 0.8, 0.5, 0.1) || !close3(b.q75, 0.9, 0.55, 0.25) {
		t.Errorf("bands %+v, want q25 0.7 0.45 0.05, median 0.8 0.5 0.1, q75 0.9 0.55 0.25", b)
	}
	var html bytes.Buffer
	if err := p.WriteHTML(&html); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(html.String(), "0.1000 [0.0500, 0.2500]") {
		t.Error("the HTML lacks the regret table")
	}
}

func close3(got []float64, a, b, c float64) bool {
	return len(got) == 3 && math.Abs(got[0]-a) < 1e-12 && math.Abs(got[1]-b) < 1e-12 && math.Abs(got[2]-c) < 1e-12
}

// TestRegretBandsCompress: a constant run keeps only its ends.
func TestRegretBandsCompress(t *testing.T) {
	c := &optimum.Comparison{Optimum: 1, Budgets: []int{10}, Seeds: 1, Batch: 1, Methods: []optimum.Method{
		{Name: "m", Curves: []optimum.Curve{{0, 0, 0, 0.5, 0.5, 0.5, 0.5, 1}}},
	}}
	if b := regretBands(c, c.Methods[0], 10); !slices.Equal(b.x, []float64{1, 3, 4, 7, 8, 10}) || !slices.Equal(b.median, []float64{1, 1, 0.5, 0.5, 0, 0}) {
		t.Errorf("x %v median %v, want x 1 3 4 7 8 10, median 1 1 0.5 0.5 0 0", b.x, b.median)
	}
	if r := finiteRuns([]float64{math.Inf(1), 1, 2, math.Inf(1), 3}); !slices.Equal(r, [][2]int{{1, 3}, {4, 5}}) {
		t.Errorf("finite runs %v", r)
	}
}

// TestRegretNothingScored: all −Inf and empty curves, and a single budget
// of one evaluation, render without a panic.
func TestRegretNothingScored(t *testing.T) {
	inf := math.Inf(-1)
	for _, c := range []*optimum.Comparison{
		{Optimum: 2, Budgets: []int{5, 500}, Seeds: 2, Batch: 1, Methods: []optimum.Method{{Name: "x", Curves: []optimum.Curve{{inf, inf}, {}}}}},
		{Optimum: 2, Budgets: []int{1}, Seeds: 1, Batch: 1, Methods: []optimum.Method{{Name: "x", Curves: []optimum.Curve{{1}}}, {Name: "y", Curves: []optimum.Curve{{}}}}},
	} {
		s := regretSection(c)
		if len(s.Tables) != 1 {
			t.Fatalf("%d tables", len(s.Tables))
		}
		p := &Page{Sections: []Section{s}}
		if err := p.WriteHTML(io.Discard); err != nil {
			t.Fatal(err)
		}
		for _, ch := range p.Charts() {
			if err := ch.WritePNG(io.Discard); err != nil {
				t.Fatal(err)
			}
		}
	}
	if p, err := LedgerPage(nil, LedgerOptions{Comparison: handComparison()}); err != nil || len(p.Sections) != 1 || p.Sections[0].Heading != "Regret against the optimum" {
		t.Errorf("a ledger without trials but with a comparison: %v, %+v", err, p)
	}
	if s := regretSection(&optimum.Comparison{Optimum: 2, Budgets: []int{5}, Seeds: 1, Batch: 1, Methods: []optimum.Method{{Name: "x", Curves: []optimum.Curve{{inf}}}}}); len(s.Charts) != 0 || !strings.Contains(strings.Join(s.Notes, " "), "nothing to draw") {
		t.Errorf("nothing scored: charts %v, notes %q", s.Charts, s.Notes)
	}
}
