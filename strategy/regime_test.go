package strategy

import (
	"context"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"gem/harness"
	"gem/regime"
	"gem/synth"
)

// cycler is a fake k-state detector: its n-th posterior puts all mass on
// state n mod k.
type cycler struct {
	k, n int
	post []float64
}

func (c *cycler) Step(float64) []float64 {
	c.post = make([]float64, c.k)
	c.post[c.n%c.k] = 1
	c.n++
	return c.post
}

func (c *cycler) Stats() []regime.Stat { return []regime.Stat{{Name: "steps", Value: float64(c.n)}} }

// TestEnsembleStates: with a fake detector of k states the ensemble builds
// one specialist per state with that state's parameters, counts the days of
// each state under its name, and trades each state's specialist.
func TestEnsembleStates(t *testing.T) {
	cfg := synth.DefaultConfig()
	cfg.Tokens, cfg.Days = 30, 300
	p, err := synth.Panel(cfg)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		k       int
		names   []string
		windows []int // fit windows of the states' specialists
	}{
		{2, []string{"bear", "bull"}, []int{20, 40}},
		{3, []string{"bear", "ranging", "bull"}, []int{20, 30, 40}},
		{4, []string{"bear", "ranging_1", "ranging_2", "bull"}, []int{20, 30, 30, 40}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.names, ","), func(t *testing.T) {
			ep := DefaultEnsembleParams()
			ep.Regime.Model = "cycler" // a key of its own in the cache
			ep.Bear.FitWindow, ep.Ranging.FitWindow, ep.Bull.FitWindow = 20, 30, 40
			for _, s := range []*Params{&ep.Bear, &ep.Ranging, &ep.Bull} {
				s.RebalanceCooldown = 0 // every state's book is built on its days
			}
			ep.Gate.Trend, ep.Gate.Drawdown = false, false
			cache := NewCache()
			var det *cycler
			e := newEnsemble(ep, cache, func(*EnsembleParams) (Detector, int) { det = &cycler{k: tt.k}; return det, tt.k })
			run, err := harness.Backtest(context.Background(), p, e, harness.Config{FeeRate: harness.FeeRate, InitialCapital: harness.InitialCapital})
			if err != nil {
				t.Fatal(err)
			}
			st := &e.Stats
			if !slices.Equal(st.Regimes, tt.names) || len(st.RegimeDays) != tt.k || len(e.spec) != tt.k {
				t.Fatalf("regimes %v with days %v and %d specialists, want %v", st.Regimes, st.RegimeDays, len(e.spec), tt.names)
			}
			for i, s := range e.spec {
				if s.P.FitWindow != tt.windows[i] || s.P != ep.stateParams(i, tt.k) {
					t.Errorf("state %d (%s): specialist with fit window %d, want %d", i, tt.names[i], s.P.FitWindow, tt.windows[i])
				}
			}
			// A market observation every day but the first two (no view,
			// then BTC's first candle): the cycle starts on the third.
			called := len(run.Values) - 2
			if st.NoRegimeDays != 2 || st.MarketDays != called || st.HardDays != called || st.BlendDays != 0 {
				t.Errorf("no-call %d, market %d, hard %d, blend %d days; want 2, %d, %d, 0", st.NoRegimeDays, st.MarketDays, st.HardDays, st.BlendDays, called, called)
			}
			for i, n := range st.RegimeDays {
				if want := (called + tt.k - 1 - i) / tt.k; n != want {
					t.Errorf("%s: %d days, want %d", tt.names[i], n, want)
				}
			}
			if want := []regime.Stat{{Name: "steps", Value: float64(called)}}; !reflect.DeepEqual(st.Detector, want) {
				t.Errorf("detector stats %v, want %v", st.Detector, want)
			}
			for d, post := range st.Posteriors {
				if d >= 2 && argmax(post) != (d-2)%tt.k {
					t.Fatalf("day %d: posterior %v, want state %d", d, post, (d-2)%tt.k)
				}
			}
			// Every state's specialist computed its fits: one table per
			// distinct window.
			for _, w := range tt.windows {
				found := false
				for k := range cache.tables {
					found = found || k.window == w
				}
				if !found {
					t.Errorf("no fits with window %d: that state's specialist never traded", w)
				}
			}
			if len(run.Rebalances) < 20 {
				t.Errorf("only %d rebalances", len(run.Rebalances))
			}
		})
	}
}

