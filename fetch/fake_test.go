package fetch

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"gem/harness"
)

// fault is a scripted bad answer, served instead of the real one.
type fault struct {
	status     int    // HTTP status; 0 with cut set
	retryAfter string // Retry-After header
	body       string // body; empty means a JSON error object
	cut        bool   // close the connection halfway through a 200 body
}

// fakeAPI answers in the formats of Binance's /api/v3/klines and DefiLlama's
// /chart/{coin}, serving scripted faults first. Prices are a function of
// the day, so tests can check every value.
type fakeAPI struct {
	t      *testing.T
	now    time.Time
	listed map[string]harness.Date // symbol or coin -> first day with data

	mu       sync.Mutex
	faults   []fault
	requests []*url.URL
}

func newFakeAPI(t *testing.T, now time.Time, listed map[string]harness.Date) (*fakeAPI, *httptest.Server) {
	f := &fakeAPI{t: t, now: now, listed: listed}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv
}

// price is the fake close of a day.
func price(day harness.Date) float64 { return 100 + float64(day%1000)/8 }

func (f *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.requests = append(f.requests, r.URL)
	var ft *fault
	if len(f.faults) > 0 {
		ft = &f.faults[0]
		f.faults = f.faults[1:]
	}
	f.mu.Unlock()
	if ft != nil {
		if ft.cut {
			hj, ok := w.(http.Hijacker)
			if !ok {
				f.t.Error("cannot hijack")
				return
			}
			conn, buf, _ := hj.Hijack()
			buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n[[1546300800000,\"100.0\",")
			buf.Flush()
			conn.Close()
			return
		}
		if ft.retryAfter != "" {
			w.Header().Set("Retry-After", ft.retryAfter)
		}
		body := ft.body
		if body == "" {
			body = `{"code":-1003,"msg":"Too much request weight used; current limit is 6000 request weight per 1 MINUTE."}`
		}
		w.WriteHeader(ft.status)
		w.Write([]byte(body))
		return
	}
	q := r.URL.Query()
	switch {
	case r.URL.Path == "/api/v3/klines":
		f.klines(w, q)
	case strings.HasPrefix(r.URL.Path, "/chart/"):
		f.chart(w, strings.TrimPrefix(r.URL.Path, "/chart/"), q)
	default:
		http.NotFound(w, r)
	}
}

func (f *fakeAPI) klines(w http.ResponseWriter, q url.Values) {
	first, ok := f.listed[q.Get("symbol")]
	if !ok {
		w.WriteHeader(http.StatusBadRequest)
		w.Write([]byte(`{"code":-1121,"msg":"Invalid symbol."}`))
		return
	}
	if q.Get("interval") != "1d" {
		f.t.Errorf("interval %q, want 1d", q.Get("interval"))
	}
	start, _ := strconv.ParseInt(q.Get("startTime"), 10, 64)
	end, _ := strconv.ParseInt(q.Get("endTime"), 10, 64)
	limit, _ := strconv.Atoi(q.Get("limit"))
	if limit > 1000 {
		f.t.Errorf("limit %d, want at most 1000", limit)
	}
	page := [][]any{}
	nowMs := f.now.UnixMilli()
	for ot := max(start, int64(first)*msPerDay); ot <= end && ot <= nowMs && len(page) < limit; ot += msPerDay {
		if ot%msPerDay != 0 {
			ot += msPerDay - ot%msPerDay
		}
		c := price(harness.Date(ot / msPerDay))
		s := func(x float64) string { return strconv.FormatFloat(x, 'f', 8, 64) }
		page = append(page, []any{ot, s(c * 0.99), s(c * 1.02), s(c * 0.97), s(c), s(1000 + c), ot + msPerDay - 1, s(c * 1000), 1234, s(500), s(c * 500), "0"})
	}
	json.NewEncoder(w).Encode(page)
}

func (f *fakeAPI) chart(w http.ResponseWriter, coin string, q url.Values) {
	start, _ := strconv.ParseInt(q.Get("start"), 10, 64)
	span, _ := strconv.Atoi(q.Get("span"))
	if q.Get("period") != "1d" {
		f.t.Errorf("period %q, want 1d", q.Get("period"))
	}
	type pt struct {
		Timestamp int64   `json:"timestamp"`
		Price     float64 `json:"price"`
	}
	resp := map[string]any{}
	if first, ok := f.listed[coin]; ok {
		var prices []pt
		for i := range span {
			ts := start + int64(i)*secPerDay
			day := harness.Date(ts/secPerDay) - 1 // the day that closes at ts
			if day < first || ts > f.now.Unix() {
				continue
			}
			jitter := int64(day%7-3) * 60 // DefiLlama's points are near, not at, midnight
			prices = append(prices, pt{ts + jitter, price(day)})
		}
		resp[coin] = map[string]any{"symbol": "aero", "confidence": 0.99, "decimals": 18, "prices": prices}
	}
	json.NewEncoder(w).Encode(map[string]any{"coins": resp})
}

func (f *fakeAPI) script(faults ...fault) {
	f.mu.Lock()
	f.faults = append(f.faults, faults...)
	f.mu.Unlock()
}

func (f *fakeAPI) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.requests)
}

// sleeper records the waits a Client asks for, without waiting.
type sleeper struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (s *sleeper) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.waits = append(s.waits, d)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *sleeper) String() string { return fmt.Sprint(s.waits) }
