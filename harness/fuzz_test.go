package harness

import (
	"bytes"
	"errors"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// FuzzCSVReader: the long-CSV parser never panics; it either returns a
// *ParseError naming the file, or candles that satisfy the Candle contract
// (a token, a positive finite close, other prices positive or NaN, volume
// not negative or NaN) on increasing lines; and those candles, written back
// as CSV, parse to the same bits.
func FuzzCSVReader(f *testing.F) {
	for _, s := range []string{
		header + "BTC,2022-01-01,1,2,1,1.5,5\nBTC,2022-01-02,,,,1.6,\n",
		"token,timestamp,open,high,low,close,volume\nETH,2022-01-01,1,2,1,1.5,5\n",
		"close,token,date,volume,open,high,low\n1.5,\"B,TC\",2022-01-01,,1,2,1\n",
		header + "BTC,2022-01-01,0,2,1,1.5,5\n",
		header + "BTC,2022-01-01,1,2,1,\"1.5\n",
	} {
		f.Add([]byte(s))
	}
	var strict CSVReader
	f.Fuzz(func(t *testing.T, data []byte) {
		var candlesCol Collector
		err := strict.Append(&candlesCol, bytes.NewReader(data), "fuzz.csv")
		candles, where := candlesCol.Candles, candlesCol.Where
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) || pe.File != "fuzz.csv" {
				t.Fatalf("got %T %v, want a *ParseError naming the file", err, err)
			}
			return
		}
		if len(candles) == 0 || len(where) != len(candles) {
			t.Fatalf("got %d candles and %d locations", len(candles), len(where))
		}
		var b strings.Builder
		b.WriteString(header)
		for i, c := range candles {
			if c.Token == "" || strings.TrimSpace(c.Token) != c.Token {
				t.Fatalf("candle %d: token %q", i, c.Token)
			}
			if !(c.Close > 0 && c.Close <= MaxPrice) {
				t.Fatalf("candle %d: close %v", i, c.Close)
			}
			for _, p := range []float64{c.Open, c.High, c.Low} {
				if !math.IsNaN(p) && !(p > 0 && p <= MaxPrice) {
					t.Fatalf("candle %d: price %v", i, p)
				}
			}
			if !math.IsNaN(c.Volume) && !(c.Volume >= 0 && !math.IsInf(c.Volume, 0)) {
				t.Fatalf("candle %d: volume %v", i, c.Volume)
			}
			if where[i].File != "fuzz.csv" || where[i].Line < 2 || i > 0 && where[i].Line <= where[i-1].Line {
				t.Fatalf("candle %d: location %v after %v", i, where[i], where[max(i-1, 0)])
			}
			b.WriteString(`"` + strings.ReplaceAll(c.Token, `"`, `""`) + `",` + c.Date.String())
			for _, v := range []float64{c.Open, c.High, c.Low, c.Close, c.Volume} {
				b.WriteByte(',')
				if !math.IsNaN(v) {
					b.WriteString(strconv.FormatFloat(v, 'g', -1, 64))
				}
			}
			b.WriteByte('\n')
		}
		var againCol Collector
		err = strict.Append(&againCol, strings.NewReader(b.String()), "again.csv")
		again := againCol.Candles
		if err != nil {
			t.Fatalf("written back: %v\n%s", err, b.String())
		}
		for i := range candles {
			a, c := candles[i], again[i]
			bits := func(x float64) uint64 {
				if math.IsNaN(x) {
					return 1
				}
				return math.Float64bits(x)
			}
			if a.Token != c.Token || a.Date != c.Date || bits(a.Open) != bits(c.Open) || bits(a.High) != bits(c.High) ||
				bits(a.Low) != bits(c.Low) || bits(a.Close) != bits(c.Close) || bits(a.Volume) != bits(c.Volume) {
				t.Fatalf("candle %d: read %+v, read back %+v", i, a, c)
			}
		}
	})
}

