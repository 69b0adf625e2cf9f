package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"gem/harness"
	"gem/ledger"
	"gem/space"
	"gem/strategy"
	"gem/trial"
)

func newEvalCmd() *cobra.Command {
	return evalCommand("eval", "Score one configuration and print its metrics",
		`Evaluate one strategy configuration: a base backtest (fee 0.30% per side)
and a stress backtest (fee x1.5), both from 10,000 of capital. Prints the score
and both runs' metrics (for the ensemble also its regimes and the BTC+ETH
benchmark), and appends one row to the ledger.`,
		`  gem eval
  gem eval --data ../shared/golden/safehaven_2022.csv --strategy specialist --fill reference --json
  gem eval --strategy specialist --set top_n=3 --set fit_window=60
  gem eval --set bull.top_n=20 --set hmm.hard_switch_threshold=0.7`)
}

func newRunCmd() *cobra.Command {
	cmd := evalCommand("run", "Run the full GEM ensemble at its defaults (the main job)",
		`Run gem's main job: the full GEM stack (bull, bear and ranging specialists
gated by an HMM regime detector, a meta-allocator and risk-off gates) at its
defaults, on --data or on the synthetic universe. Prints the score, the
metrics, the regime statistics and the BTC+ETH buy-and-hold benchmark, and
appends one row to the ledger. --set changes a parameter, as in gem eval.`,
		`  gem run
  gem run --data ../shared/data/binance_spot_1d_panel_merged.csv.gz
  gem run --set hmm.emission=student_t`)
	cmd.Flags().MarkHidden("strategy")
	return cmd
}

// evalCommand builds eval and run, which differ only in their words.
func evalCommand(use, short, long, example string) *cobra.Command {
	var data dataFlags
	var strat strategyFlags
	var lf ledgerFlags
	var asJSON, stdin bool
	var baseline string
	var seeds seedFlags
	cmd := &cobra.Command{
		Use:     use,
		Short:   short,
		Long:    long,
		Example: example,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if use == "run" {
				strat.name = "ensemble"
			}
			cfg, fill, err := strat.config()
			if err != nil {
				return err
			}
			if baseline != "" {
				if cfg, err = baselineConfig(lf.path, baseline, cfg.Name()); err != nil {
					return err
				}
			}
			p, desc, err := data.load(cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			lg, err := lf.open(cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			rf, err := lf.openReturns(cmd.ErrOrStderr())
			if err != nil {
				lg.Close()
				return err
			}
			env := trial.NewEnv(p, use)
			pool := &trial.Pool{Env: env, Exec: trial.Local{Workers: 1}, Ledger: lg, Returns: rf}
			defer pool.Close()
			if err := strat.attachBook(env); err != nil {
				return err
			}
			if err := checkData(cfg, p); err != nil {
				return err
			}
			spec := strat.spec(cfg, fill)
			if seeds.k > 0 {
				return seeds.eval(cmd.Context(), cmd.OutOrStdout(), pool, desc, spec, asJSON)
			}
			var bench *trial.Result
			if _, ok := cfg.(*strategy.LongShortConfig); ok || cfg.Name() == "ensemble" {
				if bench, err = trial.Evaluate(cmd.Context(), env, strat.spec(&strategy.BenchmarkConfig{}, fill)); err != nil {
					return err
				}
			}
			if stdin {
				return evalLines(cmd.Context(), cmd.InOrStdin(), cmd.OutOrStdout(), env, spec, lg, bench)
			}
			var t *trial.Result
			if err := pool.Run(cmd.Context(), []trial.Spec{spec}, func(_ int, r *trial.Result) { t = r }); err != nil {
				return err
			}
			if asJSON {
				return writeEvalJSON(cmd.OutOrStdout(), p, spec, t, bench, "  ")
			}
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "%s\n%s, %s fills, %s%s\n\n", desc, cfg.Name(), fill, describeChanges(spec.Params), describeWindow(p, spec.Window))
			writeEvalTable(w, t.Eval)
			if ens, ok := t.Base.(*strategy.Ensemble); ok {
				writeEnsembleTable(w, p, t.Eval, &ens.Stats, bench.Eval)
			}
			fmt.Fprintf(w, "\nharness %s  data %s\n", t.Eval.Harness, t.Eval.Data)
			return nil
		},
	}
	data.register(cmd.Flags())
	strat.register(cmd.Flags())
	cmd.Flags().StringVar(&lf.path, "ledger", "results/ledger.tsv", `ledger file to append the trial to ("-" for none)`)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON object instead of the table")
	cmd.Flags().StringVar(&baseline, "baseline", "", "evaluate the session's starting configuration instead: the parameters of the strategy's first ledger trial at or after this time (RFC 3339 or YYYY-MM-DD), exactly as recorded, whatever today's defaults; --set is ignored, the window flags apply")
	cmd.Flags().BoolVar(&stdin, "stdin", false, `read one JSON object of parameters per line (e.g. {"bull.top_n": 15}; the rest at the defaults and --set values) and write one JSON result per line, in order, the data loaded once`)
	seeds.register(cmd.Flags())
	return cmd
}

