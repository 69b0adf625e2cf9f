package strategy

import (
	"fmt"
	"strings"

	"gem/harness"
)

// Config is a named strategy with its parameters: what the CLI, the sweeps
// and the ledger pass around.
type Config interface {
	// Name is the strategy's name on the command line.
	Name() string
	// Params is a pointer to the parameter struct, for SetParam and friends.
	Params() any
	// Validate reports parameter combinations that cannot run.
	Validate() error
	// New builds a fresh strategy that shares fits through cache.
	New(cache *Cache) harness.Strategy
	// Clone returns an independent copy of the configuration.
	Clone() Config
}

// Names lists the strategies New knows, the default first.
func Names() []string { return []string{"ensemble", "specialist", "benchmark"} }

// New returns the named strategy's configuration at its defaults.
func New(name string) (Config, error) {
	switch name {
	case "ensemble":
		return &EnsembleConfig{P: DefaultEnsembleParams()}, nil
	case "benchmark":
		return &BenchmarkConfig{}, nil
	case "specialist":
		c := SpecialistConfig{P: DefaultParams()}
		return &c, nil
	}
	return nil, fmt.Errorf("unknown strategy %q (want one of %s)", name, strings.Join(Names(), ", "))
}

// SpecialistConfig runs one GEM specialist on its own.
type SpecialistConfig struct{ P Params }

func (c *SpecialistConfig) Name() string    { return "specialist" }
func (c *SpecialistConfig) Params() any     { return &c.P }
func (c *SpecialistConfig) Validate() error { return c.P.Validate() }
func (c *SpecialistConfig) Clone() Config   { d := *c; return &d }
func (c *SpecialistConfig) New(cache *Cache) harness.Strategy {
	return NewSpecialist(c.P, cache)
}
