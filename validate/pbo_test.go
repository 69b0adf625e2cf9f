package validate

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/stat"
)

// slowCSCV is a direct, deliberately naive CSCV (Bailey et al. 2017,
// section 2): for every set of S/2 blocks, in lexicographic order, it
// concatenates the days of the chosen blocks and of the others, computes
// every configuration's Sharpe ratio on each from the raw returns (two-pass
// mean and sample standard deviation), picks the in-sample best and finds
// its out-of-sample rank by sorting.
type slowCSCV struct {
	pbo, loss               float64
	logits, isBest, oosBest []float64
}

func runSlowCSCV(returns [][]float64, s int) slowCSCV {
	t, n := len(returns), len(returns[0])
	blockOf := make([]int, t) // block b covers days ⌊bT/S⌋..⌊(b+1)T/S⌋−1
	for b := range s {
		for d := b * t / s; d < (b+1)*t/s; d++ {
			blockOf[d] = b
		}
	}
	sharpe := func(days []int, c int) float64 {
		xs := make([]float64, len(days))
		for i, d := range days {
			xs[i] = returns[d][c]
		}
		mean, sd := stat.MeanStdDev(xs, nil)
		if sd == 0 {
			return 0
		}
		return mean / sd
	}
	var out slowCSCV
	var overfit, losses int
	var choose func(next int, chosen []int)
	choose = func(next int, chosen []int) {
		if len(chosen) == s/2 {
			var isDays, oosDays []int
			for d := range t {
				if slices.Contains(chosen, blockOf[d]) {
					isDays = append(isDays, d)
				} else {
					oosDays = append(oosDays, d)
				}
			}
			is, oos := make([]float64, n), make([]float64, n)
			best := 0
			for c := range n {
				is[c], oos[c] = sharpe(isDays, c), sharpe(oosDays, c)
				if is[c] > is[best] {
					best = c
				}
			}
			// Rank by position in the sorted values: the first and last
			// positions of the best's value give the mean rank of its ties.
			sorted := slices.Sorted(slices.Values(oos))
			first := slices.Index(sorted, oos[best])
			last := first
			for last+1 < n && sorted[last+1] == oos[best] {
				last++
			}
			rank := float64(first+last)/2 + 1
			omega := rank / float64(n+1)
			lambda := math.Log(omega / (1 - omega))
			if lambda <= 0 {
				overfit++
			}
			if oos[best] < 0 {
				losses++
			}
			out.logits = append(out.logits, lambda)
			out.isBest = append(out.isBest, is[best])
			out.oosBest = append(out.oosBest, oos[best])
			return
		}
		for b := next; b < s; b++ {
			choose(b+1, append(chosen, b))
		}
	}
	choose(0, nil)
	out.pbo = float64(overfit) / float64(len(out.logits))
	out.loss = float64(losses) / float64(len(out.logits))
	return out
}

// slope returns the least-squares line y = a + b·x.
func slope(x, y []float64) (a, b float64) {
	mx, my := stat.Mean(x, nil), stat.Mean(y, nil)
	var sxy, sxx float64
	for i := range x {
		sxy += (x[i] - mx) * (y[i] - my)
		sxx += (x[i] - mx) * (x[i] - mx)
	}
	b = sxy / sxx
	return my - b*mx, b
}

// TestPBOEqualsSlowEnumeration checks PBO, its logits and the performance
// of every split's in-sample best against runSlowCSCV.
func TestPBOEqualsSlowEnumeration(t *testing.T) {
	dup := noise(203, 6, 0.01, 11)
	for d := range dup { // clones: ties in and out of sample
		dup[d] = append(dup[d], dup[d][2], dup[d][4])
	}
	edge := noise(160, 9, 0.01, 12)
	for d := range edge {
		edge[d][5] += 0.002
	}
	tests := []struct {
		name    string
		returns [][]float64
		blocks  int
	}{
		{"noise S=16 unequal blocks", noise(203, 7, 0.01, 10), 16},
		{"clones S=8", dup, 8},
		{"edge S=10", edge, 10},
		{"two configurations S=2", noise(40, 2, 0.02, 13), 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := PBO(tt.returns, PBOConfig{Blocks: tt.blocks})
			if err != nil {
				t.Fatal(err)
			}
			want := runSlowCSCV(tt.returns, tt.blocks)
			if got.Splits != len(want.logits) || len(got.Logits) != got.Splits {
				t.Fatalf("got %d splits (%d logits), want %d", got.Splits, len(got.Logits), len(want.logits))
			}
			if got.PBO != want.pbo {
				t.Errorf("PBO: got %v, want %v", got.PBO, want.pbo)
			}
			if got.ProbOOSLoss != want.loss {
				t.Errorf("ProbOOSLoss: got %v, want %v", got.ProbOOSLoss, want.loss)
			}
			for c := range want.logits {
				if !near(got.Logits[c], want.logits[c], 1e-12) || !near(got.InSample[c], want.isBest[c], 1e-9) || !near(got.OutOfSample[c], want.oosBest[c], 1e-9) {
					t.Fatalf("split %d: got logit %v IS %v OOS %v, want %v %v %v", c, got.Logits[c], got.InSample[c], got.OutOfSample[c], want.logits[c], want.isBest[c], want.oosBest[c])
				}
			}
			a, b := slope(want.isBest, want.oosBest)
			if !near(got.Intercept, a, 1e-8) || !near(got.Slope, b, 1e-8) {
				t.Errorf("degradation: got %v + %v·IS, want %v + %v·IS", got.Intercept, got.Slope, a, b)
			}
		})
	}
}

