package strategy

import (
	"fmt"
	"strings"
	"sync"

	"gem/harness"
	"gem/space"
)

// Config is a named strategy with its parameters: what the CLI, the sweeps
// and the ledger pass around.
type Config interface {
	// Name is the strategy's name on the command line.
	Name() string
	// Params is a pointer to the parameter struct (Assign and Configure
	// read and write it through Space).
	Params() any
	// Space is the strategy's typed parameter space, its defaults the
	// strategy's.
	Space() *space.Space
	// Validate reports parameter combinations that cannot run.
	Validate() error
	// New builds a fresh strategy that shares fits through cache.
	New(cache *Cache) harness.Strategy
	// Clone returns an independent copy of the configuration.
	Clone() Config
}

// Names lists the strategies New knows, the default first.
func Names() []string { return []string{"ensemble", "specialist", "benchmark", "longshort", "weights"} }

// New returns the named strategy's configuration at its defaults.
func New(name string) (Config, error) {
	switch name {
	case "ensemble":
		return &EnsembleConfig{P: DefaultEnsembleParams()}, nil
	case "benchmark":
		return &BenchmarkConfig{}, nil
	case "longshort":
		return &LongShortConfig{P: DefaultLongShortParams()}, nil
	case "weights":
		return &WeightsConfig{}, nil
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
func (c *SpecialistConfig) Space() *space.Space {
	return specialistSpace()
}
func (c *SpecialistConfig) Clone() Config { d := *c; return &d }
func (c *SpecialistConfig) New(cache *Cache) harness.Strategy {
	return NewSpecialist(c.P, cache)
}

var (
	specialistSpace = sync.OnceValue(func() *space.Space { return declare(DefaultParams()) })
	ensembleSpace   = sync.OnceValue(func() *space.Space { return declare(DefaultEnsembleParams()) })
	longShortSpace  = sync.OnceValue(func() *space.Space { return declare(DefaultLongShortParams()) })
	benchmarkSpace  = sync.OnceValue(func() *space.Space { return space.New() })
)
