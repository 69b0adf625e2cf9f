package ledger

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"gem/harness"
)

// Row is one trial.
type Row struct {
	Time      time.Time
	Command   string // eval, sweep, run, search ...
	Strategy  string
	Fill      string
	Window    string // the scoring window, "YYYY-MM-DD..YYYY-MM-DD" ("" for the whole data)
	Params    string // every parameter, "name=value" separated by spaces
	Score     float64
	Rejection string
	Base      harness.Metrics
	Stress    harness.Metrics
	Harness   string // harness source fingerprint
	Data      string // panel fingerprint
	Seconds   float64
}

// Key identifies a configuration on given data under a given harness:
// rows with the same key are the same trial, which is what --resume skips.
func (r *Row) Key() string { return Key(r.Strategy, r.Fill, r.Window, r.Params, r.Harness, r.Data) }

// Key is the key of a trial of strategy with fill mode fill, scoring window
// window and parameters params ("name=value ...", in the strategy's
// canonical form) under the given harness and data fingerprints. A trial on
// the whole data (window "") has the key it had before windows existed.
func Key(strategy, fill, window, params, harness, data string) string {
	fields := []string{strategy, fill, params, harness, data}
	if window != "" {
		fields = append(fields, "window="+window)
	}
	h := sha256.Sum256([]byte(strings.Join(fields, "\x00")))
	return hex.EncodeToString(h[:8])
}

// The fixed columns around the metrics, in file order.
var (
	headColumns = []string{"time", "command", "strategy", "fill", "window", "key", "score", "rejection"}
	tailColumns = []string{"seconds", "harness", "data", "params", "checksum"}
	// required are the columns a file must have to be read as a ledger; the
	// others (metrics, checksum) are read when present, so ledgers written by
	// earlier versions still read.
	required = []string{"time", "command", "strategy", "fill", "key", "score", "rejection", "seconds", "harness", "data", "params"}
)

// Columns is the header of a new ledger file: the fixed columns, then the
// base and stress metrics of harness.MetricSchema, then the row's checksum.
func Columns() []string {
	cols := slices.Clone(headColumns)
	for _, p := range []string{"base_", "stress_"} {
		for _, f := range harness.MetricSchema() {
			cols = append(cols, p+f.Name)
		}
	}
	return append(cols, tailColumns...)
}

// FormatFloat writes x in the shortest form that reads back to the same
// float64, and −Inf as "-inf".
func FormatFloat(x float64) string {
	if math.IsInf(x, -1) {
		return "-inf"
	}
	return strconv.FormatFloat(x, 'g', -1, 64)
}

func parseFloat(s string) (float64, error) {
	if s == "-inf" {
		return math.Inf(-1), nil
	}
	return strconv.ParseFloat(s, 64)
}

// field returns the row's text in the named column ("" for an unknown one;
// the checksum is computed apart).
func (r *Row) field(col string) string {
	switch col {
	case "time":
		return r.Time.UTC().Format(time.RFC3339)
	case "command":
		return clean(r.Command)
	case "strategy":
		return clean(r.Strategy)
	case "fill":
		return clean(r.Fill)
	case "window":
		return clean(r.Window)
	case "key":
		return r.Key()
	case "score":
		return FormatFloat(r.Score)
	case "rejection":
		return clean(r.Rejection)
	case "seconds":
		return strconv.FormatFloat(r.Seconds, 'f', 4, 64)
	case "harness":
		return clean(r.Harness)
	case "data":
		return clean(r.Data)
	case "params":
		return clean(r.Params)
	}
	if f, m := r.metric(col); f != nil {
		return FormatFloat(f.Get(m))
	}
	return ""
}

// metric returns the schema field and the metrics (base or stress) of a
// column such as "base_sharpe_ratio", or nil for another column.
func (r *Row) metric(col string) (*harness.MetricField, *harness.Metrics) {
	for _, p := range []struct {
		prefix string
		m      *harness.Metrics
	}{{"base_", &r.Base}, {"stress_", &r.Stress}} {
		if name, ok := strings.CutPrefix(col, p.prefix); ok {
			fields := harness.MetricSchema()
			for i := range fields {
				if fields[i].Name == name {
					return &fields[i], p.m
				}
			}
		}
	}
	return nil, nil
}

// setField parses the text of the named column into the row.
func (r *Row) setField(col, s string) error {
	var err error
	switch col {
	case "time":
		r.Time, err = time.Parse(time.RFC3339, s)
	case "command":
		r.Command = s
	case "strategy":
		r.Strategy = s
	case "fill":
		r.Fill = s
	case "window":
		r.Window = s
	case "score":
		r.Score, err = parseFloat(s)
	case "rejection":
		r.Rejection = s
	case "seconds":
		r.Seconds, err = parseFloat(s)
	case "harness":
		r.Harness = s
	case "data":
		r.Data = s
	case "params":
		r.Params = s
	default:
		if f, m := r.metric(col); f != nil {
			x, e := parseFloat(s)
			if e != nil {
				return fmt.Errorf("column %s: %q is not a number", col, truncate(s))
			}
			f.Set(m, x)
		}
	}
	if err != nil {
		return fmt.Errorf("column %s: %q does not parse", col, truncate(s))
	}
	return nil
}

