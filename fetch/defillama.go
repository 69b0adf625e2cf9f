package fetch

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"

	"gem/harness"
)

// DefiLlamaURL is DefiLlama's public coin price API.
const DefiLlamaURL = "https://coins.llama.fi"

// defiLlamaPage is the most daily points asked for in one chart request.
const defiLlamaPage = 500

const secPerDay = 86_400

// DefiLlama fetches daily prices from DefiLlama's price chart endpoint,
// /chart/{coin}?start=...&span=...&period=1d. It gives one price per day,
// so its candles are close-only: open, high, low and volume are NaN.
type DefiLlama struct {
	// BaseURL is the API's address; empty means DefiLlamaURL.
	BaseURL string
	Client  Client
	// Now is the current time; nil means time.Now. A day that has not
	// ended yet has no close and is dropped.
	Now func() time.Time
	// SearchWidth is how far from each midnight, in seconds, DefiLlama may
	// look for a price; zero means 600.
	SearchWidth int
}

// chartResponse is the body of /chart/{coins}.
type chartResponse struct {
	Coins map[string]struct {
		Symbol     string       `json:"symbol"`
		Confidence *json.Number `json:"confidence"`
		Prices     []chartPoint `json:"prices"`
	} `json:"coins"`
}

type chartPoint struct {
	Timestamp json.Number `json:"timestamp"` // seconds since 1970
	Price     json.Number `json:"price"`
}

// dailyCloses holds, per day, the price nearest the midnight that ends it.
type dailyCloses map[harness.Date]closeAt

type closeAt struct {
	dist  int64 // seconds from that midnight
	price float64
}

// add takes the points that close a day in [from, to] that ended by now.
func (m dailyCloses) add(points []chartPoint, from, to harness.Date, now int64) error {
	for i, p := range points {
		ts, err1 := p.Timestamp.Int64()
		price, err2 := p.Price.Float64()
		if err1 != nil || err2 != nil {
			return fmt.Errorf("price %d: timestamp %q, price %q", i, p.Timestamp, p.Price)
		}
		if !(price > 0) || math.IsInf(price, 0) || price > 1e15 {
			return fmt.Errorf("price %d is %v at %d", i, price, ts)
		}
		if ts < 0 || ts > now {
			continue
		}
		midnight := (ts + secPerDay/2) / secPerDay // the nearest
		day := midnight - 1
		if midnight*secPerDay > now || day < int64(from) || day > int64(to) {
			continue
		}
		dist := ts - midnight*secPerDay
		if dist < 0 {
			dist = -dist
		}
		if q, ok := m[harness.Date(day)]; !ok || dist < q.dist {
			m[harness.Date(day)] = closeAt{dist, price}
		}
	}
	return nil
}

// Chart returns the daily closes of coin (chain:address or
// coingecko:id) for the days in [from, to], and the coin's symbol. A price
// stamped at time T is the close of the UTC day that ends at the midnight
// nearest T; of two prices for one day the one nearer midnight wins.
func (d *DefiLlama) Chart(ctx context.Context, coin string, from, to harness.Date) (symbol string, candles []harness.Candle, err error) {
	if coin == "" || strings.IndexFunc(coin, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune(":-_.", r))
	}) >= 0 || !strings.Contains(coin, ":") {
		return "", nil, fmt.Errorf("defillama: bad coin %q (want chain:address or coingecko:id)", coin)
	}
	base := strings.TrimRight(cmp.Or(d.BaseURL, DefiLlamaURL), "/")
	now := time.Now
	if d.Now != nil {
		now = d.Now
	}
	width := d.SearchWidth
	if width <= 0 {
		width = 600
	}
	byDay := dailyCloses{}
	// The close of day t is the price at midnight t+1.
	for day := from; day <= to; day += defiLlamaPage {
		span := min(int64(to-day)+1, defiLlamaPage)
		startSec := (int64(day) + 1) * secPerDay
		if startSec > now().Unix() {
			break
		}
		q := url.Values{}
		q.Set("start", strconv.FormatInt(startSec, 10))
		q.Set("span", strconv.FormatInt(span, 10))
		q.Set("period", "1d")
		q.Set("searchWidth", strconv.Itoa(width))
		u := base + "/chart/" + coin + "?" + q.Encode()
		var resp chartResponse
		if err := d.Client.getJSON(ctx, u, &resp); err != nil {
			return symbol, nil, fmt.Errorf("defillama: %s: %w", coin, err)
		}
		if resp.Coins == nil {
			return symbol, nil, fmt.Errorf("defillama: %s: %s: no \"coins\" object in the answer", coin, u)
		}
		c, ok := resp.Coins[coin]
		if !ok {
			continue // no prices in this window
		}
		if c.Symbol != "" {
			symbol = c.Symbol
		}
		if err := byDay.add(c.Prices, from, to, now().Unix()); err != nil {
			return symbol, nil, fmt.Errorf("defillama: %s: %s: %w", coin, u, err)
		}
	}
	if len(byDay) == 0 {
		return symbol, nil, fmt.Errorf("defillama: %s: no prices from %s to %s (unknown coin?)", coin, from, to)
	}
	token := strings.ToUpper(symbol)
	if token == "" {
		_, token, _ = strings.Cut(coin, ":")
		token = strings.ToUpper(token)
	}
	nan := math.NaN()
	for day, p := range byDay {
		candles = append(candles, harness.Candle{Token: token, Date: day, Open: nan, High: nan, Low: nan, Close: p.price, Volume: nan})
	}
	sortCandles(candles)
	return symbol, candles, nil
}
