package synth

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"math"
	"testing"

	"gem/harness"
)

// small is a quick universe for tests: 40 tokens over two years.
func small() Config {
	c := DefaultConfig()
	c.Tokens, c.Days = 40, 730
	return c
}

func with(c Config, f func(*Config)) Config { f(&c); return c }

// hash fingerprints candles in output order, every bit included.
func hash(cs []harness.Candle) string {
	h := sha256.New()
	var b [8]byte
	for _, c := range cs {
		h.Write([]byte(c.Token))
		binary.LittleEndian.PutUint64(b[:], uint64(c.Date))
		h.Write(b[:])
		for _, v := range [...]float64{c.Open, c.High, c.Low, c.Close, c.Volume} {
			binary.LittleEndian.PutUint64(b[:], math.Float64bits(v))
			h.Write(b[:])
		}
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

func TestGenerateDeterministic(t *testing.T) {
	tests := []struct {
		name string
		a, b Config
		same bool
	}{
		{"same default config", DefaultConfig(), DefaultConfig(), true},
		{"same small config", small(), small(), true},
		{"seed 1 vs 2", small(), with(small(), func(c *Config) { c.Seed = 2 }), false},
		{"seed 0 vs 1", with(small(), func(c *Config) { c.Seed = 0 }), small(), false},
		{"tails 4 vs 5", small(), with(small(), func(c *Config) { c.TailDF = 5 }), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := Generate(tt.a), Generate(tt.b)
			if got := hash(a) == hash(b); got != tt.same {
				t.Errorf("got identical = %v, want %v (%d vs %d candles)", got, tt.same, len(a), len(b))
			}
		})
	}
}

// TestGolden pins the exact output, so a change of platform, Go version or
// code that alters a single bit is caught. If the model was changed on
// purpose, update the wanted hashes.
func TestGolden(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"default", DefaultConfig(), "d823b992af568641"},
		{"small seed 7", with(small(), func(c *Config) { c.Seed = 7 }), "26abfdfc6b6516cd"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := hash(Generate(tt.cfg)); got != tt.want {
				t.Errorf("got hash %s, want %s", got, tt.want)
			}
		})
	}
}

// TestTokensArePrefixStable checks that adding tokens leaves the existing
// ones untouched: every token has its own random stream.
func TestTokensArePrefixStable(t *testing.T) {
	few := Generate(with(small(), func(c *Config) { c.Tokens = 15 }))
	many := Generate(small())
	if got, want := hash(many[:len(few)]), hash(few); got != want {
		t.Errorf("got first 15 tokens hashing to %s, want %s", got, want)
	}
}

func TestCandlesValid(t *testing.T) {
	tests := []struct {
		name       string
		cfg        Config
		wantTokens int // -1: don't check
	}{
		{"default", DefaultConfig(), 300},
		{"small", small(), 40},
		{"one day", with(small(), func(c *Config) { c.Days = 1 }), 40},
		{"three fixed tokens", with(small(), func(c *Config) { c.Tokens = 3 }), 3},
		{"gaussian", with(small(), func(c *Config) { c.TailDF = 0 }), 40},
		{"every feature on", with(small(), func(c *Config) {
			c.ListedAtStart, c.ListWindow, c.DelistFrac, c.TrendFrac, c.CloseOnlyFrac = 1, 1, 1, 1, 1
		}), 40},
		{"every feature off", with(small(), func(c *Config) {
			c.ListedAtStart, c.ListWindow, c.DelistFrac, c.TrendFrac, c.CloseOnlyFrac = 0, 0, 0, 0, 0
		}), 40},
		{"wild market", with(small(), func(c *Config) {
			c.TailDF = 2.5
			c.Regimes = [3]Regime{{-0.05, 0.3, 5}, {0, 0.2, 5}, {0.08, 0.3, 5}}
		}), -1},
		{"flat market, start 1970", with(small(), func(c *Config) { c.Regimes, c.Start = [3]Regime{}, 0 }), 40},
		{"out-of-range fields", with(small(), func(c *Config) {
			c.TailDF, c.DelistFrac, c.TrendFrac = math.NaN(), 7, -1
			c.Regimes[Bear] = Regime{math.Inf(1), -1, math.NaN()}
		}), 40},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cs := Generate(tt.cfg)
			checkCandles(t, tt.cfg, cs)
			p, err := harness.NewPanel(cs)
			if err != nil {
				t.Fatalf("got NewPanel error %v, want nil", err)
			}
			if tt.wantTokens >= 0 && p.NumTokens() != tt.wantTokens {
				t.Errorf("got %d tokens, want %d", p.NumTokens(), tt.wantTokens)
			}
		})
	}
}

