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

// TestDeterminism: the same sweep on the same data gives identical ledger
// rows, time and seconds aside, with 1, 2 and 8 workers; and identical
// per-trial output lines.
func TestDeterminism(t *testing.T) {
	data := synthCSV(t)
	dir := t.TempDir()
	var want []string
	var wantOut string
	for _, workers := range []int{1, 2, 8} {
		path := filepath.Join(dir, fmt.Sprintf("ledger-%d.tsv", workers))
		var stdout, stderr bytes.Buffer
		code := Run(context.Background(), []string{"sweep", "--data", data, "--strategy", "specialist",
			"--param", "r2_threshold", "--values", "0,0.1,0.2,0.3,0.5,0.7", "--set", "top_n=8",
			"--workers", fmt.Sprint(workers), "--ledger", path}, &stdout, &stderr)
		if code != 0 {
			t.Fatalf("workers=%d: exit %d: %s", workers, code, stderr.String())
		}
		rows, problems, err := ledger.Read(path)
		skipped := len(problems)
		if err != nil || skipped != 0 || len(rows) != 6 {
			t.Fatalf("workers=%d: %d rows, %d skipped, %v", workers, len(rows), skipped, err)
		}
		var got []string
		for i := range rows {
			r := rows[i]
			r.Time, r.Seconds = rows[0].Time, 0
			got = append(got, fmt.Sprintf("%s %s %s %s %s score=%s base=%+v stress=%+v %s %s %s", r.Command, r.Strategy, r.Fill, r.Key(), r.Params, ledger.FormatFloat(r.Score), r.Base, r.Stress, r.Harness, r.Data, r.Rejection))
		}
		var trialLines []string
		for _, l := range strings.Split(stdout.String(), "\n") {
			if strings.Contains(l, "  score=") || strings.HasPrefix(l, "Best:") {
				trialLines = append(trialLines, l)
			}
		}
		out := strings.Join(trialLines, "\n")
		if want == nil {
			want, wantOut = got, out
			if len(trialLines) != 7 {
				t.Fatalf("workers=1 printed %d trial lines, want 7:\n%s", len(trialLines), stdout.String())
			}
			continue
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("workers=%d, row %d:\ngot  %s\nwant %s", workers, i, got[i], want[i])
			}
		}
		if out != wantOut {
			t.Errorf("workers=%d printed\n%s\nwant\n%s", workers, out, wantOut)
		}
	}
}
