package main

import (
	"time"

	"github.com/spf13/cobra"

	"gem/harness"
	"gem/ledger"
	"gem/selection"
)

func newLedgerCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "ledger",
		Short: "Summarize, verify, search, export or test the ledger of trials",
	}
	cmd.AddCommand(newLedgerSummarizeCmd(), newLedgerVerifyCmd(), newLedgerFindCmd(), newLedgerReturnsCmd(), newLedgerStatsCmd())
	return cmd
}

func newLedgerSummarizeCmd() *cobra.Command {
	var opt selection.DraftOptions
	var data dataFlags
	cmd := &cobra.Command{
		Use:   "summarize",
		Short: "Draft the shutdown report program.md asks for (markdown)",
		Long: `Print program.md's shutdown report for the group of the last gem keep mark: trials, kept
changes beside their commits since --since, probes per parameter (hmm.seed-only trials are
noise), seed spread, gem ledger stats of the session and of the kept configuration, and with
the data flags and --holdout-from/--holdout-to the warm hold-out beside BTC+ETH (not recorded).`,
		Example: `  gem ledger summarize --since $START $DATA --holdout-from 2025-01-01 --holdout-to 2025-06-12`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opt.Load = func() (*harness.Panel, error) { return data.loadIf(cmd, opt.HoldoutFrom+opt.HoldoutTo != "") }
			d, err := selection.Draft(cmd.Context(), opt)
			if err == nil {
				err = d.Write(cmd.OutOrStdout())
			}
			return err
		},
	}
	f := cmd.Flags()
	f.StringVar(&opt.Ledger, "ledger", "results/ledger.tsv", "ledger file (the daily returns are read from the .returns file beside it)")
	f.StringVar(&opt.Since, "since", "", "the session's start: only trials recorded at or after it (RFC 3339, or YYYY-MM-DD in UTC)")
	f.StringVar(&opt.Git, "git", ".", `the repository whose commits since --since pair with the keep marks ("" for none)`)
	f.StringVar(&opt.HoldoutFrom, "holdout-from", "", "the hold-out's first day (YYYY-MM-DD), on the data of the flags")
	f.StringVar(&opt.HoldoutTo, "holdout-to", "", "the hold-out's last day (YYYY-MM-DD)")
	data.register(f)
	registerStatsFlags(cmd, &opt.Stats)
	return cmd
}

// parseSince reads a --since time.
func parseSince(s string) (time.Time, error) { return ledger.ParseSince(s) }

// loadIf loads the panel of the data flags when --data was given or want
// holds; nil otherwise.
func (d *dataFlags) loadIf(cmd *cobra.Command, want bool) (*harness.Panel, error) {
	if !want && !cmd.Flags().Changed("data") {
		return nil, nil
	}
	p, _, err := d.load(cmd.ErrOrStderr())
	return p, err
}

func newLedgerVerifyCmd() *cobra.Command {
	var path string
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "List the rows of another harness and those failing their checksum (exit 1 if any)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return ledger.Verify(cmd.OutOrStdout(), path, harness.Fingerprint())
		},
	}
	cmd.Flags().StringVar(&path, "ledger", "results/ledger.tsv", "ledger file")
	return cmd
}
