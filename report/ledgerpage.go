package report

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"gem/ledger"
	"gem/optimum"
)

// LedgerOptions adjust LedgerPage.
type LedgerOptions struct {
	Path    string // the ledger file, for the title
	Skipped int    // lines of the file that did not parse
	// Harness is the current harness fingerprint: rows by another harness
	// are flagged. Empty for no check.
	Harness string
	// Pair names the two parameters of the heatmap; zero picks the pair of
	// varying parameters tried in the most combinations.
	Pair [2]string
	// Selection returns the section of selection statistics (PBO, the
	// deflated Sharpe ratio, SPA, rank correlations, and their verdict) of
	// the group the page charts; package selection's LedgerSection computes
	// them from the trials' daily returns. Nil leaves the section out.
	Selection func(g *Group) Section
	// Comparison is the comparison of search methods against the optimum
	// of a block that gem search --compare keeps beside the ledger
	// (optimum.ComparisonPath): its regret chart and table. Nil leaves the
	// section out.
	Comparison *optimum.Comparison
}

// maxParamCharts bounds the score-against-parameter charts of one page.
const maxParamCharts = 36

// LedgerPage builds the report of a ledger. Rows are split into comparable
// groups (GroupRows); the charts show the largest: the best score so far
// against the trial number for each command, the selection statistics
// (opt.Selection), the honesty statistics, the score against each parameter
// that varies, a heatmap of the score over two parameters and the
// keep-or-revert summary. The regret of search methods against an optimum
// (opt.Comparison) follows the best score so far; a ledger without trials
// but with a comparison gets a page of it alone.
func LedgerPage(rows []ledger.Row, opt LedgerOptions) (*Page, error) {
	if len(rows) == 0 && opt.Comparison != nil {
		return &Page{Title: "gem ledger: " + cmpOr(opt.Path, "trials"), Subtitle: "No trials yet; the comparison gem search --compare kept beside the ledger:",
			Sections: []Section{regretSection(opt.Comparison)}}, nil
	}
	if len(rows) == 0 {
		return nil, errors.New("report: the ledger has no trials")
	}
	groups := GroupRows(rows)
	g := largest(groups)
	p := &Page{
		Title:    "gem ledger: " + cmpOr(opt.Path, "trials"),
		Subtitle: fmt.Sprintf("%d trials in %d comparable groups; charts for %s", len(rows), len(groups), g.Label()),
	}

	// Overview.
	ov := Section{Heading: "Ledger"}
	ov.Notes = append(ov.Notes, "Scores are comparable only within a group: the same strategy and fill mode on the same data (data fingerprint) under the same harness (harness fingerprint). The charts below show the group with the most trials.")
	if opt.Skipped > 0 {
		ov.Notes = append(ov.Notes, fmt.Sprintf("%d lines of the file did not parse and were skipped (a torn last line, or a foreign line).", opt.Skipped))
	}
	gt := Table{Header: []string{"strategy", "fill", "data", "harness", "trials", "rejected", "best score", "first", "last"}}
	foreign := 0
	for _, x := range groups {
		h := x.Harness
		if opt.Harness != "" {
			if x.Harness == opt.Harness {
				h += " (current)"
			} else {
				h += " (other)"
				foreign += len(x.Rows)
			}
		}
		hs := ComputeHonesty(x.Rows)
		gt.Rows = append(gt.Rows, []string{x.Strategy, x.Fill, x.Data, h, strconv.Itoa(len(x.Rows)), strconv.Itoa(hs.Rejected),
			fmtScore(hs.Best), x.Rows[0].Time.UTC().Format(time.DateTime), x.Rows[len(x.Rows)-1].Time.UTC().Format(time.DateTime)})
	}
	if foreign > 0 {
		ov.Notes = append(ov.Notes, fmt.Sprintf("%s produced by a harness other than the current one (%s); 'gem ledger verify' lists them.", plural(foreign, "trial was", "trials were"), opt.Harness))
	}
	ov.Tables = append(ov.Tables, gt)
	p.Sections = append(p.Sections, ov)

	// Progress of the search.
	prog := Section{Heading: "Search progress"}
	if c := bestSoFarChart(g); c != nil {
		prog.Charts = append(prog.Charts, c)
	} else {
		prog.Notes = append(prog.Notes, "No trial of this group has a finite score yet.")
	}
	p.Sections = append(p.Sections, prog)
	if opt.Comparison != nil {
		p.Sections = append(p.Sections, regretSection(opt.Comparison))
	}

	if opt.Selection != nil {
		p.Sections = append(p.Sections, opt.Selection(g))
	}
	p.Sections = append(p.Sections, honestySection(ComputeHonesty(g.Rows)))

	// Score against each parameter.
	ps := make([]params, len(g.Rows))
	for i := range g.Rows {
		ps[i] = parseParams(g.Rows[i].Params)
	}
	vary := varying(ps)
	par := Section{Heading: "Score by parameter"}
	if len(vary) == 0 {
		par.Notes = append(par.Notes, "No parameter varies across the trials of this group.")
	}
	for i, name := range vary {
		if i == maxParamCharts {
			par.Notes = append(par.Notes, fmt.Sprintf("%d more parameters vary; only the first %d are drawn.", len(vary)-maxParamCharts, maxParamCharts))
			break
		}
		if c := paramChart(g, ps, name); c != nil {
			par.Charts = append(par.Charts, c)
		}
	}
	if rejected := ComputeHonesty(g.Rows).Rejected; rejected > 0 && len(vary) > 0 {
		par.Notes = append(par.Notes, fmt.Sprintf("%d rejected trials (score −inf) are not drawn.", rejected))
	}
	p.Sections = append(p.Sections, par)

	pair := Section{Heading: "Two parameters"}
	a, b := opt.Pair[0], opt.Pair[1]
	if a == "" || b == "" {
		a, b = pickPair(ps, vary)
	}
	if c, why := pairChart(g, ps, a, b); c == nil {
		pair.Notes = append(pair.Notes, why)
	} else {
		pair.Charts = append(pair.Charts, c)
	}
	p.Sections = append(p.Sections, pair)

	p.Sections = append(p.Sections, summarySection(summarize(g)))
	return p, nil
}

