package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"gem/harness"
	"gem/strategy"
	"gem/trial"
)

func newBenchCmd() *cobra.Command {
	var data dataFlags
	var golden string
	var cold, warm int
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Measure load and evaluation speed, and peak memory",
		Long: `Measure how fast gem loads data and evaluates configurations on this machine:
the panel load, the ensemble's evaluation (base + stress) cold (a fresh cache:
every fit and regime posterior computed) and warm (fits and posteriors cached
from an earlier configuration in the same process), and the GEM specialist in
reference mode on the golden datasets beside the reference's own timings.
Each figure is the median of several runs. Prints evaluations/s, token-days/s
(token-days of the panel per second, base and stress counted), allocations
per evaluation and the process's peak resident memory.`,
		Example: `  gem bench
  gem bench --data ../shared/data/binance_spot_1d_panel_merged.csv.gz`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			w := cmd.OutOrStdout()
			ctx := cmd.Context()
			loads := make([]time.Duration, 0, 3)
			var p *harness.Panel
			var desc string
			for range 3 {
				start := time.Now()
				var err error
				if p, desc, err = data.load(cmd.ErrOrStderr()); err != nil {
					return err
				}
				loads = append(loads, time.Since(start))
			}
			fmt.Fprintf(w, "%s\nGOMAXPROCS %d, %s\n\n", desc, runtime.GOMAXPROCS(0), runtime.Version())
			tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
			fmt.Fprintf(tw, "what\truns\tmedian\tevals/s\ttoken-days/s\tallocs/eval\t\n")
			fmt.Fprintf(tw, "load panel\t%d\t%s\t\t%.3g\t\t\n", len(loads), ms(trial.Median(loads)), float64(p.TokenDays())/trial.Median(loads).Seconds())
			ens, _ := strategy.New("ensemble")
			for _, c := range []struct {
				name string
				runs int
				warm bool
			}{{"ensemble cold", cold, false}, {"ensemble warm", warm, true}} {
				t, err := trial.Measure(ctx, p, ens, harness.Causal, c.runs, c.warm)
				if err != nil {
					return err
				}
				benchRow(tw, c.name, t)
			}
			spec, _ := strategy.New("specialist")
			for _, g := range []struct {
				name, file string
				ref        float64 // the reference's median seconds per evaluate (golden README)
				runs       int
			}{{"specialist safehaven_2022", "safehaven_2022.csv", 0.911, 50}, {"specialist majors_2022_2023", "majors_2022_2023.csv", 14.98, 10}} {
				path := filepath.Join(golden, g.file)
				if _, err := os.Stat(path); err != nil {
					fmt.Fprintf(tw, "%s\tskipped: %s not found\t\t\t\t\t\n", g.name, path)
					continue
				}
				gp, err := harness.LoadFiles(path)
				if err != nil {
					return err
				}
				// Warm reuses the fits of an earlier configuration with the same
				// fit window, as a sweep does.
				for _, warm := range []bool{false, true} {
					t, err := trial.Measure(ctx, gp, spec, harness.Reference, g.runs, warm)
					if err != nil {
						return err
					}
					kind := map[bool]string{false: "cold", true: "warm"}[warm]
					benchRow(tw, fmt.Sprintf("%s %s (reference %.3g s: %.0fx)", g.name, kind, g.ref, g.ref/t.Median.Seconds()), t)
				}
			}
			tw.Flush()
			fmt.Fprintf(w, "\npeak RSS %.0f MiB\n", peakRSS())
			return nil
		},
	}
	data.register(cmd.Flags())
	cmd.Flags().StringVar(&golden, "golden", "../shared/golden", "directory of the reference's golden datasets")
	cmd.Flags().IntVar(&cold, "cold", 3, "cold ensemble evaluations")
	cmd.Flags().IntVar(&warm, "warm", 10, "warm ensemble evaluations")
	return cmd
}

func benchRow(w io.Writer, name string, t trial.Timing) {
	fmt.Fprintf(w, "%s\t%d\t%s\t%.3g\t%.3g\t%.0f\t\n", name, t.Runs, ms(t.Median), t.EvalsPerSecond(), t.TokenDaysPerSecond(), t.Allocs)
}

func ms(d time.Duration) string { return fmt.Sprintf("%.3f ms", float64(d.Microseconds())/1000) }

// peakRSS is the process's peak resident set, in MiB.
func peakRSS() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Maxrss) / 1024 // kilobytes on Linux
}
