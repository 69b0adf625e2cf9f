package main

import (
	"fmt"
	"strings"
	"testing"
)

// TestOneTokenWarning: a run on one token loads and runs, and says on
// stderr, naming the file, that a ranking of one token can score 0; a run
// on two tokens says nothing of the kind.
func TestOneTokenWarning(t *testing.T) {
	rows := func(tokens ...string) string {
		var b strings.Builder
		b.WriteString("token,date,open,high,low,close,volume\n")
		for _, tok := range tokens {
			for d := range 31 {
				fmt.Fprintf(&b, "%s,2024-01-%02d,,,,%d,\n", tok, 1+d, 100+d)
			}
		}
		return b.String()
	}
	one := writeText(t, "one.csv", rows("XYZ"))
	code, _, errOut := gemRun(t, "eval", "--strategy", "specialist", "--data", one, "--ledger", "-")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if want := "gem: warning: " + one + ": one token (XYZ)"; !strings.Contains(errOut, want) || !strings.Contains(errOut, "scores 0") {
		t.Errorf("stderr %q, want it to contain %q and say the run can score 0", errOut, want)
	}
	two := writeText(t, "two.csv", rows("XYZ", "ABC"))
	code, _, errOut = gemRun(t, "eval", "--strategy", "specialist", "--data", two, "--ledger", "-")
	if code != 0 || strings.Contains(errOut, "warning") {
		t.Errorf("two tokens: exit %d, stderr %q; want 0 and no warning", code, errOut)
	}
}
