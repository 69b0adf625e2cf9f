package dataio

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"gem/harness"
)

// sharedData is the directory of real price files (PROVENANCE.md there),
// outside the repository.
const sharedData = "../../shared/data"

func needShared(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(filepath.Join(sharedData, "PROVENANCE.md")); err != nil {
		t.Skipf("real data not found at %s (it lives in ../shared, outside the repository): %v", sharedData, err)
	}
}

const merged = sharedData + "/binance_spot_1d_panel_merged.csv.gz"

var (
	mergedOnce sync.Once
	mergedData *Data
	mergedErr  error
)

// mergedPanel reads the merged Binance panel once for all tests.
func mergedCandles(t *testing.T) *Data {
	t.Helper()
	needShared(t)
	mergedOnce.Do(func() { mergedData, mergedErr = Read(Options{}, merged) })
	if mergedErr != nil {
		t.Fatal(mergedErr)
	}
	return mergedData
}

// TestSharedDataLoads: every candle file in ../shared/data loads, with the
// token and row counts PROVENANCE.md gives. The CoinMarketCap file has a
// zero open (AAVE) and a zero low and close (CTK), which the harness
// rejects; it loads the documented way, with DropBadRows, which drops
// exactly those two rows and reports them.
func TestSharedDataLoads(t *testing.T) {
	needShared(t)
	tests := []struct {
		file         string
		tokens, rows int
		dropped      []string // "TOKEN DATE" of the rows DropBadRows must drop
	}{
		{"aggregated_usd_1d_unattributed.csv.gz", 138, 277516, nil},
		{"binance_spot_1d_abhishek_2022_2025.csv", 49, 48952, nil},
		{"binance_spot_1d_djienne_hurst.csv", 50, 75036, nil},
		{"binance_spot_1d_fred3105.csv", 9, 10729, nil},
		{"binance_spot_1d_panel_merged.csv.gz", 467, 492448, nil},
		{"binance_spot_1d_rongyouwow.csv", 24, 26543, nil},
		{"binance_spot_1d_safehaven_2022.csv", 6, 1278, nil},
		{"binance_spot_1d_soneyjohnt_2019_2022.csv", 34, 30673, nil},
		{"binance_spot_1d_yanniedog_majors.csv", 21, 50826, nil},
		{"binance_spot_1d_yodumini_2021_2022.csv.gz", 187, 119150, nil},
		{"binance_spot_close_1d_from_1h_mark6.csv.gz", 401, 419924, nil},
		{"binance_usdm_perp_1d_silertrades.csv.gz", 538, 268560, nil},
		{"coinmarketcap_usd_1d_hieulethanh_to_2020.csv", 109, 89945 - 2, []string{"AAVE 2020-10-02", "CTK 2020-10-23"}},
	}
	// Every file is either in the table or a known non-candle file. The
	// funding settlements (token,time,funding_rate) are not candles.
	notCandles := []string{"PROVENANCE.md", "binance_spot_1d_panel_merged_coverage.csv", "known_discontinuities.csv", "binance_usdm_funding_8h.csv.gz"}
	entries, err := os.ReadDir(sharedData)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		known := slices.Contains(notCandles, e.Name()) || slices.ContainsFunc(tests, func(tt struct {
			file         string
			tokens, rows int
			dropped      []string
		}) bool {
			return tt.file == e.Name()
		})
		if !known {
			t.Errorf("%s: a file this test does not know; add it to the table", e.Name())
		}
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(sharedData, tt.file)
			opt := Options{DropBadRows: tt.dropped != nil}
			if tt.dropped != nil {
				if _, _, err := load(Options{}, path); err == nil {
					t.Error("loads without DropBadRows; the test's premise is stale")
				}
			}
			var p *harness.Panel
			var d *Data
			if tt.file == filepath.Base(merged) {
				d = mergedCandles(t)
				p, err = d.Panel()
			} else {
				p, d, err = load(opt, path)
			}
			if err != nil {
				t.Fatal(err)
			}
			if p.NumTokens() != tt.tokens || p.TokenDays() != tt.rows {
				t.Errorf("got %d tokens and %d rows, want %d and %d", p.NumTokens(), p.TokenDays(), tt.tokens, tt.rows)
			}
			var dropped []string
			for _, e := range d.Dropped {
				// The line is the CSV's; find the row's token and date in the message's file.
				dropped = append(dropped, rowAt(t, path, e.Line))
			}
			if fmt.Sprint(dropped) != fmt.Sprint(tt.dropped) {
				t.Errorf("dropped %v, want %v", dropped, tt.dropped)
			}
		})
	}
}

// rowAt returns "TOKEN DATE" of a line of a plain CSV file.
func rowAt(t *testing.T, path string, line int) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(b), "\n")
	f := strings.Split(lines[line-1], ",")
	return f[0] + " " + f[1]
}

