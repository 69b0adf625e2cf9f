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
// panel's tokens). Weights are fractions of portfolio value; their sum is at
// most 1 and the rest is cash.
type Target struct {
	Token  int
	Weight float64
}

// Strategy is the interface between the harness and the modifiable interior.
// Each method sees the market only through a View that ends at the decision
// day. A Strategy serves one backtest; it may keep state from day to day
// and caches shared with others, but never data from beyond its view.
type Strategy interface {
	// Cooldown is the minimum number of calendar days since the last
	// rebalance before another may happen; 0 or 1 means any day may.
	Cooldown(v *View, a *Account) int
	// Signals writes one trigger signal per token into dst (len NumTokens):
	// a token not held with a positive signal, or a held token with a
	// negative one, triggers a rebalance. NaN means no signal.
	Signals(v *View, a *Account, dst []float64)
	// Targets returns the target portfolio in buy order, appended to dst[:0].
	// An empty result means all cash.
	Targets(v *View, a *Account, dst []Target) []Target
}

// Account is the strategy's read-only view of its own book at decision time.
type Account struct {
	pf     *portfolio
	values []float64
	last   int
}

// Held reports whether token i is in the book (dust included).
func (a *Account) Held(i int) bool { return a.pf.held(i) }

// Values returns the daily snapshot values recorded before the decision.
func (a *Account) Values() []float64 { return a.values[:len(a.values):len(a.values)] }

// LastRebalance is the calendar day of the last rebalance, or -1.
func (a *Account) LastRebalance() int { return a.last }

// Config sets up one backtest.
type Config struct {
	Fill           FillMode
	FeeRate        float64 // fraction of notional per buy and per sell
	InitialCapital float64
	// RecordHoldings keeps each day's position values in Run.Holdings.
	RecordHoldings bool
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
	Values     []float64 // snapshot value after each day's trading
	Cash       []float64 // cash after each day's trading
	Rebalances []Rebalance
	Holdings   [][]Holding // per day, only with Config.RecordHoldings
	Final      []Holding   // positions in the last snapshot, in book order
	FeesPaid   float64
	Traded     float64   // notional bought plus sold
	TokensHeld int       // distinct tokens ever held
	HHIs       []float64 // daily concentration of the snapshot
}

// Backtest walks the panel day by day. On each day it asks the strategy
// whether to rebalance (the first day always does; a day within the cooldown
// of the last rebalance never does; otherwise the signals decide), trades,
// and takes a snapshot. It stops early with ctx's error.
func Backtest(ctx context.Context, p *Panel, s Strategy, cfg Config) (*Run, error) {
	nd, nt := p.NumDays(), p.NumTokens()
	ref := cfg.Fill == Reference
	dust := 0.0
	if ref {
		dust = 1e-12
	}
	pf := newPortfolio(nt, cfg.InitialCapital, cfg.FeeRate, dust)
	run := &Run{Values: make([]float64, 0, nd), Cash: make([]float64, 0, nd), HHIs: make([]float64, 0, nd)}
	acct := &Account{pf: pf, last: -1}
	view := &View{p: p, fill: cfg.Fill}
	signals := make([]float64, nt)
	weight := make([]float64, nt)
	var targets []Target
	day := 0
	// lastClose is the close of tok's latest candle on or before day.
	lastClose := func(tok int) (float64, bool) {
		n := p.Rows(tok, day)
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
			if c, ok := lastClose(tok); ok {
				return c
			}
			return entry
		}
	}
	snapPrice := func(tok int, entry float64) float64 {
		if ref {
			if c, ok := p.CloseOn(tok, day); ok {
				return c
			}
			return entry
		}
		c, _ := lastClose(tok)
		return c
	}
	for day = 0; day < nd; day++ {
		if day&63 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		view.end = day
		if !ref {
			view.end = day - 1
		}
		acct.values = run.Values
		if rebalanceDue(day, view, acct, s, signals) {
			targets = s.Targets(view, acct, targets[:0])
			pf.rebalance(targets, weight, fill, mark, !ref)
			run.Rebalances = append(run.Rebalances, Rebalance{Day: day, Targets: append([]Target(nil), targets...)})
			acct.last = day
		}
		total := pf.value(snapPrice)
		run.Values = append(run.Values, total)
		run.Cash = append(run.Cash, pf.cash)
		run.HHIs = append(run.HHIs, hhi(pf, total, snapPrice))
		if cfg.RecordHoldings {
			h := make([]Holding, len(pf.positions))
			for k, pos := range pf.positions {
				h[k] = Holding{pos.Token, pos.Qty * snapPrice(pos.Token, pos.Entry)}
			}
			run.Holdings = append(run.Holdings, h)
		}
	}
	day = nd - 1
	for _, pos := range pf.positions {
		run.Final = append(run.Final, Holding{pos.Token, pos.Qty * snapPrice(pos.Token, pos.Entry)})
	}
	run.FeesPaid, run.Traded, run.TokensHeld = pf.fees, pf.traded, pf.everHeld
	return run, nil
}

// rebalanceDue applies the rebalance rule: the first decision always
// rebalances; one within the cooldown never does; otherwise a rebalance is due
// when a token not held has a positive signal or a held token a negative one.
func rebalanceDue(day int, v *View, a *Account, s Strategy, signals []float64) bool {
	if a.last < 0 {
		return true
	}
	if cd := s.Cooldown(v, a); cd > 0 && day-a.last < cd {
		return false
	}
	s.Signals(v, a, signals)
	for tok, sig := range signals {
		if a.pf.held(tok) {
			if sig < 0 {
				return true
			}
		} else if sig > 0 {
			return true
		}
	}
	return false
}
