package fetch

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"gem/harness"
)

const aero = "coingecko:aerodrome-finance"

func newDefiLlama(srv string, s *sleeper) *DefiLlama {
	return &DefiLlama{BaseURL: srv, Now: func() time.Time { return now }, Client: Client{Sleep: s.sleep}}
}

// TestDefiLlamaChart: prices stamped near midnight become the closes of the
// days they end, close-only; 800 days take two requests of at most 500
// points; days before the listing have no candle; today is not over and has
// none.
func TestDefiLlamaChart(t *testing.T) {
	listed := day("2023-08-28")
	api, srv := newFakeAPI(t, now, map[string]harness.Date{aero: listed})
	from := day("2023-08-01")
	symbol, got, err := newDefiLlama(srv.URL, &sleeper{}).Chart(context.Background(), aero, from, day("2025-11-05"))
	if err != nil {
		t.Fatal(err)
	}
	if symbol != "aero" {
		t.Errorf("symbol %q, want aero", symbol)
	}
	last := day("2025-11-04") // the day that ended at the last midnight
	if want := int(last-listed) + 1; len(got) != want {
		t.Fatalf("got %d candles, want %d", len(got), want)
	}
	for i, c := range got {
		d := listed + harness.Date(i)
		if c.Token != "AERO" || c.Date != d || c.Close != price(d) || !math.IsNaN(c.Open) || !math.IsNaN(c.Volume) {
			t.Fatalf("candle %d: got %+v, want a close-only AERO %s at %v", i, c, d, price(d))
		}
	}
	if api.count() != 2 {
		t.Errorf("got %d requests, want 2", api.count())
	}
	for _, u := range api.requests {
		if !strings.HasPrefix(u.Path, "/chart/"+aero) || u.Query().Get("searchWidth") != "600" {
			t.Errorf("request %s", u)
		}
	}
}

func TestDefiLlamaErrors(t *testing.T) {
	tests := []struct {
		name   string
		coin   string
		faults []fault
		want   string
	}{
		{"unknown coin", "coingecko:no-such-coin", nil, "no prices"},
		{"bad coin", "aerodrome finance", nil, "bad coin"},
		{"no coins object", aero, []fault{{status: 200, body: `{"error":"oops"}`}}, `no "coins" object`},
		{"negative price", aero, []fault{{status: 200, body: `{"coins":{"` + aero + `":{"symbol":"AERO","prices":[{"timestamp":1730764800,"price":-1}]}}}`}}, "price 0 is -1"},
		{"string price", aero, []fault{{status: 200, body: `{"coins":{"` + aero + `":{"symbol":"AERO","prices":[{"timestamp":1730764800,"price":"abc"}]}}}`}}, "unexpected JSON"},
		{"bad request", aero, []fault{{status: 400, body: `{"message":"invalid coin"}`}}, "HTTP 400"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api, srv := newFakeAPI(t, now, map[string]harness.Date{aero: day("2024-01-01")})
			api.script(tt.faults...)
			_, _, err := newDefiLlama(srv.URL, &sleeper{}).Chart(context.Background(), tt.coin, day("2024-11-01"), day("2024-11-30"))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

// TestDefiLlamaRetries: a rate limit and a truncated body are retried.
func TestDefiLlamaRetries(t *testing.T) {
	api, srv := newFakeAPI(t, now, map[string]harness.Date{aero: day("2024-01-01")})
	api.script(fault{status: 429, retryAfter: "2"}, fault{status: 200, body: `{"coins":{"` + aero + `":{"prices":[{"timest`})
	s := &sleeper{}
	_, got, err := newDefiLlama(srv.URL, s).Chart(context.Background(), aero, day("2024-11-01"), day("2024-11-30"))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 30 || s.String() != "[2s 1s]" {
		t.Errorf("got %d candles after waits %s, want 30 after [2s 1s]", len(got), s)
	}
}
