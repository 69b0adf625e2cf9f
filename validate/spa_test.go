package validate

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// spaData returns T days of K candidates' and a benchmark's independent
// normal returns (sd 0.01), candidate 0 earning edge more per day.
func spaData(t, k int, edge float64, seed uint64) ([][]float64, []float64) {
	m := noise(t, k+1, 0.01, seed)
	cands, bench := make([][]float64, t), make([]float64, t)
	for d, row := range m {
		bench[d] = row[k]
		cands[d] = row[:k]
		cands[d][0] += edge
	}
	return cands, bench
}

// TestSPANullUniform: when every candidate has the benchmark's expected
// return (the least favourable point of the null, where both tests are
// asymptotically exact), the p-values are uniform: P(p ≤ α) = α. The
// reality check's statistic is continuous, so its p-values are uniform on
// [0, 1]. T_SPA is floored at 0, so the SPA p-value has an atom at 1 of
// mass P(every d̄_k ≤ 0) (about 15% for five candidates sharing one
// benchmark) and is uniform below it: its distribution is compared with
// the uniform on [0, 0.8] only. Over 300 seeds the Kolmogorov–Smirnov
// distance must stay under 1.95/√300 = 0.113, the asymptotic 0.1% critical
// value (a sup over a sub-interval is smaller, so the bound stays valid),
// plus 1/B for the p-values' granularity. (Over 1,000 seeds the rejection
// rates at 5% and 10% were measured at 0.052 to 0.062 and 0.104 to 0.109 for
// SPA, 0.048 to 0.057 and 0.096 to 0.107 for the reality check, T = 250
// and 1,000, block lengths 1 and 5.)
func TestSPANullUniform(t *testing.T) {
	const seeds, draws = 300, 199
	var spa, rc []float64
	for i := range seeds {
		cands, bench := spaData(250, 5, 0, uint64(1000+i))
		res, err := SuperiorPredictiveAbility(cands, bench, SPAConfig{Draws: draws, BlockLength: 5, Seed: uint64(i)})
		if err != nil {
			t.Fatal(err)
		}
		if res.Statistic == 0 && (res.PValue != 1 || res.PValueLower != 1 || res.PValueUpper != 1) {
			t.Fatalf("seed %d: T_SPA = 0 but p-values %v %v %v, want 1", i, res.PValueLower, res.PValue, res.PValueUpper)
		}
		spa = append(spa, res.PValue)
		rc = append(rc, res.RealityCheckPValue)
	}
	limit := 1.95/math.Sqrt(seeds) + 1.0/draws
	for _, c := range []struct {
		name string
		ps   []float64
		upTo float64
	}{{"SPA", spa, 0.8}, {"reality check", rc, 1}} {
		d := ksUniform(c.ps, c.upTo)
		t.Logf("%s p-values under the null: KS distance on [0, %v] %.3f (limit %.3f)", c.name, c.upTo, d, limit)
		if d > limit {
			t.Errorf("%s p-values: KS distance to uniform on [0, %v] %v, want at most %v", c.name, c.upTo, d, limit)
		}
	}
}

// TestSPAPlantedEdge: candidate 0 earns 0.5 daily standard deviations more
// than the benchmark; over 250 days its differential (sd 0.01·√2) has a
// t-statistic of about 0.5/√2·√250 = 5.6, far beyond any resample, so both
// p-values are near 0.
func TestSPAPlantedEdge(t *testing.T) {
	for seed := range uint64(20) {
		cands, bench := spaData(250, 5, 0.005, 2000+seed)
		res, err := SuperiorPredictiveAbility(cands, bench, SPAConfig{Draws: 499, Seed: seed})
		if err != nil {
			t.Fatal(err)
		}
		if res.PValue > 0.01 || res.RealityCheckPValue > 0.01 || res.Best != 0 {
			t.Errorf("seed %d: SPA p %v, RC p %v, best %d; want at most 0.01, 0.01, and 0", seed, res.PValue, res.RealityCheckPValue, res.Best)
		}
		if !(res.PValueLower <= res.PValue && res.PValue <= res.PValueUpper) {
			t.Errorf("seed %d: p-values %v ≤ %v ≤ %v out of order", seed, res.PValueLower, res.PValue, res.PValueUpper)
		}
	}
}

// TestSPAPoorCandidates: candidates far worse than the benchmark have a
// statistic of 0 and the consistent p-value 1 (nothing to reject).
func TestSPAPoorCandidates(t *testing.T) {
	cands, bench := spaData(250, 3, 0, 7)
	for d := range cands {
		for k := range cands[d] {
			cands[d][k] -= 0.01
		}
	}
	res, err := SuperiorPredictiveAbility(cands, bench, SPAConfig{Draws: 100})
	if err != nil {
		t.Fatal(err)
	}
	if res.Statistic != 0 || res.PValue != 1 || res.RealityCheckPValue < 0.5 {
		t.Errorf("got statistic %v, SPA p %v, RC p %v; want 0, 1, and large", res.Statistic, res.PValue, res.RealityCheckPValue)
	}
}

