package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime"
	"strings"
	"sync"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/spf13/cobra"

	"gem/dist"
	"gem/harness"
	"gem/ledger"
	"gem/strategy"
)

func newWorkerCmd() *cobra.Command {
	var data dataFlags
	var url, name string
	var workers int
	cmd := &cobra.Command{
		Use:   "worker",
		Short: "Evaluate trials of a distributed sweep taken from a NATS server",
		Long: `Connect to the NATS server of a distributed sweep (gem sweep --distributed
prints its URL), take trials from its JetStream work queue and evaluate them,
until interrupted. Interrupt (Ctrl-C) stops after the trials in flight.

Load the same data as the sweep, with the same data flags: a trial whose data
fingerprint differs from this worker's is refused and reported to the sweep
as an error.`,
		Example: `  gem worker --nats nats://10.0.0.5:4222
  gem worker --nats nats://10.0.0.5:4222 --data ../shared/data/binance_spot_1d_panel_merged.csv.gz`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if url == "" {
				return fmt.Errorf("worker needs --nats URL (gem sweep --distributed prints it)")
			}
			p, desc, err := data.load(cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			if name == "" {
				host, _ := os.Hostname()
				name = fmt.Sprintf("%s-%d", host, os.Getpid())
			}
			nc, err := nats.Connect(url, nats.Name("gem worker "+name), nats.MaxReconnects(-1))
			if err != nil {
				return fmt.Errorf("nats %s: %w", url, err)
			}
			defer nc.Close()
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "%s\nworker %s on %s, data %s, %d workers\n", desc, name, url, p.Fingerprint(), workers)
			var mu sync.Mutex
			err = runWorkers(cmd.Context(), nc, name, max(1, workers), p, strategy.NewCache(), func(t *dist.Trial, r *dist.Result) {
				mu.Lock()
				defer mu.Unlock()
				if r.Error != "" {
					slog.Warn("trial not evaluated", "trial", t.ID, "err", r.Error)
					return
				}
				fmt.Fprintf(out, "%s %s %s score=%s (%.1fs)\n", t.ID, t.Strategy, r.Row.Params, ledger.FormatFloat(r.Row.Score), r.Row.Seconds)
			})
			if errors.Is(err, jetstream.ErrServerShutdown) {
				fmt.Fprintf(out, "the NATS server at %s shut down (its sweep ended); stopping\n", url)
				return nil
			}
			return err
		},
	}
	data.register(cmd.Flags())
	cmd.Flags().StringVar(&url, "nats", "", "URL of the sweep's NATS server, nats://HOST:PORT")
	cmd.Flags().StringVar(&name, "name", "", "worker name in results and messages (default: host-pid)")
	cmd.Flags().IntVar(&workers, "workers", runtime.NumCPU(), "trials evaluated at once")
	return cmd
}

