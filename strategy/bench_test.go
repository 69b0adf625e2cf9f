package strategy_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

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
		for b.Loop() {
			evalOnce(b, p, cfg, strategy.NewCache(), harness.Causal)
		}
		reportTokenDays(b, p)
	})
	b.Run("cache=warm", func(b *testing.B) {
		cache := strategy.NewCache()
		want := evalOnce(b, p, cfg, cache, harness.Causal).Score
		b.ReportAllocs()
		for b.Loop() {
			if got := evalOnce(b, p, cfg, cache, harness.Causal).Score; got != want && !(got != got && want != want) {
				b.Fatalf("warm score %v, cold %v", got, want)
			}
		}
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
