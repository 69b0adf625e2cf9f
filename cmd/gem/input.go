package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/pflag"

	"gem/dataio"
	"gem/harness"
	"gem/strategy"
	"gem/synth"
	"gem/trial"
)

// dataFlags choose the market data (files of any format dataio reads, or
// the synthetic universe) and the universe filters applied to it: the
// options of a dataio.Source.
type dataFlags struct {
	paths []string
	src   dataio.Source
}

func (d *dataFlags) register(fs *pflag.FlagSet) {
	s, def := &d.src, synth.DefaultConfig()
	s.Synth = def
	fs.StringArrayVar(&d.paths, "data", nil, "candle file: long CSV (token,date|timestamp,open,high,low,close,volume), Binance kline CSV, .parquet; .gz and .zip accepted; repeat to merge files (default: the synthetic universe)")
	fs.Uint64Var(&s.Synth.Seed, "seed", def.Seed, "seed of the synthetic universe (without --data)")
	fs.IntVar(&s.Synth.Tokens, "synth-tokens", def.Tokens, "number of tokens of the synthetic universe (without --data)")
	fs.IntVar(&s.Synth.Days, "synth-days", def.Days, "number of days of the synthetic universe (without --data)")
	fs.StringVar(&s.Format, "format", "auto", "format of the --data files: auto, long, binance or parquet")
	fs.StringVar(&s.Token, "token", "", "token name for Binance kline files (default: from the file name, BTCUSDT-1d-2024-01.csv is BTC)")
	fs.BoolVar(&s.DropBadRows, "drop-bad-rows", false, "skip rows with bad values (zero or negative prices ...) instead of failing; each is reported on stderr")
	fs.StringSliceVar(&s.Filter.Tokens, "tokens", nil, "keep only these tokens (comma-separated; LUNA also keeps LUNA#2 from --split-reused)")
	fs.BoolVar(&s.Filter.ExcludeStablecoins, "exclude-stablecoins", false, "drop USD stablecoins and fiat tokens (USDT, USDC, DAI, FDUSD, EUR ...)")
	fs.BoolVar(&s.Filter.SurvivorsOnly, "survivors-only", false, "keep only the tokens with a candle on the data's last day (chosen with hindsight: the survivorship-biased universe, to measure that bias)")
	fs.IntVar(&s.Filter.MinHistory, "min-history", 0, "drop tokens with fewer candles than this (chosen with hindsight: it sees each token's whole life)")
	fs.StringVar(&s.From, "from", "", "keep candles dated on or after this day (YYYY-MM-DD)")
	fs.StringVar(&s.To, "to", "", "keep candles dated on or before this day (YYYY-MM-DD)")
	fs.BoolVar(&s.Filter.SplitReused, "split-reused", false, "split a reused ticker into two assets after its long gap (LUNA, then LUNA#2)")
	fs.StringVar(&s.Funding, "funding", "", "perp funding settlements (CSV token,time,funding_rate; .gz accepted) for the perp files' tokens (a file whose name contains \"perp\" holds perps)")
	fs.StringVar(&s.FundingMissing, "funding-missing", "error", "a held perp's day without a funding settlement: error, zero, or rate=X (X per settlement, three a day); the count of such settlements is reported")
	fs.BoolVar(&s.AllowMixed, "allow-mixed", false, "allow spot and perp candle files in one panel")
	fs.BoolVar(&s.Filter.SplitRedenominated, "split-redenominated", false, "split a token at a suspected redenomination (see gem data check) into two assets")
}

// source is the flags' data source; it reports the rows --drop-bad-rows
// drops on stderr.
func (d *dataFlags) source(stderr io.Writer) *dataio.Source {
	s := d.src
	s.Paths, s.Warn = d.paths, func(msg string) { fmt.Fprintf(stderr, "gem: %s\n", msg) }
	return &s
}

// load reads the panel and describes it in a few words.
func (d *dataFlags) load(stderr io.Writer) (*harness.Panel, string, error) {
	return d.source(stderr).Load()
}

// strategyFlags choose the strategy, its parameters and the fill mode: the
// options of a trial.Options.
type strategyFlags struct {
	name, fill, from, to, weights string
	sets                          []string
	win                           trial.Window // the scoring window, set by config
}

func (s *strategyFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&s.name, "strategy", strategy.Names()[0], "strategy: "+strings.Join(strategy.Names(), ", "))
	fs.StringArrayVar(&s.sets, "set", nil, "set a parameter, name=value (repeatable); see the valid names with any bad name")
	fs.StringVar(&s.weights, "weights", "", "the book --strategy weights replays: CSV date,token,weight (signed; .gz accepted), each date's weights traded on that date")
	fs.StringVar(&s.fill, "fill", "causal", "fill mode: causal (decide on data through t-1, fill at t's open) or reference (the reference's same-close fills)")
	fs.StringVar(&s.from, "score-from", "", "first day of the scoring window (YYYY-MM-DD): capital starts then, and the strategy warms up on all the data before it")
	fs.StringVar(&s.to, "score-to", "", "last day of the scoring window (YYYY-MM-DD); metrics and the score cover only the window")
}

// config builds the strategy configuration with the --set overrides applied.
func (s *strategyFlags) config() (cfg strategy.Config, fill harness.FillMode, err error) {
	cfg, fill, s.win, err = s.options().Config()
	return cfg, fill, err
}

// options are the flags' trial options.
func (s *strategyFlags) options() *trial.Options {
	return &trial.Options{Strategy: s.name, Sets: s.sets, Fill: s.fill, From: s.from, To: s.to, Weights: s.weights}
}

// spec is the trial of cfg with fill and the flags' scoring window.
func (s *strategyFlags) spec(cfg strategy.Config, fill harness.FillMode) trial.Spec {
	sp := trial.NewSpec(cfg, fill)
	sp.Window = s.win
	return sp
}

// attachBook loads the --weights book into env, checked against its panel.
func (s *strategyFlags) attachBook(env *trial.Env) (err error) {
	env.Book, err = s.options().Book(env.Panel)
	return err
}

// checkData refuses data on which cfg cannot work as meant.
func checkData(cfg strategy.Config, p *harness.Panel) error { return trial.CheckData(cfg, p) }

// checkWorkers refuses a worker count below one.
func checkWorkers(n int) error { return trial.CheckWorkers(n) }
