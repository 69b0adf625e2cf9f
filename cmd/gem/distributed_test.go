package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"gem/cluster"
	"gem/ledger"
)

// TestSweepDistributed: a sweep whose candidates go through the embedded
// NATS server to two local workers prints the same trial lines and records
// the same ledger rows, time and seconds aside, as a local sweep.
func TestSweepDistributed(t *testing.T) {
	t.Parallel() // its own embedded server; no global state
	data := synthCSV(t)
	dir := t.TempDir()
	sweep := func(name string, extra ...string) (lines []string, rows []string, stderr string) {
		t.Helper()
		path := filepath.Join(dir, name+".tsv")
		args := append([]string{"sweep", "--data", data, "--strategy", "specialist",
			"--param", "r2_threshold", "--values", "0,0.1,0.2,0.3,0.5,0.7", "--set", "top_n=8",
			"--workers", "2", "--ledger", path}, extra...)
		var out, errOut bytes.Buffer
		if code := Run(context.Background(), args, &out, &errOut); code != 0 {
			t.Fatalf("%s: exit %d: %s", name, code, errOut.String())
		}
		for _, l := range strings.Split(out.String(), "\n") {
			if !strings.HasPrefix(l, "Done.") { // Done. carries the elapsed time
				lines = append(lines, l)
			}
		}
		got, problems, err := ledger.Read(path)
		skipped := len(problems)
		if err != nil || skipped != 0 || len(got) != 6 {
			t.Fatalf("%s: %d rows, %d skipped, %v", name, len(got), skipped, err)
		}
		// Every trial's daily returns, and the benchmark's, are beside the
		// ledger, identical whether the trials ran here or on workers.
		series, rproblems, err := ledger.ReadReturns(ledger.ReturnsPath(path))
		if err != nil || len(rproblems) != 0 || len(series) != 7 {
			t.Fatalf("%s: %d series, %v, %v; want 6 trials and the benchmark", name, len(series), rproblems, err)
		}
		for _, s := range series {
			rows = append(rows, fmt.Sprint(s))
		}
		for _, r := range got {
			r.Time, r.Seconds = got[0].Time, 0
			rows = append(rows, fmt.Sprintf("%s %s %s %s %s score=%s base=%+v stress=%+v %s %s %s", r.Command, r.Strategy, r.Fill, r.Key(), r.Params, ledger.FormatFloat(r.Score), r.Base, r.Stress, r.Harness, r.Data, r.Rejection))
		}
		return lines, rows, errOut.String()
	}
	wantLines, wantRows, _ := sweep("local")
	gotLines, gotRows, stderr := sweep("distributed", "--distributed")
	verLines, verRows, _ := sweep("verified", "--distributed", "--verify-remote", "1")
	if g, w := strings.Join(verLines, "\n"), strings.Join(wantLines, "\n"); g != w || !slices.Equal(verRows, wantRows) {
		t.Errorf("a distributed sweep with every result verified differs from the local one:\n%s", g)
	}
	if !strings.Contains(stderr, "gem worker --nats nats://127.0.0.1:") {
		t.Errorf("stderr does not tell how to add workers:\n%s", stderr)
	}
	if !strings.Contains(stderr, "on loopback: other machines cannot reach it (to let them, use --nats-listen 0.0.0.0:") {
		t.Errorf("stderr does not say that other machines cannot reach a loopback server:\n%s", stderr)
	}
	if g, w := strings.Join(gotLines, "\n"), strings.Join(wantLines, "\n"); g != w {
		t.Errorf("distributed sweep printed\n%s\nwant\n%s", g, w)
	}
	for i := range wantRows {
		if gotRows[i] != wantRows[i] {
			t.Errorf("row %d:\ngot  %s\nwant %s", i, gotRows[i], wantRows[i])
		}
	}
}

