package render

import (
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"

	"gem/space"
)

// Params writes the parameters of s as a table, one row per parameter: its
// name, kind, valid bounds or choices, default, search range and doc.
func Params(w io.Writer, s *space.Space) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "name\tkind\tbounds\tdefault\tsearch\tdoc")
	for _, p := range s.Params() {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", p.Name, p.Kind, p.BoundsText(), p.Format(p.Default), p.SearchText(), p.Doc)
	}
	return tw.Flush()
}

// Params writes the parameters of s: as the space's JSON list (indented)
// or as the table Params writes.
func (pr Printer) Params(s *space.Space) error {
	if pr.JSON {
		enc := json.NewEncoder(pr.W)
		enc.SetIndent("", "  ")
		return enc.Encode(s)
	}
	return Params(pr.W, s)
}
