package dataio_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"gem/dataio"
	"gem/dataio/corpus"
	"gem/synth"
)

// The corpus runs each file in a child process (this test binary, running
// TestLoadChild), so that each case's peak memory is its own: the child
// reads the file as the CLI does and reports the error and its peak RSS.
const (
	childPath   = "GEM_LOAD_CHILD_PATH"
	childFormat = "GEM_LOAD_CHILD_FORMAT"
	// childLimit is the child's address-space limit, the hidden corpus's 4 GB:
	// a case that needs more dies instead of swapping.
	childLimit = 4 << 30
	// corpusBudget is the peak RSS any corpus case may take: the text
	// limits keep a bomb's reading to buffers, and the largest valid case
	// holds 300,000 candles.
	corpusBudget = 256 << 20
	// committedMax is the size up to which a case's file is committed in
	// testdata/corpus; larger ones are generated in a temporary directory.
	committedMax = 16 << 10
)

// childResult is what the child reports.
type childResult struct {
	Err     string `json:"err"`
	Candles int    `json:"candles"`
	HWM     int64  `json:"hwm"` // peak RSS in bytes (VmHWM)
}

// TestLoadChild is the child: without the environment variable it does
// nothing.
func TestLoadChild(t *testing.T) {
	path := os.Getenv(childPath)
	if path == "" {
		t.Skip("the child of TestCorpus and TestLoadPeakMemory")
	}
	syscall.Setrlimit(syscall.RLIMIT_AS, &syscall.Rlimit{Cur: childLimit, Max: childLimit})
	var res childResult
	format, err := dataio.ParseFormat(os.Getenv(childFormat))
	if err != nil {
		t.Fatal(err)
	}
	d, err := dataio.Read(dataio.Options{Format: format}, path)
	if err == nil {
		var p interface{ TokenDays() int }
		if p, err = d.Panel(); err == nil {
			res.Candles = p.TokenDays()
		}
	}
	if err != nil {
		res.Err = err.Error()
	}
	res.HWM = peakRSS(t)
	b, _ := json.Marshal(res)
	fmt.Printf("\nRESULT %s\n", b)
}

// peakRSS reads this process's peak resident set size from /proc.
func peakRSS(t *testing.T) int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		t.Skipf("no /proc/self/status: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return kb << 10
		}
	}
	t.Skip("no VmHWM in /proc/self/status")
	return 0
}

// runChild loads path in a child process.
func runChild(t *testing.T, path, format string) childResult {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestLoadChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), childPath+"="+path, childFormat+"="+format)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	_, line, ok := strings.Cut(out.String(), "\nRESULT ")
	if err != nil || !ok {
		t.Fatalf("child failed (%v):\n%s%s", err, head(out.String()), head(errOut.String()))
	}
	var res childResult
	if err := json.Unmarshal([]byte(strings.TrimSpace(strings.SplitN(line, "\n", 2)[0])), &res); err != nil {
		t.Fatalf("child said %q: %v", line, err)
	}
	return res
}

func head(s string) string {
	if len(s) > 1500 {
		return s[:1500] + "..."
	}
	return s
}

// TestCorpus runs every case of the corpus through the CLI's loader in a
// child process under a 4 GB address-space limit: a file to reject gives
// an error that names it and says what is wrong (a short message: no
// field is quoted whole), a file to load loads, nothing panics, and no
// case takes more than corpusBudget of memory.
func TestCorpus(t *testing.T) {
	if os.Getenv(childPath) != "" {
		t.Skip("in the child")
	}
	if testing.Short() {
		t.Skip("writes and reads about 1.5 GB of generated bombs")
	}
	dir := t.TempDir()
	for _, c := range corpus.Cases() {
		t.Run(c.Name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join("testdata", "corpus", c.Name)
			if _, err := os.Stat(path); err != nil || c.Path != "" || c.Dir {
				var err error
				if path, err = c.Write(dir); err != nil {
					t.Fatal(err)
				}
			}
			res := runChild(t, path, c.Format)
			switch {
			case c.Load && res.Err != "":
				t.Errorf("got %s, want it loaded", res.Err)
			case !c.Load && res.Err == "":
				t.Errorf("loaded %d candles, want an error", res.Candles)
			case !c.Load && (!strings.Contains(res.Err, path) || !strings.Contains(res.Err, c.Want)):
				t.Errorf("got %q, want an error naming %s and saying %q", res.Err, path, c.Want)
			case len(res.Err) > len(path)+400:
				t.Errorf("error of %d bytes, want a short one: %.600s", len(res.Err), res.Err)
			}
			if res.HWM > corpusBudget {
				t.Errorf("peak RSS %d MB, want at most %d MB", res.HWM>>20, corpusBudget>>20)
			}
		})
	}
}