// checkCandles checks every candle and each token's run of dates.
func checkCandles(t *testing.T, cfg Config, cs []harness.Candle) {
	t.Helper()
	if len(cs) == 0 {
		t.Fatal("got no candles, want some")
	}
	seen := map[string]bool{}
	end := cfg.Start + harness.Date(cfg.Days)
	bad := 0
	for k, c := range cs {
		fail := func(format string, args ...any) {
			if bad++; bad <= 10 {
				t.Errorf("%s %s: "+format, append([]any{c.Token, c.Date}, args...)...)
			}
		}
		if k == 0 || cs[k-1].Token != c.Token {
			if seen[c.Token] {
				fail("token's candles are not contiguous")
			}
			seen[c.Token] = true
			if !validTicker(c.Token) {
				fail("got ticker %q, want 3-6 uppercase letters or digits", c.Token)
			}
		} else if c.Date != cs[k-1].Date+1 {
			fail("got date after %s, want the next day", cs[k-1].Date)
		}
		if c.Date < cfg.Start || c.Date >= end {
			fail("got date outside [%s, %s)", cfg.Start, end)
		}
		if !(c.Close > 1e-8 && c.Close < 1e12) {
			fail("got close %v, want in (1e-8, 1e12)", c.Close)
		}
		if math.IsNaN(c.Open) {
			if !math.IsNaN(c.High) || !math.IsNaN(c.Low) || !math.IsNaN(c.Volume) {
				fail("got close-only row with high %v low %v volume %v, want all NaN", c.High, c.Low, c.Volume)
			}
			continue
		}
		if !(c.Low > 1e-8 && c.High < 1e12) {
			fail("got low %v high %v, want in (1e-8, 1e12)", c.Low, c.High)
		}
		if !(c.High >= max(c.Open, c.Close)) || !(c.Low <= min(c.Open, c.Close)) {
			fail("got O %v H %v L %v C %v, want L <= O, C <= H", c.Open, c.High, c.Low, c.Close)
		}
		if !(c.Volume > 0) || math.IsInf(c.Volume, 0) {
			fail("got volume %v, want positive and finite", c.Volume)
		}
	}
}

func validTicker(s string) bool {
	if len(s) < 3 || len(s) > 6 {
		return false
	}
	for _, r := range s {
		if (r < 'A' || r > 'Z') && (r < '0' || r > '9') {
			return false
		}
	}
	return true
}

// universe summarises a generated universe per token.
type universe struct {
	cfg       Config
	first     map[string]int // day index of the first candle
	last      map[string]int
	closes    map[string][]float64
	closeOnly int // close-only rows
}

func summarise(cfg Config) universe {
	u := universe{cfg: cfg, first: map[string]int{}, last: map[string]int{}, closes: map[string][]float64{}}
	for _, c := range Generate(cfg) {
		d := int(c.Date - cfg.Start)
		if _, ok := u.first[c.Token]; !ok {
			u.first[c.Token] = d
		}
		u.last[c.Token] = d
		u.closes[c.Token] = append(u.closes[c.Token], c.Close)
		if math.IsNaN(c.Open) {
			u.closeOnly++
		}
	}
	return u
}

func (u universe) count(f func(tok string) bool) int {
	n := 0
	for tok := range u.first {
		if f(tok) {
			n++
		}
	}
	return n
}

// pegged reports whether every close of tok is within tol of 1.
func (u universe) pegged(tok string, tol float64) bool {
	for _, c := range u.closes[tok] {
		if math.Abs(c-1) > tol {
			return false
		}
	}
	return len(u.closes[tok]) > 0
}

