package search

import (
	"fmt"
	"syscall"
	"testing"
	"time"

	"gem/space"
)

// BenchmarkAskTell measures one proposal and its Tell with obs trials
// already told (on Hartmann-6; the first obs are the method's QMC startup,
// then one model step outside the timing). Each iteration adds a trial, so
// run with a fixed count (-benchtime=50x) to stay near obs.
func BenchmarkAskTell(b *testing.B) {
	p := hartmann6()
	cases := []struct {
		name string
		make func(s *space.Space, obs int) Method
		obs  []int
	}{
		{"tpe", func(s *space.Space, obs int) Method { return NewTPE(s, 1, TPESettings{Startup: obs}) }, []int{100, 300}},
		{"gp", func(s *space.Space, obs int) Method { return NewGP(s, 1, GPSettings{Startup: obs}) }, []int{100, 300, 500}},
		{"cmaes", func(s *space.Space, obs int) Method { return NewCMAES(s, 1, CMAESSettings{Startup: obs}) }, []int{100, 300}},
		{"qmc", func(s *space.Space, obs int) Method { return NewQMC(s, 1) }, []int{100, 300}},
		{"policy", func(s *space.Space, obs int) Method { return NewPolicy(s, 1, PolicySettings{Startup: obs}) }, []int{100, 300}},
	}
	for _, c := range cases {
		for _, obs := range c.obs {
			b.Run(fmt.Sprintf("method=%s/obs=%d", c.name, obs), func(b *testing.B) {
				m := c.make(p.space, obs)
				run(b, m, p.f, obs+1, 1)
				b.ReportAllocs()
				cpu0 := cpuTime()
				for b.Loop() {
					as, err := m.Ask(1)
					if err != nil || len(as) != 1 {
						b.Fatalf("Ask: %v, %d proposals", err, len(as))
					}
					if err := m.Tell([]float64{p.f(as[0])}); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "proposals/s")
				b.ReportMetric(b.Elapsed().Seconds()*1e3/float64(b.N), "ms/proposal")
				b.ReportMetric((cpuTime()-cpu0).Seconds()*1e3/float64(b.N), "cpu-ms/proposal")
			})
		}
	}
}

// cpuTime is the process's user and system CPU time: on a shared machine it
// measures the work done, where wall time also counts waiting for a core.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
