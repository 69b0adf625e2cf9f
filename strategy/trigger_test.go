package strategy

import (
	"context"
	"math"
	"slices"
	"testing"

	"gem/harness"
)

// flatPanel is tokens × days candles at a constant price of 1.
func flatPanel(t *testing.T, tokens, days int) *harness.Panel {
	t.Helper()
	start, _ := harness.ParseDate("2024-01-01")
	var cs []harness.Candle
	for i := range tokens {
		for d := range days {
			cs = append(cs, harness.Candle{Token: string(rune('A' + i)), Date: start + harness.Date(d), Open: 1, High: 1, Low: 1, Close: 1, Volume: 1})
		}
	}
	p, err := harness.NewPanel(cs)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// strategyFunc is a test strategy written as a function.
type strategyFunc func(v *harness.View, a *harness.Account, dst []harness.Target) ([]harness.Target, bool)

func (f strategyFunc) Decide(v *harness.View, a *harness.Account, dst []harness.Target) ([]harness.Target, bool) {
	return f(v, a, dst)
}

// TestTrigger checks the rule day by day against a hand-worked schedule.
func TestTrigger(t *testing.T) {
	tests := []struct {
		name      string
		cooldown  int
		fires     []int // days on which the signals fire
		rebalance []int // want: days that rebalance
		asked     []int // want: days on which the signals are consulted
	}{
		// Day 0 always rebalances. Days 1 and 2 are within 3 days of it;
		// day 3 is the first to ask. Day 5 fires, so 6 and 7 are in the
		// cooldown again.
		{"cooldown 3", 3, []int{1, 2, 5, 9}, []int{0, 5, 9}, []int{3, 4, 5, 8, 9}},
		{"cooldown 1", 1, []int{1, 2, 5, 9}, []int{0, 1, 2, 5, 9}, []int{1, 2, 3, 4, 5, 6, 7, 8, 9}},
		{"no cooldown", 0, nil, []int{0}, []int{1, 2, 3, 4, 5, 6, 7, 8, 9}},
		{"cooldown beyond the run", 20, []int{4}, []int{0}, nil},
	}
	p := flatPanel(t, 1, 10)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var asked []int
			s := strategyFunc(func(_ *harness.View, a *harness.Account, dst []harness.Target) ([]harness.Target, bool) {
				return dst[:0], Trigger{Cooldown: tt.cooldown}.Due(a, func() bool {
					asked = append(asked, a.Day())
					return slices.Contains(tt.fires, a.Day())
				})
			})
			run, err := harness.Backtest(context.Background(), p, s, harness.Config{InitialCapital: 1})
			if err != nil {
				t.Fatal(err)
			}
			var got []int
			for _, r := range run.Rebalances {
				got = append(got, r.Day)
			}
			if !slices.Equal(got, tt.rebalance) {
				t.Errorf("rebalanced on %v, want %v", got, tt.rebalance)
			}
			if !slices.Equal(asked, tt.asked) {
				t.Errorf("signals consulted on %v, want %v", asked, tt.asked)
			}
		})
	}
}

// TestSignalsFire: with token 1 of three held, a rebalance is due exactly
// when a token not held has a positive signal or the held one a negative
// signal; NaN, zero and a token never named never fire, and the scan stops
// at the first that does.
func TestSignalsFire(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		name    string
		signals []float64
		tokens  []int // the token of each signal; nil: signal i is token i's
		want    bool
		calls   int
	}{
		{"no signals", []float64{nan, nan, nan}, nil, false, 3},
		{"held rises", []float64{nan, 2, nan}, nil, false, 3},
		{"held falls", []float64{nan, -0.5, nan}, nil, true, 2},
		{"other rises", []float64{nan, nan, 0.1}, nil, true, 3},
		{"first rises", []float64{1, -1, 1}, nil, true, 1},
		{"all zero", []float64{0, 0, 0}, nil, false, 3},
		{"others fall", []float64{-1, 1, -3}, nil, false, 3},
		{"negative zero held", []float64{0, math.Copysign(0, -1), 0}, nil, false, 3},
		{"held not named", []float64{-1, -2}, []int{0, 2}, false, 2},
		{"held named last", []float64{-1, -2}, []int{2, 1}, true, 2},
		{"other named rises", []float64{0.5}, []int{2}, true, 1},
	}
	p := flatPanel(t, 3, 2)
	var checked bool
	// The first decision buys token 1; the second checks the table.
	s := strategyFunc(func(_ *harness.View, a *harness.Account, dst []harness.Target) ([]harness.Target, bool) {
		if a.Day() == 0 {
			return append(dst[:0], harness.Target{Token: 1, Weight: 0.5}), true
		}
		if !a.Held(1) || a.NumPositions() != 1 {
			t.Fatalf("day %d: want token 1 alone held", a.Day())
		}
		for _, tt := range tests {
			calls := 0
			got := SignalsFire(a, len(tt.signals), func(i int) (int, float64) {
				calls++
				if tt.tokens == nil {
					return i, tt.signals[i]
				}
				return tt.tokens[i], tt.signals[i]
			})
			if got != tt.want || calls != tt.calls {
				t.Errorf("%s: fires %v after %d signals, want %v after %d", tt.name, got, calls, tt.want, tt.calls)
			}
		}
		checked = true
		return dst[:0], false
	})
	if _, err := harness.Backtest(context.Background(), p, s, harness.Config{InitialCapital: 1}); err != nil {
		t.Fatal(err)
	}
	if !checked {
		t.Fatal("the second decision never ran")
	}
}
