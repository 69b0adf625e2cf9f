package report

import (
	"cmp"
	"math"
	"slices"
	"strconv"
	"strings"

	"gem/ledger"
)

// Group is a set of ledger rows whose scores can be compared: the same
// strategy and fill mode on the same data (data fingerprint) and scoring
// window under the same harness (harness fingerprint). Rows are in ledger
// order.
type Group struct {
	Strategy, Fill, Window, Data, Harness string
	Rows                                  []ledger.Row
}

// Label names the group in one line.
func (g *Group) Label() string {
	w := ""
	if g.Window != "" {
		w = " · window " + g.Window
	}
	return g.Strategy + " · " + g.Fill + " fills" + w + " · data " + g.Data + " · harness " + g.Harness
}

// GroupRows splits rows into comparable groups, in order of first
// appearance.
func GroupRows(rows []ledger.Row) []*Group {
	var groups []*Group
	index := map[[5]string]*Group{}
	for _, r := range rows {
		k := [5]string{r.Strategy, r.Fill, r.Window, r.Data, r.Harness}
		g := index[k]
		if g == nil {
			g = &Group{Strategy: r.Strategy, Fill: r.Fill, Window: r.Window, Data: r.Data, Harness: r.Harness}
			index[k] = g
			groups = append(groups, g)
		}
		g.Rows = append(g.Rows, r)
	}
	return groups
}

// largest returns the group with the most rows; among equals, the one
// whose rows were appended last.
func largest(groups []*Group) *Group {
	var best *Group
	for _, g := range groups {
		if best == nil || len(g.Rows) > len(best.Rows) ||
			len(g.Rows) == len(best.Rows) && g.Rows[len(g.Rows)-1].Time.After(best.Rows[len(best.Rows)-1].Time) {
			best = g
		}
	}
	return best
}

// params is a row's parameters, parsed from "name=value ..." in order.
type params struct {
	names  []string
	values map[string]string
}

func parseParams(s string) params {
	p := params{values: map[string]string{}}
	for _, f := range strings.Fields(s) {
		name, value, _ := strings.Cut(f, "=")
		if _, dup := p.values[name]; !dup {
			p.names = append(p.names, name)
		}
		p.values[name] = value
	}
	return p
}

// varying lists the parameters that take more than one value across rows
// (a parameter missing from a row counts as the value ""), in order of
// first appearance.
func varying(ps []params) []string {
	var names []string
	seen := map[string]bool{}
	for _, p := range ps {
		for _, n := range p.names {
			if !seen[n] {
				seen[n] = true
				names = append(names, n)
			}
		}
	}
	var out []string
	for _, n := range names {
		first := ps[0].values[n]
		for _, p := range ps[1:] {
			if p.values[n] != first {
				out = append(out, n)
				break
			}
		}
	}
	return out
}

// sortValues sorts parameter values numerically when they all parse as
// numbers and lexically otherwise, dropping duplicates; numeric reports
// which.
func sortValues(vs []string) (sorted []string, numeric bool) {
	sorted = slices.Clone(vs)
	numeric = true
	for _, v := range sorted {
		if _, err := strconv.ParseFloat(v, 64); err != nil {
			numeric = false
			break
		}
	}
	if numeric {
		slices.SortStableFunc(sorted, func(a, b string) int {
			x, _ := strconv.ParseFloat(a, 64)
			y, _ := strconv.ParseFloat(b, 64)
			return cmp.Or(cmp.Compare(x, y), strings.Compare(a, b))
		})
	} else {
		slices.Sort(sorted)
	}
	return slices.Compact(sorted), numeric
}

// finite reports whether a score is a number (not −Inf or NaN).
func finite(x float64) bool { return !math.IsInf(x, 0) && !math.IsNaN(x) }
