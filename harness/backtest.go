package harness

import (
	"context"
	"fmt"
	"math"
)

// FillMode says when a strategy decides and at which price its trades fill.
type FillMode int

const (
	// Causal decides on data through day t-1 and fills at day t's open (the
	// previous close where the open is unknown). Positions without a candle
	// are marked at their last close and cannot trade; a sell to a zero
	// target closes the whole position.
	Causal FillMode = iota
	// Reference reproduces the reference implementation: the decision for
	// day t sees day t's close and fills at that same close (a one-day
	// look-ahead), positions without a candle are valued at their entry price,
	// and sub-ulp dust positions survive full exits.
	Reference
)

// ParseFillMode parses "causal" or "reference".
func ParseFillMode(s string) (FillMode, error) {
	switch s {
	case "causal":
		return Causal, nil
	case "reference":
		return Reference, nil
	}
	return 0, fmt.Errorf("unknown fill mode %q (want causal or reference)", s)
}

func (m FillMode) String() string {
	if m == Reference {
		return "reference"
	}
	return "causal"
}

// Target is a target portfolio weight for one token (an index into the
// panel's tokens). Weights are signed fractions of portfolio value. A spot
// book is long only and its weights sum to at most 1, the rest being cash.
// A book of perps may also short (a negative weight) and lever (weights
// summing past 1): its gross exposure Σ|w|, which the strategy chooses, is at
// most MaxGross. A short or levered book on a spot token is an error.
type Target struct {
	Token  int
	Weight float64
}

// Strategy is the interface between the harness and the modifiable interior.
// It sees the market only through a View that ends at the decision day. A
// Strategy serves one backtest; it may keep state from day to day and caches
// shared with others, but never data from beyond its view.
type Strategy interface {
	// Decide is called once for every day of the backtest, in day order
	// (the first call is the first day, whose view may see nothing). It
	// either holds (rebalance false; targets are then ignored) or returns
	// a new target book to trade toward that day: targets in buy order,
	// appended to dst[:0], an empty book meaning all cash. When to
	// rebalance is the strategy's own rule; the harness only trades and
	// keeps the books.
	Decide(v *View, a *Account, dst []Target) (targets []Target, rebalance bool)
}

// Account is the strategy's read-only view of its own book at decision time.
// Positions are valued at the decision's marks: each token's price in a
// snapshot taken on the view's last day (with causal fills the last close in
// the view, so that Value equals the last entry of Values; with reference
// fills the close of the decision day, or the entry price without one).
type Account struct {
	pf     *portfolio
	dates  []Date
	values []float64
	last   int
	day    int
	mark   func(tok int, entry float64) float64
	// The positions at the marks, computed on first use each day.
	marked bool
	value  float64
	stakes []Stake
}

// Stake is one position as the strategy sees it at decision time.
type Stake struct {
	Token  int
	Value  float64 // quantity × the decision's mark
	Weight float64 // Value ÷ Account.Value (0 when that is 0)
}

// Day is the calendar day the decision is for: its trades fill on that day.
func (a *Account) Day() int { return a.day }

// Date is the date of Day, the day the trades fill (the calendar, not its
// candles: a View shows the candles only up to its own day).
func (a *Account) Date() Date { return a.dates[a.day] }

// Held reports whether token i is in the book (dust included).
func (a *Account) Held(i int) bool { return a.pf.held(i) }

// NumPositions is the number of positions in the book (dust included).
func (a *Account) NumPositions() int { return len(a.pf.positions) }

// Cash is the cash in the book.
func (a *Account) Cash() float64 { return a.pf.cash }

// Value is the book's value at the decision's marks: the positions' values
// summed in book order, then the cash.
func (a *Account) Value() float64 { a.valuate(); return a.value }

// Positions returns the positions in book order (the order of first purchase)
// with their values and weights at the decision's marks. The slice is owned
// by the account, read-only, and valid until the decision returns.
func (a *Account) Positions() []Stake { a.valuate(); return a.stakes[:len(a.stakes):len(a.stakes)] }

// Weight is token i's weight in the book at the decision's marks, 0 when it
// is not held.
func (a *Account) Weight(i int) float64 {
	k := a.pf.slot[i]
	if k < 0 {
		return 0
	}
	a.valuate()
	return a.stakes[k].Weight
}

// Values returns the daily snapshot values recorded before the decision.
func (a *Account) Values() []float64 { return a.values[:len(a.values):len(a.values)] }

// LastRebalance is the calendar day of the last rebalance, or -1.
func (a *Account) LastRebalance() int { return a.last }

