package validate

import (
	"encoding/binary"
	"math"
	"testing"
)

// FuzzStatistics feeds arbitrary matrices (any float64 bit patterns,
// ragged or not) to every statistic: none may panic, and whatever they
// accept must come out in range.
func FuzzStatistics(f *testing.F) {
	f.Add([]byte{3, 2, 0}, []byte{})
	seed := make([]byte, 8*3*40)
	for i := range 3 * 40 {
		binary.LittleEndian.PutUint64(seed[8*i:], math.Float64bits(0.01*math.Sin(float64(i*i))))
	}
	f.Add([]byte{3, 4, 1}, seed)
	f.Add([]byte{2, 2, 0}, []byte{0xff, 0xf8, 0, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, shape, data []byte) {
		if len(shape) < 3 {
			return
		}
		n := int(shape[0]%8) + 1
		blocks := int(shape[1] % 18) // up to 17: odd and too-large counts are errors; 24 would take seconds
		values := make([]float64, len(data)/8)
		for i := range values {
			values[i] = math.Float64frombits(binary.LittleEndian.Uint64(data[8*i:]))
		}
		var m [][]float64
		for len(values) >= n {
			w := n
			if shape[2]%2 == 1 && len(m) == 3 {
				w = n - 1 // a ragged row
			}
			m = append(m, values[:w])
			values = values[w:]
		}
		inUnit := func(what string, p float64) {
			if !(p >= 0 && p <= 1) {
				t.Fatalf("%s %v outside [0, 1]", what, p)
			}
		}
		if res, err := PBO(m, PBOConfig{Blocks: blocks}); err == nil {
			inUnit("PBO", res.PBO)
			inUnit("P(OOS loss)", res.ProbOOSLoss)
			for _, l := range res.Logits {
				if math.IsNaN(l) || math.IsInf(l, 0) {
					t.Fatalf("logit %v", l)
				}
			}
		}
		if res, err := DeflatedSharpe(m, 0); err == nil {
			inUnit("PSR", res.PSR)
			inUnit("DSR", res.DSR)
		}
		if res, err := EffectiveTrials(m); err == nil {
			if !(res.Trials >= 1-1e-9 && res.Trials <= float64(res.Configs)+1e-9) {
				t.Fatalf("%v effective trials of %d", res.Trials, res.Configs)
			}
		}
		if len(m) > 0 {
			bench := make([]float64, len(m))
			for d, row := range m {
				if len(row) > 0 {
					bench[d] = row[0] / 2
				}
			}
			if res, err := SuperiorPredictiveAbility(m, bench, SPAConfig{Draws: 20, BlockLength: 1 + float64(shape[1]%4)}); err == nil {
				for _, p := range []float64{res.PValue, res.PValueLower, res.PValueUpper, res.RealityCheckPValue} {
					inUnit("p-value", p)
				}
			}
		}
		if res, err := PeriodRanks(m, []int{len(m) / 2}, nil); err == nil {
			for _, row := range res.Spearman {
				for _, s := range row {
					if s < -1-1e-12 || s > 1+1e-12 {
						t.Fatalf("Spearman %v", s)
					}
				}
			}
		}
	})
}
