package search

import (
	"errors"
	"strings"

	"gem/space"
)

// NamedPlan is the plan a command names: "phased" for the published plan
// (PhasedPlan), anything else the path of a plan file (LoadPlan).
func NamedPlan(name string) (Plan, error) {
	if name == "phased" {
		return PhasedPlan(), nil
	}
	return LoadPlan(name)
}

// NamedSpace is the space a command names: "plan" for pl's joint space
// around base (Plan.Space), "all" for every searchable parameter
// (Searchable), anything else the path of a space file (LoadSpace).
func NamedSpace(name string, pl Plan, base space.Assignment) (*space.Space, error) {
	switch name {
	case "plan":
		return pl.Space(base)
	case "all":
		return Searchable(base), nil
	}
	return LoadSpace(name, base)
}

// SweepPlan is a one-phase grid plan that sweeps the parameter name over
// values, comma-separated (each trimmed of spaces); the phase is named after
// the parameter. It fails when name or values is empty; the values are
// checked when the plan is (Plan.Size).
func SweepPlan(name, values string) (Plan, error) {
	if name == "" || values == "" {
		return Plan{}, errors.New("sweep needs --param NAME and --values v1,v2,... or --plan (gem params lists the parameters)")
	}
	var vals []any
	for _, v := range strings.Split(values, ",") {
		vals = append(vals, strings.TrimSpace(v))
	}
	return Plan{Phases: []Phase{{Name: name, Mode: "grid", Params: []Param{{Name: name, Values: vals}}}}}, nil
}

// Named returns a maker of fresh methods around base as a command names
// them: with method "" the plan named plan (NamedPlan) run whole as one
// Phased; otherwise the method named method (NewMethod) over the space
// named spaceName (NamedSpace: "plan" is that plan's joint space), seeded by
// seed, and that space. It makes one method to check the names.
func Named(plan, method, spaceName string, seed uint64, base space.Assignment) (func() (Method, error), *space.Space, error) {
	pl, err := NamedPlan(plan)
	if err != nil {
		return nil, nil, err
	}
	var sp *space.Space
	mk := func() (Method, error) { return NewPhased(pl, base) }
	if method != "" {
		if sp, err = NamedSpace(spaceName, pl, base); err != nil {
			return nil, nil, err
		}
		mk = func() (Method, error) { return NewMethod(method, sp, seed) }
	}
	if _, err := mk(); err != nil {
		return nil, nil, err
	}
	return mk, sp, nil
}
