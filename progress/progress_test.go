package progress

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vbauerster/mpb/v8"
)

func TestProgressLine(t *testing.T) {
	tests := []struct {
		name        string
		done, total int
		elapsed     time.Duration
		best        float64
		want        string
	}{
		{"nothing done", 0, 10, 3 * time.Second, math.Inf(-1),
			"gem: sweep: 0/10 trials (0%), 3s elapsed, ETA unknown, best score none yet"},
		{"a quarter", 5, 20, 50 * time.Second, 0.1234567,
			"gem: sweep: 5/20 trials (25%), 50s elapsed, ETA 2m30s, best score 0.123457"},
		{"done", 4, 4, 90500 * time.Millisecond, -0.5,
			"gem: sweep: 4/4 trials (100%), 1m31s elapsed, ETA 0s, best score -0.500000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := progressLine("sweep", tt.done, tt.total, tt.elapsed, tt.best); got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

// TestWithProgressNotTerminal: writers that are not terminals get no bar,
// and stdout is passed through untouched.
func TestWithProgressNotTerminal(t *testing.T) {
	var out, errOut bytes.Buffer
	ctx, stdout := WithConsole(context.Background(), &out, &errOut)
	if stdout != &out {
		t.Errorf("stdout was wrapped: got %T", stdout)
	}
	c, _ := ctx.Value(consoleKey{}).(*console)
	if c == nil || c.tty || c.shared {
		t.Fatalf("console: got %+v, want one without a terminal", c)
	}
	if pr := startProgress(context.Background(), "sweep", 3, math.Inf(-1), nil); pr != nil {
		t.Error("progress without a console")
	}
	var nilProgress *progress
	nilProgress.trialDone(true, 1) // must not panic
	nilProgress.finish()
}

// syncBuffer is a bytes.Buffer safe for the bar's goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestProgressBar draws the bar on a buffer treated as a terminal, with
// stdout shared, and checks the final frame and that stdout's lines come out
// above the bar.
func TestProgressBar(t *testing.T) {
	var term syncBuffer
	c := &console{stdout: &term, stderr: &term, tty: true, shared: true}
	pr := &progress{name: "sweep", total: 3, start: time.Now(), best: math.Inf(-1), c: c}
	pr.startBar(&term, mpb.ForceTTY(), mpb.WithAutoRefresh())
	stdout := consoleStdout{c}
	for i, s := range []float64{0.1, math.Inf(-1), 0.3} {
		fmt.Fprintf(stdout, "trial %d\n", i)
		pr.trialDone(true, s)
	}
	pr.finish()
	fmt.Fprintln(stdout, "Done.")
	got := term.String()
	for _, want := range []string{"trial 0\n", "trial 2\n", "sweep 3/3", "100 %", "best 0.300000", "Done.\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("terminal output lacks %q:\n%q", want, got)
		}
	}
	if i, j := strings.LastIndex(got, "trial 2"), strings.LastIndex(got, "sweep 3/3"); i > j {
		t.Errorf("a trial line came after the final bar:\n%q", got)
	}
	if c.bar != nil {
		t.Error("the console still routes stdout through a finished bar")
	}
}

// TestProgressPlain: without a terminal, progress is a plain line every
// interval on stderr.
func TestProgressPlain(t *testing.T) {
	var errOut syncBuffer
	c := &console{stdout: &bytes.Buffer{}, stderr: &errOut, interval: 5 * time.Millisecond}
	ctx := context.WithValue(context.Background(), consoleKey{}, c)
	pr := startProgress(ctx, "search", 4, 0.25, nil)
	pr.trialDone(true, 0.125)
	pr.trialDone(false, 0.5) // from the ledger: not counted, but a better score
	time.Sleep(40 * time.Millisecond)
	pr.finish()
	lines := strings.Split(strings.TrimSpace(errOut.String()), "\n")
	re := regexp.MustCompile(`^gem: search: 1/4 trials \(25%\), [0-9.]+m?s elapsed, ETA [0-9.]+[mµn]?s, best score 0\.500000$`)
	if len(lines) < 2 || !re.MatchString(lines[len(lines)-1]) {
		t.Errorf("plain progress: got %q, want lines matching %s", lines, re)
	}
}

// TestProgressNote: an observer's note is appended to the plain progress
// line while it is set, and gone once cleared.
func TestProgressNote(t *testing.T) {
	var errOut syncBuffer
	c := &console{stdout: &bytes.Buffer{}, stderr: &errOut, interval: 5 * time.Millisecond}
	o := NewObserver(context.WithValue(context.Background(), consoleKey{}, c), "sweep")
	o.Start(2)
	o.Note("waiting for 1 trial held by workers")
	time.Sleep(40 * time.Millisecond)
	if got := errOut.String(); !strings.Contains(got, "best score none yet; waiting for 1 trial held by workers\n") {
		t.Errorf("plain progress %q does not show the note", got)
	}
	o.Note("")
	time.Sleep(40 * time.Millisecond)
	o.Stop()
	lines := strings.Split(strings.TrimSpace(errOut.String()), "\n")
	if last := lines[len(lines)-1]; strings.Contains(last, "waiting") {
		t.Errorf("last line %q still shows a cleared note", last)
	}
}

// TestCounter: a counter's units from several goroutines are all counted,
// with the best score among them; a context without a console shows nothing.
func TestCounter(t *testing.T) {
	var errOut syncBuffer
	c := &console{stdout: &bytes.Buffer{}, stderr: &errOut, interval: 5 * time.Millisecond}
	k := NewCounter(context.WithValue(context.Background(), consoleKey{}, c), "optimum", 100)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 25 {
				k.Add(float64(g*25+i) / 1000)
			}
			k.Add(math.Inf(-1)) // beyond the total: counted, never the best
		})
	}
	wg.Wait()
	time.Sleep(40 * time.Millisecond)
	k.Stop()
	lines := strings.Split(strings.TrimSpace(errOut.String()), "\n")
	if want := "gem: optimum: 104/100 trials (104%)"; !strings.HasPrefix(lines[len(lines)-1], want) || !strings.HasSuffix(lines[len(lines)-1], "best score 0.099000") {
		t.Errorf("last line %q, want %q... best score 0.099000", lines[len(lines)-1], want)
	}
	quiet := NewCounter(context.Background(), "optimum", 3)
	quiet.Add(1)
	quiet.Stop()
}