// TestRegimeNames checks the names and the specialists' parameters of
// every state for one to five states.
func TestRegimeNames(t *testing.T) {
	p := DefaultEnsembleParams()
	want := map[int][]string{
		1: {"ranging"},
		2: {"bear", "bull"},
		3: {"bear", "ranging", "bull"},
		4: {"bear", "ranging_1", "ranging_2", "bull"},
		5: {"bear", "ranging_1", "ranging_2", "ranging_3", "bull"},
	}
	family := map[string]Params{"bear": p.Bear, "ranging": p.Ranging, "bull": p.Bull}
	for k, names := range want {
		if got := RegimeNames(k); !slices.Equal(got, names) {
			t.Errorf("RegimeNames(%d) = %v, want %v", k, got, names)
		}
		for i, name := range names {
			if got, want := p.stateParams(i, k), family[strings.TrimRight(strings.TrimRight(name, "0123456789"), "_")]; got != want {
				t.Errorf("state %d of %d (%s): parameters %v, want %v", i, k, name, got, want)
			}
		}
	}
}

// TestRegimeModel: regime.model names a detector; an unknown one is an
// error naming the choices.
func TestRegimeModel(t *testing.T) {
	p := DefaultEnsembleParams()
	if p.Regime.Model != "hmm" || p.Validate() != nil || !slices.Equal(RegimeModels(), []string{"hmm", "hsmm", "jump", "msgarch"}) {
		t.Fatalf("default model %q (valid: %v), models %v", p.Regime.Model, p.Validate(), RegimeModels())
	}
	q, err := ensembleSpace().Lookup("regime.model")
	if err != nil {
		t.Fatal(err)
	}
	if choices := q.Choices; !slices.Equal(choices, RegimeModels()) {
		t.Errorf("regime.model choices %v, detectors %v: they must agree", choices, RegimeModels())
	}
	p.Regime.Model = "tarot"
	if err := p.Validate(); err == nil || !strings.Contains(err.Error(), `"tarot"`) || !strings.Contains(err.Error(), "hmm") {
		t.Errorf("unknown model: got %v, want an error naming it and the choices", err)
	}
}

// TestNoBTC: on data without BTC the default market series has nothing to
// watch; CheckData says so before a run and MarketDays is 0 after one, while
// the equal-weight series still runs the detector.
func TestNoBTC(t *testing.T) {
	cfg := synth.DefaultConfig()
	cfg.Tokens, cfg.Days = 20, 200
	var candles []harness.Candle
	for _, c := range synth.Generate(cfg) {
		if c.Token != "BTC" {
			candles = append(candles, c)
		}
	}
	p, err := harness.NewPanel(candles)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		market  string
		wantErr bool
	}{{MarketBTC, true}, {MarketEqualWeight, false}, {MarketTop10, false}} {
		ep := DefaultEnsembleParams()
		ep.HMM.Market, ep.HMM.MinObservations = tt.market, 60
		err := ep.CheckData(p)
		if (err != nil) != tt.wantErr || tt.wantErr && !strings.Contains(err.Error(), "BTC") {
			t.Errorf("%s: CheckData = %v, want an error: %v", tt.market, err, tt.wantErr)
		}
		e := NewEnsemble(ep, nil)
		if _, err := harness.Backtest(context.Background(), p, e, harness.Config{FeeRate: harness.FeeRate, InitialCapital: harness.InitialCapital}); err != nil {
			t.Fatal(err)
		}
		if ran := e.Stats.MarketDays > 0 && e.Stats.NoRegimeDays < p.NumDays(); ran == tt.wantErr {
			t.Errorf("%s: %d market days, %d days without a regime call of %d", tt.market, e.Stats.MarketDays, e.Stats.NoRegimeDays, p.NumDays())
		}
	}
}

