package strategy

import (
	"math"
	"sync"

	"gem/harness"
	"gem/regime"
)

// regimeKey identifies one walk-forward regime series: the panel, the market
// series and every setting that changes the fits.
type regimeKey struct {
	panel harness.PanelID
	hmm   HMMParams // HardSwitchThreshold is zeroed: it does not change the fits
}

// regimeTable holds one key's posteriors for calendar days [0, len(post)):
// the posterior usable on a day, from market observations through that day.
type regimeTable struct {
	mu     sync.Mutex
	walker *regime.Walker
	post   [][]float64
	last   []float64 // latest posterior (carried over days without an observation)
	// reports[d] is the walker's report after day d.
	refits, failed []int
}

func (c *Cache) regimeTable(k regimeKey) *regimeTable {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.regimes == nil {
		c.regimes = make(map[regimeKey]*regimeTable)
	}
	t := c.regimes[k]
	if t == nil {
		t = &regimeTable{walker: regime.NewWalker(walkSettings(k.hmm))}
		c.regimes[k] = t
	}
	return t
}

func walkSettings(p HMMParams) regime.WalkSettings {
	ws := regime.DefaultWalkSettings()
	ws.RefitInterval = p.RefitInterval
	ws.MinObservations = p.MinObservations
	ws.Fit.Restarts = p.Restarts
	ws.WarmRestarts = p.RefitRestarts
	ws.Fit.Tol = p.Tol
	ws.Fit.Seed = uint64(p.Seed)
	if p.Emission == "student_t" {
		ws.Fit.Emission = regime.StudentT
	}
	return ws
}

// regimeReport is what the ensemble reports of the detector on a day.
type regimeReport struct{ Refits, FailedFits int }

func (e *Ensemble) regimeKey(v *harness.View) regimeKey {
	k := regimeKey{panel: v.Panel(), hmm: e.P.HMM}
	k.hmm.HardSwitchThreshold = 0
	return k
}

// regime returns the posterior (bear, ranging, bull) usable on the view's
// decision day, nil before the first fit, and the detector's counts so far.
func (e *Ensemble) regime(v *harness.View) ([]float64, regimeReport) {
	d := v.Day()
	if d < 0 {
		return nil, regimeReport{}
	}
	k := e.regimeKey(v)
	t := e.cache.regimeTable(k)
	t.mu.Lock()
	defer t.mu.Unlock()
	for day := len(t.post); day <= d; day++ {
		if x, ok := marketReturn(v, day, k.hmm.Market); ok {
			if p := t.walker.Step(x); p != nil {
				t.last = append([]float64(nil), p...)
			}
		}
		rep := t.walker.Report()
		t.post = append(t.post, t.last)
		t.refits = append(t.refits, rep.Refits)
		t.failed = append(t.failed, rep.FailedFits)
	}
	return t.post[d], regimeReport{t.refits[d], t.failed[d]}
}

// marketReturn is the market observation of calendar day d, in percent:
// BTC's log return from its previous candle, or the mean log return of every
// token with candles on d and the day before. ok is false when there is none.
func marketReturn(v *harness.View, d int, market string) (float64, bool) {
	logret := func(tok int, consecutive bool) (float64, bool) {
		n := v.LenAt(tok, d)
		if n < 2 {
			return 0, false
		}
		days := v.CandleDays(tok)
		if int(days[n-1]) != d || (consecutive && int(days[n-2]) != d-1) {
			return 0, false
		}
		c := v.Close(tok)
		return 100 * math.Log(c[n-1]/c[n-2]), true
	}
	if market == "equal_weight" {
		sum, k := 0.0, 0
		for tok := range v.NumTokens() {
			if r, ok := logret(tok, true); ok {
				sum += r
				k++
			}
		}
		return sum / float64(k), k > 0
	}
	btc := v.TokenIndex("BTC")
	if btc < 0 {
		return 0, false
	}
	return logret(btc, false)
}
