package cluster

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"gem/ledger"
)

// Names of the streams, subjects and consumer shared by coordinators and
// workers.
const (
	TrialStream    = "GEM_TRIALS"
	TrialSubjects  = "gem.trials.>"
	ResultStream   = "GEM_RESULTS"
	ResultSubjects = "gem.results.>"
	ConsumerName   = "gem-workers"
	// DoneSubject carries the coordinator's announcement that its run is
	// over (Coordinator.Finish): workers that hear it stop.
	DoneSubject = "gem.control.done"
)

// DefaultAckWait is how long a trial may go without a sign of life from its
// worker before it is redelivered to another one. Workers signal progress
// every third of it while they evaluate, so trials may take longer.
const DefaultAckWait = 30 * time.Second

// NewSecret returns a new run secret: 32 bytes from crypto/rand, in hex.
// It is the token clients present to an embedded server and the key of the
// HMAC that every trial, result and control message carries.
func NewSecret() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("cluster: run secret: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// ConnectOptions say how a client reaches a server.
type ConnectOptions struct {
	Name   string // the connection's name, shown by the server
	Secret string // the run secret, presented as the connection's token
	CA     string // a PEM file of the CA that signed the server's TLS certificate; empty: the system's
	// Reconnect is how long to keep trying to reconnect after the server
	// went away; zero means 10 seconds.
	Reconnect time.Duration
}

// Connect opens a connection to the NATS server at url with opt.
func Connect(url string, opt ConnectOptions) (*nats.Conn, error) {
	wait := 500 * time.Millisecond
	if opt.Reconnect <= 0 {
		opt.Reconnect = 10 * time.Second
	}
	opts := []nats.Option{nats.Name(opt.Name), nats.Token(opt.Secret), nats.ReconnectWait(wait),
		nats.MaxReconnects(max(1, int(opt.Reconnect/wait)))}
	if opt.CA != "" {
		opts = append(opts, nats.RootCAs(opt.CA))
	}
	nc, err := nats.Connect(url, opts...)
	if err != nil {
		return nil, fmt.Errorf("nats %s: %w", url, err)
	}
	return nc, nil
}

// Trial is one configuration to evaluate, as published on the work queue.
type Trial struct {
	ID       string `json:"id"`       // unique across runs; set by the Coordinator
	Results  string `json:"results"`  // subject to publish the result on; set by the Coordinator
	Strategy string `json:"strategy"` // strategy name, as strategy.New takes it
	Fill     string `json:"fill"`     // fill mode, as harness.ParseFillMode takes it
	Window   string `json:"window"`   // scoring window, as trial.ParseWindow takes it
	Params   string `json:"params"`   // every parameter, "name=value ..." (space.Assignment.String)
	Data     string `json:"data"`     // panel fingerprint the coordinator expects
	Harness  string `json:"harness"`  // harness fingerprint the coordinator expects
}

// Result is a worker's answer to a trial: Row and Returns when Error is
// empty.
type Result struct {
	ID     string
	Worker string // the worker's name, for messages
	Error  string // why the trial was not evaluated; empty on success
	// Refused is set, with Error, when the worker cannot evaluate the trial
	// at all (its data or harness differ): the trial goes to another worker
	// and the refusal is not the trial's result.
	Refused bool
	Row     ledger.Row
	Returns *ledger.Series // the base run's daily returns, keyed by Row.Key(); nil when it has none
}

// wireResult is Result in JSON: the row travels as its ledger line
// (ledger.Row.MarshalText), so a result is exactly a ledger row, its floats
// bit-identical and its key and checksum checked on arrival; the returns
// travel as their returns record (ledger.Series.MarshalBinary, base64 in
// JSON), at most ledger.MaxReturnsRecord bytes, decoded with every length
// checked and their key checked against the row's.
type wireResult struct {
	ID      string `json:"id"`
	Worker  string `json:"worker"`
	Error   string `json:"error,omitempty"`
	Refused bool   `json:"refused,omitempty"`
	Row     string `json:"row,omitempty"`
	Returns []byte `json:"returns,omitempty"`
}

// sealed is the envelope of every message: its body and an HMAC-SHA256 of
// its kind and body under the run secret.
type sealed struct {
	Body json.RawMessage `json:"body"`
	MAC  string          `json:"mac"`
}

// ErrForged reports a message without a valid MAC: sent by someone without
// the run's secret.
var ErrForged = errors.New("no valid MAC under this run's secret (forged, or sent by a process without the secret)")

func mac(secret, kind string, body []byte) []byte {
	h := hmac.New(sha256.New, []byte(secret))
	h.Write([]byte(kind))
	h.Write([]byte{0})
	h.Write(body)
	return h.Sum(nil)
}

// seal encodes v as a message of the given kind ("trial", "result",
// "done"), which binds the MAC to it: a valid result cannot be replayed as a
// trial.
func seal(secret, kind string, v any) ([]byte, error) {
	body, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return json.Marshal(sealed{Body: body, MAC: hex.EncodeToString(mac(secret, kind, body))})
}

// unseal checks a message's MAC and decodes its body into v; the body is
// not parsed before its MAC is checked.
func unseal(secret, kind string, b []byte, v any) error {
	var s sealed
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("%w: not a sealed message: %v", ErrForged, err)
	}
	got, err := hex.DecodeString(s.MAC)
	if err != nil || !hmac.Equal(got, mac(secret, kind, s.Body)) {
		return ErrForged
	}
	return json.Unmarshal(s.Body, v)
}

