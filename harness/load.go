package harness

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
)

// ParseError is bad input at a place in a file. Line and Column count from 1;
// Column is 0 when the problem concerns the whole line or file.
type ParseError struct {
	File   string
	Line   int
	Column int
	Err    error
}

func (e *ParseError) Error() string {
	switch {
	case e.Line == 0:
		return fmt.Sprintf("%s: %v", e.File, e.Err)
	case e.Column == 0:
		return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err)
	}
	return fmt.Sprintf("%s:%d:%d: %v", e.File, e.Line, e.Column, e.Err)
}

func (e *ParseError) Unwrap() error { return e.Err }

// csvColumns are the columns of the long candle CSV. The date column may also
// be called "timestamp", as in the reference implementation's files.
var csvColumns = [...]string{"token", "date", "open", "high", "low", "close", "volume"}

// LoadFiles reads candle CSVs (plain or gzip) and merges them into one Panel.
// A token-day present in two places is an error, as is any malformed field.
func LoadFiles(paths ...string) (*Panel, error) {
	var candles []Candle
	var where []Location
	for _, path := range paths {
		var err error
		candles, where, err = appendFile(candles, where, path)
		if err != nil {
			return nil, err
		}
	}
	p, err := NewPanel(candles)
	var dup *DuplicateError
	if errors.As(err, &dup) {
		return nil, dup.At(candles, where)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", strings.Join(paths, ", "), err)
	}
	return p, nil
}

// Location is the file and line a candle was read from.
type Location struct {
	File string
	Line int
}

// ReadCandles reads one candle CSV (plain or gzip, detected from its first
// bytes) and returns its rows with their locations.
func ReadCandles(path string) ([]Candle, []Location, error) {
	return appendFile(nil, nil, path)
}

func appendFile(candles []Candle, where []Location, path string) ([]Candle, []Location, error) {
	r, size, closeFile, err := OpenCSV(path)
	if err != nil {
		return candles, where, err
	}
	defer closeFile()
	cr := CSVReader{SizeHint: size}
	return cr.Append(candles, where, r, path)
}

// OpenCSV opens a candle CSV, plain or gzip (told by its first bytes), and
// returns a reader of its text, the text's size in bytes (read from the gzip
// trailer, so modulo 4 GiB, for a gzip file) and the function that closes
// the file.
func OpenCSV(path string) (r *bufio.Reader, size int64, closeFile func() error, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, nil, err
	}
	if st, err := f.Stat(); err == nil {
		size = st.Size()
	}
	br := bufio.NewReaderSize(f, 1<<20)
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		gz, err := gzip.NewReader(br)
		if err != nil {
			f.Close()
			return nil, 0, nil, &ParseError{File: path, Err: err}
		}
		// The trailer of a damaged file can claim anything: trust it only up
		// to 32 times the compressed size (CSV text compresses about 5 to 10
		// times).
		var trailer [4]byte
		if _, err := f.ReadAt(trailer[:], size-4); err == nil {
			size = min(int64(binary.LittleEndian.Uint32(trailer[:])), 32*size)
		}
		return bufio.NewReaderSize(gz, 1<<20), size, func() error { gz.Close(); return f.Close() }, nil
	}
	return br, size, f.Close, nil
}

// CSVReader reads the long candle CSV, the one format of the harness:
//
//	token,date,open,high,low,close,volume
//
// with its columns in any order ("timestamp" may stand for "date"), dates
// as YYYY-MM-DD, and an empty open, high, low or volume for a value the
// source does not give (NaN). The zero value reads as LoadFiles does: the
// first bad row is the error.
type CSVReader struct {
	// OnBadRow, if not nil, is called with each row that cannot be read: a
	// wrong number of fields, or a field that is not a valid value. When it
	// returns nil the row is skipped and reading goes on; an error it
	// returns stops the read and is returned as is. Nil stops at the first
	// bad row, which is the error. Problems of the whole file (no header, a
	// missing column, a broken quote, a read error) always stop the read.
	OnBadRow func(*ParseError) error
	// KeepOutOfRange keeps a zero, negative or larger than 1e15 price and a
	// negative volume instead of rejecting the row, so that a checker can
	// report them (gem data check). An unparseable number, NaN, an infinity
	// and an empty close are bad all the same. False (the zero value)
	// rejects them, as the harness must.
	KeepOutOfRange bool
	// SizeHint is the size in bytes of the text to come, if known (0 when
	// not): room for its rows is reserved up front, since growing half a
	// million candles step by step costs more than parsing them.
	SizeHint int64
}

