package search

import (
	"context"
	"fmt"

	"gem/space"
)

// Method proposes assignments and is told their scores, in the ask-and-tell
// style of gonum's optimize.Method and Optuna's study.ask/study.tell. A
// method never evaluates anything itself, so the same method runs on one
// core, a pool of workers or NATS workers on many machines.
//
// The assignments a method proposes belong to its own space (Grid, Random
// and the learned methods: the searched parameters only, whose defaults are
// the base configuration's values; Phased: the full space). The driver
// overlays them onto the base configuration by name.
//
// What a method proposes depends only on its construction (space, seed) and
// on the scores it was told, never on timing or on how many workers
// evaluate a batch, so a search is repeatable.
type Method interface {
	// Ask returns the next batch of at most n assignments to evaluate. An
	// empty batch means the method has nothing more to propose. Ask must not
	// be called again before the batch's scores are told.
	Ask(n int) ([]space.Assignment, error)
	// Tell reports the scores of the last batch, in its order. −Inf marks a
	// rejected configuration (a failed constraint), never a number to model.
	Tell(scores []float64) error
}

// Evaluate scores a batch of assignments; scores[i] belongs to batch[i].
type Evaluate func(ctx context.Context, batch []space.Assignment) (scores []float64, err error)

// Drive runs m until it stops proposing or budget evaluations were made
// (budget ≤ 0: no limit), asking for batches of at most batch assignments
// (batch ≥ 1). It returns the number of evaluations made. The batch size,
// not the number of workers behind eval, decides what is proposed.
func Drive(ctx context.Context, m Method, budget, batch int, eval Evaluate) (int, error) {
	if batch < 1 {
		panic(fmt.Sprintf("search: Drive with batch %d, want ≥ 1", batch))
	}
	done := 0
	for budget <= 0 || done < budget {
		if err := ctx.Err(); err != nil {
			return done, err
		}
		n := batch
		if budget > 0 {
			n = min(n, budget-done)
		}
		as, err := m.Ask(n)
		if err != nil {
			return done, err
		}
		if len(as) == 0 {
			return done, nil
		}
		if len(as) > n {
			return done, fmt.Errorf("search: method proposed %d assignments, asked for at most %d", len(as), n)
		}
		scores, err := eval(ctx, as)
		done += len(scores)
		if err != nil {
			return done, err
		}
		if err := m.Tell(scores); err != nil {
			return done, err
		}
	}
	return done, nil
}

// batch tracks the size of the batch awaiting Tell, for the methods that
// learn nothing from scores (Grid, Random).
type batch struct{ pending int }

// asking reports a call of Ask before the last batch was told.
func (b *batch) asking() error {
	if b.pending > 0 {
		return fmt.Errorf("search: Ask before the last batch was told")
	}
	return nil
}

// Tell implements Method: it checks the count and learns nothing.
func (b *batch) Tell(scores []float64) error {
	if len(scores) != b.pending {
		return fmt.Errorf("search: told %d scores for a batch of %d", len(scores), b.pending)
	}
	b.pending = 0
	return nil
}
