package main

import (
	"fmt"
	"strings"

	"github.com/spf13/pflag"

	"gem/harness"
	"gem/strategy"
	"gem/synth"
)

// dataFlags choose the market data: files, or the synthetic universe.
type dataFlags struct {
	paths []string
	seed  uint64
}

func (d *dataFlags) register(fs *pflag.FlagSet) {
	fs.StringArrayVar(&d.paths, "data", nil, "candle CSV (token,date|timestamp,open,high,low,close,volume; .gz accepted); repeat to merge files (default: the synthetic universe)")
	fs.Uint64Var(&d.seed, "seed", synth.DefaultConfig().Seed, "seed of the synthetic universe (without --data)")
}

// load reads the panel and describes it in a few words.
func (d *dataFlags) load() (*harness.Panel, string, error) {
	var p *harness.Panel
	var what string
	if len(d.paths) == 0 {
		cfg := synth.DefaultConfig()
		cfg.Seed = d.seed
		var err error
		if p, err = synth.Panel(cfg); err != nil {
			return nil, "", err
		}
		what = fmt.Sprintf("synthetic universe (seed %d)", d.seed)
	} else {
		var err error
		if p, err = harness.LoadFiles(d.paths...); err != nil {
			return nil, "", err
		}
		what = strings.Join(d.paths, ", ")
	}
	desc := fmt.Sprintf("%s: %d tokens, %d days (%s..%s)", what, p.NumTokens(), p.NumDays(), p.Dates[0], p.Dates[p.NumDays()-1])
	return p, desc, nil
}

// strategyFlags choose the strategy, its parameters and the fill mode.
type strategyFlags struct {
	name string
	sets []string
	fill string
}

func (s *strategyFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&s.name, "strategy", strategy.Names()[0], "strategy: "+strings.Join(strategy.Names(), ", "))
	fs.StringArrayVar(&s.sets, "set", nil, "set a parameter, name=value (repeatable); see the valid names with any bad name")
	fs.StringVar(&s.fill, "fill", "causal", "fill mode: causal (decide on data through t-1, fill at t's open) or reference (the reference's same-close fills)")
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
	for _, kv := range s.sets {
		name, value, ok := strings.Cut(kv, "=")
		if !ok {
			return nil, 0, fmt.Errorf("--set %q: want name=value; valid names: %s", kv, strings.Join(strategy.ParamNames(cfg.Params()), ", "))
		}
		if err := strategy.SetParam(cfg.Params(), strings.TrimSpace(name), value); err != nil {
			return nil, 0, err
		}
	}
	if err := cfg.Validate(); err != nil {
		return nil, 0, err
	}
	return cfg, fill, nil
}
