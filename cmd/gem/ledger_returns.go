package main

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"gem/harness"
	"gem/ledger"
)

// ledgerSelection chooses rows of a ledger: --ledger, --command, --since.
type ledgerSelection struct {
	path, command, since string
}

func (s *ledgerSelection) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&s.path, "ledger", "results/ledger.tsv", "ledger file (its trials' daily returns are read from the .returns file beside it)")
	cmd.Flags().StringVar(&s.command, "command", "", "only trials recorded by this command (eval, run, sweep, search, compare ...)")
	cmd.Flags().StringVar(&s.since, "since", "", "only trials recorded at or after this time (RFC 3339, or YYYY-MM-DD in UTC)")
}

// read returns the selected rows in ledger order and the latest series of
// every key in the returns file beside the ledger. Unreadable rows and
// records are reported on warn.
func (s *ledgerSelection) read(warn func(string)) ([]ledger.Row, map[string]*ledger.Series, error) {
	rows, problems, err := ledger.Read(s.path)
	if err != nil {
		return nil, nil, err
	}
	if len(problems) > 0 {
		warn(fmt.Sprintf("%s: %d lines are not trusted rows and were skipped (gem ledger verify lists them)", s.path, len(problems)))
	}
	if s.since != "" {
		t, err := parseSince(s.since)
		if err != nil {
			return nil, nil, err
		}
		rows = slices.DeleteFunc(rows, func(r ledger.Row) bool { return r.Time.Before(t) })
	}
	if s.command != "" {
		rows = slices.DeleteFunc(rows, func(r ledger.Row) bool { return r.Command != s.command })
	}
	rpath := ledger.ReturnsPath(s.path)
	list, rproblems, err := ledger.ReadReturns(rpath)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil, fmt.Errorf("%s: no returns file beside the ledger (trials keep their daily returns since gem recorded them there)", rpath)
	}
	if err != nil {
		return nil, nil, err
	}
	for _, p := range rproblems {
		warn(fmt.Sprintf("%s: record at byte %d skipped: %v", rpath, p.Offset, p.Err))
	}
	series := make(map[string]*ledger.Series, len(list))
	for i := range list {
		series[list[i].Key] = &list[i]
	}
	return rows, series, nil
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
			warn := func(s string) { fmt.Fprintf(cmd.ErrOrStderr(), "gem: %s\n", s) }
			rows, series, err := sel.read(warn)
			if err != nil {
				return err
			}
			var cols []*ledger.Series
			seen := map[string]bool{}
			missing := 0
			for _, r := range rows {
				k := r.Key()
				if seen[k] {
					continue
				}
				seen[k] = true
				if s := series[k]; s != nil {
					cols = append(cols, s)
				} else {
					missing++
				}
			}
			if missing > 0 {
				warn(fmt.Sprintf("%d trials have no daily returns in %s and are left out", missing, ledger.ReturnsPath(sel.path)))
			}
			if err := writeReturnsCSV(out, cols); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: %d trials\n", out, len(cols))
			return nil
		},
	}
	sel.register(cmd)
	cmd.Flags().StringVar(&out, "out", "", "CSV file to write")
	return cmd
}

// writeReturnsCSV writes the series side by side on the union of their
// days.
func writeReturnsCSV(path string, cols []*ledger.Series) error {
	var days []harness.Date
	for _, s := range cols {
		days = append(days, s.Days...)
	}
	slices.Sort(days)
	days = slices.Compact(days)
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	head := []string{"date"}
	for _, s := range cols {
		head = append(head, s.Key)
	}
	fmt.Fprintln(w, strings.Join(head, ","))
	next := make([]int, len(cols)) // each series' next day, walked in step
	cells := make([]string, len(cols)+1)
	for _, d := range days {
		cells[0] = d.String()
		for j, s := range cols {
			cells[j+1] = ""
			if next[j] < len(s.Days) && s.Days[next[j]] == d {
				cells[j+1] = ledger.FormatFloat(s.Returns[next[j]])
				next[j]++
			}
		}
		fmt.Fprintln(w, strings.Join(cells, ","))
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
