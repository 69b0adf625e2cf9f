package fetch

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"gem/dataio"
	"gem/harness"
)

// Job is one series to fetch.
type Job struct {
	// Name is what the source knows it by: BTCUSDT, coingecko:aerodrome-finance.
	Name string
	// Token is the token it is stored as, when known before fetching
	// (BTCUSDT is BTC); it lets a resumed run start after the last stored
	// day. Empty means the fetcher names the candles.
	Token string
}

// Fetcher fetches one job's candles dated in [from, to].
type Fetcher func(ctx context.Context, job Job, from, to harness.Date) ([]harness.Candle, error)

// Progress reports one job's outcome to the caller of Into.
type Progress struct {
	Job      Job
	From, To harness.Date // the days asked for
	Added    int          // candles added to the file
	UpToDate bool         // nothing to fetch: the file already reaches To
	Err      error
}

// Into fetches every job's candles dated in [from, to] into the candle
// file at path (any format dataio.Write writes), resuming: what the file
// already holds is kept and not fetched again, and a job whose token is known
// starts the day after the token's last stored candle. The file is rewritten
// (atomically) after every job that added candles, so a killed run loses at
// most the job in progress. A failed job does not stop the others; Into
// returns an error naming every failed job, or ctx's error at once.
func Into(ctx context.Context, path string, jobs []Job, from, to harness.Date, fetch Fetcher, report func(Progress)) error {
	if from > to {
		return fmt.Errorf("fetch: empty date range %s..%s", from, to)
	}
	var candles []harness.Candle
	if _, err := os.Stat(path); err == nil {
		d, err := dataio.Read(dataio.Options{}, path)
		if err != nil {
			return fmt.Errorf("fetch: resuming into %s: %w", path, err)
		}
		candles = d.Candles
	} else if !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("fetch: %w", err)
	}
	type key struct {
		tok string
		day harness.Date
	}
	have := make(map[key]bool, len(candles))
	last := map[string]harness.Date{}
	for _, c := range candles {
		have[key{c.Token, c.Date}] = true
		if d, ok := last[c.Token]; !ok || c.Date > d {
			last[c.Token] = c.Date
		}
	}
	var failed []string
	for _, job := range jobs {
		if err := ctx.Err(); err != nil {
			return err
		}
		p := Progress{Job: job, From: from, To: to}
		if d, ok := last[job.Token]; ok && job.Token != "" {
			p.From = max(from, d+1)
		}
		if p.From > to {
			p.UpToDate = true
			if report != nil {
				report(p)
			}
			continue
		}
		got, err := fetch(ctx, job, p.From, to)
		if err != nil && ctx.Err() != nil {
			return ctx.Err()
		}
		for _, c := range got {
			if c.Date < p.From || c.Date > to || have[key{c.Token, c.Date}] {
				continue
			}
			have[key{c.Token, c.Date}] = true
			candles = append(candles, c)
			p.Added++
			if d, ok := last[c.Token]; !ok || c.Date > d {
				last[c.Token] = c.Date
			}
		}
		if p.Added > 0 {
			if werr := dataio.Write(path, candles); werr != nil {
				return fmt.Errorf("fetch: %w", werr)
			}
		}
		p.Err = err
		if err != nil {
			failed = append(failed, job.Name)
		}
		if report != nil {
			report(p)
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("fetch: %d of %d failed: %s", len(failed), len(jobs), strings.Join(failed, ", "))
	}
	return nil
}

func sortCandles(c []harness.Candle) {
	slices.SortFunc(c, func(a, b harness.Candle) int {
		return cmp.Or(strings.Compare(a.Token, b.Token), cmp.Compare(a.Date, b.Date))
	})
}
