package strategy

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"gem/harness"
)

// The market series the regime detector watches (hmm.market), each a daily
// log return in percent.
const (
	// MarketBTC is BTC's return from its previous candle.
	MarketBTC = "btc"
	// MarketEqualWeight is the mean return of every token with candles on
	// the day and the day before.
	MarketEqualWeight = "equal_weight"
	// MarketTop10 is the mean return of the ten largest of those tokens,
	// largest by dollar volume (close × volume) summed over the 30
	// calendar days before the day, ties to the lower token index: the
	// constituents are chosen from data before the day, the return is the
	// day's. A token without a volume counts none.
	MarketTop10 = "top10_equal_weight"
)

// Constituents and lookback of MarketTop10.
const (
	top10Size     = 10
	top10Lookback = 30
)

// market computes a market series day by day; it keeps scratch space, so
// one market serves one series at a time.
type market struct {
	name  string
	sizes []tokenSize
}

// tokenSize is a candidate constituent of an index and its size.
type tokenSize struct {
	tok    int
	size   float64
	logret float64
}

// observe returns the market observation of calendar day d (d ≤ v.Day()),
// in percent; ok is false when there is none.
func (m *market) observe(v *harness.View, d int) (float64, bool) {
	switch m.name {
	case MarketEqualWeight:
		sum, k := 0.0, 0
		for _, tok := range v.TradingOn(d) {
			if r, ok := logReturn(v, int(tok), d, true); ok {
				sum += r
				k++
			}
		}
		return sum / float64(k), k > 0
	case MarketTop10:
		m.sizes = m.sizes[:0]
		for _, tok := range v.TradingOn(d) {
			if r, ok := logReturn(v, int(tok), d, true); ok {
				m.sizes = append(m.sizes, tokenSize{int(tok), dollarVolume(v, int(tok), d-top10Lookback, d-1), r})
			}
		}
		slices.SortFunc(m.sizes, func(a, b tokenSize) int {
			if c := cmp.Compare(b.size, a.size); c != 0 {
				return c
			}
			return cmp.Compare(a.tok, b.tok)
		})
		top := m.sizes[:min(len(m.sizes), top10Size)]
		sum := 0.0
		for _, s := range top {
			sum += s.logret
		}
		return sum / float64(len(top)), len(top) > 0
	case MarketBTC:
		btc := v.TokenIndex("BTC")
		if btc < 0 {
			return 0, false
		}
		return logReturn(v, btc, d, false)
	}
	panic(fmt.Sprintf("strategy: unknown market series %q", m.name))
}

// logReturn is token tok's log return in percent from its previous candle
// to its candle on day d; with consecutive, only when that candle is dated
// d−1. ok is false when there is no such pair.
func logReturn(v *harness.View, tok, d int, consecutive bool) (float64, bool) {
	n := v.LenAt(tok, d)
	if n < 2 {
		return 0, false
	}
	days := v.CandleDays(tok)
	if int(days[n-1]) != d || (consecutive && int(days[n-2]) != d-1) {
		return 0, false
	}
	c := v.Close(tok)
	return 100 * math.Log(c[n-1]/c[n-2]), true
}

// dollarVolume is token tok's close × volume summed over its candles dated
// from day lo through day hi (hi ≤ v.Day()), unknown volumes counting 0.
func dollarVolume(v *harness.View, tok, lo, hi int) float64 {
	c, vol := v.Close(tok), v.Volume(tok)
	sum := 0.0
	for r := v.LenAt(tok, lo-1); r < v.LenAt(tok, hi); r++ {
		if x := c[r] * vol[r]; !math.IsNaN(x) {
			sum += x
		}
	}
	return sum
}

// marketBelowAverage reports whether BTC's last close is below the mean of
// its last window closes (false, false without BTC or enough history). The
// trend gate reads BTC whichever series the regime detector watches.
func marketBelowAverage(v *harness.View, window int) (bool, bool) {
	btc := v.TokenIndex("BTC")
	if btc < 0 {
		return false, false
	}
	c := v.Close(btc)
	if len(c) < window {
		return false, false
	}
	return c[len(c)-1] < harness.Mean(c[len(c)-window:]), true
}

// checkMarket reports data on which the market series has no observation at
// all, so that the regime detector would never run.
func checkMarket(name string, p *harness.Panel) error {
	if name == MarketBTC && p.TokenIndex("BTC") < 0 {
		return fmt.Errorf("hmm.market=%s but the data has no BTC: the regime detector would never run (try hmm.market=%s or %s)", name, MarketEqualWeight, MarketTop10)
	}
	return nil
}