// TestCorpusCommitted: the small cases are committed in testdata/corpus as
// tools/gencorpus writes them (go run ./tools/gencorpus -max 16384
// dataio/testdata/corpus), so the corpus can be read and tried by hand.
func TestCorpusCommitted(t *testing.T) {
	want := map[string]bool{}
	for _, c := range corpus.Cases() {
		if c.Path != "" || c.Dir {
			continue
		}
		var gen capped
		if err := c.Content(&gen); errors.Is(err, errTooBig) {
			continue
		} else if err != nil {
			t.Fatal(err)
		}
		want[c.Name] = true
		got, err := os.ReadFile(filepath.Join("testdata", "corpus", c.Name))
		if err != nil || !bytes.Equal(got, gen.Bytes()) {
			t.Errorf("testdata/corpus/%s is missing or stale (%v): run go run ./tools/gencorpus -max %d dataio/testdata/corpus", c.Name, err, committedMax)
		}
	}
	entries, err := os.ReadDir(filepath.Join("testdata", "corpus"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !want[e.Name()] && e.Name() != "README.md" {
			t.Errorf("testdata/corpus/%s is no case of the corpus", e.Name())
		}
	}
}

// TestLoadPeakMemory: the CLI's loader takes at most maxBytesPerRow of
// peak RSS per candle beyond a tiny file's, on a gzip CSV of the synthetic
// universe at 467 tokens × 1,200 days (the merged panel's width).
func TestLoadPeakMemory(t *testing.T) {
	if os.Getenv(childPath) != "" {
		t.Skip("in the child")
	}
	if testing.Short() {
		t.Skip("loads 300,000 candles in a child process")
	}
	const maxBytesPerRow = 300
	dir := t.TempDir()
	small := filepath.Join(dir, "small.csv")
	cfg := synth.DefaultConfig()
	cfg.Tokens, cfg.Days = 3, 10
	if err := dataio.Write(small, synth.Generate(cfg)); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big.csv.gz")
	cfg.Tokens, cfg.Days = 467, 1200
	if err := dataio.Write(big, synth.Generate(cfg)); err != nil {
		t.Fatal(err)
	}
	base, res := runChild(t, small, ""), runChild(t, big, "")
	if res.Err != "" || base.Err != "" {
		t.Fatal(res.Err, base.Err)
	}
	perRow := float64(res.HWM-base.HWM) / float64(res.Candles)
	t.Logf("%d candles: peak RSS %d MB, %.0f bytes per candle beyond a tiny file's %d MB", res.Candles, res.HWM>>20, perRow, base.HWM>>20)
	if perRow > maxBytesPerRow {
		t.Errorf("%.0f bytes of peak RSS per candle, want at most %d", perRow, maxBytesPerRow)
	}
}

// capped is a buffer that refuses more than committedMax bytes, so that a
// bomb is not generated whole to learn it is too big to commit.
type capped struct{ bytes.Buffer }

var errTooBig = errors.New("more than committedMax bytes")

func (c *capped) Write(b []byte) (int, error) {
	if c.Len()+len(b) > committedMax {
		return 0, errTooBig
	}
	return c.Buffer.Write(b)
}

func (c *capped) WriteString(s string) (int, error) { return c.Write([]byte(s)) }
