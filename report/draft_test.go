package report

import (
	"bytes"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"gem/ledger"
	"gem/trial"
)

// seedLedger is a session by hand: a baseline a=1 b=1 on three seeds, a
// probe a=2 on three seeds, a spike a=3 rejected on two of its three
// seeds, a gem keep of a=2, a probe b=5 against it and a fourth seed of
// a=2.
func seedLedger() []ledger.Row {
	t0 := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	var rows []ledger.Row
	add := func(cmd, params string, score float64) {
		rows = append(rows, ledger.Row{Time: t0.Add(time.Duration(len(rows)) * time.Minute), Command: cmd, Strategy: "s", Fill: "causal",
			Params: params, Score: score, Harness: "h", Data: "d", Seconds: 10})
	}
	inf := math.Inf(-1)
	add("run", "a=1 b=1 hmm.seed=1", 0.10)
	add("run", "a=1 b=1 hmm.seed=2", 0.12)
	add("run", "a=1 b=1 hmm.seed=3", 0.08)
	add("sweep", "a=2 b=1 hmm.seed=1", 0.20)
	add("sweep", "a=2 b=1 hmm.seed=2", 0.22)
	add("sweep", "a=2 b=1 hmm.seed=3", 0.18)
	add("sweep", "a=3 b=1 hmm.seed=1", 0.50)
	add("sweep", "a=3 b=1 hmm.seed=2", inf)
	add("sweep", "a=3 b=1 hmm.seed=3", inf)
	add(KeepCommand, "a=2 b=1 hmm.seed=1", 0.20)
	add("sweep", "a=2 b=5 hmm.seed=1", 0.25)
	add("run", "a=2 b=1 hmm.seed=4", 0.21)
	return rows
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-12 }

// TestSummarizeSeedsAndKeeps checks the figures of seedLedger against a
// hand calculation.
func TestSummarizeSeedsAndKeeps(t *testing.T) {
	rows := seedLedger()
	sums := Summarize(rows)
	if len(sums) != 1 {
		t.Fatalf("%d groups, want 1", len(sums))
	}
	s := sums[0]
	// Replicates: seeds 2 and 3 of the baseline, seed 4 of a=2 after its
	// keep. Discarded: the three a=3 trials and b=5; the a=2 probes led to
	// the keep.
	if !s.Marked || s.Marks != 1 || s.Kept != 1 || s.Replicates != 3 || s.Discarded != 4 || s.Rejected != 2 {
		t.Errorf("marked %v marks %d kept %d replicates %d discarded %d rejected %d; want true 1 1 3 4 2",
			s.Marked, s.Marks, s.Kept, s.Replicates, s.Discarded, s.Rejected)
	}
	if s.Best != &s.Rows[9] {
		t.Errorf("final configuration is row %q, want the keep", s.Best.Params)
	}
	var names []string
	for _, p := range s.Params {
		names = append(names, p.Name)
	}
	if !slices.Equal(names, []string{"a", "b"}) {
		t.Fatalf("parameters %v, want [a b] (the seed is not tuned)", names)
	}
	a, b := s.Params[0], s.Params[1]
	if !slices.Equal(a.Tried, []string{"2", "3"}) || a.Baseline != "1" || a.Winner != "2" || a.Trials != 6 || a.Kept != 1 || a.Best != "a=3" {
		t.Errorf("a: %+v", a)
	}
	if !slices.Equal(b.Tried, []string{"5"}) || b.Baseline != "1" || b.Winner != "1" || b.Trials != 1 || b.Kept != 0 || b.Best != "b=5" {
		t.Errorf("b: %+v", b)
	}
	// b=5 ran on one seed (0.25) against a=2 on seeds 1..4: median of
	// 0.18, 0.20, 0.21, 0.22 is 0.205.
	if !near(b.BestSpread.Median, 0.25) || !near(b.Incumbent.Median, 0.205) {
		t.Errorf("b's best probe %v against %v, want 0.25 against 0.205", b.BestSpread.Median, b.Incumbent.Median)
	}
	if len(s.Steps) != 1 {
		t.Fatalf("%d steps", len(s.Steps))
	}
	st := s.Steps[0]
	if !slices.Equal(st.Changed, []string{"a=2"}) || !near(st.Before.Median, 0.10) || !near(st.After.Median, 0.205) || st.After.N != 4 || !near(st.Gain(), 0.105) {
		t.Errorf("step: changed %v, before %v after %v over %d", st.Changed, st.Before.Median, st.After.Median, st.After.N)
	}
	// Neighbours of a=2 against the baseline: a=3 above (median −Inf of
	// 0.5, −Inf, −Inf); nothing below but the incumbent's own value.
	if len(st.Neighbours) != 1 || st.Neighbours[0].Value != "3" || !math.IsInf(st.Neighbours[0].Median, -1) {
		t.Errorf("neighbours %+v, want [3=-inf]", st.Neighbours)
	}
	// Neighbour pairs: a 1→2 (0.10 → 0.205) and b 1→5 (0.205 → 0.25); a 2→3
	// has a rejected median.
	if s.NeighbourPairs != 2 || !near(s.NeighbourChange, (0.105+0.045)/2) || !near(a.NeighbourChange, 0.105) || !near(b.NeighbourChange, 0.045) {
		t.Errorf("neighbour change %v over %d pairs (a %v, b %v)", s.NeighbourChange, s.NeighbourPairs, a.NeighbourChange, b.NeighbourChange)
	}
	// Seed IQRs (numpy's type 7): final 0.2125 − 0.195 = 0.0175, baseline
	// 0.11 − 0.09 = 0.02; the neighbour change 0.075 is the largest.
	if sp := s.Spread(s.Best); !near(sp.Interquartile, 0.0175) {
		t.Errorf("final IQR %v, want 0.0175", sp.Interquartile)
	}
	if n, _ := s.Noise(); !near(n, 0.075) {
		t.Errorf("noise %v, want 0.075", n)
	}
}

