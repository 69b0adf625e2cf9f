package cluster

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
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
func evaluator(p *harness.Panel) func(context.Context, *Trial) (ledger.Row, *ledger.Series, error) {
	env := trial.NewEnv(p, "")
	return func(ctx context.Context, t *Trial) (ledger.Row, *ledger.Series, error) { return Evaluate(ctx, env, t) }
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

// testSecret is the run secret of the tests' servers, coordinators and
// workers.
const testSecret = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

func startServer(t *testing.T) *Server {
	t.Helper()
	srv, err := StartServer(ServerConfig{Secret: testSecret})
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
	nc, err := Connect(url, ConnectOptions{Name: t.Name(), Secret: testSecret})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	return nc
}

func newWorker(t *testing.T, url, name string, p *harness.Panel) *Worker {
	return &Worker{Conn: connect(t, url), Name: name, Secret: testSecret, Data: p.Fingerprint(),
		Harness: harness.Fingerprint(), Evaluate: evaluator(p)}
}

func newCoordinator(t *testing.T, url string) *Coordinator {
	return &Coordinator{Conn: connect(t, url), Secret: testSecret}
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
		want, rets, err := eval(context.Background(), &trials[i])
		if err != nil {
			t.Fatal(err)
		}
		if g, w := rowString(r.Row), rowString(want); g != w {
			t.Errorf("trial %d:\ngot  %s\nwant %s", i, g, w)
		}
		if !sameReturns(r.Returns, rets) {
			t.Errorf("trial %d: the returns differ from a local evaluation's", i)
		}
	}
}

// TestDistributedEqualsLocal: two workers and a coordinator on an embedded
// server give, for every trial, the row a local evaluation gives.
func TestDistributedEqualsLocal(t *testing.T) {
	p := testPanel(t)
	srv := startServer(t)
	startWorkers(t, newWorker(t, srv.URL(), "w0", p), newWorker(t, srv.URL(), "w1", p))
	c := newCoordinator(t, srv.URL())
	trials := testTrials(p)
	checkEqualsLocal(t, p, trials, collect(t, c, trials))
	// A second batch on the same coordinator.
	trials = testTrials(p)[:2]
	checkEqualsLocal(t, p, trials, collect(t, c, trials))
}

// TestRedelivery: a worker that dies mid-trial, without acknowledging it,
// leaves the trial to be redelivered to another worker after the
// coordinator's ack wait; meanwhile the coordinator reports the trials
// held; a trial answered more than once is handed on once.
func TestRedelivery(t *testing.T) {
	const ackWait = 300 * time.Millisecond
	p := testPanel(t)
	srv := startServer(t)
	ctx := context.Background()

	c := newCoordinator(t, srv.URL())
	c.AckWait = ackWait
	var mu sync.Mutex
	maxHeld := 0
	c.Waiting = func(held int, _ time.Duration) {
		mu.Lock()
		maxHeld = max(maxHeld, held)
		mu.Unlock()
	}
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
	dying := connect(t, srv.URL())
	js, err := jetstream.New(dying)
	if err != nil {
		t.Fatal(err)
	}
	w := &Worker{Conn: dying, Secret: testSecret}
	cons, err := w.consumer(ctx, js)
	if err != nil {
		t.Fatal(err)
	}
	var taken [2]Trial
	for i := range taken {
		msg, err := cons.Next(jetstream.FetchMaxWait(10 * time.Second))
		if err != nil {
			t.Fatal(err)
		}
		if err := unseal(testSecret, "trial", msg.Data(), &taken[i]); err != nil {
			t.Fatal(err)
		}
	}
	row, rets, err := evaluator(p)(ctx, &taken[0])
	if err != nil {
		t.Fatal(err)
	}
	b, err := encodeResult(testSecret, &Result{ID: taken[0].ID, Worker: "dying", Row: row, Returns: rets})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := js.Publish(ctx, taken[0].Results, b); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(1500 * time.Millisecond) // the coordinator's Waiting sees the trial held
	dying.Close()

	redone := 0
	good := newWorker(t, srv.URL(), "good", p)
	good.Done = func(tr *Trial, _ *Result) {
		if tr.ID == taken[1].ID {
			mu.Lock()
			redone++
			mu.Unlock()
		}
	}
	startWorkers(t, good)
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
	if maxHeld < 1 {
		t.Errorf("Waiting saw at most %d trials held, want at least the dying worker's", maxHeld)
	}
}

