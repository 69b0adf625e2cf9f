package report

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"gem/ledger"
	"gem/trial"
)

// Summary is what one comparable group of trials did, read as the
// keep-or-revert loop of program.md, in ledger order. The first trial is
// the baseline and the first incumbent. A "keep" row (gem keep, a copy of
// the trial the agent adopted) makes its configuration the incumbent. A
// trial whose parameters equal the incumbent's except the regime-model seed
// (trial.SeedParam) is a replicate: it measures noise, it tunes nothing.
// Every other trial is a probe. Without any keep row in the group, a probe
// is adopted when its score beats the incumbent's (the loop as a plain
// sweep's ledger reads). A parameter missing from either row (a ledger
// written before the parameter existed) does not count as changed.
type Summary struct {
	*Group
	Rejected   int         // trials scored −Inf (keep rows excluded)
	Commands   []CountBy   // rows per ledger command, most first
	Marked     bool        // the group has keep rows: kept means marked by gem keep
	Marks      int         // keep rows
	Kept       int         // adoptions
	Discarded  int         // probes whose configuration was not adopted at or after them
	Replicates int         // trials repeating an incumbent under another seed, or again
	Baseline   *ledger.Row // the group's first trial
	Best       *ledger.Row // the last incumbent: the final configuration
	Start      time.Time   // when the first trial started
	End        time.Time   // when the last row was recorded
	Evaluated  float64     // seconds spent evaluating, summed over trials
	Params     []ParamTrail
	Steps      []Step // the adoptions, in order
	// NeighbourChange is the median, over pairs of consecutive values of a
	// parameter probed alone against one incumbent (the incumbent's own
	// value included), of the absolute difference of their median scores
	// over seeds; NaN without a pair of finite medians. NeighbourPairs
	// counts the pairs.
	NeighbourChange float64
	NeighbourPairs  int
	seeds           map[string]map[string]float64 // seedless params → seed → score
	canon           map[*ledger.Row]string        // each row's parameters, every one named
}

// CountBy is a count of trials with one value of a column.
type CountBy struct {
	Value string
	N     int
}

// ParamTrail is one parameter's part in the loop (the seed is never one:
// its trials are replicates). Adopted values (Baseline, Winner, Kept) stand
// apart from probed ones (Tried, Trials, Best).
type ParamTrail struct {
	Name     string
	Tried    []string // the values probes gave it, each differing from the incumbent's then, sorted
	Baseline string   // its value in the baseline
	Winner   string   // its value in the final configuration
	// Before is the incumbent's score before the first trial that changed
	// the parameter, After the incumbent's score after the last one.
	Before, After float64
	Trials        int // probes that changed it
	Kept          int // adoptions that changed it
	// Best is the best discarded probe that changed it (its changes from
	// its incumbent, "name=value ..."; "" when none), BestSpread its
	// scores over seeds, Incumbent those of the incumbent it was compared
	// with.
	Best                  string
	BestSpread, Incumbent trial.Spread
	// NeighbourChange is Summary.NeighbourChange over this parameter's
	// pairs alone.
	NeighbourChange float64
}

// Step is an adoption.
type Step struct {
	Trial   int // 1-based position in the group
	Row     *ledger.Row
	Changed []string // name=value of each parameter that differs from the incumbent
	Delta   float64  // the row's score gain over the incumbent row's (+Inf over a −Inf incumbent)
	// Before and After are the scores over seeds of the incumbent and of
	// the adopted configuration (every trial of each in the group).
	Before, After trial.Spread
	// Neighbours are, when the adoption changed one numeric parameter, the
	// probed values nearest below and above the adopted one against the
	// same incumbent, with their median scores: program.md's robustness
	// rule.
	Neighbours []Point
}

// Gain is the adoption's gain in median score over seeds.
func (s *Step) Gain() float64 { return s.After.Median - s.Before.Median }

// Point is a parameter value and the median score of its configuration.
type Point struct {
	Value  string
	Median float64
}

// KeepCommand is the command of a ledger row written by `gem keep`: a copy of
// the trial the agent adopted.
const KeepCommand = "keep"

