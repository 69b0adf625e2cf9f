package search

import (
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"

	"gopkg.in/yaml.v3"

	"gem/space"
)

// Plan is a sequence of phases. Each phase evaluates configurations around the
// current baseline and locks its winner into the baseline for the next.
type Plan struct {
	Phases []Phase `yaml:"phases" json:"phases"`
}

// Phase is one step of a plan.
type Phase struct {
	Name string `yaml:"name" json:"name"`
	// Mode is "grid" (every combination of the parameters' values) or
	// "one_at_a_time" (the baseline, then each parameter varied alone over
	// its values).
	Mode   string  `yaml:"mode" json:"mode"`
	Params []Param `yaml:"params" json:"params"`
}

// Param is a parameter and the values a phase tries for it.
type Param struct {
	Name   string `yaml:"name" json:"name"`
	Values []any  `yaml:"values" json:"values"`
}

// PhasedPlan is the published plan for the ensemble. Phase 1 sweeps the
// regime detector (48 configurations) with the specialists at their
// defaults; phases 2-4 sweep each specialist's top_n × r2_threshold ×
// rebalance_cooldown (36 each), one specialist at a time with the earlier
// winners locked in; verification re-runs the combined winners and varies
// each specialist's parameters one at a time off that new baseline.
func PhasedPlan() Plan {
	p := func(name string, values ...any) Param { return Param{Name: name, Values: values} }
	specialist := func(name string, topN []any, r2 []any, cd []any) Phase {
		return Phase{Name: name, Mode: "grid", Params: []Param{
			p(name+".top_n", topN...), p(name+".r2_threshold", r2...), p(name+".rebalance_cooldown", cd...)}}
	}
	bull := specialist("bull", []any{10, 15, 20, 25}, []any{0.2, 0.3, 0.5}, []any{3, 5, 7})
	bear := specialist("bear", []any{1, 3, 5, 8}, []any{0.5, 0.7, 0.8}, []any{7, 10, 14})
	ranging := specialist("ranging", []any{5, 8, 12, 15}, []any{0.3, 0.5, 0.7}, []any{3, 5, 7})
	verify := Phase{Name: "verify", Mode: "one_at_a_time"}
	for _, ph := range []Phase{bull, bear, ranging} {
		verify.Params = append(verify.Params, ph.Params...)
	}
	return Plan{Phases: []Phase{
		{Name: "hmm", Mode: "grid", Params: []Param{
			p("hmm.refit_interval", 3, 7, 14),
			p("hmm.hard_switch_threshold", 0.6, 0.7, 0.8, 0.9),
			p("hmm.min_observations", 30, 60, 90, 120)}},
		bull, bear, ranging, verify,
	}}
}

// Limits on plan files, which are read from users and agents: a plan is a
// short list of phases, never a data file.
const (
	maxPlanBytes  = 1 << 20
	maxPlanPhases = 1000
	maxPlanValues = 100_000 // values in all phases together
)

// MaxConfigurations is the largest number of configurations a plan may
// describe; a larger plan is refused with its count before anything runs.
const MaxConfigurations = 10_000_000

// LoadPlan reads a plan file, JSON or YAML, of at most 1 MiB.
func LoadPlan(path string) (Plan, error) {
	f, err := os.Open(path)
	if err != nil {
		return Plan{}, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxPlanBytes+1))
	if err != nil {
		return Plan{}, fmt.Errorf("%s: %w", path, err)
	}
	if len(b) > maxPlanBytes {
		return Plan{}, fmt.Errorf("%s: a plan file is at most %d bytes; this one is larger", path, maxPlanBytes)
	}
	var p Plan
	if err := yaml.Unmarshal(b, &p); err != nil {
		return Plan{}, fmt.Errorf("%s: %w", path, err)
	}
	if len(p.Phases) == 0 {
		return Plan{}, fmt.Errorf("%s: the plan has no phases", path)
	}
	return p, nil
}

// phase is a Phase checked against a space: its parameters' indices and
// their typed values.
type phase struct {
	name   string
	grid   bool
	params []int
	values [][]space.Value
}