// encodeResult seals r, its row as a ledger line and its returns as a
// returns record.
func encodeResult(secret string, r *Result) ([]byte, error) {
	w := wireResult{ID: r.ID, Worker: r.Worker, Error: r.Error, Refused: r.Refused}
	if r.Error == "" {
		b, err := r.Row.MarshalText()
		if err != nil {
			return nil, err
		}
		w.Row = string(b)
		if r.Returns != nil {
			if w.Returns, err = r.Returns.MarshalBinary(); err != nil {
				return nil, err
			}
		}
	}
	return seal(secret, "result", w)
}

// decodeResult reads what encodeResult writes: an error wrapping ErrForged
// for a message without a valid MAC, the worker's claimed name beside it
// when the body is readable.
func decodeResult(secret string, b []byte) (*Result, error) {
	var w wireResult
	if err := unseal(secret, "result", b, &w); err != nil {
		if errors.Is(err, ErrForged) {
			var s sealed
			if json.Unmarshal(b, &s) == nil && json.Unmarshal(s.Body, &w) == nil {
				return nil, fmt.Errorf("result for trial %.60q claiming to come from worker %.60q: %w", w.ID, w.Worker, err)
			}
		}
		return nil, err
	}
	r := &Result{ID: w.ID, Worker: w.Worker, Error: w.Error, Refused: w.Refused}
	if w.Error != "" {
		return r, nil
	}
	if err := r.Row.UnmarshalText([]byte(w.Row)); err != nil {
		return nil, fmt.Errorf("result %.60q from worker %.60q: %w", w.ID, w.Worker, err)
	}
	if w.Returns == nil {
		return r, nil
	}
	r.Returns = new(ledger.Series)
	if err := r.Returns.UnmarshalBinary(w.Returns); err != nil {
		return nil, fmt.Errorf("result %.60q from worker %.60q: %w", w.ID, w.Worker, err)
	}
	if r.Returns.Key != r.Row.Key() {
		return nil, fmt.Errorf("result %.60q from worker %.60q: returns of trial %s with the row of trial %s", w.ID, w.Worker, r.Returns.Key, r.Row.Key())
	}
	return r, nil
}

// done is the body of the message on DoneSubject.
type done struct {
	Run string `json:"run"`
}

// setup creates or updates the two streams, kept in memory so that a
// killed coordinator leaves nothing on disk, and the workers' consumer.
func setup(ctx context.Context, js jetstream.JetStream, ackWait time.Duration) error {
	if _, err := js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name: TrialStream, Subjects: []string{TrialSubjects}, Retention: jetstream.WorkQueuePolicy,
		Storage: jetstream.MemoryStorage,
	}); err != nil {
		return fmt.Errorf("cluster: stream %s: %w", TrialStream, err)
	}
	if _, err := js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name: ResultStream, Subjects: []string{ResultSubjects}, MaxAge: 24 * time.Hour,
		Storage: jetstream.MemoryStorage,
	}); err != nil {
		return fmt.Errorf("cluster: stream %s: %w", ResultStream, err)
	}
	if _, err := js.CreateOrUpdateConsumer(ctx, TrialStream, jetstream.ConsumerConfig{
		Durable: ConsumerName, FilterSubject: TrialSubjects, AckPolicy: jetstream.AckExplicitPolicy,
		AckWait: ackWait, MaxDeliver: -1,
	}); err != nil {
		return fmt.Errorf("cluster: consumer %s: %w", ConsumerName, err)
	}
	return nil
}
