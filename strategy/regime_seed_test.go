package strategy

import (
	"math"
	"os"
	"testing"

	"gem/dataio"
	"gem/harness"
	"gem/regime"
)

// TestSpreadSeed: consecutive seeds map to bases more than 2³² apart, so
// the walker's starts (base + t·2²⁰ + r) of two seeds never coincide on a
// panel of fewer than 4,096 days with fewer than 2²⁰ starts.
func TestSpreadSeed(t *testing.T) {
	seen := map[uint64]bool{}
	for s := range uint64(1000) {
		b := spreadSeed(s)
		for o := range seen {
			if d := b - o; d < 1<<32 || -d < 1<<32 {
				t.Fatalf("seeds' bases %#x and %#x within 2³²", b, o)
			}
		}
		seen[b] = true
	}
	// SplitMix64's first output from state 0 (Vigna's reference
	// implementation, splitmix64.c): 0xe220a8397b1dcdaf.
	if got := spreadSeed(0); got != 0xe220a8397b1dcdaf {
		t.Errorf("spreadSeed(0) = %#x, want 0xe220a8397b1dcdaf", got)
	}
}

// TestRegimeSeedModes documents why the regime model's seed decided the
// score (issue 11): on BTC's daily returns of the merged panel's clean
// window (2020-04-26..2025-06-12), walk-forward fits warm-started from the
// previous model alone (refit_restarts=0) stay for the whole history in
// the likelihood mode their first fit landed in, and different seeds land
// in different modes; with random starts at each refit the chains leave
// the poorer modes and end within a small fraction of a log-likelihood unit
// of each other.
func TestRegimeSeedModes(t *testing.T) {
	const path = "../../shared/data/binance_spot_1d_panel_merged.csv.gz"
	if testing.Short() {
		t.Skip("walks the HMM over five years, eight times")
	}
	if _, err := os.Stat(path); err != nil {
		t.Skipf("merged panel not found at %s (it lives in ../shared, outside the repository): %v", path, err)
	}
	data, err := dataio.Read(dataio.Options{}, path)
	if err != nil {
		t.Fatal(err)
	}
	from, _ := harness.ParseDate("2020-04-26")
	to, _ := harness.ParseDate("2025-06-12")
	f := dataio.Filter{From: from, To: to, ExcludeStablecoins: true}
	if data.Candles, data.Where, err = f.Apply(data.Candles, data.Where); err != nil {
		t.Fatal(err)
	}
	p, err := data.Panel()
	if err != nil {
		t.Fatal(err)
	}
	btc := p.Series[p.TokenIndex("BTC")]
	var obs []float64
	for i := 1; i < len(btc.Close); i++ {
		obs = append(obs, 100*math.Log(btc.Close[i]/btc.Close[i-1]))
	}
	final := func(refitRestarts int) []float64 {
		hp := DefaultEnsembleParams().HMM
		hp.RefitInterval, hp.MinObservations, hp.Restarts, hp.RefitRestarts = 3, 120, 10, refitRestarts
		var lls []float64
		for seed := 1; seed <= 4; seed++ {
			hp.Seed = seed
			_, rep := regime.WalkForward(obs, walkSettings(hp))
			first, last := rep.Models[0], rep.Final()
			_, ll0 := first.Forward(nil, obs[:rep.RefitDays[0]+1])
			_, ll := last.Forward(nil, obs)
			t.Logf("refit_restarts=%d seed %d: first fit log-likelihood %.3f, final %.3f (refits won by a random start: %d)", refitRestarts, seed, ll0, ll, rep.WarmLost)
			lls = append(lls, ll)
		}
		return lls
	}
	spread := func(x []float64) float64 {
		lo, hi := x[0], x[0]
		for _, v := range x {
			lo, hi = min(lo, v), max(hi, v)
		}
		return hi - lo
	}
	warm, restarted := final(0), final(2)
	if s := spread(warm); s < 1 {
		t.Errorf("warm-started chains end within %.3f of each other; the seeds no longer land in different modes", s)
	}
	if s := spread(restarted); s > 0.1 {
		t.Errorf("chains with random refit starts end %.3f apart, want within 0.1", s)
	}
	best := math.Inf(-1)
	for _, v := range warm {
		best = max(best, v)
	}
	for _, v := range restarted {
		if v < best {
			t.Errorf("a chain with random refit starts ends at %.3f, below the best warm-only chain's %.3f", v, best)
		}
	}
}
