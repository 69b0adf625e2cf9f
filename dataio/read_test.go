package dataio

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gem/harness"
)

var nan = math.NaN()

// load reads the files and builds their panel, as the CLI does.
func load(opt Options, paths ...string) (*harness.Panel, *Data, error) {
	d, err := Read(opt, paths...)
	if err != nil {
		return nil, nil, err
	}
	p, err := d.Panel()
	if err != nil {
		return nil, nil, err
	}
	return p, d, nil
}

func day(s string) harness.Date {
	d, err := harness.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func writeFile(t testing.TB, name string, content []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, content, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func gz(s string) []byte {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write([]byte(s))
	zw.Close()
	return b.Bytes()
}

func zipped(name, s string) []byte {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	w, _ := zw.Create(name)
	w.Write([]byte(s))
	zw.Close()
	return b.Bytes()
}

func parquetBytes(t testing.TB, candles []harness.Candle) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := writeParquet(&b, candles); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// same reports whether two candle slices are identical, NaN fields
// included, and describes the first difference.
func same(got, want []harness.Candle) (bool, string) {
	if len(got) != len(want) {
		return false, fmt.Sprintf("got %d candles, want %d", len(got), len(want))
	}
	eq := func(a, b float64) bool { return a == b || math.IsNaN(a) && math.IsNaN(b) }
	for i := range got {
		g, w := got[i], want[i]
		if g.Token != w.Token || g.Date != w.Date || !eq(g.Open, w.Open) || !eq(g.High, w.High) || !eq(g.Low, w.Low) || !eq(g.Close, w.Close) || !eq(g.Volume, w.Volume) {
			return false, fmt.Sprintf("candle %d: got %+v, want %+v", i, g, w)
		}
	}
	return true, ""
}

// btcJan2024 is the content of testdata/BTCUSDT-1d-2024-01.csv.
var btcJan2024 = []harness.Candle{
	cdl("BTC", "2024-01-01", 42283.58, 44184.1, 42180.77, 44179.55, 27174.29903),
	cdl("BTC", "2024-01-02", 44179.55, 45879.63, 44148.34, 44946.91, 65146.40661),
	cdl("BTC", "2024-01-03", 44946.91, 45500, 40750, 42845.23, 81194.55173),
	cdl("BTC", "2024-01-04", 42845.23, 44729.58, 42613.77, 44151.1, 48038.06334),
	cdl("BTC", "2024-01-05", 44151.1, 44357.46, 42450, 44145.11, 48075.25327),
}

// TestFormats: one series in every format gem reads gives the same candles.
func TestFormats(t *testing.T) {
	dump, err := os.ReadFile("testdata/BTCUSDT-1d-2024-01.csv")
	if err != nil {
		t.Fatal(err)
	}
	var long, micros strings.Builder
	WriteCSV(&long, btcJan2024)
	micros.WriteString("open_time,open,high,low,close,volume,close_time,quote_volume,count,taker_buy_volume,taker_buy_quote_volume,ignore\n")
	for _, line := range strings.Split(strings.TrimSpace(string(dump)), "\n") {
		f := strings.Split(line, ",")
		f[0] += "000" // milliseconds to microseconds, as spot dumps have them from 2025
		micros.WriteString(strings.Join(f, ",") + "\n")
	}
	tests := []struct {
		name    string
		file    string
		content []byte
		opt     Options
	}{
		{"long CSV", "a.csv", []byte(long.String()), Options{}},
		{"long CSV gzip", "a.csv.gz", gz(long.String()), Options{}},
		{"long CSV, drop mode", "a.csv", []byte(long.String()), Options{DropBadRows: true}},
		{"long CSV in a zip", "a.zip", zipped("a.csv", long.String()), Options{}},
		{"reference CSV", "a.csv", []byte(strings.Replace(long.String(), "date", "timestamp", 1)), Options{}},
		{"Binance dump", "BTCUSDT-1d-2024-01.csv", dump, Options{}},
		{"Binance dump, drop mode", "BTCUSDT-1d-2024-01.csv", dump, Options{DropBadRows: true}},
		{"Binance dump gzip", "BTCUSDT-1d-2024-01.csv.gz", gz(string(dump)), Options{}},
		{"Binance zip", "BTCUSDT-1d-2024-01.zip", zipped("BTCUSDT-1d-2024-01.csv", string(dump)), Options{}},
		{"Binance microseconds with header", "BTCUSDT-1d-2025-01.csv", []byte(micros.String()), Options{}},
		{"Binance, token flag", "klines.csv", dump, Options{Token: "BTC"}},
		{"Binance, forced format", "x.txt", dump, Options{Format: Binance, Token: "BTC"}},
		{"Parquet", "a.parquet", parquetBytes(t, btcJan2024), Options{}},
		{"Parquet, forced format", "a.bin", parquetBytes(t, btcJan2024), Options{Format: Parquet}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := Read(tt.opt, writeFile(t, tt.file, tt.content))
			if err != nil {
				t.Fatal(err)
			}
			if ok, diff := same(d.Candles, btcJan2024); !ok {
				t.Error(diff)
			}
			if len(d.Where) != len(d.Candles) || d.Where[0].Line < 1 {
				t.Errorf("got locations %v, want one per candle with a line", d.Where)
			}
		})
	}
}

// TestRoundTrip: Write then Read gives back the candles, bit for bit, in
// every output format; NaN fields (close-only rows) survive.
func TestRoundTrip(t *testing.T) {
	candles := []harness.Candle{
		cdl("BTC", "2022-01-01", 46216.93, 47954.63, 46208.37, 47722.65, 19604.46325),
		cdl("BTC", "2022-01-02", nan, nan, nan, 47286.18, nan),
		cdl("SHIB", "2022-01-01", 3.3e-05, 3.4e-05, 3.2e-05, 3.31e-05, 1e13),
		cdl("PAXG", "2022-01-03", 1820, 1830.5, 1811.25, 1825.1, 0),
		cdl("WEIRD, INC", "2022-01-01", 1, 2, 0.5, 2.8280000000000003, 1),
		cdl("HUGE", "2022-01-01", 1e15, 1e15, 1e15, 1e15, 5e-324),
		cdl("TINY", "1999-12-31", 5e-324, 5e-324, 5e-324, 5e-324, nan),
	}
	for _, name := range []string{"out.csv", "out.csv.gz", "out.parquet"} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), name)
			if err := Write(path, candles); err != nil {
				t.Fatal(err)
			}
			d, err := Read(Options{}, path)
			if err != nil {
				t.Fatal(err)
			}
			want := append([]harness.Candle(nil), candles...)
			sortCandlesForTest(want)
			if ok, diff := same(d.Candles, want); !ok {
				t.Error(diff)
			}
			st, _ := os.Stat(path)
			if st.Mode().Perm() != 0o644 {
				t.Errorf("got mode %v, want 0644", st.Mode().Perm())
			}
		})
	}
}

