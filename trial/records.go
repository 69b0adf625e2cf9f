package trial

import (
	"context"

	"gem/ledger"
)

// Collect runs specs through p and returns their results in slot order,
// with the error of Run (after an interrupt, the results of the trials not
// reported are nil).
func (p *Pool) Collect(ctx context.Context, specs []Spec) ([]*Result, error) {
	res := make([]*Result, len(specs))
	err := p.Run(ctx, specs, func(i int, r *Result) { res[i] = r })
	return res, err
}

// Open points p at the ledger at path and the returns file beside it
// (ledger.ReturnsPath), each created when absent, and with resume takes the
// trials already in the ledger as done (Resumable). It returns a note for
// each file whose torn end, left by an interrupted run, it repaired. After
// an error p records nowhere.
func (p *Pool) Open(path string, resume bool) (notes []string, err error) {
	lg, repaired, err := ledger.Open(path)
	if err != nil {
		return nil, err
	}
	if repaired {
		notes = append(notes, path+": repaired a torn last line left by an interrupted run")
	}
	rpath := ledger.ReturnsPath(path)
	rf, repaired, err := ledger.OpenReturns(rpath)
	if err != nil {
		lg.Close()
		return notes, err
	}
	if repaired {
		notes = append(notes, rpath+": repaired a torn last record left by an interrupted run")
	}
	done := map[string]ledger.Row{}
	if resume {
		if done, err = Resumable(path); err != nil {
			lg.Close()
			rf.Close()
			return notes, err
		}
	}
	p.Ledger, p.Returns, p.Done = lg, rf, done
	return notes, nil
}

// Seeds runs spec under k consecutive regime-model seeds from its own
// (SeedSpecs) through p and returns the results in seed order.
func (p *Pool) Seeds(ctx context.Context, spec Spec, k int) ([]*Result, error) {
	specs, err := SeedSpecs(spec, k)
	if err != nil {
		return nil, err
	}
	return p.Collect(ctx, specs)
}
