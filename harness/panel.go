package harness

import (
	"fmt"
	"math/bits"
	"slices"
	"strings"
	"sync"
	"time"
)

// Date is a calendar day, counted in days since 1970-01-01 (UTC).
type Date int32

// ParseDate parses an ISO date "YYYY-MM-DD" of the years 0001 to 9999.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil || t.Year() < 1 {
		return 0, fmt.Errorf("bad date %s (want YYYY-MM-DD, from 0001-01-01 to 9999-12-31)", QuoteField(s))
	}
	return Date(t.Unix() / 86400), nil
}

// String formats d as "YYYY-MM-DD".
func (d Date) String() string {
	return time.Unix(int64(d)*86400, 0).UTC().Format(time.DateOnly)
}

// Candle is one token's daily bar. Open, High, Low and Volume are NaN when the
// source gives only a close (a close-only row). Close is always a positive,
// finite price.
type Candle struct {
	Token                          string
	Date                           Date
	Open, High, Low, Close, Volume float64
}

// Series is one token's candles in date order. Day holds the index of each
// candle's date on the panel's union calendar.
type Series struct {
	Token                          string
	Day                            []int32
	Open, High, Low, Close, Volume []float64
}

// Panel is a point-in-time universe of daily candles. Its calendar (Dates) is
// the sorted union of every token's dates; tokens are in sorted-name order. A
// token exists from its first candle to its last: nothing is invented before
// a listing, and a token without a candle on a day has no price that day.
type Panel struct {
	Dates  []Date
	Series []Series // sorted by Token

	// rows[i*len(Dates)+d] is the number of candles of token i dated on or
	// before calendar day d, when the panel is dense (see denseSlack); nil
	// otherwise.
	rows []int32
	// idx[i] is how Rows finds token i's candles dated on or before a day
	// when the panel is not dense: a table of the token's span, or a binary
	// search of Series[i].Day.
	idx []tokenIndex
	// trading[dayStart[d]:dayStart[d+1]] are the tokens with a candle on
	// calendar day d, in token order: 4 bytes per candle and per day.
	trading  []int32
	dayStart []int32

	// perp[i] says token i is a perpetual future (nil: all spot), and
	// funding[i] is its funding settlements (nil: none), and missing the
	// rule for a held perp's day without any; see perp.go.
	perp    []bool
	funding []*FundingSeries
	missing FundingMissing

	fpOnce sync.Once
	fp     string
}

// NewPanel builds a panel from candles in any order. It returns an error for a
// duplicate token-day (a *DuplicateError), an empty input, a candle whose
// close is not a positive finite number at most MaxPrice, or a date outside
// [MinDate, MaxDate]. Its memory is proportional to the number of candles
// plus the number of tokens plus the span of the calendar in days / 64: the
// candles are not copied or sorted as a whole, each token's rows are placed
// directly in its series.
func NewPanel(candles []Candle) (*Panel, error) {
	if len(candles) == 0 {
		return nil, fmt.Errorf("no candles")
	}
	// Pass 1: tokens, rows per token, closes and dates.
	ids := make(map[string]int32)
	var names []string
	var count []int
	tokOf := func() func(string) int32 {
		last, lastID := "", int32(-1)
		return func(tok string) int32 {
			if lastID >= 0 && tok == last {
				return lastID
			}
			id, ok := ids[tok]
			if !ok {
				id = int32(len(names))
				ids[tok] = id
				names = append(names, tok)
				count = append(count, 0)
			}
			last, lastID = tok, id
			return id
		}
	}
	id := tokOf()
	minDate, maxDate := candles[0].Date, candles[0].Date
	for i := range candles {
		c := &candles[i]
		if !(c.Close > 0) || c.Close > MaxPrice {
			return nil, fmt.Errorf("%s %s: close is %v", c.Token, c.Date, c.Close)
		}
		if c.Date < MinDate || c.Date > MaxDate {
			return nil, fmt.Errorf("%s: date %d days from 1970-01-01 is outside %s..%s", c.Token, int64(c.Date), MinDate, MaxDate)
		}
		count[id(c.Token)]++
		minDate, maxDate = min(minDate, c.Date), max(maxDate, c.Date)
	}
	rank := make([]int32, len(names)) // token id -> index in sorted order
	byName := make([]int32, len(names))
	for i := range byName {
		byName[i] = int32(i)
	}
	slices.SortFunc(byName, func(a, b int32) int { return strings.Compare(names[a], names[b]) })
	p := &Panel{Series: make([]Series, len(names))}
	for k, tid := range byName {
		rank[tid] = int32(k)
		n := count[tid]
		p.Series[k] = Series{
			Token: names[tid],
			Day:   make([]int32, 0, n),
			Open:  make([]float64, 0, n), High: make([]float64, 0, n), Low: make([]float64, 0, n),
			Close: make([]float64, 0, n), Volume: make([]float64, 0, n),
		}
	}
	// Pass 2: each token's rows in input order, the dates as they are for
	// now. A token whose dates arrive in increasing order needs no sort; a
	// duplicate in it is found as it arrives.
	last := make([]int, len(names)) // input index of each token's latest row
	ordered := make([]bool, len(names))
	for i := range ordered {
		ordered[i] = true
	}
	id = tokOf()
	for i := range candles {
		c := &candles[i]
		k := rank[id(c.Token)]
		s := &p.Series[k]
		if n := len(s.Day); n > 0 && ordered[k] && Date(s.Day[n-1]) >= c.Date {
			if Date(s.Day[n-1]) == c.Date {
				return nil, &DuplicateError{First: last[k], Second: i}
			}
			ordered[k] = false
		}
		last[k] = i
		s.Day = append(s.Day, int32(c.Date))
		s.Open, s.High, s.Low = append(s.Open, c.Open), append(s.High, c.High), append(s.Low, c.Low)
		s.Close, s.Volume = append(s.Close, c.Close), append(s.Volume, c.Volume)
	}
	for k, ok := range ordered {
		if !ok {
			if err := p.Series[k].sortByDate(candles, names[byName[k]]); err != nil {
				return nil, err
			}
		}
	}
	p.calendar(minDate, maxDate)
	p.index()
	return p, nil
}

