package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPerpFlags replays a short book on a perp file with its funding
// (--strategy weights, --funding), refuses a spot and a perp file together
// without --allow-mixed, refuses a weights book without --strategy weights,
// and stops on missing funding unless a rule is chosen.
func TestPerpFlags(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	var c strings.Builder
	c.WriteString("token,date,open,high,low,close,volume\n")
	for _, d := range []string{"01", "02", "03", "04"} {
		c.WriteString("AAA,2024-01-" + d + ",100,100,100,100,1\n")
	}
	perp := write("a_perp.csv", c.String())
	spot := write("b_spot.csv", "token,date,open,high,low,close,volume\nBBB,2024-01-01,1,1,1,1,1\n")
	funding := write("funding.csv", "token,time,funding_rate\nAAA,2024-01-02T08:00:00Z,0.01\nAAA,2024-01-03T08:00:00Z,0.01\nAAA,2024-01-04T08:00:00Z,0.01\n")
	book := write("book.csv", "date,token,weight\n2024-01-02,AAA,-1\n")
	// The short of 10,000 receives 1% of its notional three times; the fee
	// is 0.3%: 10000 + 300 − 30.
	code, out, errText := gem(t, "eval", "--strategy", "weights", "--weights", book, "--data", perp, "--funding", funding, "--ledger", "-")
	if code != 0 || !strings.Contains(out, "final value  10270.00") || !strings.Contains(out, "funding received") {
		t.Errorf("replay: exit %d\n%s\n%s", code, out, errText)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--strategy", "weights", "--weights", book, "--data", perp, "--data", spot}, "--allow-mixed"},
		{[]string{"--strategy", "weights", "--weights", book, "--data", perp}, "no funding for perp AAA on 2024-01-02"},
		{[]string{"--strategy", "benchmark", "--weights", book, "--data", perp}, "--strategy weights and --weights FILE go together"},
		{[]string{"--strategy", "weights", "--weights", book, "--data", perp, "--funding-missing", "rate=x"}, "--funding-missing"},
		{[]string{"--strategy", "benchmark", "--data", spot, "--funding", funding}, "the data has no perps"},
	} {
		code, _, errText := gem(t, append([]string{"eval", "--ledger", "-"}, c.args...)...)
		if code == 0 || !strings.Contains(errText, c.want) {
			t.Errorf("%v: exit %d, stderr %q, want %q", c.args, code, errText, c.want)
		}
	}
}
