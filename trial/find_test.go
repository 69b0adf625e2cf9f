package trial

import (
	"path/filepath"
	"strings"
	"testing"

	"gem/ledger"
)

// TestFind: a configuration is found whatever the data and harness, and
// also in a row that names fewer parameters (written before the others
// existed); another window, fill or value is not it.
func TestFind(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ledger.tsv")
	lg, _, err := ledger.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	want, err := ParseSpec("specialist", "causal", "2021-01-01..", "top_n=3")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []ledger.Row{
		{Strategy: "specialist", Fill: "causal", Window: "2021-01-01..", Params: want.Params.String(), Harness: "h1", Data: "d1"},
		{Strategy: "specialist", Fill: "causal", Window: "2021-01-01..", Params: "top_n=3", Harness: "h2", Data: "d2"},
		{Strategy: "specialist", Fill: "causal", Window: "", Params: "top_n=3", Harness: "h1", Data: "d1"},
		{Strategy: "specialist", Fill: "reference", Window: "2021-01-01..", Params: "top_n=3", Harness: "h1", Data: "d1"},
		{Strategy: "specialist", Fill: "causal", Window: "2021-01-01..", Params: "top_n=4", Harness: "h1", Data: "d1"},
		{Strategy: "specialist", Fill: "causal", Window: "2021-01-01..", Params: "no_such=1", Harness: "h1", Data: "d1"},
		{Strategy: "<b>", Fill: "causal", Window: "2021-01-01..", Params: "top_n=3", Harness: "h1", Data: "d1"},
	} {
		if err := lg.Append(&r); err != nil {
			t.Fatal(err)
		}
	}
	lg.Close()
	got, err := Find(path, want)
	if err != nil || len(got) != 2 || got[0].Data != "d1" || got[1].Data != "d2" {
		t.Fatalf("found %+v, %v; want the first two rows", got, err)
	}
	other, _ := ParseSpec("specialist", "causal", "2021-01-01..", "top_n=9")
	if _, err := Find(path, other); err == nil || !strings.Contains(err.Error(), "not in the ledger: defaults except top_n=9") {
		t.Errorf("absent configuration: %v", err)
	}
	if _, err := Find(filepath.Join(t.TempDir(), "none.tsv"), want); err == nil || strings.Contains(err.Error(), "not in the ledger") {
		t.Errorf("missing ledger: %v", err)
	}
}