// Summarize reads each comparable group of rows (see GroupRows) as a
// keep-or-revert loop.
func Summarize(rows []ledger.Row) []Summary {
	var out []Summary
	for _, g := range GroupRows(rows) {
		out = append(out, summarize(g))
	}
	return out
}

// seedless is a row's parameters without the seed, and the seed's value.
func seedless(ps string) (rest, seed string) {
	f := strings.Fields(ps)
	out := f[:0]
	for _, x := range f {
		if v, ok := strings.CutPrefix(x, trial.SeedParam+"="); ok {
			seed = v
			continue
		}
		out = append(out, x)
	}
	return strings.Join(out, " "), seed
}

// canonical returns a row's parameters with those it does not name (a
// ledger written before they existed) at today's defaults, which keep the
// behaviour of then; the row's own text when the strategy does not read it.
func canonical(r *ledger.Row) string {
	if sp, err := trial.ParseSpec(r.Strategy, r.Fill, r.Window, r.Params); err == nil {
		return sp.Params.String()
	}
	return r.Params
}

// Spread returns the scores over seeds of r's configuration: every trial of
// the group with r's parameters but for the seed, one score per seed (the
// latest: a code change reruns a configuration under the same key).
func (s *Summary) Spread(r *ledger.Row) trial.Spread {
	c, ok := s.canon[r]
	if !ok {
		c = canonical(r)
	}
	sl, _ := seedless(c)
	var scores []float64
	for _, x := range s.seeds[sl] {
		scores = append(scores, x)
	}
	if len(scores) == 0 { // not a row of the group
		scores = []float64{r.Score}
	}
	return trial.SpreadOf(scores)
}

// probe is a probe's place in the loop.
type probe struct {
	row       int
	config    string // seedless parameters
	incumbent *ledger.Row
	changed   []string // names
	values    params
}

