package regime

import "fmt"

// WalkSettings configures WalkForward.
type WalkSettings struct {
	// RefitInterval is the number of days between refits.
	RefitInterval int
	// MinObservations is the number of observations of the first fit.
	MinObservations int

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
}

// DefaultWalkSettings returns weekly refits from 90 observations on, with
// DefaultFitSettings for the fits and, at warm refits, the warm start plus 2
// random starts run for at most 20 iterations before the best is continued.
func DefaultWalkSettings() WalkSettings {
	return WalkSettings{
		RefitInterval:   7,
		MinObservations: 90,
		Fit:             DefaultFitSettings(),
		WarmRestarts:    2,
		WarmShortIter:   10,
	}
}

// WalkReport summarises a WalkForward run.
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
	switch {
	case ws.RefitInterval < 1:
		panic(fmt.Sprintf("regime: WalkSettings.RefitInterval = %d, want ≥ 1", ws.RefitInterval))
	case ws.MinObservations < minObs(ws.Fit.K):
		panic(fmt.Sprintf("regime: WalkSettings.MinObservations = %d, want ≥ %d", ws.MinObservations, minObs(ws.Fit.K)))
	case ws.WarmRestarts < 0:
		panic(fmt.Sprintf("regime: WalkSettings.WarmRestarts = %d, want ≥ 0", ws.WarmRestarts))
	case ws.WarmShortIter < 0:
		panic(fmt.Sprintf("regime: WalkSettings.WarmShortIter = %d, want ≥ 0", ws.WarmShortIter))
	}
}

// WalkForward computes, for each day t of obs, the regime posterior usable
// for a decision at t, P(S_t = k | obs[0..t]) under the model fitted last,
// using obs[0..t] only.
//
// Fits are scheduled on the days t with t+1 ≥ MinObservations and
// (t+1-MinObservations) a multiple of RefitInterval, each on all
// observations obs[0..t]. The fit on day t uses the seed
// Fit.Seed + t·2²⁰ (so random starts never repeat across days, and the
// result does not depend on later observations). After a successful fit on
// day t the posterior of day t is recomputed by running the new model's
// forward pass over obs[0..t]; between fits the posterior is advanced one day
// at a time with the last fitted model (Filter). A fit in which every start
// fails keeps the previous model; before the first successful fit post[t] is
// nil (no regime call).
//
// post has len(obs) rows; the non-nil rows share one backing array.
// WalkForward panics if the settings are invalid or an observation is not
// finite.
func WalkForward(obs []float64, ws WalkSettings) (post [][]float64, rep WalkReport) {
	ws.check()
	checkObs(obs)
	n, k := len(obs), ws.Fit.K
	post = make([][]float64, n)
	rep.FirstDay = -1
	first := ws.MinObservations - 1
	if n <= first {
		return post, rep
	}
	flat := make([]float64, (n-first)*k)
	row := func(t int) []float64 {
		i := t - first
		return flat[i*k : (i+1)*k : (i+1)*k]
	}

	var w workspace
	w.reset(n, k, ws.Fit.Emission)
	var model *Model
	var filt *Filter
	for t := first; t < n; t++ {
		if (t-first)%ws.RefitInterval == 0 {
			s := ws.Fit
			if model != nil {
				s.Restarts = 1 + ws.WarmRestarts
				s.ShortIter = ws.WarmShortIter
			}
			s.Seed = ws.Fit.Seed + uint64(t)<<20
			m, frep, err := fit(&w, obs[:t+1], s, model)
			rep.FailedStarts += frep.Failed
			rep.EMIter += frep.TotalIter
			if err == nil {
				if model != nil && frep.Best != 0 {
					rep.WarmLost++
				}
				model = m
				rep.Refits++
				rep.RefitDays = append(rep.RefitDays, t)
				rep.Models = append(rep.Models, m)
				ll := w.forward(m, obs[:t+1])
				if filt == nil {
					filt = m.NewFilter()
					rep.FirstDay = t
				} else {
					filt.setModel(m)
				}
				filt.setState(w.alp[t*k:(t+1)*k], t+1, ll)
				post[t] = row(t)
				copy(post[t], filt.post)
				continue
			}
			rep.FailedFits++
		}
		if filt != nil {
			post[t] = row(t)
			copy(post[t], filt.Step(obs[t]))
		}
	}
	return post, rep
}
