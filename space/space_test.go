package space

import (
	"math"
	"strings"
	"testing"
)

type testParams struct {
	N     int     `param:"n" min:"1" max:"100" search:"1:10" doc:"a count"`
	Seed  int     `param:"seed" min:"0"`
	X     float64 `param:"x" min:"0" max:"1" search:"0:1"`
	Tol   float64 `param:"tol" scale:"log" min:"1e-12" max:"1" search:"1e-9:1e-3"`
	On    bool    `param:"on"`
	Model string  `param:"model" choices:"a|b|c"`
	Sub   struct {
		K int `param:"k" min:"0" max:"5"`
	} `param:"sub"`
}

func testSpace() (*Space, *testParams) {
	p := &testParams{N: 5, X: 0.5, Tol: 1e-6, On: true, Model: "b"}
	return Of(p), p
}

func TestOfDeclares(t *testing.T) {
	s, _ := testSpace()
	var names []string
	for _, p := range s.Params() {
		names = append(names, p.Name+":"+p.Kind.String())
	}
	want := "n:int seed:int x:float tol:log_float on:bool model:categorical sub.k:int"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("declared %q, want %q", got, want)
	}
	n, _ := s.Lookup("n")
	if n.Doc != "a count" || n.Min.I != 1 || n.Max.I != 100 || n.Default.I != 5 || !n.Searchable() || n.Levels() != 10 {
		t.Errorf("n declared as %+v", n)
	}
	if seed, _ := s.Lookup("seed"); seed.Max.I != math.MaxInt64 || seed.Searchable() {
		t.Errorf("seed: max %d, searchable %v; want unbounded above and not searched", seed.Max.I, seed.Searchable())
	}
}

func TestParse(t *testing.T) {
	s, _ := testSpace()
	tests := []struct {
		name, text string
		want       string // the value's Format, or the error's text
		ok         bool
	}{
		{"n", "7", "7", true},
		{"n", "+7", "7", true},
		{"n", "0", "below the minimum 1", false},
		{"n", "101", "above the maximum 100", false},
		{"n", "1_0", "not an integer", false},
		{"n", "0x10", "not an integer", false},
		{"n", "7.0", "not an integer", false},
		{"n", "", "not an integer", false},
		{"seed", "9223372036854775807", "9223372036854775807", true},
		{"seed", "9007199254740993", "9007199254740993", true}, // 2^53+1: exact, not through float64
		{"seed", "9223372036854775808", "out of the int64 range", false},
		{"seed", "-1", "below the minimum 0", false},
		{"x", "0.25", "0.25", true},
		{"x", ".5", "0.5", true},
		{"x", "5e-1", "0.5", true},
		{"x", "0x1p-3", "not a decimal number", false},
		{"x", "1_0", "not a decimal number", false},
		{"x", "Inf", "not a decimal number", false},
		{"x", "NaN", "not a decimal number", false},
		{"x", "1e999", "out of the float64 range", false},
		{"x", "1.", "1", true},
		{"x", ".", "not a decimal number", false},
		{"x", "1e", "not a decimal number", false},
		{"tol", "0", "below the minimum", false},
		{"on", "false", "false", true},
		{"on", "1", "not true or false", false},
		{"on", "True", "not true or false", false},
		{"model", "c", "c", true},
		{"model", "d", `"d" is not one of a, b, c`, false},
		{"model", strings.Repeat("z", 1000), "1000 bytes", false},
	}
	for _, tt := range tests {
		p, err := s.Lookup(tt.name)
		if err != nil {
			t.Fatal(err)
		}
		v, err := p.Parse(tt.text)
		switch {
		case tt.ok && err != nil:
			t.Errorf("%s=%q: %v", tt.name, tt.text, err)
		case tt.ok && p.Format(v) != tt.want:
			t.Errorf("%s=%q parsed as %s, want %s", tt.name, tt.text, p.Format(v), tt.want)
		case !tt.ok && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%s=%q: got %v, want an error containing %q", tt.name, tt.text, err, tt.want)
		case !tt.ok && len(err.Error()) > 200:
			t.Errorf("%s: error of %d bytes quotes too much", tt.name, len(err.Error()))
		}
	}
}

func TestAssignmentText(t *testing.T) {
	s, p := testSpace()
	d := s.Defaults()
	if got, want := d.String(), "n=5 seed=0 x=0.5 tol=1e-06 on=true model=b sub.k=0"; got != want {
		t.Errorf("defaults %q, want %q", got, want)
	}
	if !Store(s, p).Equal(d) {
		t.Error("Store of the defaults' struct differs from Defaults")
	}
	// Missing names keep their defaults: an old row reads as the defaults.
	a, err := s.Parse("x=0.75 sub.k=3")
	if err != nil {
		t.Fatal(err)
	}
	if got := a.Changes(); got != "x=0.75 sub.k=3" {
		t.Errorf("changes %q", got)
	}
	b, err := s.Parse(a.String())
	if err != nil || !b.Equal(a) {
		t.Errorf("round trip: %v, %v", b, err)
	}
	var q testParams
	Load(&q, a)
	if q.X != 0.75 || q.Sub.K != 3 || q.N != 5 || q.Model != "b" {
		t.Errorf("Load gave %+v", q)
	}
	for text, want := range map[string]string{
		"x=0.1 x=0.2": "given twice",
		"sub.kk=1":    "did you mean sub.k",
		"nope=1":      "unknown parameter",
		"x":           "not name=value",
		"x=2":         "above the maximum",
	} {
		if _, err := s.Parse(text); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(%q): got %v, want %q", text, err, want)
		}
	}
	if d.Equal(a) || a.Diff(d) != "x=0.75 sub.k=3" || d.Diff(d) != "" {
		t.Error("Equal or Diff is wrong")
	}
}