// valuate values the positions at the decision's marks, once a day.
func (a *Account) valuate() {
	if a.marked {
		return
	}
	a.marked = true
	a.value = a.pf.value(a.mark) // as a snapshot sums it
	a.stakes = a.stakes[:0]
	for _, p := range a.pf.positions {
		a.stakes = append(a.stakes, Stake{Token: p.Token, Value: p.Qty * a.mark(p.Token, p.Entry)})
	}
	if a.value != 0 {
		for k := range a.stakes {
			a.stakes[k].Weight = a.stakes[k].Value / a.value
		}
	}
}

// Config sets up one backtest.
type Config struct {
	Fill           FillMode
	FeeRate        float64 // fraction of notional per buy and per sell
	InitialCapital float64
	// RecordHoldings keeps each day's position values in Run.Holdings.
	RecordHoldings bool
	// RecordFills keeps every fill in Run.Fills; without it the book
	// records nothing and allocates nothing for them.
	RecordFills bool
	// Window is the scoring window: capital starts on its first day and the
	// run (so the metrics and the score) covers only its days, while the
	// strategy's view still reaches back to the panel's first day (the
	// warm-up of fits and regime models). The zero Window is the whole panel.
	Window Window
	// StaleDays is the delisting rule of causal fills: a position in a token
	// that has had no candle for more than StaleDays calendar days is sold
	// at its last close, with the usual fee, before the day's decision. 0
	// keeps such positions forever (the reference's convention, and the
	// rule of Reference fills whatever StaleDays says).
	StaleDays int
	// StressFunding multiplies every funding payment (not a receipt) by
	// StressMultiplier: the stress run's funding (Evaluate sets it there).
	StressFunding bool
}

// DefaultStaleDays is the harness's delisting rule for causal fills: a week
// without a candle. The sources' coverage ends (PROVENANCE.md) look like
// delistings to a backtest; a week is longer than any exchange outage in the
// data and short enough that a frozen price does not shape a score.
const DefaultStaleDays = 7

// Window is a range of calendar days [From, To) of a panel; To = 0 means to
// the panel's end.
type Window struct{ From, To int }

// Bounds returns the window's days on a panel of nd days, clamped to it.
func (w Window) Bounds(nd int) (from, to int) {
	to = nd
	if w.To > 0 {
		to = min(w.To, nd)
	}
	return min(max(w.From, 0), to), to
}

// StaleSale is a position sold by the delisting rule.
type StaleSale struct {
	Day, Token int
	Value      float64 // the gross proceeds, before the fee
	Since      int     // the calendar day of the token's last candle
}

// FillReason says why the harness traded.
type FillReason uint8

const (
	// FillRebalance is a trade toward the strategy's new target book.
	FillRebalance FillReason = iota
	// FillStale is a position sold whole by the delisting rule
	// (Config.StaleDays) at its token's last close.
	FillStale
	// FillLiquidation is a position closed by the liquidation of the book
	// at the trigger price on the day's path (Liquidation).
	FillLiquidation
)

func (r FillReason) String() string {
	switch r {
	case FillStale:
		return "stale sale"
	case FillLiquidation:
		return "liquidation"
	}
	return "rebalance"
}

// Fill is one trade of the book, as the harness books it.
type Fill struct {
	Day, Token int
	Qty        float64 // signed: bought > 0 (a cover included), sold < 0
	// Price is the price it filled at: the fill mode's (with reference
	// fills a position without a close that day sells at its entry price),
	// the last close for a stale sale, the trigger price for a liquidation.
	Price float64
	// Fee is the fee paid: Config.FeeRate of the gross |Qty| × Price for a
	// sale or the cover of a short no longer targeted, of the amount spent
	// (fee included) for any other buy, and for a liquidation its share of
	// Liquidation.Fee in proportion to its gross.
	Fee float64
	// Traded is what the fill adds to Run.Traded: the amount spent for a
	// buy other than such a cover (|Qty| × Price + Fee up to rounding), the
	// gross |Qty| × Price for any other fill.
	Traded float64
	Reason FillReason
}

// Holding is a position's value in a daily snapshot.
type Holding struct {
	Token int
	Value float64
}

// Rebalance records one rebalance: its calendar day and the targets.
type Rebalance struct {
	Day     int
	Targets []Target
}

