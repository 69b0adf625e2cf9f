package space

import (
	"encoding/json"
	"math"
	"strings"
)

// paramJSON is a parameter as `gem params --json` lists it.
type paramJSON struct {
	Name      string   `json:"name"`
	Kind      string   `json:"kind"`
	Min       any      `json:"min"`
	Max       any      `json:"max"`
	Default   any      `json:"default"`
	Doc       string   `json:"doc"`
	Choices   []string `json:"choices,omitempty"`
	Values    []any    `json:"values,omitempty"`
	SearchMin any      `json:"search_min,omitempty"`
	SearchMax any      `json:"search_max,omitempty"`
}

// MarshalJSON lists the parameters as objects with name, kind, min and max
// (null when unbounded or not numeric), default, doc, and where they apply
// choices, values (a finite search domain) and search_min/search_max.
func (s *Space) MarshalJSON() ([]byte, error) {
	out := make([]paramJSON, 0, len(s.params))
	for i := range s.params {
		p := &s.params[i]
		j := paramJSON{Name: p.Name, Kind: p.Kind.String(), Min: p.bound(p.Min), Max: p.bound(p.Max),
			Default: p.jsonValue(p.Default), Doc: p.Doc, Choices: p.Choices}
		for _, v := range p.Values {
			j.Values = append(j.Values, p.jsonValue(v))
		}
		if p.numeric() && len(p.Values) == 0 && p.Searchable() {
			j.SearchMin, j.SearchMax = p.bound(p.Lo), p.bound(p.Hi)
		}
		out = append(out, j)
	}
	return json.Marshal(out)
}

func (p *Param) numeric() bool { return p.Kind == Int || p.Kind == Float || p.Kind == LogFloat }

// bound is a numeric bound as JSON, nil when unbounded.
func (p *Param) bound(v Value) any {
	switch {
	case p.Kind == Int && v.I != math.MinInt64 && v.I != math.MaxInt64:
		return v.I
	case (p.Kind == Float || p.Kind == LogFloat) && !math.IsInf(v.F, 0):
		return v.F
	}
	return nil
}

func (p *Param) jsonValue(v Value) any {
	switch p.Kind {
	case Int:
		return v.I
	case Float, LogFloat:
		return v.F
	case Bool:
		return v.B
	}
	return v.S
}

// BoundsText describes the valid values: "[lo, hi]" ("-inf"/"inf" when
// unbounded), the choices, or "true|false".
func (p *Param) BoundsText() string {
	switch p.Kind {
	case Bool:
		return "true|false"
	case Categorical:
		return strings.Join(p.Choices, "|")
	}
	lo, hi := "-inf", "inf"
	if p.bound(p.Min) != nil {
		lo = p.Format(p.Min)
	}
	if p.bound(p.Max) != nil {
		hi = p.Format(p.Max)
	}
	return "[" + lo + ", " + hi + "]"
}

// SearchText describes what a search explores: "lo..hi", the values, "all"
// for a bool or categorical, or "-" when the parameter is not searched.
func (p *Param) SearchText() string {
	switch {
	case !p.Searchable():
		return "-"
	case len(p.Values) > 0:
		var vs []string
		for _, v := range p.Values {
			vs = append(vs, p.Format(v))
		}
		return strings.Join(vs, ",")
	case p.Kind == Bool || p.Kind == Categorical:
		return "all"
	}
	return p.Format(p.Lo) + ".." + p.Format(p.Hi)
}
