package synth

import (
	"fmt"
	"math"

	"gem/harness"
)

// State is a market regime: the state of the market factor's Markov chain.
type State int8

// The three market regimes, in the order of Config.Regimes.
const (
	Bear State = iota
	Ranging
	Bull
)

// String returns "bear", "ranging" or "bull".
func (s State) String() string {
	switch s {
	case Bear:
		return "bear"
	case Ranging:
		return "ranging"
	case Bull:
		return "bull"
	}
	return "State(?)"
}

// Regime holds the market factor's behaviour in one state.
type Regime struct {
	// Drift is the mean daily log return of the market factor in this state
	// (0.004 is about +0.4% a day). Zero means no drift.
	Drift float64
	// Vol is the standard deviation of the market factor's daily log return
	// in this state (0.04 is about 76% a year). Zero means the factor moves
	// by exactly Drift each day; a negative value counts as zero.
	Vol float64
	// Duration is the expected number of days the chain stays in this state
	// once there: each day it leaves with probability 1/Duration. A value of
	// 1 or less (including zero) means it leaves every day.
	Duration float64
}

// Config describes a synthetic universe. Start from DefaultConfig and change
// what you need: the zero Config describes an empty universe (no tokens, no
// days). Generate clamps out-of-range values rather than failing; NaN counts
// as zero.
type Config struct {
	// Seed selects the random universe. Every value, including zero, is a
	// valid seed; the same Config always gives bit-identical candles.
	Seed uint64

	// Tokens is the number of tokens, the fixed ones included: BTC, ETH,
	// USDC, USDT, DAI and XAUT come first (a smaller Tokens keeps that many
	// of them, in that order), then generated tickers. Zero or negative
	// means no tokens, so Generate returns no candles.
	Tokens int

	// Days is the length of the calendar in days, from Start. Zero or
	// negative means no days; the calendar is cut short at harness.MaxDate,
	// and has no days when Start is before harness.MinDate.
	Days int

	// Start is the calendar's first day (days since 1970-01-01). The zero
	// value is 1970-01-01.
	Start harness.Date

	// Regimes gives drift, volatility and expected duration of the market
	// factor's daily log returns in each state, indexed by Bear, Ranging
	// and Bull. All zero means a flat market.
	Regimes [3]Regime

	// TailDF is the degrees of freedom of the Student-t innovations of the
	// market factor and of every token's idiosyncratic noise (scaled to unit
	// variance). Lower is fatter-tailed; 3 to 5 is typical of crypto. A value
	// of 2 or less (including zero), or +Inf, gives Gaussian innovations.
	TailDF float64

	// ListedAtStart is the fraction, in [0, 1], of generated tokens listed on
	// the first day. The others list on a day drawn uniformly from
	// [1, ListWindow×Days]. The fixed tokens always list on the first day.
	// Zero means every generated token lists late.
	ListedAtStart float64

	// ListWindow is the fraction of the calendar, in [0, 1], over which
	// late listings are spread, so that the last listings still have
	// (1-ListWindow)×Days of history. Zero lists every late token on day 1.
	ListWindow float64

	// DelistFrac is the fraction, in [0, 1], of generated tokens given a
	// scheduled delisting on a day drawn uniformly from at least 60 days
	// after listing to the end of the calendar (a token listed too late to
	// fit is not delisted). Most are preceded by a crash. Independently, any
	// token whose close would fall below 1e-7 delists that day. Zero means
	// no scheduled delistings.
	DelistFrac float64

	// TrendFrac is the fraction, in [0, 1], of generated tokens with a
	// persistent trend: a slowly mean-reverting drift (see doc.go) large
	// enough for momentum to find. The others have a negligible one. Zero
	// means no trending tokens.
	TrendFrac float64

	// CloseOnlyFrac is the fraction, in [0, 1], of generated tokens whose
	// first 30 to 365 days of history are close-only rows (NaN open, high,
	// low and volume). Zero means no close-only rows.
	CloseOnlyFrac float64
}

// DefaultConfig is the CLI's default universe: 300 tokens over 1,826 days
// (five years from 2020-01-01), seed 1, Student-t(4) tails, a sticky
// three-state market, a fifth of the generated tokens listed at the start
// and the rest over the first 80% of the calendar, 10% scheduled delistings,
// 20% trending tokens and 4% with a close-only stretch.
func DefaultConfig() Config {
	return Config{
		Seed:   1,
		Tokens: 300,
		Days:   1826,
		Start:  18262, // 2020-01-01
		Regimes: [3]Regime{
			Bear:    {Drift: -0.003, Vol: 0.045, Duration: 50},
			Ranging: {Drift: 0.0003, Vol: 0.025, Duration: 60},
			Bull:    {Drift: 0.004, Vol: 0.035, Duration: 70},
		},
		TailDF:        4,
		ListedAtStart: 0.2,
		ListWindow:    0.8,
		DelistFrac:    0.1,
		TrendFrac:     0.2,
		CloseOnlyFrac: 0.04,
	}
}

// MaxCandles bounds the universe CheckSize accepts: 20 million token-days
// (four times the 10× merged panel's 14.6 million) take about 1.3 GB as
// candles and 1 GB as a panel.
const MaxCandles = 20_000_000

// CheckSize returns an error unless c has at least one token and one day
// and at most MaxCandles token-days, for a universe sized by a user.
func CheckSize(c Config) error {
	switch {
	case c.Tokens <= 0:
		return fmt.Errorf("%d tokens, want at least 1", c.Tokens)
	case c.Days <= 0:
		return fmt.Errorf("%d days, want at least 1", c.Days)
	case c.Days > MaxCandles/c.Tokens:
		return fmt.Errorf("%d tokens × %d days is more than %d token-days", c.Tokens, c.Days, MaxCandles)
	}
	return nil
}

// normalized returns c with every field clamped into its documented range.
func (c Config) normalized() Config {
	c.Tokens = max(c.Tokens, 0)
	c.Days = max(c.Days, 0)
	if room := int64(harness.MaxDate) - int64(c.Start) + 1; int64(c.Days) > room {
		c.Days = int(max(room, 0))
	}
	if c.Start < harness.MinDate {
		c.Days = 0
	}
	for i := range c.Regimes {
		r := &c.Regimes[i]
		r.Drift = finite(r.Drift)
		r.Vol = max(finite(r.Vol), 0)
		r.Duration = max(finite(r.Duration), 1)
	}
	if !(c.TailDF > 2) || math.IsInf(c.TailDF, 1) {
		c.TailDF = 0
	}
	c.ListedAtStart = unit(c.ListedAtStart)
	c.ListWindow = unit(c.ListWindow)
	c.DelistFrac = unit(c.DelistFrac)
	c.TrendFrac = unit(c.TrendFrac)
	c.CloseOnlyFrac = unit(c.CloseOnlyFrac)
	return c
}

// finite maps NaN and ±Inf to zero.
func finite(x float64) float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return 0
	}
	return x
}

// unit clamps x to [0, 1], NaN to 0.
func unit(x float64) float64 {
	if !(x > 0) {
		return 0
	}
	return min(x, 1)
}
