package cluster

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nuid"
)

// Coordinator publishes batches of trials to the work queue and collects
// their results. One Coordinator runs one batch at a time.
type Coordinator struct {
	// Conn is the connection to the NATS server.
	Conn *nats.Conn
	// AckWait is the workers' consumer's redelivery delay (see Worker);
	// zero means DefaultAckWait. It also bounds how long an interrupted
	// batch waits for a trial whose worker fell silent.
	AckWait time.Duration

	js    jetstream.JetStream
	run   string // unique id of this coordinator, in every subject and trial id
	batch int
}

func (c *Coordinator) init(ctx context.Context) error {
	if c.js != nil {
		return nil
	}
	js, err := jetstream.New(c.Conn)
	if err != nil {
		return fmt.Errorf("cluster: %w", err)
	}
	if _, err := setup(ctx, js, c.AckWait); err != nil {
		return err
	}
	c.js, c.run = js, nuid.Next()
	return nil
}

// Run publishes trials, filling in their ID and Results, and calls done
// once for each trial with its first result, in the order results arrive;
// done(i, r) is about trials[i]. Later results for the same trial (a
// redelivered trial evaluated twice) are ignored. A result with Error set is
// handed on like any other.
//
// When ctx is cancelled, the trials not yet taken by a worker are withdrawn,
// Run waits for those in flight (at most twice AckWait once their workers
// fall silent), hands on their results and returns ctx.Err().
func (c *Coordinator) Run(ctx context.Context, trials []Trial, done func(i int, r *Result)) error {
	if len(trials) == 0 {
		return nil
	}
	if err := c.init(ctx); err != nil {
		return err
	}
	c.batch++
	trialSubject := fmt.Sprintf("gem.trials.%s.%d", c.run, c.batch)
	resultSubject := fmt.Sprintf("gem.results.%s.%d", c.run, c.batch)
	bg := context.WithoutCancel(ctx)
	defer c.purge(bg, trialSubject, resultSubject)

	// Listen for results before the first trial can be taken.
	rc, err := c.js.OrderedConsumer(ctx, ResultStream, jetstream.OrderedConsumerConfig{FilterSubjects: []string{resultSubject}})
	if err != nil {
		return fmt.Errorf("cluster: results: %w", err)
	}
	it, err := rc.Messages()
	if err != nil {
		return fmt.Errorf("cluster: results: %w", err)
	}
	msgs, errc, quit := make(chan jetstream.Msg), make(chan error, 1), make(chan struct{})
	defer func() { close(quit); it.Stop() }()
	go func() {
		for {
			m, err := it.Next()
			if err != nil {
				errc <- err
				return
			}
			select {
			case msgs <- m:
			case <-quit:
				return
			}
		}
	}()

	index := make(map[string]int, len(trials))
	for i := range trials {
		t := &trials[i]
		t.ID = fmt.Sprintf("%s.%d.%d", c.run, c.batch, i)
		t.Results = resultSubject
		index[t.ID] = i
		b, err := json.Marshal(t)
		if err != nil {
			return fmt.Errorf("cluster: trial %s: %w", t.ID, err)
		}
		if _, err := c.js.Publish(ctx, trialSubject, b, jetstream.WithMsgID(t.ID)); err != nil {
			if ctx.Err() != nil {
				break
			}
			return fmt.Errorf("cluster: publishing trial %s: %w", t.ID, err)
		}
	}

	seen := make([]bool, len(trials))
	got, received := 0, 0
	cancelled := ctx.Done()
	var poll <-chan time.Time
	var deadline time.Time
	for got < len(trials) {
		select {
		case m := <-msgs:
			received++
			var r Result
			if err := json.Unmarshal(m.Data(), &r); err != nil {
				return fmt.Errorf("cluster: result on %s: %w", m.Subject(), err)
			}
			i, ok := index[r.ID]
			if !ok || seen[i] {
				continue
			}
			seen[i] = true
			got++
			done(i, &r)
		case err := <-errc:
			return fmt.Errorf("cluster: results: %w", err)
		case <-cancelled:
			cancelled = nil
			c.purge(bg, trialSubject)
			tick := time.NewTicker(100 * time.Millisecond)
			defer tick.Stop()
			poll = tick.C
			deadline = time.Now().Add(2 * c.ackWait())
		case <-poll:
			if c.settled(bg, resultSubject, received) || time.Now().After(deadline) {
				return ctx.Err()
			}
		}
	}
	return ctx.Err()
}

func (c *Coordinator) ackWait() time.Duration {
	if c.AckWait <= 0 {
		return DefaultAckWait
	}
	return c.AckWait
}

// settled reports whether no trial is queued or in flight and every result
// published on subject has been received.
func (c *Coordinator) settled(ctx context.Context, subject string, received int) bool {
	cons, err := c.js.Consumer(ctx, TrialStream, ConsumerName)
	if err != nil {
		return false
	}
	ci, err := cons.Info(ctx)
	if err != nil || ci.NumAckPending > 0 || ci.NumPending > 0 {
		return false
	}
	s, err := c.js.Stream(ctx, ResultStream)
	if err != nil {
		return false
	}
	si, err := s.Info(ctx, jetstream.WithSubjectFilter(subject))
	if err != nil {
		return false
	}
	return int(si.State.Subjects[subject]) <= received
}

// purge removes what is left of a batch: refused or withdrawn trials and the
// results already handed on.
func (c *Coordinator) purge(ctx context.Context, subjects ...string) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	for _, subject := range subjects {
		stream := TrialStream
		if strings.HasPrefix(subject, "gem.results.") {
			stream = ResultStream
		}
		if s, err := c.js.Stream(ctx, stream); err == nil {
			s.Purge(ctx, jetstream.WithPurgeSubject(subject))
		}
	}
}
