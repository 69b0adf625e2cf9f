package lookahead

import (
	"context"
	"errors"
	"math"
	"slices"
	"testing"

	"gem/harness"
	"gem/strategy"
	"gem/synth"
)

// peeker is a deliberately leaky strategy: it holds the raw panel and buys
// the token whose close rises most from its view's last day to the next.
type peeker struct{ p *harness.Panel }

func (s *peeker) best(v *harness.View) int {
	best, bestR := -1, 0.0
	if v.Day()+1 >= s.p.NumDays() {
		return best
	}
	for i := range v.NumTokens() {
		a, ok1 := s.p.CloseOn(i, v.Day())
		b, ok2 := s.p.CloseOn(i, v.Day()+1)
		if ok1 && ok2 && b/a > bestR {
			best, bestR = i, b/a
		}
	}
	return best
}

// Decide buys tomorrow's best token whenever it is not held yet.
func (s *peeker) Decide(v *harness.View, a *harness.Account, dst []harness.Target) ([]harness.Target, bool) {
	b := s.best(v)
	if a.LastRebalance() >= 0 && (b < 0 || a.Held(b)) {
		return dst[:0], false
	}
	dst = dst[:0]
	if b >= 0 {
		dst = append(dst, harness.Target{Token: b, Weight: 1})
	}
	return dst, true
}

