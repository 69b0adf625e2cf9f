package dataio

import (
	"cmp"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"

	"gem/harness"
)

// DepegTolerance is how far from 1 a US-dollar stablecoin's close may be
// before Check reports a depeg.
const DepegTolerance = 0.02

// Severity grades an Issue.
type Severity int

const (
	// Warning is suspicious data that loads: gaps, jumps, depegs, OHLC
	// inconsistencies.
	Warning Severity = iota
	// Error is data the harness rejects: a row that does not parse, a zero
	// or negative price, a duplicate token-day.
	Error
)

func (s Severity) String() string {
	if s == Error {
		return "error"
	}
	return "warning"
}

// MarshalText writes "warning" or "error".
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Issue kinds.
const (
	KindBadRow         = "bad-row"        // error: a row that does not parse
	KindBadValue       = "bad-value"      // error: a zero, negative or absurd price, a negative volume, no close
	KindDuplicate      = "duplicate"      // error: a second candle for a token-day
	KindGap            = "gap"            // warning: days without a candle inside a token's life
	KindCalendarGap    = "calendar-gap"   // warning: days on which no token has a candle, inside the data's span
	KindCoverageCliff  = "coverage-cliff" // warning: many tokens' last candle on one day before the data's end
	KindRedenomination = "redenomination" // warning: see Breaks
	KindReuse          = "reuse"          // warning: see Breaks
	KindDepeg          = "depeg"          // warning: a USD stablecoin's close more than DepegTolerance from 1
	KindOHLC           = "ohlc"           // warning: high below open or close, low above them, or a partial bar
)

// Issue is one finding of Check.
type Issue struct {
	Token    string // empty for a row that did not parse
	Kind     string
	Severity Severity
	// From and To are the first and last dates concerned (equal for one
	// day; zero for a row that did not parse). A calendar gap has dates
	// but no token.
	From, To harness.Date
	// Where is the row concerned, for problems of one row; File is empty
	// otherwise.
	Where   harness.Location
	Message string
}

// TokenReport summarises one token's candles.
type TokenReport struct {
	Token       string
	First, Last harness.Date
	Rows        int
	CloseOnly   int // rows without open, high and low
	Gaps        int // runs of missing days between First and Last
	MissingDays int // days without a candle between First and Last
	Warnings    int
	Errors      int
}

// Report is the result of Check: one summary per token, then every issue.
type Report struct {
	Files  []string
	Rows   int
	Tokens []TokenReport // sorted by token
	Issues []Issue       // sorted by token, then date
	// LastClean is the date of the first coverage cliff that cuts off at
	// least a quarter of the tokens trading that day (0 without one): past
	// it the universe is another one, and a backtest scored there holds the
	// cliff's tokens stale until the delisting rule sells them.
	LastClean harness.Date
}

// CliffTokens is how many tokens must end on one day, before the data's last
// day, for it to be a coverage cliff (or 1% of the tokens, if more).
const CliffTokens = 3

// Errors is the number of issues of severity Error.
func (r *Report) Errors() int { return r.count(Error) }

// Warnings is the number of issues of severity Warning.
func (r *Report) Warnings() int { return r.count(Warning) }

func (r *Report) count(s Severity) int {
	n := 0
	for i := range r.Issues {
		if r.Issues[i].Severity == s {
			n++
		}
	}
	return n
}

// Check reads the files as one data set and reports, per token, its first
// and last dates, gaps, close-only rows, suspected redenominations and
// ticker reuse (Breaks), zero or negative prices, stablecoin depegs and OHLC
// inconsistencies. Rows that do not parse are reported too; only a problem
// with a whole file (a missing column, a corrupt stream) is an error.
// opt.DropBadRows is ignored: Check reads every row it can.
func Check(opt Options, paths ...string) (*Report, error) {
	d := &Data{}
	s := &sink{mode: raw, d: d}
	for _, path := range paths {
		if err := readFile(s, path, opt); err != nil {
			return nil, err
		}
	}
	r := CheckData(d)
	r.Files = slices.Clone(paths)
	return r, nil
}

