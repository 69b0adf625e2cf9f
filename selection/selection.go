// Package selection computes, for a group of comparable ledger trials, the
// statistics that say whether the best of them can be trusted (PBO, the
// deflated Sharpe ratio with an effective number of trials, SPA and the
// reality check against the benchmark, rank correlations between years):
// validation over the ledger, on top of package validate's statistics.
//
// Files:
//
//	selection.go   Options, PickGroup, Compute, Stats and its Write and Print.
//	draft.go       Judge (the group and benchmark of a key, then Compute),
//	               Benchmark, and Draft: program.md's shutdown report from the
//	               ledger, its statistics and its hold-out.
//	page.go        DefaultOptions, LedgerReport and LedgerSection: the
//	               statistics on gem report's ledger page.
//	compare.go     Comparison, Side, MeanInterval: configuration A against B,
//	               paired over seeds and days (gem compare).
package selection

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"text/tabwriter"

	"gem/harness"
	"gem/ledger"
	"gem/report"
	"gem/trial"
	"gem/validate"
)

// Options are the settings of Compute.
type Options struct {
	Key         string  // the kept configuration's trial key: its group, and the configuration judged
	Blocks      int     // PBO's blocks S (even, 2 to 24)
	Draws       int     // SPA's bootstrap resamples
	BlockLength float64 // SPA's mean block length, days
	Seed        uint64  // SPA's bootstrap seed
}

// minYearDays is the fewest days a calendar year needs to be ranked on its
// own; a shorter first or last year joins its neighbour.
const minYearDays = 60

// PickGroup returns the group of comparable trials holding key, or without
// a key the largest one (most distinct configurations; the later on ties),
// leaving out the benchmark's own rows.
func PickGroup(rows []ledger.Row, key string) (*report.Group, error) {
	groups := report.GroupRows(rows)
	distinct := func(g *report.Group) int {
		seen := map[string]bool{}
		for _, r := range g.Rows {
			seen[r.Key()] = true
		}
		return len(seen)
	}
	var best *report.Group
	for _, g := range groups {
		if key != "" {
			if slices.ContainsFunc(g.Rows, func(r ledger.Row) bool { return r.Key() == key }) {
				return g, nil
			}
			continue
		}
		if g.Strategy == "benchmark" {
			continue
		}
		if best == nil || distinct(g) >= distinct(best) {
			best = g
		}
	}
	switch {
	case key != "":
		return nil, fmt.Errorf("--key %s: no such trial among the selected rows", key)
	case best == nil:
		return nil, errors.New("no trials in the ledger (after --command and --since)")
	}
	return best, nil
}

// optFloat is a statistic that may not be computable: null in JSON.
type optFloat struct {
	v  float64
	ok bool
}

func some(x float64) optFloat { return optFloat{x, !math.IsNaN(x) && !math.IsInf(x, 0)} }

func (o optFloat) MarshalJSON() ([]byte, error) {
	if !o.ok {
		return []byte("null"), nil
	}
	return json.Marshal(o.v)
}

func (o optFloat) text(format string) string {
	if !o.ok {
		return "n/a"
	}
	return fmt.Sprintf(format, o.v)
}

// yearRank is the rank correlation of the configurations between two
// consecutive periods (calendar years).
type yearRank struct {
	From     string   `json:"from"`
	To       string   `json:"to"`
	Spearman optFloat `json:"spearman"`
	Kendall  optFloat `json:"kendall"`
}

// Stats is ledger stats' answer.
type Stats struct {
	Group          string   `json:"group"`
	Configurations int      `json:"configurations"`
	WithoutReturns int      `json:"without_returns"`
	Days           int      `json:"days"`
	From           string   `json:"from"`
	To             string   `json:"to"`
	Judged         string   `json:"judged_key"`
	JudgedParams   string   `json:"judged_params"`
	JudgedBy       string   `json:"judged_by"` // "best Sharpe" or "--key"
	JudgedSharpe   optFloat `json:"judged_sharpe_annualized"`

	PBO                optFloat `json:"pbo"`
	PBODegradation     optFloat `json:"pbo_degradation_slope"`
	PBOProbOOSLoss     optFloat `json:"pbo_prob_oos_loss"`
	PBOBlocks          int      `json:"pbo_blocks"`
	PBOWarnings        []string `json:"pbo_warnings"`
	DeflatedSharpe     optFloat `json:"deflated_sharpe"`
	EffectiveTrials    optFloat `json:"effective_trials"`
	ExpectedMaxSharpe  optFloat `json:"expected_max_sharpe_annualized"`
	DeflatedSharpeAvg  optFloat `json:"deflated_sharpe_average_correlation"`
	EffectiveTrialsAvg optFloat `json:"effective_trials_average_correlation"`
	AverageCorrelation optFloat `json:"average_correlation"`

	Benchmark          string   `json:"benchmark_key"`
	SPAPValue          optFloat `json:"spa_pvalue"`
	RealityCheckPValue optFloat `json:"reality_check_pvalue"`
	SPABest            string   `json:"spa_best_key"`
	BenchmarkSharpe    optFloat `json:"benchmark_sharpe_annualized"`

	YearRanks       []yearRank `json:"year_ranks"`
	MeanYearRankCor optFloat   `json:"mean_year_spearman"`

	Notes   []string `json:"notes"`
	Verdict string   `json:"verdict"`
}

