package main

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// writeCandles writes a small long-format candle file: BTC, ETH and four
// other tokens over 320 days, a seeded random walk.
func writeCandles(t *testing.T) string {
	t.Helper()
	rng := rand.New(rand.NewPCG(7, 11))
	var b strings.Builder
	b.WriteString("token,date,open,high,low,close,volume\n")
	start := time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC)
	for k, tok := range []string{"BTC", "ETH", "AAA", "BBB", "CCC", "DDD"} {
		price := 100.0 * float64(k+1)
		drift := 0.002 * float64(k%3)
		for d := range 320 {
			open := price
			price *= math.Exp(drift + 0.03*rng.NormFloat64())
			hi, lo := max(open, price)*1.01, min(open, price)*0.99
			fmt.Fprintf(&b, "%s,%s,%.6f,%.6f,%.6f,%.6f,%d\n", tok, start.AddDate(0, 0, d).Format(time.DateOnly), open, hi, lo, price, 1000+d)
		}
	}
	path := filepath.Join(t.TempDir(), "candles.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// timing matches what may differ between runs: the time taken and the
// number of workers.
var timing = regexp.MustCompile(`(?m)( in [0-9.]+s$| \d+ workers$)`)

// TestSweepOutputUnchangedByProgress: the per-trial lines on stdout do not
// depend on the number of workers, and a short run writes no progress to a
// stderr that is not a terminal.
func TestSweepOutputUnchangedByProgress(t *testing.T) {
	data := writeCandles(t)
	var outs []string
	for _, workers := range []string{"1", "3"} {
		code, out, errOut := gem(t, "sweep", "--data", data, "--strategy", "specialist", "--param", "fit_window", "--values", "10,20,40",
			"--ledger", "-", "--workers", workers)
		if code != 0 {
			t.Fatalf("workers=%s: exit %d: %s", workers, code, errOut)
		}
		if errOut != "" {
			t.Errorf("workers=%s: stderr %q, want nothing from a short run", workers, errOut)
		}
		outs = append(outs, timing.ReplaceAllString(out, ""))
	}
	if outs[0] != outs[1] {
		t.Errorf("stdout differs between 1 and 3 workers:\n%s\n---\n%s", outs[0], outs[1])
	}
	if n := strings.Count(outs[0], "score="); n != 4 { // three trials and the Best line
		t.Errorf("got %d score= lines, want 4:\n%s", n, outs[0])
	}
}
