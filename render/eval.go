package render

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"

	"gem/harness"
	"gem/ledger"
	"gem/space"
	"gem/strategy"
	"gem/trial"
)

// Score is a score as JSON can hold it: a number, and −Inf (a rejected
// configuration) or NaN as null, so that a filter such as jq '.score > 0.1'
// is false for it; the rejection reason stands beside it.
type Score float64

// MarshalJSON writes s as a number, or null when it is not finite.
func (s Score) MarshalJSON() ([]byte, error) {
	if math.IsInf(float64(s), 0) || math.IsNaN(float64(s)) {
		return []byte("null"), nil
	}
	return json.Marshal(float64(s))
}

// ensembleJSON is the ensemble's part of EvalJSON.
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
	BenchmarkScore     Score          `json:"benchmark_score"`
	BenchmarkAnnualPct float64        `json:"benchmark_annualized_return_pct"`
}

// holdingJSON is one position of the base run's last day.
type holdingJSON struct {
	Token string  `json:"token"`
	Value float64 `json:"value"`
}

// evalJSON is the object EvalJSON writes.
type evalJSON struct {
	Score     Score            `json:"score"`
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
	Holdings  []holdingJSON    `json:"final_holdings"` // the base run's positions on its last day, in book order
	Ensemble  *ensembleJSON    `json:"ensemble,omitempty"`
}

// EvalJSON writes the trial t of spec on p as one JSON object (gem eval
// --json), indented by indent ("" for one line): the score, the rejection,
// both runs' metrics, the configuration, the fingerprints and key, and the
// final holdings; for an ensemble also what it did and the benchmark's
// score (bench, which must then be non-nil).
func EvalJSON(w io.Writer, p *harness.Panel, spec trial.Spec, t, bench *trial.Result, indent string) error {
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
			BenchmarkScore: Score(bench.Eval.Score), BenchmarkAnnualPct: bench.Eval.Base.AnnualizedReturnPct,
		}
		for k, n := range st.RegimeDays {
			ensOut.RegimeDays[st.Regimes[k]] = n
		}
	}
	holdings := []holdingJSON{}
	for _, h := range ev.BaseRun.Final {
		holdings = append(holdings, holdingJSON{p.Series[h.Token].Token, h.Value})
	}
	out := evalJSON{Score(ev.Score), ev.Rejection, ev.Base, ev.Stress, spec.Strategy, ev.Fill.String(),
		spec.Params, ev.Harness, ev.Data, t.Row.Key(), spec.Window.String(), holdings, ensOut}
	enc := json.NewEncoder(w)
	enc.SetIndent("", indent)
	return enc.Encode(out)
}

// Eval writes the trial t of spec on p as gem eval prints it: desc (the
// data), the setup, the score and the metric table of both runs; for an
// ensemble what it did and the benchmark bench beside it (bench must then
// be non-nil); then the fingerprints.
func Eval(w io.Writer, desc string, p *harness.Panel, spec trial.Spec, t, bench *trial.Result) {
	fmt.Fprintf(w, "%s\n%s\n\n", desc, Setup(p, spec))
	MetricTable(w, t.Eval)
	if ens, ok := t.Base.(*strategy.Ensemble); ok {
		ensembleTable(w, p, t.Eval, &ens.Stats, bench.Eval)
	}
	fmt.Fprintf(w, "\nharness %s  data %s\n", t.Eval.Harness, t.Eval.Data)
}

// MetricTable writes the score (with the rejection reason) and every metric
// of the schema for the base and the stress run.
func MetricTable(w io.Writer, ev *harness.Evaluation) {
	fmt.Fprintf(w, "score  %s\n\n", scoreWithReason(ev))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "metric\tbase\tstress (fees x%g)\t\n", harness.StressMultiplier)
	for _, f := range harness.MetricSchema() {
		if f.Shown(ev.Base, ev.Stress) {
			fmt.Fprintf(tw, "%s\t%s\t%s\t\n", f.Label, f.Text(&ev.Base), f.Text(&ev.Stress))
		}
	}
	tw.Flush()
}

// scoreWithReason is the score as the ledger writes it, with the rejection
// reason in parentheses.
func scoreWithReason(ev *harness.Evaluation) string {
	score := ledger.FormatFloat(ev.Score)
	if ev.Rejected() {
		score += "  (" + ev.Rejection + ")"
	}
	return score
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

// ensembleTable writes what the ensemble did and the benchmark beside it.
func ensembleTable(w io.Writer, p *harness.Panel, ev *harness.Evaluation, st *strategy.EnsembleStats, bench *harness.Evaluation) {
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
	fmt.Fprintf(tw, "score\t%s\n", scoreWithReason(bench))
	fmt.Fprintf(tw, "annualized return %%\t%.2f\n", bench.Base.AnnualizedReturnPct)
	fmt.Fprintf(tw, "max drawdown %%\t%.2f\n", bench.Base.MaxDrawdownPct)
	tw.Flush()
}

// Printer writes a command's results to W: as JSON when JSON is set, as
// text otherwise, under Desc (the data's description) for the trials on
// Panel.
type Printer struct {
	W     io.Writer
	JSON  bool
	Desc  string
	Panel *harness.Panel
}

// Eval writes one trial (EvalJSON, indented, or Eval).
func (pr Printer) Eval(spec trial.Spec, t, bench *trial.Result) error {
	if pr.JSON {
		return EvalJSON(pr.W, pr.Panel, spec, t, bench, "  ")
	}
	Eval(pr.W, pr.Desc, pr.Panel, spec, t, bench)
	return nil
}

// Seeds writes one configuration under several seeds (SeedsJSON or Seeds).
func (pr Printer) Seeds(spec trial.Spec, res []*trial.Result) error {
	if pr.JSON {
		return SeedsJSON(pr.W, spec, res)
	}
	Seeds(pr.W, pr.Desc, pr.Panel, spec, res)
	return nil
}
