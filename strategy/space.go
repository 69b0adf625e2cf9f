package strategy

import (
	"fmt"

	"gem/space"
)

// Parameter structs declare their parameters with field tags, read once by
// space.Of: `param:"name"` (a nested struct tagged with a name contributes
// "name.field" parameters, as bull.top_n), `min` and `max` (the valid
// bounds), `search:"lo:hi"` (the range a search explores), `scale:"log"`,
// `choices:"a|b"` for categorical strings and `doc` (one line). The
// strategy's defaults are the space's defaults, so every consumer — --set,
// the ledger, the wire, JSON, plans, searches and `gem params` — derives
// from that one declaration.

// Assign returns c's parameters as an assignment of c.Space().
func Assign(c Config) space.Assignment { return space.Store(c.Space(), c.Params()) }

// Configure returns a copy of c with the parameters of a (an assignment of
// c.Space()), validated.
func Configure(c Config, a space.Assignment) (Config, error) {
	if a.Space() != c.Space() {
		panic("strategy: Configure with an assignment of another space")
	}
	d := c.Clone()
	space.Load(d.Params(), a)
	if err := d.Validate(); err != nil {
		return nil, err
	}
	return d, nil
}

// Build returns the named strategy configured by "name=value ..." text (the
// ledger's form; parameters not named take their defaults).
func Build(name, params string) (Config, error) {
	c, err := New(name)
	if err != nil {
		return nil, err
	}
	a, err := c.Space().Parse(params)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return Configure(c, a)
}

// declare is the space of a parameter struct at its defaults.
func declare[P any](defaults P) *space.Space { return space.Of(&defaults) }
