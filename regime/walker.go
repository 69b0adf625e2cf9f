package regime

import (
	"fmt"
	"math"
)

// Walker is the walk-forward regime detector of WalkForward run one
// observation at a time: Step(x) consumes the next observation and returns
// the posterior usable for a decision on that day, computed from the
// observations so far only. WalkForward is a loop over Step, so the
// posteriors of a Walker are bit-for-bit WalkForward's rows.
type Walker struct {
	ws    WalkSettings
	obs   []float64
	w     workspace
	model *Model
	filt  *Filter
	rep   WalkReport
	post  []float64
}

// NewWalker returns a walker positioned before the first observation. It
// panics if the settings are invalid.
func NewWalker(ws WalkSettings) *Walker {
	ws.check()
	return &Walker{ws: ws, rep: WalkReport{FirstDay: -1}, post: make([]float64, ws.Fit.K)}
}

// Step consumes observation x_t, t = the number of earlier calls, and returns
// the posterior P(S_t = k | x_0..x_t) under the model fitted last, or nil
// before the first successful fit.
//
// Fits are scheduled on the days t with t+1 ≥ MinObservations and
// (t+1-MinObservations) a multiple of RefitInterval, each on all
// observations x_0..x_t, the first cold (Fit.Restarts random starts) and
// later ones warm-started from the previous model (1 + WarmRestarts starts,
// ShortIter = WarmShortIter). The fit on day t uses the seed
// Fit.Seed + t·2²⁰. After a successful fit on day t the posterior of day t
// is recomputed by running the new model's forward pass over x_0..x_t;
// between fits the posterior is advanced one day with the last fitted model
// (Filter). A fit in which every start fails keeps the previous model.
//
// The returned slice is owned by the walker and overwritten by the next
// Step. Step panics if x is not finite.
func (wk *Walker) Step(x float64) []float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		panic(fmt.Sprintf("regime: walker observation %d is not finite (%v)", len(wk.obs), x))
	}
	wk.obs = append(wk.obs, x)
	t := len(wk.obs) - 1
	first := wk.ws.MinObservations - 1
	if t >= first && (t-first)%wk.ws.RefitInterval == 0 && wk.refit(t) {
		return wk.post
	}
	if wk.filt == nil {
		return nil
	}
	copy(wk.post, wk.filt.Step(x))
	return wk.post
}

// refit fits the model on day t and, on success, sets the filter and the
// posterior of day t.
func (wk *Walker) refit(t int) bool {
	s := wk.ws.Fit
	if wk.model != nil {
		s.Restarts = 1 + wk.ws.WarmRestarts
		s.ShortIter = wk.ws.WarmShortIter
	}
	s.Seed = wk.ws.Fit.Seed + uint64(t)<<20
	m, frep, err := fit(&wk.w, wk.obs, s, wk.model)
	wk.rep.FailedStarts += frep.Failed
	wk.rep.EMIter += frep.TotalIter
	if err != nil {
		wk.rep.FailedFits++
		return false
	}
	if wk.model != nil && frep.Best != 0 {
		wk.rep.WarmLost++
	}
	wk.model = m
	wk.rep.Refits++
	wk.rep.RefitDays = append(wk.rep.RefitDays, t)
	wk.rep.Models = append(wk.rep.Models, m)
	k := m.K
	ll := wk.w.forward(m, wk.obs)
	if wk.filt == nil {
		wk.filt = m.NewFilter()
		wk.rep.FirstDay = t
	} else {
		wk.filt.setModel(m)
	}
	wk.filt.setState(wk.w.alp[t*k:(t+1)*k], t+1, ll)
	copy(wk.post, wk.filt.post)
	return true
}

// Report summarises the fits so far. Its slices are shared with the walker
// and grow with later fits.
func (wk *Walker) Report() WalkReport { return wk.rep }

// Len returns the number of observations consumed.
func (wk *Walker) Len() int { return len(wk.obs) }

// reserve sizes the walker's buffers for n observations in all.
func (wk *Walker) reserve(n int) {
	if cap(wk.obs) < n {
		wk.obs = append(make([]float64, 0, n), wk.obs...)
	}
	wk.w.reset(n, wk.ws.Fit.K, wk.ws.Fit.Emission)
}
