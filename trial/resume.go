package trial

import (
	"errors"
	"os"

	"gem/ledger"
	"gem/strategy"
)

// Resumable returns the rows of the ledger at path by trial key, the last
// row of a key winning; empty when the file does not exist. Each key is
// recomputed from the row's parameters read in the current parameter space,
// so a row written before a parameter existed matches a trial that has that
// parameter at its default. Rows of an unknown strategy, or whose
// parameters no longer parse, keep their recorded key. Rows that do not
// read (torn, foreign, failing their checksum) are not resumed.
func Resumable(path string) (map[string]ledger.Row, error) {
	rows, _, err := ledger.Read(path)
	if errors.Is(err, os.ErrNotExist) {
		return map[string]ledger.Row{}, nil
	}
	if err != nil {
		return nil, err
	}
	idx := make(map[string]ledger.Row, len(rows))
	for _, r := range rows {
		key := r.Key()
		if c, err := strategy.Build(r.Strategy, r.Params); err == nil {
			key = ledger.Key(r.Strategy, r.Fill, r.Window, strategy.Assign(c).String(), r.Harness, r.Data)
		}
		idx[key] = r
	}
	return idx, nil
}
