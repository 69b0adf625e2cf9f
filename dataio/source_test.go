package dataio

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gem/harness"
	"gem/synth"
)

// sourceCSV is a long CSV of two tokens over three days, with one bad row
// (a zero open on line 4).
const sourceCSV = `token,date,open,high,low,close,volume
BTC,2024-01-01,10,11,9,10,1
BTC,2024-01-02,10,11,9,10.5,1
BTC,2024-01-03,0,11,9,10.2,1
USDT,2024-01-01,1,1,1,1,1
USDT,2024-01-02,1,1,1,1,1
USDT,2024-01-03,1,1,1,1,1
`

func TestSourceLoad(t *testing.T) {
	path := writeFile(t, "two.csv", []byte(sourceCSV))
	small := synth.DefaultConfig()
	small.Seed, small.Tokens, small.Days = 7, 3, 40
	tests := []struct {
		name     string
		src      Source
		desc     string // wanted description; "" when an error is wanted
		err      string // a substring of the wanted error
		warnings []string
	}{
		{name: "synthetic", src: Source{Synth: small},
			desc: "synthetic universe (seed 7): 3 tokens, 40 days (2020-01-01..2020-02-09)"},
		{name: "strict file", src: Source{Paths: []string{path}}, err: path + ":4"},
		{name: "dropped and filtered", src: Source{Paths: []string{path}, DropBadRows: true, Filter: Filter{ExcludeStablecoins: true}, To: "2024-01-02"},
			desc:     path + " (1 bad rows dropped) [to 2024-01-02, no stablecoins]: 1 tokens, 2 days (2024-01-01..2024-01-02)",
			warnings: []string{"dropped " + path + ":4:", "--drop-bad-rows dropped 1 rows", "warning: " + path + " (1 bad rows dropped) [to 2024-01-02, no stablecoins]: one token (BTC)"}},
		{name: "bad from", src: Source{Paths: []string{path}, From: "2024-13-01"}, err: "--from: "},
		{name: "bad to", src: Source{Synth: small, To: "yesterday"}, err: "--to: "},
		{name: "bad format", src: Source{Paths: []string{path}, Format: "xml"}, err: "--format: "},
		{name: "format ignored without files", src: Source{Synth: small, Format: "xml"},
			desc: "synthetic universe (seed 7): 3 tokens, 40 days (2020-01-01..2020-02-09)"},
		{name: "bad synthetic size", src: Source{Synth: synth.Config{Seed: 1}}, err: "--synth-tokens, --synth-days: "},
		{name: "bad funding rule", src: Source{Synth: small, FundingMissing: "sometimes"}, err: "--funding-missing: "},
		{name: "funding without perps", src: Source{Paths: []string{path}, DropBadRows: true, Funding: "funding.csv"}, err: "--funding funding.csv: the data has no perps"},
		{name: "filter keeps nothing", src: Source{Paths: []string{path}, DropBadRows: true, From: "2025-01-01"}, err: "keep no candles"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var warned []string
			tc.src.Warn = func(msg string) { warned = append(warned, msg) }
			p, desc, err := tc.src.Load()
			if tc.desc == "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("got error %v, want one containing %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if desc != tc.desc {
				t.Errorf("got description\n%s\nwant\n%s", desc, tc.desc)
			}
			if p.NumDays() == 0 {
				t.Errorf("empty panel")
			}
			if len(warned) != len(tc.warnings) {
				t.Fatalf("got warnings %q, want %d like %q", warned, len(tc.warnings), tc.warnings)
			}
			for i, w := range tc.warnings {
				if !strings.HasPrefix(warned[i], w) {
					t.Errorf("warning %d: got %q, want it to start with %q", i, warned[i], w)
				}
			}
		})
	}
}

// TestSourceSyntheticMatchesGenerate checks that the synthetic source is
// synth.Generate's universe, candle for candle.
func TestSourceSyntheticMatchesGenerate(t *testing.T) {
	cfg := synth.DefaultConfig()
	cfg.Tokens, cfg.Days = 4, 60
	s := Source{Synth: cfg}
	d, _, err := s.Read()
	if err != nil {
		t.Fatal(err)
	}
	want := synth.Generate(cfg)
	if len(d.Candles) != len(want) {
		t.Fatalf("got %d candles, want %d", len(d.Candles), len(want))
	}
	for i := range want {
		if d.Candles[i] != want[i] {
			t.Fatalf("candle %d: got %+v, want %+v", i, d.Candles[i], want[i])
		}
	}
}

func TestFilterString(t *testing.T) {
	tests := []struct {
		f    Filter
		want string
	}{
		{Filter{}, ""},
		{Filter{MinHistory: -3}, ""},
		{Filter{SplitReused: true, SplitRedenominated: true, From: day("2021-01-01"), To: day("2022-12-31"), Tokens: []string{"BTC", "LUNA"},
			ExcludeStablecoins: true, SurvivorsOnly: true, MinHistory: 30},
			"reused tickers split, redenominations split, from 2021-01-01, to 2022-12-31, tokens BTC,LUNA, no stablecoins, survivors only, min history 30"},
		{Filter{Tokens: []string{}}, "tokens "},
	}
	for _, tc := range tests {
		if got := tc.f.String(); got != tc.want {
			t.Errorf("%+v: got %q, want %q", tc.f, got, tc.want)
		}
		if tc.want == "" && !tc.f.IsZero() {
			t.Errorf("%+v describes as nothing but is not zero", tc.f)
		}
	}
}

