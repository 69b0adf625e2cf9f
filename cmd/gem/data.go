package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"gem/dataio"
	"gem/fetch"
)

func newDataCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "data",
		Short: "Fetch, convert and check candle files",
		Long: `Work with candle files. Every command that takes --data reads the long CSV
(token,date,open,high,low,close,volume, or the reference's token,timestamp,...; gzip
accepted), Binance kline CSV dumps (one symbol per file, the token from the file name or
--token; .zip accepted) and Parquet. A row the harness rejects (a zero or negative price,
a malformed row) stops the load naming its file and line, unless --drop-bad-rows drops it
(each reported on stderr). gem data check lists every such row, and the suspicious data
that does load (gaps, redenominations, reused tickers, depegs).`,
	}
	cmd.AddCommand(newDataFetchCmd(), newDataConvertCmd(), newDataCheckCmd())
	return cmd
}

func newDataConvertCmd() *cobra.Command {
	var data dataFlags
	var force bool
	cmd := &cobra.Command{
		Use:   "convert IN... OUT",
		Short: "Convert candle files to CSV, gzip CSV or Parquet",
		Long: `Read one or more candle files (any format gem reads) and write them as one file
in the format OUT's extension names: .parquet, .csv.gz or .csv. The universe filters
apply, so convert also cuts a universe out of a bigger file. The output is sorted by
token and date and is written atomically. An existing OUT is kept unless --force.`,
		Example: `  gem data convert ../shared/data/binance_spot_1d_panel_merged.csv.gz panel.parquet
  gem data convert BTCUSDT-1d-2024-01.csv BTCUSDT-1d-2024-02.csv btc.csv
  gem data convert --drop-bad-rows ../shared/data/coinmarketcap_usd_1d_hieulethanh_to_2020.csv cmc.parquet
  gem data convert --split-reused --tokens LUNA panel.csv.gz luna.csv`,
		Args: cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			data.paths = append(data.paths, args[:len(args)-1]...)
			wrote, err := data.source(cmd.ErrOrStderr()).Convert(args[len(args)-1], force)
			if err == nil {
				fmt.Fprintln(cmd.OutOrStdout(), wrote)
			}
			return err
		},
	}
	data.register(cmd.Flags())
	cmd.Flags().BoolVar(&force, "force", false, "overwrite OUT if it exists")
	cmd.Flags().MarkHidden("seed") // no synthetic universe: the inputs are the arguments
	cmd.Flags().MarkHidden("data")
	return cmd
}

func newDataCheckCmd() *cobra.Command {
	var src dataio.Source
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "check FILE...",
		Short: "Report gaps, jumps, reused tickers and bad values, per token",
		Long: `Check candle files (read together, as one data set) and print one line per token
(first and last date, rows, close-only rows, gaps and missing days) followed by every
issue found:

  errors (exit status 1): rows that do not parse, zero or negative prices, negative
    volumes, duplicate token-days: what the loader rejects;
  warnings (exit status 0): gaps; suspected redenominations (a close-to-close ratio
    beyond 20x either way, or beyond 5x across a trading halt); suspected ticker reuse
    (a gap of 14 days or more followed by a price 5x away from the last); US-dollar
    stablecoins closing more than 2% from 1; OHLC bars whose high or low does not
    contain the open and close.

--split-reused and --split-redenominated (on any command with --data) act on the same
rules; --drop-bad-rows loads a file with errors, dropping the rows listed here.`,
		Example: `  gem data check ../shared/data/binance_spot_1d_panel_merged.csv.gz
  gem data check --json data/*.csv | jq '.issues[] | select(.kind == "reuse")'`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			src.Paths = args
			r, err := src.Check()
			if err != nil {
				return err
			}
			if asJSON {
				err = r.WriteJSON(cmd.OutOrStdout())
			} else {
				err = r.WriteText(cmd.OutOrStdout())
			}
			if err != nil {
				return err
			}
			return r.Err()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the report as JSON")
	cmd.Flags().StringVar(&src.Format, "format", "auto", "format of the files: auto, long, binance or parquet")
	cmd.Flags().StringVar(&src.Token, "token", "", "token name for Binance kline files (default: from the file name)")
	return cmd
}

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
	binance := &cobra.Command{
		Use:   "binance --symbols BTCUSDT,ETHUSDT,... --out FILE",
		Short: "Download daily spot klines from the public Binance API",
		Long: `Download daily spot klines from Binance's public REST endpoint /api/v3/klines,
1000 candles a request. The token is the symbol without its USD-stablecoin quote
(BTCUSDT is BTC). The candle of the current UTC day is still forming and is not stored.`,
		Example: `  gem data fetch binance --symbols BTCUSDT,ETHUSDT,SOLUSDT --from 2020-01-01 --out data/binance.csv.gz`,
	}
	defillama := &cobra.Command{
		Use:   "defillama --coins coingecko:aerodrome-finance,... --out FILE",
		Short: "Download daily prices from DefiLlama's price chart API",
		Long: `Download daily prices from DefiLlama's public price chart API
(coins.llama.fi/chart/{coin}). Coins are chain:address or coingecko:id; the token is
the coin's symbol as DefiLlama gives it, or the name after "=" (coingecko:aerodrome-finance=AERO).
DefiLlama gives one price a day, so the candles are close-only: the close of a day is
the price at the midnight (UTC) that ends it.`,
		Example: `  gem data fetch defillama --coins coingecko:aerodrome-finance=AERO,coingecko:drift-protocol=DRIFT --out data/defillama.csv`,
	}
	fetchFlags(binance, "symbols", "Binance spot symbols, comma-separated (BTCUSDT,ETHUSDT,...)", "--symbols is required (BTCUSDT,ETHUSDT,...)",
		fetch.BinanceURL, "2017-07-01", fetch.BinanceJobs, func(url string) fetch.Fetcher { return (&fetch.Binance{BaseURL: url}).Fetcher() })
	fetchFlags(defillama, "coins", "DefiLlama coins, comma-separated: coingecko:ID or CHAIN:ADDRESS, each optionally =NAME", "--coins is required (coingecko:id or chain:address, comma-separated)",
		fetch.DefiLlamaURL, "2019-01-01", fetch.DefiLlamaJobs, func(url string) fetch.Fetcher { return (&fetch.DefiLlama{BaseURL: url}).Fetcher() })
	cmd.AddCommand(binance, defillama)
	return cmd
}

// fetchFlags gives a fetch subcommand its flags and runs it: list names
// what to fetch (none is the error without it), url and from are the
// defaults of --base-url and --from, and jobs and fetcher are its source's.
func fetchFlags(cmd *cobra.Command, list, listDoc, none, url, from string, jobs func([]string) []fetch.Job, fetcher func(url string) fetch.Fetcher) {
	var names []string
	r := fetch.Request{NoJobs: none}
	cmd.Args = cobra.NoArgs
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		r.Jobs = jobs(names)
		return r.Run(cmd.Context(), fetcher(url), func(p fetch.Progress) { fmt.Fprintln(cmd.ErrOrStderr(), p) })
	}
	cmd.Flags().StringSliceVar(&names, list, nil, listDoc)
	cmd.Flags().StringVar(&r.From, "from", from, "first day to fetch (YYYY-MM-DD)")
	cmd.Flags().StringVar(&r.To, "to", "", "last day to fetch (YYYY-MM-DD; default: yesterday, the last complete UTC day)")
	cmd.Flags().StringVar(&r.Out, "out", "", "candle file to create or extend (.csv, .csv.gz or .parquet)")
	cmd.Flags().StringVar(&url, "base-url", url, "API address (for a mirror, or a test server)")
}
