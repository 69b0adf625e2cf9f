package search

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"gem/harness"
	"gem/space"
	"gem/strategy"
)

func defaults(t *testing.T, name string) space.Assignment {
	t.Helper()
	c, err := strategy.New(name)
	if err != nil {
		t.Fatal(err)
	}
	return strategy.Assign(c)
}

// phaseSizes counts each phase's configurations around base.
func phaseSizes(t *testing.T, pl Plan, base space.Assignment) ([]string, []int) {
	t.Helper()
	var names []string
	var sizes []int
	err := pl.Each(base, func(ph PhaseInfo, _ space.Assignment) bool {
		if len(names) == 0 || names[len(names)-1] != ph.Name {
			names, sizes = append(names, ph.Name), append(sizes, 0)
		}
		sizes[len(sizes)-1]++
		return true
	})
	if err != nil {
		t.Fatal(err)
	}
	return names, sizes
}

func TestPhasedPlanShape(t *testing.T) {
	_, sizes := phaseSizes(t, PhasedPlan(), defaults(t, "ensemble"))
	// 48 HMM configurations, 36 per specialist, then the baseline and each of
	// the nine specialist parameters' other values (3+2+2 per specialist).
	if want := []int{48, 36, 36, 36, 22}; !reflect.DeepEqual(sizes, want) {
		t.Errorf("phase sizes %v, want %v", sizes, want)
	}
}

func TestLoadPlanYAMLAndJSON(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"p.yaml": "phases:\n  - name: one\n    mode: grid\n    params:\n      - {name: top_n, values: [1, 2]}\n      - {name: r2_threshold, values: [0.3, 0.5]}\n",
		"p.json": `{"phases":[{"name":"one","mode":"grid","params":[{"name":"top_n","values":[1,2.0]},{"name":"r2_threshold","values":[0.3,"0.5"]}]}]}`,
	}
	base := defaults(t, "specialist")
	for name, content := range files {
		path := filepath.Join(dir, name)
		os.WriteFile(path, []byte(content), 0o644)
		pl, err := LoadPlan(path)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var labels []string
		pl.Each(base, func(_ PhaseInfo, a space.Assignment) bool {
			labels = append(labels, a.Only("top_n", "r2_threshold"))
			return true
		})
		want := "r2_threshold=0.3 top_n=1|r2_threshold=0.5 top_n=1|r2_threshold=0.3 top_n=2|r2_threshold=0.5 top_n=2"
		if got := strings.Join(labels, "|"); got != want {
			t.Errorf("%s: candidates %q, want %q", name, got, want)
		}
	}
}

// TestBadPlans: every malformed plan is refused before anything runs, with
// a message naming the problem; none panics, and a plan of 10^12
// configurations is counted, not expanded.
func TestBadPlans(t *testing.T) {
	base := defaults(t, "ensemble")
	p := func(phases ...Phase) Plan { return Plan{Phases: phases} }
	g := func(params ...Param) Phase { return Phase{Name: "x", Mode: "grid", Params: params} }
	vals := func(n int) []any {
		v := make([]any, n)
		for i := range v {
			v[i] = i + 1
		}
		return v
	}
	tests := []struct {
		name string
		plan Plan
		want string
	}{
		{"no phases", p(), "no phases"},
		{"unknown parameter", p(g(Param{"bull.top_m", []any{1}})), "did you mean bull.top_n"},
		{"named twice", p(g(Param{"bull.top_n", []any{1}}, Param{"bull.top_n", []any{2}})), "named twice"},
		{"repeated value", p(g(Param{"bull.top_n", []any{3, 5, 3}})), "lists the value 3 twice"},
		{"repeated value spelt differently", p(g(Param{"bull.r2_threshold", []any{0.5, "0.50"}})), "twice"},
		{"no values", p(g(Param{"bull.top_n", nil})), "has no values"},
		{"bad mode", p(Phase{Name: "x", Mode: "spiral", Params: []Param{{"bull.top_n", []any{1}}}}), "unknown mode"},
		{"hex float", p(g(Param{"bull.r2_threshold", []any{"0x1p-3"}})), "not a decimal number"},
		{"underscore int", p(g(Param{"bull.top_n", []any{"1_000"}})), "not an integer"},
		{"fraction for an int", p(g(Param{"bull.top_n", []any{2.5}})), "not an integer"},
		{"out of bounds", p(g(Param{"hmm.hard_switch_threshold", []any{1.5}})), "above the maximum"},
		{"infinite", p(g(Param{"bull.momentum_cap", []any{"Inf"}})), "not a decimal number"},
		{"too large", p(g(Param{"bull.top_n", vals(1000)}, Param{"bear.top_n", vals(1000)}, Param{"ranging.top_n", vals(1000)}, Param{"hmm.seed", vals(1000)})), "1000000000000 configurations"},
		{"bool as number", p(g(Param{"gate.trend", []any{1}})), "not true or false"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.plan.Size(base)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want an error containing %q", err, tt.want)
			}
			if _, err := NewPhased(tt.plan, base); err == nil {
				t.Error("NewPhased accepted the plan")
			}
		})
	}
}

