package regime

import (
	"fmt"
	"testing"
)

// benchModel is a 3-state Gaussian model close to the best fit to the BTC
// reference series (percent log returns), used to simulate test and
// benchmark series.
func benchModel() *Model {
	return &Model{
		K:        3,
		Emission: Gaussian,
		Init:     []float64{0.2, 0.3, 0.5},
		Trans: [][]float64{
			{0.95, 0.005, 0.045},
			{0.005, 0.70, 0.295},
			{0.0125, 0.24, 0.7475},
		},
		Mean: []float64{-0.45, 0.04, 0.23},
		Var:  []float64{44, 1.2, 14},
	}
}

// BenchmarkFit fits 2,190 simulated daily returns (six years) with the
// default settings: 10 starts run to convergence.
func BenchmarkFit(b *testing.B) {
	for _, tc := range []struct {
		name string
		m    *Model
	}{
		{"Gaussian", benchModel()},
		{"StudentT", studentModel()},
	} {
		b.Run(tc.name, func(b *testing.B) {
			obs, _ := tc.m.Sample(2190, 7)
			s := DefaultFitSettings()
			s.Emission = tc.m.Emission
			b.ReportAllocs()
			var iters int
			for b.Loop() {
				_, rep, err := Fit(obs, s, nil)
				if err != nil {
					b.Fatal(err)
				}
				iters = rep.TotalIter
			}
			sec := b.Elapsed().Seconds() / float64(b.N)
			b.ReportMetric(float64(len(obs)*iters)/sec, "obs·iter/s")
			b.ReportMetric(float64(iters), "iter/fit")
		})
	}
}

// BenchmarkFitBTC fits the BTC reference series when it is available.
func BenchmarkFitBTC(b *testing.B) {
	g := loadGolden(b)
	s := DefaultFitSettings()
	b.ReportAllocs()
	var iters int
	for b.Loop() {
		_, rep, err := Fit(g.obs, s, nil)
		if err != nil {
			b.Fatal(err)
		}
		iters = rep.TotalIter
	}
	b.ReportMetric(float64(iters), "iter/fit")
}

// BenchmarkWalkForward runs the walk-forward detector on 3,100 simulated
// days with weekly refits from day 90 on (431 fits).
func BenchmarkWalkForward(b *testing.B) {
	obs, _ := benchModel().Sample(3100, 11)
	ws := DefaultWalkSettings()
	ws.RefitInterval = 7
	ws.MinObservations = 90
	b.ReportAllocs()
	var rep WalkReport
	for b.Loop() {
		_, rep = WalkForward(obs, ws)
	}
	sec := b.Elapsed().Seconds() / float64(b.N)
	fits := rep.Refits + rep.FailedFits
	b.ReportMetric(float64(fits)/sec, "refits/s")
	b.ReportMetric(float64(len(obs))/sec, "days/s")
	b.ReportMetric(float64(rep.EMIter)/float64(fits), "iter/refit")
}

// BenchmarkFilterStep measures one day of incremental filtering.
func BenchmarkFilterStep(b *testing.B) {
	obs, _ := benchModel().Sample(4096, 3)
	f := benchModel().NewFilter()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		f.Step(obs[i&4095])
		i++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "obs/s")
}

// BenchmarkEStep measures one Baum-Welch E-step (forward pass, backward pass
// and sufficient statistics) on 2,190 observations.
func BenchmarkEStep(b *testing.B) {
	for _, m := range []*Model{benchModel(), studentModel()} {
		b.Run(m.Emission.String(), func(b *testing.B) {
			obs, _ := m.Sample(2190, 3)
			var w workspace
			w.reset(len(obs), m.K, m.Emission)
			b.ReportAllocs()
			for b.Loop() {
				w.estep(m, obs, 0)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(obs)), "ns/obs")
		})
	}
}

// BenchmarkWalkDays walks every detector at its default settings over
// simulated histories of growing length and reports the cost per day: with
// each refit on a bounded trailing window, ns/day levels off once the
// history is longer than the window, so the total cost is linear in days.
func BenchmarkWalkDays(b *testing.B) {
	detectors := []struct {
		name string
		new  func() detectorWalker
	}{
		{"hmm", func() detectorWalker { return NewWalker(DefaultWalkSettings()) }},
		{"hsmm", func() detectorWalker { return NewHSMMWalker(DefaultHSMMSettings()) }},
		{"msgarch", func() detectorWalker { return NewMSGARCHWalker(DefaultMSGARCHSettings()) }},
		{"jump", func() detectorWalker { return NewJumpWalker(DefaultJumpSettings()) }},
	}
	for _, d := range detectors {
		for _, days := range []int{1560, 3120, 6240, 12480, 24960} {
			b.Run(fmt.Sprintf("detector=%s/days=%d", d.name, days), func(b *testing.B) {
				obs, _ := benchModel().Sample(days, 11)
				var st []Stat
				for b.Loop() {
					w := d.new()
					for _, x := range obs {
						w.Step(x)
					}
					st = w.Stats()
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(days), "ns/day")
				for _, s := range st {
					if s.Name == "refits" {
						b.ReportMetric(s.Value, "refits")
					}
				}
			})
		}
	}
}
