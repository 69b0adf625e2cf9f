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

// TestShortFunding follows a short by hand through six settlements on three
// days (8-hourly, then two, then one), with a 0.1% fee: funding is paid on
// the position's notional at the day's close, a positive rate paying the
// short, and the settlement at 00:00 of the day the short is bought back at
// the open is not the book's.
func TestShortFunding(t *testing.T) {
	p := perpPanel(t, []Candle{
		candle("AAA", "2024-01-01", 100, 100, 100, 100),
		candle("AAA", "2024-01-02", 100, 110, 100, 110),
		candle("AAA", "2024-01-03", 110, 110, 105, 105),
		candle("AAA", "2024-01-04", 105, 105, 90, 90),
		candle("AAA", "2024-01-05", 90, 95, 90, 95),
	},
		"AAA 2024-01-01T16:00:00Z 0.01", // before the short: not paid
		"AAA 2024-01-02T00:00:00Z 0.0001", "AAA 2024-01-02T08:00:00Z 0.0002", "AAA 2024-01-02T16:00:00Z -0.0001",
		"AAA 2024-01-03T04:00:00Z 0.0005", "AAA 2024-01-03T20:00:00Z -0.0002",
		"AAA 2024-01-04T08:00:00Z 0.001",
		"AAA 2024-01-05T00:00:00Z 0.01", // after the buy-back: not paid
	)
	// Short the whole account on day 1's open (100), buy back on day 4's (90).
	s := &scripted{books: map[int][]Target{0: {{Token: 0, Weight: -1}}, 3: {}}}
	run, err := Backtest(context.Background(), p, s, Config{Fill: Causal, FeeRate: 0.001, InitialCapital: 1000})
	if err != nil {
		t.Fatal(err)
	}
	// Day 1: sell 10 at 100 (gross 1000, fee 1): cash 1999. Notional at the
	// close is −1100; settlements pay −1100·r each.
	cash1 := 1999 - (-1100*0.0001 + -1100*0.0002 + -1100*-0.0001)
	// Day 2: notional −1050.
	cash2 := cash1 - (-1050*0.0005 + -1050*-0.0002)
	// Day 3: notional −900.
	cash3 := cash2 - (-900 * 0.001)
	// Day 4: buy back 10 at 90 (gross 900, fee 0.9).
	cash4 := cash3 - 900 - 0.9
	want := []float64{1000, cash1 - 1100, cash2 - 1050, cash3 - 900, cash4}
	for d := range want {
		near(t, "value on day "+p.Dates[d].String(), run.Values[d], want[d])
	}
	near(t, "funding paid", run.FundingPaid, 1100*0.0001+1050*0.0002)
	near(t, "funding received", run.FundingReceived, 1100*0.0001+1100*0.0002+1050*0.0005+900*0.001)
	near(t, "fees", run.FeesPaid, 1.9)
	m := ComputeMetrics(run, p.Dates)
	if m.DaysShort != 3 || m.Liquidations != 0 || m.FundingMissing != 0 {
		t.Errorf("days short %d, liquidations %d, missing %d; want 3, 0, 0", m.DaysShort, m.Liquidations, m.FundingMissing)
	}
	near(t, "mean gross", m.MeanGross, (1100/want[1]+1050/want[2]+900/want[3])/5)
	near(t, "mean net", m.MeanNet, -m.MeanGross)
}

// TestShortSqueeze levers a short to 3x and squeezes it: on day 1 the
// account is above its maintenance margin, on day 2 below, and it is
// liquidated at the close with what equity remains taken as the fee; in a
// gap through the margin the account ends at zero and the deficit is the
// recorded shortfall.
func TestShortSqueeze(t *testing.T) {
	for _, c := range []struct {
		close2, equity, fee, shortfall float64
	}{
		// 30 short at 133: equity 4000 − 3990 = 10 < 39.9; the fee takes the 10.
		{133, 10, 10, 0},
		// 30 short at 140: equity −200, a shortfall of 200.
		{140, -200, 0, 200},
	} {
		p := perpPanel(t, []Candle{
			candle("AAA", "2024-01-01", 100, 100, 100, 100),
			candle("AAA", "2024-01-02", 100, 130, 100, 130),
			candle("AAA", "2024-01-03", 130, c.close2, 130, c.close2),
			candle("AAA", "2024-01-04", c.close2, c.close2, c.close2, c.close2),
		})
		p.SetFundingMissing(FundingMissing{Mode: FundingZero})
		s := &scripted{books: map[int][]Target{0: {{Token: 0, Weight: -3}}}}
		run, err := Backtest(context.Background(), p, s, Config{Fill: Causal, InitialCapital: 1000})
		if err != nil {
			t.Fatal(err)
		}
		// Day 1: 30 short at 100, cash 4000; at 130 equity is 100 ≥ 0.01·3900.
		want := []float64{1000, 100, 0, 0}
		for d := range want {
			near(t, "value", run.Values[d], want[d])
		}
		if len(run.Liquidations) != 1 {
			t.Fatalf("liquidations %+v, want one", run.Liquidations)
		}
		l := run.Liquidations[0]
		near(t, "equity", l.Equity, c.equity)
		near(t, "maintenance", l.Maintenance, 0.01*30*c.close2)
		near(t, "fee", l.Fee, c.fee)
		near(t, "shortfall", l.Shortfall, c.shortfall)
		if l.Day != 2 || len(run.Final) != 0 || run.FundingMissing != 2*SettlementsPerMissingDay {
			t.Errorf("liquidated on day %d leaving %v, %d missing settlements; want day 2, nothing, 6", l.Day, run.Final, run.FundingMissing)
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
// and the values differ by the net funding alone.
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
		if a.FeesPaid != b.FeesPaid || a.Traded != b.Traded || b.FundingPaid != 0 || b.FundingReceived != 0 || b.FundingMissing != 29*3*len(b.Final) {
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
