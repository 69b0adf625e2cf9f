package corpus

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"

	"gem/harness"
)

// Case is one file of the corpus.
type Case struct {
	// Name is the file's name; its extension tells the format, as on the
	// command line (.csv, .csv.gz, .zip, .parquet).
	Name string
	// Load says the file must load; otherwise it must be rejected.
	Load bool
	// Want is a substring of the rejection's message ("" for any).
	Want string
	// Format is the --format to read the file with ("" for auto).
	Format string
	// Path, when not empty, is a file to read instead of a generated one
	// (/dev/zero); Write returns it.
	Path string
	// Dir makes the case a directory named Name.
	Dir bool

	write func(w io.Writer) error
}

// Content writes the case's file content to w (nothing for a case with a
// Path or a directory). A writer that fails stops it.
func (c *Case) Content(w io.Writer) error {
	if c.write == nil {
		return nil
	}
	return c.write(w)
}

// Write creates the case's file (or directory) in dir and returns its path.
func (c *Case) Write(dir string) (string, error) {
	if c.Path != "" {
		return c.Path, nil
	}
	path := filepath.Join(dir, c.Name)
	if c.Dir {
		return path, os.MkdirAll(path, 0o755)
	}
	f, err := os.Create(path)
	if err != nil {
		return "", err
	}
	err = c.write(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return path, err
}

// header is the long CSV's header.
const header = "token,date,open,high,low,close,volume\n"

// text is a case whose content is s.
func text(s string) func(io.Writer) error {
	return func(w io.Writer) error { _, err := io.WriteString(w, s); return err }
}

// rows is the long CSV of n daily rows of tok from 2020-01-01, with closes
// from 100 up.
func rows(tok string, n int) string {
	var b strings.Builder
	for i := range n {
		c := 100 + float64(i)/4
		fmt.Fprintf(&b, "%s,%s,%g,%g,%g,%g,%d\n", tok, harness.Date(18262+i), c, c+1, c-1, c, 1000+i)
	}
	return b.String()
}

var good = header + rows("BTC", 3) + rows("ETH", 3)

// repeat writes prefix, then s n times, then suffix.
func repeat(prefix, s string, n int, suffix string) func(io.Writer) error {
	return func(w io.Writer) error {
		if _, err := io.WriteString(w, prefix); err != nil {
			return err
		}
		chunk := []byte(strings.Repeat(s, max(1, (1<<16)/max(len(s), 1))))
		per := len(chunk) / max(len(s), 1)
		for left := n; left > 0; left -= per {
			k := min(left, per) * len(s)
			if _, err := w.Write(chunk[:k]); err != nil {
				return err
			}
		}
		_, err := io.WriteString(w, suffix)
		return err
	}
}

// gz gzips what inner writes.
func gz(inner func(io.Writer) error) func(io.Writer) error {
	return func(w io.Writer) error {
		zw, _ := gzip.NewWriterLevel(w, gzip.BestCompression)
		if err := inner(zw); err != nil {
			return err
		}
		return zw.Close()
	}
}

// member is a file in a zip archive.
type member struct {
	name  string
	write func(io.Writer) error
}

func zipOf(members ...member) func(io.Writer) error {
	return func(w io.Writer) error {
		zw := zip.NewWriter(w)
		for _, m := range members {
			fw, err := zw.CreateHeader(&zip.FileHeader{Name: m.name, Method: zip.Deflate})
			if err != nil {
				return err
			}
			if err := m.write(fw); err != nil {
				return err
			}
		}
		return zw.Close()
	}
}

// mangle writes what inner writes, changed by f.
func mangle(inner func(io.Writer) error, f func([]byte) []byte) func(io.Writer) error {
	return func(w io.Writer) error {
		var b bytes.Buffer
		if err := inner(&b); err != nil {
			return err
		}
		_, err := w.Write(f(b.Bytes()))
		return err
	}
}

// random writes n seeded random bytes.
func random(seed uint64, n int) func(io.Writer) error {
	return func(w io.Writer) error {
		rng := rand.New(rand.NewPCG(seed, 7))
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		_, err := w.Write(b)
		return err
	}
}

// kline is a Binance kline row opening at day d (in units per day).
func kline(d int64, perDay int64, close string) string {
	return fmt.Sprintf("%d,%s,%s,%s,%s,12.5,%d,0,0,0,0,0\n", d*perDay, close, close, close, close, (d+1)*perDay-1)
}

const msDay, usDay = 86_400_000, 86_400_000_000

// klines is n daily klines of one symbol from 2024-01-01.
func klines(n int, perDay int64) string {
	var b strings.Builder
	for i := range n {
		b.WriteString(kline(19723+int64(i), perDay, fmt.Sprintf("%d.5", 40000+i)))
	}
	return b.String()
}

// Cases returns every case of the corpus, the Parquet ones included. The
// large files are written on demand by Write: a gzip of a 256 MiB line is
// a few hundred kilobytes.
func Cases() []Case {
	const mib = 1 << 20
	long := func(name, content, want string) Case { return Case{Name: name, Want: want, write: text(content)} }
	ok := func(name, content string) Case { return Case{Name: name, Load: true, write: text(content)} }
	row := func(fields string) string { return header + "BTC,2022-01-01,1,2,1,1.5,5\n" + fields + "\n" }
	cs := []Case{
		// The long CSV: structure.
		long("empty.csv", "", "empty file"),
		long("header-only.csv", header, "no data rows"),
		long("bom-only.csv", "\ufeff", ""),
		long("blank-lines-only.csv", "\n\n\n\n", "empty file"),
		long("missing-column.csv", "token,date,open,high,low,close\nBTC,2022-01-01,1,2,1,1.5\n", `missing column "volume"`),
		long("column-twice.csv", "token,date,open,high,low,close,volume,close\nBTC,2022-01-01,1,2,1,1.5,5,1.5\n", "appears twice"),
		long("too-few-fields.csv", row("BTC,2022-01-02,1,2,1,1.5"), "wrong number of fields"),
		long("too-many-fields.csv", row("BTC,2022-01-02,1,2,1,1.5,5,9"), "wrong number of fields"),
		long("trailing-garbage.csv", good+"this is not a candle\n", "wrong number of fields"),
		long("bare-quote.csv", row(`BTC,2022-01-02,1"x,2,1,1.5,5`), "bare"),
		long("quote-in-quoted-field.csv", row(`BTC,2022-01-02,"1"x,2,1,1.5,5`), "extraneous"),
		long("utf16.csv", "\xff\xfet\x00o\x00k\x00e\x00n\x00,\x00d\x00a\x00t\x00e\x00\n\x00", ""),
		{Name: "binary-garbage.csv", write: random(1, 64<<10)},
		long("html.csv", "<html><body>404 Not Found</body></html>\n", ""),
		long("funding-file.csv", "token,time,funding_rate\nBTC,2024-01-01T00:00:00Z,0.0001\n", `missing column "date"`),
		// Numbers.
		long("hex-float.csv", row("BTC,2022-01-02,1,2,1,0x1p-3,5"), `close is not a decimal number: "0x1p-3"`),
		long("hex-integer.csv", row("BTC,2022-01-02,0x10,2,1,1.5,5"), "not a decimal number"),
		long("digit-separator.csv", row("BTC,2022-01-02,1_000,2,1,1.5,5"), `open is not a decimal number: "1_000"`),
		long("thousands-comma.csv", row(`BTC,2022-01-02,1,2,1,"1,234.5",5`), "not a decimal number"),
		long("nan.csv", row("BTC,2022-01-02,1,2,1,nan,5"), "not a decimal number"),
		long("nan-volume.csv", row("BTC,2022-01-02,1,2,1,1.5,NaN"), "not a decimal number"),
		long("inf.csv", row("BTC,2022-01-02,1,inf,1,1.5,5"), "not a decimal number"),
		long("infinity.csv", row("BTC,2022-01-02,1,2,1,Infinity,5"), "not a decimal number"),
		long("minus-inf.csv", row("BTC,2022-01-02,1,2,-Inf,1.5,5"), "not a decimal number"),
		long("overflow.csv", row("BTC,2022-01-02,1,2,1,1e400,5"), "beyond the range of float64"),
		long("lone-exponent.csv", row("BTC,2022-01-02,1,2,1,1e,5"), "not a decimal number"),
		long("two-points.csv", row("BTC,2022-01-02,1,2,1,1.2.3,5"), "not a decimal number"),
		long("unicode-digit.csv", row("BTC,2022-01-02,1,2,1,١,5"), "not a decimal number"),
		long("zero-close.csv", row("BTC,2022-01-02,1,2,1,0,5"), "close is 0"),
		long("negative-close.csv", row("BTC,2022-01-02,1,2,1,-1.5,5"), "close is -1.5"),
		long("negative-low.csv", row("BTC,2022-01-02,1,2,-1,1.5,5"), "low is -1"),
		long("zero-open.csv", row("BTC,2022-01-02,0,2,1,1.5,5"), "open is 0"),
		long("underflow-to-zero.csv", row("BTC,2022-01-02,1,2,1,1e-400,5"), "close is 0"),
		long("absurd-price.csv", row("BTC,2022-01-02,1,2,1,2e15,5"), "close is 2e+15"),
		long("negative-volume.csv", row("BTC,2022-01-02,1,2,1,1.5,-5"), "volume is negative"),
		long("empty-close.csv", row("BTC,2022-01-02,1,2,1,,5"), "close is empty"),
		// Dates.
		long("slashed-date.csv", row("BTC,2022/01/02,1,2,1,1.5,5"), "bad date"),
		long("us-date.csv", row("BTC,01/02/2022,1,2,1,1.5,5"), "bad date"),
		long("day-out-of-range.csv", row("BTC,2022-02-30,1,2,1,1.5,5"), "bad date"),
		long("month-13.csv", row("BTC,2022-13-01,1,2,1,1.5,5"), "bad date"),
		long("year-zero.csv", row("BTC,0000-01-01,1,2,1,1.5,5"), "bad date"),
		long("year-10000.csv", row("BTC,10000-01-01,1,2,1,1.5,5"), "bad date"),
		long("short-date.csv", row("BTC,2022-1-2,1,2,1,1.5,5"), "bad date"),
		long("compact-date.csv", row("BTC,20220102,1,2,1,1.5,5"), "bad date"),
		long("date-with-time.csv", row("BTC,2022-01-02T00:00:00Z,1,2,1,1.5,5"), "bad date"),
		long("date-with-space-time.csv", row("BTC,2022-01-02 00:00:00,1,2,1,1.5,5"), "bad date"),
		long("unix-date.csv", row("BTC,1641081600,1,2,1,1.5,5"), "bad date"),
		long("empty-date.csv", row("BTC,,1,2,1,1.5,5"), "bad date"),
		long("mixed-date-formats.csv", header+rows("BTC", 50)+"BTC,2020/02/20,1,2,1,1.5,5\n", "bad date"),
		// Tokens.
		long("empty-token.csv", row(",2022-01-02,1,2,1,1.5,5"), "empty token"),
		long("blank-token.csv", row("   ,2022-01-02,1,2,1,1.5,5"), "empty token"),
		long("long-token.csv", row(strings.Repeat("A", 65)+",2022-01-02,1,2,1,1.5,5"), "at most 64"),
		long("huge-token.csv", row(strings.Repeat("A", 60000)+",2022-01-02,1,2,1,1.5,5"), "(60000 bytes)"),
		long("nul-in-token.csv", row("B\x00TC,2022-01-02,1,2,1,1.5,5"), "control character"),
		long("newline-in-token.csv", row("\"B\nTC\",2022-01-02,1,2,1,1.5,5"), "control character"),
		long("escape-in-token.csv", row("\x1b[31mBTC,2022-01-02,1,2,1,1.5,5"), "control character"),
		// Duplicates.
		long("duplicate.csv", row("BTC,2022-01-01,1,2,1,1.5,5"), "duplicate BTC 2022-01-01"),
		{Name: "duplicate-late-sorted.csv", Want: "duplicate BTC 2020-01-01", write: text(header + rows("BTC", 40000) + rows("BTC", 1))},
		{Name: "duplicate-late-shuffled.csv", Want: "duplicate", write: text(header + rows("ETH", 20000) + rows("BTC", 20000) + rows("ETH", 1))},
		{Name: "duplicate-then-bomb.csv.gz", Want: "duplicate BTC 2022-01-01", write: gz(repeat(row("BTC,2022-01-01,1,2,1,1.5,5"), "\n", 256*mib, ""))},
		// Lines and fields over the limits.
		{Name: "nul-file.csv", Want: "line longer than", write: repeat("", "\x00", 4*mib, "")},
		{Name: "nul-after-header.csv", Want: "line longer than", write: repeat(header, "\x00", 4*mib, "")},
		{Name: "endless-line.csv", Want: "line longer than", write: repeat(header+"BTC,2022-01-01,", "1", 8*mib, "")},
		{Name: "huge-field.csv", Want: "line longer than", write: repeat(header+"BTC,2022-01-01,1,2,1,", "9", 4*mib, ",5\n")},
		{Name: "huge-header.csv", Want: "line longer than", write: repeat("token,date,open,high,low,close,volume", ",x", 1*mib, "\n")},
		{Name: "unclosed-quote.csv", Want: "quoted field spanning", write: repeat(header+"BTC,2022-01-01,1,2,1,\"1.5", ",5\nBTC,2022-01-02,1,2,1,1.5", 10000, "")},
		{Name: "dev-zero", Format: "long", Path: "/dev/zero", Want: "line longer than"},
		{Name: "dev-null", Path: "/dev/null", Want: "empty file"},
		{Name: "a-directory.csv", Dir: true, Want: "directory"},
		// gzip.
		{Name: "truncated.csv.gz", Want: "unexpected EOF", write: mangle(gz(text(header+rows("BTC", 500))), func(b []byte) []byte { return b[:len(b)/2] })},
		{Name: "bad-gzip-header.csv.gz", Want: "gzip", write: text("\x1f\x8b\x00garbage")},
		{Name: "gzip-then-garbage.csv.gz", Want: "gzip", write: mangle(gz(text(good)), func(b []byte) []byte { return append(b, "garbage after the stream"...) })},
		{Name: "gzip-bad-checksum.csv.gz", Want: "checksum", write: mangle(gz(text(good)), func(b []byte) []byte { b[len(b)-8] ^= 0xff; return b })},
		{Name: "gzip-of-gzip.csv.gz", write: gz(gz(text(good)))},
		{Name: "gzip-bomb-newlines.csv.gz", Want: "decompresses to more than", write: gz(repeat(header, "\n", 256*mib, ""))},
		{Name: "gzip-bomb-zeros.csv.gz", Format: "long", Want: "line longer than", write: gz(repeat("", "\x00", 256*mib, ""))},
		{Name: "gzip-endless-line.csv.gz", Want: "line longer than", write: gz(repeat(header+"BTC,2022-01-01,", "1", 256*mib, ""))},
		{Name: "gzip-bomb-blank-rows.csv.gz", Want: "decompresses to more than", write: gz(repeat(header, "\r\n", 128*mib, ""))},
		// zip.
		{Name: "zip-two-members.zip", Want: "zip holds 2 files", write: zipOf(member{"a.csv", text(good)}, member{"b.csv", text(good)})},
		{Name: "zip-empty.zip", Want: "zip holds 0 files", write: zipOf()},
		{Name: "zip-truncated.zip", Want: "zip", write: mangle(zipOf(member{"BTCUSDT-1d.csv", text(klines(300, msDay))}), func(b []byte) []byte { return b[:len(b)/2] })},
		{Name: "zip-garbage.zip", Want: "zip", write: random(2, 4096)},
		{Name: "zip-in-zip.zip", write: zipOf(member{"inner.zip", zipOf(member{"BTCUSDT-1d.csv", text(klines(3, msDay))})})},
		{Name: "zip-size-lie.zip", Want: "zip", write: mangle(zipOf(member{"BTCUSDT-1d.csv", text(klines(300, msDay))}), shrinkZipSizes)},
		{Name: "zip-bomb-member.zip", Want: "zip member decompresses to more than", write: zipOf(member{"data.csv", repeat(header, "\n", 256*mib, "")})},
		{Name: "zip-bomb-gzip-member.zip", Want: "decompresses to more than", write: zipOf(member{"data.csv.gz", gz(repeat(header, "\n", 256*mib, ""))})},
		{Name: "zip-endless-line.zip", Want: "line longer than", write: zipOf(member{"BTCUSDT-1d.csv", repeat("", "1", 256*mib, "")})},
		// Binance kline dumps.
		{Name: "BTCUSDT-1d-not-midnight.csv", Want: "not a UTC midnight", write: text(klines(2, msDay) + "1704240000001,1,1,1,1,1,0,0,0,0,0,0\n")},
		{Name: "BTCUSDT-1d-open-time-garbage.csv", Want: "open_time is not an integer", write: text(klines(2, msDay) + "17042x0000000,1,1,1,1,1,0,0,0,0,0,0\n")},
		{Name: "BTCUSDT-1d-five-columns.csv", Want: "want the 12 of a Binance kline", write: text("1704067200000,1,1,1,1\n")},
		{Name: "BTCUSDT-1d-negative-time.csv", Want: "not in milliseconds or microseconds", write: text("-86400000,1,1,1,1,1,0,0,0,0,0,0\n")},
		{Name: "BTCUSDT-1d-huge-time.csv", Want: "not in milliseconds or microseconds", write: text("9223372036854775807,1,1,1,1,1,0,0,0,0,0,0\n")},
		{Name: "BTCUSDT-1d-hex-price.csv", Want: "not a decimal number", write: text(kline(19723, msDay, "0x1p4"))},
		{Name: "BTCUSDT-1d-zero-close.csv", Want: "is 0 (a price must be positive)", write: text(kline(19723, msDay, "0"))},
		{Name: "BTCUSDT-1d-duplicate.csv", Want: "duplicate BTC 2024-01-01", write: text(klines(3, msDay) + kline(19723, msDay, "1"))},
		{Name: "BTCUSDT-1d-header-only.csv", Want: "no data rows", write: text("open_time,open,high,low,close,volume,close_time,quote_volume,count,taker_buy_volume,taker_buy_quote_volume,ignore\n")},
		{Name: "no-token-in-name.csv", Want: "cannot tell the token", write: text(klines(3, msDay))},
		{Name: "BTCEUR-1d-2024-01.csv", Want: "cannot tell the token", write: text(klines(3, msDay))},

		// Files that load.
		ok("ok-basic.csv", good),
		ok("ok-crlf.csv", strings.ReplaceAll(good, "\n", "\r\n")),
		ok("ok-bom.csv", "\ufeff"+good),
		ok("ok-columns-reordered.csv", "volume,close,low,high,open,date,token\n5,1.5,1,2,1,2022-01-01,BTC\n"),
		ok("ok-timestamp-header.csv", "token,timestamp,open,high,low,close,volume\nBTC,2022-01-01,1,2,1,1.5,5\n"),
		ok("ok-upper-case-header.csv", "TOKEN,DATE,OPEN,HIGH,LOW,CLOSE,VOLUME\nBTC,2022-01-01,1,2,1,1.5,5\n"),
		ok("ok-close-only.csv", header+"BTC,2022-01-01,,,,1.5,\nBTC,2022-01-02,,,,1.6,\n"),
		ok("ok-quoted.csv", header+`"BTC","2022-01-01","1","2","1","1.5","5"`+"\n"),
		ok("ok-token-with-comma.csv", header+`"A,B",2022-01-01,1,2,1,1.5,5`+"\n"),
		ok("ok-blank-lines.csv", header+"\nBTC,2022-01-01,1,2,1,1.5,5\n\n\nBTC,2022-01-02,1,2,1,1.6,5\n\n"),
		ok("ok-no-final-newline.csv", strings.TrimSuffix(good, "\n")),
		ok("ok-spaces.csv", header+"  BTC , 2022-01-01 , 1 , 2 , 1 , 1.5 , 5 \n"),
		ok("ok-number-forms.csv", header+"BTC,2022-01-01,.5,5.,+0.25,9.2e-05,1E3\nBTC,2022-01-02,1e-300,1e15,1e-300,3.74512E-06,0\n"),
		ok("ok-extra-columns.csv", "token,date,open,high,low,close,volume,note\nBTC,2022-01-01,1,2,1,1.5,5,"+strings.Repeat("n", 60000)+"\n"),
		ok("ok-unsorted.csv", header+"ETH,2022-01-03,1,2,1,1.5,5\nBTC,2022-01-02,1,2,1,1.5,5\nETH,2022-01-01,1,2,1,1.5,5\nBTC,2022-01-01,1,2,1,1.5,5\n"),
		ok("ok-leap-day.csv", header+"BTC,2024-02-28,1,2,1,1.5,5\nBTC,2024-02-29,1,2,1,1.5,5\nBTC,2024-03-01,1,2,1,1.5,5\n"),
		ok("ok-centuries.csv", header+"BTC,1900-01-01,,,,100,\nBTC,2200-01-01,,,,174.87,\n"),
		ok("ok-calendar-ends.csv", header+"BTC,0001-01-01,,,,1,\nBTC,9999-12-31,,,,2,\n"),
		ok("ok-unicode-token.csv", header+"币安,2022-01-01,1,2,1,1.5,5\n"),
		ok("ok-one-row.csv", header+"BTC,2022-01-01,,,,1.5,\n"),
		{Name: "ok.csv.gz", Load: true, write: gz(text(good))},
		{Name: "ok-multistream.csv.gz", Load: true, write: func(w io.Writer) error {
			if err := gz(text(header + rows("BTC", 2)))(w); err != nil {
				return err
			}
			return gz(text(rows("ETH", 2)))(w)
		}},
		{Name: "BTCUSDT-1d-2024-01.zip", Load: true, write: zipOf(member{"BTCUSDT-1d-2024-01.csv", text(klines(31, msDay))})},
		{Name: "ok-gzip-in-zip.zip", Load: true, write: zipOf(member{"data.csv.gz", gz(text(good))})},
		{Name: "ok-zip-with-directory.zip", Load: true, write: func(w io.Writer) error {
			zw := zip.NewWriter(w)
			if _, err := zw.Create("dir/"); err != nil {
				return err
			}
			fw, err := zw.Create("dir/data.csv")
			if err != nil {
				return err
			}
			io.WriteString(fw, good)
			return zw.Close()
		}},
		{Name: "BTCUSDT-1d-2024-01.csv", Load: true, write: text(klines(31, msDay))},
		{Name: "ETHUSDT-1d-2025-01.csv", Load: true, write: text(klines(31, usDay))},
		{Name: "SOLUSDT-1d-header.csv", Load: true, write: text("open_time,open,high,low,close,volume,close_time,quote_volume,count,taker_buy_volume,taker_buy_quote_volume,ignore\n" + klines(3, msDay))},
		{Name: "XRPUSDT-1d-forced.txt", Format: "binance", Load: true, write: text(klines(3, msDay))},
		{Name: "ok-long-rows-100k.csv.gz", Load: true, write: gz(text(header + rows("BTC", 50000) + rows("ETH", 50000)))},
		{Name: "ok-sparse-20000-tokens.csv.gz", Load: true, write: gz(sparse(20000))},
		{Name: "ok-one-token-many-days.csv.gz", Load: true, write: gz(text(header + rows("BTC", 300000)))},
		{Name: "ok-many-tokens-one-day.csv.gz", Load: true, write: gz(manyTokens(100000))},
	}
	return append(cs, parquetCases()...)
}

// sparse is the case: n tokens of two candles each on 2n distinct
// days, 20,000 tokens × 40,000 days when n is 20,000 (a dense index would
// take 3.2 GB).
func sparse(n int) func(io.Writer) error {
	return func(w io.Writer) error {
		bw := &strings.Builder{}
		bw.WriteString(header)
		for i := range n {
			tok := fmt.Sprintf("T%05d", i)
			fmt.Fprintf(bw, "%s,%s,,,,%d,\n%s,%s,,,,%d,\n", tok, harness.Date(2*i), 1+i%7, tok, harness.Date(2*i+1), 2+i%5)
		}
		_, err := io.WriteString(w, bw.String())
		return err
	}
}

// manyTokens is n tokens of one candle each, on one day.
func manyTokens(n int) func(io.Writer) error {
	return func(w io.Writer) error {
		var b strings.Builder
		b.WriteString(header)
		for i := range n {
			fmt.Fprintf(&b, "T%06d,2022-01-01,,,,1.5,\n", i)
		}
		_, err := io.WriteString(w, b.String())
		return err
	}
}

// shrinkZipSizes sets every uncompressed size in a zip's central directory
// to 5 bytes, less than the member holds.
func shrinkZipSizes(b []byte) []byte {
	sig := []byte{'P', 'K', 1, 2}
	for i := 0; ; {
		k := bytes.Index(b[i:], sig)
		if k < 0 {
			return b
		}
		i += k
		if i+28 <= len(b) {
			copy(b[i+24:i+28], []byte{5, 0, 0, 0})
		}
		i += len(sig)
	}
}
