package main

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/pflag"

	"gem/ledger"
	"gem/progress"
	"gem/trial"
)

// ledgerFlags choose where trials are recorded.
type ledgerFlags struct {
	path   string
	resume bool
}

func (l *ledgerFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&l.path, "ledger", "results/ledger.tsv", `ledger file ("-" for none)`)
	fs.BoolVar(&l.resume, "resume", false, "skip configurations already in the ledger (same harness and data)")
}

// open opens the ledger, telling the user when a torn line was repaired.
func (l *ledgerFlags) open(stderr io.Writer) (*ledger.Ledger, error) {
	if l.path == "" || l.path == "-" {
		return nil, nil
	}
	lg, repaired, err := ledger.Open(l.path)
	if err != nil {
		return nil, err
	}
	if repaired {
		fmt.Fprintf(stderr, "gem: %s: repaired a torn last line left by an interrupted run\n", l.path)
	}
	return lg, nil
}

// openReturns opens the returns file beside the ledger (nil without a
// ledger), telling the user when a torn record was repaired.
func (l *ledgerFlags) openReturns(stderr io.Writer) (*ledger.ReturnsFile, error) {
	if l.path == "" || l.path == "-" {
		return nil, nil
	}
	path := ledger.ReturnsPath(l.path)
	rf, repaired, err := ledger.OpenReturns(path)
	if err != nil {
		return nil, err
	}
	if repaired {
		fmt.Fprintf(stderr, "gem: %s: repaired a torn last record left by an interrupted run\n", path)
	}
	return rf, nil
}

// done returns the trials already in the ledger by key, for --resume.
func (l *ledgerFlags) done() (map[string]ledger.Row, error) {
	if !l.resume || l.path == "" || l.path == "-" {
		return map[string]ledger.Row{}, nil
	}
	return trial.Resumable(l.path)
}

// openPool loads the data, opens the ledger and reads the trials already in
// it (for --resume), and returns a pool that records command's trials there
// (and their daily returns beside it) on workers local goroutines, with
// progress on stderr. The caller closes the pool; desc describes the data.
func openPool(ctx context.Context, stderr io.Writer, data *dataFlags, lf *ledgerFlags, workers int, command string) (pl *trial.Pool, desc string, err error) {
	p, desc, err := data.load(stderr)
	if err != nil {
		return nil, "", err
	}
	lg, err := lf.open(stderr)
	if err != nil {
		return nil, "", err
	}
	rf, err := lf.openReturns(stderr)
	if err != nil {
		lg.Close()
		return nil, "", err
	}
	done, err := lf.done()
	if err != nil {
		lg.Close()
		rf.Close()
		return nil, "", err
	}
	return &trial.Pool{Env: trial.NewEnv(p, command), Exec: trial.Local{Workers: workers}, Ledger: lg, Returns: rf, Done: done,
		Observer: progress.NewObserver(ctx, command)}, desc, nil
}
