package fetch

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gem/dataio"
	"gem/harness"
)

// BinanceJobs returns one job per Binance spot symbol, upper-cased and
// trimmed (empty ones skipped), each stored as the token its symbol names
// (dataio.TokenFromSymbol: BTCUSDT is BTC).
func BinanceJobs(symbols []string) []Job {
	var jobs []Job
	for _, s := range symbols {
		s = strings.ToUpper(strings.TrimSpace(s))
		if s == "" {
			continue
		}
		token, _ := dataio.TokenFromSymbol(s)
		jobs = append(jobs, Job{Name: s, Token: token})
	}
	return jobs
}

// DefiLlamaJobs returns one job per DefiLlama coin, written chain:address
// or coingecko:id and optionally followed by "=NAME", the token to store it
// as (empty ones skipped). Without a name, the coin's symbol names the
// candles.
func DefiLlamaJobs(coins []string) []Job {
	var jobs []Job
	for _, c := range coins {
		name, token, _ := strings.Cut(strings.TrimSpace(c), "=")
		if name == "" {
			continue
		}
		jobs = append(jobs, Job{Name: name, Token: strings.TrimSpace(token)})
	}
	return jobs
}

// Fetcher is Klines as a Fetcher of jobs named by their symbol.
func (b *Binance) Fetcher() Fetcher {
	return func(ctx context.Context, j Job, from, to harness.Date) ([]harness.Candle, error) {
		return b.Klines(ctx, j.Name, from, to)
	}
}

// Fetcher is Chart as a Fetcher of jobs named by their coin; a job with a
// Token renames the candles to it.
func (d *DefiLlama) Fetcher() Fetcher {
	return func(ctx context.Context, j Job, from, to harness.Date) ([]harness.Candle, error) {
		_, candles, err := d.Chart(ctx, j.Name, from, to)
		if j.Token != "" {
			for i := range candles {
				candles[i].Token = j.Token
			}
		}
		return candles, err
	}
}

// ParseDays reads the days to fetch, YYYY-MM-DD each; an empty to is the
// last complete UTC day before now. Errors name the options as gem data
// fetch's flags (--from, --to).
func ParseDays(from, to string, now time.Time) (first, last harness.Date, err error) {
	if first, err = harness.ParseDate(from); err != nil {
		return 0, 0, fmt.Errorf("--from: %w", err)
	}
	if to == "" {
		last = harness.Date(now.Unix()/86400) - 1
	} else if last, err = harness.ParseDate(to); err != nil {
		return 0, 0, fmt.Errorf("--to: %w", err)
	}
	if first > last {
		return 0, 0, fmt.Errorf("--from %s is after --to %s", first, last)
	}
	return first, last, nil
}

// String is the job's outcome in one line: "BTCUSDT: 9 candles added
// (2024-01-01..2024-01-09)", "BTCUSDT: up to date", or the candles added and
// then the error.
func (p Progress) String() string {
	switch {
	case p.UpToDate:
		return fmt.Sprintf("%s: up to date", p.Job.Name)
	case p.Err != nil:
		return fmt.Sprintf("%s: %d candles added, then: %v", p.Job.Name, p.Added, p.Err)
	}
	return fmt.Sprintf("%s: %d candles added (%s..%s)", p.Job.Name, p.Added, p.From, p.To)
}

// Request is a fetch into a file as gem data fetch's flags give it. Errors
// name an option by its flag.
type Request struct {
	// Out is the candle file to create or extend (Into); it is required.
	Out string
	// From and To are the days to fetch (ParseDays).
	From, To string
	// Jobs are the series to fetch; NoJobs is the error without any.
	Jobs   []Job
	NoJobs string
	// Now is the current time; the zero Time means time.Now.
	Now time.Time
}

// Run fetches the jobs into Out (Into), telling report each job's outcome.
// An interrupted run's error says that Out holds every job completed and
// that the same request resumes.
func (r *Request) Run(ctx context.Context, f Fetcher, report func(Progress)) error {
	if r.Out == "" {
		return errors.New("--out FILE is required")
	}
	now := r.Now
	if now.IsZero() {
		now = time.Now()
	}
	from, to, err := ParseDays(r.From, r.To, now)
	if err != nil {
		return err
	}
	if len(r.Jobs) == 0 {
		return errors.New(r.NoJobs)
	}
	err = Into(ctx, r.Out, r.Jobs, from, to, f, report)
	if ctx.Err() != nil {
		return fmt.Errorf("interrupted: %s holds every symbol completed so far; rerun the command to resume", r.Out)
	}
	return err
}
