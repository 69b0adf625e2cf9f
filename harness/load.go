package harness

import (
	"bufio"
	"bytes"
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
	"unicode/utf8"
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
	var col Collector
	for _, path := range paths {
		if err := appendFile(&col, path); err != nil {
			return nil, err
		}
	}
	p, err := NewPanel(col.Candles)
	var dup *DuplicateError
	if errors.As(err, &dup) {
		return nil, dup.At(col.Candles, col.Where)
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

func appendFile(col *Collector, path string) error {
	r, size, closeFile, err := OpenCSV(path)
	if err != nil {
		return err
	}
	defer closeFile()
	cr := CSVReader{SizeHint: size}
	return cr.Append(col, r, path)
}

// Limits on the text of one input file, whatever its compression. A candle
// line is under 300 bytes in every real file; CSV text compresses 3 to 7
// times in the files of ../shared/data.
const (
	// MaxLineBytes bounds one line of CSV text.
	MaxLineBytes = 64 << 10
	// MaxTokenBytes bounds a token's name.
	MaxTokenBytes = 64
	// MaxExpansion and MinTextLimit bound the decompressed text of a file:
	// each layer (a gzip stream, a zip member, a gzip inside a zip) may
	// produce at most MaxExpansion times the file's size on disk, or
	// MinTextLimit bytes for a small file, and never more than
	// MaxTextBytes. A gzip or zip bomb stops there with an error.
	MaxExpansion = 64
	MinTextLimit = 16 << 20
	MaxTextBytes = 4 << 30
)

// TextLimit is the most decompressed text a compressed file of size bytes
// (on disk) may produce in any of its layers.
func TextLimit(size int64) int64 {
	return min(max(MaxExpansion*max(size, 0), MinTextLimit), MaxTextBytes)
}

// LimitText returns a reader of r that fails with a *ParseError naming path
// and the limit once r has produced more than limit bytes; what names the
// layer ("gzip stream", "zip member").
func LimitText(r io.Reader, limit int64, path, what string) io.Reader {
	return &limitedText{r: r, left: limit, limit: limit, path: path, what: what}
}

type limitedText struct {
	r           io.Reader
	left, limit int64
	path, what  string
}

func (l *limitedText) Read(b []byte) (int, error) {
	if l.left <= 0 {
		if n, _ := l.r.Read(b[:min(len(b), 1)]); n == 0 {
			return 0, io.EOF // exactly at the limit
		}
		return 0, &ParseError{File: l.path, Err: fmt.Errorf("%s decompresses to more than %d bytes (the limit for a file of this size: %d times its size, at least %d, at most %d)", l.what, l.limit, MaxExpansion, MinTextLimit, int64(MaxTextBytes))}
	}
	n, err := l.r.Read(b[:min(int64(len(b)), l.left)])
	l.left -= int64(n)
	return n, err
}

// LimitLines returns a reader of CSV text r that fails with a *ParseError
// naming path and the line once a record is longer than MaxLineBytes. A
// record is a line, or several when a quoted field holds line breaks (an
// unclosed quote makes the rest of the file one record, which the CSV
// reader would hold in memory whole).
func LimitLines(r io.Reader, path string) io.Reader {
	return &limitedLines{r: r, path: path, line: 1}
}

type limitedLines struct {
	r       io.Reader
	path    string
	line    int  // line of the current record's start
	breaks  int  // line breaks inside the current record
	cur     int  // bytes of the current record so far
	inQuote bool // an odd number of quotes so far in the record
	err     error
}

func (l *limitedLines) Read(b []byte) (int, error) {
	if l.err != nil {
		return 0, l.err
	}
	n, err := l.r.Read(b)
	rest := b[:n]
	for len(rest) > 0 {
		i := bytes.IndexByte(rest, '\n')
		seg := rest
		if i >= 0 {
			seg = rest[:i]
		}
		l.inQuote = l.inQuote != (bytes.Count(seg, []byte{'"'})%2 == 1)
		l.cur += len(seg)
		if l.cur > MaxLineBytes {
			what := "line"
			if l.breaks > 0 {
				what = fmt.Sprintf("record (a quoted field spanning %d line breaks)", l.breaks)
			}
			l.err = &ParseError{File: l.path, Line: l.line, Err: fmt.Errorf("%s longer than %d bytes", what, MaxLineBytes)}
			return 0, l.err
		}
		if i < 0 {
			break
		}
		rest = rest[i+1:]
		if l.inQuote {
			l.cur++
			l.breaks++
			continue
		}
		l.line += 1 + l.breaks
		l.cur, l.breaks = 0, 0
	}
	return n, err
}

// OpenCSV opens a candle CSV, plain or gzip (told by its first bytes), and
// returns a reader of its text, the text's size in bytes (read from the gzip
// trailer, so modulo 4 GiB, for a gzip file) and the function that closes
// the file. The text of a gzip file is limited to TextLimit of the file's
// size, and every line to MaxLineBytes: beyond, reading fails with a
// *ParseError that names the file and the limit.
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
		limit := TextLimit(size)
		// The trailer of a damaged file can claim anything: trust it only up
		// to the limit.
		var trailer [4]byte
		if _, err := f.ReadAt(trailer[:], size-4); err == nil {
			size = min(int64(binary.LittleEndian.Uint32(trailer[:])), limit)
		}
		text := LimitLines(LimitText(gz, limit, path, "gzip stream"), path)
		return bufio.NewReaderSize(text, 1<<20), size, func() error { gz.Close(); return f.Close() }, nil
	}
	return bufio.NewReaderSize(LimitLines(br, path), 1<<20), size, f.Close, nil
}

