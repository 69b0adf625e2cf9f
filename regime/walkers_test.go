package regime

import (
	"encoding/binary"
	"math"
	"math/rand/v2"
	"regexp"
	"testing"
)

// detectorWalker is the method set every walk-forward detector provides
// (the consumer's interface in package strategy).
type detectorWalker interface {
	Step(x float64) []float64
	Stats() []Stat
	K() int
}

// walkerCases are the detectors with test settings: a short schedule so
// that a few hundred days see many refits and a window that slides.
func walkerCases() []struct {
	name string
	new  func() detectorWalker
} {
	sch := Schedule{RefitInterval: 10, MinObservations: 60, Window: 150}
	return []struct {
		name string
		new  func() detectorWalker
	}{
		{"hmm", func() detectorWalker {
			s := DefaultWalkSettings()
			s.Schedule, s.Fit.Restarts = sch, 3
			return NewWalker(s)
		}},
		{"hmm_matched", func() detectorWalker {
			s := DefaultWalkSettings()
			s.Schedule, s.Fit.Restarts, s.MatchLabels = sch, 3, true
			return NewWalker(s)
		}},
		{"hsmm", func() detectorWalker {
			s := DefaultHSMMSettings()
			s.Schedule, s.Fit.Start.Restarts, s.Fit.D = sch, 3, 15
			return NewHSMMWalker(s)
		}},
		{"hsmm_poisson", func() detectorWalker {
			s := DefaultHSMMSettings()
			s.Schedule, s.Fit.Start.Restarts, s.Fit.D, s.Fit.Duration = sch, 3, 15, Poisson
			return NewHSMMWalker(s)
		}},
		{"msgarch", func() detectorWalker {
			s := DefaultMSGARCHSettings()
			s.Schedule, s.Fit.Start.Restarts = sch, 3
			return NewMSGARCHWalker(s)
		}},
		{"msgarch_gaussian", func() detectorWalker {
			s := DefaultMSGARCHSettings()
			s.Schedule, s.Fit.Start.Restarts, s.Fit.Innovation = sch, 3, Gaussian
			return NewMSGARCHWalker(s)
		}},
		{"jump", func() detectorWalker {
			s := DefaultJumpSettings()
			s.Schedule, s.Fit.Restarts = sch, 3
			return NewJumpWalker(s)
		}},
	}
}

// walk steps w over obs and returns a copy of every posterior.
func walk(w detectorWalker, obs []float64) [][]float64 {
	out := make([][]float64, len(obs))
	for t, x := range obs {
		if p := w.Step(x); p != nil {
			if len(p) != w.K() {
				panic("posterior length is not K")
			}
			out[t] = append([]float64(nil), p...)
		}
	}
	return out
}

// TestWalkersCausalDeterministic checks, for every detector, that the
// posterior of day t is bit-identical when the data after t change, that
// two runs agree bit for bit, that every posterior is a probability vector
// and that the figures are finite and named in snake_case.
func TestWalkersCausalDeterministic(t *testing.T) {
	obs, _ := benchModel().Sample(330, 21)
	snake := regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	for _, tc := range walkerCases() {
		t.Run(tc.name, func(t *testing.T) {
			base := walk(tc.new(), obs)
			again := walk(tc.new(), obs)
			first := -1
			for u := range base {
				if base[u] != nil && first < 0 {
					first = u
				}
				if (base[u] == nil) != (again[u] == nil) {
					t.Fatalf("day %d: rerun nil = %t, first run nil = %t", u, again[u] == nil, base[u] == nil)
				}
				for k := range base[u] {
					if base[u][k] != again[u][k] {
						t.Fatalf("day %d state %d: rerun %v, first run %v", u, k, again[u][k], base[u][k])
					}
				}
			}
			if first < 59 || (first-59)%10 != 0 {
				t.Fatalf("first posterior on day %d, want a refit day 59 + 10i", first)
			}
			checkRows(t, tc.name, base[first:])
			rng := rand.New(rand.NewPCG(3, 3))
			for _, day := range []int{59, 60, 69, 70, 151, 209, 328} {
				alt := append([]float64(nil), obs...)
				for i := day + 1; i < len(alt); i++ {
					alt[i] = 8 * rng.NormFloat64()
				}
				post := walk(tc.new(), alt)
				for u := 0; u <= day; u++ {
					for k := range base[u] {
						if post[u][k] != base[u][k] {
							t.Fatalf("future altered after day %d: post[%d][%d] = %v, want %v", day, u, k, post[u][k], base[u][k])
						}
					}
				}
			}
			w := tc.new()
			walk(w, obs)
			got := map[string]float64{}
			for _, s := range w.Stats() {
				if !snake.MatchString(s.Name) || math.IsNaN(s.Value) || math.IsInf(s.Value, 0) {
					t.Errorf("stat %q = %v, want a snake_case name and a finite value", s.Name, s.Value)
				}
				got[s.Name] = s.Value
			}
			t.Logf("%v", w.Stats())
			if want := float64(len(obs) - first - 1); got["oos_days"] != want {
				t.Errorf("oos_days = %v, want %v (days after the first fit)", got["oos_days"], want)
			}
			if want := float64((len(obs) - 59 + 9) / 10); got["refits"]+got["failed_fits"] != want {
				t.Errorf("refits %v + failed %v, want %v scheduled", got["refits"], got["failed_fits"], want)
			}
			if !(got["oos_loglik"] < 0) || !(got["mean_duration"] >= 1) || !(got["bic"] > 0) {
				t.Errorf("oos_loglik %v, mean_duration %v, bic %v: want < 0, ≥ 1, > 0", got["oos_loglik"], got["mean_duration"], got["bic"])
			}
		})
	}
}

