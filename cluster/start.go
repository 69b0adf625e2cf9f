package cluster

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"sync"
	"time"

	"gem/ledger"
	"gem/trial"
)

// SecretEnv is the environment variable that carries a distributed run's
// secret to workers (and to a coordinator on a server of its own).
const SecretEnv = "GEM_NATS_SECRET"

// DefaultName is a worker's name when it is not given one: host-pid.
func DefaultName() string {
	host, _ := os.Hostname()
	return fmt.Sprintf("%s-%d", host, os.Getpid())
}

// Options are how a coordinating command shares its pool's trials with
// workers: the options of gem's --distributed flags, as the flags give
// them. Errors name an option by its flag.
type Options struct {
	// URL is a NATS server of one's own (nats://HOST:PORT); empty starts an
	// embedded server listening on Listen (ServerConfig.Listen), with
	// TLSCert and TLSKey.
	URL, Listen     string
	TLSCert, TLSKey string
	// Secret is the run's secret, required with URL (empty means
	// $GEM_NATS_SECRET, SecretEnv); an embedded server makes a new one
	// (NewSecret).
	Secret string
	// CA is the PEM file of a TLS server's CA; empty with TLSCert means
	// that certificate.
	CA string
	// AckWait is the coordinator's AckWait; it must be positive.
	AckWait time.Duration
	// Verify is the Executor's Verify, from 0 to 1.
	Verify float64
	// Warn and Error, when set, are told what goes wrong without stopping
	// the run (a forged message, local workers that stopped), as slog's
	// functions of those names are.
	Warn, Error func(msg string, args ...any)
	// Tell, when set, is told how to add workers, one line at a time (see
	// Start); the secret itself is never told.
	Tell func(line string)
}