// annualise turns a per-day Sharpe ratio into the harness's convention
// (√252, as harness.ComputeMetrics).
func annualise(sr float64) float64 { return sr * math.Sqrt(252) }

// Compute computes the statistics of group g from the series, bench
// being the benchmark's (nil: no SPA).
func Compute(g *report.Group, series map[string]*ledger.Series, bench *ledger.Series, opt Options) (*Stats, error) {
	st := &Stats{Group: g.Label(), PBOBlocks: opt.Blocks, PBOWarnings: []string{}, Notes: []string{}}
	var keys []string
	params := map[string]string{}
	seen := map[string]bool{}
	for _, r := range g.Rows {
		k := r.Key()
		if seen[k] {
			continue
		}
		seen[k] = true
		if series[k] == nil {
			st.WithoutReturns++
			continue
		}
		keys = append(keys, k)
		params[k] = r.Params
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("none of the group's %d configurations has daily returns (%s)", st.WithoutReturns, g.Label())
	}
	st.Configurations = len(keys)
	cols := make([]*ledger.Series, len(keys))
	for i, k := range keys {
		cols[i] = series[k]
	}
	if bench != nil {
		cols = append(cols, bench)
		st.Benchmark = bench.Key
	}
	days, m := AlignDays(cols)
	st.Days = len(days)
	if len(days) < 3 {
		return nil, fmt.Errorf("the %d configurations share only %d days", len(keys), len(days))
	}
	st.From, st.To = days[0].String(), days[len(days)-1].String()
	var bm []float64
	if bench != nil {
		bm = make([]float64, len(m))
		for d, row := range m {
			bm[d] = row[len(keys)]
			m[d] = row[:len(keys)]
		}
	}
	note := func(what string, err error) { st.Notes = append(st.Notes, what+": "+err.Error()) }

	judged := -1
	if opt.Key != "" {
		judged = slices.Index(keys, opt.Key)
		if judged < 0 {
			return nil, fmt.Errorf("--key %s has no daily returns", opt.Key)
		}
		st.JudgedBy = "--key"
	}
	if eff, err := validate.EffectiveTrials(m); err != nil {
		note("effective trials", err)
	} else {
		st.EffectiveTrials, st.EffectiveTrialsAvg, st.AverageCorrelation = some(eff.Trials), some(eff.AverageCorrelationTrials), some(eff.AverageCorrelation)
		dsr, err := validate.DeflatedSharpe(m, eff.Trials)
		if err != nil {
			note("deflated Sharpe", err)
		} else {
			if judged < 0 {
				judged, st.JudgedBy = dsr.Best, "best Sharpe"
			}
			col := make([][]float64, len(m))
			for d, row := range m {
				col[d] = row[judged : judged+1]
			}
			one, err := validate.DeflatedSharpe(col, 1) // the judged trial's Sharpe ratio and moments
			if err != nil {
				note("deflated Sharpe", err)
			} else {
				sr0 := validate.ExpectedMaxSharpe(eff.Trials, dsr.Variance)
				st.DeflatedSharpe = some(validate.ProbabilisticSharpe(one.Sharpe, sr0, one.Days, one.Skewness, one.Kurtosis))
				st.ExpectedMaxSharpe = some(annualise(sr0))
				st.JudgedSharpe = some(annualise(one.Sharpe))
				sr0avg := validate.ExpectedMaxSharpe(eff.AverageCorrelationTrials, dsr.Variance)
				st.DeflatedSharpeAvg = some(validate.ProbabilisticSharpe(one.Sharpe, sr0avg, one.Days, one.Skewness, one.Kurtosis))
			}
		}
	}
	if judged >= 0 {
		st.Judged, st.JudgedParams = keys[judged], params[keys[judged]]
		if spec, err := trial.ParseSpec(g.Strategy, g.Fill, g.Window, st.JudgedParams); err == nil {
			st.JudgedParams = "default parameters"
			if c := spec.Params.Changes(); c != "" {
				st.JudgedParams = "defaults except " + c
			}
		}
	}
	if pbo, err := validate.PBO(m, validate.PBOConfig{Blocks: opt.Blocks}); err != nil {
		note("PBO", err)
	} else {
		st.PBO, st.PBODegradation, st.PBOProbOOSLoss = some(pbo.PBO), some(pbo.Slope), some(pbo.ProbOOSLoss)
		st.PBOWarnings = append(st.PBOWarnings, pbo.Warnings...)
	}
	if bench == nil {
		st.Notes = append(st.Notes, "SPA: no benchmark returns for this data in the returns file; give --data (and the same filters) to compute them")
	} else if spa, err := validate.SuperiorPredictiveAbility(m, bm, validate.SPAConfig{Draws: opt.Draws, BlockLength: opt.BlockLength, Seed: opt.Seed}); err != nil {
		note("SPA", err)
	} else {
		st.SPAPValue, st.RealityCheckPValue, st.SPABest = some(spa.PValue), some(spa.RealityCheckPValue), keys[spa.Best]
		var bmm [][]float64
		for _, x := range bm {
			bmm = append(bmm, []float64{x})
		}
		if b, err := validate.DeflatedSharpe(bmm, 1); err == nil {
			st.BenchmarkSharpe = some(annualise(b.Sharpe))
		}
	}
	if len(keys) >= 2 {
		bounds, names := YearPeriods(days)
		if len(bounds) == 0 {
			st.Notes = append(st.Notes, "year ranks: the days span less than two calendar years")
		} else if rs, err := validate.PeriodRanks(m, bounds, nil); err != nil {
			note("year ranks", err)
		} else {
			sum, n := 0.0, 0
			for i := 0; i+1 < len(names); i++ {
				yr := yearRank{From: names[i], To: names[i+1], Spearman: some(rs.Spearman[i][i+1]), Kendall: some(rs.Kendall[i][i+1])}
				if yr.Spearman.ok {
					sum += yr.Spearman.v
					n++
				}
				st.YearRanks = append(st.YearRanks, yr)
			}
			if n > 0 {
				st.MeanYearRankCor = some(sum / float64(n))
			}
		}
	}
	st.Verdict = verdict(st)
	return st, nil
}