// Run is the day-by-day record of one backtest.
type Run struct {
	First      int       // the calendar day of Values[0] (the window's first day)
	Values     []float64 // snapshot value after each day's trading
	Cash       []float64 // cash after each day's trading
	Rebalances []Rebalance
	Holdings   [][]Holding // per day, only with Config.RecordHoldings
	// Fills are the trades in the order the book made them, only with
	// Config.RecordFills (then non-nil, even without a trade).
	Fills      []Fill
	Final      []Holding // positions in the last snapshot, in book order
	FeesPaid   float64
	Traded     float64   // notional bought plus sold
	TokensHeld int       // distinct tokens ever held
	HHIs       []float64 // daily concentration of the snapshot
	// Stale is the value held each day in tokens without a candle that day
	// (marked at their last close), and StaleSales the positions the
	// delisting rule sold.
	Stale      []float64
	StaleSales []StaleSale
	// Gross and Net are each snapshot's Σ|position value| and Σ position
	// value (negative for a short).
	Gross, Net []float64
	// FundingPaid and FundingReceived sum the settlements paid (as charged:
	// × StressMultiplier under Config.StressFunding) and received (both ≥
	// 0); FundingMissing counts the settlements of held positions on days
	// without a funding row, settled by the panel's FundingMissing rule.
	FundingPaid, FundingReceived float64
	FundingMissing               int
	Liquidations                 []Liquidation
}

// Backtest walks the panel day by day. On each day it asks the strategy to
// hold or to rebalance, trades toward the new book, and takes a snapshot.
// On perps, the settlements dated before the trades are the held book's and
// those after them the new book's (perpPeriod), each followed by a margin
// check (perpDay): at the open for a book traded there, over the day's
// range for a book held through it. It stops early
// with ctx's error, or with an error for a book the market cannot hold (a
// short or levered spot position, a gross exposure above MaxGross) or for
// missing funding under FundingError.
func Backtest(ctx context.Context, p *Panel, s Strategy, cfg Config) (*Run, error) {
	nd, nt := p.NumDays(), p.NumTokens()
	ref := cfg.Fill == Reference
	dust := 0.0
	if ref {
		dust = 1e-12
	}
	pf := newPortfolio(nt, cfg.InitialCapital, cfg.FeeRate, dust)
	if pf.record = cfg.RecordFills; pf.record {
		pf.fills = []Fill{}
	}
	from, to := cfg.Window.Bounds(nd)
	if from >= to {
		return nil, fmt.Errorf("harness: the scoring window has no days")
	}
	n := to - from
	run := &Run{First: from, Values: make([]float64, 0, n), Cash: make([]float64, 0, n), HHIs: make([]float64, 0, n), Stale: make([]float64, 0, n),
		Gross: make([]float64, 0, n), Net: make([]float64, 0, n)}
	perps := p.HasPerps()
	view := &View{p: p, fill: cfg.Fill}
	weight := make([]float64, nt)
	var targets []Target
	day := 0
	// lastClose is the close of tok's latest candle on or before day d.
	lastClose := func(tok, d int) (float64, bool) {
		n := p.Rows(tok, d)
		if n == 0 {
			return 0, false
		}
		return p.Series[tok].Close[n-1], true
	}
	var fill func(tok int) (float64, bool)
	var mark func(tok int, entry float64) float64
	if ref {
		fill = func(tok int) (float64, bool) { return p.CloseOn(tok, day) }
		mark = func(tok int, entry float64) float64 { return entry }
	} else {
		fill = func(tok int) (float64, bool) {
			n := p.Rows(tok, day)
			s := &p.Series[tok]
			if n == 0 || int(s.Day[n-1]) != day {
				return 0, false
			}
			if o := s.Open[n-1]; !math.IsNaN(o) {
				return o, true
			}
			if n >= 2 {
				return s.Close[n-2], true
			}
			return 0, false // a listing day without an open has no earlier price
		}
		mark = func(tok int, entry float64) float64 {
			if c, ok := lastClose(tok, day); ok {
				return c
			}
			return entry
		}
	}
	// snapAt is the price of a position in a snapshot taken on day d.
	snapAt := func(d, tok int, entry float64) float64 {
		if ref {
			if c, ok := p.CloseOn(tok, d); ok {
				return c
			}
			return entry
		}
		c, _ := lastClose(tok, d)
		return c
	}
	snapPrice := func(tok int, entry float64) float64 { return snapAt(day, tok, entry) }
	rangeOf := func(tok int, entry float64) dayRange { return p.dayRange(tok, day, snapAt(day, tok, entry)) }
	acct := &Account{pf: pf, dates: p.Dates, last: -1, mark: func(tok int, entry float64) float64 { return snapAt(view.end, tok, entry) }}
	for day = from; day < to; day++ {
		if day&63 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		view.end, pf.day = day, day
		if !ref {
			view.end = day - 1
		}
		if !ref && cfg.StaleDays > 0 {
			sellStale(p, pf, run, day, cfg.StaleDays)
		}
		acct.values, acct.day, acct.marked = run.Values, day, false
		var rebalance bool
		targets, rebalance = s.Decide(view, acct, targets[:0])
		var levered bool
		if rebalance {
			var err error
			if levered, err = checkBook(p, pf, targets); err != nil {
				return nil, fmt.Errorf("harness: %s: %w", p.Dates[day], err)
			}
		}
		// A perp day (perpDay): the settlements up to the trades and a margin
		// check of the book held until them, the trades, then the rest of
		// the day's settlements and a margin check of the new book.
		start, mid, end := perpPeriod(p, day, ref)
		if perps {
			if err := perpDay(p, pf, run, day, start, mid, ref, cfg.StressFunding, rangeOf); err != nil {
				return nil, err
			}
		}
		if rebalance {
			pf.rebalance(targets, weight, fill, mark, !ref, levered)
			run.Rebalances = append(run.Rebalances, Rebalance{Day: day, Targets: append([]Target(nil), targets...)})
			acct.last = day
		}
		if perps && mid < end {
			if err := perpDay(p, pf, run, day, mid, end, true, cfg.StressFunding, rangeOf); err != nil {
				return nil, err
			}
		}
		gross, net := 0.0, 0.0
		for _, pos := range pf.positions {
			v := pos.Qty * snapPrice(pos.Token, pos.Entry)
			gross += math.Abs(v)
			net += v
		}
		run.Gross, run.Net = append(run.Gross, gross), append(run.Net, net)
		total := pf.value(snapPrice)
		run.Values = append(run.Values, total)
		run.Cash = append(run.Cash, pf.cash)
		run.HHIs = append(run.HHIs, hhi(pf, total, snapPrice))
		stale := 0.0
		for _, pos := range pf.positions {
			if _, ok := p.CloseOn(pos.Token, day); !ok {
				stale += pos.Qty * snapPrice(pos.Token, pos.Entry)
			}
		}
		run.Stale = append(run.Stale, stale)
		if cfg.RecordHoldings {
			h := make([]Holding, len(pf.positions))
			for k, pos := range pf.positions {
				h[k] = Holding{pos.Token, pos.Qty * snapPrice(pos.Token, pos.Entry)}
			}
			run.Holdings = append(run.Holdings, h)
		}
	}
	day = to - 1
	for _, pos := range pf.positions {
		run.Final = append(run.Final, Holding{pos.Token, pos.Qty * snapPrice(pos.Token, pos.Entry)})
	}
	run.FeesPaid, run.Traded, run.TokensHeld, run.Fills = pf.fees, pf.traded, pf.everHeld, pf.fills
	return run, nil
}

