package strategy

import (
	"fmt"
	"maps"
	"slices"
	"sync"

	"gem/harness"
	"gem/regime"
)

// Detector is a walk-forward regime detector as the ensemble consumes it:
// fed the market series one observation a day, it returns the filtered
// posterior of that day, computed from the observations so far only.
type Detector interface {
	// Step consumes the next observation (finite) and returns the
	// posterior over the detector's states, sorted by ascending mean (state
	// 0 the most bearish) and summing to 1, or nil before its first fit.
	// The slice may be overwritten by the next Step.
	Step(x float64) []float64
	// Stats reports the detector's own figures so far (refits, failed
	// fits, ...), named in snake_case.
	Stats() []regime.Stat
}

// newDetector builds a fresh detector for the ensemble's parameters and
// returns it with its number of states.
type newDetector func(p *EnsembleParams) (d Detector, states int)

// RegimeParams choose the regime detector.
type RegimeParams struct {
	// Model is the detector, one of regimeModels below: "hmm", the hidden
	// Markov model configured by HMMParams.
	Model string `param:"model" choices:"hmm|hsmm|jump|msgarch" doc:"regime detector: hmm, hsmm (explicit durations), jump (statistical jump model), msgarch (Markov-switching GARCH)"`
	// Duration is the HSMM's family of state durations and MaxDuration the
	// longest duration with its own hazard (regime.model=hsmm only).
	Duration    string `param:"hsmm_duration" choices:"negative_binomial|poisson|geometric" doc:"hsmm: family of the state durations"`
	MaxDuration int    `param:"hsmm_max_duration" min:"1" max:"365" search:"5:90" doc:"hsmm: the longest duration with its own hazard, days"`
	// JumpPenalty is the jump model's penalty on each change of state.
	JumpPenalty float64 `param:"jump_penalty" min:"0" max:"1000" search:"0:50" doc:"jump: penalty on each change of state (larger: more persistent regimes)"`
}

// regimeModels are the detectors that regime.model names. Adding one is an
// entry here and its name among the choices of RegimeParams.Model just above
// (TestRegimeModel checks that the two agree).
var regimeModels = map[string]newDetector{
	"hmm":     newHMM,
	"hsmm":    newHSMM,
	"msgarch": newMSGARCH,
	"jump":    newJump,
}

// schedule is the refit schedule the hmm.* parameters set, for every
// detector (each keeps its own default trailing window).
func schedule(s *regime.Schedule, p HMMParams) {
	s.RefitInterval, s.MinObservations = p.RefitInterval, p.MinObservations
	s.Window = max(s.Window, p.MinObservations)
}

// newHSMM is the hidden semi-Markov walker of package regime.
func newHSMM(p *EnsembleParams) (Detector, int) {
	s := regime.DefaultHSMMSettings()
	schedule(&s.Schedule, p.HMM)
	s.Fit.D = p.Regime.MaxDuration
	s.Fit.Duration = map[string]regime.Duration{"negative_binomial": regime.NegBinomial, "poisson": regime.Poisson, "geometric": regime.Geometric}[p.Regime.Duration]
	w := regime.NewHSMMWalker(s)
	return w, w.K()
}

// newMSGARCH is the Markov-switching GARCH walker of package regime.
func newMSGARCH(p *EnsembleParams) (Detector, int) {
	s := regime.DefaultMSGARCHSettings()
	schedule(&s.Schedule, p.HMM)
	w := regime.NewMSGARCHWalker(s)
	return w, w.K()
}

// newJump is the statistical jump model walker of package regime.
func newJump(p *EnsembleParams) (Detector, int) {
	s := regime.DefaultJumpSettings()
	schedule(&s.Schedule, p.HMM)
	s.Fit.Seed = uint64(p.HMM.Seed)
	s.Fit.Lambda = p.Regime.JumpPenalty
	w := regime.NewJumpWalker(s)
	return w, w.K()
}

// RegimeModels lists the regime.model choices, sorted.
func RegimeModels() []string { return slices.Sorted(maps.Keys(regimeModels)) }

// newHMM is the HMM walker of package regime.
func newHMM(p *EnsembleParams) (Detector, int) {
	ws := walkSettings(p.HMM)
	return regime.NewWalker(ws), ws.Fit.K
}

func walkSettings(p HMMParams) regime.WalkSettings {
	ws := regime.DefaultWalkSettings()
	ws.RefitInterval = p.RefitInterval
	ws.MinObservations = p.MinObservations
	ws.Fit.Restarts = p.Restarts
	ws.WarmRestarts = p.RefitRestarts
	ws.Fit.Tol = p.Tol
	ws.Fit.Seed = spreadSeed(uint64(p.Seed))
	if p.Emission == "student_t" {
		ws.Fit.Emission = regime.StudentT
	}
	return ws
}

