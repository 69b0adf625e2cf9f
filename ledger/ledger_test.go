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
	got, skipped, err := Read(path)
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
	if rows, skipped, _ := Read(path); len(rows) != 1 || skipped != 1 {
		t.Errorf("before repair: %d rows, %d skipped; want 1 and 1", len(rows), skipped)
	}
	l, repaired, err := Open(path)
	if err != nil || !repaired {
		t.Fatalf("Open: %v, repaired %v; want a repair", err, repaired)
	}
	l.Append(sampleRow(2))
	l.Close()
	rows, skipped, err := Read(path)
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
	rows, skipped, err := Read(path)
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
