package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"gem/space"
	"gem/strategy"
)

func newParamsCmd() *cobra.Command {
	var name string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "params",
		Short: "List a strategy's tunable parameters: kind, bounds, default, doc",
		Long: `List every tunable parameter of a strategy (default: the ensemble) with its
kind (int, float, log_float, bool, categorical), its valid bounds or choices,
its default, the range a search explores and a one-line doc. These names are
what --set, plan files, gem eval --stdin and the ledger use.`,
		Example: `  gem params
  gem params --strategy specialist --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := strategy.New(name)
			if err != nil {
				return err
			}
			if asJSON {
				return writeParamsJSON(cmd.OutOrStdout(), c.Space())
			}
			writeParamsTable(cmd.OutOrStdout(), c.Space())
			return nil
		},
	}
	cmd.Flags().StringVar(&name, "strategy", strategy.Names()[0], "strategy whose parameters to list")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print a JSON list of objects with name, kind, min, max, default, doc (and choices, search_min, search_max)")
	return cmd
}

// bound formats a numeric bound, or "" when unbounded.
func bound(p *space.Param, v space.Value) any {
	switch p.Kind {
	case space.Int:
		if v.I == math.MinInt64 || v.I == math.MaxInt64 {
			return nil
		}
		return v.I
	case space.Float, space.LogFloat:
		if math.IsInf(v.F, 0) {
			return nil
		}
		return v.F
	}
	return nil
}

// jsonValue is a value as JSON: a number, a boolean or a string.
func jsonValue(p *space.Param, v space.Value) any {
	switch p.Kind {
	case space.Int:
		return v.I
	case space.Float, space.LogFloat:
		return v.F
	case space.Bool:
		return v.B
	}
	return v.S
}

type paramJSON struct {
	Name      string   `json:"name"`
	Kind      string   `json:"kind"`
	Min       any      `json:"min"`
	Max       any      `json:"max"`
	Default   any      `json:"default"`
	Doc       string   `json:"doc"`
	Choices   []string `json:"choices,omitempty"`
	SearchMin any      `json:"search_min,omitempty"`
	SearchMax any      `json:"search_max,omitempty"`
}

func writeParamsJSON(w io.Writer, s *space.Space) error {
	out := make([]paramJSON, 0, s.Len())
	for i := range s.Len() {
		p := s.Param(i)
		j := paramJSON{Name: p.Name, Kind: p.Kind.String(), Min: bound(p, p.Min), Max: bound(p, p.Max),
			Default: jsonValue(p, p.Default), Doc: p.Doc, Choices: p.Choices}
		if p.Searchable() && (p.Kind == space.Int || p.Kind == space.Float || p.Kind == space.LogFloat) {
			j.SearchMin, j.SearchMax = bound(p, p.Lo), bound(p, p.Hi)
		}
		out = append(out, j)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func writeParamsTable(w io.Writer, s *space.Space) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "name\tkind\tbounds\tdefault\tsearch\tdoc")
	for i := range s.Len() {
		p := s.Param(i)
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", p.Name, p.Kind, boundsText(p), p.Format(p.Default), searchText(p), p.Doc)
	}
	tw.Flush()
}

func boundsText(p *space.Param) string {
	switch p.Kind {
	case space.Bool:
		return "true|false"
	case space.Categorical:
		return strings.Join(p.Choices, "|")
	}
	lo, hi := "-inf", "inf"
	if b := bound(p, p.Min); b != nil {
		lo = p.Format(p.Min)
	}
	if b := bound(p, p.Max); b != nil {
		hi = p.Format(p.Max)
	}
	return "[" + lo + ", " + hi + "]"
}

func searchText(p *space.Param) string {
	if !p.Searchable() {
		return "-"
	}
	if p.Kind == space.Bool || p.Kind == space.Categorical {
		return "all"
	}
	return p.Format(p.Lo) + ".." + p.Format(p.Hi)
}
