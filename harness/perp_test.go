package harness

import (
	"context"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// perpPanel builds a panel of perps from candles and attaches funding
// settlements given as "TOKEN 2024-01-02T08:00:00Z rate" lines.
func perpPanel(t *testing.T, candles []Candle, funding ...string) *Panel {
	t.Helper()
	p, err := NewPanel(candles)
	if err != nil {
		t.Fatal(err)
	}
	perp := make([]bool, p.NumTokens())
	for i := range perp {
		perp[i] = true
	}
	p.SetMarkets(perp)
	if len(funding) > 0 {
		var b strings.Builder
		b.WriteString("token,time,funding_rate\n")
		for _, f := range funding {
			b.WriteString(strings.ReplaceAll(f, " ", ",") + "\n")
		}
		f, err := ReadFunding(strings.NewReader(b.String()), "funding.csv")
		if err != nil {
			t.Fatal(err)
		}
		p.AttachFunding(f)
	}
	return p
}

func near(t *testing.T, what string, got, want float64) {
	t.Helper()
	if math.Abs(got-want) > 1e-9*max(1, math.Abs(want)) {
		t.Errorf("%s = %.12g, want %.12g", what, got, want)
	}
}

// shortFundingPanel is the price path and settlements of TestShortFunding.
func shortFundingPanel(t *testing.T) *Panel {
	return perpPanel(t, []Candle{
		candle("AAA", "2024-01-01", 100, 100, 100, 100),
		candle("AAA", "2024-01-02", 100, 110, 100, 110),
		candle("AAA", "2024-01-03", 110, 110, 105, 105),
		candle("AAA", "2024-01-04", 105, 105, 90, 90),
		candle("AAA", "2024-01-05", 90, 95, 90, 95),
	},
		"AAA 2024-01-01T16:00:00Z 0.01",   // before the short: not the book's
		"AAA 2024-01-02T00:00:00Z 0.01",   // at the open the short is sold at: not the book's
		"AAA 2024-01-02T08:00:00Z 0.0002", // 8-hourly
		"AAA 2024-01-02T16:00:00Z -0.0001",
		"AAA 2024-01-03T04:00:00Z 0.0005", // two on a day
		"AAA 2024-01-03T20:00:00Z -0.0002",
		"AAA 2024-01-04T08:00:00Z 0.001",
		"AAA 2024-01-04T23:00:00Z 0.0003", // the day's last hour
		"AAA 2024-01-05T00:00:00Z 0.01",   // held overnight, bought back at that open: the book's
		"AAA 2024-01-05T08:00:00Z 0.01",   // after the buy-back: not the book's
	)
}

// TestShortFunding follows a short by hand through seven settlements on four
// days with a 0.1% fee: each settlement is paid on the position's notional
// at the event's price, the straight line from the day's open to its close
// read at the settlement's hour, a positive rate paying the short; the
// 00:00 settlement belongs to the book held overnight, not to the one
// traded at that day's open.
func TestShortFunding(t *testing.T) {
	p := shortFundingPanel(t)
	// Short the whole account on day 1's open (100), buy back on day 4's (90).
	books := map[int][]Target{0: {{Token: 0, Weight: -1}}, 3: {}}
	for _, stress := range []bool{false, true} {
		run, err := Backtest(context.Background(), p, &scripted{books: books}, Config{Fill: Causal, FeeRate: 0.001, InitialCapital: 1000, StressFunding: stress})
		if err != nil {
			t.Fatal(err)
		}
		k := 1.0 // what a payment costs: ×1.5 in the stress run
		if stress {
			k = 1.5
		}
		// The short holds −10; pay = −10 · price · rate, a payment when > 0.
		pay := func(price, rate float64) float64 {
			if x := -10 * price * rate; x > 0 {
				return k * x
			}
			return -10 * price * rate
		}
		// Day 1: sell 10 at 100 (gross 1000, fee 1): cash 1999; the path
		// 100 → 110 reads 103.33 at 08:00 and 106.67 at 16:00.
		cash1 := 1999 - pay(100+10*8/24.0, 0.0002) - pay(100+10*16/24.0, -0.0001)
		// Day 2: 110 → 105.
		cash2 := cash1 - pay(110-5*4/24.0, 0.0005) - pay(110-5*20/24.0, -0.0002)
		// Day 3: 105 → 90; 100 at 08:00, 90.625 at 23:00.
		cash3 := cash2 - pay(100, 0.001) - pay(105-15*23/24.0, 0.0003)
		// Day 4: the 00:00 settlement at the open (90), then the buy-back of
		// 10 at 90 (gross 900, fee 0.9).
		cash4 := cash3 - pay(90, 0.01) - 900 - 0.9
		want := []float64{1000, cash1 - 1100, cash2 - 1050, cash3 - 900, cash4}
		for d := range want {
			near(t, "value on day "+p.Dates[d].String(), run.Values[d], want[d])
		}
		near(t, "funding paid", run.FundingPaid, k*(10*(100+10*16/24.0)*0.0001+10*(110-5*20/24.0)*0.0002))
		near(t, "funding received", run.FundingReceived, 10*((100+10*8/24.0)*0.0002+(110-5*4/24.0)*0.0005+100*0.001+(105-15*23/24.0)*0.0003+90*0.01))
		near(t, "fees", run.FeesPaid, 1.9)
		m := ComputeMetrics(run, p.Dates)
		if m.DaysShort != 3 || m.Liquidations != 0 || m.FundingMissing != 0 {
			t.Errorf("days short %d, liquidations %d, missing %d; want 3, 0, 0", m.DaysShort, m.Liquidations, m.FundingMissing)
		}
		near(t, "mean gross", m.MeanGross, (1100/want[1]+1050/want[2]+900/want[3])/5)
		near(t, "mean net", m.MeanNet, -m.MeanGross)
	}
}

// TestEvaluateStressesFunding checks that the stress run pays 1.5 times the
// funding of the base run: a short of the whole account sells the same
// quantity whatever the fee (the fee comes out of the proceeds), so both
// runs hold the same positions and only the payments differ.
func TestEvaluateStressesFunding(t *testing.T) {
	p := shortFundingPanel(t)
	e, err := Evaluate(context.Background(), p, func() Strategy {
		return &scripted{books: map[int][]Target{0: {{Token: 0, Weight: -1}}, 3: {}}}
	}, Config{Fill: Causal})
	if err != nil {
		t.Fatal(err)
	}
	if !(e.Base.FundingPaid > 0) {
		t.Fatalf("base run pays no funding")
	}
	near(t, "stress funding paid", e.Stress.FundingPaid, StressMultiplier*e.Base.FundingPaid)
	near(t, "stress funding received", e.Stress.FundingReceived, e.Base.FundingReceived)
}

// TestFundingEachSettlementOnce holds a long of 10 on a flat path (every
// price 100) over a calendar with a hole (no candle anywhere on 2024-01-03)
// and settlements at every kind of hour: every settlement from the one
// after the purchase at 2024-01-02's open through the last day's is paid
// exactly once (the hole's with the next day's), none before it, none
// after the panel's last day.
func TestFundingEachSettlementOnce(t *testing.T) {
	var candles []Candle
	for _, d := range []string{"2024-01-01", "2024-01-02", "2024-01-04", "2024-01-05"} {
		candles = append(candles, candle("AAA", d, 100, 100, 100, 100))
	}
	rates := map[string]float64{
		"2024-01-01T00:00:00Z": 1, "2024-01-01T23:00:00Z": 2, "2024-01-02T00:00:00Z": 4, // before the long
		"2024-01-02T01:00:00Z": 8, "2024-01-02T23:00:00Z": 16,
		"2024-01-03T00:00:00Z": 32, "2024-01-03T12:00:00Z": 64, // the hole
		"2024-01-04T00:00:00Z": 128, "2024-01-04T04:00:00Z": 256,
		"2024-01-05T00:00:00Z": 512, "2024-01-05T23:00:00Z": 1024,
		"2024-01-06T00:00:00Z": 2048, // after the panel
	}
	var lines []string
	for tm, r := range rates {
		lines = append(lines, "AAA "+tm+" "+formatRate(r*1e-6))
	}
	p := perpPanel(t, candles, lines...)
	run, err := Backtest(context.Background(), p, &scripted{books: map[int][]Target{0: {{Token: 0, Weight: 1}}}}, Config{Fill: Causal, InitialCapital: 1000})
	if err != nil {
		t.Fatal(err)
	}
	// 10 × 100 × (8 + 16 + ... + 1024)·1e-6: each rate a distinct bit.
	near(t, "funding paid", run.FundingPaid, 1000*(8+16+32+64+128+256+512+1024)*1e-6)
	near(t, "final value", run.Values[3], 1000-run.FundingPaid)
}

// TestReferenceFundingHeldBook: reference fills trade at the close, so all
// of a day's settlements are the book's held through that day. A short of
// the whole account sold at day 0's close (100) owes none of day 0's
// settlements, and pays day 1's at 08:00 on the line 100 → 130 (110 there).
func TestReferenceFundingHeldBook(t *testing.T) {
	p := perpPanel(t, []Candle{
		candle("AAA", "2024-01-01", 100, 100, 100, 100),
		candle("AAA", "2024-01-02", 100, 130, 100, 130),
	}, "AAA 2024-01-01T08:00:00Z 0.01", "AAA 2024-01-02T08:00:00Z 0.001")
	run, err := Backtest(context.Background(), p, &scripted{books: map[int][]Target{0: {{Token: 0, Weight: -1}}}}, Config{Fill: Reference, InitialCapital: 1000})
	if err != nil {
		t.Fatal(err)
	}
	near(t, "funding received", run.FundingReceived, 10*110*0.001)
	near(t, "value", run.Values[1], 2000+10*110*0.001-1300)
}

// TestShortSqueeze levers a short to 3x (30 short at 100, cash 4000, no
// fee) and squeezes it. Its maintenance trigger is the price P* where
// 4000 − 30·P* = 0.01·30·P*, P* = 4000/30.3 = 132.0132. On day 2 the high
// (140) crosses it and the close (125) is back below it: the account is
// liquidated at P*, where its equity 0.01·30·P* is what the fee (1.25% of
// the notional, capped) takes, and it ends at zero. When day 2 instead
// opens at 140, above the bankruptcy price 133.33, the book is liquidated
// at the open with an equity of −200: the venue's shortfall, the account at
// zero, never below.
func TestShortSqueeze(t *testing.T) {
	pstar := 4000 / 30.3
	for _, c := range []struct {
		open2, path, price, shortfall float64
		missing                       int
	}{
		// From the open 120 the slack E − 0.01·G runs from 364 to −242 at
		// the high: λ = 364/606, the price 120 + 20λ = P*.
		{120, 364.0 / 606, pstar, 0, 2 + 3},
		// A gap: 4000 − 4200 = −200 at the open, before the day's trades.
		{140, 0, 140, 200, 2 + 1},
	} {
		p := perpPanel(t, []Candle{
			candle("AAA", "2024-01-01", 100, 100, 100, 100),
			candle("AAA", "2024-01-02", 100, 110, 100, 110),
			candle("AAA", "2024-01-03", c.open2, 140, 115, 125),
			candle("AAA", "2024-01-04", 125, 125, 125, 125),
		})
		p.SetFundingMissing(FundingMissing{Mode: FundingZero})
		s := &scripted{books: map[int][]Target{0: {{Token: 0, Weight: -3}}}}
		run, err := Backtest(context.Background(), p, s, Config{Fill: Causal, InitialCapital: 1000})
		if err != nil {
			t.Fatal(err)
		}
		// Day 1: at the high 110 the slack is 4000 − 3300 − 33 > 0.
		want := []float64{1000, 4000 - 30*110, 0, 0}
		for d := range want {
			near(t, "value", run.Values[d], want[d])
		}
		if len(run.Liquidations) != 1 {
			t.Fatalf("liquidations %+v, want one", run.Liquidations)
		}
		l := run.Liquidations[0]
		equity := 4000 - 30*c.price
		near(t, "path", l.Path, c.path)
		near(t, "equity", l.Equity, equity)
		near(t, "maintenance", l.Maintenance, 0.01*30*c.price)
		near(t, "fee", l.Fee, max(equity, 0))
		near(t, "shortfall", l.Shortfall, c.shortfall)
		m := ComputeMetrics(run, p.Dates)
		near(t, "shortfall metric", m.LiquidationShortfall, c.shortfall)
		near(t, "fees", run.FeesPaid, max(equity, 0))
		if l.Day != 2 || len(run.Final) != 0 || run.FundingMissing != c.missing {
			t.Errorf("liquidated on day %d leaving %v, %d missing settlements; want day 2, nothing, %d", l.Day, run.Final, run.FundingMissing, c.missing)
		}
	}
}

// TestCrossMarginExtremes holds a long of A and a short of B, 1.5x each (15
// of each at 100, cash 1000, no fee), and takes A's low and B's high
// together: with B's high at 130 the slack at the extremes (A 70, B 130) is
// 100 − 0.01·3000 = 70 and nothing happens; at 140 it is −50 − 31.5 = −81.5,
// so the book is liquidated at λ = 970/1051.5 of the way, where equity
// 1000 − 1050λ is 1% of the gross 3000 + 150λ. Neither position alone
// would breach the margin.
func TestCrossMarginExtremes(t *testing.T) {
	for _, c := range []struct {
		highB float64
		liq   bool
	}{{130, false}, {140, true}} {
		p := perpPanel(t, []Candle{
			candle("AAA", "2024-01-01", 100, 100, 100, 100),
			candle("AAA", "2024-01-02", 100, 100, 100, 100),
			candle("AAA", "2024-01-03", 100, 100, 70, 100),
			candle("BBB", "2024-01-01", 100, 100, 100, 100),
			candle("BBB", "2024-01-02", 100, 100, 100, 100),
			candle("BBB", "2024-01-03", 100, c.highB, 100, 100),
		})
		p.SetFundingMissing(FundingMissing{Mode: FundingZero})
		s := &scripted{books: map[int][]Target{0: {{Token: 0, Weight: 1.5}, {Token: 1, Weight: -1.5}}}}
		run, err := Backtest(context.Background(), p, s, Config{Fill: Causal, InitialCapital: 1000})
		if err != nil {
			t.Fatal(err)
		}
		if !c.liq {
			if len(run.Liquidations) != 0 || run.Values[2] != 1000 {
				t.Errorf("high %g: liquidations %+v, value %g; want none, 1000", c.highB, run.Liquidations, run.Values[2])
			}
			continue
		}
		if len(run.Liquidations) != 1 {
			t.Fatalf("liquidations %+v, want one", run.Liquidations)
		}
		l := run.Liquidations[0]
		lambda := 970 / 1051.5
		near(t, "path", l.Path, lambda)
		near(t, "equity", l.Equity, 1000-1050*lambda)
		near(t, "maintenance", l.Maintenance, 0.01*(3000+150*lambda))
		near(t, "equity at maintenance", l.Equity, l.Maintenance)
		if run.Values[2] != 0 {
			t.Errorf("value after the liquidation %g, want 0", run.Values[2])
		}
	}
}

// TestSignedHHI checks the concentration of signed books by hand: HHI on
// |w| with cash 1 − Σ|w|, normalised by max(1, Σ|w|).
func TestSignedHHI(t *testing.T) {
	price := func(int, float64) float64 { return 100 }
	for _, c := range []struct {
		qty  []float64 // of tokens 0, 1 at 100
		cash float64
		want float64
	}{
		{[]float64{6, 4}, 0, 0.36 + 0.16},               // long, unlevered: the reference's index
		{[]float64{3, 2}, 500, 0.09 + 0.04 + 0.25},      // long, half cash
		{[]float64{5, -5}, 1000, 0.25 + 0.25},           // long/short, gross 1
		{[]float64{3, -2}, 900, 0.09 + 0.04 + 0.25},     // gross 0.5: the cash counts
		{[]float64{15, -15}, 1000, (2.25 + 2.25) / 9},   // gross 3: as at gross 1
		{[]float64{0, -10}, 2000, 1},                    // one short, gross 1
		{[]float64{15, 0}, -500, 1},                     // one long levered 1.5x
		{[]float64{12, -3}, 100, (1.44 + 0.09) / 2.25},  // gross 1.5
		{[]float64{1, -1}, 1000, 0.01 + 0.01 + 0.8*0.8}, // mostly cash
	} {
		pf := newPortfolio(2, c.cash, 0, 0)
		for tok, q := range c.qty {
			if q != 0 {
				pf.add(tok, q, 100)
			}
		}
		got := hhi(pf, pf.value(price), price)
		if math.Abs(got-c.want) > 1e-12 {
			t.Errorf("book %v cash %g: HHI %.15g, want %.15g", c.qty, c.cash, got, c.want)
		}
	}
}

// TestLongShortPair holds a long and a short of two perps that both rise by
// 10%: the moves offset, and what is lost is the fees, worked by hand.
func TestLongShortPair(t *testing.T) {
	p := perpPanel(t, []Candle{
		candle("AAA", "2024-01-01", 100, 100, 100, 100),
		candle("AAA", "2024-01-02", 100, 110, 100, 110),
		candle("BBB", "2024-01-01", 50, 50, 50, 50),
		candle("BBB", "2024-01-02", 50, 55, 50, 55),
	})
	p.SetFundingMissing(FundingMissing{Mode: FundingZero})
	for _, fee := range []float64{0, 0.001} {
		s := &scripted{books: map[int][]Target{0: {{Token: 0, Weight: 1}, {Token: 1, Weight: -1}}}}
		run, err := Backtest(context.Background(), p, s, Config{Fill: Causal, FeeRate: fee, InitialCapital: 1000})
		if err != nil {
			t.Fatal(err)
		}
		// The long spends 1000 on margin, the fee included: (1000 − fee)/100
		// of AAA and cash 0; the short sells 20 BBB for 1000 less its fee.
		qa := (1000 - 1000*fee) / 100
		cash := 1000 - 1000*fee
		near(t, "value", run.Values[1], qa*110-20*55+cash)
		if fee == 0 {
			near(t, "flat value", run.Values[1], 1000)
		}
		m := ComputeMetrics(run, p.Dates)
		near(t, "mean gross", m.MeanGross, (qa*110+1100)/run.Values[1]/2)
	}
}

// TestShortBookRefusals checks that spot tokens cannot be shorted or
// levered, that gross exposure is capped, and that missing funding stops a
// backtest by default, naming the token and day.
func TestShortBookRefusals(t *testing.T) {
	candles := []Candle{
		candle("AAA", "2024-01-01", 100, 100, 100, 100),
		candle("AAA", "2024-01-02", 100, 110, 100, 110),
	}
	spot, err := NewPanel(candles)
	if err != nil {
		t.Fatal(err)
	}
	perp := perpPanel(t, candles)
	for _, c := range []struct {
		p    *Panel
		book []Target
		want string
	}{
		{spot, []Target{{0, -0.5}}, "AAA is a spot token"},
		{spot, []Target{{0, 1.5}}, "AAA is a spot token"},
		{perp, []Target{{0, -3.1}}, "gross exposure 3.1 above"},
		{perp, []Target{{0, math.NaN()}}, "weight NaN"},
		{perp, []Target{{0, 0.5}}, "no funding for perp AAA on 2024-01-02"},
	} {
		s := &scripted{books: map[int][]Target{0: c.book}}
		_, err := Backtest(context.Background(), c.p, s, Config{Fill: Causal, InitialCapital: 1000})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("book %v: error %v, want %q", c.book, err, c.want)
		}
	}
}

