package trial

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"gem/harness"
	"gem/strategy"
)

// SuiteRow is one measurement of gem bench: a configuration timed on a
// panel, or a golden dataset that was not found.
type SuiteRow struct {
	Name    string // what was timed: "ensemble cold", "specialist safehaven_2022 warm" ...
	Timing  Timing
	Ref     float64 // the reference's median seconds per evaluation of the same, 0 when it has none
	Missing string  // the golden dataset's path when it was not found (Timing is zero)
}

// Suite is what gem bench measures: the panel's load, the ensemble's
// evaluation cold and warm, and the GEM specialist in reference mode on the
// golden datasets beside the reference's own timings.
type Suite struct {
	Desc      string          // the panel's description, as load gives it
	Loads     []time.Duration // three loads of the panel
	TokenDays int             // of the panel
	Rows      []SuiteRow
}

// goldenBench are the golden datasets gem bench times the specialist on,
// with the reference's median seconds per evaluate (the golden README) and
// the number of timed runs.
var goldenBench = []struct {
	name, file string
	ref        float64
	runs       int
}{{"specialist safehaven_2022", "safehaven_2022.csv", 0.911, 50}, {"specialist majors_2022_2023", "majors_2022_2023.csv", 14.98, 10}}

// RunSuite measures the suite: load (which loads the panel and describes
// it) three times,
// cold and warm evaluations of the default ensemble on its panel, and the
// default specialist in reference mode, cold and warm (the fits of an
// earlier configuration with the same fit window reused, as in a sweep), on
// each golden dataset found in the directory golden.
func RunSuite(ctx context.Context, load func() (*harness.Panel, string, error), golden string, cold, warm int) (*Suite, error) {
	s := &Suite{}
	var p *harness.Panel
	for range 3 {
		start := time.Now()
		var err error
		if p, s.Desc, err = load(); err != nil {
			return nil, err
		}
		s.Loads = append(s.Loads, time.Since(start))
	}
	s.TokenDays = p.TokenDays()
	ens, _ := strategy.New("ensemble")
	for _, c := range []struct {
		name string
		runs int
		warm bool
	}{{"ensemble cold", cold, false}, {"ensemble warm", warm, true}} {
		t, err := Measure(ctx, p, ens, harness.Causal, c.runs, c.warm)
		if err != nil {
			return nil, err
		}
		s.Rows = append(s.Rows, SuiteRow{Name: c.name, Timing: t})
	}
	spec, _ := strategy.New("specialist")
	for _, g := range goldenBench {
		path := filepath.Join(golden, g.file)
		if _, err := os.Stat(path); err != nil {
			s.Rows = append(s.Rows, SuiteRow{Name: g.name, Missing: path})
			continue
		}
		gp, err := harness.LoadFiles(path)
		if err != nil {
			return nil, err
		}
		for _, warm := range []bool{false, true} {
			t, err := Measure(ctx, gp, spec, harness.Reference, g.runs, warm)
			if err != nil {
				return nil, err
			}
			kind := map[bool]string{false: "cold", true: "warm"}[warm]
			s.Rows = append(s.Rows, SuiteRow{Name: g.name + " " + kind, Timing: t, Ref: g.ref})
		}
	}
	return s, nil
}

// PeakRSS is the process's peak resident set so far, in MiB (0 when the
// system does not say).
func PeakRSS() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Maxrss) / 1024 // kilobytes on Linux
}
