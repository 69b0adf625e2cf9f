package strategy

import (
	"fmt"

	"gem/harness"
	"gem/space"
)

// Benchmark buys and holds the majors: BTC and ETH half and half from the
// first day both trade. It holds what the data has: only BTC (or only ETH)
// when the other is absent from the panel, and, with neither, an equal
// weight of every token trading on the first day any token trades (so a
// one-token run holds that token). BenchmarkBasket describes the choice.
type Benchmark struct {
	basket  []int // the tokens held; nil until chosen
	targets []harness.Target
}

// Decide implements harness.Strategy: the first decision rebalances to the
// day's book (all cash unless the whole basket trades), and later ones buy
// once the basket trades and none of it is held yet.
func (b *Benchmark) Decide(v *harness.View, a *harness.Account, dst []harness.Target) ([]harness.Target, bool) {
	t := b.book(v)
	if a.LastRebalance() < 0 || len(t) > 0 && noneHeld(a, t) {
		return append(dst[:0], t...), true
	}
	return dst[:0], false
}

// book is the basket at equal weights when every member trades on the
// decision day, and empty otherwise. The basket is chosen once: the majors
// the panel has, or else the tokens trading on the first day any does.
func (b *Benchmark) book(v *harness.View) []harness.Target {
	b.targets = b.targets[:0]
	if b.basket == nil {
		b.basket = presentMajors(v.TokenIndex)
	}
	if len(b.basket) == 0 {
		if d := v.Day(); d >= 0 {
			for _, i := range v.TradingOn(d) {
				b.basket = append(b.basket, int(i))
			}
		}
		if len(b.basket) == 0 {
			b.basket = nil // nothing trades yet: choose again tomorrow
			return b.targets
		}
	}
	for _, i := range b.basket {
		if !v.Trading(i) {
			return b.targets
		}
	}
	for _, i := range b.basket {
		b.targets = append(b.targets, harness.Target{Token: i, Weight: 1 / float64(len(b.basket))})
	}
	return b.targets
}

func noneHeld(a *harness.Account, t []harness.Target) bool {
	for _, x := range t {
		if a.Held(x.Token) {
			return false
		}
	}
	return true
}

// benchmarkMajors are the tokens the benchmark holds when the data has them.
var benchmarkMajors = [...]string{"BTC", "ETH"}

// presentMajors returns the indices of the majors the panel has (an empty,
// non-nil slice when it has none).
func presentMajors(index func(string) int) []int {
	idx := []int{}
	for _, name := range benchmarkMajors {
		if i := index(name); i >= 0 {
			idx = append(idx, i)
		}
	}
	return idx
}

// BenchmarkBasket says in a few words what Benchmark holds on p: "BTC+ETH
// buy-and-hold", "BTC buy-and-hold (no ETH in the data)", or the
// equal-weight fallback when the data has neither.
func BenchmarkBasket(p *harness.Panel) string {
	switch majors := presentMajors(p.TokenIndex); len(majors) {
	case len(benchmarkMajors):
		return "BTC+ETH buy-and-hold"
	case 1:
		have := p.Series[majors[0]].Token
		missing := benchmarkMajors[0]
		if have == missing {
			missing = benchmarkMajors[1]
		}
		return fmt.Sprintf("%s buy-and-hold (no %s in the data)", have, missing)
	}
	return "buy-and-hold of the tokens trading on the first day, equal weights (no BTC or ETH in the data)"
}

// BenchmarkConfig is the buy-and-hold Benchmark; it has no parameters.
type BenchmarkConfig struct{}

func (c *BenchmarkConfig) Name() string                { return "benchmark" }
func (c *BenchmarkConfig) Params() any                 { return &struct{}{} }
func (c *BenchmarkConfig) Validate() error             { return nil }
func (c *BenchmarkConfig) Space() *space.Space         { return benchmarkSpace() }
func (c *BenchmarkConfig) Clone() Config               { return &BenchmarkConfig{} }
func (c *BenchmarkConfig) New(*Cache) harness.Strategy { return &Benchmark{} }