func TestLoadPlanLimits(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.yaml")
	os.WriteFile(big, []byte("phases: ["+strings.Repeat(" ", 2<<20)+"]"), 0o644)
	if _, err := LoadPlan(big); err == nil || !strings.Contains(err.Error(), "at most") {
		t.Errorf("2 MiB plan: got %v, want a size error", err)
	}
	for name, content := range map[string]string{"empty.yaml": "", "junk.yaml": "\x00\x01{{", "list.yaml": "- 1\n- 2\n"} {
		path := filepath.Join(dir, name)
		os.WriteFile(path, []byte(content), 0o644)
		if _, err := LoadPlan(path); err == nil || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: got %v, want an error naming the file", name, err)
		}
	}
}

// TestPhasedLocksWinners: with a made-up score, each phase's best becomes
// the next phase's baseline, the first among equals wins, and a phase whose
// every candidate is rejected keeps the baseline.
func TestPhasedLocksWinners(t *testing.T) {
	base := defaults(t, "specialist")
	plan := Plan{Phases: []Phase{
		{Name: "a", Mode: "grid", Params: []Param{{"top_n", []any{1, 2, 3}}}},
		{Name: "b", Mode: "grid", Params: []Param{{"r2_threshold", []any{0.1, 0.2}}}},
		{Name: "c", Mode: "one_at_a_time", Params: []Param{{"top_n", []any{2, 4}}, {"atr_window", []any{15, 20}}}},
	}}
	m, err := NewPhased(plan, base)
	if err != nil {
		t.Fatal(err)
	}
	var asked []string
	score := func(a space.Assignment) float64 {
		v, _ := a.Get("top_n")
		r, _ := a.Get("r2_threshold")
		if r.F == 0.1 && v.I == 2 {
			return math.Inf(-1)
		}
		return float64(v.I%3) + r.F*0 // top_n=2 scores best in phase a; r2 ties in b
	}
	n, err := Drive(context.Background(), m, 0, 2, func(_ context.Context, batch []space.Assignment) ([]float64, error) {
		s := make([]float64, len(batch))
		for i, a := range batch {
			asked = append(asked, a.Diff(base))
			s[i] = score(a)
		}
		return s, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"top_n=1", "top_n=2", "top_n=3", // phase a: top_n=2 wins
		"r2_threshold=0.1 top_n=2", "r2_threshold=0.2 top_n=2", // phase b: 0.1 rejected, 0.2 wins
		"r2_threshold=0.2 top_n=2", "r2_threshold=0.2 top_n=4", "r2_threshold=0.2 top_n=2 atr_window=20"}
	if !reflect.DeepEqual(asked, want) || n != len(want) {
		t.Errorf("asked %q (%d), want %q", asked, n, want)
	}
	res := m.Results()
	if len(res) != 3 || res[0].Winner.Diff(base) != "top_n=2" || res[1].Score != 2 || res[2].Winner.Diff(base) != "r2_threshold=0.2 top_n=2" {
		t.Errorf("results %+v", res)
	}
	// A budget stops a plan mid-phase.
	m, _ = NewPhased(plan, base)
	if n, _ := Drive(context.Background(), m, 4, 3, func(_ context.Context, b []space.Assignment) ([]float64, error) {
		return make([]float64, len(b)), nil
	}); n != 4 {
		t.Errorf("budget 4: %d evaluations", n)
	}
}

// TestCacheChangesNothing runs a small phased plan on real data (the golden
// majors dataset, 21 tokens over two years) with one cache shared by every
// trial, then re-evaluates every configuration it tried, the phases' winners
// among them, with a fresh cache: scores, metrics and every rebalance are
// bit-identical.
func TestCacheChangesNothing(t *testing.T) {
	path := "../../shared/golden/majors_2022_2023.csv"
	if _, err := os.Stat(path); err != nil {
		t.Skipf("real data not found at %s (it lives in ../shared, outside the repository): %v", path, err)
	}
	p, err := harness.LoadFiles(path)
	if err != nil {
		t.Fatal(err)
	}
	ens, _ := strategy.New("ensemble")
	base, err := strategy.Assign(ens).Apply("hmm.min_observations=60 hmm.restarts=3")
	if err != nil {
		t.Fatal(err)
	}
	plan := Plan{Phases: []Phase{
		{Name: "hmm", Mode: "grid", Params: []Param{{Name: "hmm.refit_interval", Values: []any{7, 14}}, {Name: "hmm.hard_switch_threshold", Values: []any{0.7, 0.9}}}},
		{Name: "bull", Mode: "grid", Params: []Param{{Name: "bull.top_n", Values: []any{5, 10}}, {Name: "bull.fit_window", Values: []any{30, 60}}}},
	}}
	shared := strategy.NewCache()
	eval := func(cfg strategy.Config, cache *strategy.Cache) *harness.Evaluation {
		ev, err := harness.Evaluate(context.Background(), p, func() harness.Strategy { return cfg.New(cache) }, harness.Config{Fill: harness.Causal})
		if err != nil {
			t.Fatal(err)
		}
		return ev
	}
	var tried []strategy.Config // every candidate, the phases' winners among them
	m, err := NewPhased(plan, base)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Drive(context.Background(), m, 0, 3, func(_ context.Context, batch []space.Assignment) ([]float64, error) {
		scores := make([]float64, len(batch))
		for i, a := range batch {
			cfg, err := strategy.Configure(ens, a)
			if err != nil {
				return nil, err
			}
			scores[i] = eval(cfg, shared).Score
			tried = append(tried, cfg)
		}
		return scores, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	spec, _ := strategy.New("specialist")
	for _, cfg := range append(tried, spec) {
		warm, cold := eval(cfg, shared), eval(cfg, strategy.NewCache())
		same := math.Float64bits(warm.Score) == math.Float64bits(cold.Score) &&
			reflect.DeepEqual(warm.Base, cold.Base) && reflect.DeepEqual(warm.Stress, cold.Stress) &&
			reflect.DeepEqual(warm.BaseRun.Rebalances, cold.BaseRun.Rebalances)
		if !same {
			t.Errorf("%s: cached score %v, fresh %v (or metrics/rebalances differ)", strategy.Assign(cfg).Changes(), warm.Score, cold.Score)
		}
	}
}

func TestRandomSearch(t *testing.T) {
	base := defaults(t, "ensemble")
	s, err := PhasedPlan().Space(base)
	if err != nil {
		t.Fatal(err)
	}
	if s.Len() != 12 {
		t.Fatalf("phased space has %d parameters, want 12 (3 HMM + 3 per specialist)", s.Len())
	}
	draw := func(seed uint64, n int) []space.Assignment {
		m := NewRandom(s, seed)
		var out []space.Assignment
		Drive(context.Background(), m, n, 7, func(_ context.Context, b []space.Assignment) ([]float64, error) {
			out = append(out, b...)
			return make([]float64, len(b)), nil
		})
		return out
	}
	a, b, c := draw(7, 50), draw(7, 50), draw(8, 50)
	if len(a) != 50 {
		t.Fatalf("%d candidates, want 50", len(a))
	}
	seen := map[string]bool{}
	for i := range a {
		if !a[i].Equal(b[i]) {
			t.Fatalf("same seed, candidate %d differs: %q vs %q", i, a[i], b[i])
		}
		if seen[a[i].String()] {
			t.Fatalf("candidate %q drawn twice", a[i])
		}
		seen[a[i].String()] = true
		for j := range s.Len() {
			if s.Param(j).LevelOf(a[i].Value(j)) < 0 {
				t.Fatalf("%s=%v is not one of the space's values", s.Param(j).Name, a[i].Value(j))
			}
		}
	}
	if a[0].Equal(c[0]) && a[1].Equal(c[1]) {
		t.Error("another seed drew the same candidates")
	}
	// A space smaller than the budget is enumerated without repeats.
	small, _ := Plan{Phases: []Phase{{Params: []Param{{Name: "hmm.refit_interval", Values: []any{3, 7}}}}}}.Space(base)
	m := NewRandom(small, 1)
	if n, _ := Drive(context.Background(), m, 10, 4, func(_ context.Context, b []space.Assignment) ([]float64, error) {
		return make([]float64, len(b)), nil
	}); n != 2 {
		t.Errorf("small space: %d candidates, want 2", n)
	}
	// A huge budget neither overflows nor runs forever on a finite space.
	m = NewRandom(small, 1)
	if n, _ := Drive(context.Background(), m, math.MaxInt, 8, func(_ context.Context, b []space.Assignment) ([]float64, error) {
		return make([]float64, len(b)), nil
	}); n != 2 {
		t.Errorf("budget MaxInt: %d candidates, want 2", n)
	}
}

func TestGrid(t *testing.T) {
	base := defaults(t, "specialist")
	s, _ := Plan{Phases: []Phase{{Params: []Param{{"top_n", []any{1, 2}}, {"use_r2_filter", []any{true, false}}}}}}.Space(base)
	g, err := NewGrid(s)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	Drive(context.Background(), g, 0, 3, func(_ context.Context, b []space.Assignment) ([]float64, error) {
		for _, a := range b {
			got = append(got, a.String())
		}
		return make([]float64, len(b)), nil
	})
	want := []string{"top_n=1 use_r2_filter=true", "top_n=1 use_r2_filter=false", "top_n=2 use_r2_filter=true", "top_n=2 use_r2_filter=false"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("grid %q, want %q", got, want)
	}
	cont := space.New(space.Param{Name: "x", Kind: space.Float, Min: space.FloatValue(0), Max: space.FloatValue(1), Lo: space.FloatValue(0), Hi: space.FloatValue(1)})
	if _, err := NewGrid(cont); err == nil {
		t.Error("a grid over a continuous parameter was accepted")
	}
}
