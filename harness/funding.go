package harness

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// fundingColumns are the columns of the funding CSV.
var fundingColumns = [...]string{"token", "time", "funding_rate"}

// MaxFundingRate bounds the magnitude of one settlement's rate: Binance caps
// funding at a few percent per interval, so a rate of 100% or more is a
// corrupt row.
const MaxFundingRate = 1.0

// LoadFunding reads a funding CSV (plain or gzip, bounded as candle files
// are):
//
//	token,time,funding_rate
//
// with its columns in any order, time an RFC 3339 UTC instant
// (2022-03-01T08:00:00Z) dated within [MinDate, MaxDate], and the rate a
// strict decimal (as the candles' numbers) below MaxFundingRate in
// magnitude. Rows may come in any order; a second row of a token and time,
// a malformed field or a file without rows is a *ParseError naming the file
// and line.
func LoadFunding(path string) (*Funding, error) {
	r, _, closeFile, err := OpenCSV(path)
	if err != nil {
		return nil, err
	}
	defer closeFile()
	return ReadFunding(r, path)
}

// ReadFunding reads a funding CSV from r as LoadFunding does; path names the
// source in errors.
func ReadFunding(r io.Reader, path string) (*Funding, error) {
	rd := csv.NewReader(r)
	rd.ReuseRecord = true
	column, err := ReadHeader(rd, path, fundingColumns[:], nil)
	if err != nil {
		return nil, err
	}
	type row struct {
		time int64
		rate float64
		line int
	}
	byToken := make(map[string][]row)
	lo, hi := int64(MinDate)*86400, (int64(MaxDate)+1)*86400
	for {
		rec, err := rd.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, CSVError(path, err)
		}
		line, _ := rd.FieldPos(0)
		bad := func(field int, err error) error {
			_, col := rd.FieldPos(field)
			return &ParseError{File: path, Line: line, Column: col, Err: err}
		}
		tok := strings.TrimSpace(rec[column[0]])
		if err := CheckToken(tok); err != nil {
			return nil, bad(column[0], err)
		}
		ts := strings.TrimSpace(rec[column[1]])
		t, err := time.Parse(time.RFC3339, ts)
		if err != nil || !strings.HasSuffix(ts, "Z") {
			return nil, bad(column[1], fmt.Errorf("bad time %s (want UTC RFC 3339, 2022-03-01T08:00:00Z)", QuoteField(ts)))
		}
		sec := t.Unix()
		if sec < lo || sec >= hi {
			return nil, bad(column[1], fmt.Errorf("time %s is outside %s..%s", QuoteField(ts), MinDate, MaxDate))
		}
		rs := strings.TrimSpace(rec[column[2]])
		rate, err := strconv.ParseFloat(rs, 64)
		if !IsDecimal(rs) || err != nil || !(math.Abs(rate) < MaxFundingRate) {
			return nil, bad(column[2], fmt.Errorf("bad funding rate %s (want a decimal of magnitude below %g)", QuoteField(rs), MaxFundingRate))
		}
		rows, ok := byToken[tok]
		if !ok {
			tok = strings.Clone(tok)
		}
		byToken[tok] = append(rows, row{sec, rate, line})
	}
	if len(byToken) == 0 {
		return nil, &ParseError{File: path, Line: 1, Err: errors.New("no data rows after the header")}
	}
	f := &Funding{Series: make([]FundingSeries, 0, len(byToken))}
	for tok, rows := range byToken {
		slices.SortStableFunc(rows, func(a, b row) int { return int(min(max(a.time-b.time, -1), 1)) })
		s := FundingSeries{Token: tok, Time: make([]int64, len(rows)), Rate: make([]float64, len(rows))}
		for k, r := range rows {
			if k > 0 && r.time == rows[k-1].time {
				return nil, &ParseError{File: path, Line: max(r.line, rows[k-1].line), Err: fmt.Errorf("duplicate funding %s %s (first at line %d)", tok, time.Unix(r.time, 0).UTC().Format(time.RFC3339), min(r.line, rows[k-1].line))}
			}
			s.Time[k], s.Rate[k] = r.time, r.rate
		}
		f.Series = append(f.Series, s)
	}
	slices.SortFunc(f.Series, func(a, b FundingSeries) int { return strings.Compare(a.Token, b.Token) })
	return f, nil
}
