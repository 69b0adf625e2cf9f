package main

import (
	"github.com/spf13/cobra"

	"gem/render"
	"gem/strategy"
)

func newParamsCmd() *cobra.Command {
	var name string
	var asJSON bool
	cmd := command("params", "List a strategy's tunable parameters: kind, bounds, default, doc",
		`List every tunable parameter of a strategy (default: the ensemble) with its
kind (int, float, log_float, bool, categorical), its valid bounds or choices,
its default, the range a search explores and a one-line doc. These names are
what --set, plan files, gem eval --stdin and the ledger use.`,
		`  gem params
  gem params --strategy specialist --json`)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		c, err := strategy.New(name)
		if err != nil {
			return err
		}
		return render.Printer{W: cmd.OutOrStdout(), JSON: asJSON}.Params(c.Space())
	}
	cmd.Flags().StringVar(&name, "strategy", strategy.Names()[0], "strategy whose parameters to list")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print a JSON list of objects with name, kind, min, max, default, doc (and choices, values, search_min, search_max)")
	return cmd
}