// Collector gathers candles as readers produce them, with the place each
// came from. It keeps one copy of each token's name (a reader's strings
// often share a whole line's memory) and rejects a duplicate token-day as
// it arrives: a sorted file stops at the duplicate's line, not after
// reading every row. The zero value is ready to use.
type Collector struct {
	Candles []Candle
	Where   []Location
	// KeepDuplicates keeps a second candle of a token-day instead of
	// returning an error, for a checker that reports them.
	KeepDuplicates bool

	tokens map[string]*tokenRows
	last   *tokenRows
	// seen holds every candle's token-day once some token's candles arrived
	// out of date order (nil until then): for sorted input, the previous
	// candle of the token is the only possible duplicate.
	seen map[tokenDay]int
}

type tokenRows struct {
	name    string
	id      int32
	last    Date // date of the token's latest candle
	lastAt  int  // its index in Candles
	ordered bool // every candle of the token so far in increasing date order
}

type tokenDay struct {
	id   int32
	date Date
}

// Add appends c read at at. A second candle of a token-day is a
// *ParseError at the second place naming the first, unless KeepDuplicates.
func (col *Collector) Add(c Candle, at Location) error {
	t := col.last
	if t == nil || t.name != c.Token {
		if t = col.tokens[c.Token]; t == nil {
			if col.tokens == nil {
				col.tokens = make(map[string]*tokenRows)
			}
			name := strings.Clone(c.Token)
			t = &tokenRows{name: name, id: int32(len(col.tokens)), last: c.Date, lastAt: -1, ordered: true}
			col.tokens[name] = t
		}
		col.last = t
	}
	c.Token = t.name
	i := len(col.Candles)
	first := -1
	switch {
	case t.lastAt < 0 || t.ordered && c.Date > t.last:
	case t.ordered && c.Date == t.last:
		first = t.lastAt
	default:
		t.ordered = false
		if col.seen == nil {
			col.seen = make(map[tokenDay]int, len(col.Candles))
			for k := range col.Candles {
				col.seen[tokenDay{col.tokens[col.Candles[k].Token].id, col.Candles[k].Date}] = k
			}
		}
		if k, ok := col.seen[tokenDay{t.id, c.Date}]; ok {
			first = k
		}
	}
	if first >= 0 && !col.KeepDuplicates {
		a := col.Where[first]
		return &ParseError{File: at.File, Line: at.Line, Err: fmt.Errorf("duplicate %s %s (first at %s:%d)", c.Token, c.Date, a.File, a.Line)}
	}
	if col.seen != nil {
		col.seen[tokenDay{t.id, c.Date}] = i
	}
	if t.ordered || c.Date > t.last {
		t.last, t.lastAt = c.Date, i
	}
	col.Candles = append(col.Candles, c)
	col.Where = append(col.Where, at)
	return nil
}

// Grow reserves room for n more candles.
func (col *Collector) Grow(n int) {
	col.Candles = slices.Grow(col.Candles, n)
	col.Where = slices.Grow(col.Where, n)
}

// CSVReader reads the long candle CSV, the one format of the harness:
//
//	token,date,open,high,low,close,volume
//
// with its columns in any order ("timestamp" may stand for "date"), dates
// as YYYY-MM-DD, numbers in decimal notation (an optional sign, digits with
// an optional fraction, an optional exponent: 12, -0.5, 9.2e-05), and an
// empty open, high, low or volume for a value the source does not give
// (NaN). The zero value reads as LoadFiles does: the first bad row is the
// error.
type CSVReader struct {
	// OnBadRow, if not nil, is called with each row that cannot be read: a
	// wrong number of fields, or a field that is not a valid value. When it
	// returns nil the row is skipped and reading goes on; an error it
	// returns stops the read and is returned as is. Nil stops at the first
	// bad row, which is the error. Problems of the whole file (no header, a
	// missing column, a broken quote, a line or text over its limit, a
	// read error, a duplicate token-day) always stop the read.
	OnBadRow func(*ParseError) error
	// KeepOutOfRange keeps a zero, negative or larger than MaxPrice price
	// and a negative volume instead of rejecting the row, so that a checker
	// can report them (gem data check). An unparseable number, NaN, an
	// infinity and an empty close are bad all the same. False (the zero
	// value) rejects them, as the harness must.
	KeepOutOfRange bool
	// SizeHint is the size in bytes of the text to come, if known (0 when
	// not): room for its rows is reserved up front, since growing half a
	// million candles step by step costs more than parsing them.
	SizeHint int64
}

