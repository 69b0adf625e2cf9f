package strategy

import (
	"fmt"
	"slices"

	"gem/harness"
	"gem/space"
)

// Params are one GEM specialist's parameters. The defaults are the
// reference's.
type Params struct {
	R2Threshold       float64 `param:"r2_threshold" min:"-1" max:"1" search:"0:0.95" doc:"R² a fit must reach to be held (the R² filter)"`
	TopN              int     `param:"top_n" min:"1" max:"10000" search:"1:30" doc:"number of tokens held, highest momentum first"`
	ATRWindow         int     `param:"atr_window" min:"1" max:"100000" search:"5:60" doc:"days of the average true range behind the inverse-volatility weights"`
	FitWindow         int     `param:"fit_window" min:"0" max:"100000" search:"10:120" doc:"days of closes in each trend fit (0: all history)"`    // days; 0 = all history
	MomentumCap       float64 `param:"momentum_cap" search:"0.02:1" doc:"tokens with momentum above this are skipped as too steep (≤ 0 disables)"` // upper bound on momentum; ≤ 0 disables
	R2Exponent        float64 `param:"r2_exponent" min:"0" max:"100" search:"0:4" doc:"k in the momentum R²^k·(a1−1)·100"`
	RebalanceCooldown int     `param:"rebalance_cooldown" min:"0" max:"100000" search:"1:21" doc:"days after a rebalance before the next may happen (0 or 1: none)"` // days; 0 or 1 = none

	UseR2Filter            bool `param:"use_r2_filter" doc:"apply the R² filter"`
	UseGrowthFilter        bool `param:"use_growth_filter" doc:"hold only rising fits (a1 > 1)"`
	UseMomentumCap         bool `param:"use_momentum_cap" doc:"apply the momentum cap"`
	UseInverseVolWeighting bool `param:"use_inverse_vol_weighting" doc:"weight by inverse ATR (false: equal weights)"`
	PickLowestMomentum     bool `param:"pick_lowest_momentum" doc:"take the lowest momentum first instead of the highest (an ablation)"`

	Model FitModel `param:"fit_model" choices:"exponential|linear" doc:"trend model: exponential (least squares in price space) or linear"`
}

// DefaultParams returns the reference's defaults: r2_threshold 0.5, top_n 5,
// atr_window 15, fit_window 30, momentum_cap 0.14, r2_exponent 2,
// rebalance_cooldown 7, every filter on, highest momentum first, exponential
// fit.
func DefaultParams() Params {
	return Params{
		R2Threshold: 0.5, TopN: 5, ATRWindow: 15, FitWindow: 30, MomentumCap: 0.14,
		R2Exponent: 2.0, RebalanceCooldown: 7,
		UseR2Filter: true, UseGrowthFilter: true, UseMomentumCap: true, UseInverseVolWeighting: true,
		Model: Exponential,
	}
}

// Validate reports parameter combinations the specialist cannot run.
func (p Params) Validate() error {
	if p.FitWindow == 1 {
		return fmt.Errorf("fit_window 1 cannot fit a trend (use 0 for all history or at least 2)")
	}
	if p.Model != Exponential && p.Model != Linear {
		return fmt.Errorf("fit_model %q is not exponential or linear", p.Model)
	}
	return nil
}

func (p Params) String() string { return space.Store(specialistSpace(), &p).String() }

// Specialist is the GEM momentum specialist: fit every token, keep those
// that grow (a1 > 1), fit well (R² above the threshold) and are not already
// too steep (momentum below the cap), take the top N by momentum, and weight
// them by inverse ATR.
type Specialist struct {
	P     Params
	cache *Cache
	cands []candidate
}

type candidate struct {
	at       int // position in the day's fits
	tok      int
	momentum float64
	atr      float64
}

// NewSpecialist returns a specialist with parameters p sharing fits through
// cache (nil for a private cache).
func NewSpecialist(p Params, cache *Cache) *Specialist {
	if cache == nil {
		cache = NewCache()
	}
	return &Specialist{P: p, cache: cache}
}

// fits returns the fits of the view's decision day in token order (the
// tokens that can be fitted that day), or nil before the first day.
func (s *Specialist) fits(v *harness.View) []dayFit {
	d := v.Day()
	if d < 0 {
		return nil
	}
	k := s.key(v)
	return s.cache.table(k, v.NumTokens()).day(v, k, d)
}

