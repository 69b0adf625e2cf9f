// Package progress shows how far a command's trials are, on stderr: on a
// terminal a live bar (mpb) with the count, the ETA and the best score so
// far; otherwise one plain line every ten seconds. Its Observer plugs into a
// trial.Pool.
//
// Files:
//
//	progress.go   the console, the display of one batch, and Observer.
package progress

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"sync"
	"time"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
	"golang.org/x/term"

	"gem/trial"
)

// Progress of the trials a pool runs goes to stderr, never stdout, so that
// stdout's per-trial lines stay exactly what they are without it: on a
// terminal, a live bar with the count, ETA and best score so far; otherwise
// one plain line every progressInterval (so runs shorter than that print
// nothing, and tests that capture stderr see no timing-dependent text).

// progressInterval is the period of the plain progress lines.
const progressInterval = 10 * time.Second

// console is where one invocation of gem writes: its stdout, and its stderr
// where progress goes. While a bar is live and stdout is the same terminal,
// writes to stdout go through the bar's container, which prints them above
// the bar instead of tearing it.
type console struct {
	stdout, stderr io.Writer
	tty            bool          // stderr is a terminal: draw bars
	shared         bool          // stdout is that same terminal
	interval       time.Duration // period of plain progress lines

	mu  sync.Mutex
	bar *mpb.Progress // the live bar's container, if any
}

type consoleKey struct{}

// WithConsole returns ctx carrying the console of stdout and stderr, for
// the pool's progress, and the writer commands should use as stdout.
func WithConsole(ctx context.Context, stdout, stderr io.Writer) (context.Context, io.Writer) {
	c := &console{stdout: stdout, stderr: stderr, interval: progressInterval}
	if f, ok := stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		c.tty = true
		if o, ok := stdout.(*os.File); ok && term.IsTerminal(int(o.Fd())) {
			fo, err1 := o.Stat()
			fe, err2 := f.Stat()
			c.shared = err1 == nil && err2 == nil && os.SameFile(fo, fe)
		}
	}
	ctx = context.WithValue(ctx, consoleKey{}, c)
	if c.shared {
		return ctx, consoleStdout{c}
	}
	return ctx, stdout
}

// consoleStdout is stdout routed above a live bar.
type consoleStdout struct{ c *console }

func (w consoleStdout) Write(b []byte) (int, error) {
	w.c.mu.Lock()
	defer w.c.mu.Unlock()
	if w.c.bar != nil {
		if n, err := w.c.bar.Write(b); err == nil {
			return n, nil
		}
	}
	return w.c.stdout.Write(b)
}

// progress shows how far one batch of trials is. A nil *progress does
// nothing, so a pool without a console (as in tests) needs no checks.
type progress struct {
	name  string
	total int // trials to evaluate (not those resumed from the ledger)
	start time.Time

	mu   sync.Mutex
	done int
	best float64 // best finite score seen, or −Inf

	c    *console
	bars *mpb.Progress
	bar  *mpb.Bar
	stop chan struct{} // closes to end the plain ticker
	wg   sync.WaitGroup

	notes *noteBox
}

// noteBox holds the note shown beside a command's progress.
type noteBox struct {
	mu sync.Mutex
	s  string
}

