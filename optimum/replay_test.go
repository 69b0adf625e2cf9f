package optimum

import (
	"context"
	"math"
	"math/rand/v2"
	"os"
	"testing"

	"gem/harness"
	"gem/search"
	"gem/space"
	"gem/strategy"
	"gem/trial"
)

const majors = "../../shared/golden/majors_2022_2023.csv"

// majorsPanel loads the golden majors_2022_2023 file (21 tokens × 730
// days), skipping without it.
func majorsPanel(tb testing.TB) *harness.Panel {
	tb.Helper()
	if _, err := os.Stat(majors); err != nil {
		tb.Skipf("golden data not found at %s (it lives in ../shared, outside the repository): %v", majors, err)
	}
	p, err := harness.LoadFiles(majors)
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

// planBlock is the phased plan's whole joint space (48 HMM settings × 36³
// specialist settings) around the ensemble's defaults.
func planBlock(tb testing.TB) (*Block, trial.Spec) {
	tb.Helper()
	conf, err := strategy.New("ensemble")
	if err != nil {
		tb.Fatal(err)
	}
	spec := trial.NewSpec(conf, harness.Causal)
	s, err := search.PhasedPlan().Space(spec.Params)
	if err != nil {
		tb.Fatal(err)
	}
	b, err := NewBlock(spec.Params, s)
	if err != nil {
		tb.Fatal(err)
	}
	return b, spec
}

// TestReplayAgreesWithDirectEvaluation draws 200 configurations of the
// phased plan's whole joint space at random and checks that the replay from
// the tape gives bit for bit the score and metrics that trial.Evaluate gives
// in an environment of its own (its own cache of fits and regime series),
// with causal fills and a scoring window after a warm-up; and 20 more with
// reference fills on the whole data.
func TestReplayAgreesWithDirectEvaluation(t *testing.T) {
	p := majorsPanel(t)
	b, spec := planBlock(t)
	if b.Size() != 48*36*36*36 {
		t.Fatalf("the plan's joint space has %d configurations, want 48 × 36³ = %d", b.Size(), 48*36*36*36)
	}
	ctx := context.Background()
	for _, c := range []struct {
		name   string
		fill   harness.FillMode
		window trial.Window
		draws  int
	}{
		{"causal,window", harness.Causal, trial.Window{From: mustDate(t, "2023-01-01"), To: mustDate(t, "2023-12-31")}, 200},
		{"reference,whole", harness.Reference, trial.Window{}, 20},
	} {
		t.Run(c.name, func(t *testing.T) {
			spec := spec
			spec.Fill, spec.Window = c.fill, c.window
			r, err := NewReplay(ctx, trial.NewEnv(p, "test"), spec, b)
			if err != nil {
				t.Fatal(err)
			}
			direct := trial.NewEnv(p, "test")
			rng := rand.New(rand.NewPCG(12, uint64(c.draws)))
			finals := map[float64]bool{}
			rejected := 0
			for range c.draws {
				i := rng.IntN(b.Size())
				got, err := r.Evaluate(ctx, i)
				if err != nil {
					t.Fatal(err)
				}
				s := spec
				s.Params = b.Config(i)
				want, err := trial.Evaluate(ctx, direct, s)
				if err != nil {
					t.Fatal(err)
				}
				if math.Float64bits(got.Score) != math.Float64bits(want.Row.Score) || got.Base != want.Eval.Base || got.Stress != want.Eval.Stress {
					t.Fatalf("configuration %d (%s): replay score %v, direct %v\nreplay base %+v\ndirect base %+v", i, s.Params.Changes(), got.Score, want.Row.Score, got.Base, want.Eval.Base)
				}
				finals[got.Base.FinalValue] = true
				if got.Rejected() {
					rejected++
				}
			}
			// The agreement means something only if the draws differ.
			if len(finals) < c.draws/2 || rejected == c.draws {
				t.Errorf("%d distinct final values in %d draws, %d rejected: the configurations barely differ", len(finals), c.draws, rejected)
			}
			t.Logf("%d draws: %d distinct final values, %d rejected", c.draws, len(finals), rejected)
		})
	}
}

func mustDate(t *testing.T, s string) harness.Date {
	d, err := harness.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestRunIsIndependentOfWorkers checks that the table of a small block is
// the same with 1 and 3 workers, that its best is its first maximum, and
// that Table.Score reads the entries back by assignment.
func TestRunIsIndependentOfWorkers(t *testing.T) {
	p := majorsPanel(t)
	conf, _ := strategy.New("ensemble")
	spec := trial.NewSpec(conf, harness.Causal)
	s, err := search.PhasedPlan().Restrict(func(name string) bool { return name == "bull.top_n" || name == "hmm.hard_switch_threshold" }).Space(spec.Params)
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewBlock(spec.Params, s)
	if err != nil {
		t.Fatal(err)
	}
	if b.Size() != 16 {
		t.Fatalf("block of %d, want 4 × 4", b.Size())
	}
	ctx := context.Background()
	var tables []*Table
	for _, w := range []int{1, 3} {
		r, err := NewReplay(ctx, trial.NewEnv(p, "test"), spec, b)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		tb, err := r.Run(ctx, w, func(float64) { n++ })
		if err != nil {
			t.Fatal(err)
		}
		if w == 1 && n != b.Size() {
			t.Errorf("done called %d times, want %d", n, b.Size())
		}
		tables = append(tables, tb)
	}
	for i := range tables[0].Scores {
		if math.Float64bits(tables[0].Scores[i]) != math.Float64bits(tables[1].Scores[i]) {
			t.Fatalf("configuration %d: %v with 1 worker, %v with 3", i, tables[0].Scores[i], tables[1].Scores[i])
		}
	}
	tb := tables[0]
	for i, v := range tb.Scores {
		if v > tb.Scores[tb.Best] || (v == tb.Scores[tb.Best] && i < tb.Best) {
			t.Errorf("best is %d (%v) but %d scores %v", tb.Best, tb.Scores[tb.Best], i, v)
		}
		got, err := tb.Score(b.Config(i))
		if err != nil || math.Float64bits(got) != math.Float64bits(v) {
			t.Errorf("Score(Config(%d)) = %v, %v; want %v", i, got, err, v)
		}
	}
}

// TestBlockIndex checks the numbering on the plan's space: Index inverts
// Config, for block and full assignments, and refuses values and
// parameters outside the block.
func TestBlockIndex(t *testing.T) {
	b, _ := planBlock(t)
	rng := rand.New(rand.NewPCG(3, 4))
	for range 100 {
		i := rng.IntN(b.Size())
		a := b.Config(i)
		if j, err := b.Index(a); err != nil || j != i {
			t.Fatalf("Index(Config(%d)) = %d, %v", i, j, err)
		}
	}
	// The last parameter varies fastest, as in search.Grid.
	last := b.Space().Param(b.Space().Len() - 1)
	v0, _ := b.Config(0).Get(last.Name)
	v1, _ := b.Config(1).Get(last.Name)
	if !last.Equal(v0, last.Level(0)) || !last.Equal(v1, last.Level(1)) {
		t.Errorf("configurations 0 and 1 give %s = %v, %v; want its levels 0 and 1", last.Name, v0, v1)
	}
	for _, bad := range []string{"bull.top_n=11", "bear.atr_window=20", "gate.trend=false"} {
		a, err := b.Config(0).Apply(bad)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := b.Index(a); err == nil {
			t.Errorf("Index accepted %s", bad)
		}
	}
	sub := b.Space().Defaults()
	if _, err := b.Index(sub); err != nil {
		t.Errorf("Index of the block space's defaults: %v", err)
	}
	if _, err := NewBlock(b.Config(0), space.New(space.Param{Name: "bull.top_n", Kind: space.Float, Min: space.Value{F: 0}, Max: space.Value{F: 1}, Lo: space.Value{F: 0}, Hi: space.Value{F: 1}})); err == nil {
		t.Error("NewBlock accepted a continuous parameter")
	}
}

// TestBestIsTheTablesOptimum checks Best against Run on blocks of the plan
// (bull × bear, 1,296 configurations) on two windows, one where the stress
// run rejects many configurations: every bound is the score or the score is
// rejected, and Best picks the table's optimum with fewer full evaluations
// than configurations.
func TestBestIsTheTablesOptimum(t *testing.T) {
	p := majorsPanel(t)
	conf, _ := strategy.New("ensemble")
	base := trial.NewSpec(conf, harness.Causal)
	b, _, err := PlanBlock(base.Params, []string{"bull", "bear"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, w := range []trial.Window{
		{From: mustDate(t, "2023-01-01")},
		{From: mustDate(t, "2022-05-01"), To: mustDate(t, "2023-04-30")}, // every configuration rejected
	} {
		spec := base
		spec.Window = w
		r, err := NewReplay(ctx, trial.NewEnv(p, "test"), spec, b)
		if err != nil {
			t.Fatal(err)
		}
		tb, err := r.Run(ctx, 2, nil)
		if err != nil {
			t.Fatal(err)
		}
		best, err := r.Best(ctx, 2, nil)
		if err != nil {
			t.Fatal(err)
		}
		rejected := 0
		for i, s := range tb.Scores {
			if math.IsInf(s, -1) && !math.IsInf(best.Bounds[i], -1) {
				rejected++
			} else if math.Float64bits(s) != math.Float64bits(best.Bounds[i]) {
				t.Fatalf("%s: configuration %d scores %v, bound %v", w, i, s, best.Bounds[i])
			}
		}
		if best.Index != tb.Best || (best.Eval == nil) != math.IsInf(tb.Scores[tb.Best], -1) || best.Eval != nil && best.Eval.Score != tb.Scores[tb.Best] {
			t.Errorf("%s: Best %d, table's best %d (%v)", w, best.Index, tb.Best, tb.Scores[tb.Best])
		}
		t.Logf("%s: optimum %v at %d; %d rejected by the stress run alone; %d full evaluations", w, tb.Scores[tb.Best], tb.Best, rejected, best.Full)
	}
}
