// Command gem is the research engine for crypto momentum portfolios: it
// backtests strategies on daily candles with a harness the strategies cannot
// touch, scores them with one scalar, and records every trial in a ledger.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"gem/progress"
	"github.com/spf13/cobra"
)

// exitInterrupted is the exit status of a command stopped by an interrupt
// (128 + SIGINT, as a shell reports it).
const exitInterrupted = 130

// main runs gem, stopping it on SIGINT or SIGTERM: the first cancels the
// command's context (a command stops after the trials in flight, which are
// recorded), a second exits at once. Either way the status is 130, and the
// ledger stays whole: each row is written with one write call.
func main() {
	ctx, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-sigs
		fmt.Fprintln(os.Stderr, "gem: interrupted: stopping after the trials in flight (interrupt again to stop at once)")
		cancel()
		<-sigs
		fmt.Fprintln(os.Stderr, "gem: interrupted again: stopping now")
		os.Exit(exitInterrupted)
	}()
	os.Exit(Run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// Run executes the gem command line args and returns the exit status: 0 on
// success, 130 when ctx was cancelled (an interrupt), 1 on any other error
// (printed to stderr as "gem: ...").
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	root := &cobra.Command{
		Use:   "gem",
		Short: "Research engine for crypto momentum portfolio strategies",
		Long: `gem backtests momentum portfolio strategies on daily candles, scores each
configuration with one scalar, and records every trial in an append-only ledger.

The harness (data, causal walk-forward backtest, fees of 0.30% per buy and per
sell, a 1.5x fee-stress run, metrics and the score) is fixed; strategies are
the modifiable interior. With no --data, gem runs on a built-in synthetic
universe, so every command works on a fresh clone. Commands that run many
trials print and record the same whatever --workers; an interrupt (Ctrl-C)
stops them after the trials in flight (exit 130); --resume skips the trials
the ledger already has with the same harness and data.

  score = annualized_return * 1/(1+max(0,dd-0.15))^2 * (1+0.1*(1-HHI))
          (-inf if annualized return < -50% or the stress run's Calmar < 0)`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetArgs(args)
	ctx, stdout = progress.WithConsole(ctx, stdout, stderr)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.AddCommand(newRunCmd(), newEvalCmd(), newSweepCmd(), newSearchCmd(), newCompareCmd(), newBenchCmd(), newOptimumCmd())
	root.AddCommand(newDataCmd(), newCheckCmd())
	root.AddCommand(newReportCmd(), newLedgerCmd())
	root.AddCommand(newWorkerCmd(), newParamsCmd(), newWalkForwardCmd(), newKeepCmd())
	err := root.ExecuteContext(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "gem: %v\n", err)
	}
	switch {
	case ctx.Err() != nil:
		return exitInterrupted
	case err != nil:
		return 1
	}
	return 0
}

// command is a subcommand that takes no arguments, with its help: a line,
// the long text and examples.
func command(use, short, long, example string) *cobra.Command {
	return &cobra.Command{Use: use, Short: short, Long: long, Example: example, Args: cobra.NoArgs}
}
