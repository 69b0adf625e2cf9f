package harness

import (
	"bufio"
	"compress/gzip"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
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
		a, b := where[dup.First], where[dup.Second]
		return nil, &ParseError{File: b.File, Line: b.Line, Err: fmt.Errorf("duplicate %s %s (first at %s:%d)", candles[dup.Second].Token, candles[dup.Second].Date, a.File, a.Line)}
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
	f, err := os.Open(path)
	if err != nil {
		return candles, where, err
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 1<<20)
	var r io.Reader = br
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		gz, err := gzip.NewReader(br)
		if err != nil {
			return candles, where, &ParseError{File: path, Err: err}
		}
		defer gz.Close()
		r = gz
	}
	return appendCSV(candles, where, r, path)
}

func appendCSV(candles []Candle, where []Location, r io.Reader, path string) ([]Candle, []Location, error) {
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err == io.EOF {
		return candles, where, &ParseError{File: path, Err: errors.New("empty file (want a header token,date,open,high,low,close,volume)")}
	}
	if err != nil {
		return candles, where, csvError(path, err)
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
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return candles, where, csvError(path, err)
		}
		line, _ := cr.FieldPos(0)
		c, err := parseCandle(rec, &col)
		if err != nil {
			var fe *fieldError
			if errors.As(err, &fe) {
				_, column := cr.FieldPos(fe.field)
				return candles, where, &ParseError{File: path, Line: line, Column: column, Err: fe.err}
			}
			return candles, where, &ParseError{File: path, Line: line, Err: err}
		}
		candles = append(candles, c)
		where = append(where, Location{File: path, Line: line})
		rows++
	}
	if rows == 0 {
		return candles, where, &ParseError{File: path, Line: 1, Err: errors.New("no data rows after the header")}
	}
	return candles, where, nil
}

func csvError(path string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &ParseError{File: path, Line: pe.Line, Column: pe.Column, Err: pe.Err}
	}
	return &ParseError{File: path, Err: err}
}

type fieldError struct {
	field int
	err   error
}

func (e *fieldError) Error() string { return e.err.Error() }

// parseCandle converts one record. Empty open, high, low or volume fields are
// NaN (a close-only row); the close is required.
func parseCandle(rec []string, col *[len(csvColumns)]int) (Candle, error) {
	var c Candle
	c.Token = strings.TrimSpace(rec[col[0]])
	if c.Token == "" {
		return c, &fieldError{col[0], errors.New("empty token")}
	}
	d, err := ParseDate(strings.TrimSpace(rec[col[1]]))
	if err != nil {
		return c, &fieldError{col[1], err}
	}
	c.Date = d
	dst := [...]*float64{&c.Open, &c.High, &c.Low, &c.Close, &c.Volume}
	for k, p := range dst {
		j := col[k+2]
		name := csvColumns[k+2]
		s := strings.TrimSpace(rec[j])
		if s == "" {
			if name == "close" {
				return c, &fieldError{j, errors.New("close is empty")}
			}
			*p = math.NaN()
			continue
		}
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return c, &fieldError{j, fmt.Errorf("%s is not a number: %q", name, s)}
		}
		switch {
		case math.IsNaN(v) || math.IsInf(v, 0):
			return c, &fieldError{j, fmt.Errorf("%s is %v", name, v)}
		case name == "volume" && v < 0:
			return c, &fieldError{j, fmt.Errorf("volume is negative: %v", v)}
		case name != "volume" && !(v > 0 && v <= maxPrice):
			return c, &fieldError{j, fmt.Errorf("%s is %v (a price must be positive)", name, v)}
		}
		*p = v
	}
	return c, nil
}
