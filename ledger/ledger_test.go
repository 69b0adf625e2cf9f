package ledger

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"gem/harness"
)

func sampleRow(i int) *Row {
	return &Row{
		Time: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Command: "sweep", Strategy: "specialist", Fill: "causal",
		Params: "top_n=" + string(rune('0'+i%10)), Score: 0.1 * float64(i), Base: harness.Metrics{TotalReturnPct: float64(i), RebalanceCount: i},
		Stress: harness.Metrics{CalmarRatio: -1.5}, Harness: "h", Data: "d", Seconds: 0.25,
	}
}

func TestRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "ledger.tsv")
	l, repaired, err := Open(path)
	if err != nil || repaired {
		t.Fatalf("Open: %v, repaired %v", err, repaired)
	}
	rows := []*Row{sampleRow(1), sampleRow(2)}
	rows[1].Score, rows[1].Rejection = math.Inf(-1), "stress\trun"
	for _, r := range rows {
		if err := l.Append(r); err != nil {
			t.Fatal(err)
		}
	}
	l.Close()
	got, problems, err := Read(path)
	skipped := len(problems)
	if err != nil || skipped != 0 || len(got) != 2 {
		t.Fatalf("Read: %d rows, %d skipped, %v", len(got), skipped, err)
	}
	if got[0].Base.RebalanceCount != 1 || got[0].Score != 0.1 || !math.IsInf(got[1].Score, -1) || got[1].Rejection != "stress run" {
		t.Errorf("read back %+v", got)
	}
	if got[0].Key() != rows[0].Key() || got[0].Key() == got[1].Key() {
		t.Errorf("keys %s %s, want the first to equal the written row's and differ from the second", got[0].Key(), got[1].Key())
	}
}

// TestTornLine: a crash in the middle of a write leaves a partial last line;
// the next Open cuts it off and appends after the last whole row.
func TestTornLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ledger.tsv")
	l, _, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	l.Append(sampleRow(1))
	l.Close()
	f, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString("2026-01-02T03:04:05Z\tsweep\tspeci") // torn
	f.Close()
	if rows, problems, _ := Read(path); len(rows) != 1 || len(problems) != 1 {
		t.Errorf("before repair: %d rows, %d skipped; want 1 and 1", len(rows), len(problems))
	}
	l, repaired, err := Open(path)
	if err != nil || !repaired {
		t.Fatalf("Open: %v, repaired %v; want a repair", err, repaired)
	}
	l.Append(sampleRow(2))
	l.Close()
	rows, problems, err := Read(path)
	skipped := len(problems)
	if err != nil || skipped != 0 || len(rows) != 2 {
		t.Errorf("after repair: %d rows, %d skipped, %v; want 2, 0, nil", len(rows), skipped, err)
	}
}

