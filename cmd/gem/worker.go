package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"gem/cluster"
	"gem/ledger"
	"gem/progress"
	"gem/trial"
)

// secretEnv is the environment variable that carries a distributed run's
// secret to workers (and to a coordinator on a server of its own).
const secretEnv = "GEM_NATS_SECRET"

func newWorkerCmd() *cobra.Command {
	var data dataFlags
	var url, name, secret, ca string
	var workers int
	cmd := &cobra.Command{
		Use:   "worker",
		Short: "Evaluate trials of a distributed sweep taken from a NATS server",
		Long: `Connect to the NATS server of a distributed sweep (gem sweep --distributed
prints its URL and where its secret is), take trials from its JetStream work
queue and evaluate them, until the sweep ends or the worker is interrupted.
Interrupt (Ctrl-C) stops after the trials in flight (exit 130); a second
interrupt stops at once.

The run's secret comes from the environment variable GEM_NATS_SECRET (or
--secret, which other users can see in the process list): the server refuses
clients without it, and every result carries a MAC under it.

Load the same data as the sweep, with the same data flags: a trial whose data
fingerprint differs from this worker's is refused and left to other workers.`,
		Example: `  GEM_NATS_SECRET=$(cat secret) gem worker --nats nats://10.0.0.5:4222
  GEM_NATS_SECRET=$(cat secret) gem worker --nats tls://10.0.0.5:4222 --nats-ca cert.pem --data ../shared/data/binance_spot_1d_panel_merged.csv.gz`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if url == "" {
				return fmt.Errorf("worker needs --nats URL (gem sweep --distributed prints it)")
			}
			if secret == "" {
				secret = os.Getenv(secretEnv)
			}
			if secret == "" {
				return fmt.Errorf("worker needs the run's secret in %s (or --secret); gem sweep --distributed says which file holds it", secretEnv)
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
			nc, err := cluster.Connect(url, cluster.ConnectOptions{Name: "gem worker " + name, Secret: secret, CA: ca})
			if err != nil {
				return err
			}
			defer nc.Close()
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "%s\nworker %s on %s, data %s, %d workers\n", desc, name, url, p.Fingerprint(), workers)
			var mu sync.Mutex
			w := cluster.Worker{Conn: nc, Name: name, Secret: secret, Warn: func(msg string) { slog.Warn(msg) },
				Done: func(t *cluster.Trial, r *cluster.Result) {
					mu.Lock()
					defer mu.Unlock()
					if r.Error != "" {
						slog.Warn("trial not evaluated", "trial", t.ID, "err", r.Error)
						return
					}
					fmt.Fprintf(out, "%s %s %s score=%s (%.1fs)\n", t.ID, t.Strategy, r.Row.Params, ledger.FormatFloat(r.Row.Score), r.Row.Seconds)
				}}
			err = cluster.RunWorkers(cmd.Context(), w, workers, trial.NewEnv(p, ""))
			if errors.Is(err, cluster.ErrRunOver) {
				fmt.Fprintf(out, "the sweep at %s is over; stopping\n", url)
				return nil
			}
			return err
		},
	}
	data.register(cmd.Flags())
	cmd.Flags().StringVar(&url, "nats", "", "URL of the sweep's NATS server, nats://HOST:PORT (tls://HOST:PORT with TLS)")
	cmd.Flags().StringVar(&secret, "secret", "", "the run's secret (default: $"+secretEnv+", which other users cannot see)")
	cmd.Flags().StringVar(&ca, "nats-ca", "", "PEM file of the CA (or the self-signed certificate) of a TLS server")
	cmd.Flags().StringVar(&name, "name", "", "worker name in results and messages (default: host-pid)")
	cmd.Flags().IntVar(&workers, "workers", runtime.NumCPU(), "trials evaluated at once (at least 1)")
	return cmd
}

// distFlags choose whether a command's trials go through NATS.
type distFlags struct {
	distributed     bool
	url, listen     string
	secret, ca      string
	tlsCert, tlsKey string
	ackWait         time.Duration
	verify          float64
}

func (d *distFlags) register(fs *pflag.FlagSet) {
	fs.BoolVar(&d.distributed, "distributed", false, "share the trials with gem workers on other machines through an embedded NATS server (how to add workers is printed on stderr); --workers local workers take part too")
	fs.StringVar(&d.listen, "nats-listen", "", "address of the embedded NATS server, HOST:PORT (default: 127.0.0.1, a random port: this machine only; 0.0.0.0:PORT for other machines)")
	fs.StringVar(&d.url, "nats", "", "distribute through this NATS server (nats://HOST:PORT) instead of an embedded one; the run's secret then comes from $"+secretEnv+" or --secret")
	fs.StringVar(&d.secret, "secret", "", "the run's secret with --nats (default: $"+secretEnv+"); an embedded server makes a new one")
	fs.StringVar(&d.tlsCert, "nats-tls-cert", "", "PEM certificate of the embedded server: clients must use TLS (it must name 127.0.0.1 too)")
	fs.StringVar(&d.tlsKey, "nats-tls-key", "", "PEM key of --nats-tls-cert")
	fs.StringVar(&d.ca, "nats-ca", "", "PEM file of the CA of a TLS server (default with --nats-tls-cert: that certificate)")
	fs.DurationVar(&d.ackWait, "ack-wait", cluster.DefaultAckWait, "how long a trial may go without a heartbeat from its worker before another worker gets it")
	fs.Float64Var(&d.verify, "verify-remote", 0, "fraction of results (0 to 1) evaluated again here, which must match bit for bit: a mismatch stops the run naming the worker")
}