// Append reads a long CSV from r and appends its candles to candles and
// the file and line of each to where. path names the file in locations
// and errors, which are *ParseError unless OnBadRow returns another. A
// file without data rows is an error; under OnBadRow a bad row counts as
// one.
func (cr *CSVReader) Append(candles []Candle, where []Location, r io.Reader, path string) ([]Candle, []Location, error) {
	if rows := int(min(cr.SizeHint/32, 1<<26)); rows > 0 { // a candle line is rarely under 32 bytes
		candles = slices.Grow(candles, rows)
		where = slices.Grow(where, rows)
	}
	rd := csv.NewReader(r)
	rd.ReuseRecord = true
	header, err := rd.Read()
	if err == io.EOF {
		return candles, where, &ParseError{File: path, Err: errors.New("empty file (want a header token,date,open,high,low,close,volume)")}
	}
	if err != nil {
		return candles, where, CSVError(path, err)
	}
	var col [len(csvColumns)]int
	for i := range col {
		col[i] = -1
	}
	for j, name := range header {
		name = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(name, "\ufeff")))
		if name == "timestamp" {
			name = "date"
		}
		for i, want := range csvColumns {
			if name == want {
				col[i] = j
			}
		}
	}
	for i, c := range col {
		if c < 0 {
			return candles, where, &ParseError{File: path, Line: 1, Err: fmt.Errorf("missing column %q (header is %q)", csvColumns[i], strings.Join(header, ","))}
		}
	}
	rows := 0
	for {
		rec, err := rd.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			if !errors.Is(err, csv.ErrFieldCount) {
				return candles, where, CSVError(path, err)
			}
			rows++
			if err := cr.bad(CSVError(path, err)); err != nil {
				return candles, where, err
			}
			continue
		}
		rows++
		line, _ := rd.FieldPos(0)
		c, field, err := cr.parseRow(rec, &col)
		if err != nil {
			_, column := rd.FieldPos(field)
			if err := cr.bad(&ParseError{File: path, Line: line, Column: column, Err: err}); err != nil {
				return candles, where, err
			}
			continue
		}
		candles = append(candles, c)
		where = append(where, Location{File: path, Line: line})
	}
	if rows == 0 {
		return candles, where, &ParseError{File: path, Line: 1, Err: errors.New("no data rows after the header")}
	}
	return candles, where, nil
}

// bad hands a bad row to OnBadRow; nil means skip it and go on.
func (cr *CSVReader) bad(e *ParseError) error {
	if cr.OnBadRow == nil {
		return e
	}
	return cr.OnBadRow(e)
}

// parseRow converts one record; on error it also returns the index in rec
// of the bad field.
func (cr *CSVReader) parseRow(rec []string, col *[len(csvColumns)]int) (Candle, int, error) {
	var c Candle
	c.Token = strings.TrimSpace(rec[col[0]])
	if c.Token == "" {
		return c, col[0], errors.New("empty token")
	}
	d, err := ParseDate(strings.TrimSpace(rec[col[1]]))
	if err != nil {
		return c, col[1], err
	}
	c.Date = d
	for k, p := range [...]*float64{&c.Open, &c.High, &c.Low, &c.Close, &c.Volume} {
		j := col[k+2]
		v, err := cr.ParseValue(k, rec[j])
		if err != nil {
			return c, j, err
		}
		*p = v
	}
	return c, 0, nil
}

// ParseValue parses a candle's value as Append does. field is 0 to 4 for
// open, high, low, close and volume; ParseValue panics for any other. An
// empty s is NaN (a value the source does not give) except for the close,
// which is required; an unparseable number, NaN and the infinities are
// errors, and so, unless KeepOutOfRange, are a price outside (0, 1e15] and
// a negative volume. An error reads as the message of a *ParseError
// ("close is 0 (a price must be positive)").
func (cr *CSVReader) ParseValue(field int, s string) (float64, error) {
	if field < 0 || field > 4 {
		panic(fmt.Sprintf("harness: ParseValue of field %d, want 0 to 4", field))
	}
	name := csvColumns[field+2]
	s = strings.TrimSpace(s)
	if s == "" {
		if name == "close" {
			return 0, errors.New("close is empty")
		}
		return math.NaN(), nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, fmt.Errorf("%s is not a number: %q", name, s)
	}
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0):
		return 0, fmt.Errorf("%s is %v", name, v)
	case cr.KeepOutOfRange:
	case name == "volume" && v < 0:
		return 0, fmt.Errorf("volume is negative: %v", v)
	case name != "volume" && !(v > 0 && v <= MaxPrice):
		return 0, fmt.Errorf("%s is %v (a price must be positive)", name, v)
	}
	return v, nil
}

// CSVError converts an error of encoding/csv's Reader into a *ParseError
// of the file path, with the line and column csv gives.
func CSVError(path string, err error) *ParseError {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &ParseError{File: path, Line: pe.Line, Column: pe.Column, Err: pe.Err}
	}
	return &ParseError{File: path, Err: err}
}
