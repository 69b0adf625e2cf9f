package ledger

import (
	"fmt"
	"io"
	"text/tabwriter"
	"time"
)

// Foreign returns the indices of the rows whose harness fingerprint is not
// fingerprint: trials scored by a different (edited) harness, whose scores
// are not comparable with those of the current one.
func Foreign(rows []Row, fingerprint string) []int {
	var out []int
	for i := range rows {
		if rows[i].Harness != fingerprint {
			out = append(out, i)
		}
	}
	return out
}

// Verify reads the ledger at path and writes gem ledger verify's answer
// against the current harness fingerprint: each line that is not a trusted
// row, then either that every row is the current harness's or a table of
// the others. It returns an error when the ledger does not read, or has an
// untrusted line or a foreign row.
func Verify(w io.Writer, path, current string) error {
	rows, problems, err := Read(path)
	if err != nil {
		return err
	}
	foreign := Foreign(rows, current)
	for _, p := range problems {
		fmt.Fprintf(w, "%s:%d: not a trusted row: %v\n", path, p.Line, p.Err)
	}
	if len(foreign) == 0 {
		if len(problems) > 0 {
			return fmt.Errorf("%s: %d lines are not trusted rows", path, len(problems))
		}
		fmt.Fprintf(w, "%s: all %d rows were produced by the current harness %s\n", path, len(rows), current)
		return nil
	}
	fmt.Fprintf(w, "%s: %d of %d rows were produced by a harness other than the current %s:\n\n", path, len(foreign), len(rows), current)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "row\ttime\tcommand\tstrategy\tkey\tharness\tscore")
	for _, i := range foreign {
		r := &rows[i]
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", i+1, r.Time.UTC().Format(time.RFC3339), clean(r.Command), clean(r.Strategy), r.Key(), clean(r.Harness), FormatFloat(r.Score))
	}
	tw.Flush()
	return fmt.Errorf("%s: %d rows from another harness, %d lines not trusted", path, len(foreign), len(problems))
}

// ParseSince reads a --since time: RFC 3339, or a date (midnight UTC).
func ParseSince(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("--since %q: want an RFC 3339 time (2026-03-01T22:00:00Z) or a date (2026-03-01)", s)
}

// Line writes the row on one line for a person: key, time, command, data,
// harness (marked when it is current) and score.
func (r *Row) Line(current string) string {
	mark := ""
	if r.Harness == current {
		mark = " (current harness)"
	}
	return fmt.Sprintf("%s  %s  %s  data %s  harness %s%s  score=%s", r.Key(), r.Time.UTC().Format(time.RFC3339), clean(r.Command), clean(r.Data), clean(r.Harness), mark, FormatFloat(r.Score))
}