// jsonScore writes a score JSON can hold as a number and −Inf (a rejected
// configuration) as null, so that a filter such as jq '.score > 0.1' is
// false for it; the rejection reason stands beside it.
type jsonScore float64

func (s jsonScore) MarshalJSON() ([]byte, error) {
	if math.IsInf(float64(s), 0) || math.IsNaN(float64(s)) {
		return []byte("null"), nil
	}
	return json.Marshal(float64(s))
}

// ensembleJSON is the ensemble's part of --json output.
type ensembleJSON struct {
	TokensSelected     int            `json:"tokens_selected"`
	TokensFitted       int            `json:"tokens_fitted"`
	RegimeDays         map[string]int `json:"regime_days"`
	NoRegimeDays       int            `json:"no_regime_days"`
	HardSwitchDays     int            `json:"hard_switch_days"`
	BlendDays          int            `json:"blend_days"`
	TrendGateDays      int            `json:"trend_gate_days"`
	DrawdownGateDays   int            `json:"drawdown_gate_days"`
	HMMRefits          int            `json:"hmm_refits"`
	HMMFailedFits      int            `json:"hmm_failed_fits"`
	BenchmarkScore     jsonScore      `json:"benchmark_score"`
	BenchmarkAnnualPct float64        `json:"benchmark_annualized_return_pct"`
}

func writeEvalJSON(w io.Writer, p *harness.Panel, spec trial.Spec, t, bench *trial.Result, indent string) error {
	ev := t.Eval
	var ensOut *ensembleJSON
	if ens, ok := t.Base.(*strategy.Ensemble); ok {
		st := &ens.Stats
		ensOut = &ensembleJSON{
			TokensSelected: ev.BaseRun.TokensHeld, TokensFitted: tokensFitted(p),
			RegimeDays:   map[string]int{},
			NoRegimeDays: st.NoRegimeDays, HardSwitchDays: st.HardDays, BlendDays: st.BlendDays,
			TrendGateDays: st.TrendGated, DrawdownGateDays: st.DrawdownDays,
			HMMRefits: int(detectorStat(st, "refits")), HMMFailedFits: int(detectorStat(st, "failed_fits")),
			BenchmarkScore: jsonScore(bench.Eval.Score), BenchmarkAnnualPct: bench.Eval.Base.AnnualizedReturnPct,
		}
		for k, n := range st.RegimeDays {
			ensOut.RegimeDays[st.Regimes[k]] = n
		}
	}
	type holding struct {
		Token string  `json:"token"`
		Value float64 `json:"value"`
	}
	holdings := []holding{}
	for _, h := range ev.BaseRun.Final {
		holdings = append(holdings, holding{p.Series[h.Token].Token, h.Value})
	}
	out := struct {
		Score     jsonScore        `json:"score"`
		Rejection string           `json:"rejection,omitempty"`
		Base      harness.Metrics  `json:"base"`
		Stress    harness.Metrics  `json:"stress"`
		Strategy  string           `json:"strategy"`
		Fill      string           `json:"fill"`
		Params    space.Assignment `json:"params"`
		Harness   string           `json:"harness"`
		Data      string           `json:"data"`
		Key       string           `json:"key"`
		Window    string           `json:"window,omitempty"`
		Holdings  []holding        `json:"final_holdings"` // the base run's positions on its last day, in book order
		Ensemble  *ensembleJSON    `json:"ensemble,omitempty"`
	}{jsonScore(ev.Score), ev.Rejection, ev.Base, ev.Stress, spec.Strategy, ev.Fill.String(),
		spec.Params, ev.Harness, ev.Data, t.Row.Key(), spec.Window.String(), holdings, ensOut}
	enc := json.NewEncoder(w)
	enc.SetIndent("", indent)
	return enc.Encode(out)
}

