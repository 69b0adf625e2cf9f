package dataio

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/deprecated"
	"github.com/parquet-go/parquet-go/format"

	"gem/harness"
)

// parquetCandle is the schema gem writes: one row per candle, a DATE
// column, and optional prices and volume (null where a close-only row has
// none). The close is required.
type parquetCandle struct {
	Token  string   `parquet:"token,dict,zstd"`
	Date   int32    `parquet:"date,date,zstd"`
	Open   *float64 `parquet:"open,optional,zstd"`
	High   *float64 `parquet:"high,optional,zstd"`
	Low    *float64 `parquet:"low,optional,zstd"`
	Close  float64  `parquet:"close,zstd"`
	Volume *float64 `parquet:"volume,optional,zstd"`
}

// writeParquet writes candles in gem's Parquet schema.
func writeParquet(w io.Writer, candles []harness.Candle) error {
	opt := func(x float64) *float64 {
		if math.IsNaN(x) {
			return nil
		}
		return &x
	}
	pw := parquet.NewGenericWriter[parquetCandle](w, parquet.MaxRowsPerRowGroup(1<<20))
	buf := make([]parquetCandle, 0, 4096)
	flush := func() error {
		_, err := pw.Write(buf)
		buf = buf[:0]
		return err
	}
	for i := range candles {
		c := &candles[i]
		buf = append(buf, parquetCandle{c.Token, int32(c.Date), opt(c.Open), opt(c.High), opt(c.Low), c.Close, opt(c.Volume)})
		if len(buf) == cap(buf) {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := flush(); err != nil {
		return err
	}
	return pw.Close()
}

// readParquetFile reads a Parquet file with the long CSV's columns: token
// (string), date (DATE, a TIMESTAMP at a UTC midnight, or a YYYY-MM-DD
// string; the column may be called timestamp), close, and optionally open,
// high, low and volume (double, float or integer; null is an empty field).
// Errors give the row number (from 1) as the line and the column's number.
func readParquetFile(path string, s *sink) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	return readParquetSafe(f, st.Size(), path, s)
}

// readParquetSafe is readParquet with a panic turned into an error:
// parquet-go may panic on a corrupt file rather than return an error, and a
// bad file must be an error that names it.
func readParquetSafe(r io.ReaderAt, size int64, path string, s *sink) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &harness.ParseError{File: path, Err: fmt.Errorf("corrupt Parquet file: %v", r)}
		}
	}()
	return readParquet(r, size, path, s)
}

// parquetColumn is a leaf column gem reads, and how to convert its values.
type parquetColumn struct {
	index int // column index in the file, -1 when absent
	kind  parquet.Kind
	date  func(v parquet.Value) (harness.Date, error)
}

func readParquet(r io.ReaderAt, size int64, path string, s *sink) error {
	// Check the declarations first: parquet-go trusts the footer and the
	// page headers and allocates whatever they say.
	if err := checkParquet(r, size); err != nil {
		return &harness.ParseError{File: path, Err: err}
	}
	pf, err := parquet.OpenFile(r, size, parquet.SkipPageIndex(true), parquet.SkipBloomFilters(true))
	if err != nil {
		return &harness.ParseError{File: path, Err: fmt.Errorf("not a Parquet file: %w", err)}
	}
	schema := pf.Schema()
	var cols [len(longColumns)]parquetColumn
	for i, name := range longColumns {
		leaf, ok := schema.Lookup(name)
		if !ok && name == "date" {
			leaf, ok = schema.Lookup("timestamp")
		}
		cols[i].index = -1
		if !ok {
			if name == "token" || name == "date" || name == "close" {
				return &harness.ParseError{File: path, Err: fmt.Errorf("missing column %q (columns are %s)", name, strings.Join(leafNames(schema), ","))}
			}
			continue
		}
		if leaf.MaxRepetitionLevel > 0 || len(leaf.Path) != 1 {
			return &harness.ParseError{File: path, Err: fmt.Errorf("column %q is nested or repeated", name)}
		}
		typ := leaf.Node.Type()
		cols[i] = parquetColumn{index: leaf.ColumnIndex, kind: typ.Kind()}
		switch name {
		case "token":
			if typ.Kind() != parquet.ByteArray {
				return &harness.ParseError{File: path, Err: fmt.Errorf("column token is %s, want a string", typ)}
			}
		case "date":
			if cols[i].date, err = dateConverter(typ); err != nil {
				return &harness.ParseError{File: path, Err: err}
			}
		default:
			switch typ.Kind() {
			case parquet.Double, parquet.Float, parquet.Int32, parquet.Int64:
			default:
				return &harness.ParseError{File: path, Err: fmt.Errorf("column %s is %s, want a number", name, typ)}
			}
		}
	}
	rowNum := 0
	buf := make([]parquet.Row, 512)
	byColumn := make(map[int]int, len(cols)) // file column index -> position in cols
	for i, c := range cols {
		if c.index >= 0 {
			byColumn[c.index] = i
		}
	}
	for _, rg := range pf.RowGroups() {
		rows := rg.Rows()
		first := rowNum
		for {
			n, err := rows.ReadRows(buf)
			for _, row := range buf[:n] {
				rowNum++
				if err := parquetRow(row, &cols, byColumn, path, rowNum, s); err != nil {
					rows.Close()
					return err
				}
			}
			if err == io.EOF {
				break
			}
			if err != nil {
				rows.Close()
				return &harness.ParseError{File: path, Line: rowNum + 1, Err: fmt.Errorf("corrupt Parquet data: %w", err)}
			}
			if n == 0 {
				rows.Close()
				return &harness.ParseError{File: path, Line: rowNum + 1, Err: errors.New("corrupt Parquet data: no progress")}
			}
		}
		rows.Close()
		if got := int64(rowNum - first); got != rg.NumRows() {
			return &harness.ParseError{File: path, Line: rowNum, Err: fmt.Errorf("corrupt Parquet data: a row group of %d rows holds %d", rg.NumRows(), got)}
		}
	}
	if rowNum == 0 {
		return &harness.ParseError{File: path, Err: errors.New("no rows")}
	}
	return nil
}

