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

// settlements returns the rates of token i's settlements dated in the
// holding period of calendar day d: after the previous calendar day's date,
// up to the end of day d's date (the first day's period is its own date).
func (p *Panel) settlements(i, d int) []float64 {
	if p.funding == nil || p.funding[i] == nil {
		return nil
	}
	s := p.funding[i]
	lo := int64(p.Dates[d]) * 86400
	if d > 0 {
		lo = (int64(p.Dates[d-1]) + 1) * 86400
	}
	hi := (int64(p.Dates[d]) + 1) * 86400
	a := sort.Search(len(s.Time), func(k int) bool { return s.Time[k] >= lo })
	b := a + sort.Search(len(s.Time)-a, func(k int) bool { return s.Time[a+k] >= hi })
	return s.Rate[a:b]
}

// Liquidation records one liquidation of the whole book.
type Liquidation struct {
	Day         int
	Equity      float64 // the book's value before the liquidation
	Maintenance float64 // MaintenanceMargin × the gross notional
	Fee         float64 // LiquidationFee × the gross notional, at most the equity
	// Shortfall is the loss beyond the account's equity that the venue
	// absorbs (its insurance fund): the account is left at zero, never below.
	Shortfall float64
}

// settleFunding pays day d's funding on every perp position: for each
// settlement of the holding period, cash −= qty × price × rate, the price
// being the position's snapshot price on day d (the day's close, or the last
// close without a candle: the candles are daily, so the intraday price at
// the settlement's hour is not known). A day without settlements follows
// the panel's FundingMissing rule: under FundingError it is an error.
func settleFunding(p *Panel, pf *portfolio, run *Run, d int, price func(tok int, entry float64) float64) error {
	missing := p.missing
	for _, pos := range pf.positions {
		if p.Market(pos.Token) != Perp {
			continue
		}
		notional := pos.Qty * price(pos.Token, pos.Entry)
		rates := p.settlements(pos.Token, d)
		if len(rates) == 0 {
			switch missing.Mode {
			case FundingError:
				return fmt.Errorf("harness: no funding for perp %s on %s (choose a missing-funding rule: zero or rate=X)", p.Series[pos.Token].Token, p.Dates[d])
			case FundingZero:
				rates = nil
			case FundingRate:
				rates = []float64{missing.Rate, missing.Rate, missing.Rate}[:SettlementsPerMissingDay]
			}
			run.FundingMissing += SettlementsPerMissingDay
		}
		for _, r := range rates {
			pay := notional * r
			pf.cash -= pay
			if pay > 0 {
				run.FundingPaid += pay
			} else {
				run.FundingReceived -= pay
			}
		}
	}
	return nil
}

// checkMargin liquidates the whole book at its snapshot prices when its
// equity is below the maintenance margin of its gross notional. The venue
// takes LiquidationFee × the gross notional from what equity remains, so the
// account keeps max(0, equity − fee); an equity already below zero (a price
// gap through the margin) is the shortfall the venue's insurance fund
// absorbs, and the account is left at zero, never below.
func checkMargin(pf *portfolio, run *Run, d int, price func(tok int, entry float64) float64) {
	if len(pf.positions) == 0 {
		return
	}
	gross := 0.0
	for _, pos := range pf.positions {
		gross += math.Abs(pos.Qty * price(pos.Token, pos.Entry))
	}
	equity := pf.value(price)
	maint := MaintenanceMargin * gross
	if !(equity < maint) {
		return
	}
	l := Liquidation{Day: d, Equity: equity, Maintenance: maint, Fee: min(LiquidationFee*gross, max(equity, 0)), Shortfall: max(-equity, 0)}
	pf.fees += l.Fee
	pf.traded += gross
	for len(pf.positions) > 0 {
		pf.remove(len(pf.positions) - 1)
	}
	pf.cash = max(equity-l.Fee, 0)
	run.Liquidations = append(run.Liquidations, l)
}
