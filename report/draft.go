package report

import (
	"cmp"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"gem/ledger"
	"gem/trial"
)

// ShutdownSections are the headings of the shutdown report, in order: the
// report program.md asks for ("The end") and Draft writes.
var ShutdownSections = []string{"Summary", "Trials", "Kept changes", "Discarded ideas", "Noise",
	"Selection statistics", "Hold-out", "Verification", "Honesty"}

// NoiseFloor is the smallest noise program.md's keep rule allows.
const NoiseFloor = 0.01

// Draft is the shutdown report of program.md as gem drafts it from the
// ledger: the research group's tables (the group the kept trials are in),
// the commits beside the kept changes, the noise, the selection
// statistics, the hold-out and the verification. A part that could not be
// computed carries a note saying why and which command fills it in.
type Draft struct {
	Ledger  string    // the ledger's path, for the heading
	Harness string    // the current harness fingerprint
	Since   time.Time // trials recorded at or after it (zero: all)
	// Summaries are the groups of the selected rows; Main indexes the
	// research group (MainGroup), −1 when there is none.
	Summaries []Summary
	Main      int
	// Commits are the commits made since Since, oldest first; CommitsNote
	// says why there are none when they could not be read.
	Commits     []Commit
	CommitsNote string
	// Selection holds the statistics of the whole session and of the kept
	// configuration; SelectionNote says why they are missing.
	Selection     []SelectionFigures
	SelectionNote string
	// Holdout is the hold-out of the baseline and the final configuration
	// beside the benchmark; HoldoutNote says why it is missing.
	Holdout     *Holdout
	HoldoutNote string
	Verify      Verification
}

// Commit is one git commit.
type Commit struct {
	Hash    string
	Time    time.Time
	Subject string
}

// SelectionFigures are the statistics of selection (gem ledger stats) of a
// group, judging one configuration; NaN marks a figure that could not be
// computed.
type SelectionFigures struct {
	Label                string // what is judged: "whole session", "kept configuration"
	Judged, JudgedBy     string // the judged trial's key, and how it was chosen
	Configurations, Days int
	PBO                  float64
	DeflatedSharpe       float64
	EffectiveTrials      float64
	DeflatedSharpeAvg    float64 // with the average-correlation estimator
	EffectiveTrialsAvg   float64
	SPA, RealityCheck    float64 // p-values against BTC+ETH
	Verdict              string
	Notes                []string
}

// Holdout is the evaluation of configurations on the hold-out window.
type Holdout struct {
	Window  string // "FROM..TO"
	Harness string // the harness that evaluated them
	Rows    []HoldoutRow
}

// HoldoutRow is one configuration on the hold-out.
type HoldoutRow struct {
	Name           string // baseline, final, BTC+ETH
	Key            string
	Score          float64
	AnnualizedPct  float64
	MaxDrawdownPct float64
	Rejection      string
}

// Verification is what gem ledger verify says of the whole ledger.
type Verification struct {
	Rows      int // trusted rows
	Foreign   int // of which produced by another harness
	Untrusted int // lines that are not trusted rows
}

// MainGroup returns the index of the research group among sums: the one
// holding the last keep row, or without keep rows the one with the most
// trials (the later on ties), the benchmark's own rows left out; −1 when
// there is none.
func MainGroup(sums []Summary) int {
	best, last := -1, time.Time{}
	for i := range sums {
		for _, st := range sums[i].Steps {
			if sums[i].Marked && !st.Row.Time.Before(last) {
				best, last = i, st.Row.Time
			}
		}
	}
	if best >= 0 {
		return best
	}
	for i := range sums {
		if sums[i].Strategy != "benchmark" && (best < 0 || len(sums[i].Rows) >= len(sums[best].Rows)) {
			best = i
		}
	}
	return best
}

