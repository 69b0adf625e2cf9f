package fetch

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestClientFailsFast: errors that retrying cannot fix end the first
// attempt, with no wait; a dropped connection is retried.
func TestClientFailsFast(t *testing.T) {
	tlsSrv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("[]")) }))
	defer tlsSrv.Close()
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("[]")) }))
	defer plain.Close()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := "http://" + l.Addr().String() + "/"
	l.Close() // nothing listens there now
	hangUp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, _, _ := w.(http.Hijacker).Hijack()
		conn.Close() // a dropped connection
	}))
	defer hangUp.Close()
	for _, tt := range []struct {
		name  string
		url   string
		want  string // substring of the error
		waits int
	}{
		{"no such host", "http://gem-test.invalid/", "gem-test.invalid", 0},
		{"connection refused", refused, "refused", 0},
		{"untrusted certificate", tlsSrv.URL, "certificate", 0},
		{"TLS to a plain server", "https" + strings.TrimPrefix(plain.URL, "http"), "http", 0},
		{"dropped connection", hangUp.URL, "gave up after 3 attempts", 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := &sleeper{}
			c := &Client{Retries: 2, Sleep: s.sleep}
			var v []any
			err := c.getJSON(context.Background(), tt.url, &v)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error containing %q", err, tt.want)
			}
			if len(s.waits) != tt.waits {
				t.Errorf("waited %d times (%s), want %d", len(s.waits), s, tt.waits)
			}
		})
	}
}
