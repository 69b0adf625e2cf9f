package trial

import (
	"context"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"testing"

	"gem/harness"
	"gem/ledger"
	"gem/strategy"
	"gem/synth"
)

func testEnv(t *testing.T) *Env {
	t.Helper()
	cfg := synth.DefaultConfig()
	cfg.Tokens, cfg.Days = 20, 240
	p, err := synth.Panel(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return NewEnv(p, "test")
}

func specs(t *testing.T, values ...int) []Spec {
	t.Helper()
	var out []Spec
	for _, v := range values {
		c, err := strategy.Build("specialist", fmt.Sprintf("top_n=%d", v))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, NewSpec(c, harness.Causal))
	}
	return out
}

// reverse finishes specs last first, each with a fake row scoring its top_n.
type reverse struct{ fail int }

func (r reverse) Execute(ctx context.Context, env *Env, specs []Spec, done func(int, *Result, error)) error {
	for i := len(specs) - 1; i >= 0; i-- {
		if i == r.fail {
			done(i, nil, errors.New("boom"))
			continue
		}
		v, _ := specs[i].Params.Get("top_n")
		done(i, &Result{Row: ledger.Row{Strategy: specs[i].Strategy, Fill: specs[i].Fill.String(), Params: specs[i].Params.String(),
			Score: float64(v.I), Harness: harness.Fingerprint(), Data: env.Panel.Fingerprint()}}, nil)
	}
	return nil
}

// TestPoolSlotOrder: results arriving last first are reported and recorded
// in slot order; a rerun resumes them all from the ledger.
func TestPoolSlotOrder(t *testing.T) {
	env := testEnv(t)
	path := filepath.Join(t.TempDir(), "ledger.tsv")
	lg, _, err := ledger.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	p := &Pool{Env: env, Exec: reverse{fail: -1}, Ledger: lg}
	var order []float64
	if err := p.Run(context.Background(), specs(t, 1, 2, 3, 4), func(i int, r *Result) { order = append(order, r.Score()) }); err != nil {
		t.Fatal(err)
	}
	lg.Close()
	if fmt.Sprint(order) != "[1 2 3 4]" {
		t.Errorf("reported %v, want slot order [1 2 3 4]", order)
	}
	rows, _, _ := ledger.Read(path)
	if len(rows) != 4 || rows[0].Score != 1 || rows[3].Score != 4 {
		t.Errorf("ledger rows %v", rows)
	}
	done, err := Resumable(path)
	if err != nil {
		t.Fatal(err)
	}
	p = &Pool{Env: env, Exec: reverse{fail: 0}, Done: done} // would fail if it ran anything
	resumed := 0
	if err := p.Run(context.Background(), specs(t, 1, 2, 3, 4), func(i int, r *Result) {
		if r.Resumed {
			resumed++
		}
	}); err != nil || resumed != 4 {
		t.Errorf("rerun: %d resumed, %v; want 4 and no error", resumed, err)
	}
}

// TestPoolError: a failed trial is an error naming it and is never
// reported as a score (nor is anything after it, which would be out of
// order), while the trials that finished are still recorded.
func TestPoolError(t *testing.T) {
	env := testEnv(t)
	path := filepath.Join(t.TempDir(), "ledger.tsv")
	lg, _, _ := ledger.Open(path)
	p := &Pool{Env: env, Exec: reverse{fail: 2}, Ledger: lg}
	var got []float64
	err := p.Run(context.Background(), specs(t, 1, 2, 3, 4), func(i int, r *Result) { got = append(got, r.Score()) })
	lg.Close()
	if err == nil || err.Error() != "trial top_n=3: boom" || len(got) != 0 {
		t.Errorf("got %v, %v; want nothing reported and the error naming top_n=3", got, err)
	}
	if rows, _, _ := ledger.Read(path); len(rows) != 3 {
		t.Errorf("%d rows recorded, want the 3 that finished", len(rows))
	}
}

// TestDeterministicAcrossWorkers: real evaluations on 1, 2 and 8 workers
// give bit-identical rows in the same order.
func TestDeterministicAcrossWorkers(t *testing.T) {
	var want []string
	for _, w := range []int{1, 2, 8} {
		env := testEnv(t)
		p := &Pool{Env: env, Exec: Local{Workers: w}}
		var got []string
		err := p.Run(context.Background(), specs(t, 1, 3, 5, 8, 13), func(i int, r *Result) {
			got = append(got, fmt.Sprintf("%s %x %+v %+v", r.Row.Key(), math.Float64bits(r.Score()), r.Row.Base, r.Row.Stress))
		})
		if err != nil {
			t.Fatal(err)
		}
		if want == nil {
			want = got
			continue
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("workers=%d: rows differ from workers=1", w)
		}
	}
}

// TestInterrupt: a cancelled run reports ErrInterrupted and runs nothing.
func TestInterrupt(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	p := &Pool{Env: testEnv(t), Exec: Local{Workers: 2}}
	if err := p.Run(ctx, specs(t, 1, 2), func(int, *Result) { t.Error("reported a trial") }); !errors.Is(err, ErrInterrupted) {
		t.Errorf("got %v, want ErrInterrupted", err)
	}
}

// TestResumeSurvivesNewParameter: a row written before a parameter existed
// (its params lack the name) resumes a trial that has that parameter at its
// default.
func TestResumeSurvivesNewParameter(t *testing.T) {
	env := testEnv(t)
	s := specs(t, 4)[0]
	full := s.Params.String()
	old := s.Params.Only("top_n", "r2_threshold", "atr_window") // as if the others did not exist yet
	if old == full {
		t.Fatal("test premise: the old form must lack parameters")
	}
	path := filepath.Join(t.TempDir(), "ledger.tsv")
	lg, _, _ := ledger.Open(path)
	lg.Append(&ledger.Row{Strategy: "specialist", Fill: "causal", Params: old, Score: 0.5, Harness: harness.Fingerprint(), Data: env.Panel.Fingerprint()})
	lg.Close()
	done, err := Resumable(path)
	if err != nil {
		t.Fatal(err)
	}
	if r, ok := done[env.Key(s)]; !ok || r.Score != 0.5 {
		t.Errorf("the old row does not resume the trial (index %v)", done)
	}
}