// Noise is program.md's noise for the summary: the largest of the final
// configuration's and the baseline's interquartile range over seeds (when
// measured on at least two seeds and finite), NoiseFloor and the typical
// change between neighbouring values. The parts say which figures went in.
func (s *Summary) Noise() (noise float64, parts []string) {
	noise = NoiseFloor
	add := func(what string, x float64) {
		parts = append(parts, what)
		if finite(x) {
			noise = max(noise, x)
		}
	}
	for _, c := range []struct {
		name string
		r    *ledger.Row
	}{{"final", s.Best}, {"baseline", s.Baseline}} {
		sp := s.Spread(c.r)
		switch {
		case sp.N < 2:
			parts = append(parts, fmt.Sprintf("the %s's seed spread not measured (1 seed)", c.name))
		case !finite(sp.Interquartile):
			parts = append(parts, fmt.Sprintf("the %s's seed IQR undefined (%d of %d seeds rejected)", c.name, sp.Rejected, sp.N))
		default:
			add(fmt.Sprintf("the %s's seed IQR %s over %d seeds", c.name, fmtScore(sp.Interquartile), sp.N), sp.Interquartile)
		}
		if s.Best == s.Baseline {
			break
		}
	}
	parts = append(parts, fmt.Sprintf("the floor %.2f", NoiseFloor))
	if s.NeighbourPairs > 0 {
		add(fmt.Sprintf("the typical change between neighbouring values %s (%d pairs)", fmtScore(s.NeighbourChange), s.NeighbourPairs), s.NeighbourChange)
	} else {
		parts = append(parts, "no neighbouring values probed")
	}
	return noise, parts
}

// SummaryOptions adjust WriteSummary.
type SummaryOptions struct {
	Ledger  string // the ledger's path, for the heading
	Harness string // the current harness fingerprint; groups by another are flagged
}

// WriteSummary writes the shutdown report drafted from sums alone (no
// commits, statistics or hold-out: their sections say how to get them).
func WriteSummary(w io.Writer, sums []Summary, opt SummaryOptions) error {
	return (&Draft{Ledger: opt.Ledger, Harness: opt.Harness, Summaries: sums, Main: MainGroup(sums)}).Write(w)
}