// Start makes pool send its trials through NATS (pool.Exec becomes an
// Executor), to the server at URL or to an embedded one, whose secret it
// writes to a file only this user can read (Server.WriteSecret) and whose
// worker command line it tells: on this machine only for a loopback server,
// with an address for other machines otherwise. It starts workers local
// workers on pool.Env, connected through NATS. When pool's Observer has a
// method Note(string), it is told while workers hold trials and no result
// arrives. The returned stop function announces the end of the run to the
// workers of an embedded server, then ends the local workers and the
// embedded server.
func (o *Options) Start(ctx context.Context, pool *trial.Pool, workers int) (stop func(), err error) {
	if o.AckWait <= 0 {
		return nil, fmt.Errorf("--ack-wait %s: want a positive duration", o.AckWait)
	}
	if !(o.Verify >= 0 && o.Verify <= 1) {
		return nil, fmt.Errorf("--verify-remote %g: want a fraction from 0 to 1", o.Verify)
	}
	warn := func(msg string, args ...any) {
		if o.Warn != nil {
			o.Warn(msg, args...)
		}
	}
	url, secret, ca := o.URL, cmp.Or(o.Secret, os.Getenv(SecretEnv)), o.CA
	var srv *Server
	if url == "" {
		if secret, err = NewSecret(); err != nil {
			return nil, err
		}
		if srv, err = StartServer(ServerConfig{Listen: o.Listen, Secret: secret, TLSCert: o.TLSCert, TLSKey: o.TLSKey}); err != nil {
			return nil, err
		}
		ca, url = cmp.Or(ca, o.TLSCert), srv.URL()
		if err := o.tellJoin(srv, secret); err != nil {
			srv.Shutdown()
			return nil, err
		}
	} else if secret == "" {
		return nil, fmt.Errorf("--nats %s needs the run's secret, shared with its workers: set %s (or --secret)", url, SecretEnv)
	}
	nc, err := Connect(url, ConnectOptions{Name: "gem sweep", Secret: secret, CA: ca})
	if err != nil {
		if srv != nil {
			srv.Shutdown()
		}
		return nil, err
	}
	coord := &Coordinator{Conn: nc, Secret: secret, AckWait: o.AckWait, Warn: func(msg string) { warn(msg) }}
	if n, ok := pool.Observer.(interface{ Note(string) }); ok {
		coord.Waiting = func(held int, quiet time.Duration) {
			note := ""
			if held > 0 && quiet >= 2*time.Second {
				note = fmt.Sprintf("waiting for %d trials held by workers (a silent worker's trial goes to another after --ack-wait %s)", held, o.AckWait)
			}
			n.Note(note)
		}
	}
	pool.Exec = Executor{Coord: coord, Verify: o.Verify}
	wctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	w := Worker{Conn: nc, Name: DefaultName(), Secret: secret, Warn: coord.Warn}
	wg.Go(func() {
		if err := RunWorkers(wctx, w, workers, pool.Env); err != nil && wctx.Err() == nil && !errors.Is(err, ErrRunOver) && o.Error != nil {
			o.Error("local workers stopped", "err", err)
		}
	})
	return func() {
		if srv != nil {
			if err := coord.Finish(); err != nil {
				warn("workers were not told that the run is over", "err", err)
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

// tellJoin writes the secret to a file only this user can read and tells
// how to add workers.
func (o *Options) tellJoin(srv *Server, secret string) error {
	path, err := srv.WriteSecret(secret)
	if err != nil {
		return err
	}
	tell := func(format string, args ...any) {
		if o.Tell != nil {
			o.Tell(fmt.Sprintf(format, args...))
		}
	}
	extra := ""
	if o.TLSCert != "" {
		extra = " --nats-ca " + o.TLSCert
	}
	env := fmt.Sprintf("%s=$(cat %s)", SecretEnv, path)
	if srv.Loopback() {
		tell("NATS server at %s, on loopback: other machines cannot reach it (to let them, use --nats-listen 0.0.0.0:%d)", srv.URL(), srv.Port())
		tell("add workers on this machine with: %s gem worker --nats %s%s [the same data flags]", env, srv.URL(), extra)
		return nil
	}
	addrs, _ := net.InterfaceAddrs()
	urls := srv.RemoteURLs(addrs)
	if len(urls) == 0 {
		urls = []string{srv.URL()}
	}
	tell("NATS server at %s; the run's secret is in %s (readable by you only): copy it to the other machines", strings.Join(urls, ", "), path)
	tell("add workers with: %s gem worker --nats %s%s [the same data flags]", env, urls[0], extra)
	if o.TLSCert == "" {
		tell("without TLS (--nats-tls-cert, --nats-tls-key) trials, results and the secret cross the network in clear")
	}
	return nil
}

// WorkerOptions are how a gem worker joins a distributed run: the options
// of gem worker's flags. Errors name an option by its flag.
type WorkerOptions struct {
	// URL is the run's NATS server, and Secret the run's secret (empty
	// means $GEM_NATS_SECRET, SecretEnv); both are required. CA is the PEM
	// file of a TLS server's CA.
	URL, Secret, CA string
	// Name names the workers (Name-1 ... in results); empty means
	// DefaultName.
	Name string
	// Workers is how many trials are evaluated at once.
	Workers int
	// Warn, when set, is told about each message dropped as forged and
	// each trial not evaluated, as slog.Warn is.
	Warn func(msg string, args ...any)
	// Tell, when set, is told the worker's progress one line at a time:
	// once connected, "worker NAME on URL, data FINGERPRINT, N workers";
	// for each trial evaluated, "ID STRATEGY PARAMS score=SCORE (SECONDSs)";
	// and, when the run is over, that it stops.
	Tell func(line string)
}

// Check refuses options without a URL or a secret, or without a worker.
func (o *WorkerOptions) Check() error {
	if o.URL == "" {
		return fmt.Errorf("worker needs --nats URL (gem sweep --distributed prints it)")
	}
	if o.secret() == "" {
		return fmt.Errorf("worker needs the run's secret in %s (or --secret); gem sweep --distributed says which file holds it", SecretEnv)
	}
	return trial.CheckWorkers(o.Workers)
}

// Run connects to the run's server and evaluates its trials on env
// (RunWorkers) until ctx is cancelled or the run is over; it returns nil
// then, and an error when the connection fails.
func (o *WorkerOptions) Run(ctx context.Context, env *trial.Env) error {
	if err := o.Check(); err != nil {
		return err
	}
	name := cmp.Or(o.Name, DefaultName())
	nc, err := Connect(o.URL, ConnectOptions{Name: "gem worker " + name, Secret: o.secret(), CA: o.CA})
	if err != nil {
		return err
	}
	defer nc.Close()
	warn := func(msg string, args ...any) {
		if o.Warn != nil {
			o.Warn(msg, args...)
		}
	}
	var mu sync.Mutex
	tell := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		if o.Tell != nil {
			o.Tell(fmt.Sprintf(format, args...))
		}
	}
	tell("worker %s on %s, data %s, %d workers", name, o.URL, env.Panel.Fingerprint(), o.Workers)
	w := Worker{Conn: nc, Name: name, Secret: o.secret(), Warn: func(msg string) { warn(msg) }, Done: func(t *Trial, r *Result) {
		if r.Error != "" {
			warn("trial not evaluated", "trial", t.ID, "err", r.Error)
			return
		}
		tell("%s %s %s score=%s (%.1fs)", t.ID, t.Strategy, r.Row.Params, ledger.FormatFloat(r.Row.Score), r.Row.Seconds)
	}}
	err = RunWorkers(ctx, w, o.Workers, env)
	if errors.Is(err, ErrRunOver) {
		tell("the sweep at %s is over; stopping", o.URL)
		return nil
	}
	return err
}

func (o *WorkerOptions) secret() string { return cmp.Or(o.Secret, os.Getenv(SecretEnv)) }
