package trial

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"gem/harness"
	"gem/search"
	"gem/strategy"
)

// universe is BTC, ETH and eight noise tokens (zero drift, 3% daily
// volatility) over 720 days; with edge, TRD rises 0.4% a day with 1%
// volatility, a trend the momentum specialist can ride.
func universe(t *testing.T, edge bool, seed uint64) *harness.Panel {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 1))
	var cs []harness.Candle
	start := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	for k, tok := range []string{"BTC", "ETH", "TRD", "N1", "N2", "N3", "N4", "N5", "N6", "N7"} {
		price, drift, vol := 100.0, 0.0, 0.03
		if tok == "TRD" && edge {
			drift, vol = 0.004, 0.01
		}
		for d := range 720 {
			open := price
			price *= math.Exp(drift + vol*rng.NormFloat64())
			date, _ := harness.ParseDate(start.AddDate(0, 0, d).Format(time.DateOnly))
			cs = append(cs, harness.Candle{Token: tok, Date: date, Open: open, High: max(open, price), Low: min(open, price), Close: price, Volume: float64(1000 + k)})
		}
	}
	p, err := harness.NewPanel(cs)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestWalkForwardEdge: with a planted persistent edge every fold selects
// the configuration that rides it (highest momentum first) and the chained
// out-of-sample run earns; without one the out-of-sample return is far
// below the in-sample best, the mark of selection on noise.
func TestWalkForwardEdge(t *testing.T) {
	run := func(edge bool) *WalkResult {
		p := universe(t, edge, 5)
		c, err := strategy.Build("specialist", "top_n=1 rebalance_cooldown=5 r2_threshold=0 use_momentum_cap=false")
		if err != nil {
			t.Fatal(err)
		}
		base := NewSpec(c, harness.Causal)
		plan := search.Plan{Phases: []search.Phase{{Params: []search.Param{{Name: "pick_lowest_momentum", Values: []any{true, false}}, {Name: "fit_window", Values: []any{20, 40}}}}}}
		wf := &WalkForward{Pool: &Pool{Env: NewEnv(p, "walkforward"), Exec: Local{Workers: 2}}, Base: base, Batch: 8, Train: 240, Test: 120,
			Method: func() (search.Method, error) { return search.NewPhased(plan, base.Params) }}
		res, err := wf.Run(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Folds) != 4 || len(res.OOS.BaseRun.Values) != 480 || res.OOS.BaseRun.First != 240 {
			t.Fatalf("%d folds, %d out-of-sample days from %d; want 4, 480, 240", len(res.Folds), len(res.OOS.BaseRun.Values), res.OOS.BaseRun.First)
		}
		return res
	}
	planted := run(true)
	for i, f := range planted.Folds {
		if v, _ := f.Best.Params.Get("pick_lowest_momentum"); v.B {
			t.Errorf("planted edge, fold %d selected the lowest momentum", i)
		}
	}
	if planted.OOS.Base.AnnualizedReturnPct < 50 {
		t.Errorf("planted edge: out-of-sample annualised %.1f%%, want the trend's (about 150%%)", planted.OOS.Base.AnnualizedReturnPct)
	}
	noise := run(false)
	meanIS := 0.0
	for _, f := range noise.Folds {
		meanIS += f.InSample / float64(len(noise.Folds))
	}
	if !(noise.OOS.Base.AnnualizedReturnPct < planted.OOS.Base.AnnualizedReturnPct/3) {
		t.Errorf("no edge: out-of-sample %.1f%% against the planted %.1f%%", noise.OOS.Base.AnnualizedReturnPct, planted.OOS.Base.AnnualizedReturnPct)
	}
	t.Logf("planted: OOS ann %.1f%% score %v; noise: OOS ann %.1f%% score %v, mean in-sample score %.3f",
		planted.OOS.Base.AnnualizedReturnPct, planted.OOS.Score, noise.OOS.Base.AnnualizedReturnPct, noise.OOS.Score, meanIS)
}

// TestChain: chained runs continue from the capital the previous one ended
// with (by hand).
func TestChain(t *testing.T) {
	a := &harness.Run{First: 3, Values: []float64{10000, 11000}, Cash: []float64{0, 0}, HHIs: []float64{1, 1}, FeesPaid: 30}
	b := &harness.Run{First: 5, Values: []float64{10000, 9000}, Cash: []float64{10000, 0}, HHIs: []float64{1, 1}, FeesPaid: 30}
	c := Chain([]*harness.Run{a, b})
	want := []float64{10000, 11000, 11000, 9900}
	for i, v := range want {
		if math.Abs(c.Values[i]-v) > 1e-9 {
			t.Errorf("value %d = %v, want %v", i, c.Values[i], v)
		}
	}
	if c.First != 3 || math.Abs(c.FeesPaid-63) > 1e-9 || c.Cash[2] != 11000 {
		t.Errorf("first %d fees %v cash %v", c.First, c.FeesPaid, c.Cash[2])
	}
}
