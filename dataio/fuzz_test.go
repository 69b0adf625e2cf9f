package dataio

import (
	"bufio"
	"bytes"
	"errors"
	"math"
	"os"
	"strings"
	"testing"

	"gem/harness"
)

// firstProblem is the first thing a lenient read found wrong: its first
// dropped row, else its error.
func firstProblem(d *Data, err error) error {
	if len(d.Dropped) > 0 {
		return d.Dropped[0]
	}
	return err
}

// checkValid fails unless every candle is one the harness accepts.
func checkValid(t *testing.T, d *Data) {
	t.Helper()
	if len(d.Where) != len(d.Candles) {
		t.Fatalf("%d locations for %d candles", len(d.Where), len(d.Candles))
	}
	for i := range d.Candles {
		c := &d.Candles[i]
		if _, err := harness.ValidateCandle(c); err != nil || c.Token == "" || strings.TrimSpace(c.Token) != c.Token {
			t.Fatalf("accepted a bad candle %+v: %v", *c, err)
		}
		if i > 0 && d.Where[i].Line <= d.Where[i-1].Line {
			t.Fatalf("lines not increasing: %v", d.Where[i-1:i+1])
		}
	}
}

// FuzzLong: the lenient long-CSV reader (Options.DropBadRows, Check, zipped
// files) agrees with the harness's reader: in strict mode it accepts and
// rejects exactly the same inputs with the same candles and the same error;
// in drop mode, on input the harness accepts, it drops nothing, and on input
// it rejects, its first problem is the harness's error.
func FuzzLong(f *testing.F) {
	for _, s := range []string{
		longHeader + "BTC,2022-01-01,1,2,1,1.5,5\nBTC,2022-01-02,,,,1.6,\n",
		"token,timestamp,open,high,low,close,volume\nETH,2022-01-01,1,2,1,1.5,5\n",
		longHeader + "BTC,2022-01-01,0,2,1,1.5,5\nBTC,2022-01-02,1,2,1,1.5\nBTC,2022-01-03,1,2,1,x,5\n",
		"volume,close,low,high,open,date,token\n5,1.5,1,2,1,2022-01-01,\" BTC \"\n",
		longHeader + "BTC,2022-01-01,1,2,1,\"1.5\n",
		"\ufeff" + longHeader,
	} {
		f.Add([]byte(s))
	}
	const path = "fuzz.csv"
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) >= 2 && data[0] == 0x1f && data[1] == 0x8b {
			t.Skip("gzip: the harness would decompress it first")
		}
		var strictCSV harness.CSVReader
		var col harness.Collector
		herr := strictCSV.Append(&col, bytes.NewReader(data), path)
		hc, hw := col.Candles, col.Where
		for _, m := range []mode{strict, drop} {
			d := &Data{}
			err := readLong(bufio.NewReader(bytes.NewReader(data)), path, &sink{mode: m, d: d})
			checkValid(t, d)
			if herr == nil {
				if err != nil || len(d.Dropped) > 0 {
					t.Fatalf("mode %d: harness accepts, got %v, dropped %v", m, err, d.Dropped)
				}
				if ok, diff := same(d.Candles, hc); !ok {
					t.Fatalf("mode %d: %s", m, diff)
				}
				for i := range hw {
					if hw[i] != d.Where[i] {
						t.Fatalf("mode %d: location %d: got %v, want %v", m, i, d.Where[i], hw[i])
					}
				}
				continue
			}
			got := firstProblem(d, err)
			if got == nil || got.Error() != herr.Error() {
				t.Fatalf("mode %d: harness says %q, got %v", m, herr, got)
			}
		}
	})
}

