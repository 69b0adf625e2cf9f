package lookahead

import (
	"fmt"
	"io"
	"strings"

	"gem/harness"
)

// WriteText writes the report as gem check lookahead prints it: the sampled
// days, one line per leak (the decision that changed, before and after),
// and the verdict: PASS, KNOWN LEAK (reference fills, same-close leaks
// only) or FAIL.
func (r *Report) WriteText(w io.Writer) error {
	b := &strings.Builder{}
	var sampled []string
	for _, d := range r.Days {
		sampled = append(sampled, r.Dates[d].String())
	}
	fmt.Fprintf(b, "perturbed every candle from day t on, for %d days t: %s\n", len(r.Days), strings.Join(sampled, " "))
	for _, l := range r.Leaks {
		fmt.Fprintf(b, "  t=%s: the decision filled on %s changed: was %s, now %s", r.Dates[l.T], r.Dates[l.Day], r.describe(l.Want), r.describe(l.Got))
		if l.SameClose {
			fmt.Fprint(b, " (unchanged when perturbing from t+1: same-close)")
		}
		fmt.Fprintln(b)
	}
	switch {
	case r.Clean() && r.Fill == harness.Reference:
		fmt.Fprintln(b, "PASS on the sampled days: no decision changed, though reference fills do see day t's close when they decide; sample more days (--days) to see that leak")
	case r.Clean():
		fmt.Fprintf(b, "PASS: no decision filled on or before t changed (%s fills)\n", r.Fill)
	case r.KnownLeakOnly():
		fmt.Fprintf(b, "KNOWN LEAK: with reference fills the decision filled at day t's close sees that close (the reference's same-close look-ahead, %d of %d days); nothing looks further ahead. Use --fill causal for honest numbers.\n", len(r.Leaks), len(r.Days))
	default:
		fmt.Fprintf(b, "FAIL: decisions depend on data from their fill day or later on %d of %d sampled days\n", len(r.Leaks), len(r.Days))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// Err is the verdict as an error: nil when the check passed or found only
// the reference fill mode's same-close leak, an error counting the leaks
// otherwise.
func (r *Report) Err() error {
	if r.Clean() || r.KnownLeakOnly() {
		return nil
	}
	return fmt.Errorf("look-ahead: %d of %d sampled days leaked (%s fills)", len(r.Leaks), len(r.Days), r.Fill)
}

// describe is a rebalance's targets in a few words: at most five
// token:weight pairs, "rebalance to cash", or "no rebalance" for nil.
func (r *Report) describe(rb *harness.Rebalance) string {
	if rb == nil {
		return "no rebalance"
	}
	if len(rb.Targets) == 0 {
		return "rebalance to cash"
	}
	var parts []string
	for i, t := range rb.Targets {
		if i == 5 {
			parts = append(parts, fmt.Sprintf("... (%d targets)", len(rb.Targets)))
			break
		}
		parts = append(parts, fmt.Sprintf("%s:%.4f", r.Tokens[t.Token], t.Weight))
	}
	return "rebalance to " + strings.Join(parts, " ")
}
