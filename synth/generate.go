package synth

import (
	"errors"
	"math"

	"gem/harness"
)

// Bounds on the simulated prices (see doc.go).
const (
	floorPrice = 1e-7 // a close below this delists the token
	capPrice   = 1e9  // closes reflect off this ceiling
	minPrice   = 2e-8 // every output price is clamped into [minPrice, maxPrice]
	maxPrice   = 5e11
)

var (
	logFloor = plog(floorPrice)
	logCap   = plog(capPrice)
)

type kind int8

const (
	kindCrypto kind = iota // factor model
	kindStable             // pegged at 1
)

// spec is one token's parameters and schedule.
type spec struct {
	name string
	kind kind

	beta  float64 // loading on the market factor
	mu    float64 // constant daily log drift
	sigma float64 // daily idiosyncratic volatility
	trend float64 // stationary standard deviation of the trend drift
	phi   float64 // daily AR(1) coefficient of the trend drift

	logP0 float64 // log reference price: the close before the first day
	logDV float64 // log typical daily dollar volume at the reference price

	list      int     // first day with a candle
	end       int     // first day without one (scheduled delisting or Days)
	crashFrom int     // first day of the pre-delisting crash (end if none)
	crash     float64 // daily log drift added on [crashFrom, end)
	closeOnly int     // days [list, closeOnly) are close-only rows

	depegDay   int     // stablecoin: first day of the depeg (-1 if none)
	depegDepth float64 // stablecoin: log price on depegDay

	r src // the token's own random stream, positioned after the spec draws
}

// Generate returns the candles of the universe cfg describes: for each token
// in turn (BTC, ETH, USDC, USDT, DAI, XAUT, then generated tickers), its
// candles in date order from its listing to its delisting or the calendar's
// end. The result depends only on cfg and is bit-identical on every platform.
// It returns nil when cfg has no tokens or no days.
func Generate(cfg Config) []harness.Candle {
	c := cfg.normalized()
	if c.Tokens == 0 || c.Days == 0 {
		return nil
	}
	mk := market(c)
	specs := makeSpecs(c)
	n := 0
	for i := range specs {
		n += specs[i].end - specs[i].list
	}
	out := make([]harness.Candle, 0, n)
	td := newTDist(c.TailDF)
	for i := range specs {
		out = simulate(out, &specs[i], &c, &mk, &td)
	}
	return out
}

// Panel builds the harness panel of Generate(cfg).
func Panel(cfg Config) (*harness.Panel, error) {
	switch {
	case cfg.Tokens <= 0:
		return nil, errors.New("synth: config has no tokens")
	case cfg.Days <= 0:
		return nil, errors.New("synth: config has no days")
	}
	return harness.NewPanel(Generate(cfg))
}

// makeSpecs draws every token's parameters and schedule.
func makeSpecs(c Config) []spec {
	specs := make([]spec, c.Tokens)
	nFixed := min(c.Tokens, len(fixedNames))
	names := tickers(ptr(newSrc(c.Seed, streamNames)), c.Tokens-nFixed)
	for i := range specs {
		s := &specs[i]
		s.r = newSrc(c.Seed, streamToken+uint64(i))
		if i < nFixed {
			s.name = fixedNames[i]
			fixedSpec(s, c)
		} else {
			s.name = names[i-nFixed]
			cryptoSpec(s, c)
		}
	}
	return specs
}

func ptr[T any](v T) *T { return &v }

// fixedSpec fills in one of the fixed tokens, all listed on day 0.
func fixedSpec(s *spec, c Config) {
	s.end, s.crashFrom, s.depegDay = c.Days, c.Days, -1
	switch s.name {
	case "BTC":
		s.set(1, 0, 0.006, 0, 0, 7200, 2e10)
	case "ETH":
		s.set(1.15, 0.0004, 0.018, 0.001, 90, 130, 8e9)
	case "XAUT":
		s.set(0.05, 0.0002, 0.009, 0, 0, 1520, 5e6)
	case "USDC", "USDT", "DAI":
		s.kind = kindStable
		s.logDV = plog(2e8) // DAI
		switch s.name {
		case "USDC":
			s.logDV = plog(3e9)
		case "USDT":
			s.logDV = plog(2e10)
		}
		day, depth := s.r.float(), s.r.uniform(0.06, 0.13)
		if s.name == "USDC" && c.Days >= 8 {
			s.depegDay = c.Days/4 + int(day*float64(c.Days/2))
			s.depegDepth = plog(1 - depth)
		}
	}
}

// set sets a crypto token's factor loadings, trend (time constant tau in
// days; 0 for none), reference price and typical daily dollar volume.
func (s *spec) set(beta, mu, sigma, trend, tau, price, dollarVol float64) {
	s.beta, s.mu, s.sigma, s.trend = beta, mu, sigma, trend
	if tau > 0 {
		s.phi = 1 - 1/tau
	}
	s.logP0, s.logDV = plog(price), plog(dollarVol)
}