func writeEvalTable(w io.Writer, ev *harness.Evaluation) {
	score := ledger.FormatFloat(ev.Score)
	if ev.Rejected() {
		score += "  (" + ev.Rejection + ")"
	}
	fmt.Fprintf(w, "score  %s\n\n", score)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "metric\tbase\tstress (fees x%g)\t\n", harness.StressMultiplier)
	for _, f := range harness.MetricSchema() {
		fmt.Fprintf(tw, "%s\t%s\t%s\t\n", f.Label, f.Text(&ev.Base), f.Text(&ev.Stress))
	}
	tw.Flush()
}

// tokensFitted counts the tokens with at least two candles: those a
// specialist can fit at some point.
func tokensFitted(p *harness.Panel) int {
	n := 0
	for _, s := range p.Series {
		if len(s.Day) >= 2 {
			n++
		}
	}
	return n
}

// detectorStat is the regime detector's figure called name, or 0.
func detectorStat(st *strategy.EnsembleStats, name string) float64 {
	for _, s := range st.Detector {
		if s.Name == name {
			return s.Value
		}
	}
	return 0
}

// writeEnsembleTable prints what the ensemble did and the benchmark beside it.
func writeEnsembleTable(w io.Writer, p *harness.Panel, ev *harness.Evaluation, st *strategy.EnsembleStats, bench *harness.Evaluation) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "\nensemble (base run)\n")
	fmt.Fprintf(tw, "tokens selected / fitted\t%d / %d\n", ev.BaseRun.TokensHeld, tokensFitted(p))
	days := make([]string, len(st.RegimeDays))
	for k, n := range st.RegimeDays {
		days[k] = strconv.Itoa(n)
	}
	fmt.Fprintf(tw, "days %s\t%s\n", strings.Join(st.Regimes, " / "), strings.Join(days, " / "))
	fmt.Fprintf(tw, "days before the first regime call\t%d\n", st.NoRegimeDays)
	fmt.Fprintf(tw, "days hard-switched / blended\t%d / %d\n", st.HardDays, st.BlendDays)
	fmt.Fprintf(tw, "days trend-gated / drawdown-gated\t%d / %d\n", st.TrendGated, st.DrawdownDays)
	if st.MarketDays == 0 {
		fmt.Fprintf(tw, "regime detector\tnever ran: the market series has no observation\n")
	}
	for _, s := range st.Detector {
		fmt.Fprintf(tw, "detector %s\t%g\n", s.Name, s.Value)
	}
	fmt.Fprintf(tw, "\nbenchmark %s\n", strategy.BenchmarkBasket(p))
	score := ledger.FormatFloat(bench.Score)
	if bench.Rejected() {
		score += "  (" + bench.Rejection + ")"
	}
	fmt.Fprintf(tw, "score\t%s\n", score)
	fmt.Fprintf(tw, "annualized return %%\t%.2f\n", bench.Base.AnnualizedReturnPct)
	fmt.Fprintf(tw, "max drawdown %%\t%.2f\n", bench.Base.MaxDrawdownPct)
	tw.Flush()
}

// baselineConfig is the configuration of the first trial of strategy name in
// the ledger at path recorded at or after since: every parameter as it was
// then, so a session's starting point can be re-created after its defaults
// changed.
func baselineConfig(path, since, name string) (strategy.Config, error) {
	t, err := parseSince(since)
	if err != nil {
		return nil, err
	}
	rows, _, err := ledger.Read(path)
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		if r.Strategy == name && !r.Time.Before(t) {
			return strategy.Build(r.Strategy, r.Params)
		}
	}
	return nil, fmt.Errorf("--baseline: %s has no %s trial at or after %s", path, name, since)
}