// Append reads a long CSV from r and adds its candles to col. path names
// the file in locations and errors, which are *ParseError unless OnBadRow
// returns another. A file without data rows is an error; under OnBadRow a
// bad row counts as one.
func (cr *CSVReader) Append(col *Collector, r io.Reader, path string) error {
	if br, ok := r.(*bufio.Reader); ok && cr.SizeHint > 0 {
		col.Grow(estimateRows(br, cr.SizeHint))
	}
	rd := csv.NewReader(r)
	rd.ReuseRecord = true
	cols, err := ReadHeader(rd, path, csvColumns[:], map[string]string{"timestamp": "date"})
	if err != nil {
		return err
	}
	column := [len(csvColumns)]int(cols)
	rows := 0
	for {
		rec, err := rd.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			if !errors.Is(err, csv.ErrFieldCount) {
				return CSVError(path, err)
			}
			rows++
			if err := cr.bad(CSVError(path, err)); err != nil {
				return err
			}
			continue
		}
		rows++
		line, _ := rd.FieldPos(0)
		c, field, err := cr.parseRow(rec, &column)
		if err != nil {
			_, col := rd.FieldPos(field)
			if err := cr.bad(&ParseError{File: path, Line: line, Column: col, Err: err}); err != nil {
				return err
			}
			continue
		}
		if err := col.Add(c, Location{File: path, Line: line}); err != nil {
			return err
		}
	}
	if rows == 0 {
		return &ParseError{File: path, Line: 1, Err: errors.New("no data rows after the header")}
	}
	return nil
}