// startSweep starts gem sweep --distributed as a subprocess and returns it
// with the worker command line it printed: the URL and the secret.
func startSweep(t *testing.T, bin string, args ...string) (cmd *exec.Cmd, stdout, stderr *watchedBuffer, url, secret string) {
	t.Helper()
	cmd, stdout, stderr, url, path := startSweepPath(t, bin, args...)
	b, err := os.ReadFile(path)
	if err != nil {
		cmd.Process.Kill()
		t.Fatal(err)
	}
	secret = strings.TrimSpace(string(b))
	if len(secret) < 32 || strings.Contains(stderr.String()+stdout.String(), secret) {
		t.Errorf("secret %q: too short, or printed", secret)
	}
	return cmd, stdout, stderr, url, secret
}

// startSweepPath is startSweep, returning the secret file's path.
func startSweepPath(t *testing.T, bin string, args ...string) (cmd *exec.Cmd, stdout, stderr *watchedBuffer, url, secretPath string) {
	t.Helper()
	cmd = exec.Command(bin, append([]string{"sweep", "--distributed"}, args...)...)
	stdout, stderr = newWatched(""), newWatched(`add workers on this machine with: .*\n`)
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-stderr.ready:
	case <-time.After(time.Minute):
		cmd.Process.Kill()
		t.Fatalf("the sweep printed no worker command line:\n%s", stderr.String())
	}
	m := regexp.MustCompile(`GEM_NATS_SECRET=\$\(cat ([^)]+)\) gem worker --nats (\S+) `).FindStringSubmatch(stderr.String())
	if m == nil {
		cmd.Process.Kill()
		t.Fatalf("no worker command line in:\n%s", stderr.String())
	}
	return cmd, stdout, stderr, m[2], m[1]
}

// TestWorkerLifecycle runs gem worker beside a distributed sweep, both as
// subprocesses: the worker takes part (its trials are recorded like the
// others) and exits with status 0 within seconds of the sweep's end; a
// worker interrupted while the sweep runs exits 130.
func TestWorkerLifecycle(t *testing.T) {
	t.Parallel() // subprocesses only: no state shared with other tests
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildGem(t)
	data := synthCSV(t)

	t.Run("exits when the sweep ends", func(t *testing.T) {
		t.Parallel() // its own sweep and server; most of it is waiting
		path := filepath.Join(t.TempDir(), "ledger.tsv")
		sweep, sweepOut, sweepErr, url, secret := startSweep(t, bin, "--plan", "phased", "--data", data, "--workers", "1", "--ledger", path)
		worker := exec.Command(bin, "worker", "--nats", url, "--data", data, "--workers", "1", "--name", "remote")
		worker.Env = append(os.Environ(), "GEM_NATS_SECRET="+secret)
		var wout, werr bytes.Buffer
		worker.Stdout, worker.Stderr = &wout, &werr
		if err := worker.Start(); err != nil {
			t.Fatal(err)
		}
		workerDone := make(chan error, 1)
		go func() { workerDone <- worker.Wait() }()
		if err := sweep.Wait(); err != nil {
			worker.Process.Kill()
			t.Fatalf("sweep: %v\n%s", err, sweepErr.String())
		}
		ended := time.Now()
		select {
		case err := <-workerDone:
			if err != nil {
				t.Errorf("worker: %v\n%s", err, werr.String())
			}
			t.Logf("the worker exited %v after the sweep", time.Since(ended).Round(time.Millisecond))
		case <-time.After(5 * time.Second):
			worker.Process.Kill()
			t.Fatalf("the worker was still running 5s after the sweep ended:\n%s", wout.String())
		}
		if !strings.Contains(wout.String(), "is over; stopping") {
			t.Errorf("the worker did not say the sweep is over:\n%s", wout.String())
		}
		if n := strings.Count(wout.String(), " score="); n == 0 {
			t.Errorf("the remote worker evaluated no trial:\n%s", wout.String())
		}
		if !strings.Contains(sweepOut.String(), "Done.") {
			t.Errorf("the sweep did not finish:\n%s", sweepOut.String())
		}
		checkWhole(t, "sweep", path)
	})

	t.Run("kill -9 leaves nothing after the next start", func(t *testing.T) {
		sweep, _, _, _, secretPath := startSweepPath(t, bin, "--plan", "phased", "--data", data, "--workers", "1", "--ledger", "-")
		runDir := filepath.Dir(secretPath)
		sweep.Process.Signal(syscall.SIGKILL)
		sweep.Wait()
		if _, err := os.Stat(runDir); err != nil {
			t.Fatalf("test premise: the killed sweep's run directory is already gone: %v", err)
		}
		next, _, _, _, _ := startSweepPath(t, bin, "--strategy", "specialist", "--param", "top_n", "--values", "1,2", "--data", data, "--ledger", "-")
		if err := next.Wait(); err != nil {
			t.Fatalf("the next sweep: %v", err)
		}
		if _, err := os.Stat(runDir); !os.IsNotExist(err) {
			t.Errorf("the killed sweep's run directory %s survived the next start (%v)", runDir, err)
		}
	})

	t.Run("interrupted", func(t *testing.T) {
		t.Parallel() // its own sweep and server; most of it is waiting
		sweep, _, _, url, secret := startSweep(t, bin, "--plan", "phased", "--data", data, "--workers", "1", "--ledger", "-")
		defer func() { sweep.Process.Kill(); sweep.Wait() }()
		r := interrupt(t, bin, interruptRun{args: []string{"worker", "--nats", url, "--data", data, "--workers", "1"},
			env: []string{"GEM_NATS_SECRET=" + secret}, ready: `score=`, delay: 100 * time.Millisecond, again: -1})
		checkInterrupted(t, "worker", r)
	})
}