func TestFeatures(t *testing.T) {
	u := summarise(DefaultConfig())
	days := u.cfg.Days
	bool01 := func(b bool) int {
		if b {
			return 1
		}
		return 0
	}
	depeg := func(q func(min, last float64, below int) bool) int {
		cl := u.closes["USDC"]
		lo, below := math.Inf(1), 0
		for _, c := range cl {
			lo = min(lo, c)
			if c < 0.97 {
				below++
			}
		}
		return bool01(len(cl) > 0 && q(lo, cl[len(cl)-1], below))
	}
	tests := []struct {
		name      string
		got       int
		min, max_ int
	}{
		{"tokens", len(u.first), 300, 300},
		{"BTC and ETH listed on day 0", bool01(u.first["BTC"] == 0 && u.first["ETH"] == 0), 1, 1},
		{"BTC and ETH trade to the end", bool01(u.last["BTC"] == days-1 && u.last["ETH"] == days-1), 1, 1},
		{"stablecoins within 2% of 1", u.count(func(tok string) bool { return u.pegged(tok, 0.02) }), 2, 3},
		{"USDC depegs below 0.95", depeg(func(lo, _ float64, _ int) bool { return lo < 0.95 }), 1, 1},
		{"USDC depeg lasts under 10 days", depeg(func(_, _ float64, below int) bool { return below < 10 }), 1, 1},
		{"USDC ends within 2% of 1", depeg(func(_, last float64, _ int) bool { return math.Abs(last-1) < 0.02 }), 1, 1},
		{"tokens listing late", u.count(func(tok string) bool { return u.first[tok] > 0 }), 150, 299},
		{"tokens listing in the last year", u.count(func(tok string) bool { return u.first[tok] > days-365 }), 0, 0},
		{"tokens delisting", u.count(func(tok string) bool { return u.last[tok] < days-1 }), 10, 100},
		{"close-only rows", u.closeOnly, 100, 50000},
		{"XAUT calmer than BTC", bool01(stdev(logReturns(u.closes["XAUT"])) < stdev(logReturns(u.closes["BTC"]))/2), 1, 1},
	}
	for _, tt := range tests {
		if tt.got < tt.min || tt.got > tt.max_ {
			t.Errorf("%s: got %d, want %d to %d", tt.name, tt.got, tt.min, tt.max_)
		}
	}
}

func logReturns(closes []float64) []float64 {
	r := make([]float64, 0, len(closes))
	for i := 1; i < len(closes); i++ {
		r = append(r, math.Log(closes[i]/closes[i-1]))
	}
	return r
}

func mean(x []float64) float64 {
	s := 0.0
	for _, v := range x {
		s += v
	}
	return s / float64(len(x))
}

func stdev(x []float64) float64 {
	m, s := mean(x), 0.0
	for _, v := range x {
		s += (v - m) * (v - m)
	}
	return math.Sqrt(s / float64(len(x)-1))
}

func excessKurtosis(x []float64) float64 {
	m := mean(x)
	var m2, m4 float64
	for _, v := range x {
		d := (v - m) * (v - m)
		m2 += d
		m4 += d * d
	}
	m2 /= float64(len(x))
	m4 /= float64(len(x))
	return m4/(m2*m2) - 3
}

func TestRegimes(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3, 4} {
		cfg := with(DefaultConfig(), func(c *Config) { c.Seed = seed })
		mk := Market(cfg)
		btc := logReturns(summarise(with(cfg, func(c *Config) { c.Tokens = 1 })).closes["BTC"])
		var byState [3][]float64
		var btcByState [3][]float64
		runs := 1
		for d, s := range mk.States {
			byState[s] = append(byState[s], mk.Returns[d])
			if d > 0 {
				btcByState[s] = append(btcByState[s], btc[d-1])
				if s != mk.States[d-1] {
					runs++
				}
			}
		}
		vol := func(x [3][]float64, s State) float64 { return stdev(x[s]) }
		tests := []struct {
			name     string
			got, min float64
		}{
			{"mean stay (days)", float64(cfg.Days) / float64(runs), 20},
			{"bear days", float64(len(byState[Bear])), 100},
			{"ranging days", float64(len(byState[Ranging])), 100},
			{"bull days", float64(len(byState[Bull])), 100},
			{"market vol bear/ranging", vol(byState, Bear) / vol(byState, Ranging), 1.3},
			{"market vol bull/ranging", vol(byState, Bull) / vol(byState, Ranging), 1.05},
			{"BTC vol bear/ranging", vol(btcByState, Bear) / vol(btcByState, Ranging), 1.3},
			{"market mean bull-bear", mean(byState[Bull]) - mean(byState[Bear]), 0.003},
		}
		for _, tt := range tests {
			if tt.got < tt.min {
				t.Errorf("seed %d: %s: got %.4g, want >= %g", seed, tt.name, tt.got, tt.min)
			}
		}
	}
}