func sortCandlesForTest(c []harness.Candle) {
	f := Filter{}
	out, _, _ := f.Apply(c, nil)
	copy(c, out)
}

// TestLongMatchesHarness: strict reads of the long CSV go through the
// harness's reader and build the same panel as harness.LoadFiles.
func TestLongMatchesHarness(t *testing.T) {
	path := writeFile(t, "a.csv", []byte("token,date,open,high,low,close,volume\nETH,2022-01-02,2,3,1,2.5,10\nBTC,2022-01-01,1,2,1,1.5,\n"))
	p, _, err := load(Options{}, path)
	if err != nil {
		t.Fatal(err)
	}
	q, err := harness.LoadFiles(path)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := p.Fingerprint(), q.Fingerprint(); got != want {
		t.Errorf("got panel %s, want %s", got, want)
	}
}

// TestDropBadRows: with DropBadRows a bad row is skipped and recorded with
// its file, line and column; without it the first is the error.
func TestDropBadRows(t *testing.T) {
	content := "token,date,open,high,low,close,volume\n" +
		"BTC,2022-01-01,1,2,1,1.5,5\n" +
		"BTC,2022-01-02,0,2,1,1.5,5\n" + // zero open
		"BTC,2022-01-03,1,2,1,,5\n" + // no close
		"BTC,2022-01-04,1,2,1,1.5\n" + // a field short
		"BTC,2022-01-05,1,2,1,1.6,-1\n" + // negative volume
		"BTC,2022-01-06,1,2,1,1.7,5\n"
	path := writeFile(t, "a.csv", []byte(content))
	_, err := Read(Options{}, path)
	var pe *harness.ParseError
	if !errors.As(err, &pe) || pe.Line != 3 || pe.Column != 16 {
		t.Fatalf("strict: got %v, want a ParseError at line 3 column 16", err)
	}
	d, err := Read(Options{DropBadRows: true}, path)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(d.Candles); got != 2 {
		t.Errorf("got %d candles, want 2", got)
	}
	var lines []int
	for _, e := range d.Dropped {
		lines = append(lines, e.Line)
		if e.File != path {
			t.Errorf("got file %q, want %q", e.File, path)
		}
	}
	if got, want := fmt.Sprint(lines), "[3 4 5 6]"; got != want {
		t.Errorf("dropped lines %s, want %s", got, want)
	}
}