// TestSummarizeMissingParameter: a row written before a parameter existed
// names fewer parameters; those take today's defaults, so the trial at
// the defaults is a replicate and a probe changes only what it changed.
func TestSummarizeMissingParameter(t *testing.T) {
	full, err := trial.ParseSpec("specialist", "causal", "", "top_n=3")
	if err != nil {
		t.Fatal(err)
	}
	r := ledger.Row{Strategy: "specialist", Fill: "causal", Params: full.Params.String(), Score: 0.1, Harness: "h", Data: "d"}
	old, probe := r, r
	old.Params, old.Score = "top_n=3", 0.1
	probe.Params, probe.Score = "top_n=5", 0.05
	s := Summarize([]ledger.Row{old, r, probe})[0]
	if s.Replicates != 1 || len(s.Params) != 1 || s.Params[0].Name != "top_n" || s.Discarded != 1 {
		t.Errorf("replicates %d, discarded %d, params %+v; want 1, 1, top_n alone", s.Replicates, s.Discarded, s.Params)
	}
}

// draftFixture is seedLedger's draft with everything a session gives.
func draftFixture(subject, note string) *Draft {
	sums := Summarize(seedLedger())
	c0 := time.Date(2026, 5, 1, 10, 9, 0, 0, time.UTC)
	return &Draft{Ledger: "ledger.tsv", Harness: "h", Since: time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC), Summaries: sums, Main: MainGroup(sums),
		Commits: []Commit{{Hash: "0123456789abcdef", Time: c0, Subject: subject}},
		Selection: []SelectionFigures{
			{Label: "whole session", Judged: "k1", JudgedBy: "best Sharpe", Configurations: 4, Days: 300, PBO: 0.4, DeflatedSharpe: 0.9, EffectiveTrials: 2,
				DeflatedSharpeAvg: math.NaN(), EffectiveTrialsAvg: math.NaN(), SPA: 0.5, RealityCheck: 0.6, Verdict: note, Notes: []string{note}},
			{Label: "kept configuration", Judged: "k2", JudgedBy: "--key", PBO: 0.4, DeflatedSharpe: 0.8, EffectiveTrials: 2,
				DeflatedSharpeAvg: math.NaN(), EffectiveTrialsAvg: math.NaN(), SPA: 0.5, RealityCheck: 0.6, Verdict: "v"},
		},
		Holdout: &Holdout{Window: "2025-01-01..2025-06-12", Harness: "h", Rows: []HoldoutRow{
			{Name: "baseline", Key: "b", Score: math.Inf(-1), AnnualizedPct: -60, Rejection: note},
			{Name: "final", Key: "f", Score: 0.1, AnnualizedPct: 20},
			{Name: "BTC+ETH", Key: "e", Score: 0.3, AnnualizedPct: 40},
		}},
		Verify: Verification{Rows: 12, Foreign: 2},
	}
}