// randomPerps is a panel of nt perps over nd days on a random multiplicative
// path (daily moves up to ±15%), with three settlements a day at random
// rates of either sign, signed as sign says.
func randomPerps(t *testing.T, seed uint64, nt, nd int, sign float64) *Panel {
	rng := rand.New(rand.NewPCG(seed, 7))
	var candles []Candle
	var funding []string
	d0, _ := ParseDate("2024-01-01")
	for i := range nt {
		tok := string(rune('A'+i)) + "X"
		px := 10 + 90*rng.Float64()
		for d := range nd {
			o := px
			px *= 1 + 0.3*(rng.Float64()-0.5)
			date := (d0 + Date(d)).String()
			candles = append(candles, candle(tok, date, o, max(o, px), min(o, px), px))
			for h := 0; h < 24; h += 8 {
				r := sign * 0.001 * (rng.Float64() - 0.4)
				funding = append(funding, tok+" "+date+"T"+twoDigits(h)+":00:00Z "+formatRate(r))
			}
		}
	}
	return perpPanel(t, candles, funding...)
}

func twoDigits(h int) string { return string([]byte{byte('0' + h/10), byte('0' + h%10)}) }

// formatRate writes r with 8 decimals, as the funding file does.
func formatRate(r float64) string {
	s := make([]byte, 0, 12)
	if r < 0 {
		s, r = append(s, '-'), -r
	}
	n := int64(math.Round(r * 1e8))
	s = append(s, '0', '.')
	for k := int64(1e7); k >= 1; k /= 10 {
		s = append(s, byte('0'+n/k%10))
	}
	return string(s)
}

