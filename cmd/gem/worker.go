package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime"
	"sync"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"gem/cluster"
	"gem/ledger"
	"gem/trial"
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
			if err := checkWorkers(workers); err != nil {
				return err
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
			err = cluster.RunWorkers(cmd.Context(), nc, name, workers, trial.NewEnv(p, ""), func(t *cluster.Trial, r *cluster.Result) {
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
	cmd.Flags().IntVar(&workers, "workers", runtime.NumCPU(), "trials evaluated at once (at least 1)")
	return cmd
}

// distFlags choose whether a command's trials go through NATS.
type distFlags struct {
	distributed bool
	url, listen string
}

func (d *distFlags) register(fs *pflag.FlagSet) {
	fs.BoolVar(&d.distributed, "distributed", false, "share the trials with gem workers on other machines through an embedded NATS server (its URL is printed on stderr); --workers local workers take part too")
	fs.StringVar(&d.listen, "nats-listen", "", "address of the embedded NATS server, HOST:PORT (default: 127.0.0.1, a random port)")
	fs.StringVar(&d.url, "nats", "", "distribute through this NATS server (nats://HOST:PORT) instead of an embedded one")
}

func (d *distFlags) enabled() bool { return d.distributed || d.url != "" }

// start makes pool send its trials through NATS: to the server at d.url, or
// to an embedded server listening on d.listen whose URL is printed on
// stderr. It starts workers local workers connected through NATS. The
// returned stop function ends the local workers and the embedded server.
func (d *distFlags) start(ctx context.Context, stderr io.Writer, pool *trial.Pool, workers int) (stop func(), err error) {
	url := d.url
	var srv *cluster.Server
	if url == "" {
		if srv, err = cluster.StartServer(d.listen); err != nil {
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
	pool.Exec = cluster.Executor{Coord: &cluster.Coordinator{Conn: nc}}
	wctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	host, _ := os.Hostname()
	wg.Go(func() {
		if err := cluster.RunWorkers(wctx, nc, fmt.Sprintf("%s-%d", host, os.Getpid()), workers, pool.Env, nil); err != nil && wctx.Err() == nil {
			slog.Error("local workers stopped", "err", err)
		}
	})
	return func() {
		cancel()
		wg.Wait()
		nc.Close()
		if srv != nil {
			srv.Shutdown()
		}
	}, nil
}
