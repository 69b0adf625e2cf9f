package harness

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// sameFill compares a fill with a hand-computed one, the floats to 1e-12
// relative.
func sameFill(t *testing.T, got, want Fill) {
	t.Helper()
	close := func(a, b float64) bool { return math.Abs(a-b) <= 1e-12*max(1, math.Abs(b)) }
	if got.Day != want.Day || got.Token != want.Token || got.Reason != want.Reason ||
		!close(got.Qty, want.Qty) || !close(got.Price, want.Price) || !close(got.Fee, want.Fee) || !close(got.Traded, want.Traded) {
		t.Errorf("fill %+v, want %+v", got, want)
	}
}

// checkFillSums checks that the fills' Traded and Fee sum to the run's
// Traded and FeesPaid (to 1e-9 relative), that a fill's Traded is its gross
// |Qty| × Price or, for a buy, its gross plus its fee, and that each
// token's fills sum to the quantity of its final position.
func checkFillSums(t *testing.T, run *Run, p *Panel) {
	t.Helper()
	traded, fees := 0.0, 0.0
	qty := map[int]float64{}
	scale := map[int]float64{}
	for _, f := range run.Fills {
		g := math.Abs(f.Qty * f.Price)
		if !(math.Abs(f.Traded-g) <= 1e-12*g || f.Qty > 0 && math.Abs(f.Traded-g-f.Fee) <= 1e-12*f.Traded) {
			t.Errorf("fill %+v: Traded is neither the gross %v nor gross plus fee", f, g)
		}
		traded += f.Traded
		fees += f.Fee
		qty[f.Token] += f.Qty
		scale[f.Token] += math.Abs(f.Qty)
	}
	if math.Abs(traded-run.Traded) > 1e-9*run.Traded {
		t.Errorf("fills trade %v, the run %v", traded, run.Traded)
	}
	if math.Abs(fees-run.FeesPaid) > 1e-9*run.FeesPaid {
		t.Errorf("fills pay %v in fees, the run %v", fees, run.FeesPaid)
	}
	final := map[int]float64{}
	last := run.First + len(run.Values) - 1
	for _, h := range run.Final {
		c, ok := p.CloseOn(h.Token, last)
		if !ok {
			t.Fatalf("token %d has no close on the last day", h.Token)
		}
		final[h.Token] = h.Value / c
	}
	for tok, q := range qty {
		if math.Abs(q-final[tok]) > 1e-9*scale[tok] {
			t.Errorf("token %d: fills sum to %v, the final position is %v", tok, q, final[tok])
		}
	}
}

