package cluster

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"gem/strategy"
	"gem/trial"
)

func TestOptionsRefuse(t *testing.T) {
	t.Setenv(SecretEnv, "")
	pool := &trial.Pool{Env: trial.NewEnv(testPanel(t), "")}
	for _, tc := range []struct {
		o   Options
		err string
	}{
		{Options{}, "--ack-wait 0s: want a positive duration"},
		{Options{AckWait: time.Second, Verify: 1.5}, "--verify-remote 1.5: want a fraction from 0 to 1"},
		{Options{AckWait: time.Second, Verify: -0.1}, "--verify-remote -0.1"},
		{Options{AckWait: time.Second, URL: "nats://127.0.0.1:1"}, "--nats nats://127.0.0.1:1 needs the run's secret"},
	} {
		if stop, err := tc.o.Start(context.Background(), pool, 1); err == nil || !strings.HasPrefix(err.Error(), tc.err) {
			if stop != nil {
				stop()
			}
			t.Errorf("%+v: got %v, want an error starting %q", tc.o, err, tc.err)
		}
	}
	for _, tc := range []struct {
		o   WorkerOptions
		err string
	}{
		{WorkerOptions{Secret: "s", Workers: 1}, "worker needs --nats URL"},
		{WorkerOptions{URL: "nats://x", Workers: 1}, "worker needs the run's secret in " + SecretEnv},
		{WorkerOptions{URL: "nats://x", Secret: "s"}, "--workers 0: want at least 1"},
	} {
		if err := tc.o.Check(); err == nil || !strings.HasPrefix(err.Error(), tc.err) {
			t.Errorf("%+v: got %v, want %q", tc.o, err, tc.err)
		}
		if err := tc.o.Run(context.Background(), pool.Env); err == nil || !strings.HasPrefix(err.Error(), tc.err) {
			t.Errorf("Run %+v: got %v, want %q", tc.o, err, tc.err)
		}
	}
	t.Setenv(SecretEnv, "from the environment")
	if err := (&WorkerOptions{URL: "nats://x", Workers: 1}).Check(); err != nil {
		t.Errorf("a secret in %s: got %v, want it used", SecretEnv, err)
	}
}

// note is a pool observer that takes notes.
type note struct{}

func (note) Start(int)                     {}
func (note) Finished(*trial.Result, error) {}
func (note) Stop()                         {}
func (note) Note(string)                   {}

// TestStartAndJoin: a pool started on an embedded server tells how to add
// workers (the secret's file, never the secret); a worker that joins with
// that secret (WorkerOptions.Run) tells its trials in lines; every row
// equals a local evaluation's; and the worker stops when the run ends.
func TestStartAndJoin(t *testing.T) {
	p := testPanel(t)
	var told []string
	o := Options{AckWait: 5 * time.Second, Tell: func(s string) { told = append(told, s) }}
	pool := &trial.Pool{Env: trial.NewEnv(p, "test"), Observer: note{}}
	stop, err := o.Start(context.Background(), pool, 1)
	if err != nil {
		t.Fatal(err)
	}
	if x, ok := pool.Exec.(Executor); !ok || x.Coord.Waiting == nil {
		t.Fatalf("the pool's executor is %T, want a cluster.Executor that notes waits to the observer", pool.Exec)
	}
	if len(told) != 2 || !strings.Contains(told[0], "on loopback: other machines cannot reach it") {
		t.Fatalf("told %q, want the loopback notice and the worker command line", told)
	}
	m := regexp.MustCompile(`^add workers on this machine with: ` + SecretEnv + `=\$\(cat (\S+)\) gem worker --nats (nats://127\.0\.0\.1:\d+) \[the same data flags\]$`).FindStringSubmatch(told[1])
	if m == nil {
		t.Fatalf("no worker command line in %q", told[1])
	}
	b, err := os.ReadFile(m[1])
	if err != nil {
		t.Fatal(err)
	}
	secret := strings.TrimSpace(string(b))
	if len(secret) < 32 || strings.Contains(strings.Join(told, "\n"), secret) {
		t.Errorf("secret %q: too short, or told", secret)
	}
	var mu sync.Mutex
	var lines []string
	w := WorkerOptions{URL: m[2], Secret: secret, Name: "joined", Workers: 2, Tell: func(s string) { mu.Lock(); lines = append(lines, s); mu.Unlock() }}
	joined := make(chan error, 1)
	go func() { joined <- w.Run(context.Background(), trial.NewEnv(p, "")) }()

	var specs []trial.Spec
	for _, n := range []int{1, 2, 3, 5, 8, 12} {
		cfg, err := strategy.Build("specialist", fmt.Sprintf("top_n=%d", n))
		if err != nil {
			t.Fatal(err)
		}
		specs = append(specs, trial.NewSpec(cfg, 0))
	}
	got := make([]*trial.Result, len(specs))
	if err := pool.Run(context.Background(), specs, func(i int, r *trial.Result) { got[i] = r }); err != nil {
		t.Fatal(err)
	}
	for i, s := range specs {
		want, err := trial.Evaluate(context.Background(), trial.NewEnv(p, "test"), s)
		if err != nil {
			t.Fatal(err)
		}
		if g, w := rowString(got[i].Row), rowString(want.Row); g != w {
			t.Errorf("trial %d:\ngot  %s\nwant %s", i, g, w)
		}
	}
	stop()
	select {
	case err := <-joined:
		if err != nil {
			t.Errorf("the joined worker: got %v, want nil once the run is over", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the joined worker did not stop when the run ended")
	}
	mu.Lock()
	defer mu.Unlock()
	if len(lines) < 2 || !strings.HasPrefix(lines[0], "worker joined on "+m[2]+", data "+p.Fingerprint()+", 2 workers") ||
		lines[len(lines)-1] != "the sweep at "+m[2]+" is over; stopping" {
		t.Errorf("the worker told %q", lines)
	}
	for _, l := range lines[1 : len(lines)-1] {
		if !regexp.MustCompile(`^\S+ specialist r2_threshold=\S+ top_n=\d+ .* score=\S+ \(\d+\.\ds\)$`).MatchString(l) {
			t.Errorf("trial line %q", l)
		}
	}
}
