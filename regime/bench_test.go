package regime

import (
	"fmt"
	"math"
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
// history is longer than the window (3,650 days for the HMM, 1,460 for the
// others), so the total cost is linear in days. iter/refit (EM or BFGS
// iterations per refit, cold start included) separates the data-dependent
// number of iterations from the cost of one. hmm_full is the HMM walk with
// every fit on the whole history, the walk before the window (quadratic in
// days; run to 6,240 days only).
func BenchmarkWalkDays(b *testing.B) {
	full := DefaultWalkSettings()
	full.Window = math.MaxInt / 2
	detectors := []struct {
		name    string
		new     func() detectorWalker
		maxDays int
	}{
		{"hmm", func() detectorWalker { return NewWalker(DefaultWalkSettings()) }, 1 << 30},
		{"hmm_full", func() detectorWalker { return NewWalker(full) }, 6240},
		{"hsmm", func() detectorWalker { return NewHSMMWalker(DefaultHSMMSettings()) }, 1 << 30},
		{"msgarch", func() detectorWalker { return NewMSGARCHWalker(DefaultMSGARCHSettings()) }, 1 << 30},
		{"jump", func() detectorWalker { return NewJumpWalker(DefaultJumpSettings()) }, 1 << 30},
	}
	for _, d := range detectors {
		for _, days := range []int{1560, 3120, 6240, 12480, 24960} {
			if days > d.maxDays {
				continue
			}
			b.Run(fmt.Sprintf("detector=%s/days=%d", d.name, days), func(b *testing.B) {
				obs, _ := benchModel().Sample(days, 11)
				stats := map[string]float64{}
				for b.Loop() {
					w := d.new()
					for _, x := range obs {
						w.Step(x)
					}
					for _, s := range w.Stats() {
						stats[s.Name] = s.Value
					}
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(days), "ns/day")
				b.ReportMetric(stats["refits"], "refits")
				if it := stats["em_iterations"] + stats["bfgs_iterations"]; it > 0 {
					b.ReportMetric(it/(stats["refits"]+stats["failed_fits"]), "iter/refit")
				}
			})
		}
	}
}

// BenchmarkMSGARCHLogLik measures one pass of the MS-GARCH likelihood over
// 1,460 simulated days (a fit's window), without and with its exact
// gradient.
func BenchmarkMSGARCHLogLik(b *testing.B) {
	m := &MSGARCH{K: 3, Innovation: StudentT,
		Trans: [][]float64{{0.95, 0.03, 0.02}, {0.02, 0.96, 0.02}, {0.05, 0.05, 0.9}},
		Mean:  []float64{-0.5, 0.05, 0.3}, Omega: []float64{1, 0.05, 0.3},
		Alpha: []float64{0.1, 0.05, 0.08}, Beta: []float64{0.8, 0.93, 0.85}, DF: 6, Var0: 9}
	obs, _ := m.Sample(1460, 1)
	for _, withGrad := range []bool{false, true} {
		b.Run(fmt.Sprintf("grad=%t", withGrad), func(b *testing.B) {
			var g msgarchGrad
			var grad []float64
			if withGrad {
				grad = make([]float64, len(packMSGARCH(m)))
			}
			for b.Loop() {
				g.logLik(m, obs, grad)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(obs)), "ns/obs")
		})
	}
}
