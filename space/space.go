package space

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Space is an ordered set of parameters. It is immutable once made.
type Space struct {
	params []Param
	index  map[string]int
}

// New makes a space of params, in order. It panics if two share a name, a
// name is empty or holds a space, '=' or a tab, or a default is invalid.
func New(params ...Param) *Space {
	s := &Space{params: slices.Clone(params), index: make(map[string]int, len(params))}
	for i := range s.params {
		p := &s.params[i]
		if p.Name == "" || strings.ContainsAny(p.Name, " =\t\n\"") {
			panic(fmt.Sprintf("space: bad parameter name %q", p.Name))
		}
		if _, dup := s.index[p.Name]; dup {
			panic("space: parameter " + p.Name + " declared twice")
		}
		if err := p.Check(p.Default); err != nil {
			panic("space: default of " + err.Error())
		}
		if (p.Kind == Int || p.Kind == Float || p.Kind == LogFloat) && len(p.Values) == 0 && p.Searchable() {
			if err := p.Check(p.Lo); err != nil {
				panic("space: search range of " + err.Error())
			}
			if err := p.Check(p.Hi); err != nil {
				panic("space: search range of " + err.Error())
			}
		}
		for _, v := range p.Values {
			if err := p.Check(v); err != nil {
				panic("space: value list of " + err.Error())
			}
		}
		s.index[p.Name] = i
	}
	return s
}

// Len is the number of parameters.
func (s *Space) Len() int { return len(s.params) }

// Param returns the i-th parameter. Callers must not modify it.
func (s *Space) Param(i int) *Param { return &s.params[i] }

// Params returns the parameters in order. Callers must not modify them.
func (s *Space) Params() []Param { return s.params[:len(s.params):len(s.params)] }

// Index returns the position of the named parameter, or an error that
// suggests the closest valid names.
func (s *Space) Index(name string) (int, error) {
	if i, ok := s.index[name]; ok {
		return i, nil
	}
	msg := fmt.Sprintf("unknown parameter %s", quote(name))
	if near := s.Suggest(name); len(near) > 0 {
		msg += "; did you mean " + strings.Join(near, " or ") + "?"
	}
	return -1, fmt.Errorf("%s (`gem params` lists them all)", msg)
}

// Lookup returns the named parameter, or Index's error.
func (s *Space) Lookup(name string) (*Param, error) {
	i, err := s.Index(name)
	if err != nil {
		return nil, err
	}
	return &s.params[i], nil
}

// Suggest returns up to three parameter names closest to name by edit
// distance (at most a third of the name's length, at least 2) or sharing its
// last component, closest first.
func (s *Space) Suggest(name string) []string {
	type cand struct {
		name string
		d    int
	}
	var cs []cand
	limit := max(2, len(name)/3)
	tail := name[strings.LastIndexByte(name, '.')+1:]
	for _, p := range s.params {
		d := editDistance(name, p.Name)
		if d > limit && p.Name[strings.LastIndexByte(p.Name, '.')+1:] != tail {
			continue
		}
		cs = append(cs, cand{p.Name, d})
	}
	slices.SortStableFunc(cs, func(a, b cand) int { return a.d - b.d })
	var out []string
	for _, c := range cs[:min(3, len(cs))] {
		out = append(out, c.name)
	}
	return out
}

