package dataio

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"gem/harness"
)

// longColumns are the long CSV's columns; "timestamp" may stand for "date".
var longColumns = [...]string{"token", "date", "open", "high", "low", "close", "volume"}

// readLong reads a long CSV. It accepts and rejects what harness.ReadCandles
// does (FuzzLong checks this), but can go on past a bad row: it is the
// reader behind Options.DropBadRows and Check.
func readLong(r io.Reader, path string, s *sink) error {
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err == io.EOF {
		return &harness.ParseError{File: path, Err: errors.New("empty file (want a header token,date,open,high,low,close,volume)")}
	}
	if err != nil {
		return csvError(path, err)
	}
	var col [len(longColumns)]int
	for i := range col {
		col[i] = -1
	}
	for j, name := range header {
		name = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(name, "\ufeff")))
		if name == "timestamp" {
			name = "date"
		}
		for i, want := range longColumns {
			if name == want {
				col[i] = j
			}
		}
	}
	for i, c := range col {
		if c < 0 {
			return &harness.ParseError{File: path, Line: 1, Err: fmt.Errorf("missing column %q (header is %q)", longColumns[i], strings.Join(header, ","))}
		}
	}
	column := func(field int) int { _, c := cr.FieldPos(col[field+2]); return c }
	rows := 0
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) && errors.Is(err, csv.ErrFieldCount) {
				rows++
				if err := s.bad(&harness.ParseError{File: path, Line: pe.Line, Column: pe.Column, Err: pe.Err}); err != nil {
					return err
				}
				continue
			}
			return csvError(path, err)
		}
		rows++
		line, _ := cr.FieldPos(0)
		c, field, err := parseLongRow(rec, &col, s.mode == raw)
		if err != nil {
			_, column := cr.FieldPos(field)
			if err := s.bad(&harness.ParseError{File: path, Line: line, Column: column, Err: err}); err != nil {
				return err
			}
			continue
		}
		if err := s.add(c, harness.Location{File: path, Line: line}, column); err != nil {
			return err
		}
	}
	if rows == 0 {
		return &harness.ParseError{File: path, Line: 1, Err: errors.New("no data rows after the header")}
	}
	return nil
}

// parseLongRow converts one record; on error it returns the bad field's
// index in rec. keepBad keeps zero, negative and huge prices and negative
// volumes (for Check).
func parseLongRow(rec []string, col *[len(longColumns)]int, keepBad bool) (harness.Candle, int, error) {
	var c harness.Candle
	c.Token = strings.TrimSpace(rec[col[0]])
	if c.Token == "" {
		return c, col[0], errors.New("empty token")
	}
	d, err := harness.ParseDate(strings.TrimSpace(rec[col[1]]))
	if err != nil {
		return c, col[1], err
	}
	c.Date = d
	for k, p := range [5]*float64{&c.Open, &c.High, &c.Low, &c.Close, &c.Volume} {
		j := col[k+2]
		v, err := parseField(rec[j], k, keepBad)
		if err != nil {
			return c, j, err
		}
		*p = v
	}
	return c, 0, nil
}

// parseField parses field k (0..4: open, high, low, close, volume) as the
// harness does: empty is NaN except for the close, NaN and infinities are
// errors, and unless keepBad so are prices outside (0, 1e15] and negative
// volumes.
func parseField(s string, k int, keepBad bool) (float64, error) {
	name := fieldNames[k]
	s = strings.TrimSpace(s)
	if s == "" {
		if k == 3 {
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
	case keepBad:
	case k == 4 && v < 0:
		return 0, fmt.Errorf("volume is negative: %v", v)
	case k != 4 && !(v > 0 && v <= maxPrice):
		return 0, fmt.Errorf("%s is %v (a price must be positive)", name, v)
	}
	return v, nil
}

// csvError converts an encoding/csv error into a *harness.ParseError.
func csvError(path string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &harness.ParseError{File: path, Line: pe.Line, Column: pe.Column, Err: pe.Err}
	}
	return &harness.ParseError{File: path, Err: err}
}