func TestTokenFromSymbol(t *testing.T) {
	tests := []struct {
		symbol, want string
		ok           bool
	}{
		{"BTCUSDT", "BTC", true},
		{"1000SHIBUSDT", "1000SHIB", true},
		{"USDCUSDT", "USDC", true},
		{"TUSDUSDT", "TUSD", true},
		{"BTCFDUSD", "BTC", true},
		{"ETHBUSD", "ETH", true},
		{"ETHBTC", "ETHBTC", false},
		{"USDT", "USDT", false},
	}
	for _, tt := range tests {
		got, ok := TokenFromSymbol(tt.symbol)
		if got != tt.want || ok != tt.ok {
			t.Errorf("TokenFromSymbol(%q) = %q, %v, want %q, %v", tt.symbol, got, ok, tt.want, tt.ok)
		}
	}
}

func TestTokenFromFileName(t *testing.T) {
	tests := []struct{ name, want string }{
		{"BTCUSDT-1d-2024-01.csv", "BTC"},
		{"data/ETHUSDT-1d-2025-03.zip", "ETH"},
		{"SOLUSDT_1d.csv.gz", "SOL"},
		{"1000PEPEUSDT.csv", "1000PEPE"},
		{"btcusdt-1d-2024-01.csv", "BTC"},
		{"ETHBTC-1d-2024-01.csv", ""},
		{"klines.csv", ""},
		{"BTC$USDT.csv", ""},
	}
	for _, tt := range tests {
		got, err := tokenFromFileName(tt.name)
		if tt.want == "" {
			if err == nil || !strings.Contains(err.Error(), "--token") {
				t.Errorf("%s: got %q, %v, want an error suggesting --token", tt.name, got, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%s: got %q, %v, want %q", tt.name, got, err, tt.want)
		}
	}
}

// TestPanelDuplicate: a token-day in two files names both places.
func TestPanelDuplicate(t *testing.T) {
	dump, _ := os.ReadFile("testdata/BTCUSDT-1d-2024-01.csv")
	var long strings.Builder
	WriteCSV(&long, btcJan2024[2:3])
	a := writeFile(t, "BTCUSDT-1d-2024-01.csv", dump)
	b := writeFile(t, "b.csv", []byte(long.String()))
	_, _, err := load(Options{}, a, b)
	var pe *harness.ParseError
	if !errors.As(err, &pe) || pe.File != b || pe.Line != 2 || !strings.Contains(err.Error(), fmt.Sprintf("first at %s:3", a)) {
		t.Errorf("got %v, want a duplicate at %s:2 naming %s:3", err, b, a)
	}
}

func newZip(w io.Writer) *zip.Writer { return zip.NewWriter(w) }

// cdl is a candle; NaN marks a field the source does not give.
func cdl(token, date string, open, high, low, close, volume float64) harness.Candle {
	return harness.Candle{Token: token, Date: day(date), Open: open, High: high, Low: low, Close: close, Volume: volume}
}

// TestMarkets checks that a token knows its market from its file's name,
// that spot and perp files mix only when asked, and that one token with
// candles of both markets is refused even then.
func TestMarkets(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte("token,date,open,high,low,close,volume\n"+text), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	spot := write("spot.csv", "BTC,2024-01-01,1,1,1,1,1\n")
	perp := write("x_perp_1d.csv", "ETH,2024-01-01,1,1,1,1,1\nBTC,2024-01-02,1,1,1,1,1\n")
	perpOnly := write("perp_only.csv", "ETH,2024-01-01,1,1,1,1,1\n")
	p, _, err := load(Options{}, perpOnly)
	if err != nil || p.Market(0) != harness.Perp || !p.HasPerps() {
		t.Fatalf("perp file: %v, %v", p, err)
	}
	if p, _, err = load(Options{}, spot); err != nil || p.HasPerps() {
		t.Fatalf("spot file: %v", err)
	}
	if _, _, err := load(Options{}, spot, perpOnly); err == nil || !strings.Contains(err.Error(), "--allow-mixed") {
		t.Errorf("mixed without asking: %v", err)
	}
	d, err := Read(Options{}, spot, perpOnly)
	if err != nil {
		t.Fatal(err)
	}
	d.AllowMixed = true
	if p, err = d.Panel(); err != nil || p.Market(p.TokenIndex("BTC")) != harness.Spot || p.Market(p.TokenIndex("ETH")) != harness.Perp {
		t.Errorf("mixed when asked: %v", err)
	}
	d, err = Read(Options{}, spot, perp)
	if err != nil {
		t.Fatal(err)
	}
	d.AllowMixed = true
	if _, err := d.Panel(); err == nil || !strings.Contains(err.Error(), "token BTC has perp and spot candles") {
		t.Errorf("one token in both markets: %v", err)
	}
}
