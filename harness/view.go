package harness

// View is a read-only window on a Panel that ends at a decision day. Every
// accessor returns data dated on or before that day only, and slices are
// capped (s[:n:n]) so that re-slicing cannot reach later candles: causality
// holds by construction, not by discipline. Callers must not modify the
// returned slices.
type View struct {
	p    *Panel
	end  int // last visible calendar day; -1 sees nothing
	fill FillMode
}

// Day is the last visible calendar day (the decision day); -1 before the
// first day.
func (v *View) Day() int { return v.end }

// NumTokens is the number of tokens in the panel, visible or not yet listed.
func (v *View) NumTokens() int { return len(v.p.Series) }

// Token returns the name of token i.
func (v *View) Token(i int) string { return v.p.Series[i].Token }

// TokenIndex returns the index of the named token, or -1.
func (v *View) TokenIndex(name string) int { return v.p.TokenIndex(name) }

// Len is the number of candles of token i visible in the view.
func (v *View) Len(i int) int { return v.p.Rows(i, v.end) }

// Close returns token i's visible closes, oldest first.
func (v *View) Close(i int) []float64 { n := v.Len(i); return v.p.Series[i].Close[:n:n] }

// High returns token i's visible highs (NaN on close-only rows).
func (v *View) High(i int) []float64 { n := v.Len(i); return v.p.Series[i].High[:n:n] }

// Low returns token i's visible lows (NaN on close-only rows).
func (v *View) Low(i int) []float64 { n := v.Len(i); return v.p.Series[i].Low[:n:n] }

// Volume returns token i's visible volumes (NaN where unknown).
func (v *View) Volume(i int) []float64 { n := v.Len(i); return v.p.Series[i].Volume[:n:n] }

// CandleDays returns the calendar-day index of each visible candle of token i.
func (v *View) CandleDays(i int) []int32 { n := v.Len(i); return v.p.Series[i].Day[:n:n] }

// LenAt is the number of candles of token i dated on or before calendar day
// d, for d up to the decision day.
func (v *View) LenAt(i, d int) int {
	if d > v.end {
		panic("harness: View.LenAt beyond the decision day")
	}
	return v.p.Rows(i, d)
}

// Fill is the fill mode of the backtest the view belongs to; strategies use it
// to pick reference-compatible conventions.
func (v *View) Fill() FillMode { return v.fill }

// Trading reports whether token i has a candle on the decision day itself.
func (v *View) Trading(i int) bool {
	n := v.Len(i)
	return n > 0 && int(v.p.Series[i].Day[n-1]) == v.end
}

// TradingOn returns the tokens with a candle on calendar day d (0 ≤ d ≤
// Day()) in increasing order, so that a strategy can visit a day's
// candles in time proportional to their number rather than to the
// tokens. The slice is capped; callers must not modify it.
func (v *View) TradingOn(d int) []int32 {
	if d > v.end {
		panic("harness: View.TradingOn beyond the decision day")
	}
	return v.p.TradingOn(d)
}

// Date returns the date of a visible calendar day d (0 <= d <= Day()).
func (v *View) Date(d int) Date {
	if d > v.end {
		panic("harness: View.Date beyond the decision day")
	}
	return v.p.Dates[d]
}

// PanelID identifies a Panel without giving access to its data. It is
// comparable, so strategies may key caches of per-day results on it.
type PanelID struct{ p *Panel }

// Panel identifies the panel behind the view. Results computed from a view are
// functions of the data up to the view's day, so a strategy may reuse them in
// later runs on the same PanelID.
func (v *View) Panel() PanelID { return PanelID{v.p} }
