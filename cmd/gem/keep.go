package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"gem/harness"
	"gem/ledger"
	"gem/report"
	"gem/trial"
)

func newKeepCmd() *cobra.Command {
	var path string
	cmd := &cobra.Command{
		Use:     "keep KEY",
		Short:   `Mark a trial as adopted: append its copy under the command "keep" (summarize's kept)`,
		Example: `  gem keep 3f9a0c1d2e4b5a69`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			r, repaired, err := report.Keep(path, args[0])
			if repaired {
				fmt.Fprintf(cmd.ErrOrStderr(), "gem: %s: repaired a torn last line left by an interrupted run\n", path)
			}
			if err == nil {
				fmt.Fprintf(cmd.OutOrStdout(), "kept %s: %s score=%s\n", args[0], r.Params, ledger.FormatFloat(r.Score))
			}
			return err
		},
	}
	cmd.Flags().StringVar(&path, "ledger", "results/ledger.tsv", "ledger file")
	return cmd
}

func newLedgerFindCmd() *cobra.Command {
	var path string
	var strat strategyFlags
	cmd := &cobra.Command{
		Use:     "find",
		Short:   "Say whether a configuration is already in the ledger (exit 1 when not)",
		Long:    `List the trials of the configuration of --strategy, --set, --fill and the window flags.`,
		Example: `  gem ledger find --set bull.top_n=20 --score-from 2021-01-01 --score-to 2024-12-31`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, fill, err := strat.config()
			if err != nil {
				return err
			}
			found, err := trial.Find(path, strat.spec(cfg, fill))
			for _, r := range found {
				fmt.Fprintln(cmd.OutOrStdout(), r.Line(harness.Fingerprint()))
			}
			return err
		},
	}
	strat.register(cmd.Flags())
	cmd.Flags().StringVar(&path, "ledger", "results/ledger.tsv", "ledger file")
	return cmd
}