func TestFatTails(t *testing.T) {
	cfg := DefaultConfig()
	btc := logReturns(summarise(with(cfg, func(c *Config) { c.Tokens = 1 })).closes["BTC"])
	eth := logReturns(summarise(with(cfg, func(c *Config) { c.Tokens = 2 })).closes["ETH"])
	tests := []struct {
		name string
		x    []float64
		min  float64
	}{
		{"market factor", Market(cfg).Returns, 1},
		{"BTC", btc, 1},
		{"ETH", eth, 1},
		{"market factor, seed 2", Market(with(cfg, func(c *Config) { c.Seed = 2 })).Returns, 1},
	}
	for _, tt := range tests {
		if got := excessKurtosis(tt.x); !(got > tt.min) {
			t.Errorf("%s: got excess kurtosis %.3g, want > %g", tt.name, got, tt.min)
		}
	}
}

// TestSamplers checks the normal and Student-t samplers' moments and the
// t's distribution function.
func TestSamplers(t *testing.T) {
	const n = 200_000
	tests := []struct {
		name                  string
		nu                    float64
		wantKurt, kurtTol     float64
		cdfAt1, wantCDF, cTol float64 // P(unscaled T <= 1)
	}{
		{"normal", 0, 0, 0.06, 1, 0.841345, 0.004},
		{"t(4)", 4, math.NaN(), 0, 1, 0.813050, 0.004},
		{"t(8)", 8, 1.5, 0.6, 1, 0.826722, 0.004},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newSrc(42, 42)
			d := newTDist(tt.nu)
			x := make([]float64, n)
			below := 0
			for i := range x {
				x[i] = d.draw(&r)
				unscaled := x[i]
				if d.scale > 0 {
					unscaled /= d.scale
				}
				if unscaled <= tt.cdfAt1 {
					below++
				}
			}
			if got := stdev(x); math.Abs(got-1) > 0.02 {
				t.Errorf("got stdev %.4f, want 1", got)
			}
			if got := mean(x); math.Abs(got) > 0.01 {
				t.Errorf("got mean %.4f, want 0", got)
			}
			if got := excessKurtosis(x); !math.IsNaN(tt.wantKurt) && math.Abs(got-tt.wantKurt) > tt.kurtTol {
				t.Errorf("got excess kurtosis %.3f, want %g ± %g", got, tt.wantKurt, tt.kurtTol)
			}
			if got := float64(below) / n; math.Abs(got-tt.wantCDF) > tt.cTol {
				t.Errorf("got P(T <= 1) = %.4f, want %.4f", got, tt.wantCDF)
			}
		})
	}
}

func TestPortableMath(t *testing.T) {
	tests := []struct {
		name      string
		f, want   func(float64) float64
		lo, hi    float64
		maxRelErr float64
	}{
		{"exp", pexp, math.Exp, -708, 709, 1e-15}, // normal (not subnormal) results
		{"log", plog, math.Log, -700, 700, 1e-15}, // arguments e**lo to e**hi
	}
	for _, tt := range tests {
		worst := 0.0
		for i := range 100_001 {
			x := tt.lo + (tt.hi-tt.lo)*float64(i)/100_000
			if tt.name == "log" {
				x = math.Exp(x)
			}
			got, want := tt.f(x), tt.want(x)
			if want != 0 {
				worst = max(worst, math.Abs(got-want)/math.Abs(want))
			} else if got != 0 {
				worst = math.Inf(1)
			}
		}
		if worst > tt.maxRelErr {
			t.Errorf("%s: got worst relative error %.3g, want <= %g", tt.name, worst, tt.maxRelErr)
		}
	}
	specials := []struct {
		name      string
		got, want float64
	}{
		{"exp(0)", pexp(0), 1},
		{"exp(1)", pexp(1), math.E},
		{"exp(-Inf)", pexp(math.Inf(-1)), 0},
		{"exp(+Inf)", pexp(math.Inf(1)), math.Inf(1)},
		{"log(1)", plog(1), 0},
		{"log(0)", plog(0), math.Inf(-1)},
		{"log(+Inf)", plog(math.Inf(1)), math.Inf(1)},
		{"log(e)", plog(math.E), 1},
	}
	for _, tt := range specials {
		if tt.got != tt.want && math.Abs(tt.got-tt.want) > 4e-16*math.Abs(tt.want) {
			t.Errorf("%s: got %v, want %v", tt.name, tt.got, tt.want)
		}
	}
	for _, x := range []float64{-1, math.NaN()} {
		if got := plog(x); !math.IsNaN(got) {
			t.Errorf("log(%v): got %v, want NaN", x, got)
		}
	}
	if got := pexp(math.NaN()); !math.IsNaN(got) {
		t.Errorf("exp(NaN): got %v, want NaN", got)
	}
}

