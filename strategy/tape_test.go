package strategy

import (
	"context"
	"math"
	"testing"

	"gem/harness"
	"gem/synth"
)

// TestTapeReplay: on a synthetic panel, ensembles replayed from a tape
// (two regime settings, two bull settings, the trend gate on and off, a
// hard-switch threshold that forces blends) give bit for bit the runs of
// live ensembles with their own cache; parameters off the tape, the
// long/short side and a replay on another window are refused.
func TestTapeReplay(t *testing.T) {
	cfg := synth.DefaultConfig()
	cfg.Tokens, cfg.Days = 30, 500
	p, err := synth.Panel(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var family []EnsembleParams
	for _, refit := range []int{7, 14} {
		for _, top := range []int{3, 10} {
			for _, trend := range []bool{true, false} {
				e := DefaultEnsembleParams()
				e.HMM.RefitInterval, e.HMM.MinObservations, e.HMM.Restarts = refit, 60, 5
				e.HMM.HardSwitchThreshold = 0.95
				e.Bull.TopN, e.Bull.RebalanceCooldown = top, top // the cooldown is not a tape key
				e.Gate.Trend = trend
				family = append(family, e)
			}
		}
	}
	hc := harness.Config{Fill: harness.Causal, Window: harness.Window{From: 200}}
	tape, err := RecordTape(context.Background(), p, nil, hc, family)
	if err != nil {
		t.Fatal(err)
	}
	live := NewCache()
	for _, e := range family {
		ev := func(s func() harness.Strategy) *harness.Evaluation {
			ev, err := harness.Evaluate(context.Background(), p, s, hc)
			if err != nil {
				t.Fatal(err)
			}
			return ev
		}
		want := ev(func() harness.Strategy { return NewEnsemble(e, live) })
		got := ev(func() harness.Strategy {
			r, err := tape.Ensemble(e)
			if err != nil {
				t.Fatal(err)
			}
			return r
		})
		if math.Float64bits(got.Score) != math.Float64bits(want.Score) || got.Base != want.Base || got.Stress != want.Stress {
			t.Errorf("%s: replayed %v %+v, live %v %+v", e, got.Score, got.Base, want.Score, want.Base)
		}
		if want.Base.RebalanceCount == 0 {
			t.Errorf("%s never rebalances: the comparison checks nothing", e)
		}
	}
	off := family[0]
	off.Bull.TopN = 4
	if _, err := tape.Ensemble(off); err == nil {
		t.Error("a bull setting off the tape was replayed")
	}
	off = family[0]
	off.HMM.MinObservations = 90
	if _, err := tape.Ensemble(off); err == nil {
		t.Error("a regime setting off the tape was replayed")
	}
	off = family[0]
	off.Short.Count = 2
	if _, err := tape.Ensemble(off); err == nil {
		t.Error("the long/short side was replayed")
	}
	if _, err := RecordTape(context.Background(), p, nil, hc, []EnsembleParams{off}); err == nil {
		t.Error("the long/short side was recorded")
	}
	defer func() {
		if recover() == nil {
			t.Error("a replay on another window did not panic")
		}
	}()
	r, _ := tape.Ensemble(family[0])
	harness.Backtest(context.Background(), p, r, harness.Config{Fill: harness.Causal, Window: harness.Window{From: 300}})
}
