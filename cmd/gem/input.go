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
// the synthetic universe) and the universe filters applied to it.
type dataFlags struct {
	paths       []string
	seed        uint64
	synthTokens int
	synthDays   int

	format  string
	token   string
	dropBad bool
	filter  dataio.Filter
	tokens  []string
	from    string
	to      string

	funding        string
	fundingMissing string
	allowMixed     bool
}

func (d *dataFlags) register(fs *pflag.FlagSet) {
	fs.StringArrayVar(&d.paths, "data", nil, "candle file: long CSV (token,date|timestamp,open,high,low,close,volume), Binance kline CSV, .parquet; .gz and .zip accepted; repeat to merge files (default: the synthetic universe)")
	fs.Uint64Var(&d.seed, "seed", synth.DefaultConfig().Seed, "seed of the synthetic universe (without --data)")
	fs.IntVar(&d.synthTokens, "synth-tokens", synth.DefaultConfig().Tokens, "number of tokens of the synthetic universe (without --data)")
	fs.IntVar(&d.synthDays, "synth-days", synth.DefaultConfig().Days, "number of days of the synthetic universe (without --data)")
	fs.StringVar(&d.format, "format", "auto", "format of the --data files: auto, long, binance or parquet")
	fs.StringVar(&d.token, "token", "", "token name for Binance kline files (default: from the file name, BTCUSDT-1d-2024-01.csv is BTC)")
	fs.BoolVar(&d.dropBad, "drop-bad-rows", false, "skip rows with bad values (zero or negative prices ...) instead of failing; each is reported on stderr")
	fs.StringSliceVar(&d.tokens, "tokens", nil, "keep only these tokens (comma-separated; LUNA also keeps LUNA#2 from --split-reused)")
	fs.BoolVar(&d.filter.ExcludeStablecoins, "exclude-stablecoins", false, "drop USD stablecoins and fiat tokens (USDT, USDC, DAI, FDUSD, EUR ...)")
	fs.BoolVar(&d.filter.SurvivorsOnly, "survivors-only", false, "keep only the tokens with a candle on the data's last day (chosen with hindsight: the survivorship-biased universe, to measure that bias)")
	fs.IntVar(&d.filter.MinHistory, "min-history", 0, "drop tokens with fewer candles than this (chosen with hindsight: it sees each token's whole life)")
	fs.StringVar(&d.from, "from", "", "keep candles dated on or after this day (YYYY-MM-DD)")
	fs.StringVar(&d.to, "to", "", "keep candles dated on or before this day (YYYY-MM-DD)")
	fs.BoolVar(&d.filter.SplitReused, "split-reused", false, "split a reused ticker into two assets after its long gap (LUNA, then LUNA#2)")
	fs.StringVar(&d.funding, "funding", "", "perp funding settlements (CSV token,time,funding_rate; .gz accepted) for the perp files' tokens (a file whose name contains \"perp\" holds perps)")
	fs.StringVar(&d.fundingMissing, "funding-missing", "error", "a held perp's day without a funding settlement: error, zero, or rate=X (X per settlement, three a day); the count of such settlements is reported")
	fs.BoolVar(&d.allowMixed, "allow-mixed", false, "allow spot and perp candle files in one panel")
	fs.BoolVar(&d.filter.SplitRedenominated, "split-redenominated", false, "split a token at a suspected redenomination (see gem data check) into two assets")
}

// universe returns the filters the flags ask for.
func (d *dataFlags) universe() (dataio.Filter, error) {
	f := d.filter
	if d.tokens != nil {
		f.Tokens = d.tokens
	}
	for _, b := range []struct {
		flag, value string
		dst         *harness.Date
	}{{"--from", d.from, &f.From}, {"--to", d.to, &f.To}} {
		if b.value == "" {
			continue
		}
		day, err := harness.ParseDate(b.value)
		if err != nil {
			return f, fmt.Errorf("%s: %w", b.flag, err)
		}
		*b.dst = day
	}
	return f, nil
}

// load reads the panel and describes it in a few words; rows dropped by
// --drop-bad-rows are reported on stderr.
func (d *dataFlags) load(stderr io.Writer) (*harness.Panel, string, error) {
	rule := d.fundingMissing
	if rule == "" {
		rule = "error" // flags not registered (a command that only reads data)
	}
	missing, err := harness.ParseFundingMissing(rule)
	if err != nil {
		return nil, "", fmt.Errorf("--funding-missing: %w", err)
	}
	data, what, err := d.read(stderr)
	if err != nil {
		return nil, "", err
	}
	data.AllowMixed = d.allowMixed
	p, err := data.Panel()
	if err != nil {
		return nil, "", err
	}
	desc := fmt.Sprintf("%s: %d tokens, %d days (%s..%s)", what, p.NumTokens(), p.NumDays(), p.Dates[0], p.Dates[p.NumDays()-1])
	if d.funding != "" {
		if !p.HasPerps() {
			return nil, "", fmt.Errorf("--funding %s: the data has no perps (a perp file's name contains \"perp\")", d.funding)
		}
		f, err := harness.LoadFunding(d.funding)
		if err != nil {
			return nil, "", err
		}
		p.AttachFunding(f)
		desc += fmt.Sprintf("; funding %s: %d tokens, %d settlements", d.funding, len(f.Series), f.Rows())
	}
	if p.HasPerps() {
		p.SetFundingMissing(missing)
		desc += "; missing funding: " + missing.String()
	}
	return p, desc, nil
}

