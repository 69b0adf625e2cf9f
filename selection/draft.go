package selection

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"slices"
	"time"

	"gem/harness"
	"gem/ledger"
	"gem/report"
	"gem/trial"
)

// DraftOptions are the inputs of Draft.
type DraftOptions struct {
	Ledger string // the ledger file; the trials' daily returns are read from the returns file beside it
	Since  string // the session's start: only trials recorded at or after it (ledger.ParseSince; "": all)
	Git    string // the repository whose commits since Since pair with the keep marks ("": none)
	// Load returns the data of the hold-out, and of the benchmark when the
	// returns file lacks it (nil, or a nil panel: neither is evaluated);
	// it must be the trials' data.
	Load func() (*harness.Panel, error)
	// HoldoutFrom and HoldoutTo are the hold-out's first and last days
	// (YYYY-MM-DD; either may be empty for an open end, both empty for no
	// hold-out).
	HoldoutFrom, HoldoutTo string
	Stats                  Options // the statistics' settings; Key is ignored
}

// Draft drafts program.md's shutdown report from the ledger: the tables
// of its research group (report.MainGroup), the commits since the start
// beside the keep marks, the statistics of selection for the whole session
// (the best trial by Sharpe ratio judged) and for the kept configuration
// (the final one judged), and, with a panel and a hold-out window, the
// hold-out of the baseline and the final configuration beside BTC+ETH,
// evaluated by the current harness and not recorded. What it cannot
// compute carries a note; it fails on an unreadable ledger, on a bad
// hold-out window and on a panel that is not the trials' data.
func Draft(ctx context.Context, opt DraftOptions) (*report.Draft, error) {
	var since time.Time
	if opt.Since != "" {
		var err error
		if since, err = ledger.ParseSince(opt.Since); err != nil {
			return nil, err
		}
	}
	rows, problems, err := ledger.Read(opt.Ledger)
	if err != nil {
		return nil, err
	}
	var panel *harness.Panel
	if opt.Load != nil {
		if panel, err = opt.Load(); err != nil {
			return nil, err
		}
	}
	current := harness.Fingerprint()
	d := &report.Draft{Ledger: opt.Ledger, Harness: current, Since: since, Verify: report.Verify(rows, len(problems), current)}
	rows = slices.DeleteFunc(rows, func(r ledger.Row) bool { return r.Time.Before(since) })
	d.Summaries = report.Summarize(rows)
	d.Main = report.MainGroup(d.Summaries)
	if d.Main < 0 {
		return d, nil
	}
	s := &d.Summaries[d.Main]
	switch {
	case opt.Git == "":
		d.CommitsNote = "no repository given"
	case since.IsZero():
		d.CommitsNote = "no start time (--since) to read them from"
	default:
		if d.Commits, err = report.ReadCommits(opt.Git, since); err != nil {
			d.CommitsNote = err.Error()
		}
	}
	var holdout trial.Window
	if opt.HoldoutFrom != "" || opt.HoldoutTo != "" {
		if holdout, err = trial.ParseWindow(opt.HoldoutFrom + ".." + opt.HoldoutTo); err != nil {
			return nil, fmt.Errorf("hold-out: %w", err)
		}
	}
	if panel != nil && panel.Fingerprint() != s.Data {
		return nil, fmt.Errorf("--data has fingerprint %s, the trials' data %s: give the same files and filters", panel.Fingerprint(), s.Data)
	}
	d.SelectionNote = selectionFigures(ctx, d, s, panel, opt)
	switch {
	case holdout == trial.Window{}:
		d.HoldoutNote = "no hold-out window given"
	case panel == nil:
		d.HoldoutNote = "no data given"
	default:
		if d.Holdout, err = evaluateHoldout(ctx, panel, s, holdout); err != nil {
			d.HoldoutNote = err.Error()
		}
	}
	return d, nil
}

// selectionFigures fills d.Selection, returning why it could not.
func selectionFigures(ctx context.Context, d *report.Draft, s *report.Summary, panel *harness.Panel, opt DraftOptions) string {
	list, rproblems, err := ledger.ReadReturns(ledger.ReturnsPath(opt.Ledger))
	if errors.Is(err, os.ErrNotExist) {
		return "no returns file beside the ledger"
	} else if err != nil {
		return err.Error()
	}
	series := make(map[string]*ledger.Series, len(list))
	for i := range list {
		series[list[i].Key] = &list[i]
	}
	g := s.Group
	bench := series[trial.BenchmarkKey(g.Fill, g.Window, g.Harness, g.Data)]
	if bench == nil && panel != nil {
		if bench, err = Benchmark(ctx, panel, g); err != nil {
			return err.Error()
		}
	}
	for _, judge := range []struct{ label, key string }{{"whole session", ""}, {"kept configuration", s.Best.Key()}} {
		o := opt.Stats
		o.Key = judge.key
		st, err := Compute(g, series, bench, o)
		if err != nil {
			return fmt.Sprintf("%s: %v", judge.label, err)
		}
		f := st.figures(judge.label)
		if len(rproblems) > 0 {
			f.Notes = append(f.Notes, fmt.Sprintf("%d records of the returns file were unreadable and skipped", len(rproblems)))
		}
		d.Selection = append(d.Selection, f)
	}
	return ""
}