// TestCheckMergedPanel: gem data check on the merged panel flags LUNA's
// ticker reuse and the redenominations PROVENANCE.md lists (COCOS, DREP,
// BTCST, SUN, QUICK, STRAX), and finds no errors.
func TestCheckMergedPanel(t *testing.T) {
	r := CheckData(mergedCandles(t))
	if r.Errors() != 0 {
		t.Errorf("got %d errors, want 0", r.Errors())
	}
	type found struct {
		kind, token, from, to string
	}
	var got []found
	for _, is := range r.Issues {
		if is.Kind == KindReuse || is.Kind == KindRedenomination {
			got = append(got, found{is.Kind, is.Token, is.From.String(), is.To.String()})
		}
	}
	// From known_discontinuities.csv; LUNA's collapse day (x0.0003) is a
	// one-day jump beyond 20x too.
	want := []found{
		{KindRedenomination, "BTCST", "2021-03-15", "2021-03-19"},
		{KindRedenomination, "COCOS", "2021-01-19", "2021-01-23"},
		{KindRedenomination, "DREP", "2021-03-29", "2021-04-02"},
		{KindRedenomination, "LUNA", "2022-05-11", "2022-05-12"},
		{KindReuse, "LUNA", "2022-05-13", "2022-05-31"},
		{KindRedenomination, "QUICK", "2023-07-17", "2023-07-21"},
		{KindRedenomination, "STRAX", "2024-03-20", "2024-03-28"},
		{KindRedenomination, "SUN", "2021-06-14", "2021-06-18"},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got\n%v\nwant\n%v", got, want)
	}
	var depegs []string
	for _, is := range r.Issues {
		if is.Kind == KindDepeg {
			depegs = append(depegs, is.Token+" "+is.From.String())
		}
	}
	// The SVB depeg of USDC on the first day after relisting (PROVENANCE.md).
	if !slices.Contains(depegs, "USDC 2023-03-11") {
		t.Errorf("depegs %v, want USDC 2023-03-11 among them", depegs)
	}
}

// TestSplitReusedMerged: --split-reused makes Terra classic LUNA and Terra
// 2.0 two assets, and splits nothing else in the merged panel.
func TestSplitReusedMerged(t *testing.T) {
	d := mergedCandles(t)
	f := Filter{SplitReused: true, Tokens: []string{"LUNA"}}
	c, _, err := f.Apply(d.Candles, d.Where)
	if err != nil {
		t.Fatal(err)
	}
	span := map[string][2]harness.Date{}
	for _, x := range c {
		s, ok := span[x.Token]
		if !ok {
			s = [2]harness.Date{x.Date, x.Date}
		}
		span[x.Token] = [2]harness.Date{min(s[0], x.Date), max(s[1], x.Date)}
	}
	if got := span["LUNA"][1].String(); got != "2022-05-13" {
		t.Errorf("LUNA ends %s, want 2022-05-13", got)
	}
	if got := span["LUNA#2"][0].String(); got != "2022-05-31" {
		t.Errorf("LUNA#2 starts %s, want 2022-05-31", got)
	}
	if len(span) != 2 {
		t.Errorf("got tokens %v, want LUNA and LUNA#2", span)
	}
	all := Filter{SplitReused: true}
	c, _, err = all.Apply(d.Candles, nil)
	if err != nil {
		t.Fatal(err)
	}
	split := map[string]bool{}
	for _, x := range c {
		if strings.Contains(x.Token, "#") {
			split[x.Token] = true
		}
	}
	if fmt.Sprint(split) != "map[LUNA#2:true]" {
		t.Errorf("split tokens %v, want only LUNA#2", split)
	}
}

// TestSharedFunding: the funding file loads with the token and row counts
// PROVENANCE.md gives, and the perp candle file's tokens are all perps, every
// one of them with funding.
func TestSharedFunding(t *testing.T) {
	needShared(t)
	f, err := harness.LoadFunding(filepath.Join(sharedData, "binance_usdm_funding_8h.csv.gz"))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Series) != 556 || f.Rows() != 381784 {
		t.Errorf("got %d tokens and %d rows, want 556 and 381784", len(f.Series), f.Rows())
	}
	p, _, err := load(Options{}, filepath.Join(sharedData, "binance_usdm_perp_1d_silertrades.csv.gz"))
	if err != nil {
		t.Fatal(err)
	}
	has := make(map[string]bool)
	for _, s := range f.Series {
		has[s.Token] = true
	}
	for i := range p.NumTokens() {
		if p.Market(i) != harness.Perp || !has[p.Series[i].Token] {
			t.Fatalf("%s: market %v, funding %v; want perp with funding", p.Series[i].Token, p.Market(i), has[p.Series[i].Token])
		}
	}
}
