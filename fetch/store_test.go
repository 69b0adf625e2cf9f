package fetch

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"gem/dataio"
	"gem/harness"
)

// TestIntoResumes: a fetch into a file, killed after its first symbol, is
// resumed by rerunning it: nothing stored is fetched again, a symbol whose
// token is known starts the day after its last stored candle, and the file
// ends with every day exactly once. A later run extends it.
func TestIntoResumes(t *testing.T) {
	for _, name := range []string{"out.csv", "out.csv.gz", "out.parquet"} {
		t.Run(name, func(t *testing.T) {
			listed := map[string]harness.Date{"BTCUSDT": day("2025-06-01"), "ETHUSDT": day("2025-07-01")}
			api, srv := newFakeAPI(t, now, listed)
			b := newBinance(srv.URL, &sleeper{})
			path := filepath.Join(t.TempDir(), name)
			jobs := []Job{{"BTCUSDT", "BTC"}, {"ETHUSDT", "ETH"}}
			fetcher := func(ctx context.Context, j Job, from, to harness.Date) ([]harness.Candle, error) {
				return b.Klines(ctx, j.Name, from, to)
			}
			// The first run is "killed" during ETH: its fetcher fails.
			var log []string
			report := func(p Progress) {
				log = append(log, fmt.Sprintf("%s %s +%d %v", p.Job.Name, p.From, p.Added, p.UpToDate))
			}
			err := Into(context.Background(), path, jobs, day("2025-01-01"), day("2025-10-31"), func(ctx context.Context, j Job, from, to harness.Date) ([]harness.Candle, error) {
				if j.Token == "ETH" {
					return nil, errors.New("killed")
				}
				return fetcher(ctx, j, from, to)
			}, report)
			if err == nil || !strings.Contains(err.Error(), "ETHUSDT") {
				t.Fatalf("got %v, want an error naming ETHUSDT", err)
			}
			// Rerun: BTC is up to date, ETH is fetched.
			if err := Into(context.Background(), path, jobs, day("2025-01-01"), day("2025-10-31"), fetcher, report); err != nil {
				t.Fatal(err)
			}
			// Later: both extended from the day after their last candle.
			before := api.count()
			if err := Into(context.Background(), path, jobs, day("2025-01-01"), day("2025-11-04"), fetcher, report); err != nil {
				t.Fatal(err)
			}
			want := []string{
				"BTCUSDT 2025-01-01 +153 false", "ETHUSDT 2025-01-01 +0 false",
				"BTCUSDT 2025-11-01 +0 true", "ETHUSDT 2025-01-01 +123 false",
				"BTCUSDT 2025-11-01 +4 false", "ETHUSDT 2025-11-01 +4 false",
			}
			if strings.Join(log, "\n") != strings.Join(want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(log, "\n"), strings.Join(want, "\n"))
			}
			for _, u := range api.requests[before:] {
				if got := u.Query().Get("startTime"); got != fmt.Sprint(int64(day("2025-11-01"))*msPerDay) {
					t.Errorf("resumed request starts at %s, want 2025-11-01", got)
				}
			}
			p, err := load(path)
			if err != nil {
				t.Fatal(err)
			}
			if p.NumTokens() != 2 || p.TokenDays() != 157+127 {
				t.Errorf("file holds %d tokens and %d candles, want 2 and %d", p.NumTokens(), p.TokenDays(), 157+127)
			}
			if c, _ := p.CloseOn(p.TokenIndex("ETH"), p.NumDays()-1); c != price(day("2025-11-04")) {
				t.Errorf("ETH's last close %v, want %v", c, price(day("2025-11-04")))
			}
		})
	}
}

// TestIntoUnknownToken: a DefiLlama job named only by the answer is
// fetched in full and merged without duplicates.
func TestIntoUnknownToken(t *testing.T) {
	api, srv := newFakeAPI(t, now, map[string]harness.Date{aero: day("2025-10-01")})
	d := newDefiLlama(srv.URL, &sleeper{})
	path := filepath.Join(t.TempDir(), "llama.csv")
	fetcher := func(ctx context.Context, j Job, from, to harness.Date) ([]harness.Candle, error) {
		_, c, err := d.Chart(ctx, j.Name, from, to)
		return c, err
	}
	for range 2 {
		if err := Into(context.Background(), path, []Job{{Name: aero}}, day("2025-09-01"), day("2025-10-31"), fetcher, nil); err != nil {
			t.Fatal(err)
		}
	}
	p, err := load(path)
	if err != nil {
		t.Fatal(err)
	}
	if p.TokenDays() != 31 || p.Series[0].Token != "AERO" || api.count() != 2 {
		t.Errorf("got %d candles of %s in %d requests, want 31 of AERO in 2", p.TokenDays(), p.Series[0].Token, api.count())
	}
}

// TestIntoCancelled: an interrupt stops at once with ctx's error, keeping
// what was stored.
func TestIntoCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	path := filepath.Join(t.TempDir(), "out.csv")
	calls := 0
	err := Into(ctx, path, []Job{{"A", "A"}, {"B", "B"}, {"C", "C"}}, day("2025-01-01"), day("2025-01-02"), func(ctx context.Context, j Job, from, to harness.Date) ([]harness.Candle, error) {
		calls++
		if j.Name == "B" {
			cancel()
			return nil, ctx.Err()
		}
		return []harness.Candle{{Token: j.Token, Date: from, Open: 1, High: 1, Low: 1, Close: 1, Volume: 1}}, nil
	}, nil)
	if !errors.Is(err, context.Canceled) || calls != 2 {
		t.Errorf("got %v after %d calls, want context.Canceled after 2", err, calls)
	}
	p, err := load(path)
	if err != nil || p.NumTokens() != 1 {
		t.Errorf("file: %v, want A stored", err)
	}
}

// load reads a file of any format gem writes and builds its panel.
func load(path string) (*harness.Panel, error) {
	d, err := dataio.Read(dataio.Options{}, path)
	if err != nil {
		return nil, err
	}
	return d.Panel()
}
