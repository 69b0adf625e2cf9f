package regime

import "math"

// JumpSettings configures a JumpWalker.
type JumpSettings struct {
	// Schedule gives the days of the refits and the trailing window each
	// fit sees.
	Schedule
	// Fit configures every fit. The fit on day t uses the seed
	// Fit.Seed + t·2²⁰; refits after the first are warm-started from the
	// previous model's centroids, with Fit.Restarts - 1 random starts.
	Fit JumpFitSettings
	// MatchLabels relabels every refit's states to match the previous
	// fit's (see matchLabels); when false they are sorted by mean at every
	// fit. The first fit's states are sorted by mean.
	MatchLabels bool
}

// DefaultJumpSettings returns weekly refits from 90 observations on, each on
// at most the last 1,460 observations (four years of days), with
// DefaultJumpFitSettings and label matching.
func DefaultJumpSettings() JumpSettings {
	return JumpSettings{
		Schedule:    Schedule{RefitInterval: 7, MinObservations: 90, Window: 1460},
		Fit:         DefaultJumpFitSettings(),
		MatchLabels: true,
	}
}

func (s JumpSettings) check() {
	s.Fit.check()
	s.Schedule.check(minObs(s.Fit.K))
}

// JumpWalker is the walk-forward statistical jump model regime detector.
// Each day's features (jumpFeatures) are computed from the observations
// through that day; fits follow the Schedule on the trailing window of
// days; after a fit on day t the online inference is restarted over the
// window with the new centroids.
//
// What its posterior means: the jump model is not a probability model, so
// Step returns the normalised max-marginals of the last state under the
// Gibbs distribution exp(-objective) of the fitted model given the
// features since the start of the window,
//
//	P_t(k) = exp(-V_t(k)) / Σ_j exp(-V_t(j)),
//	V_t(k) = ℓ_t(k) + min(V_t-1(k), min_j V_t-1(j) + λ),   ℓ_t(k) = ½‖y_t - θ_k‖²,
//
// V_t(k) the cost of the best state path through day t that ends in k (the
// forward half of jumpDP; Nystrup et al. 2020, §4, online inference). Its
// argmax is the state the model assigns to day t given days through t, and
// a large λ makes P sharp and persistent.
//
// For model choice it is scored through its implied HMM (JumpModel):
// oos_loglik adds log Σ_j w_j N(x_t; μ_j, σ²_j), w = P_t-1·Γ, Γ the implied
// transition matrix; bic is the implied HMM's on its window; model_duration
// the implied chain's.
type JumpWalker struct {
	walkCore
	s      JumpSettings
	recent []float64 // the last max(Windows) observations
	model  *JumpModel
	filt   *jumpFilter
	em     emitter
	lb, w  []float64
	obs    []float64 // window scratch
	feat   []float64
	row    []float64
}

// NewJumpWalker returns a walker positioned before the first observation.
// It panics if the settings are invalid.
func NewJumpWalker(s JumpSettings) *JumpWalker {
	s.check()
	return &JumpWalker{
		walkCore: walkCore{sched: s.Schedule, hist: newHistory(1+JumpFeatures, s.Window)},
		s:        s,
		lb:       make([]float64, s.Fit.K),
		w:        make([]float64, s.Fit.K),
		row:      make([]float64, 1+JumpFeatures),
	}
}

// K returns the number of states, the length of every posterior.
func (wk *JumpWalker) K() int { return wk.s.Fit.K }

// Model returns the model fitted last, nil before the first fit. It is
// shared with the walker.
func (wk *JumpWalker) Model() *JumpModel { return wk.model }

// jumpClip bounds the observations the jump model sees, ±1e4 (a percent
// log return of a price ratio e^100), so that its features and the implied
// HMM's moments stay finite for any finite input.
const jumpClip = 1e4

// Step consumes observation x_t and returns the posterior usable on day t
// (see JumpWalker), nil before the first successful fit. The model sees x
// clipped to ±jumpClip. The slice is owned by the walker and overwritten by
// the next Step. Step panics if x is not finite.
func (wk *JumpWalker) Step(x float64) []float64 {
	checkStep(x, wk.hist.n)
	x = min(max(x, -jumpClip), jumpClip)
	long := max(wk.s.Fit.Windows[0], wk.s.Fit.Windows[1])
	if len(wk.recent) == 2*long {
		wk.recent = append(wk.recent[:0], wk.recent[long:]...)
	}
	wk.recent = append(wk.recent, x)
	wk.row[0] = x
	jumpFeatures(wk.row[1:], wk.recent, wk.s.Fit.Windows)
	return wk.step(wk, wk.row...)
}

// Stats reports the common figures (see track.stats).
func (wk *JumpWalker) Stats() []Stat { return wk.tr.stats() }

func (wk *JumpWalker) posterior() []float64 {
	if wk.filt == nil {
		return nil
	}
	return wk.filt.post
}

// advance returns the implied HMM's predictive density of the day's
// observation given yesterday's posterior, then filters the day.
func (wk *JumpWalker) advance(row []float64) float64 {
	tr := wk.model.Implied.Trans
	for j := range wk.w {
		wk.w[j] = 0
	}
	for i, p := range wk.filt.post {
		for j, g := range tr[i] {
			wk.w[j] += p * g
		}
	}
	wk.em.logDensity(wk.lb, row[0])
	mx := wk.lb[argmax(wk.lb)]
	var s float64
	for j, l := range wk.lb {
		s += wk.w[j] * math.Exp(l-mx)
	}
	wk.filt.step(row[1:])
	return mx + math.Log(s)
}

func (wk *JumpWalker) refit(t int, win []float64) bool {
	d := 1 + JumpFeatures
	n := len(win) / d
	wk.obs = grow(wk.obs, n)
	wk.feat = grow(wk.feat, n*JumpFeatures)
	for i := range n {
		wk.obs[i] = win[i*d]
		copy(wk.feat[i*JumpFeatures:(i+1)*JumpFeatures], win[i*d+1:(i+1)*d])
	}
	s := wk.s.Fit
	s.Seed += uint64(t) << 20
	m, err := FitJump(wk.obs, wk.feat, s, wk.model)
	if err != nil {
		return false
	}
	if wk.model != nil && wk.s.MatchLabels {
		_, v := meanVar(wk.obs)
		m.permute(matchLabels(wk.model.Implied.summaries(), m.Implied.summaries(), math.Sqrt(v)))
	} else {
		m.permute(meanOrder(m.Implied.Mean))
	}
	wk.model = m
	h := m.Implied
	_, ll := h.Forward(nil, wk.obs)
	wk.tr.fit(ll, h.numParams(), n, chainDuration(h.Stationary(), h.Trans))
	wk.em.set(h)
	wk.filt = newJumpFilter(m)
	for i := range n {
		wk.filt.step(wk.feat[i*JumpFeatures : (i+1)*JumpFeatures])
	}
	return true
}
