package dataio

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"gem/harness"
)

// Filter selects a universe from candles. The zero Filter keeps everything.
// Apply runs the steps in the order of the fields below.
type Filter struct {
	// SplitReused gives a reused ticker's later coin a name of its own:
	// after each Reuse break (see Breaks) the candles are renamed TOKEN#2,
	// TOKEN#3 ..., so that LUNA (Terra classic, to 2022-05-13) and LUNA#2
	// (Terra 2.0, from 2022-05-31) are two assets.
	SplitReused bool
	// SplitRedenominated does the same after each Redenomination break, so
	// that a position is not carried across a token swap at a made-up
	// return: the old asset ends (its last price final) and a new one lists.
	SplitRedenominated bool
	// From and To keep the candles dated in [From, To]; the zero Date
	// (1970-01-01) means no bound.
	From, To harness.Date
	// Tokens keeps only the named tokens (nil keeps all). A name without
	// "#" also keeps the assets SplitReused split from it (LUNA keeps LUNA
	// and LUNA#2). Naming a token the data does not have is an error.
	Tokens []string
	// ExcludeStablecoins drops US-dollar stablecoins and fiat currencies
	// (IsStablecoin).
	ExcludeStablecoins bool
	// SurvivorsOnly keeps only the tokens that have a candle on the last
	// day of the data (the latest date of any candle kept by From and To):
	// the survivors, the universe a study biased by survivorship sees. It
	// selects with hindsight, like MinHistory; it exists to measure that
	// bias (the same configuration on the point-in-time universe and on
	// the survivors), not as a point-in-time rule.
	SurvivorsOnly bool
	// MinHistory drops tokens with fewer candles than this, counted after
	// the steps above. It sees each token's whole history, so it selects
	// with hindsight: a coin delisted after a month is gone from the first
	// day. Use it to drop stubs, not as a point-in-time rule. Zero or
	// negative keeps all.
	MinHistory int
}

// IsZero reports whether f keeps everything unchanged.
func (f *Filter) IsZero() bool {
	return !f.SplitReused && !f.SplitRedenominated && f.From == 0 && f.To == 0 &&
		f.Tokens == nil && !f.ExcludeStablecoins && !f.SurvivorsOnly && f.MinHistory <= 0
}

// Apply returns the candles f keeps, sorted by token and date, with their
// locations (where may be nil; then so is the returned slice). The input
// is not modified. It is an error to name a token the data does not have,
// or to keep nothing.
func (f *Filter) Apply(candles []harness.Candle, where []harness.Location) ([]harness.Candle, []harness.Location, error) {
	if where != nil && len(where) != len(candles) {
		panic("dataio: Filter.Apply with len(where) != len(candles)")
	}
	if f.From != 0 && f.To != 0 && f.From > f.To {
		return nil, nil, fmt.Errorf("empty date range %s..%s", f.From, f.To)
	}
	order := make([]int, len(candles))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(i, j int) int {
		return cmp.Or(strings.Compare(candles[i].Token, candles[j].Token), cmp.Compare(candles[i].Date, candles[j].Date))
	})
	out := make([]harness.Candle, 0, len(candles))
	var outWhere []harness.Location
	if where != nil {
		outWhere = make([]harness.Location, 0, len(candles))
	}
	series := make([]harness.Candle, 0, 4096)
	names := map[string]bool{}
	for lo := 0; lo < len(order); {
		hi := lo
		for hi < len(order) && candles[order[hi]].Token == candles[order[lo]].Token {
			hi++
		}
		series = series[:0]
		for _, k := range order[lo:hi] {
			series = append(series, candles[k])
		}
		if f.SplitReused || f.SplitRedenominated {
			split := 1
			next := 0
			for _, b := range Breaks(series) {
				if b.Kind == Reuse && f.SplitReused || b.Kind == Redenomination && f.SplitRedenominated {
					for ; next < b.Index; next++ {
						series[next].Token = name(series[next].Token, split)
					}
					split++
				}
			}
			for ; next < len(series); next++ {
				series[next].Token = name(series[next].Token, split)
			}
		}
		for i, c := range series {
			names[c.Token] = true
			if f.From != 0 && c.Date < f.From || f.To != 0 && c.Date > f.To {
				continue
			}
			out = append(out, c)
			if where != nil {
				outWhere = append(outWhere, where[order[lo+i]])
			}
		}
		lo = hi
	}
	keep := func(tok string) bool { return true }
	if f.Tokens != nil {
		want := map[string]bool{}
		var unknown []string
		for _, t := range f.Tokens {
			t = strings.TrimSpace(t)
			if t == "" {
				continue
			}
			want[t] = true
			if !names[t] {
				unknown = append(unknown, t)
			}
		}
		if len(unknown) > 0 {
			return nil, nil, fmt.Errorf("no such token: %s", strings.Join(unknown, ", "))
		}
		keep = func(tok string) bool { return want[tok] || baseToken(tok) != tok && want[baseToken(tok)] }
	}
	if f.SurvivorsOnly {
		var last harness.Date
		for _, c := range out {
			last = max(last, c.Date)
		}
		survivors := map[string]bool{}
		for _, c := range out {
			if c.Date == last {
				survivors[c.Token] = true
			}
		}
		prev := keep
		keep = func(tok string) bool { return survivors[tok] && prev(tok) }
	}
	n := 0
	count := map[string]int{}
	for i, c := range out {
		if !keep(c.Token) || f.ExcludeStablecoins && IsStablecoin(c.Token) {
			continue
		}
		out[n] = c
		if where != nil {
			outWhere[n] = outWhere[i]
		}
		n++
		count[c.Token]++
	}
	out = out[:n]
	if where != nil {
		outWhere = outWhere[:n]
	}
	if f.MinHistory > 0 {
		n = 0
		for i, c := range out {
			if count[c.Token] < f.MinHistory {
				continue
			}
			out[n] = c
			if where != nil {
				outWhere[n] = outWhere[i]
			}
			n++
		}
		out = out[:n]
		if where != nil {
			outWhere = outWhere[:n]
		}
	}
	if len(out) == 0 {
		return nil, nil, errors.New("the universe filters keep no candles")
	}
	return out, outWhere, nil
}

// name returns the name of a ticker's k-th asset: the ticker itself for
// the first, TOKEN#k after.
func name(tok string, k int) string {
	if k == 1 {
		return tok
	}
	return tok + "#" + strconv.Itoa(k)
}

// String lists the filters in use in a few words ("reused tickers split,
// from 2021-01-01, no stablecoins"), "" for the zero Filter.
func (f *Filter) String() string {
	var parts []string
	if f.SplitReused {
		parts = append(parts, "reused tickers split")
	}
	if f.SplitRedenominated {
		parts = append(parts, "redenominations split")
	}
	if f.From != 0 {
		parts = append(parts, "from "+f.From.String())
	}
	if f.To != 0 {
		parts = append(parts, "to "+f.To.String())
	}
	if f.Tokens != nil {
		parts = append(parts, "tokens "+strings.Join(f.Tokens, ","))
	}
	if f.ExcludeStablecoins {
		parts = append(parts, "no stablecoins")
	}
	if f.SurvivorsOnly {
		parts = append(parts, "survivors only")
	}
	if f.MinHistory > 0 {
		parts = append(parts, fmt.Sprintf("min history %d", f.MinHistory))
	}
	return strings.Join(parts, ", ")
}
