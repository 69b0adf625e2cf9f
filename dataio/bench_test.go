package dataio

import (
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"gem/harness"
	"gem/synth"
)

// BenchmarkRead reads the same 40-token, two-year synthetic universe
// (about 20,000 candles) from each format; rows/s is the headline.
func BenchmarkRead(b *testing.B) {
	cfg := synth.DefaultConfig()
	cfg.Tokens, cfg.Days = 40, 730
	candles := synth.Generate(cfg)
	dir := b.TempDir()
	var btc strings.Builder
	for _, c := range candles {
		if c.Token == "BTC" {
			// A kline row: open time in ms, OHLCV, then the six columns gem ignores.
			btc.WriteString(strings.Join([]string{itoa(int64(c.Date) * msPerDay), ftoa(c.Open), ftoa(c.High), ftoa(c.Low), ftoa(c.Close), ftoa(c.Volume), "0", "0", "0", "0", "0", "0"}, ",") + "\n")
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "BTCUSDT-1d.csv"), []byte(btc.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	files := map[string]string{"binance": filepath.Join(dir, "BTCUSDT-1d.csv")}
	for _, name := range []string{"long.csv", "long.csv.gz", "long.parquet"} {
		path := filepath.Join(dir, name)
		if err := Write(path, candles); err != nil {
			b.Fatal(err)
		}
		files[strings.TrimPrefix(name, "long.")] = path
	}
	for _, bc := range []struct {
		name string
		opt  Options
	}{
		{"csv", Options{}},
		{"csv", Options{DropBadRows: true}},
		{"csv.gz", Options{}},
		{"parquet", Options{}},
		{"binance", Options{}},
	} {
		mode := "strict"
		if bc.opt.DropBadRows {
			mode = "drop"
		}
		b.Run("format="+bc.name+"/mode="+mode, func(b *testing.B) {
			d, err := Read(bc.opt, files[bc.name])
			if err != nil || len(d.Candles) == 0 {
				b.Fatal(err)
			}
			rows := len(d.Candles)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Read(bc.opt, files[bc.name]); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

func itoa(x int64) string { return strconv.FormatInt(x, 10) }

func ftoa(x float64) string {
	if math.IsNaN(x) {
		return ""
	}
	return strconv.FormatFloat(x, 'f', -1, 64)
}

// BenchmarkLoadBytesPerRow loads a gzip CSV of the synthetic universe at
// the merged panel's width (467 tokens × 1,200 days) as the CLI does (Read,
// then Data.Panel) and reports the bytes allocated per candle and the bytes
// per candle the panel keeps. The peak RSS per candle, which the GC's
// headroom adds to, is TestLoadPeakMemory's.
func BenchmarkLoadBytesPerRow(b *testing.B) {
	cfg := synth.DefaultConfig()
	cfg.Tokens, cfg.Days = 467, 1200
	path := filepath.Join(b.TempDir(), "u.csv.gz")
	if err := Write(path, synth.Generate(cfg)); err != nil {
		b.Fatal(err)
	}
	load := func() *harness.Panel {
		d, err := Read(Options{}, path)
		if err != nil {
			b.Fatal(err)
		}
		p, err := d.Panel()
		if err != nil {
			b.Fatal(err)
		}
		return p
	}
	rows := load().TokenDays()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	b.ReportAllocs()
	var p *harness.Panel
	for b.Loop() {
		p = load()
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(b.N)/float64(rows), "alloc-B/row")
	b.ReportMetric(float64(int64(after.HeapAlloc)-int64(before.HeapAlloc))/float64(rows), "kept-B/row")
	runtime.KeepAlive(p)
}