// AlignDays returns the days every series has and the matrix of their
// returns on those days, one row per day, one column per series.
func AlignDays(cols []*ledger.Series) ([]harness.Date, [][]float64) {
	count := map[harness.Date]int{}
	for _, s := range cols {
		for _, d := range s.Days {
			count[d]++
		}
	}
	var days []harness.Date
	for d, n := range count {
		if n == len(cols) {
			days = append(days, d)
		}
	}
	slices.Sort(days)
	m := make([][]float64, len(days))
	for i := range m {
		m[i] = make([]float64, len(cols))
	}
	for j, s := range cols {
		i := 0
		for k, d := range s.Days {
			if i < len(days) && d == days[i] {
				m[i][j] = s.Returns[k]
				i++
			}
		}
	}
	return days, m
}

// YearPeriods cuts days at calendar-year boundaries: the first index of
// each period after the first, and each period's name. A first or last
// year of fewer than minYearDays days joins its neighbour; nil when fewer
// than two periods remain.
func YearPeriods(days []harness.Date) (bounds []int, names []string) {
	year := func(d harness.Date) string { return d.String()[:4] }
	starts := []int{0}
	for i := 1; i < len(days); i++ {
		if year(days[i]) != year(days[i-1]) {
			starts = append(starts, i)
		}
	}
	if len(starts) > 1 && starts[1] < minYearDays {
		starts = append(starts[:1], starts[2:]...)
	}
	if len(starts) > 1 && len(days)-starts[len(starts)-1] < minYearDays {
		starts = starts[:len(starts)-1]
	}
	if len(starts) < 2 {
		return nil, nil
	}
	for i, s := range starts {
		end := len(days) - 1
		if i+1 < len(starts) {
			end = starts[i+1] - 1
		}
		name := year(days[s])
		if year(days[end]) != name {
			name += "-" + year(days[end])
		}
		names = append(names, name)
	}
	return starts[1:], names
}

