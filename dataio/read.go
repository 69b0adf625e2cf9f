package dataio

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strings"

	"gem/harness"
)

// Format is a candle file format.
type Format int

const (
	// Auto picks the format from the file: .parquet is Parquet; anything
	// else is CSV (gzip or zip accepted), long when its header has a
	// "token" column and Binance kline otherwise.
	Auto Format = iota
	// Long is the long CSV token,date,open,high,low,close,volume, or the
	// reference's token,timestamp,... (harness.CSVReader).
	Long
	// Binance is a Binance kline CSV dump of one symbol (binance.go).
	Binance
	// Parquet is a Parquet file with the long CSV's columns (parquet.go).
	Parquet
)

// ParseFormat parses "auto", "long" (or "csv"), "binance" or "parquet".
func ParseFormat(s string) (Format, error) {
	switch strings.ToLower(s) {
	case "", "auto":
		return Auto, nil
	case "long", "csv":
		return Long, nil
	case "binance":
		return Binance, nil
	case "parquet":
		return Parquet, nil
	}
	return 0, fmt.Errorf("unknown format %q (want auto, long, binance or parquet)", s)
}

func (f Format) String() string {
	switch f {
	case Long:
		return "long"
	case Binance:
		return "binance"
	case Parquet:
		return "parquet"
	}
	return "auto"
}

// Options control how files are read. The zero value reads every format
// strictly: the first bad row is an error.
type Options struct {
	// Format forces one format for every file; Auto (the zero value)
	// detects each file's format.
	Format Format
	// Token names the token of Binance kline files. Empty takes it from
	// the file name: BTCUSDT-1d-2024-01.csv holds BTC (see TokenFromSymbol).
	Token string
	// DropBadRows skips a row with a bad value (a zero, negative, NaN or
	// unparseable price, a negative volume, a bad date, a wrong number of
	// fields) instead of failing, and records it in Data.Dropped. Problems
	// of the whole file (a missing column, a broken quote, a corrupt gzip
	// or Parquet stream) are still errors.
	DropBadRows bool
}

// Data is the candles read from one or more files.
type Data struct {
	Candles []harness.Candle
	// Where[i] is the file and line Candles[i] came from. For Parquet the
	// line is the row number, counting from 1.
	Where []harness.Location
	// Dropped lists the rows skipped under Options.DropBadRows, in file
	// order, each as the error it would otherwise have been.
	Dropped []*harness.ParseError
}