// randomBook is a signed book over nt tokens with gross exposure up to
// MaxGross.
func randomBook(rng *rand.Rand, nt int) []Target {
	var book []Target
	gross := MaxGross * rng.Float64()
	ws := make([]float64, nt)
	sum := 0.0
	for i := range ws {
		ws[i] = rng.Float64() - 0.5
		sum += math.Abs(ws[i])
	}
	for i, w := range ws {
		book = append(book, Target{i, w / sum * gross})
	}
	return book
}

// TestPerpInvariants checks, on random paths and signed books: the account
// never goes below zero; with no fees and no funding, a long and a short of
// the same notional sum to flat; and flipping the funding's sign flips each
// payment.
func TestPerpInvariants(t *testing.T) {
	for seed := range uint64(40) {
		rng := rand.New(rand.NewPCG(seed, 1))
		p := randomPerps(t, seed, 3, 40, 1)
		q := randomPerps(t, seed, 3, 40, -1)
		books := map[int][]Target{}
		for d := range 39 {
			if rng.IntN(5) == 0 {
				books[d] = randomBook(rng, 3)
			}
		}
		run, err := Backtest(context.Background(), p, &scripted{books: books}, Config{Fill: Causal, FeeRate: 0.003, InitialCapital: 1000})
		if err != nil {
			t.Fatal(err)
		}
		for d, v := range run.Values {
			if !(v >= 0) {
				t.Fatalf("seed %d: value %g on day %d", seed, v, d)
			}
		}
		// One book held: the same positions, the funding's sign flipped.
		once := map[int][]Target{0: randomBook(rng, 3)}
		a, err := Backtest(context.Background(), p, &scripted{books: once}, Config{Fill: Causal, FeeRate: 0.003, InitialCapital: 1000})
		if err != nil {
			t.Fatal(err)
		}
		b, err := Backtest(context.Background(), q, &scripted{books: once}, Config{Fill: Causal, FeeRate: 0.003, InitialCapital: 1000})
		if err != nil {
			t.Fatal(err)
		}
		if len(a.Liquidations) == 0 && len(b.Liquidations) == 0 && (a.FundingPaid != b.FundingReceived || a.FundingReceived != b.FundingPaid) {
			t.Errorf("seed %d: paid/received %g/%g, flipped %g/%g", seed, a.FundingPaid, a.FundingReceived, b.FundingPaid, b.FundingReceived)
		}
		// A long and a short of one notional, each in its own account.
		w := rng.Float64()
		tok := rng.IntN(3)
		p.funding = nil
		p.SetFundingMissing(FundingMissing{Mode: FundingZero})
		long, err := Backtest(context.Background(), p, &scripted{books: map[int][]Target{0: {{tok, w}}}}, Config{Fill: Causal, InitialCapital: 1000})
		if err != nil {
			t.Fatal(err)
		}
		short, err := Backtest(context.Background(), p, &scripted{books: map[int][]Target{0: {{tok, -w}}}}, Config{Fill: Causal, InitialCapital: 1000})
		if err != nil {
			t.Fatal(err)
		}
		for d := range long.Values {
			if len(short.Liquidations) > 0 && short.Liquidations[0].Day <= d {
				break
			}
			if math.Abs(long.Values[d]+short.Values[d]-2000) > 1e-9 {
				t.Fatalf("seed %d day %d: long %g + short %g != 2000", seed, d, long.Values[d], short.Values[d])
			}
		}
	}
}

