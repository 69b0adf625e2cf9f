package regime

import "fmt"

// WalkSettings configures WalkForward and Walker.
type WalkSettings struct {
	// Schedule gives the days of the refits and the trailing window each
	// fit sees.
	Schedule

	// Fit configures every fit. The first successful fit is cold: it uses
	// Fit.Restarts random starts and Fit.ShortIter. Later refits are warm
	// started from the previous model.
	Fit FitSettings
	// WarmRestarts is the number of random starts added to the warm start
	// at each warm refit, so that a refit can leave a mode that the growing
	// sample no longer favours.
	WarmRestarts int
	// WarmShortIter is the FitSettings.ShortIter of warm refits: all starts
	// run at most WarmShortIter iterations and the best is then iterated to
	// convergence. Because the warm start begins next to an optimum this
	// keeps a refit cheap, while a random start that is already better
	// after WarmShortIter iterations still takes over.
	WarmShortIter int
	// MatchLabels relabels the states of every refit after the first to
	// match the previous fit's (matchLabels: by mean and log standard
	// deviation) instead of sorting them by mean. Off by default, which
	// keeps the walk of the reference: states sorted by mean at every fit.
	// It matters: on the BTC reference series (2,190 days, 301 refits) the
	// most likely state differs on 888 days between the two, the ranging
	// and bull states' means crossing from one refit to the next while
	// their volatilities stay apart.
	MatchLabels bool
}

// DefaultWalkSettings returns weekly refits from 90 observations on, each
// on at most the last 3,650 observations (ten years of days), with
// DefaultFitSettings for the fits and, at warm refits, the warm start plus 2
// random starts run for at most 10 iterations before the best is continued.
// On the BTC reference series (2,190 days, 301 fits) this takes about 30 EM
// iterations per refit and its final model reaches the best optimum found by
// 10 full restarts; with 5 short iterations it settled in a worse mode.
//
// The window bounds the cost of a refit, so that a walk costs time linear in
// its length; at ten years it is longer than every series the reference and
// the golden tests walk (the real panel's 3,121 days included), on which the
// walk is therefore the reference's walk on the whole history.
func DefaultWalkSettings() WalkSettings {
	return WalkSettings{
		Schedule:      Schedule{RefitInterval: 7, MinObservations: 90, Window: 3650},
		Fit:           DefaultFitSettings(),
		WarmRestarts:  2,
		WarmShortIter: 10,
	}
}

// WalkReport summarises a walk-forward run (WalkForward or Walker).
type WalkReport struct {
	Refits       int // Successful fits, the first included.
	FailedFits   int // Scheduled fits in which every start failed.
	FailedStarts int // Failed starts summed over all fits.
	FirstDay     int // First day with a posterior; -1 if no fit succeeded.
	EMIter       int // EM iterations summed over all starts of all fits.
	WarmLost     int // Warm refits won by a random start rather than the warm start.

	RefitDays []int    // Day of each successful fit.
	Models    []*Model // Model of each successful fit, states sorted by mean.
}

// Final returns the last fitted model, or nil if no fit succeeded.
func (r *WalkReport) Final() *Model {
	if len(r.Models) == 0 {
		return nil
	}
	return r.Models[len(r.Models)-1]
}

func (ws WalkSettings) check() {
	ws.Fit.check()
	ws.Schedule.check(minObs(ws.Fit.K))
	switch {
	case ws.WarmRestarts < 0:
		panic(fmt.Sprintf("regime: WalkSettings.WarmRestarts = %d, want ≥ 0", ws.WarmRestarts))
	case ws.WarmShortIter < 0:
		panic(fmt.Sprintf("regime: WalkSettings.WarmShortIter = %d, want ≥ 0", ws.WarmShortIter))
	}
}

// WalkForward computes, for each day t of obs, the regime posterior usable
// for a decision at t, P(S_t = k | obs[0..t]) under the model fitted last
// (filtered from the start of that fit's window), using obs[0..t] only. It runs a Walker over obs: see Walker.Step for the
// schedule of fits, their seeds and the filtering between fits. Before the
// first successful fit post[t] is nil (no regime call).
//
// post has len(obs) rows; the non-nil rows share one backing array.
// WalkForward panics if the settings are invalid or an observation is not
// finite.
func WalkForward(obs []float64, ws WalkSettings) (post [][]float64, rep WalkReport) {
	ws.check()
	checkObs(obs)
	n, k := len(obs), ws.Fit.K
	post = make([][]float64, n)
	first := ws.MinObservations - 1
	wk := NewWalker(ws)
	if n <= first {
		return post, wk.Report()
	}
	wk.reserve(n)
	flat := make([]float64, (n-first)*k)
	for t, x := range obs {
		if p := wk.Step(x); p != nil {
			i := t - first
			post[t] = flat[i*k : (i+1)*k : (i+1)*k]
			copy(post[t], p)
		}
	}
	return post, wk.Report()
}
