package strategy_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
	"time"

	"gem/harness"
	"gem/strategy"
	"gem/synth"
)

const mergedPanel = "../../shared/data/binance_spot_1d_panel_merged.csv.gz"

// fullPanel is the real merged panel (467 tokens, ~3,100 days) or, where
// ../shared is absent, the synthetic universe at the same size.
func fullPanel(b *testing.B) *harness.Panel {
	b.Helper()
	if _, err := os.Stat(mergedPanel); err == nil {
		p, err := harness.LoadFiles(mergedPanel)
		if err != nil {
			b.Fatal(err)
		}
		return p
	}
	cfg := synth.DefaultConfig()
	cfg.Tokens, cfg.Days = 467, 3100
	p, err := synth.Panel(cfg)
	if err != nil {
		b.Fatal(err)
	}
	return p
}

func evalOnce(b *testing.B, p *harness.Panel, cfg strategy.Config, cache *strategy.Cache, fill harness.FillMode) *harness.Evaluation {
	ev, err := harness.Evaluate(context.Background(), p, func() harness.Strategy { return cfg.New(cache) }, harness.Config{Fill: fill})
	if err != nil {
		b.Fatal(err)
	}
	return ev
}

func reportTokenDays(b *testing.B, p *harness.Panel) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "evals/s")
	b.ReportMetric(float64(2*p.TokenDays())*float64(b.N)/b.Elapsed().Seconds(), "token-days/s")
}

// BenchmarkEnsemble evaluates the ensemble (base + stress) on the full panel:
// cold builds every fit and regime posterior, warm reuses them from an
// earlier configuration in the same process.
func BenchmarkEnsemble(b *testing.B) {
	p := fullPanel(b)
	cfg, _ := strategy.New("ensemble")
	b.Run("cache=cold", func(b *testing.B) {
		b.ReportAllocs()
		cpu0 := cpuTime(b)
		for b.Loop() {
			evalOnce(b, p, cfg, strategy.NewCache(), harness.Causal)
		}
		reportCPU(b, cpu0)
		reportTokenDays(b, p)
	})
	b.Run("cache=warm", func(b *testing.B) {
		cache := strategy.NewCache()
		want := evalOnce(b, p, cfg, cache, harness.Causal).Score
		b.ReportAllocs()
		cpu0 := cpuTime(b)
		for b.Loop() {
			if got := evalOnce(b, p, cfg, cache, harness.Causal).Score; got != want && !(got != got && want != want) {
				b.Fatalf("warm score %v, cold %v", got, want)
			}
		}
		reportCPU(b, cpu0)
		reportTokenDays(b, p)
	})
}

// BenchmarkSpecialistGolden evaluates the reference defaults on the golden
// datasets in reference mode, against the reference's 0.911 s and 14.98 s:
// cold computes every fit, warm takes them from an earlier configuration
// with the same fit window, as a sweep does.
func BenchmarkSpecialistGolden(b *testing.B) {
	for _, ds := range []string{"safehaven_2022", "majors_2022_2023"} {
		b.Run("data="+ds, func(b *testing.B) {
			path := filepath.Join(goldenDir, goldenDatasets[ds])
			if _, err := os.Stat(path); err != nil {
				b.Skipf("golden data not found: %v", err)
			}
			p, err := harness.LoadFiles(path)
			if err != nil {
				b.Fatal(err)
			}
			cfg, _ := strategy.New("specialist")
			b.Run("cache=cold", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					evalOnce(b, p, cfg, strategy.NewCache(), harness.Reference)
				}
				reportTokenDays(b, p)
			})
			// As in a sweep: the fits come from an earlier configuration.
			b.Run("cache=warm", func(b *testing.B) {
				cache := strategy.NewCache()
				evalOnce(b, p, cfg, cache, harness.Reference)
				b.ReportAllocs()
				for b.Loop() {
					evalOnce(b, p, cfg, cache, harness.Reference)
				}
				reportTokenDays(b, p)
			})
		})
	}
}

// BenchmarkScale evaluates the default ensemble and the default specialist
// (base + stress, a fresh cache each time, so every fit and the regime walk
// are computed) on synthetic universes of tokens × days. token-days/s is
// the speed in candles evaluated, cpu-ns/token-day the process's CPU time
// (user + system, getrusage) per candle, which a machine shared with other
// work disturbs less than the wall clock, and bytes/token-day the heap that
// the panel and the evaluation's cache hold afterwards, per candle: a
// column that stays flat across the grid is a cost linear in tokens and in
// days. The grid is tokens 100, 200, 400 × days 500, 1000, 2000, and 100
// tokens over 4,000 and 8,000 days: the ensemble's regime detector refits on
// a trailing window of up to 3,650 observations (regime.DefaultWalkSettings),
// so until the history fills it a refit's cost grows with the days.
func BenchmarkScale(b *testing.B) {
	type size struct{ tokens, days int }
	var sizes []size
	for _, nt := range []int{100, 200, 400} {
		for _, nd := range []int{500, 1000, 2000} {
			sizes = append(sizes, size{nt, nd})
		}
	}
	sizes = append(sizes, size{100, 4000}, size{100, 8000})
	for _, name := range []string{"ensemble", "specialist"} {
		cfg, _ := strategy.New(name)
		for _, sz := range sizes {
			b.Run(fmt.Sprintf("strategy=%s/tokens=%d/days=%d", name, sz.tokens, sz.days), func(b *testing.B) {
				sc := synth.DefaultConfig()
				sc.Tokens, sc.Days = sz.tokens, sz.days
				var before, after runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&before)
				p, err := synth.Panel(sc)
				if err != nil {
					b.Fatal(err)
				}
				var cache *strategy.Cache
				cpu0 := cpuTime(b)
				for b.Loop() {
					cache = strategy.NewCache()
					evalOnce(b, p, cfg, cache, harness.Causal)
				}
				cpu := cpuTime(b) - cpu0
				runtime.GC()
				runtime.ReadMemStats(&after)
				td := float64(p.TokenDays())
				b.ReportMetric(td*float64(b.N)/b.Elapsed().Seconds(), "token-days/s")
				b.ReportMetric(float64(cpu)/(td*float64(b.N)), "cpu-ns/token-day")
				b.ReportMetric(float64(int64(after.HeapAlloc)-int64(before.HeapAlloc))/td, "bytes/token-day")
				runtime.KeepAlive(cache)
				runtime.KeepAlive(p)
			})
		}
	}
}

// cpuTime is the process's user plus system CPU time so far.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU reports the CPU time per evaluation since cpu0 (cpu-ms/eval),
// steadier than the wall clock on a machine shared with other work.
func reportCPU(b *testing.B, cpu0 time.Duration) {
	b.ReportMetric(float64(cpuTime(b)-cpu0)/1e6/float64(b.N), "cpu-ms/eval")
}
