package search

import (
	"strings"
	"testing"
)

// The phased plan restricted to bull and bear is their two grid phases and
// the verification of their six parameters; its space is 36 × 36 = 1,296
// configurations of six parameters.
func TestRestrictBullBear(t *testing.T) {
	base := defaults(t, "ensemble")
	keep := func(name string) bool {
		return strings.HasPrefix(name, "bull.") || strings.HasPrefix(name, "bear.")
	}
	pl := PhasedPlan().Restrict(keep)
	var names []string
	for _, ph := range pl.Phases {
		names = append(names, ph.Name)
	}
	if got := strings.Join(names, ","); got != "bull,bear,verify" {
		t.Fatalf("phases %s, want bull,bear,verify", got)
	}
	if n := len(pl.Phases[2].Params); n != 6 {
		t.Errorf("verify has %d parameters, want 6", n)
	}
	sp, err := pl.Space(base)
	if err != nil {
		t.Fatal(err)
	}
	size := 1
	for _, p := range sp.Params() {
		if !keep(p.Name) {
			t.Errorf("parameter %s outside the block", p.Name)
		}
		size *= len(p.Values)
	}
	if sp.Len() != 6 || size != 1296 {
		t.Errorf("block of %d parameters and %d configurations, want 6 and 1296", sp.Len(), size)
	}
	if n := len(PhasedPlan().Restrict(func(string) bool { return false }).Phases); n != 0 {
		t.Errorf("restricted to nothing: %d phases, want 0", n)
	}
}
