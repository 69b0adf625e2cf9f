package selection

import (
	"errors"
	"fmt"
	"os"

	"gem/harness"
	"gem/ledger"
	"gem/optimum"
	"gem/report"
	"gem/trial"
)

// DefaultOptions are the settings of gem ledger stats without flags: 16
// blocks for PBO, 1000 bootstrap resamples of mean block length 10 days
// for SPA, seed 0, the best configuration by Sharpe ratio judged.
func DefaultOptions() Options {
	return Options{Blocks: 16, Draws: 1000, BlockLength: 10}
}

// LedgerReport reads the ledger at path and the daily returns kept beside
// it (ledger.ReturnsPath) and builds its page (report.LedgerPage) with the
// statistics of selection (LedgerSection, DefaultOptions) of the group it
// charts, rows by another harness than this one flagged, and the heatmap
// over pair ("name1,name2", report.ParsePair; "" to let the page pick), and
// the regret of search methods against an optimum when gem search
// --compare kept its comparison beside the ledger (optimum.ComparisonPath).
// A ledger without a returns file is not an error: its page says that the
// statistics need one; without a comparison file it has no regret section.
func LedgerReport(path, pair string) (*report.Page, error) {
	opt := report.LedgerOptions{Path: path, Harness: harness.Fingerprint()}
	var err error
	if opt.Pair, err = report.ParsePair(pair); err != nil {
		return nil, err
	}
	rows, problems, err := ledger.Read(path)
	if err != nil {
		return nil, err
	}
	list, rproblems, err := ledger.ReadReturns(ledger.ReturnsPath(path))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	if opt.Comparison, err = optimum.LoadComparison(optimum.ComparisonPath(path)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	series := make(map[string]*ledger.Series, len(list))
	for i := range list {
		series[list[i].Key] = &list[i]
	}
	opt.Skipped = len(problems) + len(rproblems)
	opt.Selection = func(g *report.Group) report.Section { return LedgerSection(g, series, DefaultOptions()) }
	return report.LedgerPage(rows, opt)
}

// LedgerSection computes the statistics of selection of group g from the
// daily returns in series (the benchmark's among them, by
// trial.BenchmarkKey, for SPA) and returns them as a section of the ledger
// page (report.LedgerOptions.Selection): the verdict in plain words first,
// then a table of each statistic with what it says. A group whose trials
// have no daily returns gets a section that says so.
func LedgerSection(g *report.Group, series map[string]*ledger.Series, opt Options) report.Section {
	s := report.Section{Heading: "Selection statistics"}
	st, err := Compute(g, series, series[trial.BenchmarkKey(g.Fill, g.Window, g.Harness, g.Data)], opt)
	if err != nil {
		s.Notes = append(s.Notes, "The statistics of selection (PBO, the deflated Sharpe ratio, SPA) need the trials' daily returns, kept in the .returns file beside the ledger by every command that records trials: "+err.Error()+".")
		return s
	}
	s.Notes = append(s.Notes,
		"Verdict: "+st.Verdict+".",
		fmt.Sprintf("From the daily returns of %d configurations (%d more without returns) on the %d days they share, %s to %s; 'gem ledger stats' prints the same numbers (--json for a machine).",
			st.Configurations, st.WithoutReturns, st.Days, st.From, st.To))
	t := report.Table{Header: []string{"statistic", "value", "what it says"}}
	row := func(name, value, meaning string) { t.Rows = append(t.Rows, []string{name, value, meaning}) }
	row("judged configuration", st.Judged, st.JudgedParams+" (chosen by "+st.JudgedBy+")")
	row("its Sharpe ratio (annualised, √252)", st.JudgedSharpe.text("%.3f"), "")
	row(fmt.Sprintf("PBO, CSCV with %d blocks", st.PBOBlocks), st.PBO.text("%.3f"),
		"how often the in-sample best ranks below the median out of sample (Bailey, Borwein, López de Prado and Zhu 2017); 0.5 is what noise gives")
	row("performance degradation", st.PBODegradation.text("%.3f"), "slope of the out-of-sample Sharpe ratio on the in-sample one; below 0, a higher in-sample score predicts a lower one out of sample")
	row("probability of an out-of-sample loss", st.PBOProbOOSLoss.text("%.3f"), "share of the splits in which the in-sample best loses out of sample")
	row("deflated Sharpe ratio", st.DeflatedSharpe.text("%.3f"),
		fmt.Sprintf("probability that the judged Sharpe ratio beats the best of %s effective independent trials by luck, %s annualised (Bailey and López de Prado 2014); 0.95 or more counts as evidence", st.EffectiveTrials.text("%.1f"), st.ExpectedMaxSharpe.text("%.3f")))
	row("  with the average-correlation estimator", st.DeflatedSharpeAvg.text("%.3f"), fmt.Sprintf("%s effective trials at a mean correlation of %s", st.EffectiveTrialsAvg.text("%.1f"), st.AverageCorrelation.text("%.3f")))
	row("SPA p-value against BTC+ETH", st.SPAPValue.text("%.3f"),
		fmt.Sprintf("Hansen's test that no configuration beats buy-and-hold (stationary bootstrap, %d draws); small means some configuration does beyond chance. The benchmark's Sharpe ratio is %s", opt.Draws, st.BenchmarkSharpe.text("%.3f")))
	row("White's reality check p-value", st.RealityCheckPValue.text("%.3f"), "the same question, less powerful when poor configurations are among the trials")
	for _, yr := range st.YearRanks {
		row("rank correlation "+yr.From+" → "+yr.To, yr.Spearman.text("%.3f"), "Spearman's correlation of the configurations' Sharpe ratios in consecutive years (Kendall "+yr.Kendall.text("%.3f")+"); near 0, one year's ranking says nothing about the next")
	}
	if st.MeanYearRankCor.ok {
		row("  mean between consecutive years", st.MeanYearRankCor.text("%.3f"), "")
	}
	s.Tables = append(s.Tables, t)
	s.Bullets = append(s.Bullets, st.PBOWarnings...)
	s.Bullets = append(s.Bullets, st.Notes...)
	return s
}
