package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"gem/harness"
	"gem/ledger"
	"gem/report"
	"gem/trial"
	"gem/validate"
)

func newLedgerStatsCmd() *cobra.Command {
	var sel ledgerSelection
	var opt statsOptions
	var data dataFlags
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "stats",
		Short: "Can the winner be trusted? PBO, deflated Sharpe and SPA of a group of trials",
		Long: `Compute the statistics of selection for a group of comparable ledger trials
(same strategy, fill mode, data and harness; by default the largest group
after --command and --since, or the group of --key) from their daily returns,
kept in the .returns file beside the ledger. The days used are those every
trial of the group has (their intersection); their number is printed.

  pbo                 probability of backtest overfitting by combinatorially
                      symmetric cross-validation (Bailey, Borwein, López de
                      Prado and Zhu 2017), --blocks blocks, configurations
                      ranked by the Sharpe ratio of their daily returns; with
                      the performance degradation (slope of out-of-sample on
                      in-sample Sharpe) and the probability of an
                      out-of-sample loss.
  deflated_sharpe     the deflated Sharpe ratio of the best configuration (by
                      Sharpe ratio; or of --key) (Bailey and López de Prado
                      2014), deflated for effective_trials independent trials
                      estimated from the correlation of the trials' returns
                      (participation ratio); beside it the figures for the
                      average-correlation estimator.
  spa_pvalue          Hansen's test for superior predictive ability of the
  reality_check_...   trials against BTC+ETH buy-and-hold on the same days,
                      stationary bootstrap (--draws, --bootstrap-seed), with
                      White's reality check: small p-values mean some
                      configuration beats the benchmark beyond what trying
                      them all would find by chance.
  year ranks          Spearman's rank correlation of the configurations'
                      Sharpe ratios between consecutive calendar years (does
                      the ranking on one year predict the next?).

The benchmark's daily returns are written to the returns file once per data
fingerprint and fill mode by every command that records trials; for a ledger
written before that, give the data again (--data and the same filters) and
gem evaluates the benchmark on it.`,
		Example: `  gem ledger stats
  gem ledger stats --command sweep --json
  gem ledger stats --key 3f2a9c1d0b4e5f60 --since 2026-03-01`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			warn := func(s string) { fmt.Fprintf(cmd.ErrOrStderr(), "gem: %s\n", s) }
			rows, series, err := sel.read(warn)
			if err != nil {
				return err
			}
			g, err := pickGroup(rows, opt.key)
			if err != nil {
				return err
			}
			bench := series[trial.BenchmarkKey(g.Fill, g.window, g.Harness, g.Data)]
			if bench == nil && cmd.Flags().Changed("data") {
				if bench, err = benchmarkOn(cmd, &data, g); err != nil {
					return err
				}
			}
			st, err := computeStats(g, series, bench, opt)
			if err != nil {
				return err
			}
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(st)
			}
			st.write(cmd.OutOrStdout())
			return nil
		},
	}
	sel.register(cmd)
	data.register(cmd.Flags())
	cmd.Flags().StringVar(&opt.key, "key", "", "the kept configuration's trial key: its group, and the configuration the deflated Sharpe ratio judges")
	cmd.Flags().IntVar(&opt.blocks, "blocks", 16, "PBO: number of blocks S (even, 2 to 24)")
	cmd.Flags().IntVar(&opt.draws, "draws", 1000, "SPA: bootstrap resamples")
	cmd.Flags().Float64Var(&opt.blockLength, "block-length", 10, "SPA: mean block length of the stationary bootstrap, days")
	cmd.Flags().Uint64Var(&opt.seed, "bootstrap-seed", 0, "SPA: seed of the bootstrap")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON object")
	return cmd
}

// statsOptions are ledger stats' settings.
type statsOptions struct {
	key         string
	blocks      int
	draws       int
	blockLength float64
	seed        uint64
}

// minYearDays is the fewest days a calendar year needs to be ranked on its
// own; a shorter first or last year joins its neighbour.
const minYearDays = 60

// statsGroup is a group of comparable trials: report's groups (strategy,
// fill mode, data, harness) split by scoring window.
type statsGroup struct {
	*report.Group
	window string
}

// Label names the group in one line.
func (g *statsGroup) Label() string {
	if g.window == "" {
		return g.Group.Label()
	}
	return g.Group.Label() + " · window " + g.window
}

