package trial

import (
	"fmt"
	"strings"

	"gem/harness"
	"gem/strategy"
)

// Options are a trial's choices as text: the options of the --strategy,
// --set, --fill, --score-from, --score-to and --weights flags that gem's
// commands share, as the flags give them. Errors name an option by its
// flag, so that a command can return them as they are.
type Options struct {
	// Strategy names the strategy (strategy.Names).
	Strategy string
	// Sets are parameter overrides, each name=value, applied in order.
	Sets []string
	// Fill is the fill mode (harness.ParseFillMode).
	Fill string
	// From and To bound the scoring window (YYYY-MM-DD; empty is open).
	From, To string
	// Weights is the book file the weights strategy replays; it is given
	// exactly when Strategy is "weights".
	Weights string
}

// Config builds the strategy's configuration with the Sets applied and
// validated, its fill mode and the scoring window.
func (o *Options) Config() (strategy.Config, harness.FillMode, Window, error) {
	fill, err := harness.ParseFillMode(o.Fill)
	if err != nil {
		return nil, 0, Window{}, err
	}
	cfg, err := strategy.New(o.Strategy)
	if err != nil {
		return nil, 0, Window{}, err
	}
	if (o.Strategy == "weights") != (o.Weights != "") {
		return nil, 0, Window{}, fmt.Errorf("--strategy weights and --weights FILE go together")
	}
	a := strategy.Assign(cfg)
	for _, kv := range o.Sets {
		name, value, ok := strings.Cut(kv, "=")
		if !ok {
			return nil, 0, Window{}, fmt.Errorf("--set %q: want name=value (gem params lists the names)", kv)
		}
		if a, err = a.Set(strings.TrimSpace(name), value); err != nil {
			return nil, 0, Window{}, fmt.Errorf("--set: %w", err)
		}
	}
	if cfg, err = strategy.Configure(cfg, a); err != nil {
		return nil, 0, Window{}, err
	}
	win, err := ParseWindow(o.From + ".." + o.To)
	if err != nil {
		return nil, 0, Window{}, fmt.Errorf("--score-from/--score-to: %w", err)
	}
	return cfg, fill, win, nil
}

// Book loads the Weights book, checked against p; nil without Weights.
func (o *Options) Book(p *harness.Panel) (*strategy.Book, error) {
	if o.Weights == "" {
		return nil, nil
	}
	b, err := strategy.LoadBook(o.Weights)
	if err != nil {
		return nil, err
	}
	if err := b.Check(p); err != nil {
		return nil, fmt.Errorf("%s: %w", o.Weights, err)
	}
	return b, nil
}

// CheckWorkers refuses a number of workers below one.
func CheckWorkers(n int) error {
	if n < 1 {
		return fmt.Errorf("--workers %d: want at least 1", n)
	}
	return nil
}

// CheckData refuses data on which cfg cannot work as meant: an ensemble (or
// the long/short strategy's ensemble) watching a market series the data
// does not have.
func CheckData(cfg strategy.Config, p *harness.Panel) error {
	switch e := cfg.(type) {
	case *strategy.EnsembleConfig:
		return e.P.CheckData(p)
	case *strategy.LongShortConfig:
		return e.P.Ensemble().CheckData(p)
	}
	return nil
}
