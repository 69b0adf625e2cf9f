package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"gem/harness"
	"gem/selection"
)

func newLedgerStatsCmd() *cobra.Command {
	var sel ledgerSelection
	var opt selection.Options
	var data dataFlags
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "stats",
		Short: "Can the winner be trusted? PBO, deflated Sharpe and SPA of a group of trials",
		Long: `PBO, the deflated Sharpe ratio (of the best trial, or of --key) and SPA and reality-check
p-values against BTC+ETH of a group of comparable trials (the largest after --command and
--since, or that of --key) from their daily returns; --data when the benchmark's are missing.`,
		Example: `  gem ledger stats --command sweep --json
  gem ledger stats --key 3f2a9c1d0b4e5f60 --since 2026-03-01`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			rows, series, err := sel.read(func(s string) { fmt.Fprintf(cmd.ErrOrStderr(), "gem: %s\n", s) })
			if err != nil {
				return err
			}
			st, err := selection.Judge(cmd.Context(), rows, series, opt, func() (*harness.Panel, error) { return data.loadIf(cmd, false) })
			if err != nil {
				return err
			}
			return st.Print(cmd.OutOrStdout(), asJSON)
		},
	}
	sel.register(cmd)
	data.register(cmd.Flags())
	cmd.Flags().StringVar(&opt.Key, "key", "", "the kept configuration's trial key: its group, and the configuration the deflated Sharpe ratio judges")
	registerStatsFlags(cmd, &opt)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON object")
	return cmd
}

// registerStatsFlags registers the settings of the statistics of selection,
// defaulting to selection.DefaultOptions.
func registerStatsFlags(cmd *cobra.Command, opt *selection.Options) {
	f, def := cmd.Flags(), selection.DefaultOptions()
	f.IntVar(&opt.Blocks, "blocks", def.Blocks, "PBO: number of blocks S (even, 2 to 24)")
	f.IntVar(&opt.Draws, "draws", def.Draws, "SPA: bootstrap resamples")
	f.Float64Var(&opt.BlockLength, "block-length", def.BlockLength, "SPA: mean block length of the stationary bootstrap, days")
	f.Uint64Var(&opt.Seed, "bootstrap-seed", def.Seed, "SPA: seed of the bootstrap")
}
