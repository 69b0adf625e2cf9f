package regime

import (
	"fmt"
	"math"
)

// Schedule is the walk-forward schedule shared by every detector: when a
// walker refits and on how much history.
//
// Fits are due on the days t (t = 0, 1, ... counts observations) with
// t+1 ≥ MinObservations and (t+1-MinObservations) a multiple of
// RefitInterval. The fit on day t sees the trailing window
// x_max(0,t+1-Window)..x_t, so that the cost of a refit does not grow with
// the length of the history and a walk costs time linear in its days.
type Schedule struct {
	// RefitInterval is the number of days between refits, ≥ 1.
	RefitInterval int
	// MinObservations is the number of observations of the first fit.
	MinObservations int
	// Window is the largest number of trailing observations a fit sees,
	// ≥ MinObservations.
	Window int
}

func (s Schedule) check(min int) {
	switch {
	case s.RefitInterval < 1:
		panic(fmt.Sprintf("regime: Schedule.RefitInterval = %d, want ≥ 1", s.RefitInterval))
	case s.MinObservations < min:
		panic(fmt.Sprintf("regime: Schedule.MinObservations = %d, want ≥ %d", s.MinObservations, min))
	case s.Window < s.MinObservations:
		panic(fmt.Sprintf("regime: Schedule.Window = %d, want ≥ MinObservations = %d", s.Window, s.MinObservations))
	}
}

// due reports whether a fit is scheduled on day t.
func (s Schedule) due(t int) bool {
	first := s.MinObservations - 1
	return t >= first && (t-first)%s.RefitInterval == 0
}

// walkCore is the part of a walker that every detector shares: its
// schedule, the trailing window of observations and the reported figures.
type walkCore struct {
	sched Schedule
	hist  history
	tr    track
}

// detector is what a walker adds to walkCore: a model, its filter and its
// fits.
type detector interface {
	// advance filters one more observation row with the current model and
	// returns its log one-step predictive density; it is called only when
	// posterior is non-nil.
	advance(row []float64) float64
	// refit fits a model on the window ending on day t and reports
	// success; on success the posterior is that of day t under the new
	// model, and the detector has called track.fit.
	refit(t int, window []float64) bool
	// posterior returns the current posterior, nil before the first fit.
	posterior() []float64
}

// step runs one day of the protocol every walker follows, row being day
// t's observation: predictive density of row under the model in force
// (days after the first fit), filtering, the refit when due (a failed fit
// keeps the model), and the most-likely-state path.
func (c *walkCore) step(d detector, row ...float64) []float64 {
	t := c.hist.n
	c.hist.push(row...)
	if d.posterior() != nil {
		c.tr.predictive(d.advance(row))
	}
	if c.sched.due(t) && !d.refit(t, c.hist.window()) {
		c.tr.failed++
	}
	p := d.posterior()
	if p != nil {
		c.tr.observe(p)
	}
	return p
}

// history keeps the trailing window of a walker's observations, each a row
// of dim values, in a buffer of at most two windows: when it is full the
// last window-1 rows move to the front, so a push costs O(dim) amortised
// and memory does not grow with the walk.
type history struct {
	dim, win int
	buf      []float64
	n        int // rows pushed in all
}

// newHistory returns an empty history of rows of dim values keeping the
// last win rows (at most MaxInt/(2·dim), which is unbounded in practice).
func newHistory(dim, win int) history {
	return history{dim: dim, win: min(win, math.MaxInt/(2*dim))}
}

// reserve makes room for n more rows without reallocation (at most two
// windows' worth).
func (h *history) reserve(n int) {
	want := min(len(h.buf)/h.dim+n, 2*h.win) * h.dim
	if cap(h.buf) < want {
		h.buf = append(make([]float64, 0, want), h.buf...)
	}
}

// push appends one row.
func (h *history) push(row ...float64) {
	if len(h.buf) >= 2*h.win*h.dim {
		keep := (h.win - 1) * h.dim
		copy(h.buf, h.buf[len(h.buf)-keep:])
		h.buf = h.buf[:keep]
	}
	h.buf = append(h.buf, row...)
	h.n++
}

