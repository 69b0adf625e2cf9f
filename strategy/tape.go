package strategy

import (
	"context"
	"errors"
	"fmt"

	"gem/harness"
)

// Tape holds what the ensembles of a family read on each day of one
// backtest besides their account: the regime call of each of their regime
// settings, the target book of each of their specialist settings and the
// trend gate's market test, recorded once by RecordTape. An ensemble replayed
// from a tape (Tape.Ensemble) decides as the ensemble that computes them
// (NewEnsemble) does: its meta-allocator, cooldowns, gates and trigger are
// the same code reading the same values, and the harness keeps its books, so
// its backtests are bit-identical; only the fits, the rankings, the
// specialists' filters and weights and the regime walk are not run again.
//
// A specialist's book depends on its parameters other than its cooldown and
// on the day's fits only; a regime call on the regime parameters (hmm.*
// without hard_switch_threshold, regime.*) only: so a family of N1 regime
// settings and N2 specialist settings is recorded at the cost of N1 + N2
// series, however many of their combinations are replayed. A Tape is
// read-only once recorded and safe for concurrent replays.
type Tape struct {
	panel   harness.PanelID
	fill    harness.FillMode
	cache   *Cache
	first   int // the view day of the first decision
	n       int // decisions recorded
	regimes map[regimeKey]*tapeRegime
	books   map[Params]*tapeBooks // by the specialist's parameters, cooldown 0
	below   map[int][]int8        // by trend window: 0 no answer, 1 above, 2 below
}

// tapeRegime is one regime setting's call on each decision day.
type tapeRegime struct {
	states int
	days   []regimeDay
}

// tapeBooks is one specialist setting's book on each decision day: the book
// of decision i is targets[end[i-1]:end[i]].
type tapeBooks struct {
	targets []harness.Target
	end     []int32
}

func (b *tapeBooks) at(i int) []harness.Target {
	lo := int32(0)
	if i > 0 {
		lo = b.end[i-1]
	}
	return b.targets[lo:b.end[i]]
}

// bookKey is what a specialist's book depends on among its parameters.
func bookKey(p Params) Params { p.RebalanceCooldown = 0; return p }

// errLongShort refuses the long/short side, whose short book is not taped.
var errLongShort = errors.New("strategy: a tape records long-only ensembles (short.count 0, short.gross 1)")

// RecordTape walks one backtest of panel p under cfg (its Fill and Window;
// the rest is unused) and records, on each decision day, every input that
// the ensembles of family read besides their account. Fits and regime
// series come from cache, as a live ensemble's would, and are left in it.
// It returns ctx's error when cancelled, and an error for a member that
// does not validate or has the long/short side on.
func RecordTape(ctx context.Context, p *harness.Panel, cache *Cache, cfg harness.Config, family []EnsembleParams) (*Tape, error) {
	if cache == nil {
		cache = NewCache()
	}
	t := &Tape{cache: cache, regimes: map[regimeKey]*tapeRegime{}, books: map[Params]*tapeBooks{}, below: map[int][]int8{}}
	r := &recorder{t: t}
	for _, m := range family {
		if err := m.Validate(); err != nil {
			return nil, err
		}
		if m.Short.longShort() {
			return nil, errLongShort
		}
		if k := regimeKeyOf(harness.PanelID{}, m); t.regimes[k] == nil {
			t.regimes[k] = &tapeRegime{}
			r.regimes = append(r.regimes, recRegime{m, t.regimes[k], nil})
		}
		for _, sp := range []Params{m.Bull, m.Bear, m.Ranging} {
			if k := bookKey(sp); t.books[k] == nil {
				t.books[k] = &tapeBooks{}
				r.books = append(r.books, recBooks{NewSpecialist(k, cache), t.books[k]})
			}
		}
		if _, ok := t.below[m.Gate.TrendWindow]; !ok && m.Gate.Trend {
			t.below[m.Gate.TrendWindow] = nil
			r.windows = append(r.windows, m.Gate.TrendWindow)
		}
	}
	if _, err := harness.Backtest(ctx, p, r, harness.Config{Fill: cfg.Fill, Window: cfg.Window}); err != nil {
		return nil, err
	}
	for _, g := range t.regimes {
		g.pack()
	}
	return t, nil
}

// pack copies the posteriors into one array, in day order: a replay reads
// one a day, and the cache's own are scattered over the heap.
func (g *tapeRegime) pack() {
	flat := make([]float64, 0, g.states*len(g.days))
	for i, d := range g.days {
		if d.post != nil {
			flat = append(flat, d.post...)
			g.days[i].post = flat[len(flat)-len(d.post) : len(flat) : len(flat)]
		}
	}
}