// FuzzBinance: the kline reader never panics, accepts only valid candles,
// and its drop mode agrees with its strict mode.
func FuzzBinance(f *testing.F) {
	dump, err := os.ReadFile("testdata/BTCUSDT-1d-2024-01.csv")
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{
		string(dump),
		"open_time,open,high,low,close,volume,close_time,quote_volume,count,taker_buy_volume,taker_buy_quote_volume,ignore\n1735689600000000,1,2,1,1.5,5,0,0,0,0,0,0\n",
		klineRow + "1704153600000,1,2,1,0,5,0,0,0,0,0,0\n1704240000000,1,2\n",
		"1704067200,1,2,1,1.5,5\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		strictData := &Data{}
		serr := readBinance(bytes.NewReader(data), "fuzz.csv", "BTC", &sink{mode: strict, d: strictData})
		checkValid(t, strictData)
		d := &Data{}
		err := readBinance(bytes.NewReader(data), "fuzz.csv", "BTC", &sink{mode: drop, d: d})
		checkValid(t, d)
		for i := range d.Candles {
			if d.Candles[i].Date < day("1973-03-03") {
				t.Fatalf("accepted date %s", d.Candles[i].Date)
			}
		}
		if serr == nil {
			if err != nil || len(d.Dropped) > 0 {
				t.Fatalf("strict accepts, drop mode got %v, dropped %v", err, d.Dropped)
			}
			if ok, diff := same(d.Candles, strictData.Candles); !ok {
				t.Fatal(diff)
			}
			return
		}
		var pe *harness.ParseError
		if !errors.As(serr, &pe) || pe.File != "fuzz.csv" {
			t.Fatalf("got %T %v, want a ParseError naming the file", serr, serr)
		}
		if got := firstProblem(d, err); got == nil || got.Error() != serr.Error() {
			t.Fatalf("strict says %q, drop mode's first problem is %v", serr, got)
		}
	})
}

// FuzzParquet: a corrupt Parquet file is an error naming the file, never a
// panic, a hang or an allocation of what a corrupt length says; what is
// accepted is valid.
func FuzzParquet(f *testing.F) {
	good := parquetBytes(f, btcJan2024)
	f.Add(good)
	f.Add(good[:len(good)-9])
	f.Add(parquetBytes(f, []harness.Candle{cdl("ETH", "2022-01-01", nan, nan, nan, 3000, nan)}))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, m := range []mode{strict, drop} {
			d := &Data{}
			err := readParquetSafe(bytes.NewReader(data), int64(len(data)), "fuzz.parquet", &sink{mode: m, d: d})
			checkValid(t, d)
			var pe *harness.ParseError
			if err != nil && (!errors.As(err, &pe) || pe.File != "fuzz.parquet") {
				t.Fatalf("got %T %v, want a ParseError naming the file", err, err)
			}
		}
	})
}

// FuzzRoundTrip: a valid candle written as a long CSV or as Parquet reads
// back bit for bit. (In memory: the CSV reader is FuzzLong's, which agrees
// with the harness's.)
func FuzzRoundTrip(f *testing.F) {
	f.Add("BTC", int32(19000), 1.0, 2.0, 0.5, 1.5, 10.0)
	f.Add("A,\"B", int32(-3), math.NaN(), math.NaN(), math.NaN(), 5e-324, math.NaN())
	f.Add("SHIB", int32(20000), 3.3e-05, 1e15, 1e-300, 0.1+0.2, 0.0)
	f.Fuzz(func(t *testing.T, token string, date int32, open, high, low, close, volume float64) {
		c := harness.Candle{Token: token, Date: harness.Date(date), Open: open, High: high, Low: low, Close: close, Volume: volume}
		if _, err := harness.ValidateCandle(&c); err != nil || strings.TrimSpace(token) != token || token == "" || strings.ContainsAny(token, "\r\n") {
			t.Skip("not a candle the formats can hold")
		}
		if d, err := harness.ParseDate(c.Date.String()); err != nil || d != c.Date {
			t.Skip("date outside YYYY-MM-DD")
		}
		want := []harness.Candle{c}
		var csv bytes.Buffer
		if err := WriteCSV(&csv, want); err != nil {
			t.Fatal(err)
		}
		d := &Data{}
		if err := readLong(bufio.NewReader(&csv), "rt.csv", &sink{mode: strict, d: d}); err != nil {
			t.Fatalf("csv: %v", err)
		}
		if ok, diff := same(d.Candles, want); !ok {
			t.Fatalf("csv: %s", diff)
		}
		pq := parquetBytes(t, want)
		d = &Data{}
		if err := readParquetSafe(bytes.NewReader(pq), int64(len(pq)), "rt.parquet", &sink{mode: strict, d: d}); err != nil {
			t.Fatalf("parquet: %v", err)
		}
		if ok, diff := same(d.Candles, want); !ok {
			t.Fatalf("parquet: %s", diff)
		}
	})
}
