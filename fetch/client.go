package fetch

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Client gets JSON documents over HTTP, retrying what is worth retrying:
// network errors that may pass (a reset or dropped connection, a timeout),
// truncated or malformed bodies, HTTP 429 (too many requests), 418
// (Binance's ban after ignored 429s) and 5xx. It waits as long as a
// Retry-After header asks, otherwise an exponential backoff. What retrying
// cannot fix fails at once: other 4xx answers, and the errors of Permanent
// (a failed DNS lookup, a refused connection, an unreachable network, a
// TLS failure), so that an offline machine or a wrong --base-url fails in
// well under a second. The zero Client is ready to use.
type Client struct {
	// HTTP does the requests; nil means a client with a 60 s timeout.
	HTTP *http.Client
	// Retries is how many times a failed request is retried; zero means 6,
	// negative means never.
	Retries int
	// Backoff is the wait before the first retry, doubled before each
	// next one up to MaxBackoff; zero means 1 s.
	Backoff time.Duration
	// MaxBackoff caps the backoff; zero means 1 min.
	MaxBackoff time.Duration
	// MaxRetryAfter is the longest Retry-After the client waits for; a
	// longer one is an error. Zero means 10 min.
	MaxRetryAfter time.Duration
	// Sleep waits for d or until ctx is done; nil means a timer. Tests
	// replace it to run without waiting.
	Sleep func(ctx context.Context, d time.Duration) error
}

var defaultHTTP = &http.Client{Timeout: 60 * time.Second}

// StatusError is an HTTP answer that is not 200 OK.
type StatusError struct {
	URL    string
	Status int
	Body   string // the start of the body, which often says why
}

func (e *StatusError) Error() string {
	msg := fmt.Sprintf("%s: HTTP %d %s", e.URL, e.Status, http.StatusText(e.Status))
	if e.Body != "" {
		msg += ": " + e.Body
	}
	return msg
}

// maxBody bounds a response body: a page of 1000 klines is about 200 kB.
const maxBody = 64 << 20

// getJSON gets url and decodes its JSON body into v, retrying as the type
// comment describes.
func (c *Client) getJSON(ctx context.Context, url string, v any) error {
	retries := c.Retries
	switch {
	case retries == 0:
		retries = 6
	case retries < 0:
		retries = 0
	}
	backoff := cmpOr(c.Backoff, time.Second)
	for attempt := 0; ; attempt++ {
		wait, err := c.try(ctx, url, v)
		if err == nil {
			return nil
		}
		if wait < 0 || attempt >= retries || ctx.Err() != nil {
			if attempt > 0 && wait >= 0 {
				return fmt.Errorf("%w (gave up after %d attempts)", err, attempt+1)
			}
			return err
		}
		if wait == 0 {
			wait = backoff
			backoff = min(2*backoff, cmpOr(c.MaxBackoff, time.Minute))
		} else if limit := cmpOr(c.MaxRetryAfter, 10*time.Minute); wait > limit {
			return fmt.Errorf("%w (the server asks to wait %v, more than %v)", err, wait, limit)
		}
		if err := c.sleep(ctx, wait); err != nil {
			return err
		}
	}
}

// try makes one request. On failure it returns how long to wait before
// retrying: 0 for the backoff, the Retry-After duration when the server sent
// one, or -1 when retrying is pointless.
func (c *Client) try(ctx context.Context, url string, v any) (time.Duration, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return -1, err
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "gem (crypto momentum research; github.com/gem)")
	hc := c.HTTP
	if hc == nil {
		hc = defaultHTTP
	}
	resp, err := hc.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return -1, ctx.Err()
		}
		if Permanent(err) {
			return -1, err
		}
		return 0, err // reset, timeout, EOF: retry
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if resp.StatusCode != http.StatusOK {
		se := &StatusError{URL: url, Status: resp.StatusCode, Body: snippet(body)}
		switch {
		case resp.StatusCode == http.StatusTooManyRequests, resp.StatusCode == http.StatusTeapot, resp.StatusCode >= 500:
			return retryAfter(resp.Header.Get("Retry-After"), time.Now()), se
		}
		return -1, se
	}
	if err != nil {
		if ctx.Err() != nil {
			return -1, ctx.Err()
		}
		return 0, fmt.Errorf("%s: reading the body: %w", url, err) // truncated: retry
	}
	if len(body) > maxBody {
		return -1, fmt.Errorf("%s: body larger than %d bytes", url, maxBody)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		var syn *json.SyntaxError
		if errors.As(err, &syn) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return 0, fmt.Errorf("%s: malformed or truncated JSON: %w", url, err) // retry
		}
		return -1, fmt.Errorf("%s: unexpected JSON: %w", url, err)
	}
	return 0, nil
}

// Permanent reports whether a transport error is one that retrying within
// a minute does not fix:
//
//   - any DNS failure (no such host; no resolver reachable, which is how an
//     offline machine fails);
//   - a refused connection: the host resolved and answered, but nothing
//     listens on the port. A server restarting could refuse for a moment,
//     but a wrong address or port is far more common, and a fetch resumes
//     where it stopped, so gem fails at once;
//   - an unreachable network or host (no route: offline);
//   - a TLS failure: an untrusted or mismatched certificate, or a server
//     that does not speak TLS.
//
// A reset or dropped connection, a timeout, and an unexpected EOF are not
// permanent.
func Permanent(err error) bool {
	var dns *net.DNSError
	var verify *tls.CertificateVerificationError
	var record tls.RecordHeaderError
	var authority x509.UnknownAuthorityError
	var host x509.HostnameError
	var invalid x509.CertificateInvalidError
	return errors.As(err, &dns) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ENETUNREACH) || errors.Is(err, syscall.EHOSTUNREACH) ||
		errors.As(err, &verify) || errors.As(err, &record) || errors.As(err, &authority) || errors.As(err, &host) || errors.As(err, &invalid) ||
		strings.Contains(err.Error(), "server gave HTTP response to HTTPS client") // net/http's text for a RecordHeaderError
}

// retryAfter parses a Retry-After header (seconds or an HTTP date); 0 when
// absent or unparseable.
func retryAfter(h string, now time.Time) time.Duration {
	h = strings.TrimSpace(h)
	if h == "" {
		return 0
	}
	if s, err := strconv.Atoi(h); err == nil {
		return max(time.Duration(s)*time.Second, 0)
	}
	if t, err := http.ParseTime(h); err == nil {
		return max(t.Sub(now), 0)
	}
	return 0
}

func (c *Client) sleep(ctx context.Context, d time.Duration) error {
	if c.Sleep != nil {
		return c.Sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// snippet is the start of a body, on one line, for an error message.
func snippet(b []byte) string {
	s := strings.Join(strings.Fields(string(b)), " ")
	if len(s) > 200 {
		s = s[:200] + "..."
	}
	return s
}

func cmpOr(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}
