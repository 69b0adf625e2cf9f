package lookahead

import (
	"strings"
	"testing"

	"gem/harness"
)

// TestWriteText checks the printed verdicts of hand-made reports, each
// line written out by hand, and the error of each verdict.
func TestWriteText(t *testing.T) {
	dates := []harness.Date{19000, 19001, 19002, 19003} // 2022-01-08..2022-01-11
	tokens := []string{"A", "B", "C", "D", "E", "F", "G"}
	six := &harness.Rebalance{Day: 2}
	for i := range 6 {
		six.Targets = append(six.Targets, harness.Target{Token: i, Weight: 0.125})
	}
	one := &harness.Rebalance{Day: 2, Targets: []harness.Target{{Token: 6, Weight: 1.0 / 3}}}
	cash := &harness.Rebalance{Day: 2}
	const sampled = "perturbed every candle from day t on, for 2 days t: 2022-01-09 2022-01-11\n"
	tests := []struct {
		name string
		r    Report
		want string
		err  string // "" when the verdict is no error
	}{
		{name: "clean causal", r: Report{Fill: harness.Causal, Days: []int{1, 3}},
			want: sampled + "PASS: no decision filled on or before t changed (causal fills)\n"},
		{name: "clean reference", r: Report{Fill: harness.Reference, Days: []int{1, 3}},
			want: sampled + "PASS on the sampled days: no decision changed, though reference fills do see day t's close when they decide; sample more days (--days) to see that leak\n"},
		{name: "known leak", r: Report{Fill: harness.Reference, Days: []int{1, 3}, Leaks: []Leak{{T: 3, Day: 2, Want: one, Got: cash, SameClose: true}}},
			want: sampled +
				"  t=2022-01-11: the decision filled on 2022-01-10 changed: was rebalance to G:0.3333, now rebalance to cash (unchanged when perturbing from t+1: same-close)\n" +
				"KNOWN LEAK: with reference fills the decision filled at day t's close sees that close (the reference's same-close look-ahead, 1 of 2 days); nothing looks further ahead. Use --fill causal for honest numbers.\n"},
		{name: "leak", r: Report{Fill: harness.Causal, Days: []int{1, 3}, Leaks: []Leak{{T: 1, Day: 1, Want: nil, Got: six}, {T: 3, Day: 2, Want: one, Got: nil, SameClose: true}}},
			want: sampled +
				"  t=2022-01-09: the decision filled on 2022-01-09 changed: was no rebalance, now rebalance to A:0.1250 B:0.1250 C:0.1250 D:0.1250 E:0.1250 ... (6 targets)\n" +
				"  t=2022-01-11: the decision filled on 2022-01-10 changed: was rebalance to G:0.3333, now no rebalance (unchanged when perturbing from t+1: same-close)\n" +
				"FAIL: decisions depend on data from their fill day or later on 2 of 2 sampled days\n",
			err: "look-ahead: 2 of 2 sampled days leaked (causal fills)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.r.Dates, tc.r.Tokens = dates, tokens
			var b strings.Builder
			if err := tc.r.WriteText(&b); err != nil {
				t.Fatal(err)
			}
			if b.String() != tc.want {
				t.Errorf("got\n%s\nwant\n%s", b.String(), tc.want)
			}
			err := tc.r.Err()
			if (err == nil) != (tc.err == "") || err != nil && err.Error() != tc.err {
				t.Errorf("got error %v, want %q", err, tc.err)
			}
		})
	}
}
