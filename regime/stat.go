package regime

// Stat is one named figure that a walk-forward detector reports about its own
// run, such as "refits", "failed_fits" or "oos_loglik". Names are snake_case
// so that they serve as JSON keys and ledger columns alike.
type Stat struct {
	Name  string
	Value float64
}

// Stats reports the walker's figures so far: successful and failed refits,
// EM iterations, and warm refits won by a random start.
func (wk *Walker) Stats() []Stat {
	r := &wk.rep
	return []Stat{
		{"refits", float64(r.Refits)},
		{"failed_fits", float64(r.FailedFits)},
		{"em_iterations", float64(r.EMIter)},
		{"warm_lost", float64(r.WarmLost)},
	}
}
