package cluster

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"gem/ledger"
)

// Worker pulls trials from the work queue one at a time, evaluates them and
// publishes their results.
type Worker struct {
	// Conn is the connection to the NATS server.
	Conn *nats.Conn
	// Name identifies the worker in results and error messages.
	Name string
	// Data and Harness are the fingerprints of this worker's panel and
	// harness; trials expecting others are refused.
	Data, Harness string
	// Evaluate runs one trial and returns its ledger row. It is called with
	// a context that is not cancelled when Run's is: a trial that started
	// finishes.
	Evaluate func(ctx context.Context, t *Trial) (ledger.Row, error)
	// Done, when set, is called after each trial's result is published.
	Done func(t *Trial, r *Result)
	// AckWait is how long a trial may go without a sign of life before it
	// is redelivered; zero means DefaultAckWait.
	AckWait time.Duration
}

// refuseDelay is how long a refused trial waits before it is offered again,
// so that a worker with the wrong data does not spin on it.
const refuseDelay = time.Second

// Run takes trials until ctx is cancelled, then returns nil after the trial
// in flight is evaluated, its result published and acknowledged. It returns
// an error when the connection fails, wrapping jetstream.ErrServerShutdown
// when the server shut down (as an embedded one does when its sweep ends).
func (w *Worker) Run(ctx context.Context) error {
	js, err := jetstream.New(w.Conn)
	if err != nil {
		return fmt.Errorf("cluster: %w", err)
	}
	cons, err := setup(ctx, js, w.AckWait)
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	ackWait := w.AckWait
	if ackWait <= 0 {
		ackWait = DefaultAckWait
	}
	for ctx.Err() == nil {
		msg, err := cons.Next(jetstream.FetchMaxWait(min(time.Second, ackWait)))
		if errors.Is(err, nats.ErrTimeout) || errors.Is(err, jetstream.ErrNoMessages) {
			continue
		}
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("cluster: worker %s: %w", w.Name, err)
		}
		if err := w.handle(ctx, js, msg, ackWait); err != nil {
			return err
		}
	}
	return nil
}

// handle evaluates one trial, publishes its result and acknowledges it.
func (w *Worker) handle(ctx context.Context, js jetstream.JetStream, msg jetstream.Msg, ackWait time.Duration) error {
	ctx = context.WithoutCancel(ctx)
	var t Trial
	if err := json.Unmarshal(msg.Data(), &t); err != nil || t.ID == "" || t.Results == "" {
		// Not a trial this code can answer: drop it for good.
		msg.Term()
		return nil
	}
	res := Result{ID: t.ID, Worker: w.Name}
	refused := true
	switch {
	case t.Data != w.Data:
		res.Error = fmt.Sprintf("worker %s refused trial %s: its data fingerprint %s differs from the coordinator's %s; every machine must load the same data",
			w.Name, t.ID, w.Data, t.Data)
	case t.Harness != w.Harness:
		res.Error = fmt.Sprintf("worker %s refused trial %s: its harness fingerprint %s differs from the coordinator's %s; every machine must run the same gem",
			w.Name, t.ID, w.Harness, t.Harness)
	default:
		refused = false
		stop := keepAlive(msg, ackWait/3)
		row, err := w.Evaluate(ctx, &t)
		stop()
		if err != nil {
			res.Error = fmt.Sprintf("worker %s: trial %s: %v", w.Name, t.ID, err)
		} else {
			res.Row = row
		}
	}
	b, err := json.Marshal(res)
	if err != nil {
		return fmt.Errorf("cluster: result %s: %w", t.ID, err)
	}
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if _, err := js.Publish(pctx, t.Results, b); err != nil {
		msg.Nak()
		return fmt.Errorf("cluster: worker %s: publishing result %s: %w", w.Name, t.ID, err)
	}
	if refused {
		msg.NakWithDelay(refuseDelay)
	} else if err := msg.DoubleAck(pctx); err != nil {
		// The trial will be redelivered and its second result ignored.
		return fmt.Errorf("cluster: worker %s: acknowledging trial %s: %w", w.Name, t.ID, err)
	}
	if w.Done != nil {
		w.Done(&t, &res)
	}
	return nil
}

// keepAlive tells the server every interval that msg is still being worked
// on, until the returned function is called.
func keepAlive(msg jetstream.Msg, interval time.Duration) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		tick := time.NewTicker(max(interval, 10*time.Millisecond))
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				msg.InProgress()
			}
		}
	}()
	return func() { close(done); <-finished }
}