// runWorkers runs n dist.Workers named name-1..name-n on p until ctx is
// cancelled, and returns the first error.
func runWorkers(ctx context.Context, nc *nats.Conn, name string, n int, p *harness.Panel, cache *strategy.Cache, done func(*dist.Trial, *dist.Result)) error {
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		w := &dist.Worker{Conn: nc, Name: fmt.Sprintf("%s-%d", name, i+1), Data: p.Fingerprint(), Harness: harness.Fingerprint(),
			Evaluate: func(ctx context.Context, t *dist.Trial) (ledger.Row, error) { return evaluateRemote(ctx, p, cache, t) },
			Done:     done}
		wg.Go(func() { errs[i] = w.Run(ctx) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// evaluateRemote evaluates a trial taken from the work queue exactly as the
// local pool would (trial.evaluate).
func evaluateRemote(ctx context.Context, p *harness.Panel, cache *strategy.Cache, dt *dist.Trial) (ledger.Row, error) {
	cfg, err := strategy.New(dt.Strategy)
	if err != nil {
		return ledger.Row{}, err
	}
	for _, kv := range dt.Params {
		name, value, ok := strings.Cut(kv, "=")
		if !ok {
			return ledger.Row{}, fmt.Errorf("parameter %q: want name=value", kv)
		}
		if err := strategy.SetParam(cfg.Params(), name, value); err != nil {
			return ledger.Row{}, err
		}
	}
	if err := cfg.Validate(); err != nil {
		return ledger.Row{}, err
	}
	fill, err := harness.ParseFillMode(dt.Fill)
	if err != nil {
		return ledger.Row{}, err
	}
	t := &trial{cfg: cfg}
	if err := t.evaluate(ctx, p, fill, cache, ""); err != nil {
		return ledger.Row{}, err
	}
	return t.row, nil
}

// remote sends a pool's trials through NATS JetStream to gem workers
// instead of evaluating them here (pool.remote).
type remote struct {
	coord *dist.Coordinator
}

// run evaluates the trials not already done through the coordinator and
// calls finished(i, err) for each trial as its result arrives;
// finished(-1, err) reports an error of the run as a whole.
func (r *remote) run(ctx context.Context, pl *pool, trials []*trial, finished func(i int, err error)) {
	var sent []dist.Trial
	var idx []int
	for i, t := range trials {
		if row, ok := pl.done[pl.key(t)]; ok {
			t.row, t.resumed = row, true
			finished(i, nil)
			continue
		}
		sent = append(sent, dist.Trial{Strategy: t.cfg.Name(), Fill: pl.fill.String(),
			Params: strategy.ParamValues(t.cfg.Params()), Data: pl.panel.Fingerprint(), Harness: harness.Fingerprint()})
		idx = append(idx, i)
	}
	err := r.coord.Run(ctx, sent, func(j int, res *dist.Result) {
		i, t := idx[j], trials[idx[j]]
		if res.Error != "" {
			finished(i, errors.New(res.Error))
			return
		}
		row := res.Row
		row.Command = pl.command
		if row.Key() != pl.key(t) {
			finished(i, fmt.Errorf("trial %s: worker %s answered for %s %s %s (data %s), not the trial sent", res.ID, res.Worker, row.Strategy, row.Fill, row.Params, row.Data))
			return
		}
		t.row = row
		t.eval = &harness.Evaluation{Score: row.Score, Rejection: row.Rejection, Base: row.Base, Stress: row.Stress,
			Fill: pl.fill, Harness: row.Harness, Data: row.Data}
		finished(i, nil)
	})
	if err != nil && ctx.Err() == nil {
		finished(-1, err)
	}
}

// distribute makes pl send its trials through NATS: to the server at url,
// or to an embedded server listening on listen (HOST:PORT; empty for a
// random loopback port) whose URL is printed on stderr. It starts
// pl.workers local workers connected through NATS. The returned stop
// function ends the local workers and the embedded server.
func (pl *pool) distribute(ctx context.Context, stderr io.Writer, url, listen string) (stop func(), err error) {
	var srv *dist.Server
	if url == "" {
		if srv, err = dist.StartServer(listen); err != nil {
			return nil, err
		}
		url = srv.URL()
		fmt.Fprintf(stderr, "gem: NATS server at %s; add workers on other machines with: gem worker --nats %s [the same data flags]\n", url, url)
	}
	nc, err := nats.Connect(url, nats.Name("gem sweep"))
	if err != nil {
		if srv != nil {
			srv.Shutdown()
		}
		return nil, fmt.Errorf("nats %s: %w", url, err)
	}
	pl.remote = &remote{coord: &dist.Coordinator{Conn: nc}}
	wctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	if pl.workers > 0 {
		host, _ := os.Hostname()
		wg.Go(func() {
			if err := runWorkers(wctx, nc, fmt.Sprintf("%s-%d", host, os.Getpid()), pl.workers, pl.panel, pl.cache, nil); err != nil {
				slog.Error("local workers stopped", "err", err)
			}
		})
	}
	return func() {
		cancel()
		wg.Wait()
		nc.Close()
		if srv != nil {
			srv.Shutdown()
		}
	}, nil
}
