package render

import (
	"fmt"
	"io"
	"runtime"
	"text/tabwriter"
	"time"

	"gem/trial"
)

// Bench writes gem bench's table of s under its data's description and the
// machine's GOMAXPROCS and Go version: per row the runs, the median time,
// evaluations/s, token-days/s (base and stress counted), allocations per
// evaluation and, beside a golden dataset, the reference's time and how many
// times faster; then the peak resident memory peakMiB.
func Bench(w io.Writer, s *trial.Suite, peakMiB float64) {
	fmt.Fprintf(w, "%s\nGOMAXPROCS %d, %s\n\n", s.Desc, runtime.GOMAXPROCS(0), runtime.Version())
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "what\truns\tmedian\tevals/s\ttoken-days/s\tallocs/eval\t\n")
	load := trial.Median(s.Loads)
	fmt.Fprintf(tw, "load panel\t%d\t%s\t\t%.3g\t\t\n", len(s.Loads), ms(load), float64(s.TokenDays)/load.Seconds())
	for _, r := range s.Rows {
		name, t := r.Name, r.Timing
		switch {
		case r.Missing != "":
			fmt.Fprintf(tw, "%s\tskipped: %s not found\t\t\t\t\t\n", r.Name, r.Missing)
			continue
		case r.Ref > 0:
			name = fmt.Sprintf("%s (reference %.3g s: %.0fx)", name, r.Ref, r.Ref/t.Median.Seconds())
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%.3g\t%.3g\t%.0f\t\n", name, t.Runs, ms(t.Median), t.EvalsPerSecond(), t.TokenDaysPerSecond(), t.Allocs)
	}
	tw.Flush()
	fmt.Fprintf(w, "\npeak RSS %.0f MiB\n", peakMiB)
}

// ms writes d in milliseconds with three decimals.
func ms(d time.Duration) string { return fmt.Sprintf("%.3f ms", float64(d.Microseconds())/1000) }