func TestSourceConvert(t *testing.T) {
	in := writeFile(t, "two.csv", []byte(sourceCSV))
	out := filepath.Join(t.TempDir(), "out.csv")
	s := Source{Paths: []string{in}, DropBadRows: true, Filter: Filter{Tokens: []string{"BTC"}}}
	got, err := s.Convert(out, false)
	if err != nil {
		t.Fatal(err)
	}
	want := in + " (1 bad rows dropped) [tokens BTC]\nwrote 2 candles of 1 tokens (2024-01-01..2024-01-02) to " + out + " (long)"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if lines := strings.Count(string(b), "\n"); lines != 3 {
		t.Errorf("the output has %d lines, want a header and 2 candles:\n%s", lines, b)
	}
	if _, err := s.Convert(out, false); err == nil || !strings.Contains(err.Error(), "exists (pass --force") {
		t.Errorf("converting onto an existing file: got %v, want a refusal", err)
	}
	if _, err := s.Convert(out, true); err != nil {
		t.Errorf("overwriting: %v", err)
	}
}

func TestSourceCheck(t *testing.T) {
	path := writeFile(t, "two.csv", []byte(sourceCSV))
	r, err := (&Source{Paths: []string{path}, From: "2024-01-03"}).Check() // filters do not apply
	if err != nil {
		t.Fatal(err)
	}
	if r.Rows != 6 || r.Errors() != 1 {
		t.Errorf("got %d rows and %d errors, want 6 and the zero open", r.Rows, r.Errors())
	}
	if _, err := (&Source{Paths: []string{path}, Format: "tsv"}).Check(); err == nil || !strings.HasPrefix(err.Error(), "--format: ") {
		t.Errorf("bad format: got %v", err)
	}
}

// TestReportWriteText checks the printed report of a hand-made Report
// against the text written out by hand: tab-aligned columns, the dates of
// each issue, and the file and line of an issue of one row.
func TestReportWriteText(t *testing.T) {
	r := &Report{Files: []string{"a.csv", "b.csv"}, Rows: 12, LastClean: day("2024-03-01"),
		Tokens: []TokenReport{{Token: "BTC", First: day("2024-01-01"), Last: day("2024-01-10"), Rows: 9, Gaps: 1, MissingDays: 1, Warnings: 1}},
		Issues: []Issue{
			{Token: "BTC", Kind: KindGap, Severity: Warning, From: day("2024-01-04"), To: day("2024-01-04"), Message: "1 missing day"},
			{Kind: KindBadRow, Severity: Error, Where: harness.Location{File: "b.csv", Line: 3}, Message: "b.csv:3: bad date"},
			{Token: "ETH", Kind: KindBadValue, Severity: Error, From: day("2024-01-02"), To: day("2024-01-03"), Where: harness.Location{File: "a.csv", Line: 7}, Message: "close is 0"},
		}}
	var b strings.Builder
	if err := r.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	want := `a.csv, b.csv: 12 rows, 1 tokens, 2 errors, 1 warnings
last clean day 2024-03-01: a coverage cliff cuts off at least a quarter of the tokens trading then (see the coverage-cliff warnings); score windows past it test another universe

token  first       last        rows  close-only  gaps  missing days  warnings  errors
BTC    2024-01-01  2024-01-10  9     0           1     1             1         0

issues:
warning  gap        BTC  2024-01-04              1 missing day
error    bad-row                                 b.csv:3: bad date
error    bad-value  ETH  2024-01-02..2024-01-03  a.csv:7: close is 0
`
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
	b.Reset()
	if err := r.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	if want, err := json.MarshalIndent(r, "", "  "); err != nil || b.String() != string(want)+"\n" {
		t.Errorf("WriteJSON: got\n%s\nwant json.MarshalIndent's\n%s\n(%v)", b.String(), want, err)
	}
	if err := r.Err(); err == nil || err.Error() != "data check: 2 errors, 1 warnings" {
		t.Errorf("got verdict %v, want 2 errors and 1 warning", err)
	}
	if err := (&Report{Issues: r.Issues[:1]}).Err(); err != nil {
		t.Errorf("warnings only: got verdict %v, want nil", err)
	}
	b.Reset()
	(&Report{Files: []string{"c.csv"}}).WriteText(&b)
	if want := "c.csv: 0 rows, 0 tokens, 0 errors, 0 warnings\n\ntoken  first  last  rows  close-only  gaps  missing days  warnings  errors\n\nno issues\n"; b.String() != want {
		t.Errorf("empty report: got\n%q\nwant\n%q", b.String(), want)
	}
}