// Write writes the draft as markdown, every field taken from the ledger or
// git escaped; its sections are ShutdownSections.
func (d *Draft) Write(w io.Writer) error {
	b := &strings.Builder{}
	title := "Shutdown report, drafted from the ledger"
	if d.Ledger != "" {
		title += " " + mdText(d.Ledger)
	}
	fmt.Fprintf(b, "# %s\n\n", title)
	since := "every trial in the ledger"
	if !d.Since.IsZero() {
		since = "the trials recorded since " + d.Since.UTC().Format(time.RFC3339)
	}
	fmt.Fprintf(b, "From %s. The sections are program.md's; gem wrote the figures, the lines in _italics_ are for the agent to write. `$DATA`, `$RESEARCH`, `$START` are program.md's.\n\n", since)
	if d.Main < 0 {
		b.WriteString("The ledger has no trials in this selection.\n")
		_, err := io.WriteString(w, b.String())
		return err
	}
	s := &d.Summaries[d.Main]
	noise, parts := s.Noise()
	for i, name := range ShutdownSections {
		fmt.Fprintf(b, "## %d. %s\n\n", i+1, name)
		switch name {
		case "Summary":
			d.writeSummaryTable(b, s, noise)
		case "Trials":
			d.writeTrials(b, s)
		case "Kept changes":
			d.writeKept(b, s, noise)
		case "Discarded ideas":
			writeDiscarded(b, s)
		case "Noise":
			writeNoise(b, s, noise, parts)
		case "Selection statistics":
			d.writeSelection(b)
		case "Hold-out":
			d.writeHoldout(b)
		case "Verification":
			d.writeVerification(b)
		case "Honesty":
			d.writeHonesty(b, s)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// spreadText is a median over seeds with its count and rejections.
func spreadText(sp trial.Spread) string {
	t := fmt.Sprintf("median %s over %d seed", fmtScore(sp.Median), sp.N)
	if sp.N != 1 {
		t += "s"
	}
	if sp.Rejected > 0 {
		t += fmt.Sprintf(" (%d rejected)", sp.Rejected)
	}
	return t
}

func (d *Draft) writeSummaryTable(b *strings.Builder, s *Summary, noise float64) {
	b.WriteString("| | |\n|---|---|\n")
	fmt.Fprintf(b, "| session | %s to %s (%s wall clock); %d trials, %d marked with gem keep |\n", s.Start.UTC().Format(time.RFC3339),
		s.End.UTC().Format(time.RFC3339), fmtDuration(s.End.Sub(s.Start)), len(s.Rows)-s.Marks, s.Marks)
	fmt.Fprintf(b, "| research group | %s |\n", mdText(s.Label()))
	if d.Harness != "" && s.Harness != d.Harness {
		fmt.Fprintf(b, "| harness | the trials' %s is not the current %s: their scores are not comparable with today's |\n", mdText(s.Harness), mdText(d.Harness))
	}
	fmt.Fprintf(b, "| noise | %s (section 5) |\n", fmtScore(noise))
	fmt.Fprintf(b, "| research window, baseline | %s |\n", spreadText(s.Spread(s.Baseline)))
	fmt.Fprintf(b, "| research window, final | %s (key %s) |\n", spreadText(s.Spread(s.Best)), s.Best.Key())
	if h := d.Holdout; h != nil {
		var cells []string
		for _, r := range h.Rows {
			cells = append(cells, fmt.Sprintf("%s %s (%.1f%% a year)", mdText(r.Name), fmtScore(r.Score), r.AnnualizedPct))
		}
		fmt.Fprintf(b, "| hold-out %s | %s |\n", mdText(h.Window), strings.Join(cells, ", "))
	} else {
		b.WriteString("| hold-out | not evaluated (section 7) |\n")
	}
	for _, f := range d.Selection {
		if f.Label == "kept configuration" {
			fmt.Fprintf(b, "| selection | PBO %s, deflated Sharpe %s (%s effective trials), SPA p %s: %s |\n",
				fmtStat(f.PBO, "%.2f"), fmtStat(f.DeflatedSharpe, "%.3f"), fmtStat(f.EffectiveTrials, "%.1f"), fmtStat(f.SPA, "%.2f"), mdText(f.Verdict))
		}
	}
	b.WriteString("\n")
}

func (d *Draft) writeTrials(b *strings.Builder, s *Summary) {
	var cmds []string
	for _, c := range s.Commands {
		cmds = append(cmds, fmt.Sprintf("%s %d", mdText(c.Value), c.N))
	}
	n := len(s.Rows) - s.Marks
	b.WriteString("| | |\n|---|---|\n")
	fmt.Fprintf(b, "| trials | %d (%s) |\n", len(s.Rows), strings.Join(cmds, ", "))
	if s.Marks > 0 {
		fmt.Fprintf(b, "| of which keep marks (gem keep) | %d |\n", s.Marks)
	}
	fmt.Fprintf(b, "| rejected (score -inf) | %d (%.1f%%) |\n", s.Rejected, 100*float64(s.Rejected)/float64(max(n, 1)))
	kept := "kept (gem keep)"
	if !s.Marked {
		kept = "kept (no gem keep marks: a probe beating the incumbent)"
	}
	fmt.Fprintf(b, "| %s / discarded | %d / %d (after the baseline, trial 1) |\n", kept, s.Kept, s.Discarded)
	fmt.Fprintf(b, "| replicates (the incumbent under another %s, or again) | %d |\n", trial.SeedParam, s.Replicates)
	fmt.Fprintf(b, "| score | baseline %s, final %s (%s) |\n", fmtScore(s.Baseline.Score), fmtScore(s.Best.Score), fmtDelta(s.Best.Score-s.Baseline.Score))
	fmt.Fprintf(b, "| runtime | %s wall clock (%s to %s); %s of evaluation |\n",
		fmtDuration(s.End.Sub(s.Start)), s.Start.UTC().Format(time.RFC3339), s.End.UTC().Format(time.RFC3339),
		fmtDuration(time.Duration(s.Evaluated*float64(time.Second))))
	b.WriteString("\n")
	var others []*Summary
	for i := range d.Summaries {
		if i != d.Main {
			others = append(others, &d.Summaries[i])
		}
	}
	if len(others) > 0 {
		b.WriteString("Other groups in the selection (another window, strategy, data or harness; not part of the loop above):\n\n")
		b.WriteString("| group | trials | rejected | best score |\n|---|--:|--:|--:|\n")
		for _, o := range others {
			best := math.Inf(-1)
			for _, r := range o.Rows {
				best = max(best, r.Score)
			}
			fmt.Fprintf(b, "| %s | %d | %d | %s |\n", mdText(o.Label()), len(o.Rows)-o.Marks, o.Rejected, fmtScore(best))
		}
		b.WriteString("\n")
	}
}

func (d *Draft) writeKept(b *strings.Builder, s *Summary, noise float64) {
	switch {
	case !s.Marked:
		b.WriteString("No trial was marked with `gem keep`: the agent adopted nothing. The lines below read the ledger as a plain loop (a probe beating the incumbent is kept); they are not adoptions.\n\n")
	case d.CommitsNote != "":
		fmt.Fprintf(b, "%d keeps marked with `gem keep`; the commits could not be read: %s.\n\n", s.Kept, mdText(d.CommitsNote))
	default:
		agree := "they agree"
		if len(d.Commits) != s.Kept {
			agree = "**they do not agree: each kept change must be one commit and one `gem keep`**"
		}
		fmt.Fprintf(b, "%d keeps marked with `gem keep`, %d commits since the start (git log, oldest first, paired in order): %s.\n\n", s.Kept, len(d.Commits), agree)
	}
	if len(s.Steps) == 0 {
		b.WriteString("Nothing was kept: the final configuration is the baseline.\n\n")
		return
	}
	b.WriteString("| # | time | commit | change | median before | median after | gain | gain / noise | seeds | neighbours |\n")
	b.WriteString("|--:|---|---|---|--:|--:|--:|--:|--:|---|\n")
	for i, st := range s.Steps {
		commit := ""
		if s.Marked && i < len(d.Commits) {
			c := d.Commits[i]
			commit = commitText(c)
		}
		var nb []string
		for _, p := range st.Neighbours {
			nb = append(nb, mdText(p.Value)+"="+fmtScore(p.Median))
		}
		ratio := "n/a"
		if g := st.Gain(); finite(g) {
			ratio = fmt.Sprintf("%.1f", g/noise)
		}
		fmt.Fprintf(b, "| %d | %s | %s | %s | %s | %s | %s | %s | %d | %s |\n", i+1, st.Row.Time.UTC().Format(time.RFC3339), commit,
			mdText(strings.Join(st.Changed, " ")), fmtScore(st.Before.Median), fmtScore(st.After.Median), fmtDelta(st.Gain()), ratio, st.After.N, strings.Join(nb, ", "))
	}
	if s.Marked {
		for _, c := range d.Commits[min(len(d.Commits), len(s.Steps)):] {
			fmt.Fprintf(b, "| | %s | %s | _a commit without a keep_ | | | | | | |\n", c.Time.UTC().Format(time.RFC3339), commitText(c))
		}
	}
	b.WriteString("\nAdopted values (baseline to final):\n\n| parameter | baseline | final | adoptions |\n|---|---|---|--:|\n")
	for _, t := range s.Params {
		if t.Kept > 0 {
			fmt.Fprintf(b, "| %s | %s | %s | %d |\n", mdText(t.Name), mdText(t.Baseline), mdText(t.Winner), t.Kept)
		}
	}
	b.WriteString("\n")
	base, final := parseParams(s.canon[s.Baseline]), parseParams(s.canon[s.Best])
	var diff []string
	for _, n := range final.names {
		if v, ok := base.values[n]; !ok || v != final.values[n] {
			diff = append(diff, n+"="+final.values[n])
		}
	}
	fmt.Fprintf(b, "Final configuration (trial key %s) differs from the baseline in: %s\n\n", s.Best.Key(), mdCode(strings.Join(diff, " ")))
}

func writeDiscarded(b *strings.Builder, s *Summary) {
	var rows []ParamTrail
	for _, t := range s.Params {
		if t.Trials > 0 {
			rows = append(rows, t)
		}
	}
	if len(rows) == 0 {
		b.WriteString("No probe changed a parameter.\n\n")
	} else {
		b.WriteString("Probes per parameter (the seed excluded: its trials are replicates, section 5). Medians are over the seeds each configuration ran on.\n\n")
		b.WriteString("| parameter | values probed | probes | best discarded probe | its median | incumbent's median | neighbour change |\n")
		b.WriteString("|---|---|--:|---|--:|--:|--:|\n")
		for _, t := range rows {
			best, bm, im := "", "", ""
			if t.Best != "" {
				best, bm, im = mdText(t.Best), spreadText(t.BestSpread), spreadText(t.Incumbent)
			}
			fmt.Fprintf(b, "| %s | %s | %d | %s | %s | %s | %s |\n", mdText(t.Name), mdText(strings.Join(t.Tried, ", ")), t.Trials, best, bm, im, fmtStat(t.NeighbourChange, "%.4f"))
		}
		b.WriteString("\n")
	}
	b.WriteString("_One line per idea that changed code rather than parameters (its trials have the incumbent's key): what it was and its score._\n\n")
}

func writeNoise(b *strings.Builder, s *Summary, noise float64, parts []string) {
	fmt.Fprintf(b, "Noise %s: the largest of %s.\n\n", fmtScore(noise), mdText(strings.Join(parts, "; ")))
	b.WriteString("| configuration | seeds | median | interquartile | min | max | rejected |\n|---|--:|--:|--:|--:|--:|--:|\n")
	line := func(name string, r *ledger.Row) {
		sp := s.Spread(r)
		fmt.Fprintf(b, "| %s | %d | %s | %s | %s | %s | %d |\n", name, sp.N, fmtScore(sp.Median), fmtIQR(sp.Interquartile), fmtScore(sp.Min), fmtScore(sp.Max), sp.Rejected)
	}
	line("baseline", s.Baseline)
	for i := range s.Steps {
		name := fmt.Sprintf("after keep %d", i+1)
		if i == len(s.Steps)-1 {
			name += " (final)"
		}
		line(name, s.Steps[i].Row)
	}
	b.WriteString("\n")
	if s.Spread(s.Best).N < 2 {
		b.WriteString("The final configuration ran on one seed: measure its noise with `gem run $DATA $RESEARCH --seeds 8` at the final defaults, then draft the report again.\n\n")
	}
}

// orNot is a note, or "not asked for" when it is empty.
func orNot(note string) string { return mdText(cmp.Or(note, "not asked for")) }

func (d *Draft) writeSelection(b *strings.Builder) {
	if len(d.Selection) == 0 {
		fmt.Fprintf(b, "Not computed: %s. `gem ledger stats --since $START --key KEY` (KEY: the final configuration's) computes them.\n\n", orNot(d.SelectionNote))
		return
	}
	b.WriteString("| |")
	for _, f := range d.Selection {
		fmt.Fprintf(b, " %s |", mdText(f.Label))
	}
	b.WriteString("\n|---|" + strings.Repeat("---|", len(d.Selection)) + "\n")
	row := func(name string, cell func(f *SelectionFigures) string) {
		b.WriteString("| " + name + " |")
		for i := range d.Selection {
			b.WriteString(" " + cell(&d.Selection[i]) + " |")
		}
		b.WriteString("\n")
	}
	row("judged trial", func(f *SelectionFigures) string { return mdText(f.Judged + " (" + f.JudgedBy + ")") })
	row("configurations, days", func(f *SelectionFigures) string { return fmt.Sprintf("%d, %d", f.Configurations, f.Days) })
	row("PBO", func(f *SelectionFigures) string { return fmtStat(f.PBO, "%.3f") })
	row("deflated Sharpe (effective trials, participation ratio)", func(f *SelectionFigures) string {
		return fmtStat(f.DeflatedSharpe, "%.3f") + " (" + fmtStat(f.EffectiveTrials, "%.1f") + ")"
	})
	row("deflated Sharpe (effective trials, average correlation)", func(f *SelectionFigures) string {
		return fmtStat(f.DeflatedSharpeAvg, "%.3f") + " (" + fmtStat(f.EffectiveTrialsAvg, "%.1f") + ")"
	})
	row("SPA p, reality check p (against BTC+ETH)", func(f *SelectionFigures) string {
		return fmtStat(f.SPA, "%.3f") + ", " + fmtStat(f.RealityCheck, "%.3f")
	})
	row("verdict", func(f *SelectionFigures) string { return mdText(f.Verdict) })
	b.WriteString("\n")
	for _, f := range d.Selection {
		for _, n := range f.Notes {
			fmt.Fprintf(b, "Note (%s): %s\n\n", mdText(f.Label), mdText(n))
		}
	}
	b.WriteString("_What they say, in one sentence._\n\n")
}

func (d *Draft) writeHoldout(b *strings.Builder) {
	h := d.Holdout
	if h == nil {
		fmt.Fprintf(b, "Not evaluated: %s. `gem ledger summarize --since $START $DATA --holdout-from FROM --holdout-to TO` evaluates the baseline and the final configuration beside BTC+ETH on the hold-out (program.md's `$HOLDOUT` dates).\n\n", orNot(d.HoldoutNote))
		return
	}
	fmt.Fprintf(b, "Window %s, warm (the models see all data before it), evaluated by harness %s, one run each at its recorded seed; not recorded in the ledger.\n\n", mdText(h.Window), mdText(h.Harness))
	b.WriteString("| configuration | key | score | annualised % | max drawdown % | rejection |\n|---|---|--:|--:|--:|---|\n")
	for _, r := range h.Rows {
		fmt.Fprintf(b, "| %s | %s | %s | %.2f | %.2f | %s |\n", mdText(r.Name), mdText(r.Key), fmtScore(r.Score), r.AnnualizedPct, r.MaxDrawdownPct, mdText(r.Rejection))
	}
	b.WriteString("\n" + h.verdict() + "\n\n")
}

// better reports whether a did better than b: by score, or by annualised
// return when both are rejected.
func better(a, b HoldoutRow) bool {
	if finite(a.Score) || finite(b.Score) {
		return a.Score > b.Score
	}
	return a.AnnualizedPct > b.AnnualizedPct
}

// verdict says whether the final configuration beat the baseline and the
// benchmark on the hold-out (rows: baseline, final, benchmark).
func (h *Holdout) verdict() string {
	if len(h.Rows) < 3 {
		return ""
	}
	base, final, bench := h.Rows[0], h.Rows[1], h.Rows[2]
	say := func(x bool) string {
		if x {
			return "beat"
		}
		return "did not beat"
	}
	how := "by score"
	if !finite(base.Score) && !finite(final.Score) {
		how = "both rejected, by annualised return"
	}
	return fmt.Sprintf("The final configuration %s the baseline (%s) and %s %s on the hold-out.", say(better(final, base)), how, say(better(final, bench)), mdText(bench.Name))
}

func (d *Draft) writeVerification(b *strings.Builder) {
	v := d.Verify
	switch {
	case v == Verification{}:
		b.WriteString("`gem ledger verify`: _its verdict_.\n\n")
	case v.Foreign == 0 && v.Untrusted == 0:
		fmt.Fprintf(b, "`gem ledger verify`: all %d rows were produced by the current harness.\n\n", v.Rows)
	default:
		fmt.Fprintf(b, "`gem ledger verify`: **%d of %d rows were produced by another harness, %d lines are not trusted rows** (it exits 1).\n\n", v.Foreign, v.Rows, v.Untrusted)
	}
	b.WriteString("`gem check lookahead $DATA`: _its verdict_.\n\n")
}

func (d *Draft) writeHonesty(b *strings.Builder, s *Summary) {
	probes := len(s.Rows) - s.Marks - s.Replicates - 1
	fmt.Fprintf(b, "* Trials: %d (the baseline, %d probes, %d replicates of an incumbent), %d kept.\n", len(s.Rows)-s.Marks, probes, s.Replicates, s.Kept)
	if d.Holdout != nil {
		fmt.Fprintf(b, "* Hold-out: %s\n", d.Holdout.verdict())
	}
	b.WriteString("* _What a backtest cannot prove here: one path of history, one fee model, no market impact._\n")
	b.WriteString("* _What to try next._\n")
}

// commitText is a commit's short hash and the start of its subject, for a
// table cell.
func commitText(c Commit) string {
	subj := c.Subject
	if r := []rune(subj); len(r) > 60 {
		subj = string(r[:60]) + "…"
	}
	return mdText(c.Hash[:min(7, len(c.Hash))] + " " + subj)
}

// fmtStat formats a statistic, n/a when it is NaN or infinite.
func fmtStat(x float64, format string) string {
	if !finite(x) {
		return "n/a"
	}
	return fmt.Sprintf(format, x)
}

// fmtIQR formats an interquartile width, +Inf (a rejected quartile) as
// undefined.
func fmtIQR(x float64) string {
	if math.IsInf(x, 1) {
		return "undefined"
	}
	return fmtScore(x)
}

// Verify counts the rows of a whole ledger that gem ledger verify lists.
func Verify(rows []ledger.Row, untrusted int, current string) Verification {
	return Verification{Rows: len(rows), Foreign: len(ledger.Foreign(rows, current)), Untrusted: untrusted}
}