// recorder is the strategy that records a tape: it holds cash every day.
type recorder struct {
	t       *Tape
	regimes []recRegime
	books   []recBooks
	windows []int
	buf     []harness.Target
}

type recRegime struct {
	p     EnsembleParams
	tape  *tapeRegime
	table *regimeTable
}

type recBooks struct {
	s    *Specialist
	tape *tapeBooks
}

// Decide implements harness.Strategy.
func (r *recorder) Decide(v *harness.View, _ *harness.Account, dst []harness.Target) ([]harness.Target, bool) {
	t := r.t
	if t.n == 0 {
		t.panel, t.fill, t.first = v.Panel(), v.Fill(), v.Day()
	}
	t.n++
	for i := range r.regimes {
		g := &r.regimes[i]
		if g.table == nil {
			g.table = t.cache.regimeTable(regimeKeyOf(v.Panel(), g.p), regimeModels[g.p.Regime.Model])
			g.tape.states = g.table.states
		}
		g.tape.days = append(g.tape.days, g.table.at(v))
	}
	for _, b := range r.books {
		r.buf = b.s.Book(v, r.buf[:0])
		b.tape.targets = append(b.tape.targets, r.buf...)
		b.tape.end = append(b.tape.end, int32(len(b.tape.targets)))
	}
	for _, w := range r.windows {
		var x int8
		if below, ok := marketBelowAverage(v, w); ok {
			x = 1
			if below {
				x = 2
			}
		}
		t.below[w] = append(t.below[w], x)
	}
	return dst[:0], false
}

// Ensemble returns an ensemble of parameters p replayed from the tape. It
// must run on the tape's panel, fill mode and window (it panics otherwise);
// an error says that p is outside the recorded family.
func (t *Tape) Ensemble(p EnsembleParams) (*Ensemble, error) {
	if p.Short.longShort() {
		return nil, errLongShort
	}
	g := t.regimes[regimeKeyOf(harness.PanelID{}, p)]
	if g == nil {
		return nil, fmt.Errorf("strategy: regime setting %s is not on the tape", p)
	}
	run := &tapeRun{t: t, calls: g}
	for i := range g.states {
		b := t.books[bookKey(p.stateParams(i, g.states))]
		if b == nil {
			return nil, fmt.Errorf("strategy: specialist %s is not on the tape", p.stateParams(i, g.states))
		}
		run.books = append(run.books, b)
	}
	if run.idle = t.books[bookKey(p.Ranging)]; run.idle == nil {
		return nil, fmt.Errorf("strategy: specialist %s is not on the tape", p.Ranging)
	}
	if p.Gate.Trend {
		var ok bool
		if run.below, ok = t.below[p.Gate.TrendWindow]; !ok {
			return nil, fmt.Errorf("strategy: trend window %d is not on the tape", p.Gate.TrendWindow)
		}
	}
	e := NewEnsemble(p, t.cache)
	e.tape = run
	return e, nil
}

// tapeRun is where one replayed ensemble reads its inputs.
type tapeRun struct {
	t     *Tape
	calls *tapeRegime
	books []*tapeBooks // by regime state
	idle  *tapeBooks   // without a regime call
	below []int8
}

// begin checks that the view is the tape's and returns the number of
// regime states.
func (r *tapeRun) begin(v *harness.View) int {
	if v.Panel() != r.t.panel || v.Fill() != r.t.fill || v.Day() != r.t.first {
		panic("strategy: a taped ensemble replayed on another panel, fill mode or window than its tape's")
	}
	return r.calls.states
}

func (r *tapeRun) days() int { return r.t.n }

// index is the decision's index on the tape.
func (r *tapeRun) index(v *harness.View) int {
	i := v.Day() - r.t.first
	if uint(i) >= uint(r.t.n) {
		panic("strategy: a taped ensemble replayed past its tape's window")
	}
	return i
}

func (r *tapeRun) regime(v *harness.View) regimeDay { return r.calls.days[r.index(v)] }

// book appends state k's book (k = noCall: the idle specialist's) to dst[:0].
func (r *tapeRun) book(v *harness.View, k int, dst []harness.Target) []harness.Target {
	b := r.idle
	if k != noCall {
		b = r.books[k]
	}
	return append(dst[:0], b.at(r.index(v))...)
}

func (r *tapeRun) belowAverage(v *harness.View) (below, ok bool) {
	x := r.below[r.index(v)]
	return x == 2, x != 0
}
