package render

import (
	"context"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"gem/ledger"
	"gem/search"
	"gem/space"
	"gem/trial"
)

// TrialLine writes one trial on one line: its label, score (six decimals
// when finite), the main base-run metrics, and a note when it was taken
// from the ledger rather than run.
func TrialLine(w io.Writer, label string, r *trial.Result) {
	b := r.Row.Base
	score := ledger.FormatFloat(r.Row.Score)
	if !math.IsInf(r.Row.Score, 0) {
		score = fmt.Sprintf("%.6f", r.Row.Score)
	}
	from := ""
	if r.Resumed {
		from = "  (already evaluated)"
	}
	fmt.Fprintf(w, "%s  score=%s  ann=%.2f%%  dd=%.2f%%  calmar=%.3f  sharpe=%.3f  rebalances=%d%s\n",
		label, score, b.AnnualizedReturnPct, b.MaxDrawdownPct, b.CalmarRatio, b.SharpeRatio, b.RebalanceCount, from)
}

// Trials makes s print to w as it runs, each configuration labelled by the
// parameters in show (Label): one TrialLine per trial, or with s.Seeds > 0
// one line per configuration with the spread of its scores.
func Trials(w io.Writer, s *trial.Search, show ...string) {
	if s.Seeds > 0 {
		s.OnSeeds = func(sp trial.Spec, spread trial.Spread) {
			fmt.Fprintf(w, "%s  %s\n", Label(sp.Params, show...), spread)
		}
		return
	}
	s.OnTrial = func(sp trial.Spec, r *trial.Result) { TrialLine(w, Label(sp.Params, show...), r) }
}

// Finish writes the line "Best: ..." (the best configuration so far and its
// score, the median with seeds) when s has one and, when the run completed,
// the line "Done. ..." with the count and the elapsed time.
func Finish(w io.Writer, s *trial.Search, elapsed time.Duration, complete bool, show ...string) {
	if s.Best != nil {
		what := "score"
		if s.Seeds > 0 {
			what = fmt.Sprintf("median_score_over_%d_seeds", s.Seeds)
		}
		fmt.Fprintf(w, "Best: %s %s=%s\n", Label(s.BestSpec.Params, show...), what, ledger.FormatFloat(s.BestScore))
	}
	if complete {
		fmt.Fprintf(w, "Done. %d configurations (%d not run again: already in the ledger or earlier in this run) in %.1fs\n", s.Count, s.Resumed, elapsed.Seconds())
	}
}

// Search runs s with m under budget evaluations in batches (trial.Search.Run)
// and prints it to w as it goes (Trials), then its best and, when it
// completed, the summary with the time since start (Finish). It returns the
// error of the run.
func Search(ctx context.Context, w io.Writer, s *trial.Search, m search.Method, budget, batch int, start time.Time, show ...string) error {
	Trials(w, s, show...)
	err := s.Run(ctx, m, budget, batch)
	Finish(w, s, time.Since(start), err == nil, show...)
	return err
}

// Phases makes m announce each phase on w as it starts and its winner as it
// ends.
func Phases(w io.Writer, m *search.Phased) {
	m.OnPhase = func(name string, n int) { fmt.Fprintf(w, "Phase %s: %d configurations\n", name, n) }
	m.OnResult = func(res search.PhaseResult) {
		fmt.Fprintf(w, "Phase %s winner: %s score=%s (%d configurations)\n", res.Phase, Label(res.Winner), ledger.FormatFloat(res.Score), res.Tried)
	}
}

// Plan lists a plan's phases and configurations without running them,
// streamed: each grid configuration as its phase's parameters in the plan's
// order, each one-at-a-time configuration as its change from the baseline,
// then the total. Later phases are shown around the starting baseline; when
// run, they start from the earlier phases' winners.
func Plan(w io.Writer, pl search.Plan, base space.Assignment) error {
	total, cur := 0, ""
	err := pl.Each(base, func(ph search.PhaseInfo, a space.Assignment) bool {
		if ph.Name != cur {
			cur = ph.Name
			mode, size, around := "grid", fmt.Sprint(ph.Size), "the defaults and --set values"
			if !ph.Grid {
				mode, size = "one_at_a_time", fmt.Sprintf("at most %d", ph.Size)
			}
			if total > 0 {
				around = "the winners of the earlier phases"
			}
			fmt.Fprintf(w, "Phase %s (%s): %s configurations around %s\n", ph.Name, mode, size, around)
		}
		var parts []string
		if ph.Grid {
			for _, n := range ph.Params {
				v, _ := a.Text(n)
				parts = append(parts, n+"="+v)
			}
		} else if d := a.Diff(base); d != "" {
			parts = append(parts, d)
		} else {
			parts = append(parts, "baseline")
		}
		fmt.Fprintf(w, "  %s\n", strings.Join(parts, " "))
		total++
		return true
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "Total: %d configurations\n", total)
	return nil
}

// Shown is what the trial lines of a sweep of pl name besides the changes
// from the defaults (Trials' show): a one-phase plan's parameters, whatever
// their values; nothing for a plan of several phases.
func Shown(pl search.Plan) []string {
	if len(pl.Phases) != 1 {
		return nil
	}
	var show []string
	for _, p := range pl.Phases[0].Params {
		show = append(show, p.Name)
	}
	return show
}