// sortByDate puts a series whose rows arrived out of date order (its Day
// still holding dates) in date order, or returns the first duplicate, by the
// candles' positions in the input.
func (s *Series) sortByDate(candles []Candle, token string) error {
	perm := make([]int32, len(s.Day))
	for j := range perm {
		perm[j] = int32(j)
	}
	slices.SortStableFunc(perm, func(a, b int32) int { return int(s.Day[a]) - int(s.Day[b]) })
	for j := 1; j < len(perm); j++ {
		if s.Day[perm[j-1]] == s.Day[perm[j]] {
			// Find the two candles in the input: the (perm[j-1])-th and
			// (perm[j])-th rows of this token.
			var at [2]int
			want := [2]int32{perm[j-1], perm[j]}
			seen := int32(0)
			for i := range candles {
				if candles[i].Token != token {
					continue
				}
				for w := range want {
					if seen == want[w] {
						at[w] = i
					}
				}
				seen++
			}
			return &DuplicateError{First: min(at[0], at[1]), Second: max(at[0], at[1])}
		}
	}
	day := make([]int32, len(perm))
	for j, q := range perm {
		day[j] = s.Day[q]
	}
	s.Day = day
	for _, col := range [...]*[]float64{&s.Open, &s.High, &s.Low, &s.Close, &s.Volume} {
		v := make([]float64, len(perm))
		for j, q := range perm {
			v[j] = (*col)[q]
		}
		*col = v
	}
	return nil
}

// calendar builds Dates, the union of the series' dates (still held in their
// Day slices), and replaces each date by its index in Dates. A bitmap over
// the span [lo, hi] finds the union without a map.
func (p *Panel) calendar(lo, hi Date) {
	words := int(hi-lo)/64 + 1
	present := make([]uint64, words)
	for _, s := range p.Series {
		for _, d := range s.Day {
			off := d - int32(lo)
			present[off/64] |= 1 << (off % 64)
		}
	}
	before := make([]int32, words) // days present in the words before
	n := int32(0)
	for w, x := range present {
		before[w] = n
		n += int32(bits.OnesCount64(x))
	}
	p.Dates = make([]Date, 0, n)
	for w, x := range present {
		for x != 0 {
			b := bits.TrailingZeros64(x)
			p.Dates = append(p.Dates, lo+Date(w*64+b))
			x &= x - 1
		}
	}
	for _, s := range p.Series {
		for j, d := range s.Day {
			off := d - int32(lo)
			below := present[off/64] & (1<<(off%64) - 1)
			s.Day[j] = before[off/64] + int32(bits.OnesCount64(below))
		}
	}
}

// DuplicateError reports two candles for the same token and date, by their
// positions in the input slice.
type DuplicateError struct{ First, Second int }

func (e *DuplicateError) Error() string {
	return fmt.Sprintf("duplicate token-day (candles %d and %d)", e.First, e.Second)
}

// At returns the duplicate as a *ParseError at the second candle's place,
// naming the first's, where where[i] is the place candles[i] was read from.
func (e *DuplicateError) At(candles []Candle, where []Location) *ParseError {
	a, b := where[e.First], where[e.Second]
	c := candles[e.Second]
	return &ParseError{File: b.File, Line: b.Line, Err: fmt.Errorf("duplicate %s %s (first at %s:%d)", c.Token, c.Date, a.File, a.Line)}
}

// MaxPrice bounds a plausible price; anything larger (or infinite) is bad
// input.
const MaxPrice = 1e15

// MinDate and MaxDate bound a candle's date: the years 0001 to 9999 that
// ParseDate reads.
const (
	MinDate Date = -719162 // 0001-01-01
	MaxDate Date = 2932896 // 9999-12-31
)