func (s *Specialist) key(v *harness.View) fitKey {
	return fitKey{panel: v.Panel(), window: s.P.FitWindow, model: s.P.Model, ref: v.Fill() == harness.Reference}
}

// ranking returns the view's day's fits (positions in fits) by momentum,
// highest first (lowest first with pick_lowest_momentum), ties in token
// order.
func (s *Specialist) ranking(v *harness.View, fits []dayFit) ranked {
	if fits == nil {
		return ranked{}
	}
	k := s.key(v)
	return s.cache.table(k, v.NumTokens()).ranking(v.Day(), rankKey{s.P.R2Exponent, s.P.PickLowestMomentum}, fits)
}

// Decide implements harness.Strategy with the reference's rule (Trigger):
// past the rebalance cooldown, a token not held with positive momentum or a
// held token with negative momentum triggers a rebalance to the day's book.
func (s *Specialist) Decide(v *harness.View, a *harness.Account, dst []harness.Target) ([]harness.Target, bool) {
	if !(Trigger{Cooldown: s.P.RebalanceCooldown}).Due(a, func() bool { return s.signalsFire(v, a) }) {
		return dst[:0], false
	}
	return s.Book(v, dst), true
}

// signalsFire applies SignalsFire to each fitted token's momentum.
func (s *Specialist) signalsFire(v *harness.View, a *harness.Account) bool {
	fits := s.fits(v)
	return SignalsFire(a, len(fits), func(j int) (int, float64) {
		return int(fits[j].tok), fits[j].Momentum(s.P.R2Exponent)
	})
}

// Book returns the specialist's target book on the view's decision day in
// buy order, appended to dst[:0]: empty before the first day or when no
// token passes the filters.
func (s *Specialist) Book(v *harness.View, dst []harness.Target) []harness.Target {
	return s.portfolio(v, s.fits(v), dst)
}

// portfolio filters, ranks and weights the day's fits. The ranking of every
// fitted token by momentum is cached per day (it depends only on the fits and
// the R² exponent), so a configuration walks it from the top and stops at
// top_n candidates: the same candidates, in the same order, as filtering
// first and then stable-sorting.
func (s *Specialist) portfolio(v *harness.View, fits []dayFit, dst []harness.Target) []harness.Target {
	p := &s.P
	s.cands = s.cands[:0]
	r := s.ranking(v, fits)
	first := 0
	if p.UseMomentumCap && p.MomentumCap > 0 && !p.PickLowestMomentum {
		// Highest first: skip the run of tokens at or above the cap (NaN,
		// ranked last, fails the filter below).
		first, _ = slices.BinarySearchFunc(r.momentum, p.MomentumCap, func(m, limit float64) int {
			if m >= limit {
				return -1
			}
			return 1
		})
	}
	for j, at := range r.order[first:] {
		f := fits[at]
		m := r.momentum[first+j]
		if p.UseGrowthFilter && !(f.A1 > 1) {
			continue
		}
		if p.UseR2Filter && !(f.R2 > p.R2Threshold) {
			continue
		}
		if p.UseMomentumCap && p.MomentumCap > 0 && !(m < p.MomentumCap) {
			continue
		}
		s.cands = append(s.cands, candidate{at: int(at), momentum: m})
		if len(s.cands) == p.TopN {
			break
		}
	}
	// Only after truncation are candidates without volatility dropped, as in
	// the reference; this can leave fewer than top_n.
	kept := s.cands[:0]
	for _, c := range s.cands {
		f := &fits[c.at]
		c.tok = int(f.tok)
		c.atr = atr(v.High(c.tok)[f.start:f.end], v.Low(c.tok)[f.start:f.end], v.Close(c.tok)[f.start:f.end], p.ATRWindow, f.mean)
		if c.atr > 0 {
			kept = append(kept, c)
		}
	}
	dst = dst[:0]
	if len(kept) == 0 {
		return dst
	}
	if !p.UseInverseVolWeighting {
		for _, c := range kept {
			dst = append(dst, harness.Target{Token: c.tok, Weight: 1 / float64(len(kept))})
		}
		return dst
	}
	sum := 0.0
	for _, c := range kept {
		sum += 1 / c.atr
	}
	for _, c := range kept {
		dst = append(dst, harness.Target{Token: c.tok, Weight: (1 / c.atr) / sum})
	}
	return dst
}
