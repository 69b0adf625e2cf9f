package search

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"gem/space"
)

// MethodNames lists the methods NewMethod makes.
func MethodNames() []string { return []string{"random", "qmc", "tpe", "cmaes", "gp", "policy"} }

// NewMethod returns the named method over s at its default settings, seeded
// by seed.
func NewMethod(name string, s *space.Space, seed uint64) (Method, error) {
	switch name {
	case "random":
		return NewRandom(s, seed), nil
	case "qmc":
		return NewQMC(s, seed), nil
	case "tpe":
		return NewTPE(s, seed, TPESettings{}), nil
	case "cmaes":
		return NewCMAES(s, seed, CMAESSettings{}), nil
	case "gp":
		return NewGP(s, seed, GPSettings{}), nil
	case "policy":
		return NewPolicy(s, seed, PolicySettings{}), nil
	}
	return nil, fmt.Errorf("unknown search method %q (want one of %s)", name, strings.Join(MethodNames(), ", "))
}

// Searchable is the joint space of every searchable parameter of base's
// space (its declared search range, the ablation switches included), each
// parameter's default base's value.
func Searchable(base space.Assignment) *space.Space {
	var params []space.Param
	for i, p := range base.Space().Params() {
		if p.Searchable() {
			p.Default = base.Value(i)
			params = append(params, p)
		}
	}
	return space.New(params...)
}

// spaceEntry is one parameter of a space file.
type spaceEntry struct {
	Name      string            `json:"name"`
	SearchMin json.RawMessage   `json:"search_min"`
	SearchMax json.RawMessage   `json:"search_max"`
	Values    []json.RawMessage `json:"values"`
}

// LoadSpace reads a space file: a JSON list of objects with a parameter's
// name and either search_min and search_max or a list of values (the form
// `gem params --json` prints; other fields are ignored). Only the parameters
// listed are searched, each at most 1 MiB of file in all.
func LoadSpace(path string, base space.Assignment) (*space.Space, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxPlanBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(b) > maxPlanBytes {
		return nil, fmt.Errorf("%s: a space file is at most %d bytes", path, maxPlanBytes)
	}
	var entries []spaceEntry
	if err := json.Unmarshal(b, &entries); err != nil {
		return nil, fmt.Errorf("%s: want a JSON list of parameters: %v", path, err)
	}
	var params []space.Param
	seen := map[string]bool{}
	for _, e := range entries {
		i, err := base.Space().Index(e.Name)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if seen[e.Name] {
			return nil, fmt.Errorf("%s: parameter %s listed twice", path, e.Name)
		}
		seen[e.Name] = true
		p := *base.Space().Param(i)
		p.Default, p.Values = base.Value(i), nil
		parse := func(raw json.RawMessage) (space.Value, error) {
			var x any
			if err := json.Unmarshal(raw, &x); err != nil {
				return space.Value{}, err
			}
			return p.Parse(valueText(x))
		}
		for _, raw := range e.Values {
			v, err := parse(raw)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", path, err)
			}
			p.Values = append(p.Values, v)
		}
		if len(e.Values) == 0 && e.SearchMin != nil && e.SearchMax != nil {
			if p.Lo, err = parse(e.SearchMin); err == nil {
				p.Hi, err = parse(e.SearchMax)
			}
			if err != nil {
				return nil, fmt.Errorf("%s: %w", path, err)
			}
		}
		if !p.Searchable() {
			return nil, fmt.Errorf("%s: parameter %s has no values or search range", path, e.Name)
		}
		params = append(params, p)
	}
	if len(params) == 0 {
		return nil, fmt.Errorf("%s: the space lists no parameter", path)
	}
	return space.New(params...), nil
}
