package dataio

import (
	"fmt"
	"math"

	"gem/harness"
)

// Thresholds of the price-break rules (see Breaks).
const (
	// JumpRatio is the close-to-close ratio, either way, between
	// consecutive candles that suggests a redenomination (or a collapse).
	JumpRatio = 20.0
	// HaltRatio is the smaller ratio that suggests a redenomination when
	// trading stopped for at least a day in between: exchanges halt a pair
	// around a token swap.
	HaltRatio = 5.0
	// ReuseGap is the number of missing days after which a ticker may have
	// been given to a different coin.
	ReuseGap = 14
	// ReuseRatio is the ratio, either way, between the last close before
	// such a gap and the first after it that suggests a different coin.
	ReuseRatio = 5.0
)

// BreakKind says what a price break suggests.
type BreakKind int

const (
	// Redenomination is a jump of at least JumpRatio between consecutive
	// candles, or of at least HaltRatio across a gap of 1 to ReuseGap-1
	// missing days: a redenomination or token swap, or a collapse.
	Redenomination BreakKind = iota
	// Reuse is a gap of at least ReuseGap missing days followed by a close
	// at least ReuseRatio away from the last: the ticker was probably
	// reused for another coin (LUNA in May 2022).
	Reuse
)

func (k BreakKind) String() string {
	if k == Reuse {
		return "reuse"
	}
	return "redenomination"
}

// Break is a suspicious jump between two consecutive candles of a token.
type Break struct {
	Kind          BreakKind
	Token         string
	Before, After harness.Date // dates of the two candles
	CloseBefore   float64
	CloseAfter    float64
	// Index is the position of the candle after the break in the token's
	// series (the candles passed to Breaks).
	Index int
}

// Missing is the number of days without a candle between the two.
func (b *Break) Missing() int { return int(b.After-b.Before) - 1 }

// Ratio is CloseAfter / CloseBefore.
func (b *Break) Ratio() float64 { return b.CloseAfter / b.CloseBefore }

func (b *Break) String() string {
	gap := "the next day"
	if m := b.Missing(); m > 0 {
		gap = fmt.Sprintf("after %d missing days", m)
	}
	what := "suspected redenomination, token swap or collapse"
	if b.Kind == Reuse {
		what = "suspected ticker reuse (another coin after a long gap)"
	}
	return fmt.Sprintf("%s: close %v on %s, %v on %s %s (x%.4g)", what, b.CloseBefore, b.Before, b.CloseAfter, b.After, gap, b.Ratio())
}

// Breaks finds the suspicious jumps in one token's candles, which must be
// in date order. Candles with a close that is not positive are skipped.
func Breaks(series []harness.Candle) []Break {
	var out []Break
	prev := -1
	for i := range series {
		c := &series[i]
		if !(c.Close > 0) || math.IsInf(c.Close, 0) {
			continue
		}
		if prev >= 0 {
			p := &series[prev]
			b := Break{Token: c.Token, Before: p.Date, After: c.Date, CloseBefore: p.Close, CloseAfter: c.Close, Index: i}
			r := math.Abs(math.Log(b.Ratio()))
			missing := b.Missing()
			switch {
			case missing < 0:
				// a duplicate day: not a break
			case missing >= ReuseGap:
				if r >= math.Log(ReuseRatio) {
					b.Kind = Reuse
					out = append(out, b)
				}
			case r >= math.Log(JumpRatio), missing > 0 && r >= math.Log(HaltRatio):
				b.Kind = Redenomination
				out = append(out, b)
			}
		}
		prev = i
	}
	return out
}