// TestFundingAlone replays one book with its funding and with every
// settlement missing at rate 0: the positions, fees and trades are the same
// and the values differ by the net funding alone. Bought at day 1's open, a
// position misses two settlements that day (08:00, 16:00: the 00:00 one was
// before it) and three on each of the 28 days after.
func TestFundingAlone(t *testing.T) {
	for seed := range uint64(10) {
		rng := rand.New(rand.NewPCG(seed, 2))
		p := randomPerps(t, seed, 3, 30, 1)
		book := map[int][]Target{0: randomBook(rng, 3)}
		a, err := Backtest(context.Background(), p, &scripted{books: book}, Config{Fill: Causal, FeeRate: 0.003, InitialCapital: 1000})
		if err != nil {
			t.Fatal(err)
		}
		p.funding = nil
		p.SetFundingMissing(FundingMissing{Mode: FundingRate})
		b, err := Backtest(context.Background(), p, &scripted{books: book}, Config{Fill: Causal, FeeRate: 0.003, InitialCapital: 1000})
		if err != nil {
			t.Fatal(err)
		}
		if len(a.Liquidations)+len(b.Liquidations) > 0 {
			continue
		}
		if a.FeesPaid != b.FeesPaid || a.Traded != b.Traded || b.FundingPaid != 0 || b.FundingReceived != 0 || b.FundingMissing != (2+28*3)*len(b.Final) {
			t.Errorf("seed %d: fees %g/%g traded %g/%g, funding %g/%g, missing %d", seed, a.FeesPaid, b.FeesPaid, a.Traded, b.Traded, b.FundingPaid, b.FundingReceived, b.FundingMissing)
		}
		near(t, "value difference", b.Values[len(b.Values)-1]-a.Values[len(a.Values)-1], a.FundingPaid-a.FundingReceived)
	}
}

