package strategy

import (
	"context"
	"math"
	"os"
	"strings"
	"testing"

	"gem/dataio"
	"gem/harness"
)

// TestReadBookBad feeds the weights reader bad and hostile files: each is
// an error naming the file and line, never a panic.
func TestReadBookBad(t *testing.T) {
	h := "date,token,weight\n"
	for text, want := range map[string]string{
		"":                             "w.csv: empty file",
		h:                              "w.csv:1: no data rows",
		"date,token\n2024-01-01,BTC\n": `w.csv:1: missing column "weight"`,
		"date,token,weight,token\n":    `w.csv:1:4: column "token" appears twice`,
		h + "2024-13-01,BTC,0.5\n":     "w.csv:2:1: bad date",
		h + "2024-01-01,,0.5\n":        "w.csv:2:12",
		h + "2024-01-01,BTC,NaN\n":     "w.csv:2:16: bad weight",
		h + "2024-01-01,BTC,Inf\n":     "w.csv:2:16: bad weight",
		h + "2024-01-01,BTC,0x1p-1\n":  "w.csv:2:16: bad weight",
		h + "2024-01-01,BTC,3.5\n":     "w.csv:2:16: bad weight",
		h + "2024-01-01,BTC,1e999\n":   "w.csv:2:16: bad weight",
		h + "2024-01-01,BTC\n":         "w.csv:2",
		h + `"2024-01-01,BTC,1` + "\n": "w.csv:2",
		h + "2024-01-01,BTC,1\n2024-01-01,ETH,1\n2024-01-01,BTC,-1\n": "w.csv:4:12: duplicate weight of BTC on 2024-01-01 (first at line 2)",
	} {
		_, err := ReadBook(strings.NewReader(text), "w.csv")
		if err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%q: error %v, want %q", text, err, want)
		}
	}
	b, err := ReadBook(strings.NewReader("weight,date,token\n-0.5,2024-01-03,ETH\n1,2024-01-01,BTC\n0.25,2024-01-03,BTC\n"), "w.csv")
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Dates) != 2 || b.Dates[0].String() != "2024-01-01" || len(b.Targets[1]) != 2 || b.Targets[1][0] != (BookTarget{"ETH", -0.5}) {
		t.Errorf("read %+v", b)
	}
}

// FuzzReadBook checks that no input makes the weights reader panic.
func FuzzReadBook(f *testing.F) {
	f.Add("date,token,weight\n2024-01-01,BTC,-0.5\n")
	f.Fuzz(func(t *testing.T, text string) {
		b, err := ReadBook(strings.NewReader(text), "w.csv")
		if err == nil && len(b.Dates) != len(b.Targets) {
			t.Fatal("dates and books differ in length")
		}
	})
}

// perpFixture is a two-token perp panel; with funding it pays 0.001 on
// AAA at 08:00 each day.
func perpFixture(t *testing.T, funding bool) *harness.Panel {
	var candles []harness.Candle
	for d, px := range []float64{100, 100, 110, 105, 90} {
		date, _ := harness.ParseDate("2024-01-0" + string(rune('1'+d)))
		candles = append(candles, harness.Candle{Token: "AAA", Date: date, Open: px, High: px, Low: px, Close: px, Volume: 1},
			harness.Candle{Token: "BBB", Date: date, Open: 50, High: 50, Low: 50, Close: 50, Volume: 1})
	}
	p, err := harness.NewPanel(candles)
	if err != nil {
		t.Fatal(err)
	}
	p.SetMarkets([]bool{true, true})
	if funding {
		f, err := harness.ReadFunding(strings.NewReader("token,time,funding_rate\nAAA,2024-01-02T08:00:00Z,0.001\nAAA,2024-01-03T08:00:00Z,0.001\nAAA,2024-01-04T08:00:00Z,0.001\nAAA,2024-01-05T08:00:00Z,0.001\n"), "f.csv")
		if err != nil {
			t.Fatal(err)
		}
		p.AttachFunding(f)
	}
	p.SetFundingMissing(harness.FundingMissing{Mode: harness.FundingZero})
	return p
}