// TestTop10Market checks the top-10 index on a hand-built panel: twelve
// tokens whose dollar volumes rank them, one that stops trading, one
// without volumes, and a day on which a big token has no candle.
func TestTop10Market(t *testing.T) {
	start, _ := harness.ParseDate("2024-01-01")
	const days = 45
	var cs []harness.Candle
	// Token i (T00..T11) closes at (1+i/100)^d on day d with volume 10·i
	// (dollar volume rising with i); T11 has no candle on day 40; T10 has
	// no volumes; T09 lists on day 20.
	name := func(i int) string { return "T" + string(rune('0'+i/10)) + string(rune('0'+i%10)) }
	for i := range 12 {
		for d := range days {
			if i == 11 && d == 40 || i == 9 && d < 20 {
				continue
			}
			c := math.Pow(1+float64(i)/100, float64(d))
			vol := 10 * float64(i)
			if i == 10 {
				vol = math.NaN()
			}
			cs = append(cs, harness.Candle{Token: name(i), Date: start + harness.Date(d), Open: c, High: c, Low: c, Close: c, Volume: vol})
		}
	}
	p, err := harness.NewPanel(cs)
	if err != nil {
		t.Fatal(err)
	}
	// The expected constituents, by dollar volume over the 30 days before:
	// the ten largest of the tokens with candles on the day and the day
	// before. T00 (volume 0) and T10 (no volumes) tie last; T00 has the
	// lower index.
	want := func(d int) []int {
		var c []int
		switch {
		case d <= 20: // T09 not listed, or listing (no return yet)
			c = []int{11, 8, 7, 6, 5, 4, 3, 2, 1, 0}
		case d == 40 || d == 41: // T11 has no candle on 40 (so no return on 40 or 41)
			c = []int{9, 8, 7, 6, 5, 4, 3, 2, 1, 0}
		default:
			c = []int{11, 9, 8, 7, 6, 5, 4, 3, 2, 1}
		}
		return c
	}
	s := strategyFunc(func(v *harness.View, a *harness.Account, dst []harness.Target) ([]harness.Target, bool) {
		d := v.Day()
		if d < 1 {
			return dst[:0], false
		}
		m := market{name: MarketTop10}
		got, ok := m.observe(v, d)
		sum := 0.0
		for _, i := range want(d) {
			sum += 100 * math.Log(v.Close(i)[v.Len(i)-1]/v.Close(i)[v.Len(i)-2])
		}
		if w := sum / 10; !ok || math.Abs(got-w) > 1e-12*math.Abs(w) {
			t.Errorf("day %d: index return %v (%v), want %v", d, got, ok, w)
		}
		return dst[:0], false
	})
	if _, err := harness.Backtest(context.Background(), p, s, harness.Config{Fill: harness.Reference, InitialCapital: 1}); err != nil {
		t.Fatal(err)
	}
}

// TestMarketCausal: every market series' observation of day d is the same
// when every candle dated after d is altered (volumes included, which pick
// the top-10 constituents).
func TestMarketCausal(t *testing.T) {
	cfg := synth.DefaultConfig()
	cfg.Tokens, cfg.Days = 40, 200
	candles := synth.Generate(cfg)
	base, err := harness.NewPanel(candles)
	if err != nil {
		t.Fatal(err)
	}
	series := func(p *harness.Panel, name string) []float64 {
		var out []float64
		m := market{name: name}
		s := strategyFunc(func(v *harness.View, a *harness.Account, dst []harness.Target) ([]harness.Target, bool) {
			if d := v.Day(); d >= 0 {
				x, ok := m.observe(v, d)
				if !ok {
					x = math.NaN()
				}
				out = append(out, x)
			}
			return dst[:0], false
		})
		if _, err := harness.Backtest(context.Background(), p, s, harness.Config{Fill: harness.Reference, InitialCapital: 1}); err != nil {
			t.Fatal(err)
		}
		return out
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for _, name := range []string{MarketBTC, MarketEqualWeight, MarketTop10} {
		want := series(base, name)
		for _, cut := range []int{31, 100, 170} {
			altered := slices.Clone(candles)
			for i := range altered {
				if c := &altered[i]; int(c.Date-base.Dates[0]) > cut {
					f := math.Exp(rng.NormFloat64() * 0.3)
					c.Open, c.High, c.Low, c.Close = c.Open*f, c.High*f, c.Low*f, c.Close*f
					c.Volume *= math.Exp(rng.NormFloat64() * 2)
				}
			}
			q, err := harness.NewPanel(altered)
			if err != nil {
				t.Fatal(err)
			}
			got := series(q, name)
			same := func(a, b float64) bool { return a == b || math.IsNaN(a) && math.IsNaN(b) }
			if !slices.EqualFunc(got[:cut+1], want[:cut+1], same) {
				t.Errorf("%s, cut %d: the series through the cut changed", name, cut)
			}
			if slices.EqualFunc(got, want, same) {
				t.Errorf("%s, cut %d: altering the future changed nothing; the test is not testing", name, cut)
			}
		}
	}
}
