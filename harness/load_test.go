package harness

import (
	"bytes"
	"compress/gzip"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const header = "token,date,open,high,low,close,volume\n"

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestLoadBadInput: every malformed file is an error naming the file, the
// line and the problem; never a panic, never a silent skip.
func TestLoadBadInput(t *testing.T) {
	tests := []struct {
		name    string
		content string
		line    int    // 0: the error concerns the whole file
		want    string // substring of the message
	}{
		{"empty file", "", 0, "empty file"},
		{"header only", header, 1, "no data rows"},
		{"missing column", "token,date,open,high,low,close\nBTC,2022-01-01,1,2,1,1.5\n", 1, `missing column "volume"`},
		{"unparseable number", header + "BTC,2022-01-01,1,2,1,abc,5\n", 2, `close is not a decimal number: "abc"`},
		{"hex float", header + "BTC,2022-01-01,1,2,1,0x1p-3,5\n", 2, `close is not a decimal number: "0x1p-3"`},
		{"digit separator", header + "BTC,2022-01-01,1_000,2,1,1.5,5\n", 2, `open is not a decimal number: "1_000"`},
		{"lone exponent", header + "BTC,2022-01-01,1,2,1,1e,5\n", 2, "close is not a decimal number"},
		{"overflowing price", header + "BTC,2022-01-01,1,2,1,1e400,5\n", 2, "beyond the range of float64"},
		{"huge field quoted briefly", header + "BTC,2022-01-01,1,2,1," + strings.Repeat("9x", 5000) + ",5\n", 2, `"9x9x9x9x9x9x9x9x9x9x9x9x9x9x9x9x9x9x9x9x"... (10000 bytes)`},
		{"long token", header + strings.Repeat("A", 65) + ",2022-01-01,1,2,1,1.5,5\n", 2, "65 bytes long (at most 64)"},
		{"NUL in token", header + "B\x00TC,2022-01-01,1,2,1,1.5,5\n", 2, "control character"},
		{"column twice", "token,date,open,high,low,close,volume,close\nBTC,2022-01-01,1,2,1,1.5,5,1\n", 1, `column "close" appears twice`},
		{"unclosed quote", header + "BTC,2022-01-01,1,2,1,\"1.5" + strings.Repeat(",5\nBTC,2022-01-02,1,2,1,1.5", 5000), 2, "record (a quoted field spanning 2"},
		{"year zero", header + "BTC,0000-01-01,1,2,1,1.5,5\n", 2, "bad date"},
		{"timestamp with a time", header + "BTC,2022-01-01T00:00:00Z,1,2,1,1.5,5\n", 2, "bad date"},
		{"mixed date formats", header + "BTC,2022-01-01,1,2,1,1.5,5\nBTC,2022/01/02,1,2,1,1.5,5\n", 3, "bad date"},
		{"endless line", header + "BTC,2022-01-01," + strings.Repeat("1", MaxLineBytes+10), 2, "line longer than 65536 bytes"},
		{"duplicate late, out of order", header + "BTC,2022-01-02,1,2,1,1.5,5\nBTC,2022-01-01,1,2,1,1.5,5\nETH,2022-01-01,1,2,1,1.5,5\nBTC,2022-01-02,1,2,1,1.5,5\n", 5, "duplicate BTC 2022-01-02 (first at"},
		{"zero price", header + "BTC,2022-01-01,1,2,1,0,5\n", 2, "close is 0"},
		{"negative price", header + "BTC,2022-01-01,1,2,-1,1.5,5\n", 2, "low is -1"},
		{"NaN price", header + "BTC,2022-01-01,NaN,2,1,1.5,5\n", 2, `open is not a decimal number: "NaN"`},
		{"infinite price", header + "BTC,2022-01-01,1,+Inf,1,1.5,5\n", 2, `high is not a decimal number: "+Inf"`},
		{"negative volume", header + "BTC,2022-01-01,1,2,1,1.5,-5\n", 2, "volume is negative"},
		{"empty close", header + "BTC,2022-01-01,1,2,1,,5\n", 2, "close is empty"},
		{"bad date", header + "BTC,2022-13-01,1,2,1,1.5,5\n", 2, "bad date"},
		{"slashed date", header + "BTC,01/02/2022,1,2,1,1.5,5\n", 2, "bad date"},
		{"empty token", header + ",2022-01-01,1,2,1,1.5,5\n", 2, "empty token"},
		{"too few fields", header + "BTC,2022-01-01,1,2,1,1.5\n", 2, "wrong number of fields"},
		{"too many fields", header + "BTC,2022-01-01,1,2,1,1.5,5,9\n", 2, "wrong number of fields"},
		{"duplicate token-day", header + "BTC,2022-01-01,1,2,1,1.5,5\nBTC,2022-01-01,1,2,1,1.5,5\n", 3, "duplicate BTC 2022-01-01"},
		{"bare quote", header + "BTC,2022-01-01,1\"x,2,1,1.5,5\n", 2, "bare"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, "data.csv", tt.content)
			_, err := LoadFiles(path)
			if err == nil {
				t.Fatal("got no error")
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("got %T %v, want a *ParseError", err, err)
			}
			if pe.File != path || pe.Line != tt.line {
				t.Errorf("got %s:%d, want %s:%d", pe.File, pe.Line, path, tt.line)
			}
			if !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), path) {
				t.Errorf("got %q, want it to start with the file and mention %q", err, tt.want)
			}
		})
	}
	t.Run("missing file", func(t *testing.T) {
		_, err := LoadFiles(filepath.Join(t.TempDir(), "nope.csv"))
		if !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), "nope.csv") {
			t.Errorf("got %v, want a not-exist error naming the file", err)
		}
	})
}

