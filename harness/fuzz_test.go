package harness

import (
	"bytes"
	"errors"
	"math"
	"strconv"
	"strings"
	"testing"
)

// FuzzReadCandles: the long-CSV parser never panics; it either returns a
// *ParseError naming the file, or candles that satisfy the Candle contract
// (a token, a positive finite close, other prices positive or NaN, volume
// not negative or NaN) on increasing lines; and those candles, written back
// as CSV, parse to the same bits.
func FuzzReadCandles(f *testing.F) {
	for _, s := range []string{
		header + "BTC,2022-01-01,1,2,1,1.5,5\nBTC,2022-01-02,,,,1.6,\n",
		"token,timestamp,open,high,low,close,volume\nETH,2022-01-01,1,2,1,1.5,5\n",
		"close,token,date,volume,open,high,low\n1.5,\"B,TC\",2022-01-01,,1,2,1\n",
		header + "BTC,2022-01-01,0,2,1,1.5,5\n",
		header + "BTC,2022-01-01,1,2,1,\"1.5\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		candles, where, err := appendCSV(nil, nil, bytes.NewReader(data), "fuzz.csv")
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
			if !(c.Close > 0 && c.Close <= maxPrice) {
				t.Fatalf("candle %d: close %v", i, c.Close)
			}
			for _, p := range []float64{c.Open, c.High, c.Low} {
				if !math.IsNaN(p) && !(p > 0 && p <= maxPrice) {
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
		again, _, err := appendCSV(nil, nil, strings.NewReader(b.String()), "again.csv")
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
