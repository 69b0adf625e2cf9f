package regime

import (
	"fmt"
	"math"
)

// MSGARCHSettings configures an MSGARCHWalker.
type MSGARCHSettings struct {
	// Schedule gives the days of the refits and the trailing window each
	// fit sees.
	Schedule
	// Fit configures every fit; the first is cold (from a Gaussian HMM
	// fitted with Fit.Start) and runs at most Fit.MaxIter BFGS iterations.
	Fit MSGARCHFitSettings
	// WarmIter bounds the BFGS iterations of a warm refit, started from
	// the previous model, ≥ 1.
	WarmIter int
	// MatchLabels relabels every refit's states to match the previous
	// fit's (by mean and log unconditional standard deviation, see
	// matchLabels); when false they are sorted by mean at every fit.
	MatchLabels bool
}

// DefaultMSGARCHSettings returns weekly refits from 90 observations on,
// each on at most the last 1,460 observations (four years of days), with
// DefaultMSGARCHFitSettings (three states, Student-t innovations), warm
// refits of at most 10 BFGS iterations and label matching. On a simulated
// series of 1,560 days, 10 iterations took no more iterations in all than
// 5 (more refits converge) and ended 14 log-likelihood units higher. It is
// the costliest detector: a warm refit on a full window takes about 18
// likelihood-and-gradient passes of 1,460 days (BenchmarkMSGARCHLogLik), so
// a walk costs milliseconds per day where the HMM's costs about one
// (BenchmarkWalkDays); a longer RefitInterval divides that.
func DefaultMSGARCHSettings() MSGARCHSettings {
	return MSGARCHSettings{
		Schedule:    Schedule{RefitInterval: 7, MinObservations: 90, Window: 1460},
		Fit:         DefaultMSGARCHFitSettings(),
		WarmIter:    10,
		MatchLabels: true,
	}
}

func (s MSGARCHSettings) check() {
	s.Fit.check()
	s.Schedule.check(minObs(s.Fit.K))
	if s.WarmIter < 1 {
		panic(fmt.Sprintf("regime: MSGARCHSettings.WarmIter = %d, want ≥ 1", s.WarmIter))
	}
}

// MSGARCHWalker is the walk-forward Markov-switching GARCH regime detector:
// Step(x) returns P(S_t = k | x_0..x_t) under the model fitted last, the
// exact forward filter of the HMP (2004) form with every state's variance
// recursion run from the start of the fit's window. It follows the protocol
// of Walker: fits on the Schedule's days on the trailing window, the first
// cold and later ones warm-started with at most WarmIter iterations (a
// cold fit when the warm one fails); after a fit on day t the filter is
// rerun over the window; a failed fit keeps the previous model.
type MSGARCHWalker struct {
	walkCore
	s     MSGARCHSettings
	w     workspace
	model *MSGARCH
	filt  *msgarchFilter
	iter  int
}

// NewMSGARCHWalker returns a walker positioned before the first
// observation. It panics if the settings are invalid.
func NewMSGARCHWalker(s MSGARCHSettings) *MSGARCHWalker {
	s.check()
	return &MSGARCHWalker{walkCore: walkCore{sched: s.Schedule, hist: newHistory(1, s.Window)}, s: s}
}

// K returns the number of states, the length of every posterior.
func (wk *MSGARCHWalker) K() int { return wk.s.Fit.K }

// Model returns the model fitted last, nil before the first fit. It is
// shared with the walker.
func (wk *MSGARCHWalker) Model() *MSGARCH { return wk.model }

// Step consumes observation x_t and returns the posterior usable on day t,
// nil before the first successful fit. The slice is owned by the walker and
// overwritten by the next Step. Step panics if x is not finite.
func (wk *MSGARCHWalker) Step(x float64) []float64 {
	checkStep(x, wk.hist.n)
	return wk.step(wk, x)
}

// Stats reports the common figures (see track.stats) with the
// optimiser's iterations summed over all fits ("bfgs_iterations").
func (wk *MSGARCHWalker) Stats() []Stat {
	return wk.tr.stats(Stat{"bfgs_iterations", float64(wk.iter)})
}

func (wk *MSGARCHWalker) posterior() []float64 {
	if wk.filt == nil {
		return nil
	}
	return wk.filt.post
}

func (wk *MSGARCHWalker) advance(row []float64) float64 {
	wk.filt.step(row[0])
	return wk.filt.lastLog
}

func (wk *MSGARCHWalker) refit(t int, obs []float64) bool {
	iter := wk.s.Fit.MaxIter
	if wk.model != nil {
		iter = wk.s.WarmIter
	}
	m, rep, err := fitMSGARCH(&wk.w, obs, wk.s.Fit, wk.model, iter)
	wk.iter += rep.Iter
	if err != nil && wk.model != nil {
		m, rep, err = fitMSGARCH(&wk.w, obs, wk.s.Fit, nil, wk.s.Fit.MaxIter)
		wk.iter += rep.Iter
	}
	if err != nil {
		return false
	}
	if wk.model != nil && wk.s.MatchLabels {
		_, v := meanVar(obs)
		m.permute(matchLabels(wk.model.summaries(), m.summaries(), math.Sqrt(v)))
	} else {
		m.permute(meanOrder(m.Mean))
	}
	wk.model = m
	wk.tr.fit(rep.LogLik, m.numParams(), len(obs), chainDuration(stationary(m.Trans), m.Trans))
	wk.filt = newMSGARCHFilter(m)
	for _, x := range obs {
		wk.filt.step(x)
	}
	return true
}
