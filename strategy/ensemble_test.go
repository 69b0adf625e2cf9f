package strategy

import (
	"context"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"

	"gem/harness"
	"gem/synth"
)

// TestAllocateInvariants: whatever the number of states, the posterior and
// the specialists' books, the allocator's weights are non-negative and sum
// to at most 1, and it hard-switches exactly when the top posterior reaches
// the threshold.
func TestAllocateInvariants(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	e := NewEnsemble(DefaultEnsembleParams(), nil)
	for trial := range 2000 {
		books := make([][]harness.Target, 1+trial%5)
		for k := range books {
			n := rng.IntN(6)
			left := 1.0
			for range n {
				w := left * rng.Float64()
				left -= w
				books[k] = append(books[k], harness.Target{Token: rng.IntN(10), Weight: w})
			}
			// A book names each token once.
			seen := map[int]bool{}
			kept := books[k][:0]
			for _, x := range books[k] {
				if !seen[x.Token] {
					seen[x.Token] = true
					kept = append(kept, x)
				}
			}
			books[k] = kept
		}
		post := make([]float64, len(books))
		s := 0.0
		for k := range post {
			post[k] = rng.Float64()
			s += post[k]
		}
		for k := range post {
			post[k] /= s
		}
		book := func(k int, dst []harness.Target) []harness.Target { return append(dst, books[k]...) }
		got, hard := e.allocate(nil, post, book)
		sum := 0.0
		for _, x := range got {
			if !(x.Weight > 0) {
				t.Fatalf("trial %d: weight %v of token %d, want positive", trial, x.Weight, x.Token)
			}
			sum += x.Weight
		}
		if sum > 1+1e-12 {
			t.Fatalf("trial %d: weights sum to %v, want at most 1", trial, sum)
		}
		lead := argmax(post)
		if want := post[lead] >= e.P.HMM.HardSwitchThreshold; hard != want {
			t.Fatalf("trial %d: hard = %v with top posterior %v, want %v", trial, hard, post[lead], want)
		}
		if hard && !reflect.DeepEqual(got, books[lead]) && len(got)+len(books[lead]) > 0 {
			t.Fatalf("trial %d: hard switch to %s gave %v, want its book %v", trial, RegimeNames(len(post))[lead], got, books[lead])
		}
	}
	// Exactly at the threshold is a hard switch; the next float below is not.
	thr := e.P.HMM.HardSwitchThreshold
	book := func(k int, dst []harness.Target) []harness.Target {
		return append(dst, harness.Target{Token: k + 1, Weight: 0.5}) // noCall is token 0
	}
	for _, c := range []struct {
		top  float64
		hard bool
	}{{thr, true}, {math.Nextafter(thr, 0), false}} {
		rest := (1 - c.top) / 2
		if _, hard := e.allocate(nil, []float64{rest, rest, c.top}, book); hard != c.hard {
			t.Errorf("top posterior %v: hard = %v, want %v", c.top, hard, c.hard)
		}
	}
	// Without a regime call, the idle (ranging) specialist trades alone.
	if got, hard := e.allocate(nil, nil, book); hard || len(got) != 1 || got[0].Token != noCall+1 {
		t.Errorf("no regime call: got %v (hard %v), want the idle book alone", got, hard)
	}
}

// TestEnsembleCausal: in causal mode, the ensemble's rebalance days and
// targets up to day t do not change when every candle dated t or later is
// altered.
func TestEnsembleCausal(t *testing.T) {
	cfg := synth.DefaultConfig()
	cfg.Tokens, cfg.Days = 40, 420
	candles := synth.Generate(cfg)
	base, err := harness.NewPanel(candles)
	if err != nil {
		t.Fatal(err)
	}
	p := DefaultEnsembleParams()
	p.HMM.MinObservations, p.HMM.Restarts = 60, 3
	run := func(panel *harness.Panel) *harness.Run {
		r, err := harness.Backtest(context.Background(), panel, NewEnsemble(p, nil), harness.Config{FeeRate: harness.FeeRate, InitialCapital: harness.InitialCapital})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	want := run(base)
	if len(want.Rebalances) < 10 {
		t.Fatalf("only %d rebalances: the test needs a strategy that trades", len(want.Rebalances))
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for _, cut := range []int{61, 150, 300, 400} {
		altered := make([]harness.Candle, len(candles))
		for i, c := range candles {
			if int(c.Date-base.Dates[0]) >= cut {
				f := math.Exp(rng.NormFloat64() * 0.2)
				c.Open, c.High, c.Low, c.Close = c.Open*f, c.High*f*1.1, c.Low*f/1.1, c.Close*f
			}
			altered[i] = c
		}
		pb, err := harness.NewPanel(altered)
		if err != nil {
			t.Fatal(err)
		}
		got := run(pb)
		through := func(r *harness.Run) []harness.Rebalance {
			var out []harness.Rebalance
			for _, x := range r.Rebalances {
				if x.Day <= cut {
					out = append(out, x)
				}
			}
			return out
		}
		if g, w := through(got), through(want); !reflect.DeepEqual(g, w) {
			t.Errorf("cut %d: %d decisions through the cut differ from the unaltered run's %d", cut, len(g), len(w))
		}
		if reflect.DeepEqual(got.Rebalances, want.Rebalances) {
			t.Errorf("cut %d: altering the future changed nothing at all; the test is not testing", cut)
		}
	}
}
