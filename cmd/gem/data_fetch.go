package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"gem/dataio"
	"gem/fetch"
	"gem/harness"
)

func newDataFetchCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "fetch",
		Short: "Download daily candles from Binance or DefiLlama (needs internet)",
		Long: `Download daily candles into a candle file (.csv, .csv.gz or .parquet). A fetch
resumes: what --out already holds is kept and not downloaded again, and the file is
rewritten after each symbol, so an interrupted or killed fetch loses at most the
symbol in progress. Rerun the same command to continue. Rate limits (HTTP 429) and
server errors are retried with backoff, honouring Retry-After.`,
	}
	cmd.AddCommand(newFetchBinanceCmd(), newFetchDefiLlamaCmd())
	return cmd
}

// fetchFlags are the flags both fetchers share.
type fetchFlags struct {
	from, to string
	out      string
	baseURL  string
}

func (f *fetchFlags) register(fs *pflag.FlagSet, defaultURL, defaultFrom string) {
	fs.StringVar(&f.from, "from", defaultFrom, "first day to fetch (YYYY-MM-DD)")
	fs.StringVar(&f.to, "to", "", "last day to fetch (YYYY-MM-DD; default: yesterday, the last complete UTC day)")
	fs.StringVar(&f.out, "out", "", "candle file to create or extend (.csv, .csv.gz or .parquet)")
	fs.StringVar(&f.baseURL, "base-url", defaultURL, "API address (for a mirror, or a test server)")
}

// dates parses --from and --to.
func (f *fetchFlags) dates() (from, to harness.Date, err error) {
	if f.out == "" {
		return 0, 0, errors.New("--out FILE is required")
	}
	if from, err = harness.ParseDate(f.from); err != nil {
		return 0, 0, fmt.Errorf("--from: %w", err)
	}
	if f.to == "" {
		to = harness.Date(time.Now().Unix()/86400) - 1
	} else if to, err = harness.ParseDate(f.to); err != nil {
		return 0, 0, fmt.Errorf("--to: %w", err)
	}
	if from > to {
		return 0, 0, fmt.Errorf("--from %s is after --to %s", from, to)
	}
	return from, to, nil
}

// run fetches the jobs, printing one line per job on stderr.
func (f *fetchFlags) run(ctx context.Context, stderr io.Writer, jobs []fetch.Job, from, to harness.Date, fetcher fetch.Fetcher) error {
	err := fetch.Into(ctx, f.out, jobs, from, to, fetcher, func(p fetch.Progress) {
		switch {
		case p.UpToDate:
			fmt.Fprintf(stderr, "%s: up to date\n", p.Job.Name)
		case p.Err != nil:
			fmt.Fprintf(stderr, "%s: %d candles added, then: %v\n", p.Job.Name, p.Added, p.Err)
		default:
			fmt.Fprintf(stderr, "%s: %d candles added (%s..%s)\n", p.Job.Name, p.Added, p.From, p.To)
		}
	})
	if ctx.Err() != nil {
		return fmt.Errorf("interrupted: %s holds every symbol completed so far; rerun the command to resume", f.out)
	}
	return err
}

func newFetchBinanceCmd() *cobra.Command {
	var ff fetchFlags
	var symbols []string
	b := &fetch.Binance{}
	cmd := &cobra.Command{
		Use:   "binance --symbols BTCUSDT,ETHUSDT,... --out FILE",
		Short: "Download daily spot klines from the public Binance API",
		Long: `Download daily spot klines from Binance's public REST endpoint /api/v3/klines,
1000 candles a request. The token is the symbol without its USD-stablecoin quote
(BTCUSDT is BTC). The candle of the current UTC day is still forming and is not stored.`,
		Example: `  gem data fetch binance --symbols BTCUSDT,ETHUSDT,SOLUSDT --from 2020-01-01 --out data/binance.csv.gz`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			from, to, err := ff.dates()
			if err != nil {
				return err
			}
			var jobs []fetch.Job
			for _, s := range symbols {
				s = strings.ToUpper(strings.TrimSpace(s))
				if s == "" {
					continue
				}
				token, _ := dataio.TokenFromSymbol(s)
				jobs = append(jobs, fetch.Job{Name: s, Token: token})
			}
			if len(jobs) == 0 {
				return errors.New("--symbols is required (BTCUSDT,ETHUSDT,...)")
			}
			b.BaseURL = ff.baseURL
			return ff.run(cmd.Context(), cmd.ErrOrStderr(), jobs, from, to, func(ctx context.Context, j fetch.Job, from, to harness.Date) ([]harness.Candle, error) {
				return b.Klines(ctx, j.Name, from, to)
			})
		},
	}
	cmd.Flags().StringSliceVar(&symbols, "symbols", nil, "Binance spot symbols, comma-separated (BTCUSDT,ETHUSDT,...)")
	ff.register(cmd.Flags(), fetch.BinanceURL, "2017-07-01")
	return cmd
}

func newFetchDefiLlamaCmd() *cobra.Command {
	var ff fetchFlags
	var coins []string
	d := &fetch.DefiLlama{}
	cmd := &cobra.Command{
		Use:   "defillama --coins coingecko:aerodrome-finance,... --out FILE",
		Short: "Download daily prices from DefiLlama's price chart API",
		Long: `Download daily prices from DefiLlama's public price chart API
(coins.llama.fi/chart/{coin}). Coins are chain:address or coingecko:id; the token is
the coin's symbol as DefiLlama gives it, or the name after "=" (coingecko:aerodrome-finance=AERO).
DefiLlama gives one price a day, so the candles are close-only: the close of a day is
the price at the midnight (UTC) that ends it.`,
		Example: `  gem data fetch defillama --coins coingecko:aerodrome-finance=AERO,coingecko:drift-protocol=DRIFT --out data/defillama.csv`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			from, to, err := ff.dates()
			if err != nil {
				return err
			}
			var jobs []fetch.Job
			for _, c := range coins {
				name, token, _ := strings.Cut(strings.TrimSpace(c), "=")
				if name == "" {
					continue
				}
				jobs = append(jobs, fetch.Job{Name: name, Token: strings.TrimSpace(token)})
			}
			if len(jobs) == 0 {
				return errors.New("--coins is required (coingecko:id or chain:address, comma-separated)")
			}
			d.BaseURL = ff.baseURL
			return ff.run(cmd.Context(), cmd.ErrOrStderr(), jobs, from, to, func(ctx context.Context, j fetch.Job, from, to harness.Date) ([]harness.Candle, error) {
				_, candles, err := d.Chart(ctx, j.Name, from, to)
				if j.Token != "" {
					for i := range candles {
						candles[i].Token = j.Token
					}
				}
				return candles, err
			})
		},
	}
	cmd.Flags().StringSliceVar(&coins, "coins", nil, "DefiLlama coins, comma-separated: coingecko:ID or CHAIN:ADDRESS, each optionally =NAME")
	ff.register(cmd.Flags(), fetch.DefiLlamaURL, "2019-01-01")
	return cmd
}
