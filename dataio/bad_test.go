package dataio

import (
	"bytes"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"

	"gem/harness"
)

// Parquet schemas other writers use, for the bad-input table.
type (
	pqNoClose struct {
		Token string `parquet:"token"`
		Date  int32  `parquet:"date,date"`
		Open  float64
	}
	pqInt64Date struct {
		Token string  `parquet:"token"`
		Date  int64   `parquet:"date"`
		Close float64 `parquet:"close"`
	}
	pqTimestamp struct {
		Token string  `parquet:"token"`
		Date  int64   `parquet:"date,timestamp(millisecond)"`
		Close float64 `parquet:"close"`
	}
	pqStringDate struct {
		Token string  `parquet:"token"`
		Date  string  `parquet:"date"`
		Close float64 `parquet:"close"`
	}
	pqNullToken struct {
		Token *string `parquet:"token,optional"`
		Date  int32   `parquet:"date,date"`
		Close float64 `parquet:"close"`
	}
	pqIntToken struct {
		Token int64   `parquet:"token"`
		Date  int32   `parquet:"date,date"`
		Close float64 `parquet:"close"`
	}
	pqStringClose struct {
		Token string `parquet:"token"`
		Date  int32  `parquet:"date,date"`
		Close string `parquet:"close"`
	}
)

func pq[T any](t testing.TB, rows []T) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := parquet.Write(&b, rows); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

const (
	longHeader = "token,date,open,high,low,close,volume\n"
	klineRow   = "1704067200000,42283.58,44184.10,42180.77,44179.55,27174.29,1704153599999,1179540273.51,1094080,14519.01,630205855.39,0\n"
)