// figures are the statistics as the shutdown report shows them.
func (st *Stats) figures(label string) report.SelectionFigures {
	v := func(o optFloat) float64 {
		if !o.ok {
			return math.NaN()
		}
		return o.v
	}
	return report.SelectionFigures{Label: label, Judged: st.Judged, JudgedBy: st.JudgedBy, Configurations: st.Configurations, Days: st.Days,
		PBO: v(st.PBO), DeflatedSharpe: v(st.DeflatedSharpe), EffectiveTrials: v(st.EffectiveTrials),
		DeflatedSharpeAvg: v(st.DeflatedSharpeAvg), EffectiveTrialsAvg: v(st.EffectiveTrialsAvg),
		SPA: v(st.SPAPValue), RealityCheck: v(st.RealityCheckPValue), Verdict: st.Verdict, Notes: st.Notes}
}

// Benchmark evaluates BTC+ETH buy-and-hold on p over the group's window
// with its fill mode and returns its daily returns; p must be the group's
// data and the current harness the group's.
func Benchmark(ctx context.Context, p *harness.Panel, g *report.Group) (*ledger.Series, error) {
	if p.Fingerprint() != g.Data {
		return nil, fmt.Errorf("--data has fingerprint %s, the trials' data %s: give the same files and filters", p.Fingerprint(), g.Data)
	}
	if g.Harness != harness.Fingerprint() {
		return nil, fmt.Errorf("the trials were run by harness %s, this gem is %s: their benchmark cannot be recomputed", g.Harness, harness.Fingerprint())
	}
	spec, err := trial.ParseSpec("benchmark", g.Fill, g.Window, "")
	if err != nil {
		return nil, err
	}
	r, err := trial.Evaluate(ctx, trial.NewEnv(p, "stats"), spec)
	if err != nil {
		return nil, err
	}
	return r.Returns, nil
}

// evaluateHoldout evaluates the baseline, the final configuration and the
// benchmark of s on window w of p.
func evaluateHoldout(ctx context.Context, p *harness.Panel, s *report.Summary, w trial.Window) (*report.Holdout, error) {
	env := trial.NewEnv(p, "summarize")
	h := &report.Holdout{Window: w.String(), Harness: harness.Fingerprint()}
	for _, c := range []struct {
		name, strategy, params string
	}{{"baseline", s.Strategy, s.Baseline.Params}, {"final", s.Strategy, s.Best.Params}, {"BTC+ETH", "benchmark", ""}} {
		spec, err := trial.ParseSpec(c.strategy, s.Fill, w.String(), c.params)
		if err != nil {
			return nil, fmt.Errorf("the %s configuration: %w", c.name, err)
		}
		r, err := trial.Evaluate(ctx, env, spec)
		if err != nil {
			return nil, fmt.Errorf("the %s on the hold-out: %w", c.name, err)
		}
		h.Rows = append(h.Rows, report.HoldoutRow{Name: c.name, Key: r.Row.Key(), Score: r.Score(),
			AnnualizedPct: r.Row.Base.AnnualizedReturnPct, MaxDrawdownPct: r.Row.Base.MaxDrawdownPct, Rejection: r.Row.Rejection})
	}
	return h, nil
}

// Judge computes the statistics of the group PickGroup chooses among rows
// for opt.Key; the benchmark's returns are the returns file's or, when it
// lacks them, evaluated on the panel load returns (load nil or a nil
// panel: no SPA).
func Judge(ctx context.Context, rows []ledger.Row, series map[string]*ledger.Series, opt Options, load func() (*harness.Panel, error)) (*Stats, error) {
	g, err := PickGroup(rows, opt.Key)
	if err != nil {
		return nil, err
	}
	bench := series[trial.BenchmarkKey(g.Fill, g.Window, g.Harness, g.Data)]
	if bench == nil && load != nil {
		p, err := load()
		if err != nil {
			return nil, err
		}
		if p != nil {
			if bench, err = Benchmark(ctx, p, g); err != nil {
				return nil, err
			}
		}
	}
	return Compute(g, series, bench, opt)
}
