package dataio

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
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
	// AllowMixed lets Panel build a panel from spot and perp files
	// together; without it, mixing the two markets is an error.
	AllowMixed bool
}

// Read reads candle files of any format. Errors name the file and, where
// there is one, the line and column (*harness.ParseError). A token-day
// present twice, in one file or two, stops the read at the second.
func Read(opt Options, paths ...string) (*Data, error) {
	if len(paths) == 0 {
		return nil, errors.New("dataio: no files")
	}
	m := strict
	if opt.DropBadRows {
		m = drop
	}
	d := &Data{}
	s := &sink{mode: m, d: d}
	for _, path := range paths {
		if err := readFile(s, path, opt); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// Panel builds a harness panel from the candles. A token-day present twice
// is a *harness.ParseError naming both places. Each token's market is its
// files' (harness.MarketOf): a panel of spot and perp files together is an
// error unless AllowMixed, and a token with candles of both markets always
// is.
func (d *Data) Panel() (*harness.Panel, error) {
	p, err := harness.NewPanel(d.Candles)
	var dup *harness.DuplicateError
	if errors.As(err, &dup) && dup.Second < len(d.Where) {
		return nil, dup.At(d.Candles, d.Where)
	}
	if err != nil || len(d.Where) != len(d.Candles) {
		return p, err
	}
	markets := make(map[string]harness.Market)
	files := [2]string{}
	for i, at := range d.Where {
		m := harness.MarketOf(at.File)
		files[m] = at.File
		tok := d.Candles[i].Token
		if old, ok := markets[tok]; ok && old != m {
			return nil, fmt.Errorf("%s:%d: token %s has perp and spot candles (%s and %s)", at.File, at.Line, tok, files[harness.Perp], files[harness.Spot])
		}
		markets[tok] = m
	}
	if files[harness.Perp] == "" {
		return p, nil
	}
	if files[harness.Spot] != "" && !d.AllowMixed {
		return nil, fmt.Errorf("%s holds perps and %s spot candles: mixing the two markets in one panel needs --allow-mixed", files[harness.Perp], files[harness.Spot])
	}
	perp := make([]bool, p.NumTokens())
	for i := range perp {
		perp[i] = markets[p.Series[i].Token] == harness.Perp
	}
	p.SetMarkets(perp)
	return p, nil
}

// mode says what a reader does with a bad row.
type mode int

const (
	strict mode = iota // the first bad row is the error
	drop               // bad rows are skipped and recorded
	raw                // like drop, but values the harness rejects (zero or negative prices, duplicates) are kept, for Check
)

// sink receives a reader's rows into d, through a harness.Collector that
// rejects a duplicate token-day as it arrives (except in raw mode).
type sink struct {
	mode     mode
	d        *Data
	col      harness.Collector
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

// collector returns the sink's collector, set for its mode.
func (s *sink) collector() *harness.Collector {
	s.col.KeepDuplicates = s.mode == raw
	return &s.col
}

// sync makes d's candles the collector's.
func (s *sink) sync() { s.d.Candles, s.d.Where = s.col.Candles, s.col.Where }

// add validates c with the harness's rules (in raw mode only its token and
// date) and keeps it. column maps a field of harness.ValidateCandle (0..4:
// open, high, low, close, volume; -1: the date; -2: the token) to its
// column in the file.
func (s *sink) add(c harness.Candle, at harness.Location, column func(field int) int) error {
	f, err := harness.ValidateCandle(&c)
	if s.mode == raw && f >= 0 {
		err = nil
	}
	if err != nil {
		return s.bad(&harness.ParseError{File: at.File, Line: at.Line, Column: column(f), Err: err})
	}
	err = s.collector().Add(c, at)
	s.sync()
	return err
}

// longColumns are the long CSV's columns, as Write writes them and Parquet
// files name them.
var longColumns = [...]string{"token", "date", "open", "high", "low", "close", "volume"}

// fieldNames are a candle's values in file order: field k is longColumns[k+2].
var fieldNames = [5]string{"open", "high", "low", "close", "volume"}

// readFile reads one file into s.
func readFile(s *sink, path string, opt Options) error {
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
	err := lr.Append(s.collector(), r, path)
	s.sync()
	return err
}

// decompress returns a reader of the content of a zip member, gunzipped if
// it starts with the gzip magic number, each layer limited to limit bytes
// and every line to harness.MaxLineBytes.
func decompress(br *bufio.Reader, path string, limit int64) (*bufio.Reader, error) {
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		gz, err := gzip.NewReader(br)
		if err != nil {
			return nil, &harness.ParseError{File: path, Err: err}
		}
		br = bufio.NewReaderSize(harness.LimitText(gz, limit, path, "gzip stream in the zip member"), 1<<20)
	}
	return bufio.NewReaderSize(harness.LimitLines(br, path), 1<<20), nil
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
	var size int64
	if st, err := os.Stat(path); err == nil {
		size = st.Size()
	}
	limit := harness.TextLimit(size)
	r, err := decompress(bufio.NewReaderSize(harness.LimitText(rc, limit, path, "zip member"), 1<<20), path, limit)
	if err != nil {
		return err
	}
	format := opt.Format
	if format == Auto {
		format = sniff(r)
	}
	return readCSV(r, path, files[0].Name, format, opt, s)
}
