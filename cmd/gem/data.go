package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"gem/dataio"
)

func newDataCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "data",
		Short: "Fetch, convert and check candle files",
		Long: `Work with candle files. gem reads the long CSV (token,date,open,high,low,close,volume,
or the reference's token,timestamp,...; gzip accepted), Binance kline CSV dumps (one
symbol per file, the token taken from the file name or --token; .zip accepted) and
Parquet, in every command that takes --data.

A file the harness rejects (a zero or negative price, a malformed row) stops with an
error naming the file and line. To load it anyway, pass --drop-bad-rows: every dropped
row is reported on stderr. gem data check lists every such row, and the suspicious
data that does load (gaps, redenominations, reused tickers, depegs).`,
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
			out := args[len(args)-1]
			if _, err := os.Stat(out); err == nil && !force {
				return fmt.Errorf("%s exists (pass --force to overwrite it)", out)
			}
			d, what, err := data.read(cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			p, err := d.Panel() // the output must load
			if err != nil {
				return err
			}
			if err := dataio.Write(out, d.Candles); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s\nwrote %d candles of %d tokens (%s..%s) to %s (%s)\n", what, len(d.Candles), p.NumTokens(), p.Dates[0], p.Dates[p.NumDays()-1], out, dataio.OutputFormat(out))
			return nil
		},
	}
	data.register(cmd.Flags())
	cmd.Flags().BoolVar(&force, "force", false, "overwrite OUT if it exists")
	cmd.Flags().MarkHidden("seed") // no synthetic universe: the inputs are the arguments
	cmd.Flags().MarkHidden("data")
	return cmd
}
