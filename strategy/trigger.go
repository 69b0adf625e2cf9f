package strategy

import "gem/harness"

// Trigger is the reference implementation's rule for when to rebalance:
//
//   - the first decision of a backtest always rebalances;
//   - a decision within Cooldown calendar days of the last rebalance never
//     does;
//   - otherwise the strategy's signals decide (SignalsFire for the
//     reference's per-token signals).
//
// The specialist follows it with its momentum as the signal; the ensemble
// with "the target book names other tokens than the held ones".
type Trigger struct {
	// Cooldown is the minimum number of calendar days from the last
	// rebalance to the next; 0 or 1 means any day may.
	Cooldown int
}

// Due reports whether a rebalance is due on the account's day. fires is
// called only when the signals decide (neither the first decision nor one
// within the cooldown), so a strategy computes its signals only then.
func (t Trigger) Due(a *harness.Account, fires func() bool) bool {
	last := a.LastRebalance()
	if last < 0 {
		return true
	}
	if t.Cooldown > 0 && a.Day()-last < t.Cooldown {
		return false
	}
	return fires()
}

// SignalsFire reports whether per-token signals call for a rebalance under
// the reference's rule: a token not held with a positive signal, or a held
// token with a negative one. signal(i) for i in [0, n) returns the i-th
// signalled token and its signal; NaN, or a token never named, means no
// signal (so a day's signals cost their number, not the panel's tokens).
// It stops at the first token that fires.
func SignalsFire(a *harness.Account, n int, signal func(i int) (tok int, sig float64)) bool {
	for i := range n {
		if tok, sig := signal(i); a.Held(tok) {
			if sig < 0 {
				return true
			}
		} else if sig > 0 {
			return true
		}
	}
	return false
}