// plural formats a count with the singular or plural words after it.
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// bestSoFarChart draws, for each command, the best score among its first n
// trials against n; nil when no trial has a finite score.
func bestSoFarChart(g *Group) *Chart {
	p := newPlot("", "trial number (per command)", "best score so far")
	legend := newLegend()
	var cmds []string
	byCmd := map[string][]float64{}
	for _, r := range g.Rows {
		if _, ok := byCmd[r.Command]; !ok {
			cmds = append(cmds, r.Command)
		}
		byCmd[r.Command] = append(byCmd[r.Command], r.Score)
	}
	drawn := false
	for i, c := range cmds {
		var pts plotter.XYs
		best := math.Inf(-1)
		for n, s := range byCmd[c] {
			best = max(best, s)
			if finite(best) {
				pts = append(pts, plotter.XY{X: float64(n + 1), Y: best})
			}
		}
		if len(pts) == 0 {
			continue
		}
		if len(pts) == 1 { // a single point still needs a visible mark
			pts = append(pts, plotter.XY{X: pts[0].X + 0.5, Y: pts[0].Y})
		}
		l := &plotter.Line{XYs: pts, StepStyle: plotter.PostStep}
		l.LineStyle = draw.LineStyle{Color: categorical[i%len(categorical)], Width: vg.Points(1.6)}
		p.Add(l)
		legend.Add(c, l)
		drawn = true
	}
	if !drawn {
		return nil
	}
	return &Chart{Name: "best-so-far", Title: "Best score so far", Width: wideWidth, Height: 3.2 * vg.Inch,
		Caption: "For each command (eval, sweep, run, search, ...), the best score among its first n trials. A curve that keeps climbing late in a long search is as likely to be finding noise as signal.",
		draw:    stacked([]*plot.Plot{p}, []float64{1}, &legend)}
}

// paramChart draws every trial's score against the value of one parameter,
// with the best score at each value joined by a line and the overall best
// trial marked.
func paramChart(g *Group, ps []params, name string) *Chart {
	var vals []string
	for _, p := range ps {
		vals = append(vals, p.values[name])
	}
	sorted, numeric := sortValues(vals)
	pos := map[string]float64{}
	for i, v := range sorted {
		if numeric {
			pos[v], _ = strconv.ParseFloat(v, 64)
		} else {
			pos[v] = float64(i)
		}
	}
	var pts plotter.XYs
	top := map[string]float64{}
	bestI := -1
	for i, r := range g.Rows {
		if !finite(r.Score) {
			continue
		}
		v := ps[i].values[name]
		pts = append(pts, plotter.XY{X: pos[v], Y: r.Score})
		if s, ok := top[v]; !ok || r.Score > s {
			top[v] = r.Score
		}
		if bestI < 0 || r.Score > g.Rows[bestI].Score {
			bestI = i
		}
	}
	if len(pts) == 0 {
		return nil
	}
	p := newPlot(name, name, "score")
	if !numeric {
		p.X.Tick.Marker = nominalTicks(sorted)
		p.X.Min, p.X.Max = -0.5, float64(len(sorted))-0.5
	}
	var env plotter.XYs
	for _, v := range sorted {
		if s, ok := top[v]; ok {
			env = append(env, plotter.XY{X: pos[v], Y: s})
		}
	}
	if len(env) > 1 {
		l := &plotter.Line{XYs: env}
		l.LineStyle = draw.LineStyle{Color: withAlpha(strategyColor, 0.6), Width: vg.Points(1)}
		p.Add(l)
	}
	sc := &plotter.Scatter{XYs: pts}
	sc.GlyphStyle = draw.GlyphStyle{Color: withAlpha(strategyColor, 0.55), Radius: vg.Points(2.2), Shape: draw.CircleGlyph{}}
	p.Add(sc)
	bp := &plotter.Scatter{XYs: plotter.XYs{{X: pos[ps[bestI].values[name]], Y: g.Rows[bestI].Score}}}
	bp.GlyphStyle = draw.GlyphStyle{Color: highlightColor, Radius: vg.Points(4), Shape: draw.RingGlyph{}}
	p.Add(bp)
	return &Chart{Name: "param-" + fileSafe(name), Width: smallWidth, Height: smallHeight, draw: single(p)}
}