// parquetRow converts one row.
func parquetRow(row parquet.Row, cols *[len(longColumns)]parquetColumn, byColumn map[int]int, path string, line int, s *sink) error {
	c := harness.Candle{Open: math.NaN(), High: math.NaN(), Low: math.NaN(), Close: math.NaN(), Volume: math.NaN()}
	seen := [len(longColumns)]bool{}
	for _, v := range row {
		i, ok := byColumn[v.Column()]
		if !ok {
			continue
		}
		seen[i] = true
		bad := func(err error) error {
			return s.bad(&harness.ParseError{File: path, Line: line, Column: cols[i].index + 1, Err: err})
		}
		if v.IsNull() {
			switch i {
			case 0:
				return bad(errors.New("empty token"))
			case 1:
				return bad(errors.New("empty date"))
			}
			continue // NaN: an empty field
		}
		switch i {
		case 0:
			c.Token = strings.TrimSpace(string(v.ByteArray()))
			if c.Token == "" {
				return bad(errors.New("empty token"))
			}
		case 1:
			d, err := cols[1].date(v)
			if err != nil {
				return bad(err)
			}
			c.Date = d
		default:
			var x float64
			switch cols[i].kind {
			case parquet.Double:
				x = v.Double()
			case parquet.Float:
				x = float64(v.Float())
			case parquet.Int32:
				x = float64(v.Int32())
			case parquet.Int64:
				x = float64(v.Int64())
			}
			k := i - 2
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return bad(fmt.Errorf("%s is %v", fieldNames[k], x))
			}
			*[5]*float64{&c.Open, &c.High, &c.Low, &c.Close, &c.Volume}[k] = x
		}
	}
	for i, ok := range seen[:2] {
		if !ok {
			return s.bad(&harness.ParseError{File: path, Line: line, Column: cols[i].index + 1, Err: fmt.Errorf("no %s value", longColumns[i])})
		}
	}
	if s.mode == raw {
		if math.IsNaN(c.Close) {
			return s.bad(&harness.ParseError{File: path, Line: line, Column: cols[5].index + 1, Err: errors.New("close is empty")})
		}
	}
	return s.add(c, harness.Location{File: path, Line: line}, func(field int) int { return cols[field+2].index + 1 })
}

// dateConverter returns how to read a date column of type typ.
func dateConverter(typ parquet.Type) (func(parquet.Value) (harness.Date, error), error) {
	lt := typ.LogicalType()
	ct := typ.ConvertedType()
	switch {
	case typ.Kind() == parquet.Int32 && (lt != nil && isDate(lt) || ct != nil && *ct == deprecated.Date):
		return func(v parquet.Value) (harness.Date, error) { return harness.Date(v.Int32()), nil }, nil
	case typ.Kind() == parquet.Int64 && lt != nil && isTimestamp(lt) != 0,
		typ.Kind() == parquet.Int64 && ct != nil && (*ct == deprecated.TimestampMillis || *ct == deprecated.TimestampMicros):
		unit := time.Millisecond
		if lt != nil && isTimestamp(lt) != 0 {
			unit = isTimestamp(lt)
		} else if *ct == deprecated.TimestampMicros {
			unit = time.Microsecond
		}
		perDay := int64(24 * time.Hour / unit)
		return func(v parquet.Value) (harness.Date, error) {
			t := v.Int64()
			if t%perDay != 0 {
				return 0, fmt.Errorf("timestamp %d (%s) is not a UTC midnight", t, unit)
			}
			d := t / perDay
			if d < math.MinInt32 || d > math.MaxInt32 {
				return 0, fmt.Errorf("timestamp %d is out of range", t)
			}
			return harness.Date(d), nil
		}, nil
	case typ.Kind() == parquet.ByteArray:
		return func(v parquet.Value) (harness.Date, error) {
			return harness.ParseDate(strings.TrimSpace(string(v.ByteArray())))
		}, nil
	}
	return nil, fmt.Errorf("column date is %s, want DATE, a TIMESTAMP or a YYYY-MM-DD string", typ)
}

func isDate(lt *format.LogicalType) bool {
	_, ok := lt.Value.(*format.DateType)
	return ok
}

// isTimestamp returns the unit of a TIMESTAMP logical type, or 0.
func isTimestamp(lt *format.LogicalType) time.Duration {
	ts, ok := lt.Value.(*format.TimestampType)
	if !ok || ts.Unit.Value == nil {
		return 0
	}
	return ts.Unit.Value.Duration()
}

func leafNames(s *parquet.Schema) []string {
	var names []string
	for _, p := range s.Columns() {
		names = append(names, strings.Join(p, "."))
	}
	return names
}