// editDistance is the Levenshtein distance of a and b, in bytes.
func editDistance(a, b string) int {
	if len(a) > 256 || len(b) > 256 {
		return math.MaxInt32
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			c := prev[j-1]
			if a[i-1] != b[j-1] {
				c++
			}
			cur[j] = min(c, prev[j]+1, cur[j-1]+1)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// Defaults returns the assignment of every parameter's default.
func (s *Space) Defaults() Assignment {
	a := Assignment{s: s, v: make([]Value, len(s.params))}
	for i := range s.params {
		a.v[i] = s.params[i].Default
	}
	return a
}

// Parse reads "name=value name=value ..." (separated by white space) onto
// the defaults: names not given keep their defaults, so text written before
// a parameter existed reads as that parameter's default. An unknown name, a
// name given twice or a bad value is an error.
func (s *Space) Parse(text string) (Assignment, error) {
	return s.Defaults().Apply(text)
}

// Assignment gives every parameter of a Space a value. Its methods never
// modify it: With, Apply and friends return a new Assignment.
type Assignment struct {
	s *Space
	v []Value
}

// Defaults is the assignment of a's space's defaults.
func (a Assignment) Defaults() Assignment { return a.s.Defaults() }

// Space is the assignment's space.
func (a Assignment) Space() *Space { return a.s }

// Value returns the value of the i-th parameter.
func (a Assignment) Value(i int) Value { return a.v[i] }

// Get returns the value of the named parameter.
func (a Assignment) Get(name string) (Value, error) {
	i, err := a.s.Index(name)
	if err != nil {
		return Value{}, err
	}
	return a.v[i], nil
}

// Text returns the named parameter's value as text, or false.
func (a Assignment) Text(name string) (string, bool) {
	i, ok := a.s.index[name]
	if !ok {
		return "", false
	}
	return a.s.params[i].Format(a.v[i]), true
}

// With returns a copy of a with the i-th parameter set to v, which must be
// valid.
func (a Assignment) With(i int, v Value) (Assignment, error) {
	if err := a.s.params[i].Check(v); err != nil {
		return a, err
	}
	b := Assignment{s: a.s, v: slices.Clone(a.v)}
	b.v[i] = v
	return b, nil
}

// Set returns a copy of a with the named parameter parsed from text.
func (a Assignment) Set(name, text string) (Assignment, error) {
	i, err := a.s.Index(name)
	if err != nil {
		return a, err
	}
	v, err := a.s.params[i].Parse(text)
	if err != nil {
		return a, err
	}
	return a.With(i, v)
}

// Apply returns a copy of a with "name=value ..." applied (Parse's syntax).
func (a Assignment) Apply(text string) (Assignment, error) {
	b := Assignment{s: a.s, v: slices.Clone(a.v)}
	seen := make([]bool, len(b.v))
	for _, f := range strings.Fields(text) {
		name, val, ok := strings.Cut(f, "=")
		if !ok {
			return a, fmt.Errorf("%s is not name=value", quote(f))
		}
		i, err := a.s.Index(name)
		if err != nil {
			return a, err
		}
		if seen[i] {
			return a, fmt.Errorf("parameter %s given twice", name)
		}
		seen[i] = true
		v, err := a.s.params[i].Parse(val)
		if err != nil {
			return a, err
		}
		b.v[i] = v
	}
	return b, nil
}

// Overlay returns a copy of a with every parameter of sub (an assignment in
// another space whose names all exist in a's) set to sub's value.
func (a Assignment) Overlay(sub Assignment) (Assignment, error) {
	b := Assignment{s: a.s, v: slices.Clone(a.v)}
	for j := range sub.s.params {
		i, err := a.s.Index(sub.s.params[j].Name)
		if err != nil {
			return a, err
		}
		if err := a.s.params[i].Check(sub.v[j]); err != nil {
			return a, err
		}
		b.v[i] = sub.v[j]
	}
	return b, nil
}

// Equal reports whether a and b are in the same space with equal values.
func (a Assignment) Equal(b Assignment) bool {
	if a.s != b.s {
		return false
	}
	for i := range a.v {
		if !a.s.params[i].Equal(a.v[i], b.v[i]) {
			return false
		}
	}
	return true
}

// String lists every parameter as "name=value", separated by spaces, in
// the space's order: the ledger's form, which Space.Parse reads back.
func (a Assignment) String() string { return a.format(func(int) bool { return true }) }

// Changes lists, in String's form, only the parameters whose values differ
// from their defaults ("" when none do).
func (a Assignment) Changes() string { return a.Diff(a.s.Defaults()) }

// Diff lists, in String's form, only the parameters whose values differ from
// b's ("" when none do); b must be in a's space.
func (a Assignment) Diff(b Assignment) string {
	if a.s != b.s {
		panic("space: Diff of assignments of different spaces")
	}
	return a.format(func(i int) bool { return !a.s.params[i].Equal(a.v[i], b.v[i]) })
}

// Only lists, in String's form, the named parameters (unknown names are
// skipped).
func (a Assignment) Only(names ...string) string {
	return a.format(func(i int) bool { return slices.Contains(names, a.s.params[i].Name) })
}

func (a Assignment) format(keep func(int) bool) string {
	var b strings.Builder
	for i := range a.v {
		if !keep(i) {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(a.s.params[i].Name)
		b.WriteByte('=')
		b.WriteString(a.s.params[i].Format(a.v[i]))
	}
	return b.String()
}

// MarshalJSON writes an object of every parameter, in order: numbers for
// Int and the float kinds (integers exactly, whatever their size), true or
// false for Bool, strings for Categorical.
func (a Assignment) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i := range a.v {
		if i > 0 {
			b.WriteByte(',')
		}
		p := &a.s.params[i]
		b.WriteString(strconv.Quote(p.Name))
		b.WriteByte(':')
		if p.Kind == Categorical {
			b.WriteString(strconv.Quote(a.v[i].S))
		} else {
			b.WriteString(p.Format(a.v[i]))
		}
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// ApplyJSON returns a copy of a with the parameters of a JSON object set:
// numbers for Int and the float kinds (integers must be whole and exact),
// booleans for Bool, strings for Categorical; a string holding a value's text
// is accepted for any kind. Unknown names, duplicates and wrong types are
// errors.
func (a Assignment) ApplyJSON(data []byte) (Assignment, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil || tok != json.Delim('{') {
		return a, fmt.Errorf("want a JSON object of parameter names to values")
	}
	b := Assignment{s: a.s, v: slices.Clone(a.v)}
	seen := make([]bool, len(b.v))
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return a, fmt.Errorf("bad JSON: %v", err)
		}
		name, _ := tok.(string)
		i, err := a.s.Index(name)
		if err != nil {
			return a, err
		}
		if seen[i] {
			return a, fmt.Errorf("parameter %s given twice", name)
		}
		seen[i] = true
		var raw any
		if err := dec.Decode(&raw); err != nil {
			return a, fmt.Errorf("bad JSON value for %s: %v", name, err)
		}
		p := &a.s.params[i]
		var text string
		switch x := raw.(type) {
		case json.Number:
			if p.Kind == Bool || p.Kind == Categorical {
				return a, fmt.Errorf("%s: want %s, got the number %s", name, kindWord(p.Kind), quote(x.String()))
			}
			text = x.String()
			if p.Kind == Int {
				// JSON writers spell whole floats 15.0 or 1e3; take them when exact.
				if f, err := strconv.ParseFloat(text, 64); err == nil && !isDecimalInt(text) && f == math.Trunc(f) && math.Abs(f) < 1<<53 {
					text = strconv.FormatInt(int64(f), 10)
				}
			}
		case bool:
			if p.Kind != Bool {
				return a, fmt.Errorf("%s: want %s, got %v", name, kindWord(p.Kind), x)
			}
			text = strconv.FormatBool(x)
		case string:
			text = x
		default:
			return a, fmt.Errorf("%s: want %s", name, kindWord(p.Kind))
		}
		v, err := p.Parse(text)
		if err != nil {
			return a, err
		}
		b.v[i] = v
	}
	if _, err := dec.Token(); err != nil {
		return a, fmt.Errorf("bad JSON: %v", err)
	}
	if dec.More() {
		return a, fmt.Errorf("bad JSON: more than one object")
	}
	return b, nil
}

func kindWord(k Kind) string {
	switch k {
	case Int:
		return "an integer"
	case Float, LogFloat:
		return "a number"
	case Bool:
		return "true or false"
	}
	return "a string"
}
