package main

import (
	"github.com/spf13/cobra"

	"gem/harness"
	"gem/render"
	"gem/trial"
)

func newBenchCmd() *cobra.Command {
	var data dataFlags
	var golden string
	var cold, warm int
	cmd := command("bench", "Measure load and evaluation speed, and peak memory",
		`Measure how fast gem loads data and evaluates configurations on this machine:
the panel load, the ensemble's evaluation (base + stress) cold (a fresh cache:
every fit and regime posterior computed) and warm (fits and posteriors cached
from an earlier configuration in the same process), and the GEM specialist in
reference mode on the golden datasets beside the reference's own timings.
Each figure is the median of several runs (token-days/s: of the panel, base
and stress runs counted); then the process's peak resident memory.`,
		`  gem bench
  gem bench --data ../shared/data/binance_spot_1d_panel_merged.csv.gz`)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		load := func() (*harness.Panel, string, error) { return data.load(cmd.ErrOrStderr()) }
		s, err := trial.RunSuite(cmd.Context(), load, golden, cold, warm)
		if err != nil {
			return err
		}
		render.Bench(cmd.OutOrStdout(), s, trial.PeakRSS())
		return nil
	}
	data.register(cmd.Flags())
	cmd.Flags().StringVar(&golden, "golden", "../shared/golden", "directory of the reference's golden datasets")
	cmd.Flags().IntVar(&cold, "cold", 3, "cold ensemble evaluations")
	cmd.Flags().IntVar(&warm, "warm", 10, "warm ensemble evaluations")
	return cmd
}
