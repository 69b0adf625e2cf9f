package regime

import "math"

// Walker is the walk-forward regime detector of WalkForward run one
// observation at a time: Step(x) consumes the next observation and returns
// the posterior usable for a decision on that day, computed from the
// observations so far only. WalkForward is a loop over Step, so the
// posteriors of a Walker are bit-for-bit WalkForward's rows.
type Walker struct {
	walkCore
	ws    WalkSettings
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
	return &Walker{
		walkCore: walkCore{sched: ws.Schedule, hist: newHistory(1, ws.Window)},
		ws:       ws,
		rep:      WalkReport{FirstDay: -1},
		post:     make([]float64, ws.Fit.K),
	}
}

// K returns the number of states, the length of every posterior.
func (wk *Walker) K() int { return wk.ws.Fit.K }

// Step consumes observation x_t, t = the number of earlier calls, and returns
// the posterior P(S_t = k | x_0..x_t) under the model fitted last, or nil
// before the first successful fit.
//
// Fits are due on the days of the Schedule, each on the trailing window
// x_max(0,t+1-Window)..x_t, the first cold (Fit.Restarts random starts) and
// later ones warm-started from the previous model (1 + WarmRestarts starts,
// ShortIter = WarmShortIter). The fit on day t uses the seed
// Fit.Seed + t·2²⁰. After a successful fit on day t the posterior of day t
// is recomputed by running the new model's forward pass over its window;
// between fits the posterior is advanced one day with the last fitted model
// (Filter). A fit in which every start fails keeps the previous model. The
// states of a fit are sorted by mean, or matched to the previous fit's with
// MatchLabels.
//
// The returned slice is owned by the walker and overwritten by the next
// Step. Step panics if x is not finite.
func (wk *Walker) Step(x float64) []float64 {
	checkStep(x, wk.hist.n)
	return wk.step(wk, x)
}

func (wk *Walker) posterior() []float64 {
	if wk.filt == nil {
		return nil
	}
	return wk.post
}

func (wk *Walker) advance(row []float64) float64 {
	copy(wk.post, wk.filt.Step(row[0]))
	return wk.filt.lastLog
}

// refit fits the model on day t and, on success, sets the filter and the
// posterior of day t.
func (wk *Walker) refit(t int, obs []float64) bool {
	s := wk.ws.Fit
	if wk.model != nil {
		s.Restarts = 1 + wk.ws.WarmRestarts
		s.ShortIter = wk.ws.WarmShortIter
	}
	s.Seed = wk.ws.Fit.Seed + uint64(t)<<20
	m, frep, err := fit(&wk.w, obs, s, wk.model)
	wk.rep.FailedStarts += frep.Failed
	wk.rep.EMIter += frep.TotalIter
	if err != nil {
		wk.rep.FailedFits++
		return false
	}
	if wk.model != nil && frep.Best != 0 {
		wk.rep.WarmLost++
	}
	if wk.model != nil && wk.ws.MatchLabels {
		_, v := meanVar(obs)
		m.permute(matchLabels(wk.model.summaries(), m.summaries(), math.Sqrt(v)))
	}
	wk.model = m
	wk.rep.Refits++
	wk.rep.RefitDays = append(wk.rep.RefitDays, t)
	wk.rep.Models = append(wk.rep.Models, m)
	wk.tr.fit(frep.LogLik, m.numParams(), len(obs), chainDuration(m.Stationary(), m.Trans))
	k := m.K
	ll := wk.w.forward(m, obs)
	if wk.filt == nil {
		wk.filt = m.NewFilter()
		wk.rep.FirstDay = t
	} else {
		wk.filt.setModel(m)
	}
	n := len(obs)
	wk.filt.setState(wk.w.alp[(n-1)*k:n*k], n, ll)
	copy(wk.post, wk.filt.post)
	return true
}

// Report summarises the fits so far. Its slices are shared with the walker
// and grow with later fits.
func (wk *Walker) Report() WalkReport { return wk.rep }

// Len returns the number of observations consumed.
func (wk *Walker) Len() int { return wk.hist.n }

// reserve sizes the walker's buffers for n observations in all.
func (wk *Walker) reserve(n int) {
	wk.hist.reserve(n)
	wk.w.reset(min(n, wk.ws.Window), wk.ws.Fit.K, wk.ws.Fit.Emission)
}
