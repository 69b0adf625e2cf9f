package strategy

import (
	"gem/harness"
	"gem/space"
)

// Benchmark buys BTC and ETH half and half on the first day both trade and
// holds them: the yardstick every ensemble result is printed beside.
type Benchmark struct {
	targets []harness.Target
}

// Decide implements harness.Strategy: the first decision rebalances to
// the day's book (all cash unless both majors trade), and later ones buy
// once both majors trade and neither is held yet.
func (b *Benchmark) Decide(v *harness.View, a *harness.Account, dst []harness.Target) ([]harness.Target, bool) {
	t := b.book(v)
	if a.LastRebalance() < 0 || len(t) == 2 && !a.Held(t[0].Token) && !a.Held(t[1].Token) {
		return append(dst[:0], t...), true
	}
	return dst[:0], false
}

func (b *Benchmark) book(v *harness.View) []harness.Target {
	btc, eth := v.TokenIndex("BTC"), v.TokenIndex("ETH")
	b.targets = b.targets[:0]
	if btc >= 0 && eth >= 0 && v.Trading(btc) && v.Trading(eth) {
		b.targets = append(b.targets, harness.Target{Token: btc, Weight: 0.5}, harness.Target{Token: eth, Weight: 0.5})
	}
	return b.targets
}

// BenchmarkConfig is BTC+ETH buy-and-hold; it has no parameters.
type BenchmarkConfig struct{}

func (c *BenchmarkConfig) Name() string                { return "benchmark" }
func (c *BenchmarkConfig) Params() any                 { return &struct{}{} }
func (c *BenchmarkConfig) Validate() error             { return nil }
func (c *BenchmarkConfig) Space() *space.Space         { return benchmarkSpace() }
func (c *BenchmarkConfig) Clone() Config               { return &BenchmarkConfig{} }
func (c *BenchmarkConfig) New(*Cache) harness.Strategy { return &Benchmark{} }
