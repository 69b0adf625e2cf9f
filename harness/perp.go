package harness

import (
	"fmt"
	"math"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// Venue facts of perpetual futures, fixed by the harness like the fee. They
// are round values inside the ranges Binance USDⓈ-M publishes for its
// lowest notional tier (maximum leverage 20-125x, maintenance margin
// 0.4-2.5%, a liquidation clearance fee of 1-1.5% of the notional closed).
const (
	// MaxGross is the largest gross exposure a book may take: Σ|w| ≤ 3,
	// a leverage cap far below the venue's, as a research harness keeps it.
	MaxGross = 3.0
	// MaintenanceMargin is the cross-margin maintenance rate: the account
	// is liquidated when its equity falls below MaintenanceMargin × the
	// gross notional of its positions.
	MaintenanceMargin = 0.01
	// LiquidationFee is charged on the notional closed by a liquidation, in
	// place of the trading fee.
	LiquidationFee = 0.0125
	// SettlementsPerMissingDay is how many settlements a day without any
	// funding row stands for under FundingZero or FundingRate: three, the
	// venue's default 8-hour interval.
	SettlementsPerMissingDay = 3
)

// Market says where a token trades.
type Market uint8

const (
	// Spot tokens are bought with cash and held; they cannot be shorted
	// or levered.
	Spot Market = iota
	// Perp tokens are perpetual futures: signed, levered, funded and
	// margined.
	Perp
)

func (m Market) String() string {
	if m == Perp {
		return "perp"
	}
	return "spot"
}

// MarketOf is the market of a candle file by its name: a file whose base
// name contains "perp" (binance_usdm_perp_1d_silertrades.csv.gz) holds
// perpetual futures, any other spot candles.
func MarketOf(path string) Market {
	if strings.Contains(strings.ToLower(filepath.Base(path)), "perp") {
		return Perp
	}
	return Spot
}

// SetMarkets records each token's market; perp[i] says token i is a perp.
// It panics when perp does not have one entry per token. A panel without
// markets is all spot.
func (p *Panel) SetMarkets(perp []bool) {
	if len(perp) != len(p.Series) {
		panic("harness: SetMarkets with the wrong number of tokens")
	}
	p.perp = append([]bool(nil), perp...)
	p.fpOnce, p.fp = sync.Once{}, ""
}

// Market is token i's market.
func (p *Panel) Market(i int) Market {
	if p.perp != nil && p.perp[i] {
		return Perp
	}
	return Spot
}

// HasPerps reports whether some token of the panel is a perp.
func (p *Panel) HasPerps() bool {
	for _, x := range p.perp {
		if x {
			return true
		}
	}
	return false
}

// FundingMode is what a backtest does for a held perp on a day without any
// funding settlement in the panel's funding.
type FundingMode uint8

const (
	// FundingError stops the backtest with an error naming the token and
	// the day (the default).
	FundingError FundingMode = iota
	// FundingZero settles nothing and counts the settlements.
	FundingZero
	// FundingRate settles SettlementsPerMissingDay settlements at a fixed
	// rate and counts them.
	FundingRate
)

// FundingMissing is the explicit choice for missing funding; the zero value
// is FundingError.
type FundingMissing struct {
	Mode FundingMode
	Rate float64 // the rate per settlement of FundingRate
}

// ParseFundingMissing parses "error", "zero" or "rate=X" (X a decimal rate
// per settlement, |X| < 1).
func ParseFundingMissing(s string) (FundingMissing, error) {
	switch s {
	case "error":
		return FundingMissing{}, nil
	case "zero":
		return FundingMissing{Mode: FundingZero}, nil
	}
	if v, ok := strings.CutPrefix(s, "rate="); ok && IsDecimal(v) {
		if x, err := strconv.ParseFloat(v, 64); err == nil && math.Abs(x) < 1 {
			return FundingMissing{Mode: FundingRate, Rate: x}, nil
		}
	}
	return FundingMissing{}, fmt.Errorf("bad missing-funding rule %s (want error, zero or rate=X with |X| < 1)", QuoteField(s))
}

func (f FundingMissing) String() string {
	switch f.Mode {
	case FundingZero:
		return "zero"
	case FundingRate:
		return "rate=" + strconv.FormatFloat(f.Rate, 'g', -1, 64)
	}
	return "error"
}

// Funding is a table of perpetual funding settlements, by token.
type Funding struct {
	Series []FundingSeries // sorted by Token
}

// FundingSeries is one token's settlements in increasing time.
type FundingSeries struct {
	Token string
	Time  []int64   // Unix seconds of the settlement
	Rate  []float64 // the rate per settlement: a long pays Rate × notional
}

// Rows is the number of settlements in the table.
func (f *Funding) Rows() int {
	n := 0
	for i := range f.Series {
		n += len(f.Series[i].Time)
	}
	return n
}

// AttachFunding gives the panel its funding table; tokens of the table that
// the panel lacks are ignored, and a panel token the table lacks has no
// funding at all.
func (p *Panel) AttachFunding(f *Funding) {
	p.funding = make([]*FundingSeries, len(p.Series))
	for k := range f.Series {
		if i := p.TokenIndex(f.Series[k].Token); i >= 0 {
			p.funding[i] = &f.Series[k]
		}
	}
	p.fpOnce, p.fp = sync.Once{}, ""
}

// SetFundingMissing sets the panel's rule for a held perp on a day without
// any funding settlement (the zero value, FundingError, by default). The
// rule is part of the panel's fingerprint when it is not the default, since
// it changes every result on perps.
func (p *Panel) SetFundingMissing(rule FundingMissing) {
	p.missing = rule
	p.fpOnce, p.fp = sync.Once{}, ""
}

// InheritMarkets gives p the markets, funding and missing-funding rule of
// src, token by token name: for a panel rebuilt from src's candles (the
// look-ahead check's perturbed copies).
func (p *Panel) InheritMarkets(src *Panel) {
	if src.perp != nil {
		p.perp = make([]bool, len(p.Series))
	}
	if src.funding != nil {
		p.funding = make([]*FundingSeries, len(p.Series))
	}
	for i := range p.Series {
		if j := src.TokenIndex(p.Series[i].Token); j >= 0 {
			if src.perp != nil {
				p.perp[i] = src.perp[j]
			}
			if src.funding != nil {
				p.funding[i] = src.funding[j]
			}
		}
	}
	p.missing = src.missing
	p.fpOnce, p.fp = sync.Once{}, ""
}

// FundingMissing is the panel's rule for missing funding.
func (p *Panel) FundingMissing() FundingMissing { return p.missing }

// settlements returns the times and rates of token i's settlements dated in
// the holding period of calendar day d: after the previous calendar day's
// date, up to the end of day d's date (the first day's period is its own
// date). The periods of consecutive days meet without overlap, so every
// settlement belongs to exactly one day.
func (p *Panel) settlements(i, d int) (times []int64, rates []float64) {
	if p.funding == nil || p.funding[i] == nil {
		return nil, nil
	}
	s := p.funding[i]
	lo := int64(p.Dates[d]) * 86400
	if d > 0 {
		lo = (int64(p.Dates[d-1]) + 1) * 86400
	}
	hi := (int64(p.Dates[d]) + 1) * 86400
	a := sort.Search(len(s.Time), func(k int) bool { return s.Time[k] >= lo })
	b := a + sort.Search(len(s.Time)-a, func(k int) bool { return s.Time[a+k] >= hi })
	return s.Time[a:b], s.Rate[a:b]
}

// dayRange is a token's prices over one calendar day: Open at 00:00 UTC,
// Close at 24:00, and the day's Low and High between them.
type dayRange struct{ Open, Low, High, Close float64 }

// at is the price at h hours after 00:00 (clamped to [0, 24]): the straight
// line from the open to the close, the convention for a daily candle whose
// intraday path is unknown.
//
//	price(h) = open + (close − open) · h / 24
func (r dayRange) at(h float64) float64 {
	return r.Open + (r.Close-r.Open)*(min(max(h, 0), 24)/24)
}

// adverse is the day's worst price for a position of signed quantity qty:
// the low for a long, the high for a short.
func (r dayRange) adverse(qty float64) float64 {
	if qty > 0 {
		return r.Low
	}
	return r.High
}

// dayRange returns token i's range on calendar day d. Its open is the
// candle's open, or the previous close where the row has none (as causal
// fills take it), or its close on a listing day without an open; a missing
// low or high is the lower or higher of the open and close. A token without
// a candle that day stays at mark all day.
func (p *Panel) dayRange(i, d int, mark float64) dayRange {
	n := p.Rows(i, d)
	s := &p.Series[i]
	if n == 0 || int(s.Day[n-1]) != d {
		return dayRange{mark, mark, mark, mark}
	}
	r := dayRange{Open: s.Open[n-1], Low: s.Low[n-1], High: s.High[n-1], Close: s.Close[n-1]}
	if math.IsNaN(r.Open) {
		r.Open = r.Close
		if n >= 2 {
			r.Open = s.Close[n-2]
		}
	}
	if math.IsNaN(r.Low) {
		r.Low = min(r.Open, r.Close)
	}
	if math.IsNaN(r.High) {
		r.High = max(r.Open, r.Close)
	}
	return r
}

// missingHours are the settlement hours of a day without any funding row,
// under FundingZero or FundingRate: the venue's default 8-hour interval.
var missingHours = [SettlementsPerMissingDay]int64{0, 8, 16}

// settleFunding charges the perp positions of the book, as it stands, for
// day d's settlements dated in [lo, hi) (Unix seconds). Each settlement is
// paid on the position's notional at the event's price, its day's range
// read at the settlement's hour (dayRange.at; a settlement dated on a day
// missing from the calendar is read at 00:00 of the next calendar day):
//
//	cash −= qty · price(hour) · rate
//
// so that a long pays a positive rate and a short receives it. With stress,
// a payment (not a receipt) is multiplied by StressMultiplier. A held perp
// whose day has no settlement at all follows the panel's FundingMissing
// rule at missingHours: under FundingError it is an error.
func settleFunding(p *Panel, pf *portfolio, run *Run, d int, lo, hi int64, stress bool, rangeOf func(tok int, entry float64) dayRange) error {
	missing := p.missing
	day0 := int64(p.Dates[d]) * 86400
	for _, pos := range pf.positions {
		if p.Market(pos.Token) != Perp {
			continue
		}
		r := rangeOf(pos.Token, pos.Entry)
		times, rates := p.settlements(pos.Token, d)
		if len(times) == 0 {
			if missing.Mode == FundingError {
				return fmt.Errorf("harness: no funding for perp %s on %s (choose a missing-funding rule: zero or rate=X)", p.Series[pos.Token].Token, p.Dates[d])
			}
			for _, h := range missingHours {
				if t := day0 + 3600*h; lo <= t && t < hi {
					run.FundingMissing++
					if missing.Mode == FundingRate {
						charge(pf, run, pos.Qty*r.at(float64(h))*missing.Rate, stress)
					}
				}
			}
			continue
		}
		for k, t := range times {
			if lo <= t && t < hi {
				charge(pf, run, pos.Qty*r.at(float64(t-day0)/3600)*rates[k], stress)
			}
		}
	}
	return nil
}

// charge pays one settlement: pay > 0 is paid (scaled by StressMultiplier
// under stress), pay < 0 received.
func charge(pf *portfolio, run *Run, pay float64, stress bool) {
	if pay > 0 {
		if stress {
			pay *= StressMultiplier
		}
		run.FundingPaid += pay
	} else {
		run.FundingReceived -= pay
	}
	pf.cash -= pay
}

// Liquidation records one liquidation of the whole book.
type Liquidation struct {
	Day int
	// Path is where on the day's path the book was liquidated: 0 at the
	// path's start (a gap: the book starts the path below its margin), 1
	// at the adverse extremes.
	Path        float64
	Equity      float64 // the book's value at the liquidation prices
	Maintenance float64 // MaintenanceMargin × the gross notional there
	Fee         float64 // LiquidationFee × the gross notional, at most the equity
	// Shortfall is the loss beyond the account's equity that the venue
	// absorbs (its insurance fund): the account is left at zero, never below.
	Shortfall float64
}

// checkMargin checks the book's cross margin over a price path and
// liquidates it where equity first falls below MaintenanceMargin × the
// gross notional. Every price moves on a straight line from start(tok) to
// extreme(tok), together (λ from 0 to 1), so that equity E and gross
// notional G are linear in λ; the book is liquidated at
//
//	λ* = (E₀ − m·G₀) / ((E₀ − m·G₀) − (E₁ − m·G₁))      (m = MaintenanceMargin)
//
// when E₁ < m·G₁, or at λ = 0 when already E₀ < m·G₀. The extremes are
// each position's adverse price of the day taken together, a bound on the
// book's worst moment (on a diversified book they need not coincide, so
// this liquidates early rather than late). The venue takes LiquidationFee ×
// the gross notional there from what equity remains, so the account keeps
// max(0, E − fee); an equity already below zero is the shortfall its
// insurance fund absorbs, and the account is left at zero, never below.
// Each position closed is a fill at its price there, paying its share of
// the fee in proportion to its gross notional.
func checkMargin(pf *portfolio, run *Run, d int, start, extreme func(tok int, entry float64) float64) {
	if len(pf.positions) == 0 {
		return
	}
	slack := func(price func(tok int, entry float64) float64) float64 {
		return pf.value(price) - MaintenanceMargin*pf.gross(price)
	}
	s0, s1, lambda := slack(start), slack(extreme), 0.0
	switch {
	case s0 < 0:
	case s1 < 0:
		lambda = s0 / (s0 - s1)
	default:
		return
	}
	at := func(tok int, entry float64) float64 {
		a := start(tok, entry)
		return a + lambda*(extreme(tok, entry)-a)
	}
	equity, gross := pf.value(at), pf.gross(at)
	l := Liquidation{Day: d, Path: lambda, Equity: equity, Maintenance: MaintenanceMargin * gross,
		Fee: min(LiquidationFee*gross, max(equity, 0)), Shortfall: max(-equity, 0)}
	pf.fees += l.Fee
	pf.traded += gross
	if pf.record {
		for _, pos := range pf.positions {
			p := at(pos.Token, pos.Entry)
			g, fee := math.Abs(pos.Qty*p), 0.0
			if gross > 0 {
				fee = l.Fee * (g / gross)
			}
			pf.log(pos.Token, -pos.Qty, p, fee, g, FillLiquidation)
		}
	}
	for len(pf.positions) > 0 {
		pf.remove(len(pf.positions) - 1)
	}
	pf.cash = max(equity-l.Fee, 0)
	run.Liquidations = append(run.Liquidations, l)
}

// perpPeriod returns calendar day d's holding period [start, end) in Unix
// seconds (as settlements dates it) and mid, the time of the day's trades:
// the settlements in [start, mid) are the book's before the trades, those in
// [mid, end) the book's after them. Causal fills trade at the open, just
// after the 00:00 UTC settlement, which is therefore the book's held
// overnight (mid is 00:00:01); reference fills trade at the close (mid =
// end).
func perpPeriod(p *Panel, d int, ref bool) (start, mid, end int64) {
	day0 := int64(p.Dates[d]) * 86400
	start, end = day0, day0+86400
	if d > 0 {
		start = (int64(p.Dates[d-1]) + 1) * 86400
	}
	if ref {
		return start, end, end
	}
	return start, day0 + 1, end
}

// perpDay settles the book's funding of day d dated in [lo, hi), then checks
// its margin: over the day's path from the open to each position's adverse
// extreme when path is set (the book is held through the day), at the open
// alone otherwise (the book is traded at the open).
func perpDay(p *Panel, pf *portfolio, run *Run, d int, lo, hi int64, path, stress bool, rangeOf func(tok int, entry float64) dayRange) error {
	if err := settleFunding(p, pf, run, d, lo, hi, stress, rangeOf); err != nil {
		return err
	}
	open := func(tok int, entry float64) float64 { return rangeOf(tok, entry).Open }
	extreme := open
	if path {
		extreme = func(tok int, entry float64) float64 {
			return rangeOf(tok, entry).adverse(pf.positions[pf.slot[tok]].Qty)
		}
	}
	checkMargin(pf, run, d, open, extreme)
	return nil
}
