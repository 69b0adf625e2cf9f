package harness_test

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"gem/harness"
	"gem/synth"
)

// churner rebalances on a random third of its decisions to a random book of
// up to five tokens that trade, and checks the account at every decision.
type churner struct {
	t      *testing.T
	rng    *rand.Rand
	values []float64 // Account.Value at each decision
}

func (c *churner) Decide(v *harness.View, a *harness.Account, dst []harness.Target) ([]harness.Target, bool) {
	t := c.t
	value, cash := a.Value(), a.Cash()
	c.values = append(c.values, value)
	stakes := a.Positions()
	if len(stakes) != a.NumPositions() {
		t.Fatalf("day %d: %d positions, NumPositions %d", a.Day(), len(stakes), a.NumPositions())
	}
	sumV, sumW := 0.0, 0.0
	for _, s := range stakes {
		if !a.Held(s.Token) || a.Weight(s.Token) != s.Weight || !(s.Value >= 0) {
			t.Fatalf("day %d: stake %+v, held %v, weight %v", a.Day(), s, a.Held(s.Token), a.Weight(s.Token))
		}
		sumV += s.Value
		sumW += s.Weight
	}
	// The positions' values add up to the account's value minus its cash,
	// and their weights to the invested fraction.
	if d := math.Abs(sumV - (value - cash)); d > 1e-9*value {
		t.Fatalf("day %d: positions worth %v, value − cash = %v", a.Day(), sumV, value-cash)
	}
	if d := math.Abs(sumW - (value-cash)/value); d > 1e-12 {
		t.Fatalf("day %d: weights sum to %v, invested fraction %v", a.Day(), sumW, (value-cash)/value)
	}
	for i := range v.NumTokens() {
		if !a.Held(i) && a.Weight(i) != 0 {
			t.Fatalf("day %d: token %d not held has weight %v", a.Day(), i, a.Weight(i))
		}
	}
	if a.LastRebalance() >= 0 && c.rng.IntN(3) != 0 {
		return dst[:0], false
	}
	dst = dst[:0]
	left := 1.0
	for range c.rng.IntN(6) {
		tok := c.rng.IntN(v.NumTokens())
		if !v.Trading(tok) || a.Held(tok) && c.rng.IntN(2) == 0 {
			continue
		}
		w := left * c.rng.Float64()
		left -= w
		dst = append(dst, harness.Target{Token: tok, Weight: w})
	}
	return dedupe(dst), true
}

// dedupe keeps the first target of each token.
func dedupe(ts []harness.Target) []harness.Target {
	seen := map[int]bool{}
	kept := ts[:0]
	for _, t := range ts {
		if !seen[t.Token] {
			seen[t.Token] = true
			kept = append(kept, t)
		}
	}
	return kept
}

// TestAccountMarks: at every decision the account's positions add up to its
// value minus its cash, and that value is the one a snapshot on the view's
// last day records: with causal fills the previous day's snapshot, with
// reference fills the decision day's own snapshot when nothing trades.
func TestAccountMarks(t *testing.T) {
	cfg := synth.DefaultConfig()
	cfg.Tokens, cfg.Days = 30, 400
	p, err := synth.Panel(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, fill := range []harness.FillMode{harness.Causal, harness.Reference} {
		t.Run(fill.String(), func(t *testing.T) {
			c := &churner{t: t, rng: rand.New(rand.NewPCG(7, uint64(fill)))}
			run, err := harness.Backtest(context.Background(), p, c, harness.Config{Fill: fill, FeeRate: harness.FeeRate, InitialCapital: harness.InitialCapital})
			if err != nil {
				t.Fatal(err)
			}
			if len(run.Rebalances) < 50 || run.TokensHeld < 10 {
				t.Fatalf("%d rebalances, %d tokens held: the test needs a strategy that trades", len(run.Rebalances), run.TokensHeld)
			}
			traded := map[int]bool{}
			for _, r := range run.Rebalances {
				traded[r.Day] = true
			}
			checked := 0
			for d, got := range c.values {
				var want float64
				switch {
				case fill == harness.Causal && d > 0:
					want = run.Values[d-1]
				case fill == harness.Reference && !traded[d]:
					want = run.Values[d]
				default:
					continue
				}
				if got != want {
					t.Errorf("day %d: account value %v, snapshot %v", d, got, want)
				}
				checked++
			}
			if checked < 200 {
				t.Errorf("only %d days checked", checked)
			}
		})
	}
}
