package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"gem/harness"
	"gem/ledger"
	"gem/report"
	"gem/strategy"
	"gem/trial"
)

func newKeepCmd() *cobra.Command {
	var path string
	cmd := &cobra.Command{
		Use:   "keep KEY",
		Short: "Mark a ledger trial as the adopted configuration",
		Long: `Append to the ledger a copy of the trial with this key (the key column; gem
eval --json prints it) under the command "keep": the configuration the
research loop adopted. gem ledger summarize then counts as kept exactly these
trials, so the shutdown report's tables agree with the agent's commits.`,
		Example: `  gem keep 3f9a0c1d2e4b5a69`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			rows, _, err := ledger.Read(path)
			if err != nil {
				return err
			}
			var found *ledger.Row
			for i := range rows {
				if rows[i].Key() == args[0] && rows[i].Command != report.KeepCommand {
					found = &rows[i]
				}
			}
			if found == nil {
				return fmt.Errorf("%s: no trial with key %q", path, args[0])
			}
			lg, err := (&ledgerFlags{path: path}).open(cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			defer lg.Close()
			r := *found
			r.Command, r.Time = report.KeepCommand, time.Now()
			if err := lg.Append(&r); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "kept %s: %s score=%s\n", args[0], r.Params, ledger.FormatFloat(r.Score))
			return nil
		},
	}
	cmd.Flags().StringVar(&path, "ledger", "results/ledger.tsv", "ledger file")
	return cmd
}

func newLedgerFindCmd() *cobra.Command {
	var path string
	var strat strategyFlags
	cmd := &cobra.Command{
		Use:   "find",
		Short: "Say whether a configuration is already in the ledger",
		Long: `Look up the configuration that --strategy, --set, --fill and the scoring window
flags describe (every other parameter at its default) among the ledger's
trials, whatever data or harness they ran on, and list each match with its
key, data, harness (marked when it is the current one) and score. Exits 1
when there is none, like grep.`,
		Example: `  gem ledger find --set bull.top_n=20 --score-from 2021-01-01 --score-to 2024-12-31`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, fill, err := strat.config()
			if err != nil {
				return err
			}
			want := strat.spec(cfg, fill)
			rows, _, err := ledger.Read(path)
			if err != nil {
				return err
			}
			w, n := cmd.OutOrStdout(), 0
			for i := range rows {
				r := &rows[i]
				s, err := trial.ParseSpec(r.Strategy, r.Fill, r.Window, r.Params)
				if err != nil || s.Strategy != want.Strategy || s.Fill != want.Fill || s.Window != want.Window || !s.Params.Equal(want.Params) {
					continue
				}
				current := ""
				if r.Harness == harness.Fingerprint() {
					current = " (current harness)"
				}
				fmt.Fprintf(w, "%s  %s  %s  data %s  harness %s%s  score=%s\n", r.Key(), r.Time.UTC().Format(time.RFC3339), r.Command, r.Data, r.Harness, current, ledger.FormatFloat(r.Score))
				n++
			}
			if n == 0 {
				return fmt.Errorf("%s: not in the ledger: %s", path, describeChanges(strategy.Assign(cfg)))
			}
			return nil
		},
	}
	strat.register(cmd.Flags())
	cmd.Flags().StringVar(&path, "ledger", "results/ledger.tsv", "ledger file")
	return cmd
}
