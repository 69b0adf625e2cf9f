package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/pflag"

	"gem/harness"
	"gem/ledger"
	"gem/space"
	"gem/strategy"
	"gem/trial"
)

// loadMajors loads the golden majors panel through the CLI's data flags.
func loadMajors(t *testing.T) *harness.Panel {
	t.Helper()
	path := filepath.Join(goldenDir, "majors_2022_2023.csv")
	if _, err := os.Stat(path); err != nil {
		t.Skipf("golden data not found at %s (it lives in ../shared, outside the repository): %v", path, err)
	}
	var d dataFlags
	fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
	d.register(fs)
	if err := fs.Parse([]string{"--data", path}); err != nil {
		t.Fatal(err)
	}
	p, _, err := d.load(io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// blockPoint is configuration k of a block's grid, by mixed radix over its
// parameters' values, as a full assignment.
func blockPoint(t *testing.T, b *block, k int) space.Assignment {
	t.Helper()
	a := b.space.Defaults()
	for i, p := range b.space.Params() {
		var err error
		if a, err = a.With(i, p.Values[k%len(p.Values)]); err != nil {
			t.Fatal(err)
		}
		k /= len(p.Values)
	}
	full, err := b.base.Overlay(a)
	if err != nil {
		t.Fatal(err)
	}
	return full
}

// TestOptimumAgreesWithDirectEvaluation: the block's table, computed through
// the runtime's pool and warm caches, holds bit for bit the scores that a
// direct evaluation in a fresh environment (its own caches) gives, on 200
// configurations drawn at random; and the optimum is the best of them all.
func TestOptimumAgreesWithDirectEvaluation(t *testing.T) {
	p := loadMajors(t)
	fill, err := harness.ParseFillMode("causal")
	if err != nil {
		t.Fatal(err)
	}
	spec := trial.NewSpec(mustNew(t, "ensemble"), fill)
	if spec.Window.From, err = harness.ParseDate("2022-07-01"); err != nil {
		t.Fatal(err)
	}
	pool := &trial.Pool{Env: trial.NewEnv(p, "optimum"), Exec: trial.Local{Workers: 2}, Done: map[string]ledger.Row{}}
	bf := blockFlags{groups: []string{"bull", "bear"}, fix: "defaults"}
	b, err := bf.exhaust(context.Background(), io.Discard, pool, spec)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.table) != 1296 {
		t.Fatalf("%d configurations in the bull × bear block, want 1296", len(b.table))
	}
	env := trial.NewEnv(p, "direct")
	rng := rand.New(rand.NewPCG(12, 1))
	direct := func(a space.Assignment) float64 {
		r, err := trial.Evaluate(context.Background(), env, trial.Spec{Strategy: spec.Strategy, Fill: fill, Params: a, Window: spec.Window})
		if err != nil {
			t.Fatal(err)
		}
		return r.Score()
	}
	finite := 0
	for _, k := range rng.Perm(1296)[:200] {
		a := blockPoint(t, b, k)
		want := direct(a)
		got, err := b.score(a)
		if err != nil {
			t.Fatal(err)
		}
		if math.Float64bits(got) != math.Float64bits(want) {
			t.Errorf("%s: table %v, direct %v", a.Changes(), got, want)
		}
		if want > b.optimum {
			t.Errorf("%s scores %v above the optimum %v", a.Changes(), want, b.optimum)
		}
		if !math.IsInf(want, -1) {
			finite++
		}
	}
	if finite == 0 {
		t.Error("every sampled configuration is rejected: the comparison checks nothing")
	}
	if got := direct(b.best); got != b.optimum {
		t.Errorf("the optimum %s scores %v directly, %v in the table", b.best.Changes(), got, b.optimum)
	}
	if v, err := b.base.Set("bull.top_n", "11"); err != nil {
		t.Fatal(err)
	} else if _, err := b.score(v); err == nil {
		t.Error("bull.top_n=11, outside the block, got a score")
	}
}

func mustNew(t *testing.T, name string) strategy.Config {
	t.Helper()
	c, err := strategy.New(name)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestQuantileAndCurve checks the statistics against NumPy's definitions
// worked by hand: quantile([1 2 3 4], 0.25) = 1 + 0.75·(2 − 1).
func TestQuantileAndCurve(t *testing.T) {
	inf := math.Inf(1)
	for _, c := range []struct {
		xs   []float64
		q    float64
		want float64
	}{
		{[]float64{4, 1, 3, 2}, 0.25, 1.75},
		{[]float64{4, 1, 3, 2}, 0.5, 2.5},
		{[]float64{5}, 0.75, 5},
		{[]float64{1, inf}, 0, 1},
		{[]float64{1, inf}, 0.5, inf},
		{[]float64{inf, inf, 2}, 0.75, inf},
	} {
		if got := quantile(c.xs, c.q); got != c.want {
			t.Errorf("quantile(%v, %v) = %v, want %v", c.xs, c.q, got, c.want)
		}
	}
	c := curve{0.1, 0.1, 0.3, 0.5}
	if c.at(2) != 0.1 || c.at(4) != 0.5 || c.at(99) != 0.5 || c.reach(0.3) != 3 || c.reach(0.6) != 0 {
		t.Errorf("curve %v: at 2, 4, 99 = %v %v %v, reach 0.3, 0.6 = %d %d", c, c.at(2), c.at(4), c.at(99), c.reach(0.3), c.reach(0.6))
	}
	if !math.IsInf(curve(nil).at(1), -1) {
		t.Error("an empty curve has a best score")
	}
}

// TestCompareSmallBlock: on the bull block (36 configurations) a budget of
// 36 distinct evaluations covers it, so the phased sweep and random search
// have zero regret there, whatever the seed.
func TestCompareSmallBlock(t *testing.T) {
	needGolden(t)
	data := filepath.Join(goldenDir, "majors_2022_2023.csv")
	code, out, errOut := gem(t, "search", "--compare", "--data", data, "--fix", "defaults", "--block", "bull", "--compare-seeds", "2", "--budgets", "5,36", "--ledger", "-")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "Optimum of the block (36 configurations)") {
		t.Fatalf("no optimum line:\n%s", out)
	}
	for _, m := range []string{"phased", "random", "qmc", "tpe", "cmaes", "gp", "policy"} {
		var line string
		for _, l := range strings.Split(out, "\n") {
			if strings.HasPrefix(l, m+" ") {
				line = l
			}
		}
		if line == "" {
			t.Fatalf("no row for %s:\n%s", m, out)
		}
		if (m == "phased" || m == "random") && !strings.Contains(line, "0.0000 [0.0000, 0.0000]  ") {
			t.Errorf("%s: nonzero regret at 36 evaluations of 36: %s", m, line)
		}
	}
	for _, bad := range [][]string{{"--block", "moon"}, {"--fix", "later"}, {"--budgets", "0"}, {"--compare-seeds", "0"}, {"--block", ""}} {
		args := append([]string{"search", "--compare", "--data", data, "--ledger", "-"}, bad...)
		if code, _, errOut := gem(t, args...); code == 0 || errOut == "" {
			t.Errorf("%v: exit %d, stderr %q", bad, code, errOut)
		}
	}
}

// TestServeTable: good lines get the table's score (null when rejected),
// bad or hostile ones an error line naming them, never a panic.
func TestServeTable(t *testing.T) {
	base := strategy.Assign(mustNew(t, "ensemble"))
	a, err := base.Set("bull.top_n", "15")
	if err != nil {
		t.Fatal(err)
	}
	r, _ := base.Set("bull.top_n", "20")
	tab := &tableFile{Strategy: "ensemble", Base: base.String(), Scores: map[string]jsonScore{a.String(): 0.25, r.String(): jsonScore(math.Inf(-1))}}
	in := strings.Join([]string{`{"bull.top_n": 15}`, `{"bull.top_n": 20}`, `{"bull.top_n": 25}`, `{"moon": 1}`, `not json`, `[]`, `{"bull.top_n": "x"}`, strings.Repeat("[", 100000)}, "\n")
	var out bytes.Buffer
	if err := serveTable(strings.NewReader(in), &out, tab); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 8 {
		t.Fatalf("%d replies to 8 lines:\n%s", len(lines), out.String())
	}
	if lines[0] != `{"score":0.25}` || lines[1] != `{"score":null}` {
		t.Errorf("replies %s, %s", lines[0], lines[1])
	}
	for i, l := range lines[2:] {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil || m["error"] == nil || m["line"] != float64(i+3) {
			t.Errorf("line %d: reply %s, want an error naming the line", i+3, l)
		}
	}
	dir := t.TempDir()
	for name, body := range map[string]string{"empty": "", "garbage": "\x00\xff", "list": "[1,2]", "badbase": `{"strategy":"ensemble","base":"moon=1"}`, "badstrategy": `{"strategy":"moon"}`} {
		path := filepath.Join(dir, name)
		os.WriteFile(path, []byte(body), 0o600)
		tab, err := readTable(path)
		if err == nil {
			err = serveTable(strings.NewReader(`{"bull.top_n": 15}`), io.Discard, tab)
		}
		if err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