// check validates the plan against s: known parameter names (misspellings
// get suggestions), each named at most once per phase, values that parse
// and are not repeated, known modes, bounded sizes.
func (p Plan) check(s *space.Space) ([]phase, error) {
	if len(p.Phases) == 0 {
		return nil, fmt.Errorf("the plan has no phases")
	}
	if len(p.Phases) > maxPlanPhases {
		return nil, fmt.Errorf("the plan has %d phases; at most %d are allowed", len(p.Phases), maxPlanPhases)
	}
	out := make([]phase, len(p.Phases))
	total := 0
	for k, ph := range p.Phases {
		q := phase{name: ph.Name}
		if q.name == "" {
			q.name = fmt.Sprintf("phase%d", k+1)
		}
		switch ph.Mode {
		case "grid", "":
			q.grid = true
		case "one_at_a_time":
		default:
			return nil, fmt.Errorf("phase %s: unknown mode %q (want grid or one_at_a_time)", q.name, ph.Mode)
		}
		for _, prm := range ph.Params {
			i, err := s.Index(prm.Name)
			if err != nil {
				return nil, fmt.Errorf("phase %s: %w", q.name, err)
			}
			if slices.Contains(q.params, i) {
				return nil, fmt.Errorf("phase %s: parameter %s is named twice", q.name, prm.Name)
			}
			if len(prm.Values) == 0 {
				return nil, fmt.Errorf("phase %s: parameter %s has no values", q.name, prm.Name)
			}
			if total += len(prm.Values); total > maxPlanValues {
				return nil, fmt.Errorf("the plan lists more than %d values", maxPlanValues)
			}
			par := s.Param(i)
			vals := make([]space.Value, 0, len(prm.Values))
			for _, raw := range prm.Values {
				v, err := par.Parse(valueText(raw))
				if err != nil {
					return nil, fmt.Errorf("phase %s: %w", q.name, err)
				}
				if slices.ContainsFunc(vals, func(w space.Value) bool { return par.Equal(v, w) }) {
					return nil, fmt.Errorf("phase %s: parameter %s lists the value %s twice", q.name, prm.Name, par.Format(v))
				}
				vals = append(vals, v)
			}
			q.params = append(q.params, i)
			q.values = append(q.values, vals)
		}
		out[k] = q
	}
	return out, nil
}

// valueText is a plan value as the text a parameter parses: YAML and JSON
// numbers that are whole are written without a fraction or exponent.
func valueText(v any) string {
	switch x := v.(type) {
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			return strconv.FormatInt(int64(x), 10)
		}
		return strconv.FormatFloat(x, 'g', -1, 64)
	case string:
		return x
	case nil:
		return "null"
	}
	return fmt.Sprint(v)
}

// size is the number of configurations a phase evaluates (saturating at
// MaxInt).
func (q *phase) size() int {
	if q.grid {
		n := 1
		for _, vs := range q.values {
			n = mulSat(n, len(vs))
		}
		return n
	}
	n := 1 // the baseline
	for _, vs := range q.values {
		n = addSat(n, len(vs)) // at most: a value equal to the baseline's is skipped
	}
	return n
}

func mulSat(a, b int) int {
	if b != 0 && a > math.MaxInt/b {
		return math.MaxInt
	}
	return a * b
}

func addSat(a, b int) int {
	if a > math.MaxInt-b {
		return math.MaxInt
	}
	return a + b
}

// Size checks the plan against base's space and counts its configurations
// (one-at-a-time phases counted as if no value equalled the baseline's, so
// the count is an upper bound there). A plan of more than
// MaxConfigurations is refused with its count.
func (p Plan) Size(base space.Assignment) (int, error) {
	phases, err := p.check(base.Space())
	if err != nil {
		return 0, err
	}
	n := 0
	for i := range phases {
		n = addSat(n, phases[i].size())
	}
	if n > MaxConfigurations {
		return n, fmt.Errorf("the plan describes %s configurations; at most %d can run (split it, or search its space with gem search)", countText(n), MaxConfigurations)
	}
	return n, nil
}

func countText(n int) string {
	if n == math.MaxInt {
		return "more than 9.2e18"
	}
	return strconv.Itoa(n)
}

// Space is the plan's joint space around base: every parameter any phase
// varies, in order of first appearance, restricted to the union of the
// values the plan gives it (in order of first appearance), its default
// base's value.
func (p Plan) Space(base space.Assignment) (*space.Space, error) {
	phases, err := p.check(base.Space())
	if err != nil {
		return nil, err
	}
	var params []space.Param
	at := map[int]int{}
	for _, q := range phases {
		for j, i := range q.params {
			k, ok := at[i]
			if !ok {
				k = len(params)
				at[i] = k
				prm := *base.Space().Param(i)
				prm.Default, prm.Values = base.Value(i), nil
				params = append(params, prm)
			}
			for _, v := range q.values[j] {
				if !slices.ContainsFunc(params[k].Values, func(w space.Value) bool { return params[k].Equal(v, w) }) {
					params[k].Values = append(params[k].Values, v)
				}
			}
		}
	}
	return space.New(params...), nil
}
