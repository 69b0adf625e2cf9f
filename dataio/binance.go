package dataio

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"

	"gem/harness"
)

// readBinance reads a Binance kline CSV of one symbol, as published on
// data.binance.vision or returned by /api/v3/klines:
//
//	open_time,open,high,low,close,volume,close_time,quote_volume,count,taker_buy_volume,taker_buy_quote_volume,ignore
//
// with or without that header line. Only the first six columns are used, so
// shorter exports with the same first six columns load too. open_time is
// in milliseconds (dumps before 2025) or microseconds (spot dumps from 2025)
// since 1970 and must be a UTC midnight: only daily klines are accepted.
func readBinance(r io.Reader, path, token string, s *sink) error {
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	lr := harness.CSVReader{KeepOutOfRange: s.mode == raw} // for ParseValue: the harness's rules for a value
	first, rows := true, 0
	var line int
	column := func(field int) int { // the token (-2) has no column: it is the file's
		if field < -1 {
			return 0
		}
		_, c := cr.FieldPos(field + 1)
		return c
	}
	if err := harness.CheckToken(token); err != nil {
		return &harness.ParseError{File: path, Err: err}
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			if !errors.Is(err, csv.ErrFieldCount) {
				return harness.CSVError(path, err)
			}
			rows++
			if err := s.bad(harness.CSVError(path, err)); err != nil {
				return err
			}
			continue
		}
		line, _ = cr.FieldPos(0)
		if first {
			first = false
			if len(rec) < 6 {
				return &harness.ParseError{File: path, Line: line, Err: fmt.Errorf("%d columns, want the 12 of a Binance kline (at least open_time,open,high,low,close,volume)", len(rec))}
			}
			if _, err := strconv.ParseInt(strings.TrimSpace(strings.TrimPrefix(rec[0], "\ufeff")), 10, 64); err != nil {
				continue // a header line
			}
		}
		rows++
		at := harness.Location{File: path, Line: line}
		c := harness.Candle{Token: token}
		ot, err := strconv.ParseInt(strings.TrimSpace(rec[0]), 10, 64)
		if err != nil {
			if err := s.bad(&harness.ParseError{File: path, Line: line, Column: 1, Err: fmt.Errorf("open_time is not an integer: %s", harness.QuoteField(rec[0]))}); err != nil {
				return err
			}
			continue
		}
		if c.Date, err = klineDate(ot); err != nil {
			if err := s.bad(&harness.ParseError{File: path, Line: line, Column: 1, Err: err}); err != nil {
				return err
			}
			continue
		}
		bad := false
		for k, p := range [5]*float64{&c.Open, &c.High, &c.Low, &c.Close, &c.Volume} {
			v, err := lr.ParseValue(k, rec[k+1])
			if err != nil {
				if err := s.bad(&harness.ParseError{File: path, Line: line, Column: column(k), Err: err}); err != nil {
					return err
				}
				bad = true
				break
			}
			*p = v
		}
		if bad {
			continue
		}
		if err := s.add(c, at, column); err != nil {
			return err
		}
	}
	if first {
		return &harness.ParseError{File: path, Err: errors.New("empty file (want Binance kline rows open_time,open,high,low,close,volume,...)")}
	}
	if rows == 0 {
		return &harness.ParseError{File: path, Line: 1, Err: errors.New("no data rows after the header")}
	}
	return nil
}

const (
	msPerDay = 86_400_000
	usPerDay = 86_400_000_000
)

// klineDate converts a kline open time in milliseconds or microseconds
// since 1970 (told apart by size: microseconds from 1e14, which is 1973 in
// milliseconds) to its date. It must be a UTC midnight.
func klineDate(t int64) (harness.Date, error) {
	var perDay int64
	switch {
	case t >= 1e11 && t < 1e14:
		perDay = msPerDay
	case t >= 1e14 && t < 1e17:
		perDay = usPerDay
	default:
		return 0, fmt.Errorf("open_time %d is not in milliseconds or microseconds since 1970", t)
	}
	if t%perDay != 0 {
		return 0, fmt.Errorf("open_time %d is not a UTC midnight: not a daily kline", t)
	}
	return harness.Date(t / perDay), nil
}

// usdQuotes are the quote assets whose pairs gem reads as USD prices,
// longest first among those that share a suffix.
var usdQuotes = []string{"FDUSD", "USDT", "USDC", "BUSD", "TUSD", "USDP"}

// TokenFromSymbol returns the base asset of a Binance symbol quoted in a
// USD stablecoin (BTCUSDT is BTC, 1000SHIBUSDT is 1000SHIB, USDCUSDT is
// USDC), and false with the symbol unchanged for any other quote.
func TokenFromSymbol(symbol string) (string, bool) {
	for _, q := range usdQuotes {
		if len(symbol) > len(q) && strings.HasSuffix(symbol, q) {
			return symbol[:len(symbol)-len(q)], true
		}
	}
	return symbol, false
}

// tokenFromFileName takes the token from a Binance dump's file name:
// BTCUSDT-1d-2024-01.csv, BTCUSDT_1d.csv.gz and BTCUSDT.zip all hold BTC.
func tokenFromFileName(path string) (string, error) {
	base := filepath.Base(path)
	name := base
	for {
		ext := strings.ToLower(filepath.Ext(name))
		if ext != ".gz" && ext != ".zip" && ext != ".csv" && ext != ".txt" {
			break
		}
		name = strings.TrimSuffix(name, filepath.Ext(name))
	}
	symbol, _, _ := strings.Cut(name, "-")
	symbol, _, _ = strings.Cut(symbol, "_")
	symbol = strings.ToUpper(symbol)
	token, ok := TokenFromSymbol(symbol)
	if !ok || strings.IndexFunc(symbol, func(r rune) bool { return !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') }) >= 0 {
		return "", fmt.Errorf("cannot tell the token from the file name %s (want SYMBOL-1d-....csv with a USD-stablecoin quote, such as BTCUSDT-1d-2024-01.csv); name it with --token", harness.QuoteField(base))
	}
	return token, nil
}
