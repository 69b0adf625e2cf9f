package strategy

import (
	"math"

	"gem/harness"
	"gem/space"
)

// ShortParams are the bear specialist's short side and the book's gross
// exposure. At their ensemble defaults (count 0, gross 1) the ensemble is
// long only and unchanged; the longshort strategy turns them on.
type ShortParams struct {
	Count       int     `param:"count" min:"0" max:"1000" search:"0:10" doc:"tokens the bear specialist shorts, most negative momentum first (0: long only)"`
	R2Threshold float64 `param:"r2_threshold" min:"-1" max:"1" search:"0:0.95" doc:"R² a falling fit (a1 < 1) must reach to be shorted"`
	Share       float64 `param:"share" min:"0" max:"1" search:"0:1" doc:"share of the gross exposure given to shorts at a bear posterior of 1 (scaled by the posterior)"`
	Gross       float64 `param:"gross" min:"0.1" max:"3" search:"0.5:3" doc:"gross exposure Σ|w| of the whole book (above 1 levers; shorts and leverage need perps)"`
}

// LongShortParams are the longshort strategy's parameters: the ensemble's,
// in the same names, and the short side's (short.*).
type LongShortParams struct {
	Bull    Params       `param:"bull"`
	Bear    Params       `param:"bear"`
	Ranging Params       `param:"ranging"`
	HMM     HMMParams    `param:"hmm"`
	Regime  RegimeParams `param:"regime"`
	Gate    GateParams   `param:"gate"`
	Short   ShortParams  `param:"short"`
}

// DefaultLongShortParams are the ensemble's defaults with the short side
// on: three shorts at the bear specialist's R² threshold (0.7), half the
// book at a bear posterior of 1, gross exposure 1.
func DefaultLongShortParams() LongShortParams {
	e := DefaultEnsembleParams()
	return LongShortParams{Bull: e.Bull, Bear: e.Bear, Ranging: e.Ranging, HMM: e.HMM, Regime: e.Regime, Gate: e.Gate,
		Short: ShortParams{Count: 3, R2Threshold: 0.7, Share: 0.5, Gross: 1}}
}

// Ensemble returns the ensemble parameters the longshort strategy runs.
func (p LongShortParams) Ensemble() EnsembleParams {
	return EnsembleParams{Bull: p.Bull, Bear: p.Bear, Ranging: p.Ranging, HMM: p.HMM, Regime: p.Regime, Gate: p.Gate, Short: p.Short}
}

// longShort reports whether the short side or leverage is on.
func (p *ShortParams) longShort() bool { return p.Count > 0 || p.Gross != 1 }

// shortBook is the bear specialist's short side on the view's day: the
// falling fits (a1 < 1) above the short R² threshold, most negative
// momentum R²^k·(a1−1) first, the first Count with a positive ATR, weighted
// by inverse ATR (or equally, as the bear specialist weights) to a total of
// 1, appended to dst as positive weights.
func (e *Ensemble) shortBook(v *harness.View, dst []harness.Target) []harness.Target {
	s := e.shorts
	fits := s.fits(v)
	if fits == nil {
		return dst
	}
	r := s.ranking(v, fits)
	first := len(dst)
	sum := 0.0
	for j, at := range r.order {
		f := &fits[at]
		tok := f.tok
		if math.IsNaN(r.momentum[j]) || !(f.A1 < 1) || !(f.R2 > e.P.Short.R2Threshold) || !v.Trading(int(tok)) {
			continue
		}
		a := atr(v.High(int(tok))[f.start:f.end], v.Low(int(tok))[f.start:f.end], v.Close(int(tok))[f.start:f.end], s.P.ATRWindow, f.mean)
		if !(a > 0) {
			continue
		}
		w := 1.0
		if s.P.UseInverseVolWeighting {
			w = 1 / a
		}
		dst = append(dst, harness.Target{Token: int(tok), Weight: w})
		sum += w
		if len(dst)-first == e.P.Short.Count {
			break
		}
	}
	for k := first; k < len(dst); k++ {
		dst[k].Weight /= sum
	}
	return dst
}

// longShortBook turns the long book in e.targets into the long/short one:
// with s = share × the bear posterior (0 without a regime call or while the
// drawdown gate holds cash),
//
//	w = gross · ((1 − s) · w_long − s · w_short)
//
// netting a token on both sides; the risk-off gates scale the long side
// only, except the drawdown gate, which closes both.
func (e *Ensemble) longShortBook(v *harness.View) {
	p := &e.P.Short
	s := 0.0
	if e.post != nil && p.Count > 0 && !e.drawdown {
		s = p.Share * e.post[0]
	}
	for k := range e.targets {
		e.targets[k].Weight *= p.Gross * (1 - s)
	}
	if s == 0 {
		return
	}
	e.buf = e.shortBook(v, e.buf[:0])
	for _, t := range e.buf {
		w := -p.Gross * s * t.Weight
		merged := false
		for k := range e.targets {
			if e.targets[k].Token == t.Token {
				e.targets[k].Weight += w
				merged = true
			}
		}
		if !merged {
			e.targets = append(e.targets, harness.Target{Token: t.Token, Weight: w})
		}
	}
	kept := e.targets[:0]
	for _, t := range e.targets {
		if t.Weight != 0 {
			kept = append(kept, t)
		}
	}
	e.targets = kept
}

// LongShortConfig is the ensemble with the bear specialist's short side on
// (DefaultLongShortParams): a book of perps.
type LongShortConfig struct{ P LongShortParams }

func (c *LongShortConfig) Name() string        { return "longshort" }
func (c *LongShortConfig) Params() any         { return &c.P }
func (c *LongShortConfig) Validate() error     { return c.P.Ensemble().Validate() }
func (c *LongShortConfig) Space() *space.Space { return longShortSpace() }
func (c *LongShortConfig) Clone() Config       { d := *c; return &d }
func (c *LongShortConfig) New(cache *Cache) harness.Strategy {
	return NewEnsemble(c.P.Ensemble(), cache)
}
