package strategy_test

import (
	"testing"

	"gem/strategy"
)

// TestEveryParameterDeclared: every tunable parameter of every strategy has
// a doc line, a valid default, and a search range inside its bounds (space.New
// checks the last two); an ensemble configuration round-trips through its
// ledger text exactly.
func TestEveryParameterDeclared(t *testing.T) {
	for _, name := range strategy.Names() {
		c, err := strategy.New(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range c.Space().Params() {
			if p.Doc == "" {
				t.Errorf("%s: parameter %s has no doc", name, p.Name)
			}
		}
		a := strategy.Assign(c)
		d, err := strategy.Build(name, a.String())
		if err != nil || !strategy.Assign(d).Equal(a) {
			t.Errorf("%s: defaults do not round-trip through %q: %v", name, a.String(), err)
		}
	}
}
