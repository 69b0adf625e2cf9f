package search

import (
	"path/filepath"
	"strings"
	"testing"

	"gem/strategy"
)

func TestNamedPlanAndSpace(t *testing.T) {
	ens, _ := strategy.New("ensemble")
	base := strategy.Assign(ens)
	pl, err := NamedPlan("phased")
	if err != nil || len(pl.Phases) != len(PhasedPlan().Phases) {
		t.Fatalf("phased: %d phases, %v", len(pl.Phases), err)
	}
	missing := filepath.Join(t.TempDir(), "none.yaml")
	if _, err := NamedPlan(missing); err == nil {
		t.Error("a missing plan file: no error")
	}
	sp, err := NamedSpace("plan", pl, base)
	want, _ := pl.Space(base)
	if err != nil || sp.Len() != want.Len() {
		t.Errorf("plan space: %v, %v", sp, err)
	}
	if sp, err := NamedSpace("all", pl, base); err != nil || sp.Len() != Searchable(base).Len() {
		t.Errorf("all: %v, %v", sp, err)
	}
	if _, err := NamedSpace(missing, pl, base); err == nil {
		t.Error("a missing space file: no error")
	}
}

// TestSweepPlan: the values are split at commas and trimmed; an empty name
// or list is refused with the words the command needs.
func TestSweepPlan(t *testing.T) {
	pl, err := SweepPlan("top_n", " 1, 3 ,5")
	if err != nil || len(pl.Phases) != 1 || pl.Phases[0].Name != "top_n" || pl.Phases[0].Mode != "grid" {
		t.Fatalf("got %+v, %v", pl, err)
	}
	if p := pl.Phases[0].Params; len(p) != 1 || p[0].Name != "top_n" || len(p[0].Values) != 3 || p[0].Values[0] != "1" || p[0].Values[1] != "3" || p[0].Values[2] != "5" {
		t.Errorf("params %+v", p)
	}
	for _, c := range [][2]string{{"", "1"}, {"top_n", ""}} {
		if _, err := SweepPlan(c[0], c[1]); err == nil || !strings.Contains(err.Error(), "sweep needs --param NAME and --values") {
			t.Errorf("%q: %v", c, err)
		}
	}
}

// TestNamed: no method is the plan run whole, without a space; a method is
// made over the named space, a fresh one per call; bad names are errors.
func TestNamed(t *testing.T) {
	ens, _ := strategy.New("ensemble")
	base := strategy.Assign(ens)
	mk, sp, err := Named("phased", "", "plan", 1, base)
	if err != nil || sp != nil {
		t.Fatalf("plan: %v, %v", sp, err)
	}
	if m, err := mk(); err != nil {
		t.Error(err)
	} else if _, ok := m.(*Phased); !ok {
		t.Errorf("plan: a %T, want *Phased", m)
	}
	mk, sp, err = Named("phased", "random", "all", 1, base)
	if err != nil || sp == nil || sp.Len() != Searchable(base).Len() {
		t.Fatalf("random over all: %v, %v", sp, err)
	}
	a, _ := mk()
	b, _ := mk()
	if a == b {
		t.Error("the maker returned the same method twice")
	}
	for _, c := range [][3]string{{"nope.yaml", "", "plan"}, {"phased", "nope", "plan"}, {"phased", "tpe", "nope.json"}} {
		if _, _, err := Named(c[0], c[1], c[2], 1, base); err == nil {
			t.Errorf("%q: no error", c)
		}
	}
}