// RegimeNames returns the names of k regime states in state order (by
// ascending mean): "bear" for state 0, "bull" for state k−1 and "ranging"
// between, numbered ranging_1, ranging_2, ... when there are several; one
// state alone is "ranging". Three states are bear, ranging, bull.
func RegimeNames(k int) []string {
	if k < 1 {
		panic(fmt.Sprintf("strategy: %d regime states, want at least 1", k))
	}
	if k == 1 {
		return []string{"ranging"}
	}
	names := make([]string, k)
	names[0], names[k-1] = "bear", "bull"
	for i := 1; i < k-1; i++ {
		names[i] = "ranging"
		if k > 3 {
			names[i] = fmt.Sprintf("ranging_%d", i)
		}
	}
	return names
}

// stateParams returns the parameters of the specialist of state i of k: the
// bear specialist's for state 0, the bull's for state k−1, the ranging
// one's between (and for a single state), as RegimeNames names them.
func (p *EnsembleParams) stateParams(i, k int) Params {
	switch {
	case k == 1 || 0 < i && i < k-1:
		return p.Ranging
	case i == 0:
		return p.Bear
	}
	return p.Bull
}

// regimeKey identifies one walk-forward regime series: the panel and every
// parameter the detector or its market series reads (the others zeroed, so
// that configurations differing only in them share the series).
type regimeKey struct {
	panel harness.PanelID
	p     EnsembleParams
}

// spreadSeed maps hmm.seed to the base seed of the walker's EM starts by
// SplitMix64's finaliser (Steele, Lea and Flood, "Fast splittable
// pseudorandom number generators", OOPSLA 2014). The walker seeds start r of
// the fit on day t with base + t·2²⁰ + r, so with the seed itself as the
// base, hmm.seed s and s+1 would share all their starts but one (seeds 1 to
// 3 of a 10-start fit share starts 3 to 10): consecutive seeds would not be
// independent draws, and --seeds would understate the noise. Mixed, two
// seeds' starts overlap only if their bases fall within about 2³² of each
// other, a chance of about 2⁻³¹.
func spreadSeed(seed uint64) uint64 {
	z := seed + 0x9e3779b97f4a7c15
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

// regimeReport is what the ensemble reports of the detector on a day.
type regimeReport struct{ Refits, FailedFits int }

// regimeKeyOf is the key of p's regime series on panel.
func regimeKeyOf(panel harness.PanelID, p EnsembleParams) regimeKey {
	k := regimeKey{panel: panel, p: p}
	k.p.Bull, k.p.Bear, k.p.Ranging, k.p.Gate, k.p.Short = Params{}, Params{}, Params{}, GateParams{}, ShortParams{}
	k.p.HMM.HardSwitchThreshold = 0
	return k
}

// regimeTable holds one key's detector output for calendar days
// [0, len(post)): the posterior usable on a day, from market observations
// through that day, and the detector's figures after that day.
type regimeTable struct {
	mu     sync.Mutex
	det    Detector
	states int
	market market
	post   [][]float64
	last   []float64 // latest posterior (carried over days without an observation)
	stats  [][]regime.Stat
	obs    []int // market observations through each day
}

func (c *Cache) regimeTable(k regimeKey, build newDetector) *regimeTable {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.regimes == nil {
		c.regimes = make(map[regimeKey]*regimeTable)
	}
	t := c.regimes[k]
	if t == nil {
		det, states := build(&k.p)
		t = &regimeTable{det: det, states: states, market: market{name: k.p.HMM.Market}}
		c.regimes[k] = t
	}
	return t
}

// regimeDay is what the detector says on one day.
type regimeDay struct {
	post  []float64     // nil before the first fit
	stats []regime.Stat // the detector's figures so far
	obs   int           // market observations so far
}

// at returns the detector's output usable on the view's decision day
// (nothing before the first day), computing the days no run has reached yet.
func (t *regimeTable) at(v *harness.View) regimeDay {
	d := v.Day()
	if d < 0 {
		return regimeDay{}
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	for day := len(t.post); day <= d; day++ {
		n := 0
		if day > 0 {
			n = t.obs[day-1]
		}
		if x, ok := t.market.observe(v, day); ok {
			n++
			if p := t.det.Step(x); p != nil {
				if len(p) != t.states {
					panic(fmt.Sprintf("strategy: regime detector gave %d probabilities, want %d", len(p), t.states))
				}
				t.last = slices.Clone(p)
			}
		}
		t.post = append(t.post, t.last)
		st := t.det.Stats()
		if day > 0 && slices.Equal(st, t.stats[day-1]) {
			st = t.stats[day-1] // most days change nothing: keep one copy
		}
		t.stats = append(t.stats, st)
		t.obs = append(t.obs, n)
	}
	return regimeDay{t.post[d], t.stats[d], t.obs[d]}
}