func (d *distFlags) enabled() bool { return d.distributed || d.url != "" }

// start makes pool send its trials through NATS: to the server at d.url, or
// to an embedded server listening on d.listen, printing on stderr how to
// add workers. It starts workers local workers connected through NATS. The
// returned stop function announces the end of the run to the workers of an
// embedded server, ends the local workers and the embedded server.
func (d *distFlags) start(ctx context.Context, stderr io.Writer, pool *trial.Pool, workers int) (stop func(), err error) {
	if d.ackWait <= 0 {
		return nil, fmt.Errorf("--ack-wait %s: want a positive duration", d.ackWait)
	}
	if !(d.verify >= 0 && d.verify <= 1) {
		return nil, fmt.Errorf("--verify-remote %g: want a fraction from 0 to 1", d.verify)
	}
	url, secret, ca := d.url, d.secret, d.ca
	if secret == "" {
		secret = os.Getenv(secretEnv)
	}
	var srv *cluster.Server
	if url == "" {
		if secret, err = cluster.NewSecret(); err != nil {
			return nil, err
		}
		srv, err = cluster.StartServer(cluster.ServerConfig{Listen: d.listen, Secret: secret, TLSCert: d.tlsCert, TLSKey: d.tlsKey})
		if err != nil {
			return nil, err
		}
		if ca == "" {
			ca = d.tlsCert
		}
		url = srv.URL()
		if err := printJoin(stderr, srv, secret, d.tlsCert); err != nil {
			srv.Shutdown()
			return nil, err
		}
	} else if secret == "" {
		return nil, fmt.Errorf("--nats %s needs the run's secret, shared with its workers: set %s (or --secret)", url, secretEnv)
	}
	nc, err := cluster.Connect(url, cluster.ConnectOptions{Name: "gem sweep", Secret: secret, CA: ca})
	if err != nil {
		if srv != nil {
			srv.Shutdown()
		}
		return nil, err
	}
	coord := &cluster.Coordinator{Conn: nc, Secret: secret, AckWait: d.ackWait, Warn: func(msg string) { slog.Warn(msg) }}
	if o, ok := pool.Observer.(*progress.Observer); ok {
		coord.Waiting = func(held int, quiet time.Duration) {
			note := ""
			if held > 0 && quiet >= 2*time.Second {
				note = fmt.Sprintf("waiting for %d trials held by workers (a silent worker's trial goes to another after --ack-wait %s)", held, d.ackWait)
			}
			o.Note(note)
		}
	}
	pool.Exec = cluster.Executor{Coord: coord, Verify: d.verify}
	wctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	host, _ := os.Hostname()
	w := cluster.Worker{Conn: nc, Name: fmt.Sprintf("%s-%d", host, os.Getpid()), Secret: secret, Warn: func(msg string) { slog.Warn(msg) }}
	wg.Go(func() {
		if err := cluster.RunWorkers(wctx, w, workers, pool.Env); err != nil && wctx.Err() == nil && !errors.Is(err, cluster.ErrRunOver) {
			slog.Error("local workers stopped", "err", err)
		}
	})
	return func() {
		if srv != nil {
			if err := coord.Finish(); err != nil {
				slog.Warn("workers were not told that the run is over", "err", err)
			}
		}
		cancel()
		wg.Wait()
		nc.Close()
		if srv != nil {
			srv.Shutdown()
		}
	}, nil
}

// printJoin writes the secret to a file only this user can read and tells,
// on stderr, how to add workers: on this machine only for a loopback
// server, with each address other machines may use otherwise. The secret
// itself is never printed.
func printJoin(stderr io.Writer, srv *cluster.Server, secret, cert string) error {
	path, err := srv.WriteSecret(secret)
	if err != nil {
		return err
	}
	extra := ""
	if cert != "" {
		extra = " --nats-ca " + cert
	}
	env := fmt.Sprintf("%s=$(cat %s)", secretEnv, path)
	if srv.Loopback() {
		fmt.Fprintf(stderr, "gem: NATS server at %s, on loopback: other machines cannot reach it (to let them, use --nats-listen 0.0.0.0:%d)\n", srv.URL(), srv.Port())
		fmt.Fprintf(stderr, "gem: add workers on this machine with: %s gem worker --nats %s%s [the same data flags]\n", env, srv.URL(), extra)
		return nil
	}
	addrs, _ := net.InterfaceAddrs()
	urls := srv.RemoteURLs(addrs)
	if len(urls) == 0 {
		urls = []string{srv.URL()}
	}
	fmt.Fprintf(stderr, "gem: NATS server at %s; the run's secret is in %s (readable by you only): copy it to the other machines\n", strings.Join(urls, ", "), path)
	fmt.Fprintf(stderr, "gem: add workers with: %s gem worker --nats %s%s [the same data flags]\n", env, urls[0], extra)
	if cert == "" {
		fmt.Fprintf(stderr, "gem: without TLS (--nats-tls-cert, --nats-tls-key) trials, results and the secret cross the network in clear\n")
	}
	return nil
}
