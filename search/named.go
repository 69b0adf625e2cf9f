package search

import (
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
// the parameter. The values are checked when the plan is (Plan.Size).
func SweepPlan(name, values string) Plan {
	var vals []any
	for _, v := range strings.Split(values, ",") {
		vals = append(vals, strings.TrimSpace(v))
	}
	return Plan{Phases: []Phase{{Name: name, Mode: "grid", Params: []Param{{Name: name, Values: vals}}}}}
}