// TestFingerprintMismatch: a worker with other data refuses the trials.
// Beside a good worker, its refusals are not results: every trial is
// evaluated by the good worker, and the coordinator warns once about the
// bad one. Alone, each trial fails after RefuseWait with an error that
// names it and its reason.
func TestFingerprintMismatch(t *testing.T) {
	p := testPanel(t)
	stale := func(url string) *Worker {
		w := newWorker(t, url, "stale", p)
		w.Data = "0123456789abcdef"
		w.Evaluate = func(context.Context, *Trial) (ledger.Row, *ledger.Series, error) {
			t.Error("a refused trial was evaluated")
			return ledger.Row{}, nil, nil
		}
		return w
	}

	t.Run("beside a good worker", func(t *testing.T) {
		srv := startServer(t)
		// The stale worker starts first, so that it sees trials.
		var mu sync.Mutex
		refusals := 0
		sw := stale(srv.URL())
		sw.Done = func(_ *Trial, r *Result) {
			if r.Refused {
				mu.Lock()
				refusals++
				mu.Unlock()
			}
		}
		startWorkers(t, sw)
		c := newCoordinator(t, srv.URL())
		var warnings []string
		c.Warn = func(msg string) { warnings = append(warnings, msg) }
		trials := testTrials(p)
		got := make(chan []*Result, 1)
		go func() { got <- collect(t, c, trials) }()
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
			mu.Lock()
			n := refusals
			mu.Unlock()
			if n > 0 {
				break
			}
		}
		startWorkers(t, newWorker(t, srv.URL(), "good", p))
		checkEqualsLocal(t, p, trials, <-got)
		if len(warnings) != 1 || !strings.Contains(warnings[0], "worker stale refused trial") || !strings.Contains(warnings[0], "data fingerprint 0123456789abcdef differs") {
			t.Errorf("warnings %q, want one naming the stale worker and its data", warnings)
		}
	})

	t.Run("alone", func(t *testing.T) {
		srv := startServer(t)
		startWorkers(t, stale(srv.URL()))
		c := newCoordinator(t, srv.URL())
		c.RefuseWait = 1500 * time.Millisecond
		trials := testTrials(p)[:2]
		for i, r := range collect(t, c, trials) {
			if r == nil || r.Refused || !strings.Contains(r.Error, "no worker took trial "+trials[i].ID+" in 1.5s: refused by") ||
				!strings.Contains(r.Error, "worker stale refused") {
				t.Errorf("trial %d: got %+v, want an error saying no worker took it", i, r)
			}
		}
	})
}

