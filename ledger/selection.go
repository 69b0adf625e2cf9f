package ledger

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"gem/harness"
)

// Selection chooses rows of a ledger, and reads them with their daily
// returns from the returns file beside it. Its fields are the options of
// gem's --ledger, --command and --since flags, as the flags give them.
type Selection struct {
	// Path is the ledger file.
	Path string
	// Command keeps only the rows recorded by this command (eval, sweep,
	// search ...); empty keeps all.
	Command string
	// Since keeps only the rows recorded at or after this time, an RFC
	// 3339 time or a date (ParseSince); empty keeps all.
	Since string
}

// Read returns the selected rows in ledger order and the latest series of
// every key in the returns file beside the ledger (ReturnsPath), which must
// exist; a Since that does not parse is an error. Lines that are not trusted rows and records that do not read are
// skipped and reported on warn.
func (s *Selection) Read(warn func(string)) ([]Row, map[string]*Series, error) {
	rows, problems, err := Read(s.Path)
	if err != nil {
		return nil, nil, err
	}
	if len(problems) > 0 {
		warn(fmt.Sprintf("%s: %d lines are not trusted rows and were skipped (gem ledger verify lists them)", s.Path, len(problems)))
	}
	var since time.Time
	if s.Since != "" {
		if since, err = ParseSince(s.Since); err != nil {
			return nil, nil, err
		}
	}
	rows = slices.DeleteFunc(rows, func(r Row) bool {
		return r.Time.Before(since) || s.Command != "" && r.Command != s.Command
	})
	rpath := ReturnsPath(s.Path)
	list, rproblems, err := ReadReturns(rpath)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil, fmt.Errorf("%s: no returns file beside the ledger (trials keep their daily returns since gem recorded them there)", rpath)
	}
	if err != nil {
		return nil, nil, err
	}
	for _, p := range rproblems {
		warn(fmt.Sprintf("%s: record at byte %d skipped: %v", rpath, p.Offset, p.Err))
	}
	series := make(map[string]*Series, len(list))
	for i := range list {
		series[list[i].Key] = &list[i]
	}
	return rows, series, nil
}

// ExportReturns writes the daily returns of the selected trials to the CSV
// file at out (WriteReturnsCSV), one column per trial key in the order of
// its first row, and returns how many it wrote. Trials without returns are
// left out and counted on warn, as are unreadable rows and records (Read).
func (s *Selection) ExportReturns(out string, warn func(string)) (int, error) {
	rows, series, err := s.Read(warn)
	if err != nil {
		return 0, err
	}
	cols, missing := trialReturns(rows, series)
	if missing > 0 {
		warn(fmt.Sprintf("%d trials have no daily returns in %s and are left out", missing, ReturnsPath(s.Path)))
	}
	return len(cols), WriteReturnsCSV(out, cols)
}

// trialReturns returns the series of the rows' keys, each key once, in the
// order of its first row; missing counts the keys without a series.
func trialReturns(rows []Row, series map[string]*Series) (cols []*Series, missing int) {
	seen := map[string]bool{}
	for _, r := range rows {
		k := r.Key()
		if seen[k] {
			continue
		}
		seen[k] = true
		if s := series[k]; s != nil {
			cols = append(cols, s)
		} else {
			missing++
		}
	}
	return cols, missing
}

// WriteReturnsCSV writes the series side by side to the CSV file at path:
// the header "date" and then each series' key; one row per day of any
// series, in date order, the date first and then each series' return that
// day (FormatFloat), empty where it has none.
func WriteReturnsCSV(path string, cols []*Series) error {
	var days []harness.Date
	for _, s := range cols {
		days = append(days, s.Days...)
	}
	slices.Sort(days)
	days = slices.Compact(days)
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	head := []string{"date"}
	for _, s := range cols {
		head = append(head, s.Key)
	}
	fmt.Fprintln(w, strings.Join(head, ","))
	next := make([]int, len(cols)) // each series' next day, walked in step
	cells := make([]string, len(cols)+1)
	for _, d := range days {
		cells[0] = d.String()
		for j, s := range cols {
			cells[j+1] = ""
			if next[j] < len(s.Days) && s.Days[next[j]] == d {
				cells[j+1] = FormatFloat(s.Returns[next[j]])
				next[j]++
			}
		}
		fmt.Fprintln(w, strings.Join(cells, ","))
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
