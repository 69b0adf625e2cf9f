package dataio

import (
	"fmt"

	"gem/harness"
)

// PanelWarnings lists, in sentences that start with source (the files the
// panel was read from), what makes a panel that loads a poor test of gem's
// cross-sectional strategies: a single token, which leaves a momentum
// ranking one candidate to rank, and no token with two candles, which
// leaves nothing to fit. A strategy then holds that one token or cash, and
// a run that never invests scores 0 without being wrong; the warnings say
// so before anything runs. The list is empty for a panel without such a
// problem.
func PanelWarnings(p *harness.Panel, source string) []string {
	var w []string
	if p.NumTokens() == 1 {
		w = append(w, fmt.Sprintf("%s: one token (%s): the momentum ranking has a single candidate, so a strategy can only time that token, and a run that never buys it scores 0; give a universe of tokens for a cross-sectional test", source, p.Series[0].Token))
	}
	fittable := false
	for i := range p.Series {
		fittable = fittable || len(p.Series[i].Day) >= 2
	}
	if !fittable {
		w = append(w, fmt.Sprintf("%s: no token has two candles: no trend can be fitted, every strategy holds cash and scores 0", source))
	}
	return w
}