func TestLoadPanel(t *testing.T) {
	// Rows out of order, two files merged (one gzip, with the reference's
	// "timestamp" header), a close-only row, and a token that stops early.
	a := header + "ETH,2022-01-02,2,3,1,2.5,10\nBTC,2022-01-03,1,2,1,1.7,\nBTC,2022-01-01,1,2,1,1.5,5\n"
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte("token,timestamp,open,high,low,close,volume\nBTC,2022-01-02,,,,1.6,\n"))
	zw.Close()
	p, err := LoadFiles(writeFile(t, "a.csv", a), writeFile(t, "b.csv.gz", gz.String()))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := p.NumDays(), 3; got != want {
		t.Fatalf("NumDays = %d, want %d", got, want)
	}
	if got := []string{p.Series[0].Token, p.Series[1].Token}; got[0] != "BTC" || got[1] != "ETH" {
		t.Errorf("tokens = %v, want [BTC ETH]", got)
	}
	btc := p.Series[0]
	if got, want := btc.Close, []float64{1.5, 1.6, 1.7}; !equal(got, want) {
		t.Errorf("BTC closes = %v, want %v", got, want)
	}
	if !math.IsNaN(btc.Open[1]) || !math.IsNaN(btc.Volume[2]) {
		t.Errorf("close-only fields should be NaN, got open %v volume %v", btc.Open[1], btc.Volume[2])
	}
	// ETH lists on day 1: nothing before, and a view at day 0 sees nothing.
	if _, ok := p.CloseOn(1, 0); ok {
		t.Error("ETH has a price before its first candle")
	}
	v := &View{p: p, end: 0}
	if got := v.Len(1); got != 0 {
		t.Errorf("view at day 0 sees %d ETH candles, want 0", got)
	}
	if got := len(v.Close(0)); got != 1 || cap(v.Close(0)) != 1 {
		t.Errorf("view at day 0: len %d cap %d of BTC closes, want 1 and 1 (no reach past the decision day)", got, cap(v.Close(0)))
	}
}

