package dataio

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"gem/harness"
)

// TestCheck: one made-up file with one of each problem; every one is
// reported once, with its severity, dates and, for row problems, its line.
func TestCheck(t *testing.T) {
	content := longHeader +
		"BTC,2022-01-01,1,2,1,1.5,5\n" + // line 2
		"BTC,2022-01-02,1.5,1.6,1,1.7,5\n" + // 3: high below close
		"BTC,2022-01-03,1.7,,,1.8,5\n" + // 4: partial bar
		"BTC,2022-01-05,,,,1.9,\n" + // 5: one missing day, close-only
		"BTC,2022-01-05,,,,1.9,\n" + // 6: duplicate
		"USDC,2022-01-01,1,1,1,1,1\n" + // 7
		"USDC,2022-01-02,1,1,0.9,0.97,1\n" + // 8: depeg ...
		"USDC,2022-01-03,1,1,0.9,0.975,1\n" + // 9: ... two days
		"USDC,2022-01-04,1,1.01,1,1.01,1\n" + // 10
		"USDC,2022-01-05,1,1.05,1,1.03,1\n" + // 11: another
		"JUMP,2022-01-01,1,1,1,1,1\n" + // 12
		"JUMP,2022-01-02,25,25,25,25,1\n" + // 13: x25 in a day
		"ZERO,2022-01-01,1,1,1,1,1\n" + // 14
		"ZERO,2022-01-02,1,1,1,0,1\n" + // 15: zero close
		"ZERO,2022-01-03,1,1,1,1,-2\n" + // 16: negative volume
		"ZERO,2022-01-04,1,1,1,abc,1\n" + // 17: does not parse
		"LUNA,2022-01-01,10,10,10,10,1\n" + // 18
		"LUNA,2022-01-20,0.01,0.01,0.01,0.01,1\n" // 19: 18 missing days, x0.001
	path := writeFile(t, "check.csv", []byte(content))
	r, err := Check(Options{}, path)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, is := range r.Issues {
		s := fmt.Sprintf("%s %s %s %s..%s", is.Severity, is.Kind, is.Token, is.From, is.To)
		if is.Token == "" && is.Kind != KindCalendarGap {
			s = fmt.Sprintf("%s %s", is.Severity, is.Kind)
		}
		if is.Where.File != "" {
			s += fmt.Sprintf(" line %d", is.Where.Line)
		}
		got = append(got, s)
	}
	want := []string{
		"error bad-row line 17",
		"warning calendar-gap  2022-01-06..2022-01-19",
		"warning ohlc BTC 2022-01-02..2022-01-02 line 3",
		"warning ohlc BTC 2022-01-03..2022-01-03 line 4",
		"warning gap BTC 2022-01-04..2022-01-04",
		"error duplicate BTC 2022-01-05..2022-01-05 line 6",
		"warning redenomination JUMP 2022-01-01..2022-01-02",
		"warning reuse LUNA 2022-01-01..2022-01-20",
		"warning gap LUNA 2022-01-02..2022-01-19",
		"warning depeg USDC 2022-01-02..2022-01-03",
		"warning depeg USDC 2022-01-05..2022-01-05",
		"error bad-value ZERO 2022-01-02..2022-01-02 line 15",
		"error bad-value ZERO 2022-01-03..2022-01-03 line 16",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if r.Errors() != 4 || r.Warnings() != 9 || r.Rows != 18 {
		t.Errorf("got %d errors, %d warnings, %d rows, want 4, 9, 18", r.Errors(), r.Warnings(), r.Rows)
	}
	btc := r.Tokens[0]
	if btc.Token != "BTC" || btc.Rows != 5 || btc.CloseOnly != 2 || btc.Gaps != 1 || btc.MissingDays != 1 || btc.Errors != 1 || btc.Warnings != 3 {
		t.Errorf("BTC summary %+v", btc)
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{`"errors":4`, `"kind":"reuse"`, `"kind":"calendar-gap","severity":"warning","from":"2022-01-06","to":"2022-01-19"`, `"from":"2022-01-01"`, `"severity":"error"`, `"first":"2022-01-01"`} {
		if !strings.Contains(string(b), s) {
			t.Errorf("JSON lacks %s:\n%s", s, b)
		}
	}
}

// TestBreaks: the thresholds of the break rules, at and around their edges.
func TestBreaks(t *testing.T) {
	tests := []struct {
		name   string
		closes []float64 // 0 skips a day
		want   string
	}{
		{"steady", []float64{1, 2, 4, 8}, "[]"},
		{"x20 in a day", []float64{1, 20}, "[redenomination@1]"},
		{"x19.9 in a day", []float64{1, 19.9}, "[]"},
		{"/20 in a day", []float64{20, 1}, "[redenomination@1]"},
		{"x5 across a halt", []float64{1, 0, 5}, "[redenomination@1]"},
		{"x4.9 across a halt", []float64{1, 0, 4.9}, "[]"},
		{"x5 across 13 missing days", append(append([]float64{1}, make([]float64, 13)...), 5), "[redenomination@1]"},
		{"x5 across 14 missing days", append(append([]float64{1}, make([]float64, 14)...), 5), "[reuse@1]"},
		{"x4 across 14 missing days", append(append([]float64{1}, make([]float64, 14)...), 4), "[]"},
		{"x100 across 14 missing days", append(append([]float64{1}, make([]float64, 14)...), 100), "[reuse@1]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, b := range Breaks(universe("X", "2022-01-01", tt.closes)) {
				got = append(got, fmt.Sprintf("%s@%d", b.Kind, b.Index))
			}
			if s := fmt.Sprint(got); s != tt.want && !(tt.want == "[]" && got == nil) {
				t.Errorf("got %v, want %s", got, tt.want)
			}
		})
	}
}

// TestCoverageCliff: four tokens ending on one day before the data's end is
// a coverage cliff, and that day is the last clean day; two ending together
// is not.
func TestCoverageCliff(t *testing.T) {
	var cs []harness.Candle
	day := func(s string) harness.Date { d, _ := harness.ParseDate(s); return d }
	add := func(tok, last string) {
		for d := day("2024-01-01"); d <= day(last); d++ {
			cs = append(cs, harness.Candle{Token: tok, Date: d, Open: 1, High: 1, Low: 1, Close: 1, Volume: 1})
		}
	}
	for _, tok := range []string{"A", "B", "C", "D"} {
		add(tok, "2024-01-10")
	}
	add("E", "2024-01-05")
	add("F", "2024-01-05")
	add("BTC", "2024-01-20")
	r := CheckData(&Data{Candles: cs})
	var cliffs []string
	for _, i := range r.Issues {
		if i.Kind == KindCoverageCliff {
			cliffs = append(cliffs, i.From.String())
		}
	}
	if len(cliffs) != 1 || cliffs[0] != "2024-01-10" || r.LastClean != day("2024-01-10") {
		t.Errorf("cliffs %v, last clean %v; want one on 2024-01-10", cliffs, r.LastClean)
	}
}
