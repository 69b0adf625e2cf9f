package cluster

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"gem/harness"
	"gem/ledger"
	"gem/strategy"
	"gem/synth"
	"gem/trial"
)

// testPanel is a small synthetic universe on which a trial takes a few
// milliseconds.
func testPanel(t *testing.T) *harness.Panel {
	t.Helper()
	cfg := synth.DefaultConfig()
	cfg.Tokens, cfg.Days = 20, 200
	p, err := synth.Panel(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// evaluator evaluates a trial the way gem does (Evaluate, trial.Evaluate).
func evaluator(p *harness.Panel) func(context.Context, *Trial) (ledger.Row, error) {
	env := trial.NewEnv(p, "")
	return func(ctx context.Context, t *Trial) (ledger.Row, error) { return Evaluate(ctx, env, t) }
}

// testTrials sweeps the specialist's top_n.
func testTrials(p *harness.Panel) []Trial {
	var trials []Trial
	for _, n := range []int{1, 2, 3, 5, 8, 12} {
		cfg, err := strategy.Build("specialist", fmt.Sprintf("top_n=%d", n))
		if err != nil {
			panic(err)
		}
		trials = append(trials, Trial{Strategy: "specialist", Fill: "causal", Params: strategy.Assign(cfg).String(),
			Data: p.Fingerprint(), Harness: harness.Fingerprint()})
	}
	return trials
}

// rowString is a row with time and seconds aside; %v writes floats in
// their shortest exact form, so equal strings mean bit-identical values.
func rowString(r ledger.Row) string {
	r.Time, r.Seconds = time.Time{}, 0
	return fmt.Sprintf("%+v", r)
}

func startServer(t *testing.T) *Server {
	t.Helper()
	srv, err := StartServer("")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Shutdown)
	if !strings.HasPrefix(srv.URL(), "nats://127.0.0.1:") {
		t.Errorf("server URL %s, want loopback", srv.URL())
	}
	return srv
}

func connect(t *testing.T, url string) *nats.Conn {
	t.Helper()
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	return nc
}

// startWorkers runs workers until the test ends.
func startWorkers(t *testing.T, workers ...*Worker) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for _, w := range workers {
		wg.Go(func() {
			if err := w.Run(ctx); err != nil {
				t.Errorf("worker %s: %v", w.Name, err)
			}
		})
	}
	t.Cleanup(func() { cancel(); wg.Wait() })
}

