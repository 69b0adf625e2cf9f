package ledger

// Foreign returns the indices of the rows whose harness fingerprint is not
// fingerprint: trials scored by a different (edited) harness, whose scores
// are not comparable with those of the current one.
func Foreign(rows []Row, fingerprint string) []int {
	var out []int
	for i := range rows {
		if rows[i].Harness != fingerprint {
			out = append(out, i)
		}
	}
	return out
}
