package space

import (
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
)

// Of declares the space of the parameter struct that ptr points to, with
// the struct's current field values as the defaults. Each field tagged
// `param:"name"` is a parameter: int fields are Int, float64 fields Float
// (LogFloat with `scale:"log"`), bool fields Bool and string-kinded fields
// Categorical (their `choices:"a|b"` required). Optional tags: `min` and
// `max` (the valid bounds), `search:"lo:hi"` (what a search explores;
// without it an Int or float parameter is not searched) and `doc` (one
// line). A nested struct field tagged `param:"name"` contributes
// "name.field" parameters. Of panics on a malformed declaration.
func Of(ptr any) *Space {
	var params []Param
	walk(reflect.ValueOf(ptr).Elem(), "", func(name string, v reflect.Value, f reflect.StructField) {
		params = append(params, declare(name, v, f))
	})
	return New(params...)
}

// Load writes a into the parameter struct that ptr points to, which must be
// of the type a's space was declared from (Of).
func Load(ptr any, a Assignment) {
	i := 0
	walk(reflect.ValueOf(ptr).Elem(), "", func(name string, v reflect.Value, _ reflect.StructField) {
		if i >= len(a.v) || a.s.params[i].Name != name {
			panic("space: Load into a struct of another space")
		}
		x := a.v[i]
		switch v.Kind() {
		case reflect.Int:
			v.SetInt(x.I)
		case reflect.Float64:
			v.SetFloat(x.F)
		case reflect.Bool:
			v.SetBool(x.B)
		case reflect.String:
			v.SetString(x.S)
		}
		i++
	})
}

// Store returns the assignment of s (declared from the struct type by Of)
// that holds the struct's field values.
func Store(s *Space, ptr any) Assignment {
	a := Assignment{s: s, v: make([]Value, 0, len(s.params))}
	walk(reflect.ValueOf(ptr).Elem(), "", func(name string, v reflect.Value, _ reflect.StructField) {
		if len(a.v) >= len(s.params) || s.params[len(a.v)].Name != name {
			panic("space: Store from a struct of another space")
		}
		a.v = append(a.v, valueOf(v))
	})
	return a
}

func walk(v reflect.Value, prefix string, fn func(string, reflect.Value, reflect.StructField)) {
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("param")
		if tag == "" || tag == "-" {
			continue
		}
		if f.Type.Kind() == reflect.Struct {
			walk(v.Field(i), prefix+tag+".", fn)
			continue
		}
		fn(prefix+tag, v.Field(i), f)
	}
}

func valueOf(v reflect.Value) Value {
	switch v.Kind() {
	case reflect.Int:
		return Value{I: v.Int()}
	case reflect.Float64:
		return Value{F: v.Float()}
	case reflect.Bool:
		return Value{B: v.Bool()}
	case reflect.String:
		return Value{S: v.String()}
	}
	panic("space: unsupported parameter kind " + v.Kind().String())
}

func declare(name string, v reflect.Value, f reflect.StructField) Param {
	p := Param{Name: name, Doc: f.Tag.Get("doc"), Default: valueOf(v)}
	switch v.Kind() {
	case reflect.Int:
		p.Kind = Int
		p.Min, p.Max = Value{I: math.MinInt64}, Value{I: math.MaxInt64}
	case reflect.Float64:
		p.Kind = Float
		if f.Tag.Get("scale") == "log" {
			p.Kind = LogFloat
		}
		p.Min, p.Max = Value{F: math.Inf(-1)}, Value{F: math.Inf(1)}
	case reflect.Bool:
		p.Kind = Bool
	case reflect.String:
		p.Kind = Categorical
		c := f.Tag.Get("choices")
		if c == "" {
			panic("space: categorical parameter " + name + " has no choices")
		}
		p.Choices = strings.Split(c, "|")
	}
	parse := func(key, text string) Value {
		x, err := p.parseBound(text)
		if err != nil {
			panic(fmt.Sprintf("space: bad %s tag on %s: %v", key, name, err))
		}
		return x
	}
	if s, ok := f.Tag.Lookup("min"); ok {
		p.Min = parse("min", s)
	}
	if s, ok := f.Tag.Lookup("max"); ok {
		p.Max = parse("max", s)
	}
	if s, ok := f.Tag.Lookup("search"); ok {
		lo, hi, ok := strings.Cut(s, ":")
		if !ok {
			panic("space: search tag on " + name + " is not lo:hi")
		}
		p.Lo, p.Hi = parse("search", lo), parse("search", hi)
	}
	return p
}

// parseBound reads a bound of a numeric parameter.
func (p *Param) parseBound(s string) (Value, error) {
	switch p.Kind {
	case Int:
		i, err := strconv.ParseInt(s, 10, 64)
		return Value{I: i}, err
	case Float, LogFloat:
		f, err := strconv.ParseFloat(s, 64)
		return Value{F: f}, err
	}
	return Value{}, fmt.Errorf("a %s parameter has no bounds", p.Kind)
}
