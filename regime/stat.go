package regime

// Stat is one named figure that a walk-forward detector reports about its own
// run, such as "refits", "failed_fits" or "oos_loglik". Names are snake_case
// so that they serve as JSON keys and ledger columns alike.
type Stat struct {
	Name  string
	Value float64
}

// Stats reports the walker's figures so far: successful and failed refits,
// EM iterations, warm refits won by a random start, and the figures common
// to every detector (see track.stats: oos_loglik, oos_days, bic,
// mean_duration, model_duration).
func (wk *Walker) Stats() []Stat {
	r := &wk.rep
	return wk.tr.stats(
		Stat{"em_iterations", float64(r.EMIter)},
		Stat{"warm_lost", float64(r.WarmLost)},
	)
}
