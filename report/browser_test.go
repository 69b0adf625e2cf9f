package report

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// chromium finds a Chromium or Chrome binary on the PATH.
func chromium() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// figureInfo is what the browser reports of one chart.
type figureInfo struct {
	Name   string  `json:"name"`
	SVGs   int     `json:"svgs"`
	Paths  int     `json:"paths"`
	Width  float64 `json:"width"`
	Height float64 `json:"height"`
}

const figuresJS = `Array.from(document.querySelectorAll('figure.chart')).map(f => {
	const svg = f.querySelector('svg');
	const r = svg ? svg.getBoundingClientRect() : {width: 0, height: 0};
	return {name: f.dataset.chart, svgs: f.querySelectorAll('svg').length,
		paths: f.querySelectorAll('svg path').length, width: r.width, height: r.height};
})`

// TestBrowser opens an evaluation report and a ledger report in headless
// Chromium and checks that the pages log no console error, fetch nothing
// from the network, and show every chart as a visible SVG with drawn paths.
// It keeps a full-page screenshot of each in the test's temporary directory
// (and in $GEM_SCREENSHOT_DIR when set). Without a Chromium binary it skips,
// except under CI=true, where it fails.
func TestBrowser(t *testing.T) {
	bin := chromium()
	if bin == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("no chromium binary on the PATH; CI must have one (.ci/run installs Debian's chromium package)")
		}
		t.Skip("no chromium binary on the PATH: install Debian's chromium package to run the browser test")
	}
	dir := t.TempDir()
	ev, err := EvaluationPage(testEvaluation(t))
	if err != nil {
		t.Fatal(err)
	}
	lp, err := LedgerPage(ledgerFixture(), LedgerOptions{Path: "ledger.tsv", Harness: "aaaabbbbccccdddd"})
	if err != nil {
		t.Fatal(err)
	}

	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(bin),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(filepath.Join(dir, "profile")),
		chromedp.WindowSize(1280, 1000),
	}
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()

	var mu sync.Mutex
	var problems []string
	// The listener runs in the tab's message loop from its first event on:
	// it only records.
	listen := func(e any) {
		var p string
		switch e := e.(type) {
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.ConsoleAPICalledTypeError || e.Type == runtime.ConsoleAPICalledTypeAssert {
				var args []string
				for _, a := range e.Args {
					args = append(args, a.Description+string(a.Value))
				}
				p = "console error: " + strings.Join(args, " ")
			}
		case *runtime.EventExceptionThrown:
			p = "exception: " + e.ExceptionDetails.Text
		case *cdplog.EventEntryAdded:
			if e.Entry.Level == cdplog.EntryLevelError {
				p = "log error: " + e.Entry.Text + " " + e.Entry.URL
			}
		case *network.EventRequestWillBeSent:
			if u := e.Request.URL; !strings.HasPrefix(u, "file:") && !strings.HasPrefix(u, "data:") && !strings.HasPrefix(u, "about:") {
				p = "network request: " + u
			}
		}
		if p != "" {
			mu.Lock()
			problems = append(problems, p)
			mu.Unlock()
		}
	}
	ctx, cancel := chromedp.NewContext(actx, chromedp.WithListener(listen))
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting %s: %v", bin, err)
	}
	for _, enable := range []func() error{
		func() error { _, err := chromedp.Call(ctx, cdplog.Enable, cdp.Empty{}); return err },
		func() error { _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); return err },
	} {
		if err := enable(); err != nil {
			t.Fatal(err)
		}
	}

	for _, page := range []struct {
		name string
		p    *Page
	}{{"evaluation", ev}, {"ledger", lp}} {
		t.Run(page.name, func(t *testing.T) {
			path := filepath.Join(dir, page.name+".html")
			if err := page.p.WriteFile(path); err != nil {
				t.Fatal(err)
			}
			mu.Lock()
			problems = problems[:0]
			mu.Unlock()
			if err := chromedp.Do(ctx, chromedp.Navigate("file://"+path)); err != nil {
				t.Fatal(err)
			}
			figs, err := chromedp.Run(ctx, chromedp.Evaluate[[]figureInfo](figuresJS))
			if err != nil {
				t.Fatal(err)
			}
			shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
			if err != nil {
				t.Fatal(err)
			}
			shotPath := filepath.Join(dir, page.name+".png")
			if err := os.WriteFile(shotPath, shot, 0o644); err != nil {
				t.Fatal(err)
			}
			t.Logf("screenshot: %s (%d bytes)", shotPath, len(shot))
			if d := os.Getenv("GEM_SCREENSHOT_DIR"); d != "" {
				if err := os.WriteFile(filepath.Join(d, page.name+".png"), shot, 0o644); err != nil {
					t.Error(err)
				}
			}

			mu.Lock()
			for _, p := range problems {
				t.Error(p)
			}
			mu.Unlock()
			var want, got []string
			for _, c := range page.p.Charts() {
				want = append(want, c.Name)
			}
			for _, f := range figs {
				got = append(got, f.Name)
				if f.SVGs != 1 || f.Paths < 5 || f.Width < 200 || f.Height < 100 {
					t.Errorf("chart %s: %d svg, %d paths, %.0f×%.0f px; want 1 svg, at least 5 paths, at least 200×100 px",
						f.Name, f.SVGs, f.Paths, f.Width, f.Height)
				}
			}
			if !slices.Equal(got, want) {
				t.Errorf("charts in the page: got %v, want %v", got, want)
			}
			if len(shot) < 10_000 {
				t.Errorf("screenshot of %d bytes: the page looks empty", len(shot))
			}
		})
	}
}
