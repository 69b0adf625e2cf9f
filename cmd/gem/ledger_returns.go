package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"gem/ledger"
)

// ledgerSelection chooses rows of a ledger: --ledger, --command, --since.
type ledgerSelection struct{ ledger.Selection }

func (s *ledgerSelection) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&s.Path, "ledger", "results/ledger.tsv", "ledger file (its trials' daily returns are read from the .returns file beside it)")
	cmd.Flags().StringVar(&s.Command, "command", "", "only trials recorded by this command (eval, run, sweep, search, compare ...)")
	cmd.Flags().StringVar(&s.Since, "since", "", "only trials recorded at or after this time (RFC 3339, or YYYY-MM-DD in UTC)")
}

// read returns the selected rows in ledger order and the latest series of
// every key in the returns file beside the ledger (ledger.Selection.Read).
func (s *ledgerSelection) read(warn func(string)) ([]ledger.Row, map[string]*ledger.Series, error) {
	return s.Read(warn)
}

func newLedgerReturnsCmd() *cobra.Command {
	var sel ledgerSelection
	var out string
	cmd := &cobra.Command{
		Use:   "returns",
		Short: "Export the trials' daily returns as CSV (one column per trial key)",
		Long: `Write the daily returns of the ledger's trials (of their base runs, as kept
in the .returns file beside the ledger) to a CSV file: the first column the
date, then one column per trial key in ledger order (a key recorded twice
once), one row per day of any trial; a cell is empty where that trial has no
value. The return on a day is the change of the portfolio's value from the
previous day's snapshot, v_d/v_(d-1) - 1. Trials recorded without returns are
left out and counted on stderr.`,
		Example: `  gem ledger returns --out results/returns.csv
  gem ledger returns --ledger results/ledger.tsv --command sweep --out sweep.csv`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out == "" {
				return errors.New("ledger returns needs --out FILE.csv")
			}
			n, err := sel.ExportReturns(out, func(s string) { fmt.Fprintf(cmd.ErrOrStderr(), "gem: %s\n", s) })
			if err == nil {
				fmt.Fprintf(cmd.OutOrStdout(), "%s: %d trials\n", out, n)
			}
			return err
		},
	}
	sel.register(cmd)
	cmd.Flags().StringVar(&out, "out", "", "CSV file to write")
	return cmd
}