// TestDraftWrite: the sections are ShutdownSections in order; the keep is
// beside its commit; the figures of the selection, the hold-out and the
// verification are there.
func TestDraftWrite(t *testing.T) {
	var buf bytes.Buffer
	if err := draftFixture("a=2: median 0.10 -> 0.205", "n").Write(&buf); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	var got []string
	for _, m := range regexp.MustCompile(`(?m)^## \d+\. (.+)$`).FindAllStringSubmatch(out, -1) {
		got = append(got, m[1])
	}
	if !slices.Equal(got, ShutdownSections) {
		t.Errorf("sections %q, want %q", got, ShutdownSections)
	}
	for _, want := range []string{
		"| noise | 0.0750 (section 5) |",
		"1 keeps marked with `gem keep`, 1 commits since the start (git log, oldest first, paired in order): they agree.",
		"| 1 | 2026-05-01T10:09:00Z | 0123456 a=2: median 0.10 -&gt; 0.205 | a=2 | 0.1000 | 0.2050 | +0.1050 | 1.4 | 4 | 3=-inf |",
		"| a | 1 | 2 | 1 |",
		"| b | 5 | 1 | b=5 | median 0.2500 over 1 seed | median 0.2050 over 4 seeds | 0.0450 |",
		"| after keep 1 (final) | 4 | 0.2050 | 0.0175 | 0.1800 | 0.2200 | 0 |",
		"| PBO | 0.400 | 0.400 |",
		"| deflated Sharpe (effective trials, average correlation) | n/a (n/a) | n/a (n/a) |",
		"The final configuration beat the baseline (by score) and did not beat BTC+ETH on the hold-out.",
		"**2 of 12 rows were produced by another harness, 0 lines are not trusted rows**",
		"* Trials: 11 (the baseline, 7 probes, 3 replicates of an incumbent), 1 kept.",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("draft lacks %q:\n%s", want, out)
		}
	}
	checkMarkdown(t, out)
}

// TestDraftHostile: commit subjects, notes, verdicts and rejections from
// outside are escaped in the draft too.
func TestDraftHostile(t *testing.T) {
	const bad = "<img src=x onerror=alert(1)>|`x`*[y](javascript:z)~~"
	var buf bytes.Buffer
	d := draftFixture(bad, bad)
	d.Ledger = bad
	if err := d.Write(&buf); err != nil {
		t.Fatal(err)
	}
	checkMarkdown(t, buf.String())
	if strings.Contains(buf.String(), "<img") {
		t.Error("a raw tag survives")
	}
	// The hostile ledger of hostileRows, as a draft.
	buf.Reset()
	hd := &Draft{Harness: "h", Summaries: Summarize(hostileRows()), Commits: []Commit{{Hash: bad, Subject: bad}}, Main: 0}
	if err := hd.Write(&buf); err != nil {
		t.Fatal(err)
	}
	checkMarkdown(t, buf.String())
}

// TestDraftDisagreesAndMissing: more commits than keeps are flagged and
// listed; missing parts say how to get them; an empty selection says so.
func TestDraftDisagreesAndMissing(t *testing.T) {
	d := draftFixture("one", "n")
	d.Commits = append(d.Commits, Commit{Hash: "fedcba9876543210", Subject: "two"})
	d.Selection, d.SelectionNote = nil, "no returns file beside the ledger"
	d.Holdout, d.HoldoutNote = nil, "no data given"
	var buf bytes.Buffer
	if err := d.Write(&buf); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{"**they do not agree", "| fedcba9 two | _a commit without a keep_ |",
		"Not computed: no returns file beside the ledger. `gem ledger stats --since $START --key KEY`",
		"Not evaluated: no data given. `gem ledger summarize --since $START $DATA --holdout-from FROM --holdout-to TO`",
		"| hold-out | not evaluated (section 7) |"} {
		if !strings.Contains(out, want) {
			t.Errorf("draft lacks %q:\n%s", want, out)
		}
	}
	checkMarkdown(t, out)
	buf.Reset()
	if err := (&Draft{Main: MainGroup(nil)}).Write(&buf); err != nil || !strings.Contains(buf.String(), "no trials") {
		t.Errorf("empty selection: %q, %v", buf.String(), err)
	}
}

