package cluster

import (
	"context"
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
	// Secret is the run secret: trials without a valid MAC under it are
	// dropped, and results are sealed with it.
	Secret string
	// Data and Harness are the fingerprints of this worker's panel and
	// harness; trials expecting others are refused.
	Data, Harness string
	// Evaluate runs one trial and returns its ledger row and its daily
	// returns (nil if it has none). It is called with
	// a context that is not cancelled when Run's is: a trial that started
	// finishes.
	Evaluate func(ctx context.Context, t *Trial) (ledger.Row, *ledger.Series, error)
	// Done, when set, is called after each trial's result is published.
	Done func(t *Trial, r *Result)
	// Warn, when set, is told about each message dropped as forged.
	Warn func(msg string)
}

// refuseDelay is how long a refused trial waits before it is offered again;
// a worker that refused one waits refuseBackoff, doubling up to
// maxRefuseBackoff while it keeps refusing, before it takes the next, so
// that workers with the right data take the trials it cannot.
const (
	refuseDelay      = time.Second
	refuseBackoff    = 500 * time.Millisecond
	maxRefuseBackoff = 8 * time.Second
)

// ErrRunOver reports that a coordinator announced the end of its run
// (Coordinator.Finish).
var ErrRunOver = errors.New("the coordinator's run is over")

// Run takes trials until ctx is cancelled, then returns nil after the trial
// in flight is evaluated, its result published and acknowledged. It waits
// for the coordinator to create the work queue. It returns ErrRunOver when
// a coordinator announces the end of its run, and an error when the
// connection fails.
func (w *Worker) Run(ctx context.Context) error {
	if w.Secret == "" {
		panic("cluster: Worker without a secret")
	}
	js, err := jetstream.New(w.Conn)
	if err != nil {
		return fmt.Errorf("cluster: %w", err)
	}
	ctx, over := context.WithCancelCause(ctx)
	defer over(nil)
	sub, err := w.Conn.Subscribe(DoneSubject, func(m *nats.Msg) {
		var d done
		if err := unseal(w.Secret, "done", m.Data, &d); err != nil {
			w.warn(fmt.Sprintf("worker %s: dropped a forged end-of-run message: %v", w.Name, err))
			return
		}
		over(ErrRunOver)
	})
	if err != nil {
		return fmt.Errorf("cluster: worker %s: %w", w.Name, err)
	}
	defer sub.Unsubscribe()
	stopped := func() error {
		if errors.Is(context.Cause(ctx), ErrRunOver) {
			return ErrRunOver
		}
		return nil
	}
	cons, err := w.consumer(ctx, js)
	if err != nil {
		if ctx.Err() != nil {
			return stopped()
		}
		return err
	}
	ackWait := DefaultAckWait
	if ci := cons.CachedInfo(); ci != nil && ci.Config.AckWait > 0 {
		ackWait = ci.Config.AckWait
	}
	backoff := time.Duration(0)
	for ctx.Err() == nil {
		if backoff > 0 {
			select {
			case <-ctx.Done():
				return stopped()
			case <-time.After(backoff):
			}
		}
		msg, err := cons.Next(jetstream.FetchMaxWait(min(time.Second, ackWait)))
		if errors.Is(err, nats.ErrTimeout) || errors.Is(err, jetstream.ErrNoMessages) {
			continue
		}
		if err != nil {
			if ctx.Err() != nil {
				return stopped()
			}
			return fmt.Errorf("cluster: worker %s: %w", w.Name, err)
		}
		refused, err := w.handle(ctx, js, msg, ackWait)
		if err != nil {
			return err
		}
		switch {
		case !refused:
			backoff = 0
		case backoff == 0:
			backoff = refuseBackoff
		default:
			backoff = min(2*backoff, maxRefuseBackoff)
		}
	}
	return stopped()
}

// consumer waits for the workers' consumer to exist and returns it.
func (w *Worker) consumer(ctx context.Context, js jetstream.JetStream) (jetstream.Consumer, error) {
	for {
		cons, err := js.Consumer(ctx, TrialStream, ConsumerName)
		if err == nil {
			return cons, nil
		}
		if !errors.Is(err, jetstream.ErrStreamNotFound) && !errors.Is(err, jetstream.ErrConsumerNotFound) {
			return nil, fmt.Errorf("cluster: worker %s: %w", w.Name, err)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func (w *Worker) warn(msg string) {
	if w.Warn != nil {
		w.Warn(msg)
	}
}

// handle evaluates one trial, publishes its result and acknowledges it;
// refused reports a trial refused for another worker.
func (w *Worker) handle(ctx context.Context, js jetstream.JetStream, msg jetstream.Msg, ackWait time.Duration) (refused bool, err error) {
	ctx = context.WithoutCancel(ctx)
	var t Trial
	if err := unseal(w.Secret, "trial", msg.Data(), &t); err != nil || t.ID == "" || t.Results == "" {
		// Not a trial of this run's coordinator: drop it for good.
		msg.Term()
		w.warn(fmt.Sprintf("worker %s: dropped a message on %s that is not a trial of this run: %v", w.Name, msg.Subject(), err))
		return false, nil
	}
	res := Result{ID: t.ID, Worker: w.Name}
	switch {
	case t.Data != w.Data:
		res.Error = fmt.Sprintf("worker %s refused trial %s: its data fingerprint %s differs from the coordinator's %s; every machine must load the same data",
			w.Name, t.ID, w.Data, t.Data)
		res.Refused = true
	case t.Harness != w.Harness:
		res.Error = fmt.Sprintf("worker %s refused trial %s: its harness fingerprint %s differs from the coordinator's %s; every machine must run the same gem",
			w.Name, t.ID, w.Harness, t.Harness)
		res.Refused = true
	default:
		stop := keepAlive(msg, ackWait/3)
		row, rets, err := w.Evaluate(ctx, &t)
		stop()
		if err != nil {
			res.Error = fmt.Sprintf("worker %s: trial %s: %v", w.Name, t.ID, err)
		} else {
			res.Row, res.Returns = row, rets
		}
	}
	b, err := encodeResult(w.Secret, &res)
	if err != nil {
		return res.Refused, fmt.Errorf("cluster: result %s: %w", t.ID, err)
	}
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if _, err := js.Publish(pctx, t.Results, b); err != nil {
		msg.Nak()
		return res.Refused, fmt.Errorf("cluster: worker %s: publishing result %s: %w", w.Name, t.ID, err)
	}
	if res.Refused {
		msg.NakWithDelay(refuseDelay)
	} else if err := msg.DoubleAck(pctx); err != nil {
		// The trial will be redelivered and its second result ignored.
		return false, fmt.Errorf("cluster: worker %s: acknowledging trial %s: %w", w.Name, t.ID, err)
	}
	if w.Done != nil {
		w.Done(&t, &res)
	}
	return res.Refused, nil
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