// Checksum is a digest of the row's contents in the given columns (all but
// the checksum itself): a row edited by hand no longer matches it.
func (r *Row) checksum(cols []string) string {
	h := sha256.New()
	for _, c := range cols {
		if c != "checksum" {
			io.WriteString(h, r.field(c))
			h.Write([]byte{0})
		}
	}
	return hex.EncodeToString(h.Sum(nil)[:8])
}

// line formats the row in the given column layout, with its newline.
func (r *Row) line(cols []string) string {
	f := make([]string, len(cols))
	for i, c := range cols {
		if c == "checksum" {
			f[i] = r.checksum(cols)
		} else {
			f[i] = r.field(c)
		}
	}
	return strings.Join(f, "\t") + "\n"
}

// MarshalText writes the row as one ledger line in the current layout
// (Columns), without its newline: the wire format of a result.
func (r Row) MarshalText() ([]byte, error) {
	s := r.line(Columns())
	return []byte(s[:len(s)-1]), nil
}

// UnmarshalText reads what MarshalText writes, checking the key and the
// checksum.
func (r *Row) UnmarshalText(b []byte) error {
	if len(b) > MaxLine {
		return fmt.Errorf("ledger row of %d bytes; at most %d", len(b), MaxLine)
	}
	l := layout{cols: Columns()}
	l.index()
	row, err := l.parse(string(b))
	if err != nil {
		return err
	}
	*r = row
	return nil
}

func clean(s string) string { return strings.NewReplacer("\t", " ", "\n", " ", "\r", " ").Replace(s) }

func truncate(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}

// MaxLine is the longest ledger line read; longer lines are skipped as
// foreign.
const MaxLine = 1 << 20

// layout is a ledger file's column layout, from its header.
type layout struct {
	cols []string
	at   map[string]int
}

func (l *layout) index() {
	l.at = make(map[string]int, len(l.cols))
	for i, c := range l.cols {
		l.at[c] = i
	}
}

// parseHeader reads a header line; it is a ledger's if it has every
// required column, each once.
func parseHeader(line string) (layout, error) {
	l := layout{cols: strings.Split(line, "\t")}
	l.index()
	if len(l.at) != len(l.cols) {
		return l, errors.New("a column is named twice in the header")
	}
	for _, c := range required {
		if _, ok := l.at[c]; !ok {
			return l, fmt.Errorf("the header has no %s column", c)
		}
	}
	return l, nil
}

// parse reads one line of the layout, checking its key and, when the layout
// has one, its checksum.
func (l *layout) parse(line string) (Row, error) {
	var r Row
	f := strings.Split(line, "\t")
	if len(f) != len(l.cols) {
		return r, fmt.Errorf("%d fields, want %d", len(f), len(l.cols))
	}
	for i, c := range l.cols {
		if c == "key" || c == "checksum" {
			continue
		}
		if err := r.setField(c, f[i]); err != nil {
			return r, err
		}
	}
	if f[l.at["key"]] != r.Key() {
		return r, errors.New("the key does not match the row")
	}
	if i, ok := l.at["checksum"]; ok && f[i] != r.checksum(l.cols) {
		return r, ErrChecksum
	}
	return r, nil
}

// ErrChecksum reports a row whose contents do not match its checksum: edited
// by hand or forged.
var ErrChecksum = errors.New("the row does not match its checksum (edited by hand?)")

// Ledger appends rows to one file. It is safe for concurrent use.
type Ledger struct {
	mu   sync.Mutex
	f    *os.File
	path string
	l    layout
}

// Open opens (creating it and its directory if needed) the ledger at path.
// Rows are appended in the file's own column layout, so a ledger written by
// an earlier version keeps its columns. A torn last line, left by a crash in
// the middle of a write, is cut off; a last row that is complete but lacks
// its newline gets one. repaired reports whether either happened.
func Open(path string) (l *Ledger, repaired bool, err error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, false, fmt.Errorf("ledger: %w", err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return nil, false, fmt.Errorf("ledger: %w", err)
	}
	l = &Ledger{f: f, path: path}
	repaired, err = l.repair()
	if err != nil {
		f.Close()
		return nil, false, err
	}
	return l, repaired, nil
}