// estimateRows estimates the rows in size bytes of text as size times the
// density of non-blank lines in the reader's buffer: blank lines (which the
// CSV reader skips, and a bomb may be made of) reserve nothing.
func estimateRows(br *bufio.Reader, size int64) int {
	b, _ := br.Peek(min(br.Size(), 64<<10))
	rows := 0
	for len(b) > 0 {
		line := b
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			line, b = b[:i], b[i+1:]
		} else {
			b = nil
		}
		if len(bytes.TrimSpace(line)) > 0 {
			rows++
		}
	}
	if rows < 2 {
		return 0
	}
	peeked := int64(min(br.Buffered(), 64<<10))
	return int(min(size*int64(rows)/peeked+1, 1<<24))
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
	if err := CheckToken(c.Token); err != nil {
		return c, col[0], err
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

// CheckToken returns an error for an empty token name, one longer than
// MaxTokenBytes, or one holding a control character.
func CheckToken(tok string) error {
	switch {
	case tok == "":
		return errors.New("empty token")
	case len(tok) > MaxTokenBytes:
		return fmt.Errorf("token %s is %d bytes long (at most %d)", QuoteField(tok), len(tok), MaxTokenBytes)
	case strings.IndexFunc(tok, func(r rune) bool { return r < ' ' || r == 0x7f }) >= 0:
		return fmt.Errorf("token %s holds a control character", QuoteField(tok))
	}
	return nil
}

// ParseValue parses a candle's value as Append does. field is 0 to 4 for
// open, high, low, close and volume; ParseValue panics for any other. An
// empty s is NaN (a value the source does not give) except for the close,
// which is required; anything but a decimal number (NaN, infinities, hex
// floats, digit separators) is an error, and so, unless KeepOutOfRange, is
// a value CheckValue rejects. An error reads as the message of a
// *ParseError ("close is 0 (a price must be positive)").
func (cr *CSVReader) ParseValue(field int, s string) (float64, error) {
	if field < 0 || field > 4 {
		panic(fmt.Sprintf("harness: ParseValue of field %d, want 0 to 4", field))
	}
	name := csvColumns[field+2]
	s = strings.TrimSpace(s)
	if s == "" {
		if field == closeField {
			return 0, errors.New("close is empty")
		}
		return math.NaN(), nil
	}
	if !IsDecimal(s) {
		return 0, fmt.Errorf("%s is not a decimal number: %s", name, QuoteField(s))
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return 0, fmt.Errorf("%s is not a number: %s", name, QuoteField(s))
	}
	if math.IsInf(v, 0) {
		return 0, fmt.Errorf("%s is %s, beyond the range of float64", name, QuoteField(s))
	}
	if cr.KeepOutOfRange {
		return v, nil
	}
	return v, CheckValue(field, v)
}

// closeField is the close's index among a candle's values.
const closeField = 3

// CheckValue applies the harness's rule for one value of a candle: field 0
// to 4 is open, high, low, close or volume (it panics for any other), and
// NaN stands for an empty field. The close is required; every price given
// must be positive, finite and at most MaxPrice; a volume given must be
// finite and not negative. The error reads as the message of a *ParseError.
func CheckValue(field int, v float64) error {
	if field < 0 || field > 4 {
		panic(fmt.Sprintf("harness: CheckValue of field %d, want 0 to 4", field))
	}
	name := csvColumns[field+2]
	switch {
	case math.IsNaN(v):
		if field == closeField {
			return errors.New("close is empty")
		}
	case math.IsInf(v, 0):
		return fmt.Errorf("%s is %v", name, v)
	case field == 4 && v < 0:
		return fmt.Errorf("volume is negative: %v", v)
	case field != 4 && !(v > 0 && v <= MaxPrice):
		return fmt.Errorf("%s is %v (a price must be positive)", name, v)
	}
	return nil
}

// ValidateCandle applies CheckToken to c's token, checks its date is in
// [MinDate, MaxDate], and applies CheckValue to each of its values. It
// returns the first bad field (-2 for the token, -1 for the date, 0 to 4
// for the values) with the problem; field is meaningless when err is nil.
func ValidateCandle(c *Candle) (field int, err error) {
	if err := CheckToken(c.Token); err != nil {
		return -2, err
	}
	if c.Date < MinDate || c.Date > MaxDate {
		return -1, fmt.Errorf("date %d days from 1970-01-01 is outside %s..%s", int64(c.Date), MinDate, MaxDate)
	}
	for k, v := range [5]float64{c.Open, c.High, c.Low, c.Close, c.Volume} {
		if err := CheckValue(k, v); err != nil {
			return k, err
		}
	}
	return 0, nil
}

// IsDecimal reports whether s is a number in plain decimal notation: an
// optional sign, digits with an optional fraction (".5" and "5." count), and
// an optional exponent (e or E, an optional sign, digits). It rejects what
// strconv.ParseFloat also takes: "NaN", "Inf", hex floats ("0x1p-3") and
// underscores ("1_000").
func IsDecimal(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits := func() int {
		j := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		return i - j
	}
	n := digits()
	if i < len(s) && s[i] == '.' {
		i++
		n += digits()
	}
	if n == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(s)
}

// QuoteField quotes a field of input for an error message: at most 40
// bytes of it, and its length when it is longer.
func QuoteField(s string) string {
	const most = 40
	if len(s) <= most {
		return strconv.Quote(s)
	}
	cut := most
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return fmt.Sprintf("%s... (%d bytes)", strconv.Quote(s[:cut]), len(s))
}

// ReadHeader reads the header line of a CSV file and returns, for each
// name of cols, the index of its column; names are matched without case,
// surrounding space or a byte-order mark, after renaming by alias (nil for
// none). Other columns are ignored. An empty file, a column named twice and
// a missing one are *ParseError naming path (and the header).
func ReadHeader(rd *csv.Reader, path string, cols []string, alias map[string]string) ([]int, error) {
	header, err := rd.Read()
	if err == io.EOF {
		return nil, &ParseError{File: path, Err: fmt.Errorf("empty file (want a header %s)", strings.Join(cols, ","))}
	}
	if err != nil {
		return nil, CSVError(path, err)
	}
	column := make([]int, len(cols))
	for i := range column {
		column[i] = -1
	}
	for j, name := range header {
		name = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(name, "\ufeff")))
		if a, ok := alias[name]; ok {
			name = a
		}
		if i := slices.Index(cols, name); i >= 0 {
			if column[i] >= 0 {
				return nil, &ParseError{File: path, Line: 1, Column: j + 1, Err: fmt.Errorf("column %q appears twice", name)}
			}
			column[i] = j
		}
	}
	for i, c := range column {
		if c < 0 {
			return nil, &ParseError{File: path, Line: 1, Err: fmt.Errorf("missing column %q (header is %s)", cols[i], QuoteField(strings.Join(header, ",")))}
		}
	}
	return column, nil
}

// CSVError converts an error of encoding/csv's Reader into a *ParseError
// of the file path, with the line and column csv gives; a *ParseError (a
// limit of LimitLines or LimitText) is returned as is.
func CSVError(path string, err error) *ParseError {
	var own *ParseError
	if errors.As(err, &own) {
		return own
	}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &ParseError{File: path, Line: pe.Line, Column: pe.Column, Err: pe.Err}
	}
	return &ParseError{File: path, Err: err}
}