// TestWalkersExtreme feeds every detector crash-sized and overflowing
// observations: posteriors stay probability vectors and the reported
// figures other than oos_loglik (-Inf when an observation's density
// underflows in every state) stay finite.
func TestWalkersExtreme(t *testing.T) {
	obs, _ := benchModel().Sample(330, 21)
	for _, i := range []int{100, 150, 200, 250} {
		obs[i], obs[i+1], obs[i+3] = 1e150, -1e150, 1e300
	}
	for _, tc := range walkerCases() {
		t.Run(tc.name, func(t *testing.T) {
			w := tc.new()
			post := walk(w, obs)
			for u := range post {
				if post[u] != nil {
					checkRows(t, tc.name, post[u:])
					break
				}
			}
			for _, s := range w.Stats() {
				if s.Name != "oos_loglik" && (math.IsNaN(s.Value) || math.IsInf(s.Value, 0)) {
					t.Errorf("%s = %v, want finite", s.Name, s.Value)
				}
			}
		})
	}
}

// fuzzObs decodes data into observations: little-endian int16s scaled to
// ±32 percent, with every 97th value blown up to a crash-sized move.
func fuzzObs(data []byte) []float64 {
	obs := make([]float64, 0, len(data)/2)
	for i := 0; i+1 < len(data) && len(obs) < 400; i += 2 {
		x := float64(int16(binary.LittleEndian.Uint16(data[i:]))) / 1024
		if len(obs)%97 == 96 {
			x *= 1e3
		}
		obs = append(obs, x)
	}
	return obs
}

// fuzzWalker checks that every posterior of w over data is a probability
// vector of length K: entries in [0, 1] summing to 1 within 1e-9.
func fuzzWalker(f *testing.F, name string) {
	var mk func() detectorWalker
	for _, tc := range walkerCases() {
		if tc.name == name {
			mk = tc.new
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 61, 200} {
		b := make([]byte, 2*n)
		for i := range b {
			b[i] = byte(rng.IntN(256))
		}
		f.Add(b)
	}
	f.Add(make([]byte, 300)) // constant series: zero variance
	f.Fuzz(func(t *testing.T, data []byte) {
		w := mk()
		for u, x := range fuzzObs(data) {
			p := w.Step(x)
			if p == nil {
				continue
			}
			if len(p) != w.K() {
				t.Fatalf("day %d: posterior has %d states, want %d", u, len(p), w.K())
			}
			var s float64
			for k, v := range p {
				if !(v >= 0 && v <= 1) {
					t.Fatalf("day %d: posterior[%d] = %v, want in [0, 1]", u, k, v)
				}
				s += v
			}
			if math.Abs(s-1) > 1e-9 {
				t.Fatalf("day %d: posterior sums to %.17g, want 1", u, s)
			}
		}
	})
}

func FuzzHMMWalker(f *testing.F)     { fuzzWalker(f, "hmm_matched") }
func FuzzHSMMWalker(f *testing.F)    { fuzzWalker(f, "hsmm") }
func FuzzJumpWalker(f *testing.F)    { fuzzWalker(f, "jump") }
func FuzzMSGARCHWalker(f *testing.F) { fuzzWalker(f, "msgarch") }