// pickPair returns the two varying parameters tried together in the most
// distinct combinations, among pairs tried in more combinations than a
// one-at-a-time sweep gives (na + nb − 1 for na and nb values), or "" ""
// when there are none.
func pickPair(ps []params, vary []string) (string, string) {
	bestN, a, b := 0, "", ""
	for i := range vary {
		for j := i + 1; j < len(vary); j++ {
			seen := map[[2]string]bool{}
			va, vb := map[string]bool{}, map[string]bool{}
			for _, p := range ps {
				x, y := p.values[vary[i]], p.values[vary[j]]
				seen[[2]string{x, y}] = true
				va[x], vb[y] = true, true
			}
			if n := len(seen); n > len(va)+len(vb)-1 && n > bestN {
				bestN, a, b = n, vary[i], vary[j]
			}
		}
	}
	return a, b
}

// scoreGrid is the best score of each combination of two parameters' values.
type scoreGrid struct {
	z [][]float64 // z[col][row], NaN where not tried or always rejected
}

func (g scoreGrid) Dims() (c, r int)   { return len(g.z), len(g.z[0]) }
func (g scoreGrid) Z(c, r int) float64 { return g.z[c][r] }
func (g scoreGrid) X(c int) float64    { return float64(c) }
func (g scoreGrid) Y(r int) float64    { return float64(r) }

// pairChart draws the best score of each combination of the values of
// parameters a (columns) and b (rows), or says why it cannot.
func pairChart(g *Group, ps []params, a, b string) (*Chart, string) {
	if a == "" || b == "" {
		return nil, "No two parameters were tried together in enough combinations for a heatmap (a grid or random search gives one; one-at-a-time sweeps do not)."
	}
	var av, bv []string
	for _, p := range ps {
		for _, n := range []string{a, b} {
			if _, ok := p.values[n]; !ok {
				return nil, fmt.Sprintf("The trials have no parameter %q.", n)
			}
		}
		av, bv = append(av, p.values[a]), append(bv, p.values[b])
	}
	xs, _ := sortValues(av)
	ys, _ := sortValues(bv)
	xi, yi := indexOf(xs), indexOf(ys)
	z := make([][]float64, len(xs))
	for i := range z {
		z[i] = make([]float64, len(ys))
		for j := range z[i] {
			z[i][j] = math.NaN()
		}
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for i, r := range g.Rows {
		if !finite(r.Score) {
			continue
		}
		c, rr := xi[ps[i].values[a]], yi[ps[i].values[b]]
		if math.IsNaN(z[c][rr]) || r.Score > z[c][rr] {
			z[c][rr] = r.Score
		}
		lo, hi = min(lo, r.Score), max(hi, r.Score)
	}
	if !finite(lo) {
		return nil, "Every trial was rejected: there is no score to draw."
	}
	var cells plotter.XYLabels
	for c := range z {
		for r, v := range z[c] {
			if !math.IsNaN(v) {
				cells.XYs = append(cells.XYs, plotter.XY{X: float64(c), Y: float64(r)})
				cells.Labels = append(cells.Labels, strconv.FormatFloat(v, 'g', 3, 64))
			}
		}
	}
	p := newPlot("", a, b)
	heatmap(p, scoreGrid{z}, lo, hi, cells, xs, ys)
	w := max(smallWidth, vg.Length(1.5+0.55*float64(len(xs)))*vg.Inch)
	h := max(smallHeight, vg.Length(1+0.32*float64(len(ys)))*vg.Inch)
	return &Chart{Name: "pair-" + fileSafe(a) + "-" + fileSafe(b), Title: a + " × " + b, Width: min(w, wideWidth), Height: min(h, 9*vg.Inch),
		Caption: "Best score of each combination of the two parameters, red low to green high; blank where the combination was not tried or always rejected. Other parameters vary too: a cell is the best over all of them.",
		draw:    single(p)}, ""
}

func indexOf(vs []string) map[string]int {
	m := make(map[string]int, len(vs))
	for i, v := range vs {
		m[v] = i
	}
	return m
}

// fileSafe maps a parameter name to [a-z0-9._-].
func fileSafe(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '.', r == '-', r == '_':
			return r
		case r >= 'A' && r <= 'Z':
			return r - 'A' + 'a'
		}
		return '_'
	}, s)
}