func TestJSON(t *testing.T) {
	s, _ := testSpace()
	a, _ := s.Parse("seed=9223372036854775807 x=0.1 on=false model=c")
	b, err := a.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	want := `{"n":5,"seed":9223372036854775807,"x":0.1,"tol":1e-06,"on":false,"model":"c","sub.k":0}`
	if string(b) != want {
		t.Errorf("JSON %s, want %s", b, want)
	}
	back, err := s.Defaults().ApplyJSON(b)
	if err != nil || !back.Equal(a) {
		t.Errorf("round trip: %v, %v", back, err)
	}
	ok, err := s.Defaults().ApplyJSON([]byte(`{"n": 7.0, "x": "0.3", "sub.k": 1e0}`))
	if err != nil || ok.Changes() != "n=7 x=0.3 sub.k=1" {
		t.Errorf("lenient numbers: %v, %v", ok, err)
	}
	for in, want := range map[string]string{
		`{"n": 2.5}`:                  "not an integer",
		`{"on": 1}`:                   "want true or false",
		`{"n": true}`:                 "want an integer",
		`{"model": 3}`:                "want a string",
		`{"x": null}`:                 "want a number",
		`{"x": [1]}`:                  "want a number",
		`{"nope": 1}`:                 "unknown parameter",
		`{"n": 1, "n": 2}`:            "given twice",
		`[1,2]`:                       "JSON object",
		`{"n": 1} {"n": 2}`:           "more than one object",
		`{"n": 1`:                     "bad JSON",
		`{"seed": 1e30}`:              "not an integer",
		`{"seed": -1}`:                "below the minimum",
		`{"x": 1e400}`:                "out of the float64 range",
		"\x00":                        "JSON object",
		`{"n": 99999999999999999999}`: "out of the int64 range",
	} {
		if _, err := s.Defaults().ApplyJSON([]byte(in)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ApplyJSON(%s): got %v, want %q", in, err, want)
		}
	}
}

func TestUnitEncoding(t *testing.T) {
	s, _ := testSpace()
	for _, name := range []string{"n", "on", "model"} {
		p, _ := s.Lookup(name)
		for i := range p.Levels() {
			v := p.Level(i)
			if got := p.FromUnit(p.ToUnit(v)); !p.Equal(got, v) {
				t.Errorf("%s: level %d round-trips to %s", name, i, p.Format(got))
			}
		}
		if lo, hi := p.FromUnit(0), p.FromUnit(1); !p.Equal(lo, p.Level(0)) || !p.Equal(hi, p.Level(p.Levels()-1)) {
			t.Errorf("%s: ends map to %s and %s", name, p.Format(lo), p.Format(hi))
		}
	}
	tol, _ := s.Lookup("tol")
	if v := tol.FromUnit(0.5); math.Abs(math.Log10(v.F)+6) > 1e-12 {
		t.Errorf("log scale: middle of 1e-9..1e-3 is %g, want 1e-6", v.F)
	}
	if u := tol.ToUnit(FloatValue(1e-6)); math.Abs(u-0.5) > 1e-12 {
		t.Errorf("ToUnit(1e-6) = %g, want 0.5", u)
	}
}

// FuzzParse: no text makes Parse panic, and what parses formats back to
// itself.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"n=5", "x=0.1 seed=3", "model=a on=false", "x=0x1p-3", "sub.k=9", "n=1 n=2", "=", "x=1e-400"} {
		f.Add(s)
	}
	s, _ := testSpace()
	f.Fuzz(func(t *testing.T, text string) {
		a, err := s.Parse(text)
		if err != nil {
			return
		}
		b, err := s.Parse(a.String())
		if err != nil || !b.Equal(a) {
			t.Fatalf("%q parsed to %q, which reads back as %v, %v", text, a, b, err)
		}
		j, _ := a.MarshalJSON()
		c, err := s.Defaults().ApplyJSON(j)
		if err != nil || !c.Equal(a) {
			t.Fatalf("JSON %s reads back as %v, %v", j, c, err)
		}
	})
}

// TestWideIntUnit: an Int whose range is too wide to list maps onto the unit
// interval by rounding, ends included.
func TestWideIntUnit(t *testing.T) {
	p := Param{Name: "seed", Kind: Int, Min: IntValue(0), Max: IntValue(math.MaxInt64), Lo: IntValue(0), Hi: IntValue(1 << 40)}
	if p.Levels() != 0 {
		t.Fatalf("levels %d, want 0 (too wide)", p.Levels())
	}
	if lo, hi, mid := p.FromUnit(0), p.FromUnit(1), p.FromUnit(0.5); lo.I != 0 || hi.I != 1<<40 || mid.I != 1<<39 {
		t.Errorf("FromUnit: %d %d %d", lo.I, hi.I, mid.I)
	}
	if u := p.ToUnit(IntValue(1 << 39)); u != 0.5 {
		t.Errorf("ToUnit(2^39) = %v, want 0.5", u)
	}
}
