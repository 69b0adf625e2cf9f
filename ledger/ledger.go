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
func (r *Row) Key() string {
	h := sha256.Sum256([]byte(strings.Join([]string{r.Strategy, r.Fill, r.Params, r.Harness, r.Data}, "\x00")))
	return hex.EncodeToString(h[:8])
}

var metricNames = []string{
	"total_return_pct", "annualized_return_pct", "max_drawdown_pct", "sharpe_ratio", "sortino_ratio",
	"calmar_ratio", "rebalance_count", "hhi", "final_value",
	"avg_hhi", "turnover_per_year", "fees_paid", "days_invested",
}

func metricValues(m *harness.Metrics) []float64 {
	return []float64{
		m.TotalReturnPct, m.AnnualizedReturnPct, m.MaxDrawdownPct, m.SharpeRatio, m.SortinoRatio,
		m.CalmarRatio, float64(m.RebalanceCount), m.HHI, m.FinalValue,
		m.AvgHHI, m.TurnoverPerYear, m.FeesPaid, float64(m.DaysInvested),
	}
}

func setMetrics(m *harness.Metrics, v []float64) {
	m.TotalReturnPct, m.AnnualizedReturnPct, m.MaxDrawdownPct, m.SharpeRatio, m.SortinoRatio = v[0], v[1], v[2], v[3], v[4]
	m.CalmarRatio, m.RebalanceCount, m.HHI, m.FinalValue = v[5], int(v[6]), v[7], v[8]
	m.AvgHHI, m.TurnoverPerYear, m.FeesPaid, m.DaysInvested = v[9], v[10], v[11], int(v[12])
}

// Columns is the header of a ledger file.
func Columns() []string {
	cols := []string{"time", "command", "strategy", "fill", "key", "score", "rejection"}
	for _, p := range []string{"base_", "stress_"} {
		for _, n := range metricNames {
			cols = append(cols, p+n)
		}
	}
	return append(cols, "seconds", "harness", "data", "params")
}

// FormatFloat writes x in the shortest form that reads back to the same
// float64, and −Inf as "-inf".
func FormatFloat(x float64) string {
	if math.IsInf(x, -1) {
		return "-inf"
	}
	return strconv.FormatFloat(x, 'g', -1, 64)
}

func (r *Row) fields() []string {
	f := []string{r.Time.UTC().Format(time.RFC3339), r.Command, r.Strategy, r.Fill, r.Key(), FormatFloat(r.Score), clean(r.Rejection)}
	for _, m := range []*harness.Metrics{&r.Base, &r.Stress} {
		for _, v := range metricValues(m) {
			f = append(f, FormatFloat(v))
		}
	}
	return append(f, strconv.FormatFloat(r.Seconds, 'f', 4, 64), r.Harness, r.Data, clean(r.Params))
}

func clean(s string) string { return strings.NewReplacer("\t", " ", "\n", " ", "\r", " ").Replace(s) }

// Ledger appends rows to one file. It is safe for concurrent use.
type Ledger struct {
	mu   sync.Mutex
	f    *os.File
	path string
}

// Open opens (creating it and its directory if needed) the ledger at path.
// A torn last line, left by a crash in the middle of a write, is cut off;
// repaired reports whether that happened.
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

// repair truncates a partial last line and writes the header into an empty
// file.
func (l *Ledger) repair() (bool, error) {
	st, err := l.f.Stat()
	if err != nil {
		return false, fmt.Errorf("ledger: %w", err)
	}
	size := st.Size()
	header := strings.Join(Columns(), "\t") + "\n"
	if size == 0 {
		return false, l.write(header)
	}
	first := make([]byte, min(int64(len(header)), size))
	if n, _ := l.f.ReadAt(first, 0); string(first[:n]) != header[:n] {
		return false, fmt.Errorf("ledger: %s is not a gem ledger of this version (unexpected header); use another --ledger", l.path)
	}
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
			return true, l.f.Truncate(cut)
		}
		end = start
	}
	// No complete line at all: the header itself was torn.
	if err := l.f.Truncate(0); err != nil {
		return true, fmt.Errorf("ledger: %w", err)
	}
	return true, l.write(strings.Join(Columns(), "\t") + "\n")
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
	line := strings.Join(r.fields(), "\t") + "\n"
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.write(line)
}

// Path is the ledger's file name.
func (l *Ledger) Path() string { return l.path }

// Close closes the file; on a nil ledger (none asked for) it does nothing.
func (l *Ledger) Close() error {
	if l == nil {
		return nil
	}
	return l.f.Close()
}

// Read parses a ledger file. Lines that do not parse (a torn last line, a
// foreign line) are skipped and counted.
func Read(path string) (rows []Row, skipped int, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, fmt.Errorf("ledger: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	cols := Columns()
	first := true
	for sc.Scan() {
		line := sc.Text()
		if first {
			first = false
			if line != strings.Join(cols, "\t") {
				return nil, 0, fmt.Errorf("ledger: %s: not a gem ledger (unexpected header)", path)
			}
			continue
		}
		r, err := parseRow(strings.Split(line, "\t"), len(cols))
		if err != nil {
			skipped++
			continue
		}
		rows = append(rows, r)
	}
	if err := sc.Err(); err != nil {
		return rows, skipped, fmt.Errorf("ledger: %w", err)
	}
	return rows, skipped, nil
}

func parseRow(f []string, n int) (Row, error) {
	var r Row
	if len(f) != n {
		return r, errors.New("wrong field count")
	}
	t, err := time.Parse(time.RFC3339, f[0])
	if err != nil {
		return r, err
	}
	r.Time, r.Command, r.Strategy, r.Fill = t, f[1], f[2], f[3]
	num := func(s string) (float64, error) {
		if s == "-inf" {
			return math.Inf(-1), nil
		}
		return strconv.ParseFloat(s, 64)
	}
	if r.Score, err = num(f[5]); err != nil {
		return r, err
	}
	r.Rejection = f[6]
	k := 7
	for _, m := range []*harness.Metrics{&r.Base, &r.Stress} {
		v := make([]float64, len(metricNames))
		for i := range v {
			if v[i], err = num(f[k]); err != nil {
				return r, err
			}
			k++
		}
		setMetrics(m, v)
	}
	if r.Seconds, err = num(f[k]); err != nil {
		return r, err
	}
	r.Harness, r.Data, r.Params = f[k+1], f[k+2], f[k+3]
	if f[4] != r.Key() {
		return r, errors.New("key does not match the row")
	}
	return r, nil
}

// Index returns the rows of the ledger at path by trial key, the last row
// of a key winning (empty when the file does not exist).
func Index(path string) (map[string]Row, error) {
	rows, _, err := Read(path)
	if errors.Is(err, os.ErrNotExist) {
		return map[string]Row{}, nil
	}
	if err != nil {
		return nil, err
	}
	idx := make(map[string]Row, len(rows))
	for _, r := range rows {
		idx[r.Key()] = r
	}
	return idx, nil
}
