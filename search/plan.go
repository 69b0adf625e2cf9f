package search

import (
	"context"
	"fmt"
	"math"
	"os"
	"strings"

	"gopkg.in/yaml.v3"

	"gem/strategy"
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

// LoadPlan reads a plan file, JSON or YAML.
func LoadPlan(path string) (Plan, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Plan{}, err
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

// Candidate is one configuration of a phase: the configuration and the
// parameter values the phase set (its label).
type Candidate struct {
	Config strategy.Config
	Label  string
}

// Expand lists a phase's candidates around base. It checks every parameter
// name and value against the configuration.
func (ph Phase) Expand(base strategy.Config) ([]Candidate, error) {
	for _, prm := range ph.Params {
		if len(prm.Values) == 0 {
			return nil, fmt.Errorf("phase %s: parameter %s has no values", ph.Name, prm.Name)
		}
	}
	var out []Candidate
	add := func(sets [][2]string) error {
		c := base.Clone()
		labels := make([]string, len(sets))
		for i, kv := range sets {
			if err := strategy.SetParam(c.Params(), kv[0], kv[1]); err != nil {
				return fmt.Errorf("phase %s: %w", ph.Name, err)
			}
			labels[i] = kv[0] + "=" + kv[1]
		}
		if err := c.Validate(); err != nil {
			return fmt.Errorf("phase %s: %s: %w", ph.Name, strings.Join(labels, " "), err)
		}
		label := strings.Join(labels, " ")
		if label == "" {
			label = "baseline"
		}
		out = append(out, Candidate{Config: c, Label: label})
		return nil
	}
	switch ph.Mode {
	case "grid", "":
		idx := make([]int, len(ph.Params))
		for {
			sets := make([][2]string, len(ph.Params))
			for i, prm := range ph.Params {
				sets[i] = [2]string{prm.Name, fmt.Sprint(prm.Values[idx[i]])}
			}
			if err := add(sets); err != nil {
				return nil, err
			}
			// Advance the odometer, last parameter fastest.
			i := len(idx) - 1
			for ; i >= 0; i-- {
				if idx[i]++; idx[i] < len(ph.Params[i].Values) {
					break
				}
				idx[i] = 0
			}
			if i < 0 {
				return out, nil
			}
		}
	case "one_at_a_time":
		if err := add(nil); err != nil {
			return nil, err
		}
		for _, prm := range ph.Params {
			cur, ok := strategy.GetParam(base.Params(), prm.Name)
			if !ok {
				return nil, fmt.Errorf("phase %s: %w", ph.Name, strategy.SetParam(base.Clone().Params(), prm.Name, ""))
			}
			for _, v := range prm.Values {
				if s := fmt.Sprint(v); s != cur {
					if err := add([][2]string{{prm.Name, s}}); err != nil {
						return nil, err
					}
				}
			}
		}
		return out, nil
	}
	return nil, fmt.Errorf("phase %s: unknown mode %q (want grid or one_at_a_time)", ph.Name, ph.Mode)
}

// Evaluator scores a phase's candidates; scores[i] belongs to cands[i].
type Evaluator func(ctx context.Context, phase string, cands []Candidate) (scores []float64, err error)

// PhaseResult is a phase's winner.
type PhaseResult struct {
	Phase  string
	Winner Candidate
	Score  float64
	Tried  int
}

// Run executes the plan from base: each phase's candidates are scored by
// eval, the best (the first among equals) becomes the baseline of the next
// phase. A phase whose every candidate scores −Inf keeps the baseline.
func (p Plan) Run(ctx context.Context, base strategy.Config, eval Evaluator, onPhase func(PhaseResult)) (strategy.Config, error) {
	for _, ph := range p.Phases {
		cands, err := ph.Expand(base)
		if err != nil {
			return nil, err
		}
		scores, err := eval(ctx, ph.Name, cands)
		if err != nil {
			return nil, err
		}
		best := -1
		for i, s := range scores {
			if !math.IsInf(s, -1) && !math.IsNaN(s) && (best < 0 || s > scores[best]) {
				best = i
			}
		}
		res := PhaseResult{Phase: ph.Name, Score: math.Inf(-1), Tried: len(cands)}
		if best >= 0 {
			base = cands[best].Config
			res.Winner, res.Score = cands[best], scores[best]
		}
		if onPhase != nil {
			onPhase(res)
		}
	}
	return base, nil
}

// Size is the number of candidates the plan evaluates from base (phases
// after the first are counted around base too; their size does not depend
// on the winners).
func (p Plan) Size(base strategy.Config) (int, error) {
	n := 0
	for _, ph := range p.Phases {
		c, err := ph.Expand(base)
		if err != nil {
			return 0, err
		}
		n += len(c)
	}
	return n, nil
}