func summarize(g *Group) Summary {
	s := Summary{Group: g, Baseline: &g.Rows[0], seeds: map[string]map[string]float64{}, canon: map[*ledger.Row]string{}}
	for i := range g.Rows {
		r := &g.Rows[i]
		s.canon[r] = canonical(r)
		sl, seed := seedless(s.canon[r])
		if s.seeds[sl] == nil {
			s.seeds[sl] = map[string]float64{}
		}
		s.seeds[sl][seed] = r.Score
	}
	s.Marked = slices.ContainsFunc(g.Rows, func(r ledger.Row) bool { return r.Command == KeepCommand })
	counts := map[string]int{}
	trails := map[string]*ParamTrail{}
	var order []string
	trail := func(n string, inc *ledger.Row) *ParamTrail {
		t := trails[n]
		if t == nil {
			t = &ParamTrail{Name: n, Before: inc.Score}
			trails[n] = t
			order = append(order, n)
		}
		return t
	}
	inc := &g.Rows[0] // incumbent
	incP := parseParams(s.canon[inc])
	s.Start = inc.Time.Add(-time.Duration(inc.Seconds * float64(time.Second)))
	var probes []probe
	// adopted holds each adoption's incumbent and configuration: a probe of
	// that configuration against that incumbent led to it.
	type adoption struct {
		prev   *ledger.Row
		config string
	}
	adopted := map[adoption]bool{}
	// points[incumbent][name] holds, per value, the median score of the
	// configurations that changed only that parameter against it.
	points := map[*ledger.Row]map[string]map[string]float64{}
	for i := range g.Rows {
		r := &g.Rows[i]
		counts[r.Command]++
		if r.Time.After(s.End) {
			s.End = r.Time
		}
		mark := r.Command == KeepCommand
		if mark {
			s.Marks++
		} else {
			s.Evaluated += r.Seconds
			if !finite(r.Score) {
				s.Rejected++
			}
		}
		if i == 0 {
			continue
		}
		p := parseParams(s.canon[r])
		changed := changes(incP, p)
		adopt := mark || !s.Marked && len(changed) > 0 && r.Score > inc.Score
		if !mark {
			if len(changed) == 0 {
				s.Replicates++
			} else {
				sl, _ := seedless(s.canon[r])
				probes = append(probes, probe{i, sl, inc, changed, p})
				for _, n := range changed {
					t := trail(n, inc)
					t.Tried = append(t.Tried, p.values[n])
					t.Trials++
				}
				if len(changed) == 1 {
					if points[inc] == nil {
						points[inc] = map[string]map[string]float64{}
					}
					n := changed[0]
					if points[inc][n] == nil {
						points[inc][n] = map[string]float64{}
					}
					points[inc][n][p.values[n]] = s.Spread(r).Median
				}
			}
		}
		if adopt {
			s.Kept++
			st := Step{Trial: i + 1, Row: r, Delta: r.Score - inc.Score, Before: s.Spread(inc), After: s.Spread(r)}
			for _, n := range changed {
				st.Changed = append(st.Changed, n+"="+p.values[n])
				trail(n, inc).Kept++
			}
			if len(changed) == 1 {
				st.Neighbours = neighbours(points[inc][changed[0]], p.values[changed[0]])
			}
			s.Steps = append(s.Steps, st)
			sl, _ := seedless(s.canon[r])
			adopted[adoption{prev: inc, config: sl}] = true
			inc, incP = r, p
		}
		for _, n := range changed {
			trails[n].After = inc.Score
		}
	}
	s.Best = inc
	for _, pr := range probes {
		if adopted[adoption{pr.incumbent, pr.config}] {
			continue
		}
		s.Discarded++
		sp := s.Spread(&g.Rows[pr.row])
		for _, n := range pr.changed {
			t := trails[n]
			if t.Best == "" || sp.Median > t.BestSpread.Median {
				var ch []string
				for _, m := range pr.changed {
					ch = append(ch, m+"="+pr.values.values[m])
				}
				t.Best, t.BestSpread, t.Incumbent = strings.Join(ch, " "), sp, s.Spread(pr.incumbent)
			}
		}
	}
	base, final := parseParams(s.canon[s.Baseline]), parseParams(s.canon[s.Best])
	var all []float64
	for _, n := range order {
		t := trails[n]
		t.Tried, _ = sortValues(t.Tried)
		t.Baseline, t.Winner = base.values[n], final.values[n]
		var mine []float64
		for inc, byName := range points {
			if vs := byName[n]; vs != nil {
				withInc := maps.Clone(vs)
				if v, ok := parseParams(s.canon[inc]).values[n]; ok {
					withInc[v] = s.Spread(inc).Median
				}
				mine = append(mine, pairChanges(withInc)...)
			}
		}
		t.NeighbourChange = median(mine)
		all = append(all, mine...)
		s.Params = append(s.Params, *t)
	}
	s.NeighbourChange, s.NeighbourPairs = median(all), len(all)
	for v, n := range counts {
		s.Commands = append(s.Commands, CountBy{v, n})
	}
	slices.SortFunc(s.Commands, func(a, b CountBy) int { return cmp.Or(cmp.Compare(b.N, a.N), strings.Compare(a.Value, b.Value)) })
	return s
}

// changes lists the parameters whose value differs between the incumbent
// inc and p, in p's order: the seed and parameters missing from either
// side excepted.
func changes(inc, p params) []string {
	var out []string
	for _, n := range p.names {
		v, ok := inc.values[n]
		if ok && n != trial.SeedParam && p.values[n] != v {
			out = append(out, n)
		}
	}
	return out
}

// numericPoints returns the points sorted by value, or nil unless every
// value is a number.
func numericPoints(m map[string]float64) (vals []float64, pts []Point) {
	for v, med := range m {
		x, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return nil, nil
		}
		vals = append(vals, x)
		pts = append(pts, Point{v, med})
	}
	idx := make([]int, len(vals))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int { return cmp.Compare(vals[a], vals[b]) })
	sv, sp := make([]float64, len(idx)), make([]Point, len(idx))
	for i, j := range idx {
		sv[i], sp[i] = vals[j], pts[j]
	}
	return sv, sp
}