// TestParseFundingMissing checks the rule's syntax.
func TestParseFundingMissing(t *testing.T) {
	for s, want := range map[string]FundingMissing{"error": {}, "zero": {Mode: FundingZero}, "rate=0.0001": {Mode: FundingRate, Rate: 0.0001}, "rate=-1e-4": {Mode: FundingRate, Rate: -1e-4}} {
		got, err := ParseFundingMissing(s)
		if err != nil || got != want || got.String() != s && s != "rate=-1e-4" {
			t.Errorf("%q: %+v %v", s, got, err)
		}
	}
	for _, s := range []string{"", "Error", "rate=", "rate=1", "rate=NaN", "rate=0x1p-3", "rate=1e400", "zero "} {
		if _, err := ParseFundingMissing(s); err == nil {
			t.Errorf("%q accepted", s)
		}
	}
}

// TestReadFundingBad feeds the funding reader bad and hostile files: each
// is an error naming the file and the line.
func TestReadFundingBad(t *testing.T) {
	h := "token,time,funding_rate\n"
	for text, want := range map[string]string{
		"":                                     "f.csv: empty file",
		h:                                      "f.csv:1: no data rows",
		"token,time\nA,2024-01-01T00:00:00Z\n": `f.csv:1: missing column "funding_rate"`,
		"token,time,time,funding_rate\n":       `f.csv:1:3: column "time" appears twice`,
		h + "A,2024-01-01T00:00:00Z\n":         "f.csv:2",
		h + "A,2024-01-01,0.0001\n":            "f.csv:2:3: bad time",
		h + "A,2024-01-01T00:00:00+01:00,0.0001\n": "f.csv:2:3: bad time",
		h + "A,0000-01-01T00:00:00Z,0.0001\n":      "f.csv:2:3: time",
		h + "A,2024-01-01T00:00:00Z,0x1p-3\n":      "f.csv:2:24: bad funding rate",
		h + "A,2024-01-01T00:00:00Z,NaN\n":         "f.csv:2:24: bad funding rate",
		h + "A,2024-01-01T00:00:00Z,1.5\n":         "f.csv:2:24: bad funding rate",
		h + "A,2024-01-01T00:00:00Z,\n":            "f.csv:2:24: bad funding rate",
		h + ",2024-01-01T00:00:00Z,0.1\n":          "f.csv:2:1",
		h + "A,2024-01-01T08:00:00Z,0.1\nB,2024-01-01T08:00:00Z,0.1\nA,2024-01-01T08:00:00Z,0.2\n": "f.csv:4: duplicate funding A 2024-01-01T08:00:00Z (first at line 2)",
		h + `"A,2024-01-01T00:00:00Z,0.1` + "\n":                                                   "f.csv:2",
	} {
		_, err := ReadFunding(strings.NewReader(text), "f.csv")
		if err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%q: error %v, want %q", text, err, want)
		}
	}
	f, err := ReadFunding(strings.NewReader(h+"B,2024-01-02T00:00:00Z,-0.0001\nA,2024-01-01T08:00:00Z,0.00010000\nA,2024-01-01T00:00:00Z,1e-4\n"), "f.csv")
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Series) != 2 || f.Series[0].Token != "A" || f.Rows() != 3 || f.Series[0].Time[0] != 1704067200 || f.Series[0].Rate[1] != 0.0001 {
		t.Errorf("read %+v", f.Series)
	}
}

