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