// tokenIndex locates one token's candles on the calendar. A dense token
// has a table of its whole span: table[d-first] is the number of its
// candles dated on or before calendar day d, for d from its first candle's
// day to its last's. A sparse token has no table; Rows binary-searches its
// Day slice instead.
type tokenIndex struct {
	table          []int32
	first, last, n int32
}

// denseSlack bounds the tables. A panel whose tokens × days is at most
// denseSlack times its number of candles plus denseExtra gets one table of
// tokens × days (the fastest Rows: one load; the merged Binance panel's
// ratio is about 2). Otherwise each token whose span of days is at most
// denseSlack times its number of candles plus denseExtra gets a table of
// its span, and the others none. Either way the tables take at most
// 4·denseSlack bytes per candle and 4·denseExtra per token. Real listings
// trade nearly every day of their life, so their tables are tight; a token
// with a few candles spread over decades costs nothing but a binary search
// of its Day slice.
const (
	denseSlack = 4
	denseExtra = 64
)

func (p *Panel) index() {
	p.indexDays()
	nd := len(p.Dates)
	if len(p.Series)*nd <= denseSlack*p.TokenDays()+denseExtra {
		p.rows = make([]int32, len(p.Series)*nd)
		for i, s := range p.Series {
			row := p.rows[i*nd : (i+1)*nd]
			k := int32(0)
			for d := range row {
				for int(k) < len(s.Day) && s.Day[k] <= int32(d) {
					k++
				}
				row[d] = k
			}
		}
		return
	}
	p.idx = make([]tokenIndex, len(p.Series))
	total := 0
	for _, s := range p.Series {
		n := len(s.Day)
		if span := int(s.Day[n-1]-s.Day[0]) + 1; span <= denseSlack*n+denseExtra {
			total += span
		}
	}
	rows := make([]int32, total) // one allocation for every table
	for i, s := range p.Series {
		n := len(s.Day)
		x := tokenIndex{first: s.Day[0], last: s.Day[n-1], n: int32(n)}
		if span := int(s.Day[n-1]-s.Day[0]) + 1; span <= denseSlack*n+denseExtra {
			x.table, rows = rows[:span:span], rows[span:]
			k := int32(0)
			for j := range x.table {
				for int(k) < n && s.Day[k] <= x.first+int32(j) {
					k++
				}
				x.table[j] = k
			}
		}
		p.idx[i] = x
	}
}

// indexDays builds the tokens trading on each day by a counting sort of
// the candles on their days: walking the tokens in order keeps each day's
// list in token order.
func (p *Panel) indexDays() {
	p.dayStart = make([]int32, len(p.Dates)+1)
	for _, s := range p.Series {
		for _, d := range s.Day {
			p.dayStart[d+1]++
		}
	}
	for d := range p.Dates {
		p.dayStart[d+1] += p.dayStart[d]
	}
	p.trading = make([]int32, p.dayStart[len(p.Dates)])
	next := slices.Clone(p.dayStart[:len(p.Dates)])
	for i, s := range p.Series {
		for _, d := range s.Day {
			p.trading[next[d]] = int32(i)
			next[d]++
		}
	}
}

// TradingOn returns the tokens with a candle on calendar day d, in
// increasing order; the slice is capped and must not be modified.
func (p *Panel) TradingOn(d int) []int32 {
	lo, hi := p.dayStart[d], p.dayStart[d+1]
	return p.trading[lo:hi:hi]
}

// NumDays is the length of the union calendar.
func (p *Panel) NumDays() int { return len(p.Dates) }

// NumTokens is the number of tokens.
func (p *Panel) NumTokens() int { return len(p.Series) }

// Rows returns how many candles token i has dated on or before calendar day d;
// d < 0 gives 0.
func (p *Panel) Rows(i, d int) int {
	if p.rows != nil {
		if d < 0 {
			return 0
		}
		return int(p.rows[i*len(p.Dates)+d])
	}
	x := &p.idx[i]
	j := d - int(x.first)
	if uint(j) < uint(len(x.table)) {
		return int(x.table[j])
	}
	switch {
	case j < 0:
		return 0
	case d >= int(x.last):
		return int(x.n)
	}
	day := p.Series[i].Day
	lo, hi := 1, int(x.n)-1 // day[0] <= d < day[n-1]
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if int(day[m]) <= d {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// CloseOn returns token i's close on calendar day d and whether it has a
// candle that day.
func (p *Panel) CloseOn(i, d int) (float64, bool) {
	n := p.Rows(i, d)
	if n == 0 || int(p.Series[i].Day[n-1]) != d {
		return 0, false
	}
	return p.Series[i].Close[n-1], true
}

// TokenIndex returns the index of the named token, or -1.
func (p *Panel) TokenIndex(name string) int {
	i, ok := slices.BinarySearchFunc(p.Series, name, func(s Series, n string) int {
		switch {
		case s.Token < n:
			return -1
		case s.Token > n:
			return 1
		}
		return 0
	})
	if !ok {
		return -1
	}
	return i
}

// TokenDays is the number of candles in the panel.
func (p *Panel) TokenDays() int {
	n := 0
	for _, s := range p.Series {
		n += len(s.Day)
	}
	return n
}