// TestWeightsReplay replays a short by hand: the book dated 2024-01-02
// trades at that day's open, the one dated 2024-01-04 closes it, and dates
// and tokens not in the data are refused.
func TestWeightsReplay(t *testing.T) {
	p := perpFixture(t, true)
	b, err := ReadBook(strings.NewReader("date,token,weight\n2024-01-02,AAA,-1\n2024-01-04,AAA,0\n"), "w.csv")
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Check(p); err != nil {
		t.Fatal(err)
	}
	run, err := harness.Backtest(context.Background(), p, (&WeightsConfig{Book: b}).New(nil), harness.Config{Fill: harness.Causal, FeeRate: 0.001, InitialCapital: 1000})
	if err != nil {
		t.Fatal(err)
	}
	// Day 1: short 10 at 100 (fee 1), cash 1999; the short receives 0.001 of
	// 1000 on day 1, of 1100 on day 2; day 3 it is bought back at 105
	// (fee 1.05) before day 3's settlement.
	cash := 1999 + 1 + 1.1 - 1050 - 1.05
	want := []float64{1000, 1999 + 1 - 1000, 1999 + 1 + 1.1 - 1100, cash, cash}
	for d, v := range want {
		if math.Abs(run.Values[d]-v) > 1e-9 {
			t.Errorf("day %d: value %.12g, want %.12g", d, run.Values[d], v)
		}
	}
	for text, want := range map[string]string{
		"date,token,weight\n2024-02-01,AAA,1\n": "2024-02-01 is not a day of the data",
		"date,token,weight\n2024-01-02,CCC,1\n": "token CCC on 2024-01-02 is not in the data",
	} {
		b, err := ReadBook(strings.NewReader(text), "w.csv")
		if err != nil {
			t.Fatal(err)
		}
		if err := b.Check(p); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", text, err, want)
		}
	}
}

// TestWeightsFundingAlone replays one book on the real perp data with the
// funding file and with every settlement at rate 0: the fees and trades are
// the same and the final values differ by the net funding alone.
func TestWeightsFundingAlone(t *testing.T) {
	const dir = "../../shared/data/"
	if _, err := os.Stat(dir + "binance_usdm_funding_8h.csv.gz"); err != nil {
		t.Skipf("real data not found at %s (it lives in ../shared, outside the repository): %v", dir, err)
	}
	d, err := dataio.Read(dataio.Options{}, dir+"binance_usdm_perp_1d_silertrades.csv.gz")
	if err != nil {
		t.Fatal(err)
	}
	f, err := harness.LoadFunding(dir + "binance_usdm_funding_8h.csv.gz")
	if err != nil {
		t.Fatal(err)
	}
	// Long BTC, short ETH and SOL, held from the second day to the end.
	b, err := ReadBook(strings.NewReader("date,token,weight\n2024-01-11,BTC,1\n2024-01-11,ETH,-0.5\n2024-01-11,SOL,-0.5\n"), "w.csv")
	if err != nil {
		t.Fatal(err)
	}
	var runs [2]*harness.Run
	for k := range runs {
		p, err := d.Panel()
		if err != nil {
			t.Fatal(err)
		}
		if k == 0 {
			p.AttachFunding(f)
		} else {
			p.SetFundingMissing(harness.FundingMissing{Mode: harness.FundingRate})
		}
		if runs[k], err = harness.Backtest(context.Background(), p, (&WeightsConfig{Book: b}).New(nil), harness.Config{Fill: harness.Causal, FeeRate: harness.FeeRate, InitialCapital: harness.InitialCapital}); err != nil {
			t.Fatal(err)
		}
	}
	a, z := runs[0], runs[1]
	if a.FeesPaid != z.FeesPaid || a.Traded != z.Traded || a.FundingMissing != 0 || z.FundingMissing == 0 || len(a.Liquidations)+len(z.Liquidations) != 0 {
		t.Fatalf("fees %g/%g, traded %g/%g, missing %d/%d, liquidations %d/%d", a.FeesPaid, z.FeesPaid, a.Traded, z.Traded, a.FundingMissing, z.FundingMissing, len(a.Liquidations), len(z.Liquidations))
	}
	diff := z.Values[len(z.Values)-1] - a.Values[len(a.Values)-1]
	if net := a.FundingPaid - a.FundingReceived; math.Abs(diff-net) > 1e-9*harness.InitialCapital || net == 0 {
		t.Errorf("values differ by %.12g, net funding %.12g", diff, net)
	}
}