// TestSPABenchmarkAsCandidate: a candidate identical to the benchmark has a
// constant zero differential and is left out of the studentised statistic.
func TestSPABenchmarkAsCandidate(t *testing.T) {
	cands, bench := spaData(100, 2, 0.002, 8)
	for d := range cands {
		cands[d][1] = bench[d]
	}
	res, err := SuperiorPredictiveAbility(cands, bench, SPAConfig{Draws: 100})
	if err != nil {
		t.Fatal(err)
	}
	if res.Best != 0 || res.MeanDifferential[1] != 0 || math.IsNaN(res.PValue) || math.IsNaN(res.Statistic) {
		t.Errorf("got best %d, d̄ %v, p %v, statistic %v", res.Best, res.MeanDifferential, res.PValue, res.Statistic)
	}
}

// TestSPADeterministic: the seed alone selects the resamples.
func TestSPADeterministic(t *testing.T) {
	cands, bench := spaData(300, 4, 0.0005, 9)
	a, _ := SuperiorPredictiveAbility(cands, bench, SPAConfig{Draws: 200, Seed: 5})
	b, _ := SuperiorPredictiveAbility(cands, bench, SPAConfig{Draws: 200, Seed: 5})
	if fmt.Sprint(a) != fmt.Sprint(b) {
		t.Errorf("same seed, different results:\n%+v\n%+v", a, b)
	}
	var differ bool
	for seed := range uint64(5) {
		c, _ := SuperiorPredictiveAbility(cands, bench, SPAConfig{Draws: 200, Seed: 6 + seed})
		differ = differ || c.PValue != a.PValue || c.RealityCheckPValue != a.RealityCheckPValue
	}
	if !differ {
		t.Error("five other seeds all gave the same p-values")
	}
}

// TestResample checks the stationary bootstrap's blocks: they tile exactly
// T days and start uniformly, and a new block starts on each day after the
// first with probability 1/L, so a resample has 1 + Binomial(T−1, 1/L)
// blocks (Politis and Romano 1994); the mean count over the draws must be
// within five standard errors of 1 + (T−1)/L.
func TestResample(t *testing.T) {
	const days, draws = 200, 4000
	for _, mean := range []float64{1, 4, 25} {
		rng := rand.New(rand.NewPCG(1, 2))
		starts := make([]int, days)
		blocks := 0
		for range draws {
			filled := 0
			resample(rng, days, mean, func(start, end int) {
				if start < 0 || start >= days || end <= start || end > start+days {
					t.Fatalf("block %d..%d out of range", start, end)
				}
				filled += end - start
				starts[start]++
				blocks++
			})
			if filled != days {
				t.Fatalf("mean %v: a resample has %d days, want %d", mean, filled, days)
			}
		}
		q := 1 / mean
		want := 1 + (days-1)*q
		se := math.Sqrt((days-1)*q*(1-q)) / math.Sqrt(draws)
		if got := float64(blocks) / draws; math.Abs(got-want) > 5*se+1e-12 {
			t.Errorf("mean block length %v: %v blocks per resample, want %v ± %v", mean, got, want, 5*se)
		}
		// Starts: each day expects blocks/T; allow five binomial standard deviations.
		exp := float64(blocks) / days
		for d, s := range starts {
			if math.Abs(float64(s)-exp) > 5*math.Sqrt(exp) {
				t.Fatalf("mean %v: day %d starts %d blocks, want about %.0f", mean, d, s, exp)
			}
		}
	}
}

func TestSPABadInput(t *testing.T) {
	cands, bench := spaData(50, 3, 0, 1)
	nanBench := append([]float64(nil), bench...)
	nanBench[4] = math.NaN()
	tests := []struct {
		name  string
		cands [][]float64
		bench []float64
		cfg   SPAConfig
		want  string
	}{
		{"nil", nil, nil, SPAConfig{}, "0 days"},
		{"short", cands[:9], bench[:9], SPAConfig{}, "9 days"},
		{"benchmark length", cands, bench[:49], SPAConfig{}, "benchmark has 49 days"},
		{"benchmark NaN", cands, nanBench, SPAConfig{}, "day 4: benchmark return is NaN"},
		{"few draws", cands, bench, SPAConfig{Draws: 5}, "draws"},
		{"many draws", cands, bench, SPAConfig{Draws: MaxSPADraws + 1}, "draws"},
		{"short blocks", cands, bench, SPAConfig{BlockLength: 0.5}, "block length"},
		{"long blocks", cands, bench, SPAConfig{BlockLength: 51}, "block length"},
		{"NaN blocks", cands, bench, SPAConfig{BlockLength: math.NaN()}, "block length"},
	}
	for _, tt := range tests {
		_, err := SuperiorPredictiveAbility(tt.cands, tt.bench, tt.cfg)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: got error %v, want one containing %q", tt.name, err, tt.want)
		}
	}
}

func BenchmarkSPA(b *testing.B) {
	const days, candidates, draws = 1500, 200, 1000
	cands, bench := spaData(days, candidates, 0, 1)
	b.Run(fmt.Sprintf("K=%d/T=%d/B=%d", candidates, days, draws), func(b *testing.B) {
		cfg := SPAConfig{Draws: draws, Seed: 1}
		if _, err := SuperiorPredictiveAbility(cands, bench, cfg); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := SuperiorPredictiveAbility(cands, bench, cfg); err != nil {
				b.Fatal(err)
			}
		}
		sec := b.Elapsed().Seconds() / float64(b.N)
		b.ReportMetric(draws/sec, "draws/s")
		b.ReportMetric(draws*candidates/sec, "candidate-draws/s")
	})
}