// FuzzReadFunding checks that no input makes the funding reader panic, and
// that what it accepts is sorted and bounded.
func FuzzReadFunding(f *testing.F) {
	f.Add("token,time,funding_rate\nA,2024-01-01T00:00:00Z,0.0001\n")
	f.Add("funding_rate,token,time\n-1e-3,BTC,2026-08-21T16:00:00Z\n")
	f.Fuzz(func(t *testing.T, text string) {
		fd, err := ReadFunding(strings.NewReader(text), "f.csv")
		if err != nil {
			return
		}
		for _, s := range fd.Series {
			for k := range s.Time {
				if k > 0 && s.Time[k] <= s.Time[k-1] || !(math.Abs(s.Rate[k]) < MaxFundingRate) {
					t.Fatalf("accepted %+v", s)
				}
			}
		}
	})
}

// FuzzPerpBook drives signed books of two perps through price paths taken
// from the fuzzer's bytes (daily moves of −50% to +100%, funding of either
// sign): a backtest never panics, returns an error only for a book above
// MaxGross, and its values are never negative or NaN.
func FuzzPerpBook(f *testing.F) {
	f.Add([]byte{128, 128, 200, 10, 255, 0, 30, 220, 128, 128, 5, 250})
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) < 6 || len(b) > 600 {
			return
		}
		nd := len(b) / 6
		var candles []Candle
		var funding []string
		d0, _ := ParseDate("2024-01-01")
		px := [2]float64{100, 100}
		books := map[int][]Target{}
		for d := range nd {
			row := b[6*d : 6*d+6]
			date := (d0 + Date(d)).String()
			for i := range 2 {
				o := px[i]
				px[i] = max(px[i]*(0.5+1.5*float64(row[i])/255), 1e-6)
				tok := []string{"AX", "BX"}[i]
				candles = append(candles, candle(tok, date, o, max(o, px[i]), min(o, px[i]), px[i]))
				funding = append(funding, tok+" "+date+"T08:00:00Z "+formatRate(0.01*(float64(row[2+i])-128)/128))
			}
			if row[4]%3 == 0 {
				books[d] = []Target{{0, 3 * (float64(row[4]) - 128) / 128}, {1, 3 * (float64(row[5]) - 128) / 128}}
			}
		}
		p := perpPanel(t, candles, funding...)
		run, err := Backtest(context.Background(), p, &scripted{books: books}, Config{Fill: Causal, FeeRate: 0.003, InitialCapital: 1000})
		if err != nil {
			if !strings.Contains(err.Error(), "above the harness maximum") {
				t.Fatal(err)
			}
			return
		}
		for d, v := range run.Values {
			if !(v >= 0) {
				t.Fatalf("value %g on day %d", v, d)
			}
		}
	})
}
