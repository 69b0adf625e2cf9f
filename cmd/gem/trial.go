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
	"gem/ledger"
	"gem/progress"
	"gem/render"
	"gem/search"
	"gem/space"
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

// open opens the ledger (nil for none), telling the user when a torn line was repaired.
func (l *ledgerFlags) open(stderr io.Writer) (*ledger.Ledger, error) {
	if l.path == "" || l.path == "-" {
		return nil, nil
	}
	lg, repaired, err := ledger.Open(l.path)
	if repaired {
		fmt.Fprintf(stderr, "gem: %s: repaired a torn last line left by an interrupted run\n", l.path)
	}
	return lg, err
}

// openPool loads the data, opens the ledger, the returns file beside it and
// reads the trials already in it (for --resume), and returns a pool that
// records command's trials there on workers local goroutines, with progress
// on stderr. The caller closes the pool; desc describes the data.
func openPool(ctx context.Context, stderr io.Writer, data *dataFlags, lf *ledgerFlags, workers int, command string) (pl *trial.Pool, desc string, err error) {
	p, desc, err := data.load(stderr)
	if err != nil {
		return nil, "", err
	}
	pl = &trial.Pool{Env: trial.NewEnv(p, command), Exec: trial.Local{Workers: workers}, Done: map[string]ledger.Row{}, Observer: progress.NewObserver(ctx, command)}
	if pl.Ledger, err = lf.open(stderr); err == nil && pl.Ledger != nil {
		var repaired bool
		path := ledger.ReturnsPath(lf.path)
		if pl.Returns, repaired, err = ledger.OpenReturns(path); repaired {
			fmt.Fprintf(stderr, "gem: %s: repaired a torn last record left by an interrupted run\n", path)
		}
		if err == nil && lf.resume {
			pl.Done, err = trial.Resumable(lf.path)
		}
	}
	if err != nil {
		pl.Close()
		return nil, "", err
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
}

func (r *runFlags) register(fs *pflag.FlagSet) {
	r.data.register(fs)
	r.strat.register(fs)
	r.lf.register(fs)
	fs.IntVar(&r.workers, "workers", runtime.NumCPU(), "parallel evaluations (at least 1)")
}

// spec checks --workers and returns the trial the flags describe: of the
// ensemble, when ensemble is set and --strategy is not given.
func (r *runFlags) spec(cmd *cobra.Command, ensemble bool) (trial.Spec, error) {
	if ensemble && !cmd.Flags().Changed("strategy") {
		r.strat.name = "ensemble"
	}
	if err := checkWorkers(r.workers); err != nil {
		return trial.Spec{}, err
	}
	cfg, fill, err := r.strat.config()
	if err != nil {
		return trial.Spec{}, err
	}
	return r.strat.spec(cfg, fill), nil
}

// open opens the pool of the command's trials (openPool) and checks that
// its data suits spec's strategy. The caller closes the pool.
func (r *runFlags) open(cmd *cobra.Command, spec trial.Spec) (*trial.Pool, string, error) {
	pool, desc, err := openPool(cmd.Context(), cmd.ErrOrStderr(), &r.data, &r.lf, r.workers, cmd.Name())
	if err != nil {
		return nil, "", err
	}
	cfg, err := spec.Config()
	if err == nil {
		err = checkData(cfg, pool.Env.Panel)
	}
	if err != nil {
		pool.Close()
		return nil, "", err
	}
	return pool, desc, nil
}

// search runs m around spec through pool (through NATS when dist asks for
// it) under budget in batches, under seeds regime-model seeds when
// positive, printing each trial as it ends, then the best and the summary.
func (r *runFlags) search(cmd *cobra.Command, dist *distFlags, pool *trial.Pool, spec trial.Spec, seeds int, m search.Method, budget, batch int, show ...string) error {
	out, start := cmd.OutOrStdout(), time.Now()
	if dist.enabled() {
		stop, err := dist.start(cmd.Context(), cmd.ErrOrStderr(), pool, r.workers)
		if err != nil {
			return err
		}
		defer stop()
	}
	s := &trial.Search{Pool: pool, Strategy: spec.Strategy, Fill: spec.Fill, Base: spec.Params, Window: spec.Window, Seeds: seeds}
	render.Trials(out, s, show...)
	err := s.Run(cmd.Context(), m, budget, batch)
	render.Finish(out, s, time.Since(start), err == nil, show...)
	return err
}

// describeChanges says which parameters differ from the defaults.
func describeChanges(a space.Assignment) string { return render.Changes(a) }

// describeWindow says which days are scored, when not all of them.
func describeWindow(p *harness.Panel, w trial.Window) string { return render.Window(p, w) }
