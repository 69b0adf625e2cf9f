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
	"gem/strategy"
)

func TestPhasedPlanShape(t *testing.T) {
	base, _ := strategy.New("ensemble")
	pl := PhasedPlan()
	var sizes []int
	for _, ph := range pl.Phases {
		c, err := ph.Expand(base)
		if err != nil {
			t.Fatal(err)
		}
		sizes = append(sizes, len(c))
	}
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
		"p.json": `{"phases":[{"name":"one","mode":"grid","params":[{"name":"top_n","values":[1,2]},{"name":"r2_threshold","values":[0.3,0.5]}]}]}`,
	}
	base, _ := strategy.New("specialist")
	for name, content := range files {
		path := filepath.Join(dir, name)
		os.WriteFile(path, []byte(content), 0o644)
		pl, err := LoadPlan(path)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		c, err := pl.Phases[0].Expand(base)
		if err != nil {
			t.Fatal(err)
		}
		var labels []string
		for _, x := range c {
			labels = append(labels, x.Label)
		}
		want := "top_n=1 r2_threshold=0.3|top_n=1 r2_threshold=0.5|top_n=2 r2_threshold=0.3|top_n=2 r2_threshold=0.5"
		if got := strings.Join(labels, "|"); got != want {
			t.Errorf("%s: candidates %q, want %q", name, got, want)
		}
	}
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("phases:\n  - name: x\n    params:\n      - {name: nope, values: [1]}\n"), 0o644)
	pl, err := LoadPlan(bad)
	if err == nil {
		_, err = pl.Phases[0].Expand(base)
	}
	if err == nil || !strings.Contains(err.Error(), "unknown parameter") {
		t.Errorf("got %v, want an unknown parameter error", err)
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
	base, _ := strategy.New("ensemble")
	for _, kv := range []string{"hmm.min_observations=60", "hmm.restarts=3"} {
		name, value, _ := strings.Cut(kv, "=")
		strategy.SetParam(base.Params(), name, value)
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
	_, err = plan.Run(context.Background(), base, func(_ context.Context, _ string, cands []Candidate) ([]float64, error) {
		scores := make([]float64, len(cands))
		for i, c := range cands {
			scores[i] = eval(c.Config, shared).Score
			tried = append(tried, c.Config)
		}
		return scores, nil
	}, nil)
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
			t.Errorf("%s: cached score %v, fresh %v (or metrics/rebalances differ)", strategy.ParamsString(cfg.Params()), warm.Score, cold.Score)
		}
	}
}

func TestRandomSearch(t *testing.T) {
	base, _ := strategy.New("ensemble")
	space := PhasedPlan().Space()
	if len(space) != 12 {
		t.Fatalf("phased space has %d parameters, want 12 (3 HMM + 3 per specialist)", len(space))
	}
	a, err := Random(space, base, 50, 7)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Random(space, base, 50, 7)
	c, _ := Random(space, base, 50, 8)
	if len(a) != 50 {
		t.Fatalf("%d candidates, want 50", len(a))
	}
	seen := map[string]bool{}
	for i := range a {
		if a[i].Label != b[i].Label {
			t.Fatalf("same seed, candidate %d differs: %q vs %q", i, a[i].Label, b[i].Label)
		}
		if seen[a[i].Label] {
			t.Fatalf("candidate %q drawn twice", a[i].Label)
		}
		seen[a[i].Label] = true
		for _, prm := range space {
			got, _ := strategy.GetParam(a[i].Config.Params(), prm.Name)
			if !containsValue(prm.Values, got) {
				t.Fatalf("%s=%s is not one of the space's values", prm.Name, got)
			}
		}
	}
	if a[0].Label == c[0].Label && a[1].Label == c[1].Label {
		t.Error("another seed drew the same candidates")
	}
	// A space smaller than the budget is enumerated without repeats.
	small := []Param{{Name: "hmm.refit_interval", Values: []any{3, 7}}}
	if got, _ := Random(small, base, 10, 1); len(got) != 2 {
		t.Errorf("small space: %d candidates, want 2", len(got))
	}
}
