// Package render writes gem's results for people and for programs: the
// lines and tables the commands print and the JSON they emit, each derived
// from the trial runtime's results (package trial) and the metric schema, so
// that a command only wires flags to a run and hands the result here.
// Everything is written to an io.Writer; nothing is logged.
//
// Files and their roles:
//
//	doc.go          this overview.
//	describe.go     Label, Changes, Window and Setup: a configuration and a
//	                run's setup in the words every header uses.
//	trials.go       TrialLine, Trials, Shown, Finish, Search and Phases: a
//	                sweep's or a search's lines as it runs, "Best:" and
//	                "Done."; Plan, a plan listed without running it.
//	eval.go         Score (−Inf as JSON null), EvalJSON (gem eval --json),
//	                Eval and MetricTable (gem eval's text); Printer, either
//	                as a command's --json asks.
//	seeds.go        Seeds and SeedsJSON: one configuration under several
//	                regime-model seeds.
//	lines.go        EvalLines: gem eval --stdin, one JSON configuration per
//	                line in and one JSON result per line out.
//	walkforward.go  Fold and WalkForward: a walk-forward run's folds and
//	                summary.
//	bench.go        Bench: gem bench's table.
//	params.go       Params and Printer.Params: gem params's table or JSON.
package render
