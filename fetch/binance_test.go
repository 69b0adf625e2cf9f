package fetch

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"gem/harness"
)

func day(s string) harness.Date {
	d, err := harness.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// now is the fake current time: noon of 2025-11-05, so the kline of that
// day is still forming.
var now = time.Date(2025, 11, 5, 12, 0, 0, 0, time.UTC)

func newBinance(srv string, s *sleeper) *Binance {
	return &Binance{BaseURL: srv, Now: func() time.Time { return now }, Client: Client{Sleep: s.sleep}}
}

// TestBinanceKlines: 2500 days come in three pages of at most 1000, each
// starting the day after the last; the forming kline of today is dropped;
// every value is the server's.
func TestBinanceKlines(t *testing.T) {
	first := day("2019-01-01")
	api, srv := newFakeAPI(t, now, map[string]harness.Date{"BTCUSDT": first})
	b := newBinance(srv.URL, &sleeper{})
	got, err := b.Klines(context.Background(), "BTCUSDT", first, day("2025-11-05"))
	if err != nil {
		t.Fatal(err)
	}
	wantDays := int(day("2025-11-05") - first) // today excluded
	if len(got) != wantDays {
		t.Fatalf("got %d candles, want %d", len(got), wantDays)
	}
	for i, c := range got {
		d := first + harness.Date(i)
		if c.Token != "BTC" || c.Date != d || c.Close != price(d) || c.High < c.Close || c.Low > c.Open || c.Volume != 1000+price(d) {
			t.Fatalf("candle %d: got %+v, want BTC %s close %v", i, c, d, price(d))
		}
	}
	if api.count() != 3 {
		t.Errorf("got %d requests, want 3", api.count())
	}
	var starts []string
	for _, u := range api.requests {
		ms, _ := strconv.ParseInt(u.Query().Get("startTime"), 10, 64)
		starts = append(starts, harness.Date(ms/msPerDay).String())
		if u.Query().Get("limit") != "1000" {
			t.Errorf("limit %s, want 1000", u.Query().Get("limit"))
		}
	}
	if got, want := strings.Join(starts, " "), "2019-01-01 2021-09-27 2024-06-23"; got != want {
		t.Errorf("pages start %s, want %s", got, want)
	}
}

// TestBinanceRetries: rate limits, server errors, a connection cut mid-body
// and a truncated JSON body are retried; Retry-After is honoured, otherwise
// the backoff doubles.
func TestBinanceRetries(t *testing.T) {
	api, srv := newFakeAPI(t, now, map[string]harness.Date{"ETHUSDT": day("2025-10-01")})
	api.script(
		fault{status: 429, retryAfter: "7"},
		fault{status: 503, body: "<html>Service Unavailable</html>"},
		fault{cut: true},
		fault{status: 200, body: `[[1759276800000,"100.0","101.0"`},
		fault{status: 418, retryAfter: "30", body: `{"code":-1003,"msg":"Way too much request weight used; IP banned until 1759276800000."}`},
	)
	s := &sleeper{}
	got, err := newBinance(srv.URL, s).Klines(context.Background(), "ETHUSDT", day("2025-10-01"), day("2025-10-31"))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 31 || got[0].Token != "ETH" {
		t.Errorf("got %d candles of %s, want 31 of ETH", len(got), got[0].Token)
	}
	if got, want := s.String(), "[7s 1s 2s 4s 30s]"; got != want {
		t.Errorf("waited %s, want %s", got, want)
	}
	if api.count() != 6 {
		t.Errorf("got %d requests, want 6", api.count())
	}
}

func TestBinanceErrors(t *testing.T) {
	listed := map[string]harness.Date{"BTCUSDT": day("2025-01-01")}
	tests := []struct {
		name     string
		symbol   string
		client   Client
		faults   []fault
		want     string // substring of the error
		requests int
	}{
		{"invalid symbol", "NOPEUSDT", Client{}, nil, "Invalid symbol", 1},
		{"lower-case symbol", "btcusdt", Client{}, nil, "bad symbol", 0},
		{"persistent 500", "BTCUSDT", Client{Retries: 2}, []fault{{status: 500}, {status: 500}, {status: 500}}, "gave up after 3 attempts", 3},
		{"Retry-After too long", "BTCUSDT", Client{}, []fault{{status: 429, retryAfter: "3600"}}, "asks to wait 1h0m0s", 1},
		{"no retries", "BTCUSDT", Client{Retries: -1}, []fault{{status: 502}}, "HTTP 502", 1},
		{"bad price", "BTCUSDT", Client{}, []fault{{status: 200, body: `[[1735689600000,"abc","1","1","1","1",1735775999999,"0",0,"0","0","0"]]`}}, `field 1 is "abc"`, 1},
		{"zero close", "BTCUSDT", Client{}, []fault{{status: 200, body: `[[1735689600000,"1","1","1","0","1",1735775999999,"0",0,"0","0","0"]]`}}, "close is 0", 1},
		{"not midnight", "BTCUSDT", Client{}, []fault{{status: 200, body: `[[1735693200000,"1","1","1","1","1",1735775999999,"0",0,"0","0","0"]]`}}, "not a UTC midnight", 1},
		{"short kline", "BTCUSDT", Client{}, []fault{{status: 200, body: `[[1735689600000,"1","1"]]`}}, "3 fields", 1},
		{"not an array", "BTCUSDT", Client{}, []fault{{status: 200, body: `{"code":0}`}}, "unexpected JSON", 1},
		{"out of order", "BTCUSDT", Client{}, []fault{{status: 200, body: `[[1735776000000,"1","1","1","1","1",1735862399999,"0",0,"0","0","0"],[1735689600000,"1","1","1","1","1",1735775999999,"0",0,"0","0","0"]]`}}, "out of order", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api, srv := newFakeAPI(t, now, listed)
			api.script(tt.faults...)
			s := &sleeper{}
			tt.client.Sleep = s.sleep
			b := &Binance{BaseURL: srv.URL, Client: tt.client, Now: func() time.Time { return now }}
			_, err := b.Klines(context.Background(), tt.symbol, day("2025-01-01"), day("2025-01-31"))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error containing %q", err, tt.want)
			}
			if api.count() != tt.requests {
				t.Errorf("got %d requests, want %d", api.count(), tt.requests)
			}
		})
	}
}

// TestCancel: cancelling stops a fetch waiting to retry.
func TestCancel(t *testing.T) {
	api, srv := newFakeAPI(t, now, map[string]harness.Date{"BTCUSDT": day("2025-01-01")})
	api.script(fault{status: 429, retryAfter: "5"})
	ctx, cancel := context.WithCancel(context.Background())
	b := &Binance{BaseURL: srv.URL, Now: func() time.Time { return now }, Client: Client{Sleep: func(ctx context.Context, d time.Duration) error {
		cancel()
		<-ctx.Done()
		return ctx.Err()
	}}}
	_, err := b.Klines(ctx, "BTCUSDT", day("2025-01-01"), day("2025-01-31"))
	if !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want context.Canceled", err)
	}
}

func TestRetryAfter(t *testing.T) {
	at := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		h    string
		want time.Duration
	}{
		{"", 0},
		{"12", 12 * time.Second},
		{"-3", 0},
		{"soon", 0},
		{"Wed, 01 Jan 2025 00:01:30 GMT", 90 * time.Second},
		{"Tue, 31 Dec 2024 23:00:00 GMT", 0},
	}
	for _, tt := range tests {
		if got := retryAfter(tt.h, at); got != tt.want {
			t.Errorf("retryAfter(%q) = %v, want %v", tt.h, got, tt.want)
		}
	}
}
