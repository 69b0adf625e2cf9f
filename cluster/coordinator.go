package cluster

import (
	"context"
	"fmt"
	"maps"
	"slices"
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
	// Secret is the run secret: trials are sealed with it, and a result
	// without a valid MAC under it stops the batch with an error wrapping
	// ErrForged.
	Secret string
	// AckWait is the workers' consumer's redelivery delay (see Worker);
	// zero means DefaultAckWait. It also bounds how long an interrupted
	// batch waits for a trial whose worker fell silent.
	AckWait time.Duration
	// RefuseWait bounds how long a trial refused by a worker (other data or
	// harness) may wait for another worker to take it while no worker makes
	// progress on any trial; then it fails with an error that names the
	// workers that refused it. Zero means 4*AckWait.
	RefuseWait time.Duration
	// Warn, when set, is told once per worker that it refuses trials.
	Warn func(msg string)
	// Waiting, when set, is called about once a second while a batch runs,
	// with the number of trials taken by workers and not yet answered, and
	// the time since the last result arrived (or since the batch started).
	Waiting func(held int, quiet time.Duration)

	js     jetstream.JetStream
	run    string // unique id of this coordinator, in every subject and trial id
	batch  int
	warned map[string]bool // workers Warn was told about
}

func (c *Coordinator) init(ctx context.Context) error {
	if c.js != nil {
		return nil
	}
	if c.Secret == "" {
		panic("cluster: Coordinator without a secret")
	}
	js, err := jetstream.New(c.Conn)
	if err != nil {
		return fmt.Errorf("cluster: %w", err)
	}
	if err := setup(ctx, js, c.ackWait()); err != nil {
		return err
	}
	c.js, c.run, c.warned = js, nuid.Next(), map[string]bool{}
	return nil
}

// Finish announces on DoneSubject that the coordinator's run is over, so
// that its workers stop (see Worker.Run). Call it when the run ends, before
// an embedded server shuts down.
func (c *Coordinator) Finish() error {
	b, err := seal(c.Secret, "done", done{Run: c.run})
	if err != nil {
		return err
	}
	if err := c.Conn.Publish(DoneSubject, b); err != nil {
		return fmt.Errorf("cluster: announcing the end of the run: %w", err)
	}
	return c.Conn.FlushTimeout(5 * time.Second)
}

// Run publishes trials, filling in their ID and Results, and calls done
// once for each trial with its first result, in the order results arrive;
// done(i, r) is about trials[i]. Later results for the same trial (a
// redelivered trial evaluated twice) are ignored. A result with Error set is
// handed on like any other, except a refusal (Result.Refused): the trial
// is offered to other workers, and fails only after RefuseWait without
// progress (a result with Error set then).
//
// A result without a valid MAC stops the batch at once with an error
// wrapping ErrForged that names the worker it claims to come from.
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
		b, err := seal(c.Secret, "trial", t)
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
	refusals := map[int]*refusal{}
	got, received := 0, 0
	cancelled := ctx.Done()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	lastResult := time.Now()
	var deadline time.Time
	for got < len(trials) {
		select {
		case m := <-msgs:
			received++
			r, err := decodeResult(c.Secret, m.Data())
			if err != nil {
				return fmt.Errorf("cluster: refused a result on %s: %w", m.Subject(), err)
			}
			i, ok := index[r.ID]
			if !ok || seen[i] {
				continue
			}
			if r.Refused {
				c.refused(refusals, i, r)
				continue
			}
			seen[i] = true
			got++
			lastResult = time.Now()
			delete(refusals, i)
			done(i, r)
		case err := <-errc:
			return fmt.Errorf("cluster: results: %w", err)
		case <-cancelled:
			cancelled = nil
			c.purge(bg, trialSubject)
			deadline = time.Now().Add(2 * c.ackWait())
			tick.Reset(100 * time.Millisecond)
		case now := <-tick.C:
			if !deadline.IsZero() {
				if c.settled(bg, resultSubject, received) || now.After(deadline) {
					return ctx.Err()
				}
				continue
			}
			if c.Waiting != nil {
				c.Waiting(c.held(bg), now.Sub(lastResult))
			}
			for i, rf := range refusals {
				if wait := c.refuseWait(); now.Sub(rf.first) > wait && now.Sub(lastResult) > wait && !seen[i] {
					seen[i] = true
					got++
					done(i, &Result{ID: trials[i].ID, Error: fmt.Sprintf("no worker took trial %s in %s: refused by %s", trials[i].ID, wait, rf.reasons())})
					delete(refusals, i)
				}
			}
		}
	}
	return ctx.Err()
}

// refusal is the record of a trial's refusals.
type refusal struct {
	first time.Time
	by    map[string]string // worker: its reason
}

func (rf *refusal) reasons() string {
	var s []string
	for _, w := range slices.Sorted(maps.Keys(rf.by)) {
		s = append(s, rf.by[w])
	}
	return strings.Join(s, "; ")
}

// refused records worker r.Worker's refusal of trial i, warning about the
// worker the first time.
func (c *Coordinator) refused(refusals map[int]*refusal, i int, r *Result) {
	rf := refusals[i]
	if rf == nil {
		rf = &refusal{first: time.Now(), by: map[string]string{}}
		refusals[i] = rf
	}
	rf.by[r.Worker] = r.Error
	if !c.warned[r.Worker] {
		c.warned[r.Worker] = true
		if c.Warn != nil {
			c.Warn(r.Error + "; its trials go to other workers")
		}
	}
}

// held is the number of trials taken by workers and not yet acknowledged.
func (c *Coordinator) held(ctx context.Context) int {
	cons, err := c.js.Consumer(ctx, TrialStream, ConsumerName)
	if err != nil {
		return 0
	}
	ci, err := cons.Info(ctx)
	if err != nil {
		return 0
	}
	return ci.NumAckPending
}

func (c *Coordinator) refuseWait() time.Duration {
	if c.RefuseWait <= 0 {
		return 4 * c.ackWait()
	}
	return c.RefuseWait
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
