package report

import (
	"cmp"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"time"

	"gem/ledger"
)

// Summary is what one comparable group of trials did, read as the
// keep-or-revert loop of program.md: trials in ledger order, each kept when
// its score beats the best before it (the incumbent) and discarded
// otherwise. The first trial is the baseline.
type Summary struct {
	*Group
	Rejected  int          // trials scored −Inf
	Commands  []CountBy    // trials per ledger command, most first
	Kept      int          // trials that beat the incumbent
	Discarded int          // the others, baseline excluded
	Baseline  *ledger.Row  // the group's first trial
	Best      *ledger.Row  // the last incumbent
	Start     time.Time    // when the first trial started
	End       time.Time    // when the last trial was recorded
	Evaluated float64      // seconds spent evaluating, summed over trials
	Params    []ParamTrail // per parameter that some trial changed
	Steps     []Step       // the kept trials, in order
}

// CountBy is a count of trials with one value of a column.
type CountBy struct {
	Value string
	N     int
}

// ParamTrail is one parameter's part in the loop.
type ParamTrail struct {
	Name   string
	Tried  []string // every value it took in the trials that changed it, and the value before
	Winner string   // its value in the incumbent after the last trial that changed it
	// Before is the incumbent's score before the first trial that changed
	// the parameter, After the incumbent's score after the last one.
	Before, After float64
	Trials        int // trials that changed it
	Kept          int // of which kept
}

