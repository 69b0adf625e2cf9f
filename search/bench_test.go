package search

import (
	"fmt"
	"syscall"
	"testing"
	"time"

	"gem/space"
)

// BenchmarkAskTell measures one proposal and its Tell with obs trials
// already told, on Hartmann-6 and on a 55-parameter space shaped like gem's
// (the first obs trials are the method's QMC startup, then one model step
// outside the timing). Each iteration adds a trial, so run with a fixed
// count (-benchtime=30x) to stay near obs. cpu-ms/proposal is the process's
// CPU time, which a busy machine does not inflate.
func BenchmarkAskTell(b *testing.B) {
	cases := []struct {
		name string
		make func(s *space.Space, obs int) Method
		obs  []int
	}{
		{"tpe", func(s *space.Space, obs int) Method { return NewTPE(s, 1, TPESettings{Startup: obs}) }, []int{100, 300}},
		{"gp", func(s *space.Space, obs int) Method { return NewGP(s, 1, GPSettings{Startup: obs}) }, []int{100, 300, 500}},
		{"cmaes", func(s *space.Space, obs int) Method { return NewCMAES(s, 1, CMAESSettings{Startup: obs}) }, []int{100, 300}},
		{"qmc", func(s *space.Space, obs int) Method { return NewQMC(s, 1) }, []int{100, 300}},
		{"policy", func(s *space.Space, obs int) Method { return NewPolicy(s, 1, PolicySettings{}) }, []int{100, 300}},
	}
	for _, p := range []problem{hartmann6(), wide()} {
		for _, c := range cases {
			for _, obs := range c.obs {
				b.Run(fmt.Sprintf("space=%s/method=%s/obs=%d", p.name, c.name, obs), func(b *testing.B) {
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
					b.ReportMetric((cpuTime()-cpu0).Seconds()*1e3/float64(b.N), "cpu-ms/proposal")
				})
			}
		}
	}
}

// wide is a space shaped like gem's own (55 parameters: 20 integers, 15
// floats, 15 bools and 5 categoricals) with a separable score, for the cost
// of proposals at gem's dimension.
func wide() problem {
	var ps []space.Param
	for i := range 20 {
		ps = append(ps, intParam(fmt.Sprintf("i%d", i), 0, 30, 5))
	}
	for i := range 15 {
		ps = append(ps, floatParam(fmt.Sprintf("f%d", i), 0, 1, 0.5))
	}
	for i := range 15 {
		ps = append(ps, space.Param{Name: fmt.Sprintf("b%d", i), Kind: space.Bool})
	}
	for i := range 5 {
		ps = append(ps, space.Param{Name: fmt.Sprintf("c%d", i), Kind: space.Categorical, Choices: []string{"x", "y", "z"}, Default: space.StringValue("x")})
	}
	s := space.New(ps...)
	return problem{name: "wide55", space: s, f: func(a space.Assignment) float64 {
		y := 0.0
		for i := range 20 {
			d := float64(a.Value(i).I-12) / 30
			y -= d * d
		}
		for i := 20; i < 35; i++ {
			d := a.Value(i).F - 0.3
			y -= d * d
		}
		for i := 35; i < 50; i++ {
			if a.Value(i).B {
				y += 0.1
			}
		}
		return y
	}}
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