// sellStale applies the delisting rule on day: every position whose token's
// last candle is more than staleDays calendar days old is sold at that
// candle's close, with the fee, in book order.
func sellStale(p *Panel, pf *portfolio, run *Run, day, staleDays int) {
	for k := 0; k < len(pf.positions); {
		pos := &pf.positions[k]
		s := &p.Series[pos.Token]
		n := p.Rows(pos.Token, day)
		if n == 0 || int(p.Dates[day]-p.Dates[s.Day[n-1]]) <= staleDays {
			k++
			continue
		}
		run.StaleSales = append(run.StaleSales, StaleSale{Day: day, Token: pos.Token, Value: pos.Qty * s.Close[n-1], Since: int(s.Day[n-1])})
		pf.sellAll(k, s.Close[n-1], FillStale)
	}
}

// checkBook refuses a target book the market cannot hold and says whether
// it trades on margin: a short held or targeted, or long weights summing
// past 1 (beyond a rounding tolerance of 1e-9).
func checkBook(p *Panel, pf *portfolio, targets []Target) (levered bool, err error) {
	gross, net := 0.0, 0.0
	for _, t := range targets {
		if math.IsNaN(t.Weight) || math.IsInf(t.Weight, 0) {
			return false, fmt.Errorf("weight %v for %s", t.Weight, p.Series[t.Token].Token)
		}
		gross += math.Abs(t.Weight)
		net += t.Weight
		levered = levered || t.Weight < 0
	}
	if gross > MaxGross*(1+1e-9) {
		return false, fmt.Errorf("gross exposure %g above the harness maximum %g", gross, float64(MaxGross))
	}
	for _, pos := range pf.positions {
		levered = levered || pos.Qty < 0
	}
	if levered = levered || net > 1+1e-9; levered {
		for _, t := range targets {
			if p.Market(t.Token) != Perp {
				return false, fmt.Errorf("%s is a spot token: a short or levered book (gross %g, net %g) needs perps", p.Series[t.Token].Token, gross, net)
			}
		}
	}
	return levered, nil
}
