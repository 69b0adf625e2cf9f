package main

import (
	"context"
	"io"
	"runtime"

	"github.com/spf13/pflag"

	"gem/render"
	"gem/trial"
)

// seedFlags is --seeds: evaluate each configuration under several random
// starts of the regime model (trial.SeedSpecs).
type seedFlags struct{ k int }

func (s *seedFlags) register(fs *pflag.FlagSet) {
	fs.IntVar(&s.k, "seeds", 0, "evaluate under K regime-model seeds (hmm.seed = its value, +1, ...) and report the median, spread and share rejected; 0 for one run")
}

// runSeeds runs specs through pool (every trial to its ledger), on this
// machine's cores when the pool is local, and returns the results in order.
func runSeeds(ctx context.Context, pool *trial.Pool, specs []trial.Spec) ([]*trial.Result, error) {
	if _, ok := pool.Exec.(trial.Local); ok {
		pool.Exec = trial.Local{Workers: runtime.NumCPU()}
	}
	return pool.Collect(ctx, specs)
}

// eval is gem eval --seeds: the configuration under k seeds, each seed's
// score and the spread.
func (s *seedFlags) eval(ctx context.Context, w io.Writer, pool *trial.Pool, desc string, spec trial.Spec, asJSON bool) error {
	specs, err := trial.SeedSpecs(spec, s.k)
	if err != nil {
		return err
	}
	res, err := runSeeds(ctx, pool, specs)
	switch {
	case err != nil:
		return err
	case asJSON:
		return render.SeedsJSON(w, spec, res)
	}
	render.Seeds(w, desc, pool.Env.Panel, spec, res)
	return nil
}
