package fetch

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"gem/dataio"
	"gem/harness"
)

// BinanceURL is the public Binance spot REST API.
const BinanceURL = "https://api.binance.com"

// binancePage is the most klines /api/v3/klines returns at once.
const binancePage = 1000

const msPerDay = 86_400_000

// Binance fetches daily spot klines from the public /api/v3/klines
// endpoint, 1000 candles a request.
type Binance struct {
	// BaseURL is the API's address; empty means BinanceURL.
	BaseURL string
	Client  Client
	// Now is the current time; nil means time.Now. A kline whose close
	// time is not yet past is still forming and is dropped.
	Now func() time.Time
}

// Klines returns symbol's daily candles that open in [from, to], named by
// dataio.TokenFromSymbol (BTCUSDT is BTC; a pair not quoted in a USD
// stablecoin keeps its symbol as the name).
func (b *Binance) Klines(ctx context.Context, symbol string, from, to harness.Date) ([]harness.Candle, error) {
	if symbol == "" || strings.IndexFunc(symbol, func(r rune) bool { return !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') }) >= 0 {
		return nil, fmt.Errorf("binance: bad symbol %q (want upper-case letters and digits, like BTCUSDT)", symbol)
	}
	token, _ := dataio.TokenFromSymbol(symbol)
	base := strings.TrimRight(cmp.Or(b.BaseURL, BinanceURL), "/")
	now := time.Now
	if b.Now != nil {
		now = b.Now
	}
	start, end := int64(from)*msPerDay, (int64(to)+1)*msPerDay-1
	var out []harness.Candle
	for start <= end {
		q := url.Values{}
		q.Set("symbol", symbol)
		q.Set("interval", "1d")
		q.Set("startTime", strconv.FormatInt(start, 10))
		q.Set("endTime", strconv.FormatInt(end, 10))
		q.Set("limit", strconv.Itoa(binancePage))
		u := base + "/api/v3/klines?" + q.Encode()
		var page [][]json.RawMessage
		if err := b.Client.getJSON(ctx, u, &page); err != nil {
			return out, fmt.Errorf("binance: %s: %w", symbol, err)
		}
		if len(page) == 0 {
			break
		}
		nowMs := now().UnixMilli()
		last := int64(-1)
		for i, k := range page {
			c, openTime, closeTime, err := parseKline(k, token)
			if err != nil {
				return out, fmt.Errorf("binance: %s: %s: kline %d: %w", symbol, u, i, err)
			}
			if openTime < start || openTime <= last {
				return out, fmt.Errorf("binance: %s: %s: kline %d opens at %d, out of order", symbol, u, i, openTime)
			}
			last = openTime
			if openTime > end {
				break
			}
			if closeTime >= nowMs {
				break // still forming: only the last kline can be
			}
			out = append(out, c)
		}
		if len(page) < binancePage {
			break
		}
		start = last + msPerDay
	}
	return out, nil
}

// keepRange parses a kline's values with the harness's syntax; their range
// is checked with the whole candle.
var keepRange = harness.CSVReader{KeepOutOfRange: true}

// parseKline converts one kline array:
//
//	[open_time, "open", "high", "low", "close", "volume", close_time, "quote_volume", trades, "taker_base", "taker_quote", "ignore"]
func parseKline(k []json.RawMessage, token string) (c harness.Candle, openTime, closeTime int64, err error) {
	if len(k) < 7 {
		return c, 0, 0, fmt.Errorf("%d fields, want 12", len(k))
	}
	if openTime, err = strconv.ParseInt(string(k[0]), 10, 64); err != nil {
		return c, 0, 0, fmt.Errorf("open time %s is not an integer", k[0])
	}
	if closeTime, err = strconv.ParseInt(string(k[6]), 10, 64); err != nil {
		return c, 0, 0, fmt.Errorf("close time %s is not an integer", k[6])
	}
	if openTime < 0 || openTime >= 1e14 {
		return c, 0, 0, fmt.Errorf("open time %d is not in milliseconds since 1970", openTime)
	}
	if openTime%msPerDay != 0 {
		return c, 0, 0, fmt.Errorf("open time %d is not a UTC midnight", openTime)
	}
	c = harness.Candle{Token: token, Date: harness.Date(openTime / msPerDay)}
	for j, p := range [5]*float64{&c.Open, &c.High, &c.Low, &c.Close, &c.Volume} {
		var s string
		if err := json.Unmarshal(k[j+1], &s); err != nil {
			return c, 0, 0, fmt.Errorf("field %d is %s, want a quoted number", j+1, k[j+1])
		}
		v, err := keepRange.ParseValue(j, s) // the long CSV's decimal syntax
		if err != nil {
			return c, 0, 0, fmt.Errorf("field %d is %s, want a number", j+1, harness.QuoteField(s))
		}
		*p = v
	}
	if _, err := harness.ValidateCandle(&c); err != nil {
		return c, 0, 0, err
	}
	return c, openTime, closeTime, nil
}