// window returns the last min(n, win) rows, flattened. The slice is shared
// with the history and valid until the next push.
func (h *history) window() []float64 {
	return h.buf[max(0, len(h.buf)-h.win*h.dim):]
}

// track accumulates the figures every walker reports in Stats: refits,
// the causal out-of-sample log-likelihood, the BIC and implied duration
// of the latest fit, and the run lengths of the most-likely-state path.
type track struct {
	refits, failed int
	fitted         bool

	oos     float64 // Σ log p(x_t | x_0..x_t-1) over days after the first fit
	oosDays int

	bic, modelDur float64 // of the latest fit

	cur        int // most likely state of the last posterior
	runs, days int // runs of the most-likely-state path and days on it
}

// predictive records log p(x_t | x_0..x_t-1) for a day after the first fit.
func (r *track) predictive(lp float64) {
	r.oos += lp
	r.oosDays++
}

// fit records a successful fit on n observations with log-likelihood ll,
// params free parameters and implied mean regime duration dur.
func (r *track) fit(ll float64, params, n int, dur float64) {
	r.refits++
	r.fitted = true
	r.bic = -2*ll + float64(params)*math.Log(float64(n))
	r.modelDur = dur
	if math.IsInf(dur, 0) || math.IsNaN(dur) {
		r.modelDur = 0 // undefined: a state that is never left
	}
}

// observe records the posterior of a day on the most-likely-state path.
func (r *track) observe(post []float64) {
	k := argmax(post)
	if r.days == 0 || k != r.cur {
		r.runs++
	}
	r.cur = k
	r.days++
}

// stats returns the common figures around the detector's own extra ones:
//
//	refits          successful fits
//	failed_fits     scheduled fits that failed (the previous model is kept)
//	...extra
//	oos_loglik      Σ_t log p(x_t | x_0..x_t-1) over the days after the
//	                first fit, each density from the model fitted last
//	                before day t (causal, out of sample); -Inf once an
//	                observation's density underflowed in every state
//	oos_days        the number of those days
//	bic             -2 ℓ + p ln n of the latest fit (ℓ its log-likelihood
//	                on its n observations, p free parameters); 0 before
//	                the first fit
//	mean_duration   mean run length, in days, of the most-likely-state path
//	                (argmax of each day's posterior), the current run
//	                counted as it stands; 0 before the first posterior
//	model_duration  the mean regime duration implied by the latest fit:
//	                days per state change at its stationary distribution
//	                (0 if undefined)
func (r *track) stats(extra ...Stat) []Stat {
	st := []Stat{{"refits", float64(r.refits)}, {"failed_fits", float64(r.failed)}}
	st = append(st, extra...)
	var md float64
	if r.runs > 0 {
		md = float64(r.days) / float64(r.runs)
	}
	return append(st,
		Stat{"oos_loglik", r.oos},
		Stat{"oos_days", float64(r.oosDays)},
		Stat{"bic", r.bic},
		Stat{"mean_duration", md},
		Stat{"model_duration", r.modelDur},
	)
}

// argmax returns the index of the largest element, the first on ties.
func argmax(p []float64) int {
	k := 0
	for i, v := range p {
		if v > p[k] {
			k = i
		}
	}
	return k
}

// chainDuration returns the mean regime duration implied by a Markov chain
// on the states: 1 / Σ_k π_k (1 - Trans[k][k]), π its stationary
// distribution; 0 (undefined) for a chain that never leaves its states, so
// that every reported figure stays finite.
func chainDuration(pi []float64, trans [][]float64) float64 {
	var rate float64
	for k, p := range pi {
		rate += p * (1 - trans[k][k])
	}
	if !(rate > 0) {
		return 0
	}
	return 1 / rate
}

// checkStep panics if the i-th walker observation x is not finite.
func checkStep(x float64, i int) {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		panic(fmt.Sprintf("regime: walker observation %d is not finite (%v)", i, x))
	}
}