// captureWarnings sends slog's output to a buffer until the test ends.
func captureWarnings(t *testing.T) *watchedBuffer {
	t.Helper()
	buf := newWatched("")
	old := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(buf, nil)))
	t.Cleanup(func() { slog.SetDefault(old) })
	return buf
}

// startNATS starts a NATS server of one's own for --nats: with a token when
// secret is set, open to anyone otherwise.
func startNATS(t *testing.T, secret string) string {
	t.Helper()
	srv, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: server.RANDOM_PORT, JetStream: true,
		StoreDir: t.TempDir(), NoSigs: true, NoLog: true, Authorization: secret})
	if err != nil {
		t.Fatal(err)
	}
	srv.Start()
	t.Cleanup(srv.Shutdown)
	if !srv.ReadyForConnections(10 * time.Second) {
		t.Fatal("nats server did not start")
	}
	return srv.ClientURL()
}

// trialConsumer waits for the sweep's work queue and returns its consumer.
func trialConsumer(t *testing.T, js jetstream.JetStream) jetstream.Consumer {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if cons, err := js.Consumer(context.Background(), cluster.TrialStream, cluster.ConsumerName); err == nil {
			return cons
		}
	}
	t.Fatal("the sweep created no work queue")
	return nil
}

// TestSweepForgedResults reproduces the attack of issue 10 on a sweep
// through a NATS server that lets anyone in: a process without the run's
// secret takes trials and answers them with forged results (score 1e6, a
// script as rejection). The sweep stops with an error that says so, and no
// forged row reaches the ledger.
func TestSweepForgedResults(t *testing.T) {
	data := synthCSV(t)
	url := startNATS(t, "")
	t.Setenv("GEM_NATS_SECRET", "the run's secret, which the intruder does not have")
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "ledger.tsv")
	var out, errOut bytes.Buffer
	code := make(chan int, 1)
	go func() {
		code <- Run(context.Background(), []string{"sweep", "--nats", url, "--data", data, "--strategy", "specialist",
			"--param", "fit_window", "--values", "20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35", "--workers", "1", "--ledger", path}, &out, &errOut)
	}()
	cons := trialConsumer(t, js)
	forge := func(msg jetstream.Msg) {
		var env struct {
			Body json.RawMessage `json:"body"`
		}
		var tr cluster.Trial
		if json.Unmarshal(msg.Data(), &env) != nil || json.Unmarshal(env.Body, &tr) != nil {
			return
		}
		row := ledger.Row{Time: time.Now(), Strategy: tr.Strategy, Fill: tr.Fill, Params: tr.Params, Score: 1e6,
			Rejection: "<script>alert(1)</script>", Harness: tr.Harness, Data: tr.Data}
		line, _ := row.MarshalText()
		body, _ := json.Marshal(map[string]string{"id": tr.ID, "worker": "evil", "row": string(line)})
		forged, _ := json.Marshal(map[string]any{"body": json.RawMessage(body), "mac": strings.Repeat("ab", 32)})
		js.Publish(context.Background(), tr.Results, forged)
		msg.Ack()
	}
	var c int
	for waiting := true; waiting; {
		select {
		case c = <-code:
			waiting = false
		default:
			if msg, err := cons.Next(jetstream.FetchMaxWait(100 * time.Millisecond)); err == nil {
				forge(msg)
			}
		}
	}
	if c != 1 || !strings.Contains(errOut.String(), "refused a result") || !strings.Contains(errOut.String(), `worker "evil"`) ||
		!strings.Contains(errOut.String(), "no valid MAC") {
		t.Errorf("exit %d, stderr %q; want exit 1 and the forged result refused", c, errOut.String())
	}
	if strings.Contains(out.String(), "Done.") {
		t.Error("the sweep printed Done.")
	}
	rows, problems, err := ledger.Read(path)
	if err != nil || len(problems) > 0 {
		t.Fatalf("ledger: %v %v", problems, err)
	}
	for _, r := range rows {
		if r.Score == 1e6 || strings.Contains(r.Rejection, "script") {
			t.Errorf("a forged row reached the ledger: %s score=%g %q", r.Params, r.Score, r.Rejection)
		}
	}
}

