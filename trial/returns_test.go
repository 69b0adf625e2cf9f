package trial

import (
	"context"
	"math"
	"path/filepath"
	"testing"

	"gem/harness"
	"gem/ledger"
)

// TestDailyReturns checks the returns of three snapshot values by hand:
// 100 → 110 is +10% on the second day, 110 → 99 is −10% on the third; from
// a value of zero the return is 0.
func TestDailyReturns(t *testing.T) {
	days := []harness.Date{10, 11, 13}
	s := DailyReturns("0123456789abcdef", days, []float64{100, 110, 99})
	if s == nil || len(s.Days) != 2 || s.Days[0] != 11 || s.Days[1] != 13 {
		t.Fatalf("series %+v, want days 11 and 13", s)
	}
	for i, want := range []float64{0.1, -0.1} {
		if math.Abs(s.Returns[i]-want) > 1e-15 {
			t.Errorf("return %d = %v, want %v", i, s.Returns[i], want)
		}
	}
	if DailyReturns("0123456789abcdef", days, []float64{100}) != nil {
		t.Error("one value gave a series")
	}
	// A liquidation to zero: −100%, then nothing (not 0/0).
	if z := DailyReturns("0123456789abcdef", days, []float64{100, 0, 0}); z.Returns[0] != -1 || z.Returns[1] != 0 {
		t.Errorf("wiped-out returns %v, want [-1 0]", z.Returns)
	}
}

// TestPoolWritesReturns: each trial run by the pool has its base run's
// daily returns in the returns file under its ledger key, beside one
// benchmark series; a rerun resumes from the ledger and writes nothing.
func TestPoolWritesReturns(t *testing.T) {
	env := testEnv(t)
	dir := t.TempDir()
	lpath := filepath.Join(dir, "ledger.tsv")
	rpath := ledger.ReturnsPath(lpath)
	open := func() (*ledger.Ledger, *ledger.ReturnsFile) {
		lg, _, err := ledger.Open(lpath)
		if err != nil {
			t.Fatal(err)
		}
		rf, _, err := ledger.OpenReturns(rpath)
		if err != nil {
			t.Fatal(err)
		}
		return lg, rf
	}
	lg, rf := open()
	p := &Pool{Env: env, Exec: Local{Workers: 2}, Ledger: lg, Returns: rf}
	evals := map[string]*harness.Evaluation{}
	if err := p.Run(context.Background(), specs(t, 2, 5), func(i int, r *Result) { evals[r.Row.Key()] = r.Eval }); err != nil {
		t.Fatal(err)
	}
	lg.Close()
	rf.Close()
	series, problems, err := ledger.ReadReturns(rpath)
	if err != nil || len(problems) != 0 || len(series) != 3 {
		t.Fatalf("%d series, %v, %v; want the benchmark and two trials", len(series), problems, err)
	}
	if want := BenchmarkKey("causal", "", harness.Fingerprint(), env.Panel.Fingerprint()); series[0].Key != want {
		t.Errorf("first series %s, want the benchmark %s", series[0].Key, want)
	}
	for _, s := range series[1:] {
		ev := evals[s.Key]
		if ev == nil {
			t.Fatalf("series %s is no trial of the run", s.Key)
		}
		v := ev.BaseRun.Values
		if len(s.Returns) != len(v)-1 || s.Days[0] != env.Panel.Dates[1] {
			t.Fatalf("series %s: %d days from %s, want %d from %s", s.Key, len(s.Returns), s.Days[0], len(v)-1, env.Panel.Dates[1])
		}
		for i, r := range s.Returns {
			if want := v[i+1]/v[i] - 1; math.Abs(r-want) > 1e-12 {
				t.Fatalf("series %s day %d: %v, want %v", s.Key, i, r, want)
			}
		}
	}
	done, err := Resumable(lpath)
	if err != nil {
		t.Fatal(err)
	}
	lg, rf = open()
	p = &Pool{Env: env, Exec: Local{Workers: 2}, Ledger: lg, Returns: rf, Done: done}
	if err := p.Run(context.Background(), specs(t, 2, 5), func(int, *Result) {}); err != nil {
		t.Fatal(err)
	}
	lg.Close()
	rf.Close()
	if again, _, _ := ledger.ReadReturns(rpath); len(again) != 3 {
		t.Errorf("after a resumed rerun %d series, want still 3", len(again))
	}
}

// TestWindowReturns: a trial scored on a window keeps the returns of the
// window's days after its first (capital starts on the first), and the
// benchmark's series beside it is scored on the same window.
func TestWindowReturns(t *testing.T) {
	env := testEnv(t)
	w := Window{From: env.Panel.Dates[100], To: env.Panel.Dates[199]}
	s := specs(t, 3)[0]
	s.Window = w
	rf, _, err := ledger.OpenReturns(filepath.Join(t.TempDir(), "l.returns"))
	if err != nil {
		t.Fatal(err)
	}
	p := &Pool{Env: env, Exec: Local{Workers: 1}, Returns: rf}
	var got *Result
	if err := p.Run(context.Background(), []Spec{s}, func(_ int, r *Result) { got = r }); err != nil {
		t.Fatal(err)
	}
	r := got.Returns
	if len(r.Days) != 99 || r.Days[0] != env.Panel.Dates[101] || r.Days[98] != env.Panel.Dates[199] {
		t.Fatalf("%d days from %s to %s, want 99 from %s to %s", len(r.Days), r.Days[0], r.Days[len(r.Days)-1], env.Panel.Dates[101], env.Panel.Dates[199])
	}
	if !rf.Has(BenchmarkKey("causal", w.String(), harness.Fingerprint(), env.Panel.Fingerprint())) {
		t.Error("no benchmark series for the window")
	}
	rf.Close()
}