// TestResultRoundTrip: results survive their encoding bit for bit, −Inf
// scores too (the row travels as its ledger line, times to the second); a
// result whose row was altered in transit, or that was sealed with another
// secret, is refused.
func TestResultRoundTrip(t *testing.T) {
	r := Result{ID: "x.1.0", Worker: "w", Row: ledger.Row{Time: time.Unix(1700000000, 0).UTC(), Strategy: "specialist",
		Score: negInf(), Rejection: "stress calmar < 0", Base: harness.Metrics{SharpeRatio: 0.1 + 0.2, RebalanceCount: 7}, Seconds: 1.5}}
	b, err := encodeResult(testSecret, &r)
	if err != nil {
		t.Fatal(err)
	}
	got, err := decodeResult(testSecret, b)
	if err != nil {
		t.Fatal(err)
	}
	if g, w := fmt.Sprintf("%+v", *got), fmt.Sprintf("%+v", r); g != w {
		t.Errorf("got  %s\nwant %s", g, w)
	}
	forged := strings.Replace(string(b), `\t-inf\t`, `\t1000000\t`, 1)
	if forged == string(b) {
		t.Fatal("test premise: the score was not found in the message")
	}
	if _, err := decodeResult(testSecret, []byte(forged)); !errors.Is(err, ErrForged) {
		t.Errorf("a result with an altered score: got %v, want ErrForged", err)
	}
	if _, err := decodeResult(strings.Repeat("f", 64), b); !errors.Is(err, ErrForged) {
		t.Errorf("a result sealed with another secret: got %v, want ErrForged", err)
	}
	// A trial sealed with the secret is not a valid result (kinds differ).
	tb, err := seal(testSecret, "trial", wireResult{ID: "x.1.0", Worker: "w", Error: "x"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := decodeResult(testSecret, tb); !errors.Is(err, ErrForged) {
		t.Errorf("a trial replayed as a result: got %v, want ErrForged", err)
	}
}

// TestHostileResults: messages that are not results, or are results of
// absurd size or shape, are errors, never panics.
func TestHostileResults(t *testing.T) {
	valid, err := seal(testSecret, "result", wireResult{ID: "a", Worker: "w", Row: "not\ta\trow"})
	if err != nil {
		t.Fatal(err)
	}
	for _, msg := range []string{"", "null", "{}", `{"body":1}`, `{"body":{},"mac":"zz"}`, `{"body":{},"mac":""}`,
		`{"body":` + strings.Repeat("[", 100000) + `,"mac":""}`, string(valid), `[` + strings.Repeat(`"x",`, 1000) + `"x"]`} {
		if _, err := decodeResult(testSecret, []byte(msg)); err == nil {
			t.Errorf("%.60q: accepted", msg)
		}
	}
}

// TestResultReturns: the returns travel bit for bit; returns of another
// trial, truncated or oversized records and garbage are refused without a
// panic.
func TestResultReturns(t *testing.T) {
	row := ledger.Row{Time: time.Unix(1700000000, 0).UTC(), Strategy: "specialist", Fill: "causal", Harness: "h", Data: "d"}
	rets := &ledger.Series{Key: row.Key(), Days: []harness.Date{19000, 19001}, Returns: []float64{0.1 + 0.2, negInf()}}
	b, err := encodeResult(testSecret, &Result{ID: "x.1.0", Worker: "w", Row: row, Returns: rets})
	if err != nil {
		t.Fatal(err)
	}
	got, err := decodeResult(testSecret, b)
	if err != nil || !sameReturns(got.Returns, rets) {
		t.Fatalf("round trip: %+v, %v", got, err)
	}
	line, _ := row.MarshalText()
	payload, _ := rets.MarshalBinary()
	other := *rets
	other.Key = "0123456789abcdef"
	otherPayload, _ := other.MarshalBinary()
	for name, returns := range map[string][]byte{
		"another trial": otherPayload,
		"truncated":     payload[:len(payload)-3],
		"oversized":     make([]byte, ledger.MaxReturnsRecord+1),
		"garbage":       []byte("\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"),
	} {
		msg, err := seal(testSecret, "result", wireResult{ID: "x.1.0", Worker: "w", Row: string(line), Returns: returns})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := decodeResult(testSecret, msg); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	bad, _ := seal(testSecret, "result", map[string]any{"id": "x", "worker": "w", "row": string(line), "returns": "!!!"})
	if _, err := decodeResult(testSecret, bad); err == nil {
		t.Error("returns that are not base64: accepted")
	}
}

// TestAuthentication reproduces the attack of issue 10: a process on the
// machine connects to the coordinator's server and answers its trials with
// forged results (score 1e6, a script as rejection). Without the secret it
// cannot connect to an embedded server at all; on a server that lets it in
// (a server of the user's own with no authorization, --nats URL), its
// forged results stop the batch with an error naming the worker it claims
// to be, and no forged result is handed on.
func TestAuthentication(t *testing.T) {
	srv := startServer(t)
	for _, opts := range [][]nats.Option{nil, {nats.Token("guess")}, {nats.UserInfo("gem", testSecret)}} {
		if nc, err := nats.Connect(srv.URL(), opts...); err == nil {
			nc.Close()
			t.Errorf("connected to the embedded server with %d options and no secret", len(opts))
		} else if !strings.Contains(strings.ToLower(err.Error()), "authorization") {
			t.Errorf("got %v, want an authorization error", err)
		}
	}

	// A server that lets anyone in.
	open, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: server.RANDOM_PORT, JetStream: true,
		StoreDir: t.TempDir(), NoSigs: true, NoLog: true})
	if err != nil {
		t.Fatal(err)
	}
	open.Start()
	t.Cleanup(open.Shutdown)
	if !open.ReadyForConnections(10 * time.Second) {
		t.Fatal("server did not start")
	}
	p := testPanel(t)
	c := newCoordinator(t, open.ClientURL())
	trials := testTrials(p)
	var handed []*Result
	errc := make(chan error, 1)
	go func() {
		errc <- c.Run(context.Background(), trials, func(_ int, r *Result) { handed = append(handed, r) })
	}()

	intruder, err := nats.Connect(open.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	defer intruder.Close()
	js, err := jetstream.New(intruder)
	if err != nil {
		t.Fatal(err)
	}
	cons, err := (&Worker{Secret: "none"}).consumer(context.Background(), js)
	if err != nil {
		t.Fatal(err)
	}
	msg, err := cons.Next(jetstream.FetchMaxWait(10 * time.Second))
	if err != nil {
		t.Fatal(err)
	}
	// The intruder reads the trial (its body is plain JSON) and forges an
	// answer: a row with a valid key and checksum, but no MAC.
	var env sealed
	var tr Trial
	if err := json.Unmarshal(msg.Data(), &env); err != nil || json.Unmarshal(env.Body, &tr) != nil {
		t.Fatalf("reading the trial: %v", err)
	}
	row := ledger.Row{Time: time.Now(), Strategy: tr.Strategy, Fill: tr.Fill, Params: tr.Params, Score: 1e6,
		Rejection: "<script>alert(1)</script>", Harness: tr.Harness, Data: tr.Data}
	line, _ := row.MarshalText()
	forged, _ := json.Marshal(sealed{Body: mustJSON(t, wireResult{ID: tr.ID, Worker: "evil", Row: string(line)}), MAC: strings.Repeat("00", 32)})
	if _, err := js.Publish(context.Background(), tr.Results, forged); err != nil {
		t.Fatal(err)
	}
	msg.Ack()
	select {
	case err := <-errc:
		if !errors.Is(err, ErrForged) || !strings.Contains(err.Error(), `worker "evil"`) || !strings.Contains(err.Error(), tr.ID) {
			t.Errorf("got %v, want a forged result from worker evil refused", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the coordinator did not refuse the forged result within 20s")
	}
	if len(handed) != 0 {
		t.Errorf("%d results handed on, want none", len(handed))
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestForgedTrial: a worker drops a trial without a valid MAC and never
// evaluates it.
func TestForgedTrial(t *testing.T) {
	p := testPanel(t)
	srv := startServer(t)
	w := newWorker(t, srv.URL(), "w", p)
	w.Evaluate = func(context.Context, *Trial) (ledger.Row, *ledger.Series, error) {
		t.Error("a forged trial was evaluated")
		return ledger.Row{}, nil, nil
	}
	warned := make(chan string, 10)
	w.Warn = func(msg string) { warned <- msg }
	nc := connect(t, srv.URL())
	js, _ := jetstream.New(nc)
	if err := setup(context.Background(), js, time.Second); err != nil {
		t.Fatal(err)
	}
	startWorkers(t, w)
	tr := testTrials(p)[0]
	tr.ID, tr.Results = "x.1.0", "gem.results.x.1"
	b, _ := seal("another secret", "trial", tr)
	if _, err := js.Publish(context.Background(), "gem.trials.x.1", b); err != nil {
		t.Fatal(err)
	}
	select {
	case msg := <-warned:
		if !strings.Contains(msg, "not a trial of this run") {
			t.Errorf("warning %q", msg)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the worker did not drop the forged trial within 10s")
	}
}

// TestWorkersStopWhenRunIsOver: workers waiting for trials return
// ErrRunOver soon after the coordinator's Finish.
func TestWorkersStopWhenRunIsOver(t *testing.T) {
	p := testPanel(t)
	srv := startServer(t)
	c := newCoordinator(t, srv.URL())
	trials := testTrials(p)[:2]
	errc := make(chan error, 1)
	go func() {
		errc <- RunWorkers(context.Background(), Worker{Conn: connect(t, srv.URL()), Name: "w", Secret: testSecret}, 2, trial.NewEnv(p, ""))
	}()
	checkEqualsLocal(t, p, trials, collect(t, c, trials))
	if err := c.Finish(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-errc:
		if !errors.Is(err, ErrRunOver) {
			t.Errorf("workers returned %v, want ErrRunOver", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("workers still running 5s after the end of the run")
	}
}

// TestVerifyRemote: with Verify 1 every remote result is evaluated again;
// honest workers pass, and a worker whose rows differ in one bit of one
// metric stops the pool with an error naming it and the trial.
func TestVerifyRemote(t *testing.T) {
	p := testPanel(t)
	run := func(lie string) error {
		srv := startServer(t)
		w := newWorker(t, srv.URL(), "liar", p)
		if lie != "" {
			honest := w.Evaluate
			w.Evaluate = func(ctx context.Context, tr *Trial) (ledger.Row, *ledger.Series, error) {
				r, rets, err := honest(ctx, tr)
				if lie == "metric" {
					r.Stress.SortinoRatio = math.Nextafter(r.Stress.SortinoRatio, math.Inf(1))
				} else if err == nil {
					rets.Returns[len(rets.Returns)/2] = math.Nextafter(rets.Returns[len(rets.Returns)/2], 1)
				}
				return r, rets, err
			}
		}
		startWorkers(t, w)
		env := trial.NewEnv(p, "sweep")
		var specs []trial.Spec
		for _, tr := range testTrials(p) {
			s, err := trial.ParseSpec(tr.Strategy, tr.Fill, tr.Window, tr.Params)
			if err != nil {
				t.Fatal(err)
			}
			specs = append(specs, s)
		}
		pool := &trial.Pool{Env: env, Exec: Executor{Coord: newCoordinator(t, srv.URL()), Verify: 1}}
		return pool.Run(context.Background(), specs, func(int, *trial.Result) {})
	}
	if err := run(""); err != nil {
		t.Errorf("honest worker: %v", err)
	}
	for lie, what := range map[string]string{"metric": "stress sortino_ratio", "returns": "daily returns"} {
		err := run(lie)
		if err == nil || !strings.Contains(err.Error(), "worker liar's result for trial ") || !strings.Contains(err.Error(), what) {
			t.Errorf("worker lying about its %s: got %v, want its result refused", lie, err)
		}
	}
}

// TestSampled: the share of keys sampled is the fraction asked for, within
// five standard deviations of a binomial count, and depends on the key only.
func TestSampled(t *testing.T) {
	const n = 4000
	for _, f := range []float64{0, 0.05, 0.25, 1} {
		k := 0
		for i := range n {
			key := ledger.Key("specialist", "causal", "", fmt.Sprintf("top_n=%d", i), "h", "d")
			if Sampled(key, f) {
				k++
			}
			if Sampled(key, f) != Sampled(key, f) {
				t.Fatal("not a function of the key")
			}
		}
		sd := math.Sqrt(n * f * (1 - f))
		if math.Abs(float64(k)-n*f) > 5*sd {
			t.Errorf("fraction %g: %d of %d sampled, want %g ± %.0f", f, k, n, n*f, 5*sd)
		}
	}
}

func negInf() float64 { x := 0.0; return -1 / x }
