package strategy_test

import (
	"context"
	"math"
	"testing"

	"gem/harness"
	"gem/strategy"
)

// linear is n daily candles of tok from day start: close 100+10t, open the
// previous close (100 on the first day).
func linear(tok string, start harness.Date, n int) []harness.Candle {
	var cs []harness.Candle
	for t := range n {
		c := 100 + 10*float64(t)
		cs = append(cs, harness.Candle{Token: tok, Date: start + harness.Date(t), Open: max(c-10, 100), High: c, Low: c - 10, Close: c, Volume: 1})
	}
	return cs
}

// TestBenchmarkHoldsWhatTheDataHas: without ETH the benchmark holds BTC;
// without either major, the tokens trading on the first day. By hand: the
// causal walk decides on day 1 (seeing day 0) and buys at day 1's open of
// 100 with 10,000 less the 0.3% fee, 99.7 units, worth 99.7 × 390 on the
// last day (t = 29): a total return of 288.83%.
func TestBenchmarkHoldsWhatTheDataHas(t *testing.T) {
	for _, tt := range []struct {
		name    string
		candles []harness.Candle
		basket  string
	}{
		{"BTC only", linear("BTC", 19000, 30), "BTC buy-and-hold (no ETH in the data)"},
		{"ETH and an alt", append(linear("ETH", 19000, 30), linear("ALT", 19010, 20)...), "ETH buy-and-hold (no BTC in the data)"},
		{"one alt", linear("ALT", 19000, 30), "buy-and-hold of the tokens trading on the first day, equal weights (no BTC or ETH in the data)"},
		{"alts listed later", append(linear("ALT", 19000, 30), linear("NEW", 19005, 25)...), "buy-and-hold of the tokens trading on the first day, equal weights (no BTC or ETH in the data)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p, err := harness.NewPanel(tt.candles)
			if err != nil {
				t.Fatal(err)
			}
			if got := strategy.BenchmarkBasket(p); got != tt.basket {
				t.Errorf("basket %q, want %q", got, tt.basket)
			}
			cfg := &strategy.BenchmarkConfig{}
			ev, err := harness.Evaluate(context.Background(), p, func() harness.Strategy { return cfg.New(nil) }, harness.Config{Fill: harness.Causal})
			if err != nil {
				t.Fatal(err)
			}
			if got, want := ev.Base.TotalReturnPct, 288.83; math.Abs(got-want) > 1e-9 {
				t.Errorf("total return %v%%, want %v%%", got, want)
			}
			if got := ev.Base.RebalanceCount; got != 2 {
				t.Errorf("%d rebalances, want 2 (the first day's, empty, and the buy)", got)
			}
		})
	}
}

// TestBenchmarkMajors: with both majors the benchmark is BTC+ETH half and
// half, as before: 49.85 units of each at 100, worth 2 × 49.85 × 390.
func TestBenchmarkMajors(t *testing.T) {
	p, err := harness.NewPanel(append(linear("BTC", 19000, 30), append(linear("ETH", 19000, 30), linear("ALT", 19000, 30)...)...))
	if err != nil {
		t.Fatal(err)
	}
	if got := strategy.BenchmarkBasket(p); got != "BTC+ETH buy-and-hold" {
		t.Errorf("basket %q", got)
	}
	cfg := &strategy.BenchmarkConfig{}
	ev, err := harness.Evaluate(context.Background(), p, func() harness.Strategy { return cfg.New(nil) }, harness.Config{Fill: harness.Causal})
	if err != nil {
		t.Fatal(err)
	}
	if got := ev.BaseRun.Final; len(got) != 2 || math.Abs(got[0].Value-49.85*390) > 1e-6 || math.Abs(got[1].Value-49.85*390) > 1e-6 {
		t.Errorf("final holdings %+v, want BTC and ETH worth %v each", got, 49.85*390)
	}
}