// TestPBONoiseIsOneHalf: for independent, identically distributed
// configurations the out-of-sample rank of the in-sample best is uniform
// on 1..N by exchangeability, so with N even E[PBO] = P(rank ≤ N/2) = 1/2
// exactly. The splits of one history are dependent, so the test averages
// over seeds and allows four standard errors of that mean (estimated from
// the same seeds, and bounded so a degenerate spread cannot pass).
func TestPBONoiseIsOneHalf(t *testing.T) {
	const seeds = 30
	pbos := make([]float64, seeds)
	for i := range pbos {
		res, err := PBO(noise(640, 50, 0.01, uint64(100+i)), PBOConfig{})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Warnings) != 0 {
			t.Errorf("seed %d: unexpected warnings %q", i, res.Warnings)
		}
		pbos[i] = res.PBO
	}
	mean, sd := meanSD(pbos)
	se := sd / math.Sqrt(seeds)
	t.Logf("PBO over %d seeds of noise: mean %.3f, sd %.3f, se %.3f", seeds, mean, sd, se)
	if se > 0.08 || se < 0.005 {
		t.Errorf("standard error %v outside [0.005, 0.08]: the spread of PBO over seeds is implausible", se)
	}
	if math.Abs(mean-0.5) > 4*se {
		t.Errorf("mean PBO %v, want 0.5 ± %v", mean, 4*se)
	}
}

// TestPBOPlantedEdge: one configuration earns 0.3 daily standard
// deviations more than 49 noise configurations. Over 320 in-sample days its
// Sharpe ratio (0.3 ± 0.056) beats the best of 49 noise ones (about
// 2.3/√320 = 0.13) by three of its standard errors, so it is the in-sample
// best in all but a rare split, and then top out of sample (λ = ln 50):
// PBO is near 0.
func TestPBOPlantedEdge(t *testing.T) {
	for seed := range uint64(5) {
		m := noise(640, 50, 0.01, 200+seed)
		for d := range m {
			m[d][17] += 0.003
		}
		res, err := PBO(m, PBOConfig{})
		if err != nil {
			t.Fatal(err)
		}
		if res.PBO > 0.001 || res.ProbOOSLoss > 0.001 {
			t.Errorf("seed %d: PBO %v, P(OOS loss) %v, want both at most 0.001", seed, res.PBO, res.ProbOOSLoss)
		}
		if m := median(res.Logits); !near(m, math.Log(50), 1e-12) {
			t.Errorf("seed %d: median logit %v, want ln 50", seed, m)
		}
	}
}

// median returns the median of xs (the upper one for an even count).
func median(xs []float64) float64 {
	return slices.Sorted(slices.Values(xs))[len(xs)/2]
}

// TestPBOPerformance: the performance measure decides the in-sample best.
// Among noise (mean 0, sd 0.01), configuration A has mean 0.002 and sd
// 0.001 (Sharpe 2), B mean 0.01 and sd 0.02 (Sharpe 0.5). Over 160
// in-sample days the Sharpe ratio always picks A (in-sample Sharpe about
// 2) and the mean return always picks B (in-sample mean 0.01 ± 0.0016,
// five standard errors above A's 0.002).
func TestPBOPerformance(t *testing.T) {
	m := noise(320, 20, 0.01, 300)
	for d := range m {
		m[d][3] = 0.1*m[d][3] + 0.002
		m[d][7] = 2*m[d][7] + 0.01
	}
	byMean, err := PBO(m, PBOConfig{Blocks: 8, Performance: MeanReturn})
	if err != nil {
		t.Fatal(err)
	}
	bySharpe, err := PBO(m, PBOConfig{Blocks: 8})
	if err != nil {
		t.Fatal(err)
	}
	for c := range byMean.Splits {
		if math.Abs(byMean.InSample[c]-0.01) > 0.005 || math.Abs(bySharpe.InSample[c]-2) > 1 {
			t.Fatalf("split %d: in-sample best has mean %v (want about 0.01) and Sharpe %v (want about 2)", c, byMean.InSample[c], bySharpe.InSample[c])
		}
	}
}

