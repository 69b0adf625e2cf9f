package optimum

import (
	"bytes"
	"encoding/json"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gem/strategy"
)

// TestQuantileAndCurve checks the statistics against NumPy's definitions
// worked by hand: Quantile([1 2 3 4], 0.25) = 1 + 0.75·(2 − 1).
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
		if got := Quantile(c.xs, c.q); got != c.want {
			t.Errorf("Quantile(%v, %v) = %v, want %v", c.xs, c.q, got, c.want)
		}
	}
	c := Curve{0.1, 0.1, 0.3, 0.5}
	if c.At(2) != 0.1 || c.At(4) != 0.5 || c.At(99) != 0.5 || c.Reach(0.3) != 3 || c.Reach(0.6) != 0 {
		t.Errorf("curve %v: at 2, 4, 99 = %v %v %v, reach 0.3, 0.6 = %d %d", c, c.At(2), c.At(4), c.At(99), c.Reach(0.3), c.Reach(0.6))
	}
	if !math.IsInf(Curve(nil).At(1), -1) {
		t.Error("an empty curve has a best score")
	}
}

// TestServeTable: good lines get the table's score (null when rejected),
// bad or hostile ones an error line naming them, never a panic.
func TestServeTable(t *testing.T) {
	conf, _ := strategy.New("ensemble")
	base := strategy.Assign(conf)
	a, err := base.Set("bull.top_n", "15")
	if err != nil {
		t.Fatal(err)
	}
	r, _ := base.Set("bull.top_n", "20")
	tab := &TableFile{Strategy: "ensemble", Base: base.String(), Scores: map[string]jsonScore{a.String(): 0.25, r.String(): jsonScore(math.Inf(-1))}}
	in := strings.Join([]string{`{"bull.top_n": 15}`, `{"bull.top_n": 20}`, `{"bull.top_n": 25}`, `{"moon": 1}`, `not json`, `[]`, `{"bull.top_n": "x"}`, strings.Repeat("[", 100000)}, "\n")
	var out bytes.Buffer
	if err := tab.Serve(strings.NewReader(in), &out); err != nil {
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
		tab, err := ReadTableFile(path)
		if err == nil {
			err = tab.Serve(strings.NewReader(`{"bull.top_n": 15}`), io.Discard)
		}
		if err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
