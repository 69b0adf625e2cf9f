package regime

// Walker is WalkForward one observation at a time: Step(x) consumes the
// next observation and returns the posterior usable for a decision on that
// day, from the observations so far only. It follows WalkForward's schedule
// of fits and seeds exactly, so the sequence of posteriors it returns is
// bit-for-bit WalkForward's rows.
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

// Step consumes observation x and returns the posterior P(S_t = k | obs[0..t])
// under the model fitted last, or nil before the first successful fit. The
// returned slice is owned by the walker and overwritten by the next Step.
// Step panics if x is not finite.
func (wk *Walker) Step(x float64) []float64 {
	checkObs([]float64{x})
	wk.obs = append(wk.obs, x)
	t := len(wk.obs) - 1
	first := wk.ws.MinObservations - 1
	if t < first {
		return nil
	}
	if (t-first)%wk.ws.RefitInterval == 0 {
		s := wk.ws.Fit
		if wk.model != nil {
			s.Restarts = 1 + wk.ws.WarmRestarts
			s.ShortIter = wk.ws.WarmShortIter
		}
		s.Seed = wk.ws.Fit.Seed + uint64(t)<<20
		wk.w.reset(len(wk.obs), s.K, s.Emission)
		m, frep, err := fit(&wk.w, wk.obs, s, wk.model)
		wk.rep.FailedStarts += frep.Failed
		wk.rep.EMIter += frep.TotalIter
		if err == nil {
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
			return wk.post
		}
		wk.rep.FailedFits++
	}
	if wk.filt == nil {
		return nil
	}
	copy(wk.post, wk.filt.Step(x))
	return wk.post
}

// Report summarises the fits so far.
func (wk *Walker) Report() WalkReport { return wk.rep }