// cryptoSpec draws a generated token. Every draw is made whatever the
// config's fractions, so changing one feature leaves the others alone.
func cryptoSpec(s *spec, c Config) {
	r := &s.r
	beta := min(max(1.2+float64(0.3*r.normal()), 0.3), 2.5)
	sigma := 0.025 * pexp(r.uniform(0, plog(3.2)))
	mu := -0.0008 + float64(0.0008*r.normal())
	trending := r.float() < c.TrendFrac
	trendBig, trendSmall := r.uniform(0.003, 0.006), r.uniform(0, 0.0005)
	tauBig := r.uniform(60, 180)
	price := pexp(r.uniform(plog(1e-4), plog(1e3)))
	dollarVol := pexp(r.uniform(plog(1e5), plog(1e8)))
	if trending {
		s.set(beta, mu, sigma, trendBig, tauBig, price, dollarVol)
	} else {
		s.set(beta, mu, sigma, trendSmall, 30, price, dollarVol)
	}

	atStart := r.float() < c.ListedAtStart
	late := 1 + r.intn(max(1, int(c.ListWindow*float64(c.Days))))
	s.list = 0
	if !atStart {
		s.list = min(late, c.Days-1)
	}

	delist := r.float() < c.DelistFrac
	delistAt := r.float()
	crashes := r.float() < 0.6
	crashLen := 5 + r.intn(16)
	crashDepth := r.uniform(1, 3)
	s.end, s.crashFrom = c.Days, c.Days
	if room := c.Days - s.list - 60; delist && room > 0 {
		s.end = s.list + 60 + int(delistAt*float64(room))
		s.crashFrom = s.end
		if crashes {
			s.crashFrom = s.end - crashLen
			s.crash = -crashDepth / float64(crashLen)
		}
	}

	closeOnly := r.float() < c.CloseOnlyFrac
	closeOnlyLen := 30 + r.intn(336)
	s.closeOnly = s.list
	if closeOnly {
		s.closeOnly = s.list + closeOnlyLen
	}
	s.depegDay = -1
}

// simulate appends token s's candles to out.
func simulate(out []harness.Candle, s *spec, c *Config, mk *MarketPath, td *tdist) []harness.Candle {
	r := &s.r
	nan := math.NaN()
	trendInnov := float64(s.trend * math.Sqrt(1-float64(s.phi*s.phi)))
	a := float64(s.trend * r.normal()) // trend drift, started at its stationary law
	u := float64(0.46 * r.normal())    // volume noise, likewise
	peg := 0.0                         // stablecoin peg noise
	depeg := s.depegDepth
	prev := s.logP0
	for t := s.list; t < s.end; t++ {
		var logC, ret, sd float64
		switch s.kind {
		case kindCrypto:
			if t > s.list {
				a = float64(s.phi*a) + float64(trendInnov*r.normal())
			}
			drift := s.mu + a
			if t >= s.crashFrom {
				drift += s.crash
			}
			vm := c.Regimes[mk.States[t]].Vol
			sd = math.Sqrt(float64(float64(s.beta*s.beta)*float64(vm*vm)) + float64(s.sigma*s.sigma))
			ret = float64(s.beta*mk.Returns[t]) + drift + float64(s.sigma*td.draw(r))
			logC = prev + ret
			if logC > logCap {
				logC = 2*logCap - logC
			}
		case kindStable:
			e := min(max(td.draw(r), -8), 8)
			peg = float64(0.5*peg) + float64(0.001*e)
			logC = peg
			if s.depegDay >= 0 && t >= s.depegDay {
				logC += depeg
				depeg *= 0.6
			}
			ret = logC - prev
			sd = 0.002
		}
		if logC < logFloor {
			break // the token dies: no candle today or later
		}

		// Open: the previous close times a small gap. High and low: the
		// exact extremes of a Brownian bridge from open to close with the
		// day's volatility.
		logO := prev + float64(0.05*sd*r.normal())
		x := logC - logO
		v2 := float64(2 * sd * sd)
		hi := (x + math.Sqrt(float64(x*x)-float64(v2*plog(r.open())))) / 2
		lo := (x - math.Sqrt(float64(x*x)-float64(v2*plog(r.open())))) / 2

		// Volume in token units: dollar volume grows with the square root
		// of the price's rise since listing, spikes with the day's move
		// and the crash, and carries AR(1) noise.
		u = float64(0.9*u) + float64(0.2*r.normal())
		shock := min(math.Abs(ret)/sd, 10)
		logV := s.logDV + float64(0.5*(logC-s.logP0)) + u + float64(0.25*shock) - logC
		if t >= s.crashFrom {
			logV++
		}

		open, cl := pexp(logO), pexp(logC)
		high := max(open*pexp(hi), open, cl)
		low := min(open*pexp(lo), open, cl)
		vol := max(pexp(logV), 1e-12)
		prev = logC
		if t < s.closeOnly {
			open, high, low, vol = nan, nan, nan, nan
		}
		out = append(out, harness.Candle{
			Token:  s.name,
			Date:   c.Start + harness.Date(t),
			Open:   clampPrice(open),
			High:   clampPrice(high),
			Low:    clampPrice(low),
			Close:  clampPrice(cl),
			Volume: vol,
		})
	}
	return out
}

// clampPrice maps p into [minPrice, maxPrice], keeping NaN. It is monotone,
// so it preserves low <= open, close <= high.
func clampPrice(p float64) float64 {
	if p != p {
		return p
	}
	return min(max(p, minPrice), maxPrice)
}
