package render

import (
	"context"
	"encoding/json"
	"math"
	"strings"
	"testing"

	"gem/harness"
	"gem/strategy"
	"gem/synth"
	"gem/trial"
)

// TestEvalLines (gem eval --stdin): one JSON result per input line, in order; a bad line gets
// an error object naming its line and the run goes on; each score equals a
// direct evaluation of the same configuration (null where it is rejected).
func TestEvalLines(t *testing.T) {
	cfg := synth.DefaultConfig()
	cfg.Tokens, cfg.Days = 15, 300
	p, err := synth.Panel(cfg)
	if err != nil {
		t.Fatal(err)
	}
	spec, _ := strategy.New("specialist")
	base := trial.NewSpec(spec, harness.Causal)
	in := strings.Join([]string{
		`{"top_n": 3}`,
		`{"top_n": "x"}`,
		``,
		`{"nope": 1}`,
		`{"top_n": 2, "r2_threshold": 0.3, "use_r2_filter": false}`,
		`[1, 2]`,
		`{"top_n": 1e400}`,
	}, "\n")
	var out strings.Builder
	if err := EvalLines(context.Background(), strings.NewReader(in), &out, trial.NewEnv(p, "eval"), base, nil, nil); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 6 {
		t.Fatalf("%d result lines, want 6:\n%s", len(lines), out.String())
	}
	type result struct {
		Score     *float64 `json:"score"`
		Rejection string   `json:"rejection"`
		Line      int      `json:"line"`
		Error     string   `json:"error"`
	}
	want := map[int]string{0: "top_n=3", 3: "top_n=2 r2_threshold=0.3 use_r2_filter=false"}
	errLines := map[int]int{1: 2, 2: 4, 4: 6, 5: 7}
	for i, l := range lines {
		var r result
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatalf("line %d is not JSON: %v: %s", i, err, l)
		}
		if n, ok := errLines[i]; ok {
			if r.Line != n || r.Error == "" {
				t.Errorf("result %d: %s, want an error for input line %d", i, l, n)
			}
			continue
		}
		c, err := strategy.Build("specialist", want[i])
		if err != nil {
			t.Fatal(err)
		}
		ev, err := harness.Evaluate(context.Background(), p, func() harness.Strategy { return c.New(nil) }, harness.Config{Fill: harness.Causal})
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case ev.Rejected() && (r.Score != nil || r.Rejection == ""):
			t.Errorf("result %d: %s, want a null score with the reason", i, l)
		case !ev.Rejected() && (r.Score == nil || math.Float64bits(*r.Score) != math.Float64bits(ev.Score)):
			t.Errorf("result %d: score %v, direct evaluation %v", i, r.Score, ev.Score)
		}
	}
	// A line over the limit ends the run with an error naming it.
	out.Reset()
	huge := `{"top_n": 3}` + "\n" + strings.Repeat(" ", MaxLine+10) + "\n"
	if err := EvalLines(context.Background(), strings.NewReader(huge), &out, trial.NewEnv(p, "eval"), base, nil, nil); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("huge line: %v", err)
	}
}

// TestEvalLinesWindow: each line is scored on the base spec's scoring
// window, as trial.Evaluate scores the same spec, not on the whole data.
func TestEvalLinesWindow(t *testing.T) {
	cfg := synth.DefaultConfig()
	cfg.Tokens, cfg.Days = 15, 400
	p, err := synth.Panel(cfg)
	if err != nil {
		t.Fatal(err)
	}
	spec, _ := strategy.New("specialist")
	base := trial.NewSpec(spec, harness.Causal)
	base.Window = trial.Window{From: p.Dates[300]}
	env := trial.NewEnv(p, "eval")
	var out strings.Builder
	if err := EvalLines(context.Background(), strings.NewReader(`{"top_n": 3}`), &out, env, base, nil, nil); err != nil {
		t.Fatal(err)
	}
	var r struct {
		Score *float64 `json:"score"`
	}
	if err := json.Unmarshal([]byte(out.String()), &r); err != nil {
		t.Fatal(err)
	}
	whole := base
	whole.Window = trial.Window{}
	for _, s := range []*trial.Spec{&base, &whole} {
		a, err := s.Params.ApplyJSON([]byte(`{"top_n": 3}`))
		if err != nil {
			t.Fatal(err)
		}
		s.Params = a
	}
	want, err := trial.Evaluate(context.Background(), env, base)
	if err != nil {
		t.Fatal(err)
	}
	other, err := trial.Evaluate(context.Background(), env, whole)
	if err != nil {
		t.Fatal(err)
	}
	if want.Score() == other.Score() {
		t.Fatalf("the window does not change the score (%v): the test cannot tell them apart", want.Score())
	}
	got := math.Inf(-1)
	if r.Score != nil {
		got = *r.Score
	}
	if math.Float64bits(got) != math.Float64bits(want.Score()) {
		t.Errorf("stdin score %v, windowed evaluation %v (whole data %v)", got, want.Score(), other.Score())
	}
}