// TestBadInput: every malformed file, in every format, is an error that
// names the file and the line (0 when the problem is the whole file) and
// says what is wrong; never a panic, never a silent skip. The harness's
// own table (harness/load_test.go) covers the basic long-CSV cases; these
// are the rest.
func TestBadInput(t *testing.T) {
	good := parquetBytes(t, btcJan2024)
	zeroPrice := parquetBytes(t, []harness.Candle{btcJan2024[0], cdl("BTC", "2024-01-02", 1, 2, 1, 0, 1)})
	nanClose := parquetBytes(t, []harness.Candle{btcJan2024[0], btcJan2024[1], cdl("BTC", "2024-01-03", 1, 2, 1, math.NaN(), 1)})
	tok := "BTC"
	tests := []struct {
		name    string
		file    string
		content []byte
		opt     Options
		line    int    // 0: the error concerns the whole file
		want    string // substring of the message
	}{
		// Long CSV.
		{"long: BOM and a missing column", "a.csv", []byte("\ufefftoken,date,open,high,low,close\nBTC,2022-01-01,1,2,1,1.5\n"), Options{}, 1, `missing column "volume"`},
		{"long: header only names token", "a.csv", []byte("token\nBTC\n"), Options{}, 1, `missing column "date"`},
		{"long: date with a time", "a.csv", []byte(longHeader + "BTC,2022-01-01T00:00:00Z,1,2,1,1.5,5\n"), Options{}, 2, "bad date"},
		{"long: February 30", "a.csv", []byte(longHeader + "BTC,2022-02-30,1,2,1,1.5,5\n"), Options{}, 2, "bad date"},
		{"long: compact date", "a.csv", []byte(longHeader + "BTC,20220101,1,2,1,1.5,5\n"), Options{}, 2, "bad date"},
		{"long: blank token", "a.csv", []byte(longHeader + "   ,2022-01-01,1,2,1,1.5,5\n"), Options{}, 2, "empty token"},
		{"long: overflowing close", "a.csv", []byte(longHeader + "BTC,2022-01-01,1,2,1,1e400,5\n"), Options{}, 2, `close is "1e400", beyond the range of float64`},
		{"long: price above 1e15", "a.csv", []byte(longHeader + "BTC,2022-01-01,1,2e15,1,1.5,5\n"), Options{}, 2, "high is 2e+15"},
		{"long: negative zero", "a.csv", []byte(longHeader + "BTC,2022-01-01,-0,2,1,1.5,5\n"), Options{}, 2, "open is -0"},
		{"long: NaN volume", "a.csv", []byte(longHeader + "BTC,2022-01-01,1,2,1,1.5,NaN\n"), Options{}, 2, `volume is not a decimal number: "NaN"`},
		{"long: infinite volume", "a.csv", []byte(longHeader + "BTC,2022-01-01,1,2,1,1.5,+Inf\n"), Options{}, 2, `volume is not a decimal number: "+Inf"`},
		{"long: quoted thousands separator", "a.csv", []byte(longHeader + "BTC,2022-01-01,1,2,1,\"1,234.5\",5\n"), Options{}, 2, "close is not a decimal number"},
		{"long: unterminated quote", "a.csv", []byte(longHeader + "BTC,2022-01-01,1,2,1,\"1.5,5\n"), Options{}, 2, "extraneous or missing \""},
		{"long: one field", "a.csv", []byte(longHeader + "BTC,2022-01-01,1,2,1,1.5,5\nBTC\n"), Options{}, 3, "wrong number of fields"},
		{"long: bad row after good ones", "a.csv", []byte(longHeader + "BTC,2022-01-01,1,2,1,1.5,5\nBTC,2022-01-02,1,2,1,1.6,5\nBTC,2022-01-03,1,2,1,x,5\n"), Options{}, 4, "close is not a decimal number"},
		{"long: corrupt gzip", "a.csv.gz", []byte{0x1f, 0x8b, 0, 0, 0, 0}, Options{}, 0, "EOF"},
		{"long: truncated gzip", "a.csv.gz", gz(longHeader + strings.Repeat("BTC,2022-01-01,1,2,1,1.5,5\n", 200))[:60], Options{}, 0, "unexpected EOF"},
		{"long: empty gzip", "a.csv.gz", gz(""), Options{}, 0, "empty file"},
		{"long: zipped, bad price", "a.zip", zipped("a.csv", longHeader+"BTC,2022-01-01,1,2,1,-3.1,5\n"), Options{}, 2, "close is -3.1"},
		{"long: zipped, no rows", "a.zip", zipped("a.csv", longHeader), Options{}, 1, "no data rows"},
		{"long: forced on a kline file", "BTCUSDT-1d.csv", []byte(klineRow), Options{Format: Long}, 1, "missing column"},

		// Binance kline CSV.
		{"binance: empty file", "BTCUSDT-1d-2024-01.csv", []byte(""), Options{}, 0, "empty file"},
		{"binance: header only", "BTCUSDT-1d-2024-01.csv", []byte("open_time,open,high,low,close,volume,close_time,quote_volume,count,taker_buy_volume,taker_buy_quote_volume,ignore\n"), Options{}, 1, "no data rows"},
		{"binance: five columns", "BTCUSDT-1d-2024-01.csv", []byte("1704067200000,1,2,1,1.5\n"), Options{}, 1, "5 columns"},
		{"binance: open time not a number", "BTCUSDT-1d-2024-01.csv", []byte(klineRow + "17041536OO000,1,2,1,1.5,5,0,0,0,0,0,0\n"), Options{}, 2, "open_time is not an integer"},
		{"binance: open time in seconds", "BTCUSDT-1d-2024-01.csv", []byte("1704067200,1,2,1,1.5,5,0,0,0,0,0,0\n"), Options{}, 1, "not in milliseconds or microseconds"},
		{"binance: hourly kline", "BTCUSDT-1h-2024-01.csv", []byte("1704070800000,1,2,1,1.5,5,0,0,0,0,0,0\n"), Options{}, 1, "not a UTC midnight"},
		{"binance: hourly kline in microseconds", "BTCUSDT-1h-2025-01.csv", []byte("1735693200000000,1,2,1,1.5,5,0,0,0,0,0,0\n"), Options{}, 1, "not a UTC midnight"},
		{"binance: negative low", "BTCUSDT-1d-2024-01.csv", []byte("1704067200000,1,2,-1,1.5,5,0,0,0,0,0,0\n"), Options{}, 1, "low is -1"},
		{"binance: zero close", "BTCUSDT-1d-2024-01.csv", []byte(klineRow + "1704153600000,1,2,1,0,5,0,0,0,0,0,0\n"), Options{}, 2, "close is 0"},
		{"binance: empty close", "BTCUSDT-1d-2024-01.csv", []byte("1704067200000,1,2,1,,5,0,0,0,0,0,0\n"), Options{}, 1, "close is empty"},
		{"binance: two decimal points", "BTCUSDT-1d-2024-01.csv", []byte("1704067200000,1.2.3,2,1,1.5,5,0,0,0,0,0,0\n"), Options{}, 1, "open is not a decimal number"},
		{"binance: short row", "BTCUSDT-1d-2024-01.csv", []byte(klineRow + "1704153600000,1,2,1,1.5,5\n"), Options{}, 2, "wrong number of fields"},
		{"binance: bare quote", "BTCUSDT-1d-2024-01.csv", []byte(klineRow + "1704153600000,1\"5,2,1,1.5,5,0,0,0,0,0,0\n"), Options{}, 2, "bare \""},
		{"binance: no token in the name", "klines.csv", []byte(klineRow), Options{}, 0, "--token"},
		{"binance: pair quoted in BTC", "ETHBTC-1d-2024-01.csv", []byte(klineRow), Options{}, 0, "--token"},
		{"binance: same day twice", "BTCUSDT-1d-2024-01.csv", []byte(klineRow + klineRow), Options{}, 2, "duplicate BTC 2024-01-01"},
		{"binance: zip with two files", "BTCUSDT-1d-2024-01.zip", twoFileZip(), Options{}, 0, "zip holds 2 files"},
		{"binance: not a zip", "BTCUSDT-1d-2024-01.zip", []byte("PK\x03\x04 not really"), Options{}, 0, "zip"},
		{"binance: empty zip", "BTCUSDT-1d-2024-01.zip", emptyZip(), Options{}, 0, "zip holds 0 files"},

		// Parquet.
		{"parquet: not Parquet", "a.parquet", []byte("PAR1 this is not parquet PAR1"), Options{}, 0, "not a Parquet file"},
		{"parquet: truncated", "a.parquet", good[:len(good)/2], Options{}, 0, "Parquet"},
		{"parquet: empty file", "a.parquet", nil, Options{}, 0, "not a Parquet file"},
		{"parquet: no close column", "a.parquet", pq(t, []pqNoClose{{"BTC", 19000, 1}}), Options{}, 0, `missing column "close"`},
		{"parquet: zero price", "a.parquet", zeroPrice, Options{}, 2, "close is 0"},
		{"parquet: NaN close", "a.parquet", nanClose, Options{}, 3, "close is NaN"},
		{"parquet: null token", "a.parquet", pq(t, []pqNullToken{{&tok, 19000, 1}, {nil, 19001, 1}}), Options{}, 2, "empty token"},
		{"parquet: integer date without a logical type", "a.parquet", pq(t, []pqInt64Date{{"BTC", 1704067200000, 1}}), Options{}, 0, "want DATE"},
		{"parquet: timestamp not at midnight", "a.parquet", pq(t, []pqTimestamp{{"BTC", 1704067200000, 1}, {"BTC", 1704157200000, 1}}), Options{}, 2, "not a UTC midnight"},
		{"parquet: bad string date", "a.parquet", pq(t, []pqStringDate{{"BTC", "2022-13-01", 1}}), Options{}, 1, "bad date"},
		{"parquet: integer token", "a.parquet", pq(t, []pqIntToken{{7, 19000, 1}}), Options{}, 0, "column token"},
		{"parquet: string close", "a.parquet", pq(t, []pqStringClose{{"BTC", 19000, "1.5"}}), Options{}, 0, "want a number"},
		{"parquet: no rows", "a.parquet", pq(t, []pqStringDate{}), Options{}, 0, "no rows"},
		{"parquet: same day twice", "a.parquet", parquetBytes(t, []harness.Candle{btcJan2024[0], btcJan2024[0]}), Options{}, 2, "duplicate BTC 2024-01-01"},
	}
	if len(tests) < 40 {
		t.Fatalf("only %d cases", len(tests))
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, tt.file, tt.content)
			_, _, err := load(tt.opt, path)
			if err == nil {
				t.Fatal("got no error")
			}
			var pe *harness.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("got %T %v, want a *harness.ParseError", err, err)
			}
			if pe.File != path || pe.Line != tt.line {
				t.Errorf("got %s:%d, want %s:%d (%v)", pe.File, pe.Line, path, tt.line, err)
			}
			if !strings.HasPrefix(err.Error(), path) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %q, want it to start with the file and mention %q", err, tt.want)
			}
			// Dropping bad rows: a row problem is skipped and recorded, a
			// file problem is still an error; never a panic.
			opt := tt.opt
			opt.DropBadRows = true
			d, err := Read(opt, path)
			if err == nil && tt.line > 0 && !strings.Contains(tt.want, "duplicate") && !strings.Contains(tt.want, "no data rows") {
				found := false
				for _, e := range d.Dropped {
					found = found || e.Line == tt.line && strings.Contains(e.Error(), tt.want)
				}
				if !found {
					t.Errorf("drop mode: got dropped %v, want line %d (%s)", d.Dropped, tt.line, tt.want)
				}
			}
		})
	}
}

func twoFileZip() []byte {
	var b bytes.Buffer
	zw := newZip(&b)
	for _, n := range []string{"a.csv", "b.csv"} {
		w, _ := zw.Create(n)
		w.Write([]byte(klineRow))
	}
	zw.Close()
	return b.Bytes()
}

func emptyZip() []byte {
	var b bytes.Buffer
	newZip(&b).Close()
	return b.Bytes()
}
