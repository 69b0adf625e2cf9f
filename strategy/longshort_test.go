package strategy

import (
	"context"
	"math"
	"testing"

	"gem/harness"
)

// probe is a strategy that runs f on one decision day's view and holds.
type probe struct {
	day int
	f   func(v *harness.View)
}

func (p *probe) Decide(v *harness.View, a *harness.Account, dst []harness.Target) ([]harness.Target, bool) {
	if v.Day() == p.day {
		p.f(v)
	}
	return dst[:0], false
}

// trendPanel has four perps over 60 days: AAA rising 1% a day, BBB falling
// 1%, CCC falling 3%, DDD flat, each with a ±0.5% zigzag so that fits are
// not perfect and ATRs are positive.
func trendPanel(t *testing.T) *harness.Panel {
	var candles []harness.Candle
	d0, _ := harness.ParseDate("2024-01-01")
	for i, g := range []float64{1.01, 0.99, 0.97, 1} {
		px := 100.0
		for d := range 60 {
			z := 1 + 0.005*float64(1-2*(d%2))
			c := px * z
			candles = append(candles, harness.Candle{Token: string(rune('A'+i)) + string(rune('A'+i)) + string(rune('A'+i)), Date: d0 + harness.Date(d),
				Open: c, High: c * 1.01, Low: c * 0.99, Close: c, Volume: 1})
			px *= g
		}
	}
	p, err := harness.NewPanel(candles)
	if err != nil {
		t.Fatal(err)
	}
	p.SetMarkets([]bool{true, true, true, true})
	return p
}

// TestShortBook checks the bear specialist's short side on known trends:
// only falling fits, the steepest first, weights summing to 1; and the
// long/short book by its formula.
func TestShortBook(t *testing.T) {
	p := trendPanel(t)
	params := DefaultLongShortParams()
	for _, c := range []struct {
		count int
		want  []int // tokens in order
	}{{1, []int{2}}, {2, []int{2, 1}}, {5, []int{2, 1}}} {
		params.Short.Count = c.count
		e := NewEnsemble(params.Ensemble(), nil)
		var book []harness.Target
		pr := &probe{day: 50, f: func(v *harness.View) { book = e.shortBook(v, nil) }}
		if _, err := harness.Backtest(context.Background(), p, pr, harness.Config{Fill: harness.Causal, InitialCapital: 1}); err != nil {
			t.Fatal(err)
		}
		sum := 0.0
		for k, tg := range book {
			sum += tg.Weight
			if k >= len(c.want) || tg.Token != c.want[k] || !(tg.Weight > 0) {
				t.Errorf("count %d: book %v, want tokens %v", c.count, book, c.want)
			}
		}
		if len(book) != len(c.want) || math.Abs(sum-1) > 1e-12 {
			t.Errorf("count %d: book %v (sum %g), want tokens %v summing to 1", c.count, book, sum, c.want)
		}
	}
	// At a bear posterior of 1 with share 0.5 and gross 2, a long book of
	// AAA alone becomes AAA +1, CCC −1.
	params.Short.Count, params.Short.Share, params.Short.Gross = 1, 0.5, 2
	e := NewEnsemble(params.Ensemble(), nil)
	pr := &probe{day: 50, f: func(v *harness.View) {
		e.targets, e.post = []harness.Target{{Token: 0, Weight: 1}}, []float64{1, 0, 0}
		e.longShortBook(v)
	}}
	if _, err := harness.Backtest(context.Background(), p, pr, harness.Config{Fill: harness.Causal, InitialCapital: 1}); err != nil {
		t.Fatal(err)
	}
	if len(e.targets) != 2 || e.targets[0] != (harness.Target{Token: 0, Weight: 1}) || e.targets[1] != (harness.Target{Token: 2, Weight: -1}) {
		t.Errorf("long/short book %v, want AAA +1, CCC -1", e.targets)
	}
}

// TestLongShortDefaultsOff checks that the ensemble's short side is off by
// default, so the ensemble is long only and unchanged.
func TestLongShortDefaultsOff(t *testing.T) {
	p := DefaultEnsembleParams()
	if p.Short.longShort() {
		t.Errorf("ensemble defaults %+v turn the short side on", p.Short)
	}
	if q := DefaultLongShortParams(); !q.Short.longShort() {
		t.Errorf("longshort defaults %+v leave it off", q.Short)
	}
}
