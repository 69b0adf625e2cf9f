package space

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Param declares one tunable parameter.
//
// Min and Max bound a numeric parameter, inclusive: Min.I and Max.I for Int
// (math.MinInt64 and math.MaxInt64 when unbounded), Min.F and Max.F for the
// float kinds (±Inf when unbounded). Lo and Hi bound what a search explores
// (within Min..Max; a numeric parameter with Lo = Hi is not searched), and
// Values, when set, replaces that range by a finite ordered list, as a plan
// file's values do.
type Param struct {
	Name    string
	Kind    Kind
	Doc     string
	Default Value
	Min     Value
	Max     Value
	Choices []string // Categorical only
	Lo, Hi  Value
	Values  []Value
}

// Parse reads text as a value of p: a plain decimal integer for Int, a
// plain decimal number (optional sign, digits, fraction, exponent) for the
// float kinds, true or false for Bool, one of the choices for Categorical.
// Values outside the bounds are errors that name them.
func (p *Param) Parse(text string) (Value, error) {
	s := strings.TrimSpace(text)
	var v Value
	switch p.Kind {
	case Int:
		if !isDecimalInt(s) {
			return v, fmt.Errorf("%s: %s is not an integer", p.Name, quote(s))
		}
		i, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return v, fmt.Errorf("%s: %s is out of the int64 range", p.Name, quote(s))
		}
		v.I = i
	case Float, LogFloat:
		if !isDecimal(s) {
			return v, fmt.Errorf("%s: %s is not a decimal number", p.Name, quote(s))
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return v, fmt.Errorf("%s: %s is out of the float64 range", p.Name, quote(s))
		}
		v.F = f
	case Bool:
		switch s {
		case "true":
			v.B = true
		case "false":
		default:
			return v, fmt.Errorf("%s: %s is not true or false", p.Name, quote(s))
		}
	case Categorical:
		v.S = s
	default:
		panic("space: parameter " + p.Name + " has no kind")
	}
	return v, p.Check(v)
}

// Check reports whether v is a valid value of p.
func (p *Param) Check(v Value) error {
	switch p.Kind {
	case Int:
		if v.I < p.Min.I {
			return fmt.Errorf("%s: %d is below the minimum %d", p.Name, v.I, p.Min.I)
		}
		if v.I > p.Max.I {
			return fmt.Errorf("%s: %d is above the maximum %d", p.Name, v.I, p.Max.I)
		}
	case Float, LogFloat:
		switch {
		case math.IsNaN(v.F) || math.IsInf(v.F, 0):
			return fmt.Errorf("%s: %v is not a finite number", p.Name, v.F)
		case v.F < p.Min.F:
			return fmt.Errorf("%s: %s is below the minimum %s", p.Name, p.Format(v), p.Format(p.Min))
		case v.F > p.Max.F:
			return fmt.Errorf("%s: %s is above the maximum %s", p.Name, p.Format(v), p.Format(p.Max))
		case p.Kind == LogFloat && v.F <= 0:
			return fmt.Errorf("%s: %s is not positive (the parameter is log-scaled)", p.Name, p.Format(v))
		}
	case Categorical:
		if !slices.Contains(p.Choices, v.S) {
			return fmt.Errorf("%s: %s is not one of %s", p.Name, quote(v.S), strings.Join(p.Choices, ", "))
		}
	}
	return nil
}

// Format writes v in the form Parse reads back exactly: the shortest decimal
// that round-trips for floats.
func (p *Param) Format(v Value) string {
	switch p.Kind {
	case Int:
		return strconv.FormatInt(v.I, 10)
	case Float, LogFloat:
		return strconv.FormatFloat(v.F, 'g', -1, 64)
	case Bool:
		return strconv.FormatBool(v.B)
	}
	return v.S
}

// Equal reports whether a and b are the same value of p.
func (p *Param) Equal(a, b Value) bool {
	switch p.Kind {
	case Int:
		return a.I == b.I
	case Float, LogFloat:
		return a.F == b.F
	case Bool:
		return a.B == b.B
	}
	return a.S == b.S
}

// Searchable reports whether a search may vary p: a Bool, a Categorical, a
// parameter with Values, or a numeric one with Lo < Hi.
func (p *Param) Searchable() bool {
	switch {
	case len(p.Values) > 0, p.Kind == Bool, p.Kind == Categorical:
		return true
	case p.Kind == Int:
		return p.Lo.I < p.Hi.I
	}
	return p.Lo.F < p.Hi.F
}