// FuzzCSVReaderBadRows: with OnBadRow the reader goes on past bad rows but
// agrees with the strict reader: on input the strict reader accepts it skips
// nothing and reads the same candles at the same lines; on input it rejects,
// the first problem (the first bad row, else the error) is the strict
// reader's error. With KeepOutOfRange as well it keeps a superset: its
// candles whose values are in range are exactly the others.
func FuzzCSVReaderBadRows(f *testing.F) {
	for _, s := range []string{
		header + "BTC,2022-01-01,1,2,1,1.5,5\nBTC,2022-01-02,,,,1.6,\n",
		"token,timestamp,open,high,low,close,volume\nETH,2022-01-01,1,2,1,1.5,5\n",
		header + "BTC,2022-01-01,0,2,1,1.5,5\nBTC,2022-01-02,1,2,1,1.5\nBTC,2022-01-03,1,2,1,x,5\n",
		header + "BTC,2022-01-01,1,2,-1,1.5,-5\nBTC,2022-01-02,1,2,1,2e15,5\nBTC,2022-01-03,1,2,1,1.5,5\n",
		"volume,close,low,high,open,date,token\n5,1.5,1,2,1,2022-01-01,\" BTC \"\n",
		header + "BTC,2022-01-01,1,2,1,\"1.5\n",
		"\ufeff" + header,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var strict CSVReader
		var wantCol Collector
		wantErr := strict.Append(&wantCol, bytes.NewReader(data), "fuzz.csv")
		want, wantWhere := wantCol.Candles, wantCol.Where
		var dropped []*ParseError
		drop := CSVReader{OnBadRow: func(e *ParseError) error { dropped = append(dropped, e); return nil }}
		var gotCol Collector
		err := drop.Append(&gotCol, bytes.NewReader(data), "fuzz.csv")
		got, where := gotCol.Candles, gotCol.Where
		if len(where) != len(got) {
			t.Fatalf("%d locations for %d candles", len(where), len(got))
		}
		if wantErr == nil {
			if err != nil || len(dropped) > 0 {
				t.Fatalf("strict accepts, got %v, dropped %v", err, dropped)
			}
			if !sameCandles(got, want) || !slices.Equal(where, wantWhere) {
				t.Fatalf("got %v at %v, want %v at %v", got, where, want, wantWhere)
			}
		} else {
			first := err
			if len(dropped) > 0 {
				first = dropped[0]
			}
			if first == nil || first.Error() != wantErr.Error() {
				t.Fatalf("strict says %q, got %v", wantErr, first)
			}
		}
		if err != nil {
			return
		}
		raw := CSVReader{OnBadRow: func(*ParseError) error { return nil }, KeepOutOfRange: true}
		var allCol Collector
		err = raw.Append(&allCol, bytes.NewReader(data), "fuzz.csv")
		all := allCol.Candles
		if err != nil {
			t.Fatalf("KeepOutOfRange: %v, without it: nil", err)
		}
		var inRange []Candle
		for _, c := range all {
			ok := !(c.Volume < 0)
			for _, p := range []float64{c.Open, c.High, c.Low, c.Close} {
				ok = ok && (math.IsNaN(p) || p > 0 && p <= MaxPrice)
			}
			if ok {
				inRange = append(inRange, c)
			}
		}
		if !sameCandles(inRange, got) {
			t.Fatalf("KeepOutOfRange: in range %v, without it %v", inRange, got)
		}
	})
}

// sameCandles reports whether a and b hold the same candles, bit for bit
// (any NaN equal to any NaN).
func sameCandles(a, b []Candle) bool {
	bits := func(x float64) uint64 {
		if math.IsNaN(x) {
			return 1
		}
		return math.Float64bits(x)
	}
	return slices.EqualFunc(a, b, func(x, y Candle) bool {
		return x.Token == y.Token && x.Date == y.Date && bits(x.Open) == bits(y.Open) && bits(x.High) == bits(y.High) &&
			bits(x.Low) == bits(y.Low) && bits(x.Close) == bits(y.Close) && bits(x.Volume) == bits(y.Volume)
	})
}