// Load reads the files and builds one panel from them. It is Read followed
// by Data.Panel.
func Load(opt Options, paths ...string) (*harness.Panel, *Data, error) {
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

// Read reads candle files of any format. Errors name the file and, where
// there is one, the line and column (*harness.ParseError).
func Read(opt Options, paths ...string) (*Data, error) {
	if len(paths) == 0 {
		return nil, errors.New("dataio: no files")
	}
	m := strict
	if opt.DropBadRows {
		m = drop
	}
	d := &Data{}
	for _, path := range paths {
		if err := readFile(d, path, opt, m); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// Panel builds a harness panel from the candles. A token-day present twice
// is a *harness.ParseError naming both places.
func (d *Data) Panel() (*harness.Panel, error) {
	p, err := harness.NewPanel(d.Candles)
	var dup *harness.DuplicateError
	if errors.As(err, &dup) && dup.Second < len(d.Where) {
		return nil, dup.At(d.Candles, d.Where)
	}
	return p, err
}

// mode says what a reader does with a bad row.
type mode int

const (
	strict mode = iota // the first bad row is the error
	drop               // bad rows are skipped and recorded
	raw                // like drop, but values the harness rejects (zero or negative prices) are kept, for Check
)

// sink receives a reader's rows.
type sink struct {
	mode     mode
	d        *Data
	sizeHint int64 // bytes of CSV text to come, if known
}

// bad handles a bad row: in strict mode it is returned as the error,
// otherwise recorded and reading goes on.
func (s *sink) bad(e *harness.ParseError) error {
	if s.mode == strict {
		return e
	}
	s.d.Dropped = append(s.d.Dropped, e)
	return nil
}

// add validates c (except in raw mode) and keeps it. column maps a field
// (0..4: open, high, low, close, volume) to its column in the file.
func (s *sink) add(c harness.Candle, at harness.Location, column func(field int) int) error {
	if s.mode != raw {
		if f, err := validate(&c); err != nil {
			return s.bad(&harness.ParseError{File: at.File, Line: at.Line, Column: column(f), Err: err})
		}
	}
	s.d.Candles = append(s.d.Candles, c)
	s.d.Where = append(s.d.Where, at)
	return nil
}

// maxPrice is the harness's bound on a plausible price (harness/load.go).
const maxPrice = 1e15

// longColumns are the long CSV's columns, as Write writes them and Parquet
// files name them.
var longColumns = [...]string{"token", "date", "open", "high", "low", "close", "volume"}

// fieldNames are a candle's values in file order: field k is longColumns[k+2].
var fieldNames = [5]string{"open", "high", "low", "close", "volume"}

// validate applies the harness's rules to a parsed candle, in which NaN
// stands for an empty field: the close is required, every price given must
// be positive, finite and at most 1e15, and a volume given must be finite
// and not negative. It returns the first bad field (0..4: open, high, low,
// close, volume) and the problem, worded as harness/load.go words it.
func validate(c *harness.Candle) (int, error) {
	for k, v := range [5]float64{c.Open, c.High, c.Low, c.Close, c.Volume} {
		name := fieldNames[k]
		switch {
		case math.IsNaN(v):
			if k == 3 {
				return k, errors.New("close is empty")
			}
		case math.IsInf(v, 0):
			return k, fmt.Errorf("%s is %v", name, v)
		case k == 4 && v < 0:
			return k, fmt.Errorf("volume is negative: %v", v)
		case k != 4 && !(v > 0 && v <= maxPrice):
			return k, fmt.Errorf("%s is %v (a price must be positive)", name, v)
		}
	}
	return -1, nil
}

// readFile reads one file into d.
func readFile(d *Data, path string, opt Options, m mode) error {
	s := &sink{mode: m, d: d}
	format := opt.Format
	if format == Parquet || (format == Auto && strings.EqualFold(filepath.Ext(path), ".parquet")) {
		return readParquetFile(path, s)
	}
	if strings.EqualFold(filepath.Ext(path), ".zip") {
		return readZip(path, opt, s)
	}
	r, size, closeFile, err := harness.OpenCSV(path)
	if err != nil {
		return err
	}
	defer closeFile()
	if format == Auto {
		format = sniff(r)
	}
	s.sizeHint = size
	return readCSV(r, path, path, format, opt, s)
}

// readCSV reads a long or Binance CSV from r; name is the file name the
// token of a Binance file comes from.
func readCSV(r *bufio.Reader, path, name string, format Format, opt Options, s *sink) error {
	if format == Binance {
		token := opt.Token
		if token == "" {
			var err error
			if token, err = tokenFromFileName(name); err != nil {
				return &harness.ParseError{File: path, Err: err}
			}
		}
		return readBinance(r, path, token, s)
	}
	return readLong(r, path, s)
}

// readLong reads a long CSV with the harness's own reader, so that strict
// and drop mode accept exactly the rows harness.LoadFiles accepts. The
// sink's mode says whether a bad row stops the read, and raw keeps zero and
// negative prices for Check to report.
func readLong(r io.Reader, path string, s *sink) error {
	lr := harness.CSVReader{OnBadRow: s.bad, KeepOutOfRange: s.mode == raw, SizeHint: s.sizeHint}
	var err error
	s.d.Candles, s.d.Where, err = lr.Append(s.d.Candles, s.d.Where, r, path)
	return err
}

// decompress returns a reader of the file's content, gunzipped if it
// starts with the gzip magic number.
func decompress(br *bufio.Reader, path string) (*bufio.Reader, error) {
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		gz, err := gzip.NewReader(br)
		if err != nil {
			return nil, &harness.ParseError{File: path, Err: err}
		}
		return bufio.NewReaderSize(gz, 1<<20), nil
	}
	return br, nil
}

// sniff tells a long CSV (a header with a "token" column) from a Binance
// kline CSV by the first line.
func sniff(r *bufio.Reader) Format {
	b, _ := r.Peek(4096)
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		b = b[:i]
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return Long // the harness reports the empty file
	}
	for _, f := range strings.Split(string(b), ",") {
		f = strings.ToLower(strings.Trim(strings.TrimSpace(strings.TrimPrefix(f, "\ufeff")), `"`))
		if f == "token" {
			return Long
		}
	}
	return Binance
}

// maxZipEntry bounds the uncompressed size of a zipped CSV (a daily
// kline file of one symbol is a few hundred kilobytes).
const maxZipEntry = 1 << 30

// readZip reads a zip archive holding one CSV file, as data.binance.vision
// publishes kline dumps.
func readZip(path string, opt Options, s *sink) error {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return &harness.ParseError{File: path, Err: err}
	}
	defer zr.Close()
	var files []*zip.File
	for _, f := range zr.File {
		if !f.FileInfo().IsDir() {
			files = append(files, f)
		}
	}
	if len(files) != 1 {
		return &harness.ParseError{File: path, Err: fmt.Errorf("zip holds %d files, want one CSV", len(files))}
	}
	rc, err := files[0].Open()
	if err != nil {
		return &harness.ParseError{File: path, Err: err}
	}
	defer rc.Close()
	r, err := decompress(bufio.NewReaderSize(io.LimitReader(rc, maxZipEntry), 1<<20), path)
	if err != nil {
		return err
	}
	format := opt.Format
	if format == Auto {
		format = sniff(r)
	}
	return readCSV(r, path, files[0].Name, format, opt, s)
}

// Validate applies the harness's rules to a candle in which NaN stands for
// a field the source did not give: the close is required; every price given
// must be positive, finite and at most 1e15; a volume given must be finite
// and not negative.
func Validate(c *harness.Candle) error {
	_, err := validate(c)
	return err
}