// Levels is the number of distinct values a search can give p, or 0 for a
// continuous range.
func (p *Param) Levels() int {
	switch {
	case len(p.Values) > 0:
		return len(p.Values)
	case p.Kind == Bool:
		return 2
	case p.Kind == Categorical:
		return len(p.Choices)
	case p.Kind == Int:
		if n := uint64(p.Hi.I - p.Lo.I); n < math.MaxInt32 {
			return int(n) + 1
		}
	}
	return 0
}

// Level returns the i-th of p's Levels values, in order.
func (p *Param) Level(i int) Value {
	switch {
	case len(p.Values) > 0:
		return p.Values[i]
	case p.Kind == Bool:
		return Value{B: i == 1}
	case p.Kind == Categorical:
		return Value{S: p.Choices[i]}
	}
	return Value{I: p.Lo.I + int64(i)}
}

// LevelOf returns the index of v among p's Levels values, or -1.
func (p *Param) LevelOf(v Value) int {
	n := p.Levels()
	if n == 0 {
		return -1
	}
	if len(p.Values) == 0 && p.Kind == Int {
		if v.I < p.Lo.I || v.I > p.Hi.I {
			return -1
		}
		return int(v.I - p.Lo.I)
	}
	for i := range n {
		if p.Equal(p.Level(i), v) {
			return i
		}
	}
	return -1
}

// FromUnit maps u in [0, 1] onto p's search domain: equal bins over the
// Levels of a discrete domain, linearly over Lo..Hi for Float, and
// logarithmically for LogFloat. Values of u outside [0, 1] are clamped.
func (p *Param) FromUnit(u float64) Value {
	u = min(max(u, 0), 1)
	if n := p.Levels(); n > 0 {
		return p.Level(min(int(u*float64(n)), n-1))
	}
	switch p.Kind {
	case Int: // a range too wide to list its levels
		return Value{I: p.Lo.I + int64(math.Round(u*(float64(p.Hi.I)-float64(p.Lo.I))))}
	case LogFloat:
		lo, hi := math.Log(p.Lo.F), math.Log(p.Hi.F)
		return Value{F: min(max(math.Exp(lo+u*(hi-lo)), p.Lo.F), p.Hi.F)}
	}
	return Value{F: p.Lo.F + u*(p.Hi.F-p.Lo.F)}
}

// ToUnit is the inverse of FromUnit: the centre of v's bin for a discrete
// domain, its position in Lo..Hi (log-scaled for LogFloat) otherwise. A
// value outside the domain maps to the nearest end (discrete: 0.5).
func (p *Param) ToUnit(v Value) float64 {
	if n := p.Levels(); n > 0 {
		i := p.LevelOf(v)
		if i < 0 {
			return 0.5
		}
		return (float64(i) + 0.5) / float64(n)
	}
	lo, hi, x := p.Lo.F, p.Hi.F, v.F
	if p.Kind == Int {
		lo, hi, x = float64(p.Lo.I), float64(p.Hi.I), float64(v.I)
	}
	if p.Kind == LogFloat {
		lo, hi, x = math.Log(lo), math.Log(hi), math.Log(x)
	}
	return min(max((x-lo)/(hi-lo), 0), 1)
}

// isDecimalInt reports whether s is an optional sign followed by digits.
func isDecimalInt(s string) bool {
	if len(s) > 0 && (s[0] == '+' || s[0] == '-') {
		s = s[1:]
	}
	return len(s) > 0 && digits(s) == len(s)
}

// isDecimal reports whether s is a plain decimal number: an optional sign,
// digits with an optional fraction (at least one digit in all), and an
// optional exponent.
func isDecimal(s string) bool {
	if len(s) > 0 && (s[0] == '+' || s[0] == '-') {
		s = s[1:]
	}
	n := digits(s)
	s = s[n:]
	if len(s) > 0 && s[0] == '.' {
		f := digits(s[1:])
		n += f
		s = s[1+f:]
	}
	if n == 0 {
		return false
	}
	if len(s) > 0 && (s[0] == 'e' || s[0] == 'E') {
		s = s[1:]
		if len(s) > 0 && (s[0] == '+' || s[0] == '-') {
			s = s[1:]
		}
		e := digits(s)
		if e == 0 {
			return false
		}
		s = s[e:]
	}
	return s == ""
}

func digits(s string) int {
	n := 0
	for n < len(s) && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	return n
}

// quote quotes at most 40 bytes of s, so that an error never carries a huge
// field.
func quote(s string) string {
	if len(s) > 40 {
		return strconv.Quote(s[:40]) + fmt.Sprintf("... (%d bytes)", len(s))
	}
	return strconv.Quote(s)
}
