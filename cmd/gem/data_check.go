package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"gem/dataio"
)

func newDataCheckCmd() *cobra.Command {
	var format, token string
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
			f, err := dataio.ParseFormat(format)
			if err != nil {
				return fmt.Errorf("--format: %w", err)
			}
			r, err := dataio.Check(dataio.Options{Format: f, Token: token}, args...)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if asJSON {
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				if err := enc.Encode(r); err != nil {
					return err
				}
			} else {
				writeCheckReport(out, r)
			}
			if n := r.Errors(); n > 0 {
				return fmt.Errorf("data check: %d errors, %d warnings", n, r.Warnings())
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the report as JSON")
	cmd.Flags().StringVar(&format, "format", "auto", "format of the files: auto, long, binance or parquet")
	cmd.Flags().StringVar(&token, "token", "", "token name for Binance kline files (default: from the file name)")
	return cmd
}

// writeCheckReport prints the per-token table and the issues.
func writeCheckReport(w io.Writer, r *dataio.Report) {
	fmt.Fprintf(w, "%s: %d rows, %d tokens, %d errors, %d warnings\n", strings.Join(r.Files, ", "), r.Rows, len(r.Tokens), r.Errors(), r.Warnings())
	if r.LastClean != 0 {
		fmt.Fprintf(w, "last clean day %s: a coverage cliff cuts off at least a quarter of the tokens trading then (see the coverage-cliff warnings); score windows past it test another universe\n", r.LastClean)
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "token\tfirst\tlast\trows\tclose-only\tgaps\tmissing days\twarnings\terrors")
	for _, t := range r.Tokens {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\t%d\t%d\t%d\n", t.Token, t.First, t.Last, t.Rows, t.CloseOnly, t.Gaps, t.MissingDays, t.Warnings, t.Errors)
	}
	tw.Flush()
	if len(r.Issues) == 0 {
		fmt.Fprintln(w, "\nno issues")
		return
	}
	fmt.Fprintln(w, "\nissues:")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, is := range r.Issues {
		when := ""
		if is.Token != "" {
			when = is.From.String()
			if is.To != is.From {
				when += ".." + is.To.String()
			}
		}
		msg := is.Message
		if is.Where.File != "" && is.Token != "" {
			msg = fmt.Sprintf("%s:%d: %s", is.Where.File, is.Where.Line, msg)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", is.Severity, is.Kind, is.Token, when, msg)
	}
	tw.Flush()
}
