package ledger

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestWriteReturnsCSV(t *testing.T) {
	path := filepath.Join(t.TempDir(), "r.csv")
	a := sampleSeries("aaaa", 19000, 0.5, -0.25) // 2022-01-08, 2022-01-09
	b := sampleSeries("bbbb", 19001, 0.1, 0, 1e-17)
	b.Days[2] = 19004 // a gap: 2022-01-09, 2022-01-10, 2022-01-12
	if err := WriteReturnsCSV(path, []*Series{a, b}); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := "date,aaaa,bbbb\n" +
		"2022-01-08,0.5,\n" +
		"2022-01-09,-0.25,0.1\n" +
		"2022-01-10,,0\n" +
		"2022-01-12,,1e-17\n"
	if string(got) != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if err := WriteReturnsCSV(path, nil); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(path); string(got) != "date\n" {
		t.Errorf("no series: got %q, want the header alone", got)
	}
	if err := WriteReturnsCSV(filepath.Join(t.TempDir(), "no", "such", "dir.csv"), nil); err == nil {
		t.Errorf("an unwritable path: no error")
	}
}

// TestSelectionExport writes a ledger of four rows (two of one key) and the
// returns of two of its three keys, and checks which rows each selection
// keeps and what the export writes and warns.
func TestSelectionExport(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ledger.tsv")
	l, _, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	rf, _, err := OpenReturns(ReturnsPath(path))
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for i, cmd := range []string{"sweep", "eval", "sweep", "search"} {
		r := sampleRow(i % 3) // rows 0 and 3 share a key
		r.Command, r.Time = cmd, time.Date(2026, 1, 1+i, 0, 0, 0, 0, time.UTC)
		if err := l.Append(r); err != nil {
			t.Fatal(err)
		}
		keys = append(keys, r.Key())
		if i < 2 {
			if err := rf.Append(sampleSeries(r.Key(), 19000, 0.01*float64(i+1))); err != nil {
				t.Fatal(err)
			}
		}
	}
	l.Close()
	rf.Close()
	tests := []struct {
		name  string
		sel   Selection
		rows  int
		cols  int
		warns int
		order []int // the columns' keys, by the row that has each first
	}{
		{"all", Selection{Path: path}, 4, 2, 1, []int{0, 1}},
		{"by command", Selection{Path: path, Command: "sweep"}, 2, 1, 1, []int{0}},
		{"since", Selection{Path: path, Since: "2026-01-02"}, 3, 2, 1, []int{1, 0}},
		{"none", Selection{Path: path, Command: "walkforward"}, 0, 0, 0, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var warned []string
			warn := func(s string) { warned = append(warned, s) }
			rows, series, err := tc.sel.Read(warn)
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != tc.rows || len(series) != 2 {
				t.Errorf("got %d rows and %d series, want %d and 2", len(rows), len(series), tc.rows)
			}
			out := filepath.Join(t.TempDir(), "r.csv")
			n, err := tc.sel.ExportReturns(out, warn)
			if err != nil || n != tc.cols {
				t.Fatalf("got %d columns, %v; want %d", n, err, tc.cols)
			}
			if len(warned) != tc.warns || tc.warns > 0 && !strings.HasPrefix(warned[0], "1 trials have no daily returns in "+ReturnsPath(path)) {
				t.Errorf("got warnings %q, want %d about the trial without returns", warned, tc.warns)
			}
			b, _ := os.ReadFile(out)
			want := "date"
			for _, i := range tc.order {
				want += "," + keys[i]
			}
			if head := strings.SplitN(string(b), "\n", 2)[0]; head != want {
				t.Errorf("got header %q, want %q: the keys in ledger order", head, want)
			}
		})
	}
	if _, _, err := (&Selection{Path: path, Since: "last week"}).Read(func(string) {}); err == nil || !strings.HasPrefix(err.Error(), `--since "last week"`) {
		t.Errorf("a bad Since: got %v", err)
	}
	os.Remove(ReturnsPath(path))
	if _, _, err := (&Selection{Path: path}).Read(func(string) {}); err == nil || !strings.Contains(err.Error(), "no returns file beside the ledger") {
		t.Errorf("without a returns file: got %v", err)
	}
	if _, _, err := (&Selection{Path: filepath.Join(dir, "missing.tsv")}).Read(func(string) {}); err == nil {
		t.Errorf("without a ledger: no error")
	}
}
