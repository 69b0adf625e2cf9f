package report_test

import (
	"fmt"
	"time"

	"gem/ledger"
	"gem/report"
)

// A baseline on two regime-model seeds, a probe on the same two seeds,
// and gem keep of the probe: the second baseline seed is a replicate
// (noise), the keep an adoption judged by its median over seeds.
func ExampleSummarize() {
	t0 := time.Date(2026, 3, 1, 22, 0, 0, 0, time.UTC)
	var rows []ledger.Row
	add := func(cmd, params string, score float64) {
		rows = append(rows, ledger.Row{Time: t0.Add(time.Duration(len(rows)) * time.Minute), Command: cmd, Strategy: "s",
			Fill: "causal", Params: params, Score: score, Harness: "h", Data: "d", Seconds: 60})
	}
	add("run", "top_n=8 hmm.seed=1", 0.10)
	add("run", "top_n=8 hmm.seed=2", 0.14)
	add("sweep", "top_n=5 hmm.seed=1", 0.12)
	add("sweep", "top_n=5 hmm.seed=2", 0.20)
	add(report.KeepCommand, "top_n=5 hmm.seed=1", 0.12)
	s := report.Summarize(rows)[0]
	st := s.Steps[0]
	fmt.Printf("kept %d %v: median %.2f -> %.2f over %d seeds (gain %.2f); replicates %d, parameters tuned %d\n",
		s.Kept, st.Changed, st.Before.Median, st.After.Median, st.After.N, st.Gain(), s.Replicates, len(s.Params))
	// Output: kept 1 [top_n=5]: median 0.12 -> 0.16 over 2 seeds (gain 0.04); replicates 1, parameters tuned 1
}