// honestySection states the honesty statistics and what a backtest can and
// cannot prove.
func honestySection(h Honesty) Section {
	s := Section{Heading: "Honesty"}
	s.Bullets = append(s.Bullets,
		fmt.Sprintf("Trials: %d, of %d distinct configurations. Every configuration tried on the same history raises the best score by luck alone.", h.Trials, h.Configs),
		fmt.Sprintf("Rejected (score −inf: annual return below −50%% or a negative Calmar ratio under 1.5× fees): %d (%.1f%%).", h.Rejected, 100*float64(h.Rejected)/float64(max(1, h.Trials))),
		fmt.Sprintf("Best score: %s; configurations within 10%% of it: %d. A broad plateau of good configurations is more believable than one spike.", fmtScore(h.Best), h.NearBest),
	)
	if h.StressRank > 0 {
		s.Bullets = append(s.Bullets, fmt.Sprintf("Under 1.5× fees the best configuration ranks %d of %d. A winner that falls far down the ranking lives on thin margins.", h.StressRank, h.Ranked))
	} else {
		s.Bullets = append(s.Bullets, "Under 1.5× fees the best configuration is rejected.")
	}
	if !math.IsNaN(h.RankCorrelation) {
		s.Bullets = append(s.Bullets, fmt.Sprintf("Rank correlation (Spearman) of the scores with and without the fee stress: %.3f.", h.RankCorrelation))
	}
	s.Notes = append(s.Notes,
		"What a backtest can show: that these rules, applied causally to this history with these fees, would have produced these numbers, and that the configurations compared here were measured by the same harness on the same data.",
		"What it cannot: that the edge will persist. The best of many trials on one history is biased upward (the selection statistics above size that bias); the history's regimes may not recur; and fills at the open with a flat 0.30% cost ignore market impact and liquidity. Confirm a winner on a held-out period that no search has seen before trusting it.",
	)
	return s
}

// summarySection is the keep-or-revert summary as tables.
func summarySection(s Summary) Section {
	sec := Section{Heading: "Keep or revert"}
	sec.Notes = append(sec.Notes, fmt.Sprintf("Read as program.md's loop, trials in ledger order: %d kept (each beat the best before it), %d discarded, after the baseline. Score from %s to %s. 'gem ledger summarize' prints these tables as markdown.",
		s.Kept, s.Discarded, fmtScore(s.Baseline.Score), fmtScore(s.Best.Score)))
	if len(s.Params) > 0 {
		t := Table{Caption: "Per parameter", Header: []string{"parameter", "values tried", "winner", "score before", "score after", "delta", "trials", "kept"}}
		for _, p := range s.Params {
			t.Rows = append(t.Rows, []string{p.Name, strings.Join(p.Tried, ", "), p.Winner, fmtScore(p.Before), fmtScore(p.After), fmtDelta(p.After - p.Before), strconv.Itoa(p.Trials), strconv.Itoa(p.Kept)})
		}
		sec.Tables = append(sec.Tables, t)
	}
	if len(s.Steps) > 0 {
		t := Table{Caption: "Kept experiments", Header: []string{"trial", "time", "command", "change", "score", "delta"}}
		for _, st := range s.Steps {
			t.Rows = append(t.Rows, []string{strconv.Itoa(st.Trial), st.Row.Time.UTC().Format(time.DateTime), st.Row.Command, strings.Join(st.Changed, " "), fmtScore(st.Row.Score), fmtDelta(st.Delta)})
		}
		sec.Tables = append(sec.Tables, t)
	}
	return sec
}

// ParsePair parses LedgerOptions.Pair from "name1,name2"; "" is the zero
// pair (LedgerPage picks one).
func ParsePair(s string) ([2]string, error) {
	if s == "" {
		return [2]string{}, nil
	}
	a, b, ok := strings.Cut(s, ",")
	a, b = strings.TrimSpace(a), strings.TrimSpace(b)
	if !ok || a == "" || b == "" || strings.Contains(b, ",") {
		return [2]string{}, fmt.Errorf("--pair %q: want name1,name2", s)
	}
	return [2]string{a, b}, nil
}