// CheckData checks candles already read; d.Dropped become bad-row issues.
func CheckData(d *Data) *Report {
	r := &Report{Rows: len(d.Candles) + len(d.Dropped)}
	for _, e := range d.Dropped {
		r.Issues = append(r.Issues, Issue{Kind: KindBadRow, Severity: Error, Where: harness.Location{File: e.File, Line: e.Line}, Message: e.Error()})
	}
	order := make([]int, len(d.Candles))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(i, j int) int {
		a, b := &d.Candles[i], &d.Candles[j]
		return cmp.Or(strings.Compare(a.Token, b.Token), cmp.Compare(a.Date, b.Date))
	})
	loc := func(k int) harness.Location {
		if k < len(d.Where) {
			return d.Where[k]
		}
		return harness.Location{}
	}
	series := make([]harness.Candle, 0, 4096)
	for lo := 0; lo < len(order); {
		hi := lo
		for hi < len(order) && d.Candles[order[hi]].Token == d.Candles[order[lo]].Token {
			hi++
		}
		idx := order[lo:hi]
		series = series[:0]
		for _, k := range idx {
			series = append(series, d.Candles[k])
		}
		r.checkToken(series, func(i int) harness.Location { return loc(idx[i]) })
		lo = hi
	}
	r.calendarGaps(d.Candles)
	r.coverageCliffs(d.Candles)
	slices.SortStableFunc(r.Issues, func(a, b Issue) int {
		return cmp.Or(strings.Compare(a.Token, b.Token), cmp.Compare(a.From, b.From))
	})
	return r
}

// coverageCliffs reports each day, before the data's last day, on which at
// least CliffTokens tokens (and 1% of them) have their last candle: the end
// of a source's coverage, which a backtest would take for delistings.
func (r *Report) coverageCliffs(candles []harness.Candle) {
	last := map[string]harness.Date{}
	trading := map[harness.Date]int{}
	var end harness.Date
	for i := range candles {
		c := &candles[i]
		last[c.Token] = max(last[c.Token], c.Date)
		end = max(end, c.Date)
		trading[c.Date]++
	}
	ending := map[harness.Date][]string{}
	for tok, d := range last {
		if d < end {
			ending[d] = append(ending[d], tok)
		}
	}
	need := max(CliffTokens, len(last)/100)
	for d, toks := range ending {
		if len(toks) < need {
			continue
		}
		slices.Sort(toks)
		shown := toks[:min(len(toks), 8)]
		more := ""
		if len(toks) > len(shown) {
			more = fmt.Sprintf(" and %d more", len(toks)-len(shown))
		}
		r.Issues = append(r.Issues, Issue{Kind: KindCoverageCliff, Severity: Warning, From: d, To: d,
			Message: fmt.Sprintf("%d tokens have their last candle on %s (%s%s): a source's coverage end rather than delistings", len(toks), d, strings.Join(shown, ", "), more)})
		if 4*len(toks) >= trading[d] && (r.LastClean == 0 || d < r.LastClean) {
			r.LastClean = d
		}
	}
}

// calendarGaps reports each run of days, between the first and the last
// date of the data, on which no token has a candle: the panel's calendar
// skips them, and a source-wide outage is worth knowing about.
func (r *Report) calendarGaps(candles []harness.Candle) {
	dates := make([]harness.Date, len(candles))
	for i := range candles {
		dates[i] = candles[i].Date
	}
	slices.Sort(dates)
	dates = slices.Compact(dates)
	for i := 1; i < len(dates); i++ {
		if missing := int64(dates[i]) - int64(dates[i-1]) - 1; missing > 0 {
			from, to := dates[i-1]+1, dates[i]-1
			r.Issues = append(r.Issues, Issue{Kind: KindCalendarGap, Severity: Warning, From: from, To: to,
				Message: fmt.Sprintf("no token has a candle on %d days %s..%s", missing, from, to)})
		}
	}
}

// checkToken checks one token's candles, in date order.
func (r *Report) checkToken(s []harness.Candle, where func(i int) harness.Location) {
	tok := s[0].Token
	first := len(r.Issues)
	t := TokenReport{Token: tok, First: s[0].Date, Last: s[len(s)-1].Date, Rows: len(s)}
	add := func(kind string, sev Severity, from, to harness.Date, at harness.Location, format string, args ...any) {
		r.Issues = append(r.Issues, Issue{Token: tok, Kind: kind, Severity: sev, From: from, To: to, Where: at, Message: fmt.Sprintf(format, args...)})
	}
	for i := range s {
		c := &s[i]
		if math.IsNaN(c.Open) && math.IsNaN(c.High) && math.IsNaN(c.Low) {
			t.CloseOnly++
		}
		if i > 0 {
			switch missing := int(c.Date-s[i-1].Date) - 1; {
			case missing < 0:
				p := where(i - 1)
				add(KindDuplicate, Error, c.Date, c.Date, where(i), "duplicate %s %s (first at %s:%d)", tok, c.Date, p.File, p.Line)
			case missing > 0:
				t.Gaps++
				t.MissingDays += missing
				add(KindGap, Warning, s[i-1].Date+1, c.Date-1, harness.Location{}, "%d missing days %s..%s", missing, s[i-1].Date+1, c.Date-1)
			}
		}
		if _, err := harness.ValidateCandle(c); err != nil {
			add(KindBadValue, Error, c.Date, c.Date, where(i), "%v", err)
			continue
		}
		if msg := ohlcProblem(c); msg != "" {
			add(KindOHLC, Warning, c.Date, c.Date, where(i), "%s", msg)
		}
	}
	for _, b := range Breaks(s) {
		kind := KindRedenomination
		if b.Kind == Reuse {
			kind = KindReuse
		}
		add(kind, Warning, b.Before, b.After, harness.Location{}, "%s", b.String())
	}
	if IsUSDStablecoin(tok) {
		for i := 0; i < len(s); i++ {
			if !offPeg(s[i].Close) {
				continue
			}
			j, worst := i, s[i].Close
			for j+1 < len(s) && offPeg(s[j+1].Close) && s[j+1].Date == s[j].Date+1 {
				j++
				if math.Abs(s[j].Close-1) > math.Abs(worst-1) {
					worst = s[j].Close
				}
			}
			days := "on " + s[i].Date.String()
			if j > i {
				days = fmt.Sprintf("%s..%s (%d days)", s[i].Date, s[j].Date, j-i+1)
			}
			add(KindDepeg, Warning, s[i].Date, s[j].Date, harness.Location{}, "stablecoin off its peg %s: close %v (%.1f%% from 1)", days, worst, 100*math.Abs(worst-1))
			i = j
		}
	}
	for _, is := range r.Issues[first:] {
		if is.Severity == Error {
			t.Errors++
		} else {
			t.Warnings++
		}
	}
	r.Tokens = append(r.Tokens, t)
}

