package trial_test

import (
	"bytes"
	"fmt"
	"math"
	"os/exec"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"

	"gem/dataio"
	"gem/harness"
)

// The peak memory of whole gem commands, each run as a child process of
// the gem binary built from this tree, under the hidden corpus's limit of
// 4 GB of address space, its peak RSS read from the kernel (getrusage's
// ru_maxrss of the child).
const (
	childAddressLimit = 4 << 30
	// sparseBudget is the peak RSS `gem eval` may take on the sparse panel
	// (20,000 tokens × 2 candles on 40,000 days): a dense tokens × days
	// table of anything would be 800 million entries.
	sparseBudget = 256 << 20
	// sweepBudget is the peak RSS of the phased sweep on the 10× synthetic
	// panel (4,670 tokens × 3,121 days, 2 workers).
	sweepBudget = 2 << 30
)

// buildGem builds cmd/gem into a temporary directory.
func buildGem(tb testing.TB) string {
	tb.Helper()
	if runtime.GOOS != "linux" {
		tb.Skip("peak RSS is read as Linux reports it (ru_maxrss in KiB)")
	}
	bin := filepath.Join(tb.TempDir(), "gem")
	if out, err := exec.Command("go", "build", "-o", bin, "gem/cmd/gem").CombinedOutput(); err != nil {
		tb.Fatalf("go build gem/cmd/gem: %v\n%s", err, out)
	}
	return bin
}

// gemPeakRSS runs the gem binary with args in a temporary directory under
// an address-space limit of childAddressLimit and returns its peak RSS in
// bytes; it fails unless the command exits 0.
func gemPeakRSS(tb testing.TB, bin string, args ...string) int64 {
	tb.Helper()
	// The child inherits the limit; the parent lowers its own soft limit
	// only while it starts the child.
	var old syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_AS, &old); err != nil {
		tb.Fatal(err)
	}
	lim := old
	lim.Cur = min(old.Max, childAddressLimit)
	cmd := exec.Command(bin, args...)
	cmd.Dir = tb.TempDir()
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = nil, &stderr
	if err := syscall.Setrlimit(syscall.RLIMIT_AS, &lim); err != nil {
		tb.Fatal(err)
	}
	err := cmd.Start()
	if err := syscall.Setrlimit(syscall.RLIMIT_AS, &old); err != nil {
		tb.Fatal(err)
	}
	if err == nil {
		err = cmd.Wait()
	}
	if err != nil {
		tb.Fatalf("gem %v: %v\n%s", args, err, stderr.Bytes())
	}
	return cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss << 10
}

// writeSparse writes the sparse panel: n tokens of two candles
// each, token i on days 2i and 2i+1, so 2n distinct days; the first token
// is BTC, so that the default ensemble (which watches BTC) runs on it.
func writeSparse(tb testing.TB, n int) string {
	tb.Helper()
	cs := make([]harness.Candle, 0, 2*n)
	nan := math.NaN()
	for i := range n {
		tok := fmt.Sprintf("T%05d", i)
		if i == 0 {
			tok = "BTC"
		}
		for k := range 2 {
			cs = append(cs, harness.Candle{Token: tok, Date: harness.Date(2*i + k), Open: nan, High: nan, Low: nan, Close: float64(1 + i%7 + k), Volume: nan})
		}
	}
	path := filepath.Join(tb.TempDir(), "sparse.csv.gz")
	if err := dataio.Write(path, cs); err != nil {
		tb.Fatal(err)
	}
	return path
}

// TestPeakRSSSparse: `gem eval` of the default ensemble (and the benchmark
// beside it) on 20,000 tokens × 2 candles on 40,000 days stays within
// sparseBudget: the fit tables, rankings and market series hold each
// day's candles only, not a row of every token.
func TestPeakRSSSparse(t *testing.T) {
	bin := buildGem(t)
	data := writeSparse(t, 20000)
	peak := gemPeakRSS(t, bin, "eval", "--data", data, "--ledger", "-")
	t.Logf("gem eval on 20,000 tokens × 40,000 days: peak RSS %d MB", peak>>20)
	if peak > sparseBudget {
		t.Errorf("peak RSS %d MB, want at most %d MB", peak>>20, sparseBudget>>20)
	}
}

// BenchmarkPeakRSS reports the peak RSS (peak-MB) of whole gem commands:
// the sparse evaluation of TestPeakRSSSparse and the phased sweep on the
// 10× synthetic panel (178 configurations, 2 workers, about 100 s per
// iteration on 2 cores), failing above their budgets.
func BenchmarkPeakRSS(b *testing.B) {
	bin := buildGem(b)
	for _, bc := range []struct {
		name   string
		budget int64
		args   func(b *testing.B) []string
	}{
		{"run=eval/tokens=20000/days=40000", sparseBudget, func(b *testing.B) []string {
			return []string{"eval", "--data", writeSparse(b, 20000), "--ledger", "-"}
		}},
		{"run=sweep-phased/tokens=4670/days=3121", sweepBudget, func(*testing.B) []string {
			return []string{"sweep", "--plan", "phased", "--synth-tokens", "4670", "--synth-days", "3121", "--workers", "2", "--ledger", "-"}
		}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			args := bc.args(b)
			var peak int64
			for b.Loop() {
				peak = max(peak, gemPeakRSS(b, bin, args...))
			}
			b.ReportMetric(float64(peak)/(1<<20), "peak-MB")
			if peak > bc.budget {
				b.Errorf("peak RSS %d MB, want at most %d MB", peak>>20, bc.budget>>20)
			}
		})
	}
}