// TestConcurrentAppends: rows appended from many goroutines stay whole.
func TestConcurrentAppends(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ledger.tsv")
	l, _, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Go(func() {
			if err := l.Append(sampleRow(i)); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	l.Close()
	rows, problems, err := Read(path)
	skipped := len(problems)
	if err != nil || skipped != 0 || len(rows) != 50 {
		t.Errorf("%d rows, %d skipped, %v; want 50, 0, nil", len(rows), skipped, err)
	}
	b, _ := os.ReadFile(path)
	if n := strings.Count(string(b), "\n"); n != 51 {
		t.Errorf("%d lines, want 51 (header and 50 rows)", n)
	}
}

func TestNotALedger(t *testing.T) {
	path := filepath.Join(t.TempDir(), "other.tsv")
	os.WriteFile(path, []byte("a\tb\n1\t2\n"), 0o644)
	if _, _, err := Read(path); err == nil || !strings.Contains(err.Error(), "not a gem ledger") {
		t.Errorf("Read: got %v, want a 'not a gem ledger' error", err)
	}
	os.WriteFile(path, []byte(strings.Repeat("x\ty\n", 100)), 0o644)
	if _, _, err := Open(path); err == nil || !strings.Contains(err.Error(), "not a gem ledger") {
		t.Errorf("Open: got %v, want a 'not a gem ledger' error", err)
	}
}

// oldColumns is the header gem wrote before the metric schema and the
// checksum column (a ledger from the first release).
const oldColumns = "time\tcommand\tstrategy\tfill\tkey\tscore\trejection\tbase_total_return_pct\tbase_annualized_return_pct\tbase_max_drawdown_pct\tbase_sharpe_ratio\tbase_sortino_ratio\tbase_calmar_ratio\tbase_rebalance_count\tbase_hhi\tbase_final_value\tbase_avg_hhi\tbase_turnover_per_year\tbase_fees_paid\tbase_days_invested\tstress_total_return_pct\tstress_annualized_return_pct\tstress_max_drawdown_pct\tstress_sharpe_ratio\tstress_sortino_ratio\tstress_calmar_ratio\tstress_rebalance_count\tstress_hhi\tstress_final_value\tstress_avg_hhi\tstress_turnover_per_year\tstress_fees_paid\tstress_days_invested\tseconds\tharness\tdata\tparams"

// TestOldLedgerReads: a ledger in the first release's layout (no checksum)
// reads, and rows appended to it keep its layout.
func TestOldLedgerReads(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.tsv")
	r := sampleRow(3)
	// The first release's row: the same fields, no checksum.
	fields := []string{"2026-01-02T03:04:05Z", "sweep", "specialist", "causal", r.Key(), "0.30000000000000004", ""}
	for range 2 {
		for range 13 {
			fields = append(fields, "0")
		}
	}
	fields[7], fields[13] = "3", "3"
	fields[25] = "-1.5"
	fields = append(fields, "0.2500", "h", "d", "top_n=3")
	os.WriteFile(path, []byte(oldColumns+"\n"+strings.Join(fields, "\t")+"\n"), 0o644)
	rows, problems, err := Read(path)
	if err != nil || len(problems) != 0 || len(rows) != 1 {
		t.Fatalf("old ledger: %d rows, %v, %v", len(rows), problems, err)
	}
	if rows[0].Base.RebalanceCount != 3 || rows[0].Stress.CalmarRatio != -1.5 || rows[0].Params != "top_n=3" {
		t.Errorf("old row read as %+v", rows[0])
	}
	l, _, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	l.Append(sampleRow(4))
	l.Close()
	b, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 3 || strings.Count(lines[2], "\t") != strings.Count(oldColumns, "\t") {
		t.Errorf("appended row does not keep the file's layout: %q", lines[len(lines)-1])
	}
	if rows, problems, _ := Read(path); len(rows) != 2 || len(problems) != 0 {
		t.Errorf("after append: %d rows, %v", len(rows), problems)
	}
}

// TestTamperedRow: a row whose score was raised by hand fails its checksum
// (and, when the key's fields were not touched, only the checksum).
func TestTamperedRow(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ledger.tsv")
	l, _, _ := Open(path)
	l.Append(sampleRow(1))
	l.Append(sampleRow(2))
	l.Close()
	b, _ := os.ReadFile(path)
	lines := strings.Split(string(b), "\n")
	f := strings.Split(lines[2], "\t")
	f[6] = "1000000" // the score
	lines[2] = strings.Join(f, "\t")
	os.WriteFile(path, []byte(strings.Join(lines, "\n")), 0o644)
	rows, problems, err := Read(path)
	if err != nil || len(rows) != 1 || len(problems) != 1 || problems[0].Line != 3 || problems[0].Err != ErrChecksum {
		t.Errorf("tampered: %d rows, problems %v, %v; want 1 row and a checksum problem on line 3", len(rows), problems, err)
	}
}

// TestCompleteLastRowKept: a whole last row that lost only its newline is
// kept (and given one), not cut as torn.
func TestCompleteLastRowKept(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ledger.tsv")
	l, _, _ := Open(path)
	l.Append(sampleRow(1))
	l.Append(sampleRow(2))
	l.Close()
	b, _ := os.ReadFile(path)
	os.WriteFile(path, b[:len(b)-1], 0o644)
	l, repaired, err := Open(path)
	if err != nil || !repaired {
		t.Fatalf("Open: %v, repaired %v", err, repaired)
	}
	l.Append(sampleRow(3))
	l.Close()
	if rows, problems, _ := Read(path); len(rows) != 3 || len(problems) != 0 {
		t.Errorf("%d rows, %v; want 3 rows", len(rows), problems)
	}
}

// TestLongLine: a 70 MB line is skipped with its line number, and the rows
// around it read.
func TestLongLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ledger.tsv")
	l, _, _ := Open(path)
	l.Append(sampleRow(1))
	l.Close()
	f, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(strings.Repeat("x", 70<<20) + "\n")
	f.Close()
	l, _, _ = Open(path)
	l.Append(sampleRow(2))
	l.Close()
	rows, problems, err := Read(path)
	if err != nil || len(rows) != 2 || len(problems) != 1 || problems[0].Line != 3 {
		t.Errorf("%d rows, problems %v, %v; want 2 rows and line 3 skipped", len(rows), problems, err)
	}
}

// TestWireRow: a row survives MarshalText/UnmarshalText bit for bit, and a
// forged line is refused.
func TestWireRow(t *testing.T) {
	r := sampleRow(7)
	r.Base.SharpeRatio = 0.1 + 0.2
	b, err := r.MarshalText()
	if err != nil {
		t.Fatal(err)
	}
	var got Row
	if err := got.UnmarshalText(b); err != nil {
		t.Fatal(err)
	}
	if got.Key() != r.Key() || got.Base != r.Base || got.Stress != r.Stress || got.Score != r.Score {
		t.Errorf("round trip: %+v, want %+v", got, *r)
	}
	forged := strings.Replace(string(b), "\t0.7000000000000001\t", "\t1000000\t", 1)
	if forged == string(b) {
		t.Fatal("test premise: score field not found")
	}
	if err := got.UnmarshalText([]byte(forged)); err == nil {
		t.Error("a forged score was accepted")
	}
	for _, bad := range []string{"", "\t\t", strings.Repeat("\t", 100), "\x00garbage"} {
		if err := got.UnmarshalText([]byte(bad)); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