func offPeg(close float64) bool { return close > 0 && math.Abs(close-1) > DepegTolerance }

// ohlcProblem describes an inconsistent bar, or returns "".
func ohlcProblem(c *harness.Candle) string {
	have := [3]bool{!math.IsNaN(c.Open), !math.IsNaN(c.High), !math.IsNaN(c.Low)}
	if have != [3]bool{true, true, true} {
		if have != [3]bool{} {
			return fmt.Sprintf("partial bar: open %v, high %v, low %v", c.Open, c.High, c.Low)
		}
		return ""
	}
	switch {
	case c.High < c.Low:
		return fmt.Sprintf("high %v below low %v", c.High, c.Low)
	case c.High < max(c.Open, c.Close):
		return fmt.Sprintf("high %v below open %v or close %v", c.High, c.Open, c.Close)
	case c.Low > min(c.Open, c.Close):
		return fmt.Sprintf("low %v above open %v or close %v", c.Low, c.Open, c.Close)
	}
	return ""
}

// MarshalJSON writes dates as "YYYY-MM-DD" and leaves out empty fields.
func (i Issue) MarshalJSON() ([]byte, error) {
	type where struct {
		File string `json:"file"`
		Line int    `json:"line"`
	}
	v := struct {
		Token    string   `json:"token,omitempty"`
		Kind     string   `json:"kind"`
		Severity Severity `json:"severity"`
		From     string   `json:"from,omitempty"`
		To       string   `json:"to,omitempty"`
		Where    *where   `json:"where,omitempty"`
		Message  string   `json:"message"`
	}{Token: i.Token, Kind: i.Kind, Severity: i.Severity, Message: i.Message}
	if i.Token != "" || i.Kind == KindCalendarGap || i.Kind == KindCoverageCliff {
		v.From, v.To = i.From.String(), i.To.String()
	}
	if i.Where.File != "" {
		v.Where = &where{i.Where.File, i.Where.Line}
	}
	return json.Marshal(v)
}

// MarshalJSON writes dates as "YYYY-MM-DD".
func (t TokenReport) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Token       string `json:"token"`
		First       string `json:"first"`
		Last        string `json:"last"`
		Rows        int    `json:"rows"`
		CloseOnly   int    `json:"close_only"`
		Gaps        int    `json:"gaps"`
		MissingDays int    `json:"missing_days"`
		Warnings    int    `json:"warnings"`
		Errors      int    `json:"errors"`
	}{t.Token, t.First.String(), t.Last.String(), t.Rows, t.CloseOnly, t.Gaps, t.MissingDays, t.Warnings, t.Errors})
}

// MarshalJSON adds the error and warning counts.
func (r *Report) MarshalJSON() ([]byte, error) {
	tokens, issues := r.Tokens, r.Issues
	if tokens == nil {
		tokens = []TokenReport{}
	}
	if issues == nil {
		issues = []Issue{}
	}
	clean := ""
	if r.LastClean != 0 {
		clean = r.LastClean.String()
	}
	return json.Marshal(struct {
		Files     []string      `json:"files"`
		Rows      int           `json:"rows"`
		Errors    int           `json:"errors"`
		Warnings  int           `json:"warnings"`
		LastClean string        `json:"last_clean_day,omitempty"`
		Tokens    []TokenReport `json:"tokens"`
		Issues    []Issue       `json:"issues"`
	}{r.Files, r.Rows, r.Errors(), r.Warnings(), clean, tokens, issues})
}
