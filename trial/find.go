package trial

import (
	"fmt"

	"gem/ledger"
)

// Find returns the rows of the ledger at path that ran the configuration of want:
// the same strategy, fill mode, scoring window and parameters, each row's
// parameters read in today's space (one it does not name is at its
// default), whatever the data or harness. Rows whose parameters no longer
// parse match nothing. It fails when the ledger does not read and, naming
// the configuration, when no row matches (as grep exits 1).
func Find(path string, want Spec) ([]ledger.Row, error) {
	rows, _, err := ledger.Read(path)
	if err != nil {
		return nil, err
	}
	var out []ledger.Row
	for i := range rows {
		r := &rows[i]
		s, err := ParseSpec(r.Strategy, r.Fill, r.Window, r.Params)
		if err == nil && s.Strategy == want.Strategy && s.Fill == want.Fill && s.Window == want.Window && s.Params.Equal(want.Params) {
			out = append(out, *r)
		}
	}
	if len(out) == 0 {
		what := "default parameters"
		if c := want.Params.Changes(); c != "" {
			what = "defaults except " + c
		}
		return nil, fmt.Errorf("%s: not in the ledger: %s", path, what)
	}
	return out, nil
}