// collect runs trials through a coordinator and returns the results by
// trial, failing when a trial is handed on other than once.
func collect(t *testing.T, c *Coordinator, trials []Trial) []*Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	got := make([]*Result, len(trials))
	err := c.Run(ctx, trials, func(i int, r *Result) {
		if got[i] != nil {
			t.Errorf("trial %d handed on twice", i)
		}
		got[i] = r
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func checkEqualsLocal(t *testing.T, p *harness.Panel, trials []Trial, got []*Result) {
	t.Helper()
	eval := evaluator(p)
	for i, r := range got {
		if r == nil {
			t.Errorf("trial %d: no result", i)
			continue
		}
		if r.Error != "" {
			t.Errorf("trial %d: %s", i, r.Error)
			continue
		}
		want, err := eval(context.Background(), &trials[i])
		if err != nil {
			t.Fatal(err)
		}
		if g, w := rowString(r.Row), rowString(want); g != w {
			t.Errorf("trial %d:\ngot  %s\nwant %s", i, g, w)
		}
	}
}

// TestDistributedEqualsLocal: two workers and a coordinator on an embedded
// server give, for every trial, the row a local evaluation gives.
func TestDistributedEqualsLocal(t *testing.T) {
	p := testPanel(t)
	srv := startServer(t)
	var workers []*Worker
	for i := range 2 {
		workers = append(workers, &Worker{Conn: connect(t, srv.URL()), Name: fmt.Sprint("w", i), Data: p.Fingerprint(),
			Harness: harness.Fingerprint(), Evaluate: evaluator(p)})
	}
	startWorkers(t, workers...)
	c := &Coordinator{Conn: connect(t, srv.URL())}
	trials := testTrials(p)
	checkEqualsLocal(t, p, trials, collect(t, c, trials))
	// A second batch on the same coordinator.
	trials = testTrials(p)[:2]
	checkEqualsLocal(t, p, trials, collect(t, c, trials))
}

// TestRedelivery: a worker that dies mid-trial, without acknowledging it,
// leaves the trial to be redelivered to another worker; a trial answered
// more than once is handed on once.
func TestRedelivery(t *testing.T) {
	const ackWait = 300 * time.Millisecond
	p := testPanel(t)
	srv := startServer(t)
	ctx := context.Background()

	dying := connect(t, srv.URL())
	js, err := jetstream.New(dying)
	if err != nil {
		t.Fatal(err)
	}
	cons, err := setup(ctx, js, ackWait)
	if err != nil {
		t.Fatal(err)
	}
	c := &Coordinator{Conn: connect(t, srv.URL()), AckWait: ackWait}
	trials := testTrials(p)
	type outcome struct {
		got []*Result
		err error
	}
	res := make(chan outcome, 1)
	go func() {
		got := make([]*Result, len(trials))
		err := c.Run(ctx, trials, func(i int, r *Result) {
			if got[i] != nil {
				t.Errorf("trial %d handed on twice", i)
			}
			got[i] = r
		})
		res <- outcome{got, err}
	}()

	// The dying worker takes two trials. It answers the first, twice (as if
	// its publish were retried), and dies before acknowledging either.
	var taken [2]Trial
	for i := range taken {
		msg, err := cons.Next(jetstream.FetchMaxWait(10 * time.Second))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(msg.Data(), &taken[i]); err != nil {
			t.Fatal(err)
		}
	}
	row, err := evaluator(p)(ctx, &taken[0])
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(Result{ID: taken[0].ID, Worker: "dying", Row: row})
	for range 2 {
		if _, err := js.Publish(ctx, taken[0].Results, b); err != nil {
			t.Fatal(err)
		}
	}
	dying.Close()

	var mu sync.Mutex
	redone := 0
	startWorkers(t, &Worker{Conn: connect(t, srv.URL()), Name: "good", Data: p.Fingerprint(), Harness: harness.Fingerprint(),
		Evaluate: evaluator(p), AckWait: ackWait, Done: func(tr *Trial, _ *Result) {
			if tr.ID == taken[1].ID {
				mu.Lock()
				redone++
				mu.Unlock()
			}
		}})
	var o outcome
	select {
	case o = <-res:
	case <-time.After(30 * time.Second):
		t.Fatal("coordinator did not finish in 30s")
	}
	if o.err != nil {
		t.Fatal(o.err)
	}
	checkEqualsLocal(t, p, trials, o.got)
	mu.Lock()
	defer mu.Unlock()
	if redone != 1 {
		t.Errorf("the dead worker's trial was evaluated again %d times, want 1", redone)
	}
}

// TestFingerprintMismatch: a worker with other data refuses the trials, and
// the coordinator hands on its refusal as the trials' error.
func TestFingerprintMismatch(t *testing.T) {
	p := testPanel(t)
	srv := startServer(t)
	startWorkers(t, &Worker{Conn: connect(t, srv.URL()), Name: "stale", Data: "0123456789abcdef", Harness: harness.Fingerprint(),
		Evaluate: func(context.Context, *Trial) (ledger.Row, error) {
			t.Error("a refused trial was evaluated")
			return ledger.Row{}, nil
		}})
	c := &Coordinator{Conn: connect(t, srv.URL())}
	trials := testTrials(p)[:2]
	for i, r := range collect(t, c, trials) {
		if r == nil || !strings.Contains(r.Error, "data fingerprint 0123456789abcdef differs") {
			t.Errorf("trial %d: got %+v, want a data fingerprint error", i, r)
		}
	}
}

// TestResultRoundTrip: results survive JSON bit for bit, −Inf scores too
// (the row travels as its ledger line, times to the second), and a result
// whose row was altered in transit is refused.
func TestResultRoundTrip(t *testing.T) {
	r := Result{ID: "x.1.0", Worker: "w", Row: ledger.Row{Time: time.Unix(1700000000, 0).UTC(), Strategy: "specialist",
		Score: negInf(), Rejection: "stress calmar < 0", Base: harness.Metrics{SharpeRatio: 0.1 + 0.2, RebalanceCount: 7}, Seconds: 1.5}}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var got Result
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if g, w := fmt.Sprintf("%+v", got), fmt.Sprintf("%+v", r); g != w {
		t.Errorf("got  %s\nwant %s", g, w)
	}
	forged := strings.Replace(string(b), `\t-inf\t`, `\t1000000\t`, 1)
	if forged == string(b) {
		t.Fatal("test premise: the score was not found in the message")
	}
	if err := json.Unmarshal([]byte(forged), &got); err == nil {
		t.Error("a result with an altered score was accepted")
	}
}

func negInf() float64 { x := 0.0; return -1 / x }
