package cluster

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

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
)

// DefaultAckWait is how long a trial may go without a sign of life from its
// worker before it is redelivered to another one. Workers signal progress
// every third of it while they evaluate, so trials may take longer.
const DefaultAckWait = 30 * time.Second

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

// Result is a worker's answer to a trial: Row when Error is empty.
type Result struct {
	ID     string
	Worker string // the worker's name, for messages
	Error  string // why the trial was not evaluated; empty on success
	Row    ledger.Row
}

// wireResult is Result in JSON: the row travels as its ledger line
// (ledger.Row.MarshalText), so a result is exactly a ledger row, its floats
// bit-identical and its key and checksum checked on arrival.
type wireResult struct {
	ID     string `json:"id"`
	Worker string `json:"worker"`
	Error  string `json:"error,omitempty"`
	Row    string `json:"row,omitempty"`
}

// MarshalJSON writes r with its row as a ledger line.
func (r Result) MarshalJSON() ([]byte, error) {
	w := wireResult{ID: r.ID, Worker: r.Worker, Error: r.Error}
	if r.Error == "" {
		b, err := r.Row.MarshalText()
		if err != nil {
			return nil, err
		}
		w.Row = string(b)
	}
	return json.Marshal(w)
}

// UnmarshalJSON reads what MarshalJSON writes.
func (r *Result) UnmarshalJSON(b []byte) error {
	var w wireResult
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*r = Result{ID: w.ID, Worker: w.Worker, Error: w.Error}
	if w.Error != "" {
		return nil
	}
	if err := r.Row.UnmarshalText([]byte(w.Row)); err != nil {
		return fmt.Errorf("result %.40q: %w", w.ID, err)
	}
	return nil
}

// setup creates or updates the two streams and the workers' consumer.
func setup(ctx context.Context, js jetstream.JetStream, ackWait time.Duration) (jetstream.Consumer, error) {
	if ackWait <= 0 {
		ackWait = DefaultAckWait
	}
	if _, err := js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name: TrialStream, Subjects: []string{TrialSubjects}, Retention: jetstream.WorkQueuePolicy,
	}); err != nil {
		return nil, fmt.Errorf("cluster: stream %s: %w", TrialStream, err)
	}
	if _, err := js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name: ResultStream, Subjects: []string{ResultSubjects}, MaxAge: 24 * time.Hour,
	}); err != nil {
		return nil, fmt.Errorf("cluster: stream %s: %w", ResultStream, err)
	}
	cons, err := js.CreateOrUpdateConsumer(ctx, TrialStream, jetstream.ConsumerConfig{
		Durable: ConsumerName, FilterSubject: TrialSubjects, AckPolicy: jetstream.AckExplicitPolicy,
		AckWait: ackWait, MaxDeliver: -1,
	})
	if err != nil {
		return nil, fmt.Errorf("cluster: consumer %s: %w", ConsumerName, err)
	}
	return cons, nil
}