// Step is a kept trial.
type Step struct {
	Trial   int // 1-based position in the group
	Row     *ledger.Row
	Changed []string // name=value of each parameter that differs from the incumbent
	Delta   float64  // score gain over the incumbent (+Inf over a −Inf incumbent)
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

func summarize(g *Group) Summary {
	s := Summary{Group: g, Baseline: &g.Rows[0]}
	counts := map[string]int{}
	trails := map[string]*ParamTrail{}
	var order []string
	inc := &g.Rows[0] // incumbent
	incP := parseParams(inc.Params)
	s.Start = inc.Time.Add(-time.Duration(inc.Seconds * float64(time.Second)))
	// With `gem keep` marks in the group, kept means adopted by the agent
	// (a "keep" row repeats the adopted trial); otherwise a trial is kept
	// when it beats the incumbent, the loop program.md describes.
	marked := slices.ContainsFunc(g.Rows, func(r ledger.Row) bool { return r.Command == KeepCommand })
	for i := range g.Rows {
		r := &g.Rows[i]
		counts[r.Command]++
		s.Evaluated += r.Seconds
		if r.Time.After(s.End) {
			s.End = r.Time
		}
		if !finite(r.Score) {
			s.Rejected++
		}
		if i == 0 {
			continue
		}
		p := parseParams(r.Params)
		var changed []string
		for _, n := range p.names {
			if p.values[n] != incP.values[n] {
				changed = append(changed, n)
			}
		}
		kept := r.Score > inc.Score
		if marked {
			kept = r.Command == KeepCommand
		}
		for _, n := range changed {
			t := trails[n]
			if t == nil {
				t = &ParamTrail{Name: n, Before: inc.Score, Winner: incP.values[n]}
				t.Tried = append(t.Tried, incP.values[n])
				trails[n] = t
				order = append(order, n)
			}
			t.Tried = append(t.Tried, p.values[n])
			t.Trials++
			if kept {
				t.Kept++
			}
		}
		if kept {
			s.Kept++
			st := Step{Trial: i + 1, Row: r, Delta: r.Score - inc.Score}
			for _, n := range changed {
				st.Changed = append(st.Changed, n+"="+p.values[n])
			}
			s.Steps = append(s.Steps, st)
			inc, incP = r, p
		} else {
			s.Discarded++
		}
		for _, n := range changed {
			trails[n].After = inc.Score
			trails[n].Winner = incP.values[n]
		}
	}
	s.Best = inc
	for _, n := range order {
		t := trails[n]
		t.Tried, _ = sortValues(t.Tried)
		s.Params = append(s.Params, *t)
	}
	for v, n := range counts {
		s.Commands = append(s.Commands, CountBy{v, n})
	}
	slices.SortFunc(s.Commands, func(a, b CountBy) int { return cmp.Or(cmp.Compare(b.N, a.N), strings.Compare(a.Value, b.Value)) })
	return s
}

// SummaryOptions adjust WriteSummary.
type SummaryOptions struct {
	Ledger  string // the ledger's path, for the heading
	Harness string // the current harness fingerprint; groups by another are flagged
}

// WriteSummary writes the tables of the shutdown report that program.md
// asks for, as markdown: per group of comparable trials, the counts, the
// runtime, the score from baseline to best, per parameter the values tried,
// the winner and the score before and after, and the kept experiments.
func WriteSummary(w io.Writer, sums []Summary, opt SummaryOptions) error {
	b := &strings.Builder{}
	title := "Shutdown report: tables drafted from the ledger"
	if opt.Ledger != "" {
		title += " " + mdText(opt.Ledger)
	}
	fmt.Fprintf(b, "# %s\n\n", title)
	if len(sums) == 0 {
		b.WriteString("The ledger has no trials.\n")
	}
	for i := range sums {
		writeGroupSummary(b, &sums[i], opt)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func writeGroupSummary(b *strings.Builder, s *Summary, opt SummaryOptions) {
	fmt.Fprintf(b, "## %s\n\n", mdText(s.Label()))
	if opt.Harness != "" && s.Harness != opt.Harness {
		fmt.Fprintf(b, "**Produced by harness %s, not the current %s: these scores are not comparable with today's.**\n\n", mdText(s.Harness), mdText(opt.Harness))
	}
	n := len(s.Rows)
	var cmds []string
	for _, c := range s.Commands {
		cmds = append(cmds, fmt.Sprintf("%s %d", mdText(c.Value), c.N))
	}
	b.WriteString("| | |\n|---|---|\n")
	fmt.Fprintf(b, "| trials | %d (%s) |\n", n, strings.Join(cmds, ", "))
	fmt.Fprintf(b, "| rejected (score -inf) | %d (%.1f%%) |\n", s.Rejected, 100*float64(s.Rejected)/float64(n))
	fmt.Fprintf(b, "| kept / discarded | %d / %d (after the baseline, trial 1) |\n", s.Kept, s.Discarded)
	fmt.Fprintf(b, "| score | baseline %s, best %s (%s) |\n", fmtScore(s.Baseline.Score), fmtScore(s.Best.Score), fmtDelta(s.Best.Score-s.Baseline.Score))
	fmt.Fprintf(b, "| runtime | %s wall clock (%s to %s); %s of evaluation |\n",
		fmtDuration(s.End.Sub(s.Start)), s.Start.UTC().Format(time.RFC3339), s.End.UTC().Format(time.RFC3339),
		fmtDuration(time.Duration(s.Evaluated*float64(time.Second))))
	b.WriteString("\n")

	if len(s.Params) > 0 {
		b.WriteString("### Per parameter\n\n")
		b.WriteString("| parameter | values tried | winner | score before | score after | delta | trials | kept |\n")
		b.WriteString("|---|---|---|--:|--:|--:|--:|--:|\n")
		for _, t := range s.Params {
			fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %s | %d | %d |\n", mdText(t.Name), mdText(strings.Join(t.Tried, ", ")), mdText(t.Winner),
				fmtScore(t.Before), fmtScore(t.After), fmtDelta(t.After-t.Before), t.Trials, t.Kept)
		}
		b.WriteString("\n")
	}
	if len(s.Steps) > 0 {
		b.WriteString("### Kept experiments\n\n")
		b.WriteString("| trial | time | command | change | score | delta |\n")
		b.WriteString("|--:|---|---|---|--:|--:|\n")
		for _, st := range s.Steps {
			fmt.Fprintf(b, "| %d | %s | %s | %s | %s | %s |\n", st.Trial, st.Row.Time.UTC().Format(time.RFC3339), mdText(st.Row.Command),
				mdText(strings.Join(st.Changed, " ")), fmtScore(st.Row.Score), fmtDelta(st.Delta))
		}
		b.WriteString("\n")
	}
	if s.Best != s.Baseline {
		base, best := parseParams(s.Baseline.Params), parseParams(s.Best.Params)
		var diff []string
		for _, name := range best.names {
			if best.values[name] != base.values[name] {
				diff = append(diff, name+"="+best.values[name])
			}
		}
		fmt.Fprintf(b, "Best configuration (trial key %s) differs from the baseline in: %s\n\n", s.Best.Key(), mdCode(strings.Join(diff, " ")))
	}
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