// verdict says in one sentence whether the judged configuration can be
// trusted: PBO below one half, a deflated Sharpe ratio of at least 0.95 and
// an SPA p-value of at most 0.05 each count for it.
func verdict(st *Stats) string {
	var against, pro []string
	if st.PBO.ok {
		if st.PBO.v >= 0.5 {
			against = append(against, fmt.Sprintf("the in-sample best ranks below the median out of sample in %.0f%% of the splits (PBO)", 100*st.PBO.v))
		} else {
			pro = append(pro, fmt.Sprintf("PBO %.2f", st.PBO.v))
		}
	}
	if st.DeflatedSharpe.ok {
		if st.DeflatedSharpe.v < 0.95 {
			against = append(against, fmt.Sprintf("its Sharpe ratio is not above what %.1f independent tries would reach by luck (deflated Sharpe %.2f < 0.95)", st.EffectiveTrials.v, st.DeflatedSharpe.v))
		} else {
			pro = append(pro, fmt.Sprintf("deflated Sharpe %.2f", st.DeflatedSharpe.v))
		}
	}
	if st.SPAPValue.ok {
		if st.SPAPValue.v > 0.05 {
			against = append(against, fmt.Sprintf("no configuration beats BTC+ETH buy-and-hold beyond chance (SPA p = %.3f)", st.SPAPValue.v))
		} else {
			pro = append(pro, fmt.Sprintf("SPA p = %.3f against BTC+ETH", st.SPAPValue.v))
		}
	}
	switch {
	case len(against) == 0 && len(pro) == 0:
		return "no statistic could be computed (see the notes)"
	case len(against) == 0:
		return "the winner survives the tests of selection (" + strings.Join(pro, ", ") + "); confirm it on held-out data"
	}
	return "do not trust the winner: " + strings.Join(against, "; ")
}

// Print writes the statistics as one indented JSON object, or for a
// person (Write).
func (st *Stats) Print(w io.Writer, asJSON bool) error {
	if !asJSON {
		st.Write(w)
		return nil
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(st)
}

// Write prints the statistics and the verdict for a person.
func (st *Stats) Write(w io.Writer) {
	fmt.Fprintf(w, "%s\n%d configurations with daily returns (%d without), %d days in common (%s..%s)\n\n",
		st.Group, st.Configurations, st.WithoutReturns, st.Days, st.From, st.To)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "judged configuration (%s)\t%s  %s\n", st.JudgedBy, st.Judged, st.JudgedParams)
	fmt.Fprintf(tw, "  Sharpe (annualised)\t%s\n", st.JudgedSharpe.text("%.3f"))
	fmt.Fprintf(tw, "PBO (%d blocks)\t%s\n", st.PBOBlocks, st.PBO.text("%.3f"))
	fmt.Fprintf(tw, "  degradation slope (OOS on IS Sharpe)\t%s\n", st.PBODegradation.text("%.3f"))
	fmt.Fprintf(tw, "  probability of an out-of-sample loss\t%s\n", st.PBOProbOOSLoss.text("%.3f"))
	for _, wn := range st.PBOWarnings {
		fmt.Fprintf(tw, "  warning\t%s\n", wn)
	}
	fmt.Fprintf(tw, "deflated Sharpe ratio\t%s  (effective trials %s, participation ratio; luck's best Sharpe %s)\n",
		st.DeflatedSharpe.text("%.3f"), st.EffectiveTrials.text("%.1f"), st.ExpectedMaxSharpe.text("%.3f"))
	fmt.Fprintf(tw, "  with the average-correlation estimator\t%s  (effective trials %s, mean correlation %s)\n",
		st.DeflatedSharpeAvg.text("%.3f"), st.EffectiveTrialsAvg.text("%.1f"), st.AverageCorrelation.text("%.3f"))
	fmt.Fprintf(tw, "SPA p-value against BTC+ETH\t%s  (benchmark Sharpe %s)\n", st.SPAPValue.text("%.3f"), st.BenchmarkSharpe.text("%.3f"))
	fmt.Fprintf(tw, "White's reality check p-value\t%s\n", st.RealityCheckPValue.text("%.3f"))
	for _, yr := range st.YearRanks {
		fmt.Fprintf(tw, "rank correlation %s → %s\tSpearman %s  Kendall %s\n", yr.From, yr.To, yr.Spearman.text("%.3f"), yr.Kendall.text("%.3f"))
	}
	if st.MeanYearRankCor.ok {
		fmt.Fprintf(tw, "  mean between consecutive years\t%.3f\n", st.MeanYearRankCor.v)
	}
	tw.Flush()
	for _, n := range st.Notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
	fmt.Fprintf(w, "\nVerdict: %s.\n", st.Verdict)
}
