package selection

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gem/harness"
	"gem/ledger"
	"gem/report"
	"gem/synth"
	"gem/trial"
)

// session runs a short session on a small synthetic panel: the specialist
// at top_n 3, 6 and 8 on the window to 2020-09-30, recorded in a ledger
// with its returns, and gem keep of top_n=6. It returns the ledger's path,
// the panel and the kept trial's key.
func session(t *testing.T) (string, *harness.Panel, string) {
	t.Helper()
	cfg := synth.DefaultConfig()
	cfg.Tokens, cfg.Days = 20, 400
	p, err := synth.Panel(cfg)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "ledger.tsv")
	lg, _, err := ledger.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	rf, _, err := ledger.OpenReturns(ledger.ReturnsPath(path))
	if err != nil {
		t.Fatal(err)
	}
	pool := &trial.Pool{Env: trial.NewEnv(p, "sweep"), Exec: trial.Local{Workers: 1}, Ledger: lg, Returns: rf}
	var specs []trial.Spec
	for _, n := range []int{3, 6, 8} {
		s, err := trial.ParseSpec("specialist", "causal", "..2020-09-30", fmt.Sprintf("top_n=%d", n))
		if err != nil {
			t.Fatal(err)
		}
		specs = append(specs, s)
	}
	var keys []string
	if err := pool.Run(context.Background(), specs, func(_ int, r *trial.Result) { keys = append(keys, r.Row.Key()) }); err != nil {
		t.Fatal(err)
	}
	if err := pool.Close(); err != nil {
		t.Fatal(err)
	}
	if _, _, err := report.Keep(path, keys[1]); err != nil {
		t.Fatal(err)
	}
	return path, p, keys[1]
}

// TestDraft: the draft of a session judges the kept trial, and its
// hold-out is what evaluating the baseline, the final configuration and
// the benchmark directly on the hold-out gives.
func TestDraft(t *testing.T) {
	path, p, kept := session(t)
	load := func() (*harness.Panel, error) { return p, nil }
	d, err := Draft(context.Background(), DraftOptions{Ledger: path, Since: "2000-01-01", Load: load, HoldoutFrom: "2020-10-01", Stats: Options{Blocks: 4, Draws: 100, BlockLength: 5}})
	if err != nil {
		t.Fatal(err)
	}
	s := d.Summaries[d.Main]
	if s.Kept != 1 || s.Best.Key() != kept || s.Best.Command != report.KeepCommand {
		t.Fatalf("kept %d, final %s, want the keep of %s", s.Kept, s.Best.Key(), kept)
	}
	if len(d.Selection) != 2 || d.Selection[1].Judged != kept || d.Selection[1].JudgedBy != "--key" || d.Selection[0].JudgedBy != "best Sharpe" {
		t.Errorf("selection %+v (note %q)", d.Selection, d.SelectionNote)
	}
	if d.Verify != (report.Verification{Rows: 4}) {
		t.Errorf("verify %+v, want 4 trusted rows of this harness", d.Verify)
	}
	if d.Holdout == nil {
		t.Fatalf("no hold-out: %s", d.HoldoutNote)
	}
	env := trial.NewEnv(p, "check")
	for i, c := range []struct{ strategy, params string }{{"specialist", "top_n=3"}, {"specialist", "top_n=6"}, {"benchmark", ""}} {
		spec, err := trial.ParseSpec(c.strategy, "causal", "2020-10-01..", c.params)
		if err != nil {
			t.Fatal(err)
		}
		r, err := trial.Evaluate(context.Background(), env, spec)
		if err != nil {
			t.Fatal(err)
		}
		h := d.Holdout.Rows[i]
		if h.Key != r.Row.Key() || h.Score != r.Score() || h.AnnualizedPct != r.Row.Base.AnnualizedReturnPct {
			t.Errorf("hold-out %s: %+v, direct %s %v %v", h.Name, h, r.Row.Key(), r.Score(), r.Row.Base.AnnualizedReturnPct)
		}
	}
	if d.CommitsNote != "no repository given" {
		t.Errorf("commits note %q", d.CommitsNote)
	}
}

// TestDraftInputs: bad or missing inputs give an error or a note, never a
// panic.
func TestDraftInputs(t *testing.T) {
	path, p, _ := session(t)
	ctx := context.Background()
	if _, err := Draft(ctx, DraftOptions{Ledger: path, HoldoutFrom: "2020-13-01", Load: func() (*harness.Panel, error) { return p, nil }}); err == nil || !strings.Contains(err.Error(), "hold-out") {
		t.Errorf("bad hold-out date: %v", err)
	}
	if _, err := Draft(ctx, DraftOptions{Ledger: path, Since: "yesterday"}); err == nil || !strings.Contains(err.Error(), "--since") {
		t.Errorf("bad --since: %v", err)
	}
	other := synth.DefaultConfig()
	other.Tokens, other.Days, other.Seed = 20, 400, 2
	q, err := synth.Panel(other)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Draft(ctx, DraftOptions{Ledger: path, Load: func() (*harness.Panel, error) { return q, nil }}); err == nil || !strings.Contains(err.Error(), "fingerprint") {
		t.Errorf("other data: %v", err)
	}
	if _, err := Draft(ctx, DraftOptions{Ledger: filepath.Join(t.TempDir(), "none.tsv")}); err == nil {
		t.Error("no error for a missing ledger")
	}
	d, err := Draft(ctx, DraftOptions{Ledger: path, Since: "2999-01-01"})
	if err != nil || d.Main != -1 {
		t.Errorf("empty window: main %d, %v", d.Main, err)
	}
	// The ledger without its returns file: no statistics, a note; no data:
	// no hold-out, a note.
	bare := filepath.Join(t.TempDir(), "ledger.tsv")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bare, b, 0o644); err != nil {
		t.Fatal(err)
	}
	d, err = Draft(ctx, DraftOptions{Ledger: bare, HoldoutFrom: "2020-10-01"})
	if err != nil {
		t.Fatal(err)
	}
	if d.Selection != nil || !strings.Contains(d.SelectionNote, "no returns file") || d.Holdout != nil || d.HoldoutNote != "no data given" {
		t.Errorf("selection %v %q, hold-out %v %q", d.Selection, d.SelectionNote, d.Holdout, d.HoldoutNote)
	}
}

// TestJudge: Judge picks the group of the key and judges it.
func TestJudge(t *testing.T) {
	path, _, kept := session(t)
	rows, _, err := ledger.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	list, _, err := ledger.ReadReturns(ledger.ReturnsPath(path))
	if err != nil {
		t.Fatal(err)
	}
	series := map[string]*ledger.Series{}
	for i := range list {
		series[list[i].Key] = &list[i]
	}
	st, err := Judge(context.Background(), rows, series, Options{Key: kept, Blocks: 4, Draws: 50, BlockLength: 5}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if st.Judged != kept || st.Configurations != 3 || !st.SPAPValue.ok {
		t.Errorf("judged %s of %d configurations, SPA %v", st.Judged, st.Configurations, st.SPAPValue)
	}
	if want := "defaults except top_n=6"; st.JudgedParams != want {
		t.Errorf("judged params %q, want %q", st.JudgedParams, want)
	}
}