func TestPBOWarnings(t *testing.T) {
	tests := []struct {
		name    string
		t, n, s int
		want    []string
	}{
		{"enough", 640, 10, 16, nil},
		{"few configurations", 640, 9, 16, []string{"only 9 configurations"}},
		{"short blocks", 300, 10, 16, []string{"only 18 days per block"}},
		{"both", 100, 3, 16, []string{"only 3 configurations", "only 6 days per block"}},
	}
	for _, tt := range tests {
		res, err := PBO(noise(tt.t, tt.n, 0.01, 1), PBOConfig{Blocks: tt.s})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Warnings) != len(tt.want) {
			t.Fatalf("%s: got warnings %q, want %q", tt.name, res.Warnings, tt.want)
		}
		for i, w := range tt.want {
			if !strings.HasPrefix(res.Warnings[i], w) {
				t.Errorf("%s: warning %q, want prefix %q", tt.name, res.Warnings[i], w)
			}
		}
	}
}

// TestPBOBadInput: bad data and settings are errors, never panics.
func TestPBOBadInput(t *testing.T) {
	good := noise(64, 4, 0.01, 2)
	ragged := noise(64, 4, 0.01, 2)
	ragged[9] = ragged[9][:3]
	withNaN := noise(64, 4, 0.01, 2)
	withNaN[5][1] = math.NaN()
	withInf := noise(64, 4, 0.01, 2)
	withInf[6][2] = math.Inf(1)
	ruin := noise(64, 4, 0.01, 2)
	ruin[7][0] = -1.5
	tests := []struct {
		name    string
		returns [][]float64
		blocks  int
		want    string
	}{
		{"nil", nil, 0, "0 days"},
		{"empty rows", [][]float64{{}, {}, {}, {}}, 2, "0 configurations"},
		{"one configuration", noise(64, 1, 0.01, 2), 16, "1 configurations"},
		{"too few days", noise(31, 4, 0.01, 2), 16, "31 days, need at least 32"},
		{"odd blocks", good, 5, "even number of blocks"},
		{"negative blocks", good, -2, "even number of blocks"},
		{"too many blocks", good, 26, "even number of blocks"},
		{"ragged", ragged, 8, "day 9: returns row has 3 values, want 4"},
		{"NaN", withNaN, 8, "day 5, configuration 1: returns return is NaN"},
		{"Inf", withInf, 8, "day 6, configuration 2: returns return is +Inf"},
		{"below -1", ruin, 8, "day 7, configuration 0: returns return is -1.5"},
	}
	for _, tt := range tests {
		_, err := PBO(tt.returns, PBOConfig{Blocks: tt.blocks})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: got error %v, want one containing %q", tt.name, err, tt.want)
		}
	}
}

// TestPBOConstantConfigurations: configurations that never invest (all
// returns 0) have Sharpe 0 everywhere; PBO must still be defined.
func TestPBOConstantConfigurations(t *testing.T) {
	m := make([][]float64, 64)
	for d := range m {
		m[d] = make([]float64, 3)
	}
	res, err := PBO(m, PBOConfig{Blocks: 4})
	if err != nil {
		t.Fatal(err)
	}
	// Every configuration ties: the in-sample best is configuration 0, its
	// out-of-sample rank the mean rank 2 of 3, ω = 1/2, λ = 0 ≤ 0.
	if res.PBO != 1 || !math.IsNaN(res.Slope) || res.ProbOOSLoss != 0 {
		t.Errorf("got PBO %v, slope %v, P(loss) %v; want 1, NaN, 0", res.PBO, res.Slope, res.ProbOOSLoss)
	}
}

func BenchmarkPBO(b *testing.B) {
	const days, configs = 1500, 200
	m := noise(days, configs, 0.01, 1)
	for _, s := range []int{16} {
		b.Run(fmt.Sprintf("N=%d/T=%d/S=%d", configs, days, s), func(b *testing.B) {
			res, err := PBO(m, PBOConfig{Blocks: s})
			if err != nil || res.Splits != 12870 {
				b.Fatalf("PBO: %v, %d splits", err, res.Splits)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := PBO(m, PBOConfig{Blocks: s}); err != nil {
					b.Fatal(err)
				}
			}
			sec := b.Elapsed().Seconds() / float64(b.N)
			b.ReportMetric(float64(res.Splits)/sec, "splits/s")
			b.ReportMetric(float64(res.Splits*configs)/sec, "configuration-splits/s")
		})
	}
}
