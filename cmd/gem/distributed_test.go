package main

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"gem/ledger"
)

// TestSweepDistributed: a sweep whose candidates go through the embedded
// NATS server to two local workers prints the same trial lines and records
// the same ledger rows, time and seconds aside, as a local sweep.
func TestSweepDistributed(t *testing.T) {
	data := synthCSV(t)
	dir := t.TempDir()
	sweep := func(name string, extra ...string) (lines []string, rows []string, stderr string) {
		t.Helper()
		path := filepath.Join(dir, name+".tsv")
		args := append([]string{"sweep", "--data", data, "--strategy", "specialist",
			"--param", "r2_threshold", "--values", "0,0.1,0.2,0.3,0.5,0.7", "--set", "top_n=8",
			"--workers", "2", "--ledger", path}, extra...)
		var out, errOut bytes.Buffer
		if code := Run(context.Background(), args, &out, &errOut); code != 0 {
			t.Fatalf("%s: exit %d: %s", name, code, errOut.String())
		}
		for _, l := range strings.Split(out.String(), "\n") {
			if !strings.HasPrefix(l, "Done.") { // Done. carries the elapsed time
				lines = append(lines, l)
			}
		}
		got, problems, err := ledger.Read(path)
		skipped := len(problems)
		if err != nil || skipped != 0 || len(got) != 6 {
			t.Fatalf("%s: %d rows, %d skipped, %v", name, len(got), skipped, err)
		}
		for _, r := range got {
			r.Time, r.Seconds = got[0].Time, 0
			rows = append(rows, fmt.Sprintf("%s %s %s %s %s score=%s base=%+v stress=%+v %s %s %s", r.Command, r.Strategy, r.Fill, r.Key(), r.Params, ledger.FormatFloat(r.Score), r.Base, r.Stress, r.Harness, r.Data, r.Rejection))
		}
		return lines, rows, errOut.String()
	}
	wantLines, wantRows, _ := sweep("local")
	gotLines, gotRows, stderr := sweep("distributed", "--distributed")
	if !strings.Contains(stderr, "gem worker --nats nats://127.0.0.1:") {
		t.Errorf("stderr does not tell how to add workers:\n%s", stderr)
	}
	if g, w := strings.Join(gotLines, "\n"), strings.Join(wantLines, "\n"); g != w {
		t.Errorf("distributed sweep printed\n%s\nwant\n%s", g, w)
	}
	for i := range wantRows {
		if gotRows[i] != wantRows[i] {
			t.Errorf("row %d:\ngot  %s\nwant %s", i, gotRows[i], wantRows[i])
		}
	}
}