// repair reads the header (writing one into an empty file) and mends the
// end of the file.
func (l *Ledger) repair() (bool, error) {
	st, err := l.f.Stat()
	if err != nil {
		return false, fmt.Errorf("ledger: %w", err)
	}
	size := st.Size()
	if size == 0 {
		l.l = layout{cols: Columns()}
		l.l.index()
		return false, l.write(strings.Join(l.l.cols, "\t") + "\n")
	}
	br := bufio.NewReader(io.NewSectionReader(l.f, 0, size))
	head, err := readLine(br)
	if err != nil && !errors.Is(err, io.EOF) {
		return false, fmt.Errorf("ledger: %s: %w", l.path, err)
	}
	hl, herr := parseHeader(strings.TrimSuffix(head, "\n"))
	if !strings.HasSuffix(head, "\n") {
		// No complete line at all: the header itself was torn.
		if !strings.HasPrefix(strings.Join(Columns(), "\t"), head) {
			return false, fmt.Errorf("ledger: %s is not a gem ledger (unexpected header); use another --ledger", l.path)
		}
		if err := l.f.Truncate(0); err != nil {
			return true, fmt.Errorf("ledger: %w", err)
		}
		l.l = layout{cols: Columns()}
		l.l.index()
		return true, l.write(strings.Join(l.l.cols, "\t") + "\n")
	}
	if herr != nil {
		return false, fmt.Errorf("ledger: %s is not a gem ledger (%v); use another --ledger", l.path, herr)
	}
	l.l = hl
	// Find the last newline by reading backwards in blocks.
	buf := make([]byte, 64<<10)
	end := size
	for end > 0 {
		start := max(0, end-int64(len(buf)))
		b := buf[:end-start]
		if _, err := l.f.ReadAt(b, start); err != nil && err != io.EOF {
			return false, fmt.Errorf("ledger: %w", err)
		}
		if i := bytes.LastIndexByte(b, '\n'); i >= 0 {
			cut := start + int64(i) + 1
			if cut == size {
				return false, nil
			}
			// A last line without its newline: keep it if it is a whole row.
			if size-cut <= MaxLine {
				tail := make([]byte, size-cut)
				if _, err := l.f.ReadAt(tail, cut); err == nil {
					if _, err := l.l.parse(string(tail)); err == nil {
						return true, l.write("\n")
					}
				}
			}
			return true, l.f.Truncate(cut)
		}
		end = start
	}
	return false, nil // unreachable: the header ends with a newline
}

func (l *Ledger) write(s string) error {
	if _, err := l.f.WriteString(s); err != nil {
		return fmt.Errorf("ledger: %w", err)
	}
	if err := l.f.Sync(); err != nil {
		return fmt.Errorf("ledger: %w", err)
	}
	return nil
}

// Append writes one row with a single write and syncs it to disk.
func (l *Ledger) Append(r *Row) error {
	line := r.line(l.l.cols)
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.write(line)
}

// Close closes the file; on a nil ledger (none asked for) it does nothing.
func (l *Ledger) Close() error {
	if l == nil {
		return nil
	}
	return l.f.Close()
}

// readLine reads one line with its newline, at most MaxLine bytes; a longer
// line is consumed and reported as errLong.
func readLine(br *bufio.Reader) (string, error) {
	var b []byte
	long := false
	for {
		chunk, err := br.ReadSlice('\n')
		if !long {
			if len(b)+len(chunk) > MaxLine+1 {
				long, b = true, nil
			} else {
				b = append(b, chunk...)
			}
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if long {
			return "", errLong
		}
		return string(b), err
	}
}

var errLong = fmt.Errorf("a line longer than %d bytes", MaxLine)

// Problem is a line of a ledger file that was not read as a row.
type Problem struct {
	Line int
	Err  error
}

// Read parses a ledger file. Lines that do not parse (a torn last line, a
// foreign or over-long line, a row that fails its key or checksum) are
// skipped and reported in problems, with their line numbers.
func Read(path string) (rows []Row, problems []Problem, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("ledger: %w", err)
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 64<<10)
	head, err := readLine(br)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, nil, fmt.Errorf("ledger: %s: line 1: %v", path, err)
	}
	l, err := parseHeader(strings.TrimRight(head, "\r\n"))
	if err != nil {
		return nil, nil, fmt.Errorf("ledger: %s: not a gem ledger (%v)", path, err)
	}
	for n := 2; ; n++ {
		line, err := readLine(br)
		if errors.Is(err, errLong) {
			problems = append(problems, Problem{n, err})
			continue
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return rows, problems, fmt.Errorf("ledger: %s: line %d: %w", path, n, err)
		}
		if line != "" {
			if r, perr := l.parse(strings.TrimRight(line, "\r\n")); perr != nil {
				problems = append(problems, Problem{n, perr})
			} else {
				rows = append(rows, r)
			}
		}
		if err != nil {
			return rows, problems, nil
		}
	}
}
