package harness

import (
	"context"
	"math"
	"testing"
)

// TestScoringWindow: with a window starting on day 2, the strategy sees the
// data before it (its first view ends on day 1), capital starts on day 2,
// and the run holds only the window's days. Checked by hand.
func TestScoringWindow(t *testing.T) {
	p, err := NewPanel([]Candle{
		candle("AAA", "2024-01-01", 10, 11, 9, 10),
		candle("AAA", "2024-01-02", 12, 13, 11, 12.5),
		candle("AAA", "2024-01-03", 13, 14, 12, 14),
		candle("AAA", "2024-01-04", 14, 15, 13, 15),
		candle("AAA", "2024-01-05", 15, 16, 14, 16),
	})
	if err != nil {
		t.Fatal(err)
	}
	var firstView int
	s := &scripted{books: map[int][]Target{1: {{Token: 0, Weight: 1}}}}
	run, err := Backtest(context.Background(), p, decideSpy{s, &firstView}, Config{Fill: Causal, FeeRate: 0.003, InitialCapital: 1000, Window: Window{From: 2, To: 4}})
	if err != nil {
		t.Fatal(err)
	}
	if firstView != 1 || run.First != 2 || len(run.Values) != 2 {
		t.Fatalf("first view day %d, run.First %d, %d values; want 1, 2, 2", firstView, run.First, len(run.Values))
	}
	// Day 2: the first decision (view through day 1) buys at day 2's open, 13.
	qty := (1000 - 1000*0.003) / 13
	if want := qty * 14; math.Abs(run.Values[0]-want) > 1e-9 {
		t.Errorf("day 2 value %v, want %v", run.Values[0], want)
	}
	if want := qty * 15; math.Abs(run.Values[1]-want) > 1e-9 {
		t.Errorf("day 3 value %v, want %v (the window ends on day 3)", run.Values[1], want)
	}
	m := ComputeMetrics(run, p.Dates[run.First:])
	if want := (qty*15 - qty*14) / (qty * 14) * 100; math.Abs(m.TotalReturnPct-want) > 1e-9 {
		t.Errorf("total return %v%%, want %v%% (from the window's first value)", m.TotalReturnPct, want)
	}
	if _, err := Backtest(context.Background(), p, s, Config{Fill: Causal, Window: Window{From: 4, To: 4}}); err == nil {
		t.Error("an empty window was accepted")
	}
}

// decideSpy records the first view day its strategy is asked about.
type decideSpy struct {
	*scripted
	first *int
}

func (d decideSpy) Decide(v *View, a *Account, dst []Target) ([]Target, bool) {
	if a.LastRebalance() < 0 && len(d.seen) == 0 {
		*d.first = v.Day()
	}
	return d.scripted.Decide(v, a, dst)
}

// TestStalePositions: a position in a token whose candles stop is sold at
// its last close, with the fee, once more than StaleDays calendar days have
// passed; the metrics count the value held without a candle. By hand.
func TestStalePositions(t *testing.T) {
	var cs []Candle
	for i, d := range []string{"2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05", "2024-01-06", "2024-01-07", "2024-01-08"} {
		cs = append(cs, candle("BBB", d, 1, 1, 1, 1))
		if i < 3 {
			cs = append(cs, candle("AAA", d, 10, 10, 10, 10+float64(i)))
		}
	}
	p, err := NewPanel(cs)
	if err != nil {
		t.Fatal(err)
	}
	s := &scripted{books: map[int][]Target{0: {{Token: 0, Weight: 1}}}}
	run, err := Backtest(context.Background(), p, s, Config{Fill: Causal, FeeRate: 0.003, InitialCapital: 1000, StaleDays: 2})
	if err != nil {
		t.Fatal(err)
	}
	// Bought on day 1 at the open 10; last candle day 2 (close 12); no
	// candle from day 3; on day 5 the last candle is 3 days old (> 2): sold
	// at 12 before the decision.
	qty := (1000 - 1000*0.003) / 10
	cash := qty * 12 * (1 - 0.003)
	if len(run.StaleSales) != 1 || run.StaleSales[0].Day != 5 || run.StaleSales[0].Since != 2 || math.Abs(run.StaleSales[0].Value-qty*12) > 1e-9 {
		t.Fatalf("stale sales %+v, want one on day 5 of %v", run.StaleSales, qty*12)
	}
	if math.Abs(run.Cash[5]-cash) > 1e-9 || math.Abs(run.Values[7]-cash) > 1e-9 {
		t.Errorf("cash %v after the sale, value %v at the end; want %v", run.Cash[5], run.Values[7], cash)
	}
	m := ComputeMetrics(run, p.Dates)
	// Days 3 and 4 hold qty·12 in a token without a candle, all of the value.
	if m.StaleDays != 2 || m.StaleSales != 1 || math.Abs(m.StaleValuePct-100*2.0/8) > 1e-9 {
		t.Errorf("stale metrics days %d sales %d value %.4f%%; want 2, 1, 25%%", m.StaleDays, m.StaleSales, m.StaleValuePct)
	}
	// Reference fills keep the reference's convention: nothing is sold.
	ref, _ := Backtest(context.Background(), p, &scripted{books: map[int][]Target{0: {{Token: 0, Weight: 1}}}}, Config{Fill: Reference, FeeRate: 0.003, InitialCapital: 1000, StaleDays: 2})
	if len(ref.StaleSales) != 0 {
		t.Errorf("reference fills sold %d stale positions", len(ref.StaleSales))
	}
}