func TestTickers(t *testing.T) {
	tests := []struct {
		name string
		n    int
	}{
		{"default universe", 294},
		{"large universe", 50_000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newSrc(1, streamNames)
			names := tickers(&r, tt.n)
			seen := map[string]bool{"BTC": true, "ETH": true, "USDC": true, "USDT": true, "DAI": true, "XAUT": true}
			if len(names) != tt.n {
				t.Fatalf("got %d names, want %d", len(names), tt.n)
			}
			for _, s := range names {
				if seen[s] || !validTicker(s) {
					t.Fatalf("got ticker %q (duplicate or malformed), want a unique 3-6 character ticker", s)
				}
				seen[s] = true
			}
		})
	}
}

func TestEdgeConfigs(t *testing.T) {
	tests := []struct {
		name       string
		cfg        Config
		wantN      int // candles; -1: don't check
		wantTokens []string
		wantErr    bool
	}{
		{"zero config", Config{}, 0, nil, true},
		{"no days", with(small(), func(c *Config) { c.Days = 0 }), 0, nil, true},
		{"negative tokens", with(small(), func(c *Config) { c.Tokens = -3 }), 0, nil, true},
		{"BTC only", with(small(), func(c *Config) { c.Tokens, c.Days = 1, 10 }), 10, []string{"BTC"}, false},
		{"fixed tokens plus one", with(small(), func(c *Config) { c.Tokens, c.Days = 7, 1 }), 7, nil, false},
		{"calendar cut at the last Date", with(small(), func(c *Config) { c.Tokens, c.Start, c.Days = 2, harness.MaxDate-4, 100 }), 10, []string{"BTC", "ETH"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cs := Generate(tt.cfg)
			if tt.wantN >= 0 && len(cs) != tt.wantN {
				t.Errorf("got %d candles, want %d", len(cs), tt.wantN)
			}
			p, err := Panel(tt.cfg)
			if (err != nil) != tt.wantErr {
				t.Fatalf("got Panel error %v, want error: %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			for _, tok := range tt.wantTokens {
				if p.TokenIndex(tok) < 0 {
					t.Errorf("got no %s, want it", tok)
				}
			}
			if len(tt.wantTokens) > 0 && p.NumTokens() != len(tt.wantTokens) {
				t.Errorf("got %d tokens, want %d", p.NumTokens(), len(tt.wantTokens))
			}
		})
	}
}

func BenchmarkGenerate(b *testing.B) {
	cfg := DefaultConfig()
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		n = len(Generate(cfg))
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "candles/s")
}

func BenchmarkPanel(b *testing.B) {
	cfg := DefaultConfig()
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		p, err := Panel(cfg)
		if err != nil {
			b.Fatal(err)
		}
		n = p.TokenDays()
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "candles/s")
}

func TestCheckSize(t *testing.T) {
	for _, tt := range []struct {
		tokens, days int
		ok           bool
	}{
		{1, 1, true}, {4670, 3121, true}, {MaxCandles, 1, true},
		{0, 10, false}, {10, 0, false}, {-1, 10, false}, {MaxCandles + 1, 1, false}, {1 << 40, 1 << 40, false},
	} {
		c := DefaultConfig()
		c.Tokens, c.Days = tt.tokens, tt.days
		if err := CheckSize(c); (err == nil) != tt.ok {
			t.Errorf("CheckSize(%d tokens, %d days) = %v, want ok %v", tt.tokens, tt.days, err, tt.ok)
		}
	}
}
