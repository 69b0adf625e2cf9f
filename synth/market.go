package synth

// MarketPath is the market factor behind a universe: the hidden regime and
// the factor's daily log return, one entry per calendar day (index t is
// Start+t). Returns[t] is the log return from day t-1 to day t; Returns[0]
// moves a token listed on day 0 from its reference price to its first close.
// It is ground truth for regime detectors: no token's candles reveal it
// directly.
type MarketPath struct {
	States  []State
	Returns []float64
}

// Market returns the market factor of the universe Generate(cfg) builds.
func Market(cfg Config) MarketPath {
	return market(cfg.normalized())
}

// Stream numbers of the independent PCG streams; token i uses streamToken+i.
const (
	streamMarket = 1
	streamNames  = 2
	streamToken  = 1 << 32
)

// exitTo[s] gives, for a chain leaving state s, the probability of moving to
// the first of the other two states (in Bear, Ranging, Bull order): an
// extreme state falls back to Ranging 70% of the time; Ranging breaks out
// either way with even odds.
var exitTo = [3]struct {
	first, second State
	pFirst        float64
}{
	Bear:    {Ranging, Bull, 0.7},
	Ranging: {Bear, Bull, 0.5},
	Bull:    {Ranging, Bear, 0.7},
}

func market(c Config) MarketPath {
	m := MarketPath{States: make([]State, c.Days), Returns: make([]float64, c.Days)}
	if c.Days == 0 {
		return m
	}
	r := newSrc(c.Seed, streamMarket)
	td := newTDist(c.TailDF)
	s := State(r.intn(3))
	for t := range c.Days {
		if t > 0 && r.bernoulli(1/c.Regimes[s].Duration) {
			e := exitTo[s]
			if r.bernoulli(e.pFirst) {
				s = e.first
			} else {
				s = e.second
			}
		}
		g := c.Regimes[s]
		m.States[t] = s
		m.Returns[t] = g.Drift + float64(g.Vol*td.draw(&r))
	}
	return m
}
