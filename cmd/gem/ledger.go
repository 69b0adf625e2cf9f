package main

import (
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"gem/harness"
	"gem/ledger"
	"gem/report"
)

func newLedgerCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "ledger",
		Short: "Summarize, verify, export or test the ledger of trials",
		Long: `Read the ledger of trials: summarize drafts the tables of the shutdown report
that program.md asks for; verify checks that every row was produced by the
current harness; returns exports the trials' daily returns as CSV; stats
computes the statistics of selection (PBO, deflated Sharpe, SPA) of a group
of trials.`,
	}
	cmd.AddCommand(newLedgerSummarizeCmd(), newLedgerVerifyCmd(), newLedgerFindCmd(), newLedgerReturnsCmd(), newLedgerStatsCmd())
	return cmd
}

func newLedgerSummarizeCmd() *cobra.Command {
	var path, since string
	cmd := &cobra.Command{
		Use:   "summarize",
		Short: "Draft the shutdown report's tables from the ledger (markdown)",
		Long: `Print, as markdown, the tables of the shutdown report that program.md asks
for, for each group of comparable trials (same strategy, fill mode, data and
harness). Trials are read in ledger order as the keep-or-revert loop: a trial
is kept when its score beats the best before it, discarded otherwise; the
group's first trial is the baseline. Per group: the trial counts per command,
the rejected, kept and discarded counts, the score from baseline to best, the
runtime; per parameter that a trial changed: the values tried, the winner,
the score before and after and the delta; and the kept experiments.`,
		Example: `  gem ledger summarize
  gem ledger summarize --ledger results/ledger.tsv --since 2026-03-01T22:00:00Z > report.md`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			rows, _, err := ledger.Read(path)
			if err != nil {
				return err
			}
			if since != "" {
				t, err := parseSince(since)
				if err != nil {
					return err
				}
				kept := rows[:0]
				for _, r := range rows {
					if !r.Time.Before(t) {
						kept = append(kept, r)
					}
				}
				rows = kept
			}
			return report.WriteSummary(cmd.OutOrStdout(), report.Summarize(rows),
				report.SummaryOptions{Ledger: path, Harness: harness.Fingerprint()})
		},
	}
	cmd.Flags().StringVar(&path, "ledger", "results/ledger.tsv", "ledger file")
	cmd.Flags().StringVar(&since, "since", "", "only trials recorded at or after this time (RFC 3339, or YYYY-MM-DD in UTC)")
	return cmd
}

// parseSince reads an RFC 3339 time or a date.
func parseSince(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("--since %q: want an RFC 3339 time (2026-03-01T22:00:00Z) or a date (2026-03-01)", s)
}

func newLedgerVerifyCmd() *cobra.Command {
	var path string
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "List the ledger rows produced by a harness other than the current one",
		Long: `Check every row's harness fingerprint against the current harness's
(a hash of the harness source), and every row's checksum against its
contents. Rows produced by an edited harness, and rows that fail their
checksum or do not parse (edited by hand, forged, torn), are listed and the
command exits with status 1: their scores are not comparable with the current
harness's, or not to be trusted.`,
		Example: `  gem ledger verify
  gem ledger verify --ledger results/ledger.tsv`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			rows, problems, err := ledger.Read(path)
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			current := harness.Fingerprint()
			foreign := ledger.Foreign(rows, current)
			for _, p := range problems {
				fmt.Fprintf(w, "%s:%d: not a trusted row: %v\n", path, p.Line, p.Err)
			}
			if len(problems) > 0 && len(foreign) == 0 {
				return fmt.Errorf("%s: %d lines are not trusted rows", path, len(problems))
			}
			if len(foreign) == 0 {
				fmt.Fprintf(w, "%s: all %d rows were produced by the current harness %s\n", path, len(rows), current)
				return nil
			}
			fmt.Fprintf(w, "%s: %d of %d rows were produced by a harness other than the current %s:\n\n", path, len(foreign), len(rows), current)
			tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "row\ttime\tcommand\tstrategy\tkey\tharness\tscore")
			for _, i := range foreign {
				r := &rows[i]
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", i+1, r.Time.UTC().Format(time.RFC3339), r.Command, r.Strategy, r.Key(), r.Harness, ledger.FormatFloat(r.Score))
			}
			tw.Flush()
			return fmt.Errorf("%s: %d rows from another harness, %d lines not trusted", path, len(foreign), len(problems))
		},
	}
	cmd.Flags().StringVar(&path, "ledger", "results/ledger.tsv", "ledger file")
	return cmd
}
