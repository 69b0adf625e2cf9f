package dataio

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// WriteText writes the report as gem data check prints it: a summary line,
// the last clean day when there is a coverage cliff, a table with one row
// per token, then one line per issue (severity, kind, token, dates and the
// message, prefixed with the file and line for an issue of one row) or "no
// issues".
func (r *Report) WriteText(w io.Writer) error {
	b := &strings.Builder{}
	fmt.Fprintf(b, "%s: %d rows, %d tokens, %d errors, %d warnings\n", strings.Join(r.Files, ", "), r.Rows, len(r.Tokens), r.Errors(), r.Warnings())
	if r.LastClean != 0 {
		fmt.Fprintf(b, "last clean day %s: a coverage cliff cuts off at least a quarter of the tokens trading then (see the coverage-cliff warnings); score windows past it test another universe\n", r.LastClean)
	}
	fmt.Fprintln(b)
	tw := tabwriter.NewWriter(b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "token\tfirst\tlast\trows\tclose-only\tgaps\tmissing days\twarnings\terrors")
	for _, t := range r.Tokens {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\t%d\t%d\t%d\n", t.Token, t.First, t.Last, t.Rows, t.CloseOnly, t.Gaps, t.MissingDays, t.Warnings, t.Errors)
	}
	tw.Flush()
	if len(r.Issues) == 0 {
		fmt.Fprintln(b, "\nno issues")
	} else {
		fmt.Fprintln(b, "\nissues:")
		tw = tabwriter.NewWriter(b, 0, 0, 2, ' ', 0)
		for _, is := range r.Issues {
			when := ""
			if is.Token != "" {
				when = is.From.String()
				if is.To != is.From {
					when += ".." + is.To.String()
				}
			}
			msg := is.Message
			if is.Where.File != "" && is.Token != "" {
				msg = fmt.Sprintf("%s:%d: %s", is.Where.File, is.Where.Line, msg)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", is.Severity, is.Kind, is.Token, when, msg)
		}
		tw.Flush()
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteJSON writes the report as gem data check --json prints it: its JSON
// (Report.MarshalJSON) indented by two spaces, and a newline.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// Err is the verdict as gem data check exits with it: an error counting the
// errors and warnings when there are errors, nil otherwise.
func (r *Report) Err() error {
	if n := r.Errors(); n > 0 {
		return fmt.Errorf("data check: %d errors, %d warnings", n, r.Warnings())
	}
	return nil
}
