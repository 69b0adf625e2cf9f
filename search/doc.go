// Package search is gem's search driver, part of the modifiable interior: it
// decides which configurations to evaluate next. Evaluation itself (the
// harness, the worker pool, the ledger) happens elsewhere and is handed in as
// a function, so a driver cannot touch how trials are scored.
//
// Files:
//   - plan.go: phased plans (each phase a grid or a one-at-a-time variation
//     around the current baseline; each phase's winner is locked in before
//     the next), the built-in published plan, and plan files in JSON or YAML.
//   - random.go: a plan's joint space and random search of it under a budget.
package search