// TestNoKeepMarks: without gem keep the draft says that nothing was
// adopted and that "kept" reads the ledger as a plain loop.
func TestNoKeepMarks(t *testing.T) {
	var rows []ledger.Row
	for _, r := range seedLedger() {
		if r.Command != KeepCommand {
			rows = append(rows, r)
		}
	}
	s := Summarize(rows)[0]
	// Plain loop: a=2 seed 1 (0.20) beats the baseline row (0.10) and its
	// seeds 2, 3 are replicates; a=3 seed 1 (0.5, a spike) beats 0.20 and
	// its rejected seeds are replicates; b=5 (0.25) and a=2 seed 4 lose
	// against it.
	if s.Marked || s.Kept != 2 || s.Best.Params != "a=3 b=1 hmm.seed=1" {
		t.Errorf("marked %v kept %d best %q", s.Marked, s.Kept, s.Best.Params)
	}
	var buf bytes.Buffer
	if err := WriteSummary(&buf, []Summary{s}, SummaryOptions{}); err != nil || !strings.Contains(buf.String(), "the agent adopted nothing") {
		t.Errorf("%v:\n%s", err, buf.String())
	}
}

// TestMainGroup: the group of the last keep wins over a larger one.
func TestMainGroup(t *testing.T) {
	rows := seedLedger()
	for i := range 20 {
		rows = append(rows, ledger.Row{Time: rows[0].Time.Add(time.Duration(i) * time.Second), Strategy: "other", Fill: "causal", Params: "a=1", Harness: "h", Data: "d"})
	}
	sums := Summarize(rows)
	if m := MainGroup(sums); m < 0 || sums[m].Strategy != "s" {
		t.Errorf("main group %d", m)
	}
	if m := MainGroup(sums[1:]); m != 0 {
		t.Errorf("without keeps: main group %d, want the largest", m)
	}
}

// TestProgramAgrees: program.md's report sections are the draft's, in
// order.
func TestProgramAgrees(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "program.md"))
	if err != nil {
		t.Skipf("program.md: %v", err)
	}
	s := string(b)
	i := strings.Index(s, "## The end")
	if i < 0 {
		t.Fatal("program.md has no section \"The end\"")
	}
	var got []string
	for _, m := range regexp.MustCompile(`(?m)^   \d+\. \*\*([^*]+)\*\*`).FindAllStringSubmatch(s[i:], -1) {
		got = append(got, m[1])
	}
	if !slices.Equal(got, ShutdownSections) {
		t.Errorf("program.md's report sections %q, the draft's %q", got, ShutdownSections)
	}
}

// TestReadCommits reads the commits of a scratch repository after a time.
func TestReadCommits(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	dir := t.TempDir()
	run := func(date string, args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=a", "GIT_AUTHOR_EMAIL=a@b", "GIT_COMMITTER_NAME=a", "GIT_COMMITTER_EMAIL=a@b",
			"GIT_AUTHOR_DATE="+date, "GIT_COMMITTER_DATE="+date)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v %s", args, err, out)
		}
	}
	run("", "init", "-q")
	for _, c := range []struct{ date, msg string }{{"2026-05-01T09:00:00Z", "before"}, {"2026-05-01T11:00:00Z", "first | kept"}, {"2026-05-01T12:00:00Z", "second"}} {
		run(c.date, "commit", "-q", "--allow-empty", "-m", c.msg)
	}
	cs, err := ReadCommits(dir, time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 2 || cs[0].Subject != "first | kept" || cs[1].Subject != "second" || len(cs[0].Hash) != 40 ||
		!cs[1].Time.Equal(time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)) {
		t.Errorf("commits %+v", cs)
	}
	if _, err := ReadCommits(filepath.Join(dir, "missing"), time.Time{}); err == nil {
		t.Error("no error outside a repository")
	}
}