// read reads the candles, reports dropped rows on stderr and applies the
// universe filters; what describes the data.
func (d *dataFlags) read(stderr io.Writer) (data *dataio.Data, what string, err error) {
	f, err := d.universe()
	if err != nil {
		return nil, "", err
	}
	data = &dataio.Data{}
	if len(d.paths) == 0 {
		cfg := synth.DefaultConfig()
		cfg.Seed, cfg.Tokens, cfg.Days = d.seed, d.synthTokens, d.synthDays
		if err := synth.CheckSize(cfg); err != nil {
			return nil, "", fmt.Errorf("--synth-tokens, --synth-days: %w", err)
		}
		data.Candles = synth.Generate(cfg)
		what = fmt.Sprintf("synthetic universe (seed %d)", d.seed)
	} else {
		format, err := dataio.ParseFormat(d.format)
		if err != nil {
			return nil, "", fmt.Errorf("--format: %w", err)
		}
		if data, err = dataio.Read(dataio.Options{Format: format, Token: d.token, DropBadRows: d.dropBad}, d.paths...); err != nil {
			return nil, "", err
		}
		what = strings.Join(d.paths, ", ")
		if n := len(data.Dropped); n > 0 {
			for _, e := range data.Dropped {
				fmt.Fprintf(stderr, "gem: dropped %v\n", e)
			}
			fmt.Fprintf(stderr, "gem: --drop-bad-rows dropped %d rows\n", n)
			what += fmt.Sprintf(" (%d bad rows dropped)", n)
		}
	}
	if !f.IsZero() {
		if data.Candles, data.Where, err = f.Apply(data.Candles, data.Where); err != nil {
			return nil, "", err
		}
		what += " [" + describeFilter(&f) + "]"
	}
	return data, what, nil
}

// describeFilter lists the universe filters in use.
func describeFilter(f *dataio.Filter) string {
	var parts []string
	if f.SplitReused {
		parts = append(parts, "reused tickers split")
	}
	if f.SplitRedenominated {
		parts = append(parts, "redenominations split")
	}
	if f.From != 0 {
		parts = append(parts, "from "+f.From.String())
	}
	if f.To != 0 {
		parts = append(parts, "to "+f.To.String())
	}
	if f.Tokens != nil {
		parts = append(parts, "tokens "+strings.Join(f.Tokens, ","))
	}
	if f.ExcludeStablecoins {
		parts = append(parts, "no stablecoins")
	}
	if f.SurvivorsOnly {
		parts = append(parts, "survivors only")
	}
	if f.MinHistory > 0 {
		parts = append(parts, fmt.Sprintf("min history %d", f.MinHistory))
	}
	return strings.Join(parts, ", ")
}

// strategyFlags choose the strategy, its parameters and the fill mode.
type strategyFlags struct {
	name     string
	sets     []string
	fill     string
	from, to string
	win      trial.Window // the scoring window, set by config
	weights  string
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
func (s *strategyFlags) config() (strategy.Config, harness.FillMode, error) {
	fill, err := harness.ParseFillMode(s.fill)
	if err != nil {
		return nil, 0, err
	}
	cfg, err := strategy.New(s.name)
	if err != nil {
		return nil, 0, err
	}
	if (s.name == "weights") != (s.weights != "") {
		return nil, 0, fmt.Errorf("--strategy weights and --weights FILE go together")
	}
	a := strategy.Assign(cfg)
	for _, kv := range s.sets {
		name, value, ok := strings.Cut(kv, "=")
		if !ok {
			return nil, 0, fmt.Errorf("--set %q: want name=value (gem params lists the names)", kv)
		}
		if a, err = a.Set(strings.TrimSpace(name), value); err != nil {
			return nil, 0, fmt.Errorf("--set: %w", err)
		}
	}
	if cfg, err = strategy.Configure(cfg, a); err != nil {
		return nil, 0, err
	}
	if s.win, err = trial.ParseWindow(s.from + ".." + s.to); err != nil {
		return nil, 0, fmt.Errorf("--score-from/--score-to: %w", err)
	}
	return cfg, fill, nil
}

// spec is the trial of cfg with fill and the flags' scoring window.
func (s *strategyFlags) spec(cfg strategy.Config, fill harness.FillMode) trial.Spec {
	sp := trial.NewSpec(cfg, fill)
	sp.Window = s.win
	return sp
}

// checkData refuses data on which cfg cannot work as meant (an ensemble
// watching BTC on data without BTC).
func checkData(cfg strategy.Config, p *harness.Panel) error {
	switch e := cfg.(type) {
	case *strategy.EnsembleConfig:
		return e.P.CheckData(p)
	case *strategy.LongShortConfig:
		return e.P.Ensemble().CheckData(p)
	}
	return nil
}

// checkWorkers refuses a worker count below one.
func checkWorkers(n int) error {
	if n < 1 {
		return fmt.Errorf("--workers %d: want at least 1", n)
	}
	return nil
}

// attachBook loads the --weights book into env, checked against its panel.
func (s *strategyFlags) attachBook(env *trial.Env) error {
	if s.weights == "" {
		return nil
	}
	b, err := strategy.LoadBook(s.weights)
	if err != nil {
		return err
	}
	if err := b.Check(env.Panel); err != nil {
		return fmt.Errorf("%s: %w", s.weights, err)
	}
	env.Book = b
	return nil
}
