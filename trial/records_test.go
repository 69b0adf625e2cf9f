package trial

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gem/harness"
	"gem/ledger"
	"gem/strategy"
)

// TestPoolOpen: a fresh path gets a ledger and a returns file and no note;
// trials run through the pool land in both; reopened with resume they are
// done; a torn last line is repaired with a note naming the file; a ledger
// that cannot be created is an error that leaves the pool recording
// nowhere.
func TestPoolOpen(t *testing.T) {
	env := testEnv(t)
	path := filepath.Join(t.TempDir(), "sub", "ledger.tsv")
	p := &Pool{Env: env, Exec: Local{Workers: 2}}
	notes, err := p.Open(path, false)
	if err != nil || len(notes) != 0 || p.Ledger == nil || p.Returns == nil || len(p.Done) != 0 {
		t.Fatalf("fresh: notes %v, %v, pool %+v", notes, err, p)
	}
	res, err := p.Collect(context.Background(), specs(t, 1, 2))
	if err != nil || len(res) != 2 || res[0] == nil || res[1] == nil {
		t.Fatalf("collect: %v, %v", res, err)
	}
	p.Close()
	rows, _, _ := ledger.Read(path)
	series, _, _ := ledger.ReadReturns(ledger.ReturnsPath(path))
	if len(rows) != 2 || len(series) != 3 { // two trials and the benchmark's returns
		t.Errorf("%d rows and %d series, want 2 and 3", len(rows), len(series))
	}
	f, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString("2026-01-01T00:00:00Z\tsweep\ttorn")
	f.Close()
	p = &Pool{Env: env, Exec: Local{Workers: 1}}
	notes, err = p.Open(path, true)
	if err != nil || len(notes) != 1 || !strings.HasPrefix(notes[0], path+": repaired a torn last line") {
		t.Errorf("torn: notes %q, %v", notes, err)
	}
	if len(p.Done) != 2 || p.Done[res[0].Row.Key()].Score != res[0].Score() {
		t.Errorf("resume: %d done, want the 2 trials", len(p.Done))
	}
	p.Close()
	blocked := filepath.Join(t.TempDir(), "file")
	os.WriteFile(blocked, nil, 0o644)
	p = &Pool{Env: env}
	if _, err := p.Open(filepath.Join(blocked, "ledger.tsv"), true); err == nil || p.Ledger != nil || p.Returns != nil {
		t.Errorf("under a file: %v, pool %+v", err, p)
	}
}

// TestBaseline: the first row of the strategy at or after the time, with
// its parameters as recorded; none when every row is earlier or of another
// strategy.
func TestBaseline(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ledger.tsv")
	lg, _, err := ledger.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	day := func(d int) time.Time { return time.Date(2026, 1, d, 0, 0, 0, 0, time.UTC) }
	for _, r := range []ledger.Row{
		{Time: day(1), Strategy: "specialist", Fill: "causal", Params: "top_n=1"},
		{Time: day(2), Strategy: "ensemble", Fill: "causal", Params: "bull.top_n=4"},
		{Time: day(3), Strategy: "specialist", Fill: "causal", Params: "top_n=7"},
		{Time: day(4), Strategy: "specialist", Fill: "causal", Params: "top_n=9"},
	} {
		if err := lg.Append(&r); err != nil {
			t.Fatal(err)
		}
	}
	lg.Close()
	tests := []struct {
		since time.Time
		name  string
		want  string // top_n, "" for none
	}{
		{day(1), "specialist", "1"},
		{day(2), "specialist", "7"},
		{day(4), "specialist", "9"},
		{day(5), "specialist", ""},
		{day(3), "ensemble", ""},
	}
	for _, tt := range tests {
		c, ok, err := Baseline(path, tt.since, tt.name)
		if err != nil || ok != (tt.want != "") {
			t.Errorf("%s since %s: ok %v, %v", tt.name, tt.since, ok, err)
			continue
		}
		if ok {
			if v, _ := strategy.Assign(c).Text("top_n"); v != tt.want {
				t.Errorf("%s since %s: top_n=%s, want %s", tt.name, tt.since, v, tt.want)
			}
		}
	}
	if _, _, err := Baseline(filepath.Join(t.TempDir(), "none.tsv"), day(1), "specialist"); err == nil {
		t.Error("a missing ledger: no error")
	}
}

// TestBeside: the ensemble's result shows the benchmark on its own window,
// the same evaluation as the benchmark's own trial; the specialist's none.
func TestBeside(t *testing.T) {
	env := testEnv(t)
	ens, _ := strategy.New("ensemble")
	s := NewSpec(ens, harness.Causal)
	s.Window = Window{From: env.Panel.Dates[100]}
	b, err := Beside(context.Background(), env, s)
	if err != nil || b == nil {
		t.Fatalf("ensemble: %v, %v", b, err)
	}
	want := NewSpec(&strategy.BenchmarkConfig{}, harness.Causal)
	want.Window = s.Window
	direct, err := Evaluate(context.Background(), env, want)
	if err != nil || b.Row.Key() != direct.Row.Key() || b.Score() != direct.Score() {
		t.Errorf("benchmark %s score %v, want %s %v", b.Row.Key(), b.Score(), direct.Row.Key(), direct.Score())
	}
	if b, err := Beside(context.Background(), env, specs(t, 3)[0]); b != nil || err != nil {
		t.Errorf("specialist: %v, %v; want none", b, err)
	}
}

// TestRunSuite: three loads, the ensemble cold and warm with the runs
// asked for, and each golden dataset missing from an empty directory named
// with its path.
func TestRunSuite(t *testing.T) {
	env := testEnv(t)
	loads := 0
	load := func() (*harness.Panel, string, error) { loads++; return env.Panel, "synthetic", nil }
	dir := t.TempDir()
	s, err := RunSuite(context.Background(), load, dir, 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	if loads != 3 || len(s.Loads) != 3 || s.Desc != "synthetic" || s.TokenDays != env.Panel.TokenDays() || len(s.Rows) != 4 {
		t.Fatalf("%d loads, suite %+v", loads, s)
	}
	if r := s.Rows[0]; r.Name != "ensemble cold" || r.Timing.Runs != 1 || r.Timing.Median <= 0 {
		t.Errorf("row 0: %+v", r)
	}
	if r := s.Rows[1]; r.Name != "ensemble warm" || r.Timing.Runs != 2 {
		t.Errorf("row 1: %+v", r)
	}
	if r := s.Rows[2]; r.Missing != filepath.Join(dir, "safehaven_2022.csv") || r.Timing.Runs != 0 {
		t.Errorf("row 2: %+v", r)
	}
	if PeakRSS() <= 0 {
		t.Error("no peak RSS")
	}
}

// TestWalkForwardArguments: a batch, training or test length out of range
// is an error, never a panic.
func TestWalkForwardArguments(t *testing.T) {
	env := testEnv(t)
	for _, w := range []WalkForward{{Batch: 0, Train: 100, Test: 50}, {Batch: 8, Train: 1, Test: 50}, {Batch: 8, Train: 100, Test: 1}} {
		w.Pool = &Pool{Env: env, Exec: Local{Workers: 1}}
		w.Base = specs(t, 3)[0]
		if _, err := w.Run(context.Background()); err == nil {
			t.Errorf("%+v: no error", w)
		}
	}
}
