package optimum

import (
	"context"
	"math"
	"math/rand/v2"
	"os"
	"testing"

	"gem/harness"
	"gem/trial"
)

const mergedPanel = "../../shared/data/binance_spot_1d_panel_merged.csv.gz"

// BenchmarkReplay scores random configurations of the phased plan's whole
// joint space (a fixed seed) by direct warm evaluation (trial.Evaluate, the
// fits and regime series cached by an earlier pass) and by the replay from
// the tape, in configurations per second: on the golden majors_2022_2023
// file (its 2023 scored) and, where ../shared has it, the merged panel's
// research window 2021-01-01..2024-12-31. Before timing, the two agree on
// every configuration drawn. method=bound is the base run alone (Replay.Bound,
// what Replay.Best runs for every configuration).
func BenchmarkReplay(b *testing.B) {
	for _, d := range []struct{ name, path, from, to string }{
		{"majors", majors, "2023-01-01", "2023-12-31"},
		{"merged", mergedPanel, "2021-01-01", "2024-12-31"},
	} {
		b.Run("data="+d.name, func(b *testing.B) {
			if _, err := os.Stat(d.path); err != nil {
				b.Skipf("data not found at %s: %v", d.path, err)
			}
			p, err := harness.LoadFiles(d.path)
			if err != nil {
				b.Fatal(err)
			}
			block, spec := planBlock(b)
			from, _ := harness.ParseDate(d.from)
			to, _ := harness.ParseDate(d.to)
			spec.Window = trial.Window{From: from, To: to}
			ctx := context.Background()
			r, err := NewReplay(ctx, trial.NewEnv(p, "bench"), spec, block)
			if err != nil {
				b.Fatal(err)
			}
			rng := rand.New(rand.NewPCG(1, 2))
			idx := make([]int, 32)
			specs := make([]trial.Spec, len(idx))
			env := trial.NewEnv(p, "bench")
			for k := range idx {
				idx[k] = rng.IntN(block.Size())
				specs[k] = spec
				specs[k].Params = block.Config(idx[k])
				want, err := trial.Evaluate(ctx, env, specs[k])
				if err != nil {
					b.Fatal(err)
				}
				got, err := r.Evaluate(ctx, idx[k])
				if err != nil {
					b.Fatal(err)
				}
				if math.Float64bits(got.Score) != math.Float64bits(want.Row.Score) {
					b.Fatalf("configuration %d: replay %v, direct %v", idx[k], got.Score, want.Row.Score)
				}
			}
			b.Run("method=direct", func(b *testing.B) {
				b.ReportAllocs()
				k := 0
				for b.Loop() {
					if _, err := trial.Evaluate(ctx, env, specs[k%len(specs)]); err != nil {
						b.Fatal(err)
					}
					k++
				}
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "configs/s")
			})
			b.Run("method=replay", func(b *testing.B) {
				b.ReportAllocs()
				k := 0
				for b.Loop() {
					if _, err := r.Evaluate(ctx, idx[k%len(idx)]); err != nil {
						b.Fatal(err)
					}
					k++
				}
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "configs/s")
			})
			// The base run alone, as Best runs every configuration.
			b.Run("method=bound", func(b *testing.B) {
				b.ReportAllocs()
				k := 0
				for b.Loop() {
					if _, err := r.Bound(ctx, idx[k%len(idx)]); err != nil {
						b.Fatal(err)
					}
					k++
				}
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "configs/s")
			})
		})
	}
}