func (n *noteBox) get() string {
	if n == nil {
		return ""
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.s
}

// startProgress starts showing the progress of total trials named name
// (the command) on the console in ctx, if any. best is the best score
// already known (−Inf for none), carried from earlier batches of the same
// command; notes, when not nil, holds a note shown beside the count.
func startProgress(ctx context.Context, name string, total int, best float64, notes *noteBox) *progress {
	c, _ := ctx.Value(consoleKey{}).(*console)
	if c == nil || total == 0 {
		return nil
	}
	pr := &progress{name: name, total: total, start: time.Now(), best: best, c: c, notes: notes}
	if c.tty {
		pr.startBar(c.stderr)
		return pr
	}
	pr.stop = make(chan struct{})
	pr.wg.Go(func() {
		t := time.NewTicker(c.interval)
		defer t.Stop()
		for {
			select {
			case now := <-t.C:
				fmt.Fprintln(c.stderr, pr.line(now))
			case <-pr.stop:
				return
			}
		}
	})
	return pr
}

// startBar draws a live bar on w. Options let tests draw on a buffer as if
// it were a terminal.
func (pr *progress) startBar(w io.Writer, opts ...mpb.ContainerOption) {
	opts = append([]mpb.ContainerOption{mpb.WithOutput(w), mpb.WithWidth(100), mpb.WithRefreshRate(200 * time.Millisecond)}, opts...)
	pr.bars = mpb.New(opts...)
	pr.bar = pr.bars.AddBar(int64(pr.total),
		mpb.PrependDecorators(
			decor.Name(pr.name+" ", decor.WC{}),
			decor.CountersNoUnit("%d/%d", decor.WCSyncWidth),
		),
		mpb.AppendDecorators(
			decor.Percentage(decor.WC{W: 5}),
			decor.OnComplete(decor.Name("  ETA "), "  "),
			decor.OnComplete(decor.AverageETA(decor.ET_STYLE_GO), "done"),
			decor.Any(func(decor.Statistics) string { return "  best " + pr.bestString() }),
			decor.Any(func(decor.Statistics) string {
				if n := pr.notes.get(); n != "" {
					return "  " + n
				}
				return ""
			}),
		),
	)
	pr.c.mu.Lock()
	pr.c.bar = pr.bars
	pr.c.mu.Unlock()
}

// trialDone counts one finished trial; evaluated is false for a trial taken
// from the ledger, which does not count towards the total.
func (pr *progress) trialDone(evaluated bool, score float64) {
	if pr == nil {
		return
	}
	pr.mu.Lock()
	if evaluated {
		pr.done++
	}
	if !math.IsInf(score, 0) && !math.IsNaN(score) && (math.IsInf(pr.best, -1) || score > pr.best) {
		pr.best = score
	}
	pr.mu.Unlock()
	if evaluated && pr.bar != nil {
		pr.bar.Increment()
	}
}

// finish stops the display: the bar is completed (or marked aborted after
// an interrupt) and drawn a last time, or the plain ticker stops.
func (pr *progress) finish() {
	if pr == nil {
		return
	}
	if pr.bars != nil {
		if !pr.bar.Completed() {
			pr.bar.Abort(false)
		}
		pr.bars.Wait()
		pr.c.mu.Lock()
		pr.c.bar = nil
		pr.c.mu.Unlock()
	}
	if pr.stop != nil {
		close(pr.stop)
		pr.wg.Wait()
	}
}

func (pr *progress) bestString() string {
	pr.mu.Lock()
	defer pr.mu.Unlock()
	if math.IsInf(pr.best, -1) {
		return "-"
	}
	return fmt.Sprintf("%.6f", pr.best)
}

// line is the plain progress line at time now.
func (pr *progress) line(now time.Time) string {
	pr.mu.Lock()
	done, best := pr.done, pr.best
	pr.mu.Unlock()
	line := progressLine(pr.name, done, pr.total, now.Sub(pr.start), best)
	if n := pr.notes.get(); n != "" {
		line += "; " + n
	}
	return line
}

// progressLine formats plain progress: the count, the share, the time spent,
// the time left at the average pace so far, and the best score.
func progressLine(name string, done, total int, elapsed time.Duration, best float64) string {
	eta := "unknown"
	if done > 0 {
		eta = roundDuration(time.Duration(float64(elapsed) / float64(done) * float64(total-done))).String()
	}
	b := "none yet"
	if !math.IsInf(best, -1) {
		b = fmt.Sprintf("%.6f", best)
	}
	return fmt.Sprintf("gem: %s: %d/%d trials (%.0f%%), %s elapsed, ETA %s, best score %s",
		name, done, total, 100*float64(done)/float64(total), roundDuration(elapsed), eta, b)
}

// roundDuration rounds to the second above a minute and to 0.1 s below.
func roundDuration(d time.Duration) time.Duration {
	if d >= time.Minute {
		return d.Round(time.Second)
	}
	return d.Round(100 * time.Millisecond)
}

// Observer shows a pool's progress (trial.Observer): one progress display
// per batch, with the best score over every batch of the command.
type Observer struct {
	ctx   context.Context
	name  string
	pr    *progress
	best  float64 // −Inf until a trial scores
	notes noteBox
}

func NewObserver(ctx context.Context, name string) *Observer {
	return &Observer{ctx: ctx, name: name, best: math.Inf(-1)}
}

// Start implements trial.Observer.
func (o *Observer) Start(n int) { o.pr = startProgress(o.ctx, o.name, n, o.best, &o.notes) }

// Note shows s beside the progress from now on, until the next Note ("" to
// clear it): what the trials are waiting for. It may be called from any
// goroutine.
func (o *Observer) Note(s string) {
	o.notes.mu.Lock()
	o.notes.s = s
	o.notes.mu.Unlock()
}

// Finished implements trial.Observer.
func (o *Observer) Finished(r *trial.Result, err error) {
	score := math.Inf(-1)
	if err == nil && r != nil {
		score = r.Score()
	}
	if !math.IsInf(score, 0) && !math.IsNaN(score) && score > o.best {
		o.best = score
	}
	o.pr.trialDone(r != nil && !r.Resumed, score)
}

// Stop implements trial.Observer.
func (o *Observer) Stop() { o.pr.finish() }

// Counter shows the progress of work that is not a pool's trials (gem
// optimum's replays of a block): one display of total units, counted by Add.
// It is safe for concurrent use; a nil *Counter counts nothing.
type Counter struct{ pr *progress }

// NewCounter starts showing the progress of total units named name on the
// console in ctx (nothing without one).
func NewCounter(ctx context.Context, name string, total int) *Counter {
	return &Counter{startProgress(ctx, name, total, math.Inf(-1), nil)}
}

// Add counts one unit done with its score (−Inf for none).
func (c *Counter) Add(score float64) { c.pr.trialDone(true, score) }

// Stop ends the display.
func (c *Counter) Stop() { c.pr.finish() }
