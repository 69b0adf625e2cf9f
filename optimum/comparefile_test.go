package optimum

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// TestComparisonFileRoundTrip saves a comparison with rejected (−Inf)
// scores and an empty curve and reads back the same values and table.
func TestComparisonFileRoundTrip(t *testing.T) {
	inf := math.Inf(-1)
	c := &Comparison{Optimum: 1.5, Budgets: []int{2, 4}, Seeds: 2, Batch: 3, Methods: []Method{
		{"phased", []Curve{{inf, 0.5, 0.5, 1.5}}},
		{"random", []Curve{{inf, inf}, {}}},
	}}
	path := filepath.Join(t.TempDir(), ComparisonPath("ledger.tsv"))
	if err := c.Save(path); err != nil {
		t.Fatal(err)
	}
	got, err := LoadComparison(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, c) {
		t.Errorf("read back %+v, want %+v", got, c)
	}
	var a, b bytes.Buffer
	c.WriteTable(&a)
	got.WriteTable(&b)
	if a.String() != b.String() {
		t.Errorf("tables differ:\n%s\n%s", a.String(), b.String())
	}
	if entries, _ := os.ReadDir(filepath.Dir(path)); len(entries) != 1 {
		t.Errorf("%d files in the directory, want the comparison alone (no temporary file left)", len(entries))
	}
}

// TestLoadComparisonHostile: every bad, huge or hostile file is an error
// naming it, never a panic.
func TestLoadComparisonHostile(t *testing.T) {
	ok := `{"optimum":1,"budgets":[1,2],"seeds":2,"batch":1,"methods":[{"name":"a","curves":[[0.5,1],[null,0.2]]}]}`
	if _, err := loadString(ok); err != nil {
		t.Fatalf("the valid file: %v", err)
	}
	many := `{"optimum":1,"budgets":[1],"seeds":1,"batch":1,"methods":[` + strings.Repeat(`{"name":"a","curves":[[1]]},`, 1_000_000) + `{"name":"a","curves":[[1]]}]}`
	huge := `{"optimum":1,"budgets":[1],"seeds":1,"batch":1,"methods":[{"name":"` + strings.Repeat("x", MaxComparisonBytes) + `","curves":[[1]]}]}`
	for name, body := range map[string]string{
		"empty":            "",
		"garbage":          "\x00\xff{",
		"truncated":        ok[:len(ok)/2],
		"trailing":         ok + "{}",
		"huge":             huge,
		"NaN":              strings.Replace(ok, `"optimum":1`, `"optimum":NaN`, 1),
		"null optimum":     strings.Replace(ok, `"optimum":1`, `"optimum":null`, 1),
		"optimum overflow": strings.Replace(ok, `"optimum":1`, `"optimum":1e999`, 1),
		"string budget":    strings.Replace(ok, `[1,2]`, `["1",2]`, 1),
		"object methods":   strings.Replace(ok, `"methods":[`, `"methods":{"x":[`, 1) + "}",
		"no budgets":       strings.Replace(ok, `[1,2]`, `[]`, 1),
		"zero budget":      strings.Replace(ok, `[1,2]`, `[0,2]`, 1),
		"budgets down":     strings.Replace(ok, `[1,2]`, `[2,1]`, 1),
		"budgets repeated": strings.Replace(ok, `[1,2]`, `[2,2]`, 1),
		"budget too big":   strings.Replace(ok, `[1,2]`, `[1,1000000]`, 1),
		"seeds 0":          strings.Replace(ok, `"seeds":2`, `"seeds":0`, 1),
		"batch 0":          strings.Replace(ok, `"batch":1`, `"batch":0`, 1),
		"no methods":       `{"optimum":1,"budgets":[1],"seeds":1,"batch":1,"methods":[]}`,
		"10^6 methods":     many,
		"no name":          strings.Replace(ok, `"name":"a"`, `"name":""`, 1),
		"no curves":        strings.Replace(ok, `[[0.5,1],[null,0.2]]`, `[]`, 1),
		"too many curves":  strings.Replace(ok, `[[0.5,1],[null,0.2]]`, `[[0.5],[0.5],[0.5]]`, 1),
		"decreasing curve": strings.Replace(ok, `[0.5,1]`, `[1,0.5]`, 1),
		"null after score": strings.Replace(ok, `[0.5,1]`, `[0.5,null]`, 1),
		"above optimum":    strings.Replace(ok, `[0.5,1]`, `[0.5,2]`, 1),
		"curve too long":   strings.Replace(ok, `[0.5,1]`, `[0.5,1,1]`, 1),
		"curve of strings": strings.Replace(ok, `[0.5,1]`, `["a"]`, 1),
		"deep":             strings.Repeat("[", 100000),
	} {
		if _, err := loadString(body); err == nil {
			t.Errorf("%s: no error", name)
		} else if !strings.Contains(err.Error(), "cmp.json") {
			t.Errorf("%s: error %q does not name the file", name, err)
		}
	}
	if _, err := LoadComparison(filepath.Join(t.TempDir(), "none.json")); err == nil {
		t.Error("a missing file is no error")
	}
}

// loadString writes body to a file named cmp.json and loads it.
func loadString(body string) (*Comparison, error) {
	dir, err := os.MkdirTemp("", "cmp")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "cmp.json")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		return nil, err
	}
	return LoadComparison(path)
}
