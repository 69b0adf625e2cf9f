package harness

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

// Date is a calendar day, counted in days since 1970-01-01 (UTC).
type Date int32

// ParseDate parses an ISO date "YYYY-MM-DD".
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return 0, fmt.Errorf("bad date %q (want YYYY-MM-DD)", s)
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
	// before calendar day d.
	rows []int32

	fpOnce sync.Once
	fp     string
}

// NewPanel builds a panel from candles in any order. It returns an error for a
// duplicate token-day, an empty input, or a candle whose close is not a
// positive finite number.
func NewPanel(candles []Candle) (*Panel, error) {
	if len(candles) == 0 {
		return nil, fmt.Errorf("no candles")
	}
	order := make([]int, len(candles))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(i, j int) int {
		a, b := &candles[i], &candles[j]
		if c := strings.Compare(a.Token, b.Token); c != 0 {
			return c
		}
		return int(a.Date) - int(b.Date)
	})
	sorted := make([]Candle, len(candles))
	for i, k := range order {
		sorted[i] = candles[k]
	}
	dateSet := make(map[Date]struct{})
	for i, c := range sorted {
		if !(c.Close > 0) || c.Close > maxPrice {
			return nil, fmt.Errorf("%s %s: close is %v", c.Token, c.Date, c.Close)
		}
		if i > 0 && sorted[i-1].Token == c.Token && sorted[i-1].Date == c.Date {
			return nil, &DuplicateError{First: order[i-1], Second: order[i]}
		}
		dateSet[c.Date] = struct{}{}
	}
	p := &Panel{Dates: make([]Date, 0, len(dateSet))}
	for d := range dateSet {
		p.Dates = append(p.Dates, d)
	}
	slices.Sort(p.Dates)
	dayIndex := make(map[Date]int32, len(p.Dates))
	for i, d := range p.Dates {
		dayIndex[d] = int32(i)
	}
	for lo := 0; lo < len(sorted); {
		hi := lo
		for hi < len(sorted) && sorted[hi].Token == sorted[lo].Token {
			hi++
		}
		n := hi - lo
		s := Series{
			Token: sorted[lo].Token,
			Day:   make([]int32, n),
			Open:  make([]float64, n), High: make([]float64, n), Low: make([]float64, n),
			Close: make([]float64, n), Volume: make([]float64, n),
		}
		for j, c := range sorted[lo:hi] {
			s.Day[j] = dayIndex[c.Date]
			s.Open[j], s.High[j], s.Low[j], s.Close[j], s.Volume[j] = c.Open, c.High, c.Low, c.Close, c.Volume
		}
		p.Series = append(p.Series, s)
		lo = hi
	}
	p.index()
	return p, nil
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

// maxPrice bounds a plausible price; anything larger (or infinite) is bad input.
const maxPrice = 1e15

func (p *Panel) index() {
	nd := len(p.Dates)
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
}

// NumDays is the length of the union calendar.
func (p *Panel) NumDays() int { return len(p.Dates) }

// NumTokens is the number of tokens.
func (p *Panel) NumTokens() int { return len(p.Series) }

// Rows returns how many candles token i has dated on or before calendar day d;
// d < 0 gives 0.
func (p *Panel) Rows(i, d int) int {
	if d < 0 {
		return 0
	}
	return int(p.rows[i*len(p.Dates)+d])
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
