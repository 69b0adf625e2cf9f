package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"runtime"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"gem/cluster"
	"gem/trial"
)

func newWorkerCmd() *cobra.Command {
	var data dataFlags
	var w cluster.WorkerOptions
	cmd := &cobra.Command{
		Use:   "worker",
		Short: "Evaluate trials of a distributed sweep taken from a NATS server",
		Long: `Take trials from the JetStream work queue of a distributed sweep's NATS server (gem
sweep --distributed prints its URL and where its secret is) and evaluate them until the
sweep ends. Interrupt (Ctrl-C) stops after the trials in flight (exit 130); a second
interrupt stops at once.

The run's secret comes from $GEM_NATS_SECRET (or --secret, which other users can see in
the process list): the server refuses clients without it, and every result carries a MAC
under it. Load the same data as the sweep, with the same data flags: a trial whose data
fingerprint differs from this worker's is refused and left to other workers.`,
		Example: `  GEM_NATS_SECRET=$(cat secret) gem worker --nats nats://10.0.0.5:4222
  GEM_NATS_SECRET=$(cat secret) gem worker --nats tls://10.0.0.5:4222 --nats-ca cert.pem --data ../shared/data/binance_spot_1d_panel_merged.csv.gz`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := w.Check(); err != nil {
				return err
			}
			p, desc, err := data.load(cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), desc)
			w.Warn, w.Tell = slog.Warn, func(line string) { fmt.Fprintln(cmd.OutOrStdout(), line) }
			return w.Run(cmd.Context(), trial.NewEnv(p, ""))
		},
	}
	data.register(cmd.Flags())
	cmd.Flags().StringVar(&w.URL, "nats", "", "URL of the sweep's NATS server, nats://HOST:PORT (tls://HOST:PORT with TLS)")
	cmd.Flags().StringVar(&w.Secret, "secret", "", "the run's secret (default: $"+cluster.SecretEnv+", which other users cannot see)")
	cmd.Flags().StringVar(&w.CA, "nats-ca", "", "PEM file of the CA (or the self-signed certificate) of a TLS server")
	cmd.Flags().StringVar(&w.Name, "name", "", "worker name in results and messages (default: host-pid)")
	cmd.Flags().IntVar(&w.Workers, "workers", runtime.NumCPU(), "trials evaluated at once (at least 1)")
	return cmd
}

// distFlags choose whether a command's trials go through NATS: the options
// of a cluster.Options.
type distFlags struct {
	distributed bool
	opt         cluster.Options
}

func (d *distFlags) register(fs *pflag.FlagSet) {
	fs.BoolVar(&d.distributed, "distributed", false, "share the trials with gem workers on other machines through an embedded NATS server (how to add workers is printed on stderr); --workers local workers take part too")
	fs.StringVar(&d.opt.Listen, "nats-listen", "", "address of the embedded NATS server, HOST:PORT (default: 127.0.0.1, a random port: this machine only; 0.0.0.0:PORT for other machines)")
	fs.StringVar(&d.opt.URL, "nats", "", "distribute through this NATS server (nats://HOST:PORT) instead of an embedded one; the run's secret then comes from $"+cluster.SecretEnv+" or --secret")
	fs.StringVar(&d.opt.Secret, "secret", "", "the run's secret with --nats (default: $"+cluster.SecretEnv+"); an embedded server makes a new one")
	fs.StringVar(&d.opt.TLSCert, "nats-tls-cert", "", "PEM certificate of the embedded server: clients must use TLS (it must name 127.0.0.1 too)")
	fs.StringVar(&d.opt.TLSKey, "nats-tls-key", "", "PEM key of --nats-tls-cert")
	fs.StringVar(&d.opt.CA, "nats-ca", "", "PEM file of the CA of a TLS server (default with --nats-tls-cert: that certificate)")
	fs.DurationVar(&d.opt.AckWait, "ack-wait", cluster.DefaultAckWait, "how long a trial may go without a heartbeat from its worker before another worker gets it")
	fs.Float64Var(&d.opt.Verify, "verify-remote", 0, "fraction of results (0 to 1) evaluated again here, which must match bit for bit: a mismatch stops the run naming the worker")
}

func (d *distFlags) enabled() bool { return d.distributed || d.opt.URL != "" }

// start makes pool send its trials through NATS, with workers local
// workers, printing on stderr how to add workers (cluster.Options.Start).
func (d *distFlags) start(ctx context.Context, stderr io.Writer, pool *trial.Pool, workers int) (stop func(), err error) {
	d.opt.Warn, d.opt.Error, d.opt.Tell = slog.Warn, slog.Error, func(line string) { fmt.Fprintf(stderr, "gem: %s\n", line) }
	return d.opt.Start(ctx, pool, workers)
}