// smallUniverse is a synthetic universe small enough for every strategy to
// run in a fraction of a second.
func smallUniverse(t testing.TB) *harness.Panel {
	t.Helper()
	cfg := synth.DefaultConfig()
	cfg.Tokens, cfg.Days = 24, 400
	p, err := synth.Panel(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestLeakyStrategyCaught: a strategy that reads tomorrow's close from the
// raw panel is caught in both fill modes, and in reference mode its leak is
// not mistaken for the known same-close one.
func TestLeakyStrategyCaught(t *testing.T) {
	p := smallUniverse(t)
	for _, fill := range []harness.FillMode{harness.Causal, harness.Reference} {
		r, err := Check(context.Background(), p, func(q *harness.Panel) harness.Strategy { return &peeker{q} }, Config{Fill: fill, Days: 8, Seed: 3})
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Leaks) < len(r.Days)/2 || r.KnownLeakOnly() {
			t.Errorf("%s fills: got %d leaks of %d days (known only: %v), want most, not known", fill, len(r.Leaks), len(r.Days), r.KnownLeakOnly())
		}
		for _, l := range r.Leaks {
			if l.Day > l.T || l.SameClose {
				t.Errorf("%s fills: leak %+v", fill, l)
			}
		}
	}
}

// TestBuiltinsCausal: every built-in strategy passes with causal fills.
func TestBuiltinsCausal(t *testing.T) {
	for _, name := range strategy.Names() {
		t.Run(name, func(t *testing.T) {
			p := smallUniverse(t)
			if name == "longshort" { // shorts need perps: the same universe as perps without funding
				p.SetMarkets(slices.Repeat([]bool{true}, p.NumTokens()))
				fm, _ := harness.ParseFundingMissing("zero")
				p.SetFundingMissing(fm)
			}
			cfg, err := strategy.New(name)
			if err != nil {
				t.Fatal(err)
			}
			r, err := Check(context.Background(), p, func(*harness.Panel) harness.Strategy { return cfg.New(strategy.NewCache()) },
				Config{Fill: harness.Causal, Days: 6, Seed: 1, Workers: 2})
			if err != nil {
				t.Fatal(err)
			}
			if !r.Clean() {
				t.Errorf("got leaks %+v", r.Leaks)
			}
			if len(r.Days) != 6 {
				t.Errorf("sampled %d days, want 6", len(r.Days))
			}
		})
	}
}

// TestReferenceSameClose: with reference fills the specialist's decisions
// change when day t's close does (the reference's known one-day look-ahead)
// and only then.
func TestReferenceSameClose(t *testing.T) {
	p := smallUniverse(t)
	cfg, _ := strategy.New("specialist")
	r, err := Check(context.Background(), p, func(*harness.Panel) harness.Strategy { return cfg.New(strategy.NewCache()) },
		Config{Fill: harness.Reference, Days: 10, Seed: 2, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	if !r.KnownLeakOnly() {
		t.Errorf("got %d leaks of %d days, known only %v; want the same-close leak only", len(r.Leaks), len(r.Days), r.KnownLeakOnly())
	}
	for _, l := range r.Leaks {
		if l.Day != l.T {
			t.Errorf("leak %+v: want the decision filled on t itself", l)
		}
	}
}

// flaky changes its mind from run to run: each decision buys the next
// token of a counter shared by all its runs.
type flaky struct{ n *int }

func (s *flaky) Decide(v *harness.View, _ *harness.Account, dst []harness.Target) ([]harness.Target, bool) {
	*s.n++
	return append(dst[:0], harness.Target{Token: *s.n % v.NumTokens(), Weight: 1}), true
}

func TestNondeterministic(t *testing.T) {
	n := 0
	_, err := Check(context.Background(), smallUniverse(t), func(q *harness.Panel) harness.Strategy { return &flaky{&n} }, Config{})
	if !errors.Is(err, ErrNondeterministic) {
		t.Errorf("got %v, want ErrNondeterministic", err)
	}
}

// TestPerturb: candles before the day keep their bits; later ones are
// scaled within [1/2, 2], OHLC by one factor.
func TestPerturb(t *testing.T) {
	p := smallUniverse(t)
	c := candlesOf(p)
	from := p.Dates[200]
	q := perturb(c, from, 1, 200)
	changed := 0
	for i := range c {
		if c[i].Date < from {
			if c[i] != q[i] && !math.IsNaN(c[i].Open) {
				t.Fatalf("candle %d before the day changed: %+v -> %+v", i, c[i], q[i])
			}
			continue
		}
		f := q[i].Close / c[i].Close
		if f < 0.5 || f > 2 || (!math.IsNaN(c[i].High) && math.Abs(q[i].High/c[i].High-f) > 1e-12) {
			t.Fatalf("candle %d: factor %v, high factor %v", i, f, q[i].High/c[i].High)
		}
		if f != 1 {
			changed++
		}
	}
	if changed == 0 {
		t.Error("nothing changed")
	}
}

func TestFirstDifference(t *testing.T) {
	rb := func(day int, tw ...float64) harness.Rebalance {
		r := harness.Rebalance{Day: day}
		for i := 0; i < len(tw); i += 2 {
			r.Targets = append(r.Targets, harness.Target{Token: int(tw[i]), Weight: tw[i+1]})
		}
		return r
	}
	a := []harness.Rebalance{rb(0, 1, 0.5), rb(5, 2, 1), rb(9)}
	tests := []struct {
		name string
		b    []harness.Rebalance
		last int
		day  int
		diff bool
	}{
		{"same", a, 100, 0, false},
		{"differs after last", []harness.Rebalance{rb(0, 1, 0.5), rb(5, 2, 1), rb(9, 1, 1)}, 8, 0, false},
		{"weight", []harness.Rebalance{rb(0, 1, 0.5), rb(5, 2, 0.9999999999999999)}, 8, 5, true},
		{"token", []harness.Rebalance{rb(0, 1, 0.5), rb(5, 3, 1)}, 8, 5, true},
		{"extra day", []harness.Rebalance{rb(0, 1, 0.5), rb(3), rb(5, 2, 1)}, 8, 3, true},
		{"missing day", []harness.Rebalance{rb(0, 1, 0.5)}, 8, 5, true},
	}
	for _, tt := range tests {
		day, diff := firstDifference(a, tt.b, tt.last)
		if day != tt.day || diff != tt.diff {
			t.Errorf("%s: got %d, %v, want %d, %v", tt.name, day, diff, tt.day, tt.diff)
		}
	}
}

// Benchmark one probe (a perturbed panel and its backtest) of the
// specialist on the small universe.
func BenchmarkProbe(b *testing.B) {
	p := smallUniverse(b)
	cfg, _ := strategy.New("specialist")
	newStrategy := func(*harness.Panel) harness.Strategy { return cfg.New(strategy.NewCache()) }
	bt := harness.Config{Fill: harness.Causal, FeeRate: harness.FeeRate, InitialCapital: harness.InitialCapital}
	base, err := harness.Backtest(context.Background(), p, newStrategy(p), bt)
	if err != nil {
		b.Fatal(err)
	}
	c := candlesOf(p)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := probe(context.Background(), p, c, 200, base.Rebalances, newStrategy, bt, 1); err != nil {
			b.Fatal(err)
		}
	}
}