// TestSweepStaleWorker: a worker with other data beside the sweep's own
// worker refuses trials; they go to the good worker, the sweep completes
// with every trial once and no zero-score line, and a warning names the
// stale worker.
func TestSweepStaleWorker(t *testing.T) {
	data, other := synthCSV(t), synthCSV(t)
	if err := os.WriteFile(other, append(mustRead(t, data), "ZZZ,2030-01-01,1,1,1,1,1\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	const secret = "a secret shared by the sweep and its workers"
	url := startNATS(t, secret)
	t.Setenv("GEM_NATS_SECRET", secret)
	warnings := captureWarnings(t)

	// The stale worker is polling before the sweep publishes anything.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	staleOut := newWatched(`worker stale on`)
	go Run(ctx, []string{"worker", "--nats", url, "--data", other, "--workers", "1", "--name", "stale"}, staleOut, io.Discard)
	select {
	case <-staleOut.ready:
	case <-time.After(time.Minute):
		t.Fatal("the stale worker did not start")
	}
	values := "0,0.1,0.2,0.3,0.5,0.7"
	path := filepath.Join(t.TempDir(), "ledger.tsv")
	var out, errOut bytes.Buffer
	if c := Run(context.Background(), []string{"sweep", "--nats", url, "--data", data, "--strategy", "specialist", "--param", "r2_threshold",
		"--values", values, "--set", "top_n=8", "--workers", "1", "--ledger", path}, &out, &errOut); c != 0 {
		t.Fatalf("exit %d: %s", c, errOut.String())
	}
	if !strings.Contains(warnings.String(), "worker stale-1 refused trial") || !strings.Contains(warnings.String(), "its trials go to other workers") {
		t.Errorf("no warning names the stale worker:\n%s", warnings.String())
	}
	if strings.Contains(out.String(), "score=0.000000") {
		t.Errorf("a refused trial printed a zero score:\n%s", out.String())
	}
	rows, problems, err := ledger.Read(path)
	if err != nil || len(problems) > 0 || len(rows) != 6 {
		t.Fatalf("ledger: %d rows, %v %v; want 6", len(rows), problems, err)
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