// pickGroup returns the group of comparable trials holding key, or without
// a key the largest one (most distinct configurations; the later on ties),
// leaving out the benchmark's own rows.
func pickGroup(rows []ledger.Row, key string) (*statsGroup, error) {
	var groups []*statsGroup
	for _, rg := range report.GroupRows(rows) {
		byWindow := map[string]*statsGroup{}
		for _, r := range rg.Rows {
			g := byWindow[r.Window]
			if g == nil {
				g = &statsGroup{&report.Group{Strategy: rg.Strategy, Fill: rg.Fill, Data: rg.Data, Harness: rg.Harness}, r.Window}
				byWindow[r.Window] = g
				groups = append(groups, g)
			}
			g.Rows = append(g.Rows, r)
		}
	}
	distinct := func(g *statsGroup) int {
		seen := map[string]bool{}
		for _, r := range g.Rows {
			seen[r.Key()] = true
		}
		return len(seen)
	}
	var best *statsGroup
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

// benchmarkOn evaluates the benchmark on the --data panel, which must be
// the group's data.
func benchmarkOn(cmd *cobra.Command, data *dataFlags, g *statsGroup) (*ledger.Series, error) {
	p, _, err := data.load(cmd.ErrOrStderr())
	if err != nil {
		return nil, err
	}
	if p.Fingerprint() != g.Data {
		return nil, fmt.Errorf("--data has fingerprint %s, the trials' data %s: give the same files and filters", p.Fingerprint(), g.Data)
	}
	if g.Harness != harness.Fingerprint() {
		return nil, fmt.Errorf("the trials were run by harness %s, this gem is %s: their benchmark cannot be recomputed", g.Harness, harness.Fingerprint())
	}
	spec, err := trial.ParseSpec("benchmark", g.Fill, g.window, "")
	if err != nil {
		return nil, err
	}
	r, err := trial.Evaluate(cmd.Context(), trial.NewEnv(p, "stats"), spec)
	if err != nil {
		return nil, err
	}
	return r.Returns, nil
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

// selectionStats is ledger stats' answer.
type selectionStats struct {
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

// computeStats computes the statistics of group g from the series, bench
// being the benchmark's (nil: no SPA).
func computeStats(g *statsGroup, series map[string]*ledger.Series, bench *ledger.Series, opt statsOptions) (*selectionStats, error) {
	st := &selectionStats{Group: g.Label(), PBOBlocks: opt.blocks, PBOWarnings: []string{}, Notes: []string{}}
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
	days, m := alignDays(cols)
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
	if opt.key != "" {
		judged = slices.Index(keys, opt.key)
		if judged < 0 {
			return nil, fmt.Errorf("--key %s has no daily returns", opt.key)
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
		if spec, err := trial.ParseSpec(g.Strategy, g.Fill, g.window, st.JudgedParams); err == nil {
			st.JudgedParams = describeChanges(spec.Params)
		}
	}
	if pbo, err := validate.PBO(m, validate.PBOConfig{Blocks: opt.blocks}); err != nil {
		note("PBO", err)
	} else {
		st.PBO, st.PBODegradation, st.PBOProbOOSLoss = some(pbo.PBO), some(pbo.Slope), some(pbo.ProbOOSLoss)
		st.PBOWarnings = append(st.PBOWarnings, pbo.Warnings...)
	}
	if bench == nil {
		st.Notes = append(st.Notes, "SPA: no benchmark returns for this data in the returns file; give --data (and the same filters) to compute them")
	} else if spa, err := validate.SuperiorPredictiveAbility(m, bm, validate.SPAConfig{Draws: opt.draws, BlockLength: opt.blockLength, Seed: opt.seed}); err != nil {
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
		bounds, names := yearPeriods(days)
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

// alignDays returns the days every series has and the matrix of their
// returns on those days, one row per day, one column per series.
func alignDays(cols []*ledger.Series) ([]harness.Date, [][]float64) {
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

// yearPeriods cuts days at calendar-year boundaries: the first index of
// each period after the first, and each period's name. A first or last
// year of fewer than minYearDays days joins its neighbour; nil when fewer
// than two periods remain.
func yearPeriods(days []harness.Date) (bounds []int, names []string) {
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
func verdict(st *selectionStats) string {
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

// write prints the statistics for a person.
func (st *selectionStats) write(w io.Writer) {
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