func equal(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestPairwiseSum(t *testing.T) {
	// Against exact sums of integers, and against the blocked order on a
	// case where the order matters.
	for _, n := range []int{0, 1, 7, 8, 9, 127, 128, 129, 1000, 4099} {
		x := make([]float64, n)
		want := 0.0
		for i := range x {
			x[i] = float64(i%17) - 3
			want += x[i]
		}
		if got := PairwiseSum(x); got != want {
			t.Errorf("n=%d: got %v, want %v", n, got, want)
		}
	}
	// Eight accumulators start as x[0..7]; by hand, with ulp(1e16) = 2 and
	// ties to even: ((1e16+1) + (−1e16+1)) + ((1+1) + (1+1)) = (1e16 − 1e16)
	// + 4 = 4, then + 0 + 0. A left fold gives 5.
	x := []float64{1e16, 1, -1e16, 1, 1, 1, 1, 1, 0, 0}
	if got := PairwiseSum(x); got != 4 {
		t.Errorf("pairwise order: got %v, want 4", got)
	}
}

// TestPowRounding compares Pow with the same evaluation at 512 bits on
// annualisation-like arguments: a 128-bit evaluation must round the same.
func TestPowRounding(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for range 3000 {
		x := 0.3 + 2*rng.Float64()
		y := 365 / float64(30+rng.IntN(4000))
		if got, want := Pow(x, y), powPrecise(x, y, 512); got != want {
			t.Errorf("Pow(%v, %v) = %v, want %v", x, y, got, want)
		}
	}
}

func TestPow(t *testing.T) {
	tests := []struct{ x, y, want float64 }{
		{2, 10, 1024},
		{4, 0.5, 2},
		// golden safehaven fit_window_60, (1+total)^(1/years): math.Pow gives 1.0090445157889545.
		{1.0060619861773250, 1.489795918367347, 1.00904451578895471},
		{10, -2, 0.01},
	}
	for _, tt := range tests {
		if got := Pow(tt.x, tt.y); got != tt.want {
			t.Errorf("Pow(%v, %v) = %v, want %v", tt.x, tt.y, got, tt.want)
		}
	}
}

// TestIsDecimal: the number syntax of a candle file, against strconv's wider
// one.
func TestIsDecimal(t *testing.T) {
	for _, s := range []string{"0", "12", "-3", "+4", "1.5", ".5", "5.", "9.2e-05", "1E6", "3.74512e-06", "0.50000000"} {
		if !IsDecimal(s) {
			t.Errorf("IsDecimal(%q) = false, want true", s)
		}
	}
	for _, s := range []string{"", "-", ".", "e5", "1e", "1e+", "0x1p-3", "0x10", "1_000", "NaN", "nan", "Inf", "+inf", "infinity", "1.2.3", "1e5.5", "--1", " 1", "1 ", "١"} {
		if IsDecimal(s) {
			t.Errorf("IsDecimal(%q) = true, want false", s)
		}
	}
}

// TestLoadGzipBomb: a gzip of newlines (nothing for the CSV reader to keep,
// but 100 MiB of text from 100 KB) stops at the 16 MiB text limit with an error
// naming the file and the limit.
func TestLoadGzipBomb(t *testing.T) {
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	zw.Write([]byte(header))
	nl := bytes.Repeat([]byte{'\n'}, 1<<20)
	for range 100 {
		zw.Write(nl)
	}
	zw.Close()
	if TextLimit(int64(gz.Len())) != MinTextLimit {
		t.Fatalf("a %d-byte file: limit %d, want %d", gz.Len(), TextLimit(int64(gz.Len())), MinTextLimit)
	}
	path := writeFile(t, "bomb.csv.gz", gz.String())
	_, err := LoadFiles(path)
	var pe *ParseError
	if !errors.As(err, &pe) || pe.File != path || !strings.Contains(err.Error(), "decompresses to more than 16777216 bytes") {
		t.Errorf("got %v, want a *ParseError of %s at the limit of 16777216 bytes", err, path)
	}
}
