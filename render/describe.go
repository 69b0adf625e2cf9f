package render

import (
	"fmt"
	"slices"
	"strings"

	"gem/harness"
	"gem/space"
	"gem/trial"
)

// Label is a configuration as the parameters named in show (whatever their
// values), then its other changes from the strategy's defaults; "defaults"
// when there is nothing to show.
func Label(a space.Assignment, show ...string) string {
	var parts []string
	for _, n := range show {
		if v, ok := a.Text(n); ok {
			parts = append(parts, n+"="+v)
		}
	}
	d := a.Defaults()
	for i := range a.Space().Len() {
		p := a.Space().Param(i)
		if !slices.Contains(show, p.Name) && !p.Equal(a.Value(i), d.Value(i)) {
			parts = append(parts, p.Name+"="+p.Format(a.Value(i)))
		}
	}
	if len(parts) == 0 {
		return "defaults"
	}
	return strings.Join(parts, " ")
}

// Changes says which parameters differ from the defaults: "default
// parameters" or "defaults except name=value ...".
func Changes(a space.Assignment) string {
	if c := a.Changes(); c != "" {
		return "defaults except " + c
	}
	return "default parameters"
}

// Window says which days of p are scored, as a clause to append (", scored
// on FROM..TO after N days of warm-up"), or "" for the whole data.
func Window(p *harness.Panel, w trial.Window) string {
	if w == (trial.Window{}) {
		return ""
	}
	d, err := w.Days(p)
	if err != nil {
		return ", scoring window " + w.String()
	}
	return fmt.Sprintf(", scored on %s..%s after %d days of warm-up", p.Dates[d.From], p.Dates[d.To-1], d.From)
}

// Setup describes a trial on p in the words every command's header uses:
// "STRATEGY, FILL fills, CHANGES" and its scoring window.
func Setup(p *harness.Panel, s trial.Spec) string {
	return fmt.Sprintf("%s, %s fills, %s%s", s.Strategy, s.Fill, Changes(s.Params), Window(p, s.Window))
}
