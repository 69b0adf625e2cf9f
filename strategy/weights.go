package strategy

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"gem/harness"
	"gem/space"
)

// MaxBookRows bounds the rows of a weights file: a target for each of a
// thousand tokens on every day of eleven years.
const MaxBookRows = 4 << 20

// Book is an externally computed target book: signed weights by date,
// replayed through the harness by the Weights strategy.
type Book struct {
	Dates   []harness.Date // increasing
	Targets [][]BookTarget // Targets[k] is the book of Dates[k], in file order
	Hash    string         // a short hash of the contents
}

// BookTarget is one token's weight in a book.
type BookTarget struct {
	Token  string
	Weight float64
}

// LoadBook reads a weights file (plain or gzip, bounded as candle files are).
func LoadBook(path string) (*Book, error) {
	r, _, closeFile, err := harness.OpenCSV(path)
	if err != nil {
		return nil, err
	}
	defer closeFile()
	return ReadBook(r, path)
}

// ReadBook reads the weights CSV
//
//	date,token,weight
//
// (columns in any order): the book of each date is its rows, weights signed
// strict decimals of magnitude at most harness.MaxGross; a date whose
// weights are all 0 is all cash. Rows may come in any order; a second row of
// a date and token, a malformed field, more than MaxBookRows rows or none is
// a *harness.ParseError naming the file and line.
func ReadBook(r io.Reader, path string) (*Book, error) {
	rd := csv.NewReader(r)
	rd.ReuseRecord = true
	col, err := harness.ReadHeader(rd, path, []string{"date", "token", "weight"}, nil)
	if err != nil {
		return nil, err
	}
	type key struct {
		date  harness.Date
		token string
	}
	seen := make(map[key]int)
	byDate := make(map[harness.Date][]BookTarget)
	for rows := 0; ; rows++ {
		rec, err := rd.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, harness.CSVError(path, err)
		}
		line, _ := rd.FieldPos(0)
		bad := func(field int, err error) error {
			_, c := rd.FieldPos(field)
			return &harness.ParseError{File: path, Line: line, Column: c, Err: err}
		}
		if rows >= MaxBookRows {
			return nil, bad(0, fmt.Errorf("more than %d rows", MaxBookRows))
		}
		d, err := harness.ParseDate(strings.TrimSpace(rec[col[0]]))
		if err != nil {
			return nil, bad(col[0], err)
		}
		tok := strings.TrimSpace(rec[col[1]])
		if err := harness.CheckToken(tok); err != nil {
			return nil, bad(col[1], err)
		}
		ws := strings.TrimSpace(rec[col[2]])
		w, err := strconv.ParseFloat(ws, 64)
		if err != nil || !harness.IsDecimal(ws) || !(math.Abs(w) <= harness.MaxGross) {
			return nil, bad(col[2], fmt.Errorf("bad weight %s (want a decimal of magnitude at most %g)", harness.QuoteField(ws), float64(harness.MaxGross)))
		}
		k := key{d, tok}
		if first, ok := seen[k]; ok {
			return nil, bad(col[1], fmt.Errorf("duplicate weight of %s on %s (first at line %d)", tok, d, first))
		}
		tok = strings.Clone(tok)
		seen[key{d, tok}] = line
		byDate[d] = append(byDate[d], BookTarget{tok, w})
	}
	if len(byDate) == 0 {
		return nil, &harness.ParseError{File: path, Line: 1, Err: errors.New("no data rows after the header")}
	}
	b := &Book{}
	for d := range byDate {
		b.Dates = append(b.Dates, d)
	}
	slices.Sort(b.Dates)
	h := sha256.New()
	var buf [8]byte
	for _, d := range b.Dates {
		b.Targets = append(b.Targets, byDate[d])
		binary.LittleEndian.PutUint64(buf[:], uint64(d))
		h.Write(buf[:])
		for _, t := range byDate[d] {
			h.Write([]byte(t.Token))
			binary.LittleEndian.PutUint64(buf[:], math.Float64bits(t.Weight))
			h.Write(buf[:])
		}
	}
	b.Hash = hex.EncodeToString(h.Sum(nil))[:16]
	return b, nil
}

// Check refuses a book that cannot replay on p: a token the panel lacks, or
// a date outside its calendar.
func (b *Book) Check(p *harness.Panel) error {
	for k, d := range b.Dates {
		if _, ok := slices.BinarySearch(p.Dates, d); !ok {
			return fmt.Errorf("weights: %s is not a day of the data (%s..%s)", d, p.Dates[0], p.Dates[len(p.Dates)-1])
		}
		for _, t := range b.Targets[k] {
			if p.TokenIndex(t.Token) < 0 {
				return fmt.Errorf("weights: token %s on %s is not in the data", t.Token, d)
			}
		}
	}
	return nil
}

// Weights replays a Book: on each day of the book it rebalances to that
// day's weights, traded on that day (at its open with causal fills, at its
// close with reference fills), and holds on other days. Before the book's
// first day it is all cash.
type Weights struct {
	book *Book
	next int // the index of the next book date
}

// Decide implements harness.Strategy.
func (w *Weights) Decide(v *harness.View, a *harness.Account, dst []harness.Target) ([]harness.Target, bool) {
	if w.book == nil {
		return dst[:0], false
	}
	day := a.Date()
	for w.next < len(w.book.Dates) && w.book.Dates[w.next] < day {
		w.next++
	}
	if w.next == len(w.book.Dates) || w.book.Dates[w.next] != day {
		return dst[:0], false
	}
	dst = dst[:0]
	for _, t := range w.book.Targets[w.next] {
		if i := v.TokenIndex(t.Token); i >= 0 && t.Weight != 0 {
			dst = append(dst, harness.Target{Token: i, Weight: t.Weight})
		}
	}
	w.next++
	return dst, true
}

// WeightsConfig is the Weights strategy of a Book; it has no parameters, and
// a configuration without a book holds all cash.
type WeightsConfig struct{ Book *Book }

func (c *WeightsConfig) Name() string        { return "weights" }
func (c *WeightsConfig) Params() any         { return &struct{}{} }
func (c *WeightsConfig) Validate() error     { return nil }
func (c *WeightsConfig) Space() *space.Space { return benchmarkSpace() }
func (c *WeightsConfig) Clone() Config       { d := *c; return &d }
func (c *WeightsConfig) New(*Cache) harness.Strategy {
	return &Weights{book: c.Book}
}
