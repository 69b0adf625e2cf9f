package fetch

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"gem/harness"
)

func TestJobs(t *testing.T) {
	gotB := BinanceJobs([]string{" btcusdt", "", "ETHFDUSD ", "ETHBTC"})
	wantB := []Job{{"BTCUSDT", "BTC"}, {"ETHFDUSD", "ETH"}, {"ETHBTC", "ETHBTC"}}
	if !slices.Equal(gotB, wantB) {
		t.Errorf("BinanceJobs: got %v, want %v", gotB, wantB)
	}
	gotD := DefiLlamaJobs([]string{"coingecko:aerodrome-finance= AERO", " ", "=NAME", "base:0xabc"})
	wantD := []Job{{"coingecko:aerodrome-finance", "AERO"}, {"base:0xabc", ""}}
	if !slices.Equal(gotD, wantD) {
		t.Errorf("DefiLlamaJobs: got %v, want %v", gotD, wantD)
	}
	if BinanceJobs(nil) != nil || DefiLlamaJobs([]string{""}) != nil {
		t.Errorf("no names should make no jobs")
	}
}

func TestParseDays(t *testing.T) {
	now := time.Date(2025, 11, 5, 0, 0, 1, 0, time.UTC) // just after midnight: 2025-11-04 is the last complete day
	tests := []struct {
		from, to   string
		first, end string // "" when an error is wanted
		err        string
	}{
		{"2025-01-01", "", "2025-01-01", "2025-11-04", ""},
		{"2025-01-01", "2025-01-01", "2025-01-01", "2025-01-01", ""},
		{"2025-02-30", "", "", "", "--from: "},
		{"2025-01-01", "soon", "", "", "--to: "},
		{"2025-01-02", "2025-01-01", "", "", "--from 2025-01-02 is after --to 2025-01-01"},
		{"2025-11-05", "", "", "", "--from 2025-11-05 is after --to 2025-11-04"},
	}
	for _, tc := range tests {
		first, last, err := ParseDays(tc.from, tc.to, now)
		if tc.err != "" {
			if err == nil || !strings.HasPrefix(err.Error(), tc.err) {
				t.Errorf("%q..%q: got %v, want an error starting %q", tc.from, tc.to, err, tc.err)
			}
			continue
		}
		if err != nil || first != day(tc.first) || last != day(tc.end) {
			t.Errorf("%q..%q: got %s..%s, %v; want %s..%s", tc.from, tc.to, first, last, err, tc.first, tc.end)
		}
	}
}

func TestProgressString(t *testing.T) {
	j := Job{Name: "BTCUSDT", Token: "BTC"}
	for _, tc := range []struct {
		p    Progress
		want string
	}{
		{Progress{Job: j, From: day("2024-01-01"), To: day("2024-01-09"), Added: 9}, "BTCUSDT: 9 candles added (2024-01-01..2024-01-09)"},
		{Progress{Job: j, UpToDate: true}, "BTCUSDT: up to date"},
		{Progress{Job: j, Added: 2, Err: errors.New("HTTP 500")}, "BTCUSDT: 2 candles added, then: HTTP 500"},
	} {
		if got := tc.p.String(); got != tc.want {
			t.Errorf("got %q, want %q", got, tc.want)
		}
	}
}

// TestFetchers: each source's Fetcher fetches the job's series from the
// fake API; DefiLlama's names the candles by the job's token when it has
// one.
func TestFetchers(t *testing.T) {
	_, srv := newFakeAPI(t, now, map[string]harness.Date{"BTCUSDT": day("2025-01-01"), aero: day("2025-01-01")})
	from, to := day("2025-03-01"), day("2025-03-05")
	ctx := context.Background()
	got, err := newBinance(srv.URL, &sleeper{}).Fetcher()(ctx, Job{"BTCUSDT", "BTC"}, from, to)
	if err != nil || len(got) != 5 || got[0].Token != "BTC" || got[0].Date != from || got[0].Close != price(from) {
		t.Fatalf("binance: got %d candles (%v), err %v; want 5 from %s closing at %g", len(got), got, err, from, price(from))
	}
	d := newDefiLlama(srv.URL, &sleeper{})
	for _, tok := range []string{"AERO", ""} {
		got, err := d.Fetcher()(ctx, Job{aero, tok}, from, to)
		if err != nil || len(got) != 5 {
			t.Fatalf("defillama %q: got %d candles, err %v; want 5", tok, len(got), err)
		}
		_, direct, _ := d.Chart(ctx, aero, from, to)
		want := direct[0].Token
		if tok != "" {
			want = tok
		}
		if got[0].Token != want || got[0].Close != direct[0].Close {
			t.Errorf("defillama %q: got %+v, want the chart's candle named %s", tok, got[0], want)
		}
	}
}

func TestRequestRun(t *testing.T) {
	_, srv := newFakeAPI(t, now, map[string]harness.Date{"BTCUSDT": day("2025-01-01")})
	f := newBinance(srv.URL, &sleeper{}).Fetcher()
	out := filepath.Join(t.TempDir(), "out.csv")
	jobs := []Job{{"BTCUSDT", "BTC"}}
	for _, tc := range []struct {
		name string
		r    Request
		err  string
	}{
		{"no out", Request{From: "2025-01-01", Jobs: jobs, NoJobs: "--symbols is required"}, "--out FILE is required"},
		{"no out, no jobs", Request{From: "bad", NoJobs: "--symbols is required"}, "--out FILE is required"},
		{"bad day", Request{Out: out, From: "bad", NoJobs: "--symbols is required"}, "--from: "},
		{"no jobs", Request{Out: out, From: "2025-01-01", NoJobs: "--symbols is required"}, "--symbols is required"},
	} {
		if err := tc.r.Run(context.Background(), f, nil); err == nil || !strings.HasPrefix(err.Error(), tc.err) {
			t.Errorf("%s: got %v, want an error starting %q", tc.name, err, tc.err)
		}
	}
	var lines []string
	r := Request{Out: out, From: "2025-03-01", To: "2025-03-10", Jobs: jobs, Now: now}
	if err := r.Run(context.Background(), f, func(p Progress) { lines = append(lines, p.String()) }); err != nil {
		t.Fatal(err)
	}
	if want := []string{"BTCUSDT: 10 candles added (2025-03-01..2025-03-10)"}; !slices.Equal(lines, want) {
		t.Errorf("got %q, want %q", lines, want)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r.To = "2025-03-20"
	err := r.Run(ctx, f, nil)
	if want := fmt.Sprintf("interrupted: %s holds every symbol completed so far; rerun the command to resume", out); err == nil || err.Error() != want {
		t.Errorf("interrupted: got %v, want %q", err, want)
	}
}
