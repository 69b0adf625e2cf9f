package lookahead

import (
	"context"
	"math"
	"testing"

	"gem/harness"
	"gem/strategy"
	"gem/synth"
)

// peeker is a deliberately leaky strategy: it holds the raw panel and buys
// the token whose close rises most from its view's last day to the next.
type peeker struct{ p *harness.Panel }

func (s *peeker) Cooldown(*harness.View, *harness.Account) int { return 1 }

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

func (s *peeker) Signals(v *harness.View, a *harness.Account, dst []float64) {
	for i := range dst {
		dst[i] = math.NaN()
	}
	if b := s.best(v); b >= 0 && !a.Held(b) {
		dst[b] = 1
	}
}

func (s *peeker) Targets(v *harness.View, a *harness.Account, dst []harness.Target) []harness.Target {
	if b := s.best(v); b >= 0 {
		dst = append(dst, harness.Target{Token: b, Weight: 1})
	}
	return dst
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

func TestLeakyStrategyCaught(t *testing.T) {
	p := smallUniverse(t)
	for _, fill := range []harness.FillMode{harness.Causal, harness.Reference} {
		r, err := Check(context.Background(), p, func(q *harness.Panel) harness.Strategy { return &peeker{q} }, Config{Fill: fill, Days: 8, Seed: 3})
		if err != nil {
			t.Fatal(err)
		}
		if r.Clean() || r.KnownLeakOnly() {
			t.Errorf("%s: got %d leaks (known only %v), want unknown leaks on most of %d days", fill, len(r.Leaks), r.KnownLeakOnly(), len(r.Days))
		}
	}
}

func TestBuiltinsReference(t *testing.T) {
	p := smallUniverse(t)
	cfg, _ := strategy.New("specialist")
	r, err := Check(context.Background(), p, func(*harness.Panel) harness.Strategy { return cfg.New(strategy.NewCache()) }, Config{Fill: harness.Reference, Days: 8, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", r.Leaks)
}
