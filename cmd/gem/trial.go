package main

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"gem/harness"
	"gem/progress"
	"gem/render"
	"gem/search"
	"gem/space"
	"gem/strategy"
	"gem/trial"
)

// ledgerFlags choose where trials are recorded.
type ledgerFlags struct {
	path   string
	resume bool
}

func (l *ledgerFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&l.path, "ledger", "results/ledger.tsv", `ledger file ("-" for none)`)
	fs.BoolVar(&l.resume, "resume", false, "skip configurations already in the ledger (same harness and data)")
}

// openPool loads the data and returns a pool that runs command's trials on
// workers local goroutines with progress on stderr, recording them in the
// ledger and its returns file (trial.Pool.Open; --resume skips those
// there). The caller closes the pool; desc describes the data.
func openPool(ctx context.Context, stderr io.Writer, data *dataFlags, lf *ledgerFlags, workers int, command string) (pl *trial.Pool, desc string, err error) {
	p, desc, err := data.load(stderr)
	if err != nil {
		return nil, "", err
	}
	pl = &trial.Pool{Env: trial.NewEnv(p, command), Exec: trial.Local{Workers: workers}, Observer: progress.NewObserver(ctx, command)}
	if lf.path != "" && lf.path != "-" {
		notes, err := pl.Open(lf.path, lf.resume)
		for _, n := range notes {
			fmt.Fprintf(stderr, "gem: %s\n", n)
		}
		if err != nil {
			return nil, "", err
		}
	}
	return pl, desc, nil
}

// runFlags are the flags of the commands that run trials through a pool:
// the data, the strategy, the ledger and the number of workers.
type runFlags struct {
	data    dataFlags
	strat   strategyFlags
	lf      ledgerFlags
	workers int
	seeds   int             // --seeds, where a command has it (seedsUsage)
	dist    distFlags       // where a command registers them
	base    trial.Spec      // the trial the flags describe, set by prepare
	cfg     strategy.Config // its configuration
}

// seedsUsage is the help of --seeds: evaluate each configuration under
// several random starts of the regime model (trial.SeedSpecs).
const seedsUsage = "evaluate under K regime-model seeds (hmm.seed = its value, +1, ...) and report the median, spread and share rejected; 0 for one run"

func (r *runFlags) register(fs *pflag.FlagSet) {
	r.data.register(fs)
	r.strat.register(fs)
	r.lf.register(fs)
	fs.IntVar(&r.workers, "workers", runtime.NumCPU(), "parallel evaluations (at least 1)")
}

// prepare returns a PreRunE that checks --workers and builds the trial the
// flags describe (base and cfg): of the ensemble, when ensemble is set and
// --strategy is not given.
func (r *runFlags) prepare(ensemble bool) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, _ []string) error {
		if ensemble && !cmd.Flags().Changed("strategy") {
			r.strat.name = "ensemble"
		}
		if err := checkWorkers(r.workers); err != nil {
			return err
		}
		cfg, fill, err := r.strat.config()
		if err == nil {
			r.cfg, r.base = cfg, r.strat.spec(cfg, fill)
		}
		return err
	}
}

// open opens the pool of the command's trials (openPool) and checks that
// its data suits the strategy. The caller closes the pool.
func (r *runFlags) open(cmd *cobra.Command) (*trial.Pool, string, error) {
	pool, desc, err := openPool(cmd.Context(), cmd.ErrOrStderr(), &r.data, &r.lf, r.workers, cmd.Name())
	if err == nil {
		if err = checkData(r.cfg, pool.Env.Panel); err != nil {
			pool.Close()
		}
	}
	return pool, desc, err
}

// search runs m around spec through pool (through NATS when the --dist
// flags ask for it) under budget in batches, under --seeds regime-model
// seeds when positive, printing each trial as it ends, then the best and
// the summary.
func (r *runFlags) search(cmd *cobra.Command, pool *trial.Pool, spec trial.Spec, m search.Method, budget, batch int, show ...string) error {
	out, start := cmd.OutOrStdout(), time.Now()
	if r.dist.enabled() {
		stop, err := r.dist.start(cmd.Context(), cmd.ErrOrStderr(), pool, r.workers)
		if err != nil {
			return err
		}
		defer stop()
	}
	s := &trial.Search{Pool: pool, Strategy: spec.Strategy, Fill: spec.Fill, Base: spec.Params, Window: spec.Window, Seeds: r.seeds}
	return render.Search(cmd.Context(), out, s, m, budget, batch, start, show...)
}

// describeChanges says which parameters differ from the defaults.
func describeChanges(a space.Assignment) string { return render.Changes(a) }

// describeWindow says which days are scored, when not all of them.
func describeWindow(p *harness.Panel, w trial.Window) string { return render.Window(p, w) }
