package harness

import (
	"context"
	"math"
	"slices"
	"testing"
)

// scripted is a test strategy: it rebalances on its first decision and on
// each listed decision day, to the given book (all cash on the first day
// unless listed), and holds on other days.
type scripted struct {
	books  map[int][]Target // by view day
	seen   []int            // view days it rebalanced on
	values []float64        // Account.Value at each decision
	first  []float64        // Account.Weight of token 0 at each decision
}

func (s *scripted) Decide(v *View, a *Account, dst []Target) ([]Target, bool) {
	s.values, s.first = append(s.values, a.Value()), append(s.first, a.Weight(0))
	book, ok := s.books[v.Day()]
	if !ok && a.LastRebalance() >= 0 {
		return dst[:0], false
	}
	s.seen = append(s.seen, v.Day())
	return append(dst[:0], book...), true
}

func candle(tok, date string, o, h, l, c float64) Candle {
	d, _ := ParseDate(date)
	return Candle{Token: tok, Date: d, Open: o, High: h, Low: l, Close: c, Volume: 1}
}

// TestCausalFills checks the causal book by hand: a decision on data through
// day t−1 fills at day t's open, fees are 0.3% of notional on each side, and
// a position in a token that stops trading is marked at its last close.
func TestCausalFills(t *testing.T) {
	p, err := NewPanel([]Candle{
		candle("AAA", "2024-01-01", 10, 11, 9, 10),
		candle("AAA", "2024-01-02", 12, 13, 11, 12.5),
		candle("AAA", "2024-01-03", 13, 14, 12, 14),
		candle("AAA", "2024-01-04", 14, 15, 13, 15),
		candle("BBB", "2024-01-01", 2, 2, 2, 2),
		candle("BBB", "2024-01-02", 2, 2, 2, 2),
	})
	if err != nil {
		t.Fatal(err)
	}
	// Decided on day 0's data, filled on day 1 at AAA's open (12): all in AAA.
	// Decided on day 2's data, filled on day 3 at the open (14): all out.
	s := &scripted{books: map[int][]Target{0: {{Token: 0, Weight: 1}}, 2: {}}}
	run, err := Backtest(context.Background(), p, s, Config{Fill: Causal, FeeRate: 0.003, InitialCapital: 1000})
	if err != nil {
		t.Fatal(err)
	}
	// Day 1: buy 1000 at 12 paying 3 in fees: qty = 997/12; worth qty·12.5 at the close.
	qty := (1000 - 1000*0.003) / 12
	// Day 3: sell everything at 14.
	gross := qty * 14
	cash := gross - gross*0.003
	want := []float64{1000, qty * 12.5, qty * 14, cash}
	for d := range want {
		if run.Values[d] != want[d] {
			t.Errorf("day %d value %v, want %v", d, run.Values[d], want[d])
		}
	}
	if len(run.Rebalances) != 3 || run.Rebalances[1].Day != 1 || run.Rebalances[2].Day != 3 {
		t.Errorf("rebalances %v, want on days 0, 1 and 3", run.Rebalances)
	}
	// The first decision (day 0) sees nothing; later ones see through t−1.
	if want := []int{-1, 0, 2}; len(s.seen) != 3 || s.seen[0] != want[0] || s.seen[1] != want[1] || s.seen[2] != want[2] {
		t.Errorf("decisions saw view days %v, want %v", s.seen, want)
	}
	// The account at each decision, marked at the view's last close: cash
	// until the purchase fills, then all in AAA.
	if want := []float64{1000, 1000, qty * 12.5, qty * 14}; !slices.Equal(s.values, want) {
		t.Errorf("account values %v, want %v", s.values, want)
	}
	if want := []float64{0, 0, 1, 1}; !slices.Equal(s.first, want) {
		t.Errorf("AAA weights %v, want %v", s.first, want)
	}
	if run.Final != nil || run.Cash[3] != cash {
		t.Errorf("after the full exit: positions %v cash %v, want none and %v (no dust)", run.Final, run.Cash[3], cash)
	}
	if math.Abs(run.FeesPaid-(3+gross*0.003)) > 1e-9 {
		t.Errorf("fees %v, want %v", run.FeesPaid, 3+gross*0.003)
	}
}

// TestDelistedMark: a causal position in a token without candles is marked
// at its last close (not its entry price) and cannot be sold.
func TestDelistedMark(t *testing.T) {
	p, err := NewPanel([]Candle{
		candle("AAA", "2024-01-01", 10, 10, 10, 10),
		candle("AAA", "2024-01-02", 10, 10, 10, 8),
		candle("ZZZ", "2024-01-01", 1, 1, 1, 1),
		candle("ZZZ", "2024-01-02", 1, 1, 1, 1),
		candle("ZZZ", "2024-01-03", 1, 1, 1, 1),
		candle("ZZZ", "2024-01-04", 1, 1, 1, 1),
	})
	if err != nil {
		t.Fatal(err)
	}
	s := &scripted{books: map[int][]Target{0: {{Token: 0, Weight: 1}}, 2: {}}}
	run, err := Backtest(context.Background(), p, s, Config{Fill: Causal, FeeRate: 0, InitialCapital: 100})
	if err != nil {
		t.Fatal(err)
	}
	// Bought 10 AAA at 10 on day 1; AAA closes at 8 and never trades again.
	for d, want := range []float64{100, 80, 80, 80} {
		if run.Values[d] != want {
			t.Errorf("day %d value %v, want %v", d, run.Values[d], want)
		}
	}
	if len(run.Final) != 1 || run.Final[0].Value != 80 {
		t.Errorf("final holdings %v, want AAA worth 80 (unsellable without a price)", run.Final)
	}
}

func TestScoreGates(t *testing.T) {
	tests := []struct {
		name       string
		annual, dd float64 // percent
		hhi        float64
		stressCal  float64
		want       float64
	}{
		// 20% a year, 10% drawdown (no dampening), HHI 0.5: 0.2·1·1.05.
		{"plain", 20, -10, 0.5, 1, 0.2 * 1.05},
		// 35% drawdown: dampener 1/(1+0.2)² ; all in one token: no bonus.
		{"deep drawdown", 20, -35, 1, 1, 0.2 / (1.2 * 1.2)},
		{"below -50%", -50.5, -60, 1, 1, math.Inf(-1)},
		{"negative stress Calmar", 20, -10, 1, -0.01, math.Inf(-1)},
		{"all cash", 0, 0, 1, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, why := Score(Metrics{AnnualizedReturnPct: tt.annual, MaxDrawdownPct: tt.dd, HHI: tt.hhi}, Metrics{CalmarRatio: tt.stressCal})
			if math.Abs(got-tt.want) > 1e-15 && got != tt.want {
				t.Errorf("score %v, want %v", got, tt.want)
			}
			if math.IsInf(tt.want, -1) != (why != "") {
				t.Errorf("rejection %q for score %v", why, got)
			}
		})
	}
}
