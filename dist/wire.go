package dist

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"gem/harness"
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
	ID       string   `json:"id"`       // unique across runs; set by the Coordinator
	Results  string   `json:"results"`  // subject to publish the result on; set by the Coordinator
	Strategy string   `json:"strategy"` // strategy name, as strategy.New takes it
	Fill     string   `json:"fill"`     // fill mode, as harness.ParseFillMode takes it
	Params   []string `json:"params"`   // every parameter, "name=value"
	Data     string   `json:"data"`     // panel fingerprint the coordinator expects
	Harness  string   `json:"harness"`  // harness fingerprint the coordinator expects
}

// Result is a worker's answer to a trial: Row when Error is empty.
type Result struct {
	ID     string
	Worker string // the worker's name, for messages
	Error  string // why the trial was not evaluated; empty on success
	Row    ledger.Row
}

// wireResult is Result in JSON. Floats are written as strings in the
// shortest form that reads back to the same float64 (scores are −Inf when
// rejected, which JSON numbers cannot hold), so results are bit-identical.
type wireResult struct {
	ID        string            `json:"id"`
	Worker    string            `json:"worker"`
	Error     string            `json:"error,omitempty"`
	Time      time.Time         `json:"time"`
	Command   string            `json:"command"`
	Strategy  string            `json:"strategy"`
	Fill      string            `json:"fill"`
	Params    string            `json:"params"`
	Score     string            `json:"score"`
	Rejection string            `json:"rejection,omitempty"`
	Base      map[string]string `json:"base"`
	Stress    map[string]string `json:"stress"`
	Harness   string            `json:"harness"`
	Data      string            `json:"data"`
	Seconds   string            `json:"seconds"`
}

// MarshalJSON writes r with its floats as exact strings.
func (r Result) MarshalJSON() ([]byte, error) {
	w := wireResult{
		ID: r.ID, Worker: r.Worker, Error: r.Error,
		Time: r.Row.Time, Command: r.Row.Command, Strategy: r.Row.Strategy, Fill: r.Row.Fill, Params: r.Row.Params,
		Score: formatFloat(r.Row.Score), Rejection: r.Row.Rejection,
		Base: metricsMap(&r.Row.Base), Stress: metricsMap(&r.Row.Stress),
		Harness: r.Row.Harness, Data: r.Row.Data, Seconds: formatFloat(r.Row.Seconds),
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
	row := ledger.Row{Time: w.Time, Command: w.Command, Strategy: w.Strategy, Fill: w.Fill, Params: w.Params,
		Rejection: w.Rejection, Harness: w.Harness, Data: w.Data}
	var err error
	if row.Score, err = strconv.ParseFloat(w.Score, 64); err != nil {
		return fmt.Errorf("result %s: score: %w", w.ID, err)
	}
	if row.Seconds, err = strconv.ParseFloat(w.Seconds, 64); err != nil {
		return fmt.Errorf("result %s: seconds: %w", w.ID, err)
	}
	if err := setMetrics(&row.Base, w.Base); err != nil {
		return fmt.Errorf("result %s: base: %w", w.ID, err)
	}
	if err := setMetrics(&row.Stress, w.Stress); err != nil {
		return fmt.Errorf("result %s: stress: %w", w.ID, err)
	}
	r.Row = row
	return nil
}

func formatFloat(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }

// metricsMap lists every field of m by its Go name, so that a metric added
// to the harness travels without a change here.
func metricsMap(m *harness.Metrics) map[string]string {
	out := map[string]string{}
	v := reflect.ValueOf(m).Elem()
	for i := range v.NumField() {
		f := v.Field(i)
		switch f.Kind() {
		case reflect.Float64:
			out[v.Type().Field(i).Name] = formatFloat(f.Float())
		case reflect.Int:
			out[v.Type().Field(i).Name] = strconv.FormatInt(f.Int(), 10)
		}
	}
	return out
}

func setMetrics(m *harness.Metrics, in map[string]string) error {
	v := reflect.ValueOf(m).Elem()
	for i := range v.NumField() {
		name := v.Type().Field(i).Name
		s, ok := in[name]
		f := v.Field(i)
		switch f.Kind() {
		case reflect.Float64:
			if !ok {
				return fmt.Errorf("missing %s", name)
			}
			x, err := strconv.ParseFloat(s, 64)
			if err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			f.SetFloat(x)
		case reflect.Int:
			if !ok {
				return fmt.Errorf("missing %s", name)
			}
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			f.SetInt(n)
		}
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
		return nil, fmt.Errorf("dist: stream %s: %w", TrialStream, err)
	}
	if _, err := js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name: ResultStream, Subjects: []string{ResultSubjects}, MaxAge: 24 * time.Hour,
	}); err != nil {
		return nil, fmt.Errorf("dist: stream %s: %w", ResultStream, err)
	}
	cons, err := js.CreateOrUpdateConsumer(ctx, TrialStream, jetstream.ConsumerConfig{
		Durable: ConsumerName, FilterSubject: TrialSubjects, AckPolicy: jetstream.AckExplicitPolicy,
		AckWait: ackWait, MaxDeliver: -1,
	})
	if err != nil {
		return nil, fmt.Errorf("dist: consumer %s: %w", ConsumerName, err)
	}
	return cons, nil
}