// neighbours returns the probed values nearest below and above v among m
// (value → median), those that exist; nil unless all are numbers.
func neighbours(m map[string]float64, v string) []Point {
	x, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return nil
	}
	vals, pts := numericPoints(m)
	var out []Point
	below := -1
	for i, y := range vals {
		if y < x {
			below = i
		}
	}
	if below >= 0 {
		out = append(out, pts[below])
	}
	for i, y := range vals {
		if y > x {
			out = append(out, pts[i])
			break
		}
	}
	return out
}

// pairChanges returns |Δ median| between consecutive numeric values of m
// whose medians are both finite.
func pairChanges(m map[string]float64) []float64 {
	_, pts := numericPoints(m)
	var out []float64
	for i := 1; i < len(pts); i++ {
		if a, b := pts[i-1].Median, pts[i].Median; finite(a) && finite(b) {
			out = append(out, math.Abs(b-a))
		}
	}
	return out
}

// median is the median of xs, NaN for none.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	return trial.SpreadOf(xs).Median
}

// mdText escapes text taken from a ledger for markdown, inside or outside
// a table cell: HTML's special characters become entities (so no tag
// survives a renderer), and the characters that start emphasis, code,
// links, strikethrough or a table cell get a backslash (CommonMark's
// escape of ASCII punctuation). An underscore inside a word (fit_window)
// cannot start emphasis and is left alone.
func mdText(s string) string {
	var b strings.Builder
	for i, r := range s {
		switch r {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '"':
			b.WriteString("&quot;")
		case '\\', '`', '*', '[', ']', '|', '~':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '_':
			if i == 0 || i == len(s)-1 || !isWordByte(s[i-1]) || !isWordByte(s[i+1]) {
				b.WriteByte('\\')
			}
			b.WriteByte('_')
		case '\n', '\r':
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func isWordByte(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// mdCode writes s as a markdown code span, whose content a renderer shows
// literally (HTML included): the fence is one backtick longer than the
// longest run of backticks in s, with spaces inside it when s starts or
// ends with a backtick.
func mdCode(s string) string {
	s = strings.NewReplacer("\n", " ", "\r", " ").Replace(s)
	longest, run := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", longest+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		s = " " + s + " "
	}
	return fence + s + fence
}

// fmtScore formats a score with four decimals, −Inf as -inf.
func fmtScore(x float64) string {
	if math.IsInf(x, -1) {
		return "-inf"
	}
	return fmt.Sprintf("%.4f", x)
}

// fmtDelta formats a score difference with its sign; n/a when either side
// was −Inf.
func fmtDelta(d float64) string {
	if !finite(d) {
		return "n/a"
	}
	return fmt.Sprintf("%+.4f", d)
}

// fmtDuration formats a duration to the second: 45s, 12m03s, 3h07m.
func fmtDuration(d time.Duration) string {
	d = d.Round(time.Second)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
}

// Keep appends to the ledger at path the keep row (KeepMark) of the trial
// with this key, recorded now, and returns it; repaired reports that a torn
// last line left by an interrupted run was repaired first.
func Keep(path, key string) (r ledger.Row, repaired bool, err error) {
	rows, _, err := ledger.Read(path)
	if err != nil {
		return r, false, err
	}
	if r, err = KeepMark(rows, key, time.Now()); err != nil {
		return r, false, fmt.Errorf("%s: %w", path, err)
	}
	lg, repaired, err := ledger.Open(path)
	if err != nil {
		return r, false, err
	}
	if err := lg.Append(&r); err != nil {
		lg.Close()
		return r, repaired, err
	}
	return r, repaired, lg.Close()
}

// KeepMark returns the keep row for the trial with this key: a copy of
// the last row with the key that is not itself a keep row, under
// KeepCommand and recorded at now. It fails when no trial has the key.
func KeepMark(rows []ledger.Row, key string, now time.Time) (ledger.Row, error) {
	for i := len(rows) - 1; i >= 0; i-- {
		if r := rows[i]; r.Key() == key && r.Command != KeepCommand {
			r.Command, r.Time = KeepCommand, now
			return r, nil
		}
	}
	return ledger.Row{}, fmt.Errorf("no trial with key %q", key)
}