// TestFillsByHand: a causal run at a 1% fee buys A and B at day 1's opens
// (10 and 20, 500 each: 49.5 A and 24.75 B), sells B as delisted on day 3
// at its last close 22 (StaleDays 1: its last candle is two days old), and
// sells A whole at day 4's open 12.
func TestFillsByHand(t *testing.T) {
	p, err := NewPanel([]Candle{
		candle("AAA", "2024-01-01", 9, 9, 9, 9),
		candle("AAA", "2024-01-02", 10, 11, 10, 11),
		candle("AAA", "2024-01-03", 11, 11, 11, 11),
		candle("AAA", "2024-01-04", 11, 12, 11, 12),
		candle("AAA", "2024-01-05", 12, 12, 12, 12),
		candle("BBB", "2024-01-01", 19, 19, 19, 19),
		candle("BBB", "2024-01-02", 20, 22, 20, 22),
	})
	if err != nil {
		t.Fatal(err)
	}
	books := map[int][]Target{0: {{Token: 0, Weight: 0.5}, {Token: 1, Weight: 0.5}}, 3: {}}
	cfg := Config{Fill: Causal, FeeRate: 0.01, InitialCapital: 1000, StaleDays: 1, RecordFills: true}
	run, err := Backtest(context.Background(), p, &scripted{books: books}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	want := []Fill{
		{Day: 1, Token: 0, Qty: 49.5, Price: 10, Fee: 5, Traded: 500, Reason: FillRebalance},
		{Day: 1, Token: 1, Qty: 24.75, Price: 20, Fee: 5, Traded: 500, Reason: FillRebalance},
		{Day: 3, Token: 1, Qty: -24.75, Price: 22, Fee: 5.445, Traded: 544.5, Reason: FillStale},
		{Day: 4, Token: 0, Qty: -49.5, Price: 12, Fee: 5.94, Traded: 594, Reason: FillRebalance},
	}
	if len(run.Fills) != len(want) {
		t.Fatalf("fills %+v, want %+v", run.Fills, want)
	}
	for i := range want {
		sameFill(t, run.Fills[i], want[i])
	}
	checkFillSums(t, run, p)
	// Off by default: no fills, and the run is otherwise the same.
	cfg.RecordFills = false
	off, err := Backtest(context.Background(), p, &scripted{books: books}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if off.Fills != nil || !slices.Equal(off.Values, run.Values) || off.Traded != run.Traded || off.FeesPaid != run.FeesPaid {
		t.Errorf("without RecordFills: fills %v, values %v (want none and %v)", off.Fills, off.Values, run.Values)
	}
	// Recorded but nothing traded: an empty, non-nil record.
	cfg.RecordFills = true
	cash, err := Backtest(context.Background(), p, &scripted{}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if cash.Fills == nil || len(cash.Fills) != 0 {
		t.Errorf("an all-cash run records %#v, want an empty record", cash.Fills)
	}
	for r, s := range map[FillReason]string{FillRebalance: "rebalance", FillStale: "stale sale", FillLiquidation: "liquidation"} {
		if r.String() != s {
			t.Errorf("reason %d is %q, want %q", r, r, s)
		}
	}
}

// TestFillsShortSqueeze: the short of TestShortSqueeze (30 A sold at day 1's
// open 100 for 3000, no fee) is liquidated on day 2 at its trigger price
// P* = 4000/30.3, where equity 4000 − 30·P* is 1% of the gross 30·P*: the
// cover of 30 at P* pays the whole equity as the liquidation fee (below
// 1.25% of the gross).
func TestFillsShortSqueeze(t *testing.T) {
	p := perpPanel(t, []Candle{
		candle("AAA", "2024-01-01", 100, 100, 100, 100),
		candle("AAA", "2024-01-02", 100, 110, 100, 110),
		candle("AAA", "2024-01-03", 120, 140, 115, 125),
		candle("AAA", "2024-01-04", 125, 125, 125, 125),
	})
	p.SetFundingMissing(FundingMissing{Mode: FundingZero})
	s := &scripted{books: map[int][]Target{0: {{Token: 0, Weight: -3}}}}
	run, err := Backtest(context.Background(), p, s, Config{Fill: Causal, InitialCapital: 1000, RecordFills: true})
	if err != nil {
		t.Fatal(err)
	}
	pstar := 4000 / 30.3
	want := []Fill{
		{Day: 1, Token: 0, Qty: -30, Price: 100, Fee: 0, Traded: 3000, Reason: FillRebalance},
		{Day: 2, Token: 0, Qty: 30, Price: pstar, Fee: 4000 - 30*pstar, Traded: 30 * pstar, Reason: FillLiquidation},
	}
	if len(run.Fills) != len(want) {
		t.Fatalf("fills %+v, want %+v", run.Fills, want)
	}
	for i := range want {
		sameFill(t, run.Fills[i], want[i])
	}
	checkFillSums(t, run, p)
}

// TestFillsReference: reference fills trade at the decision day's close (the
// decision on day 1 sees it): 1000 at a 1% fee buys 990/11 A.
func TestFillsReference(t *testing.T) {
	p, err := NewPanel([]Candle{
		candle("AAA", "2024-01-01", 9, 9, 9, 9),
		candle("AAA", "2024-01-02", 10, 11, 10, 11),
		candle("AAA", "2024-01-03", 13, 13, 12, 12),
	})
	if err != nil {
		t.Fatal(err)
	}
	s := &scripted{books: map[int][]Target{1: {{Token: 0, Weight: 1}}, 2: {}}}
	run, err := Backtest(context.Background(), p, s, Config{Fill: Reference, FeeRate: 0.01, InitialCapital: 1000, RecordFills: true})
	if err != nil {
		t.Fatal(err)
	}
	q := 990.0 / 11
	// Day 2 sells q·12/12: the reference's sell quantity, not the position.
	sold := q * 12 / 12
	want := []Fill{
		{Day: 1, Token: 0, Qty: q, Price: 11, Fee: 10, Traded: 1000, Reason: FillRebalance},
		{Day: 2, Token: 0, Qty: -sold, Price: 12, Fee: 0.01 * sold * 12, Traded: sold * 12, Reason: FillRebalance},
	}
	if len(run.Fills) != len(want) {
		t.Fatalf("fills %+v, want %+v", run.Fills, want)
	}
	for i := range want {
		sameFill(t, run.Fills[i], want[i])
	}
}

// TestFillsInvariants: on random signed books over random perp paths (with
// funding, fees and liquidations), the fills sum to the run's notional
// traded, its fees and each final position, and recording them changes
// nothing else.
func TestFillsInvariants(t *testing.T) {
	liquidated := 0
	for seed := range uint64(40) {
		rng := rand.New(rand.NewPCG(seed, 3))
		p := randomPerps(t, seed, 3, 40, 1)
		books := map[int][]Target{}
		for d := range 39 {
			if rng.IntN(8) == 0 { // at full gross, for liquidations
				book := randomBook(rng, 3)
				gross := 0.0
				for _, b := range book {
					gross += math.Abs(b.Weight)
				}
				for k := range book {
					book[k].Weight *= MaxGross / gross
				}
				books[d] = book
			}
		}
		cfg := Config{Fill: Causal, FeeRate: 0.003, InitialCapital: 1000, RecordFills: true}
		run, err := Backtest(context.Background(), p, &scripted{books: books}, cfg)
		if err != nil {
			t.Fatal(err)
		}
		checkFillSums(t, run, p)
		n := 0
		for _, f := range run.Fills {
			if f.Reason == FillLiquidation {
				n++
			}
		}
		if n > 0 != (len(run.Liquidations) > 0) {
			t.Errorf("seed %d: %d liquidation fills for %d liquidations", seed, n, len(run.Liquidations))
		}
		liquidated += len(run.Liquidations)
		cfg.RecordFills = false
		off, err := Backtest(context.Background(), p, &scripted{books: books}, cfg)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(off.Values, run.Values) || off.Traded != run.Traded || off.FeesPaid != run.FeesPaid {
			t.Errorf("seed %d: recording the fills changed the run", seed)
		}
	}
	t.Logf("%d liquidations", liquidated)
	if liquidated == 0 {
		t.Error("no liquidation among the random books: the test needs some")
	}
}
