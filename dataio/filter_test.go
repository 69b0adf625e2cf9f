package dataio

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"gem/harness"
)

// universe builds daily candles: each run is a token, a first date, and
// closes (0 skips a day).
func universe(runs ...any) []harness.Candle {
	var out []harness.Candle
	for i := 0; i < len(runs); i += 3 {
		tok, from, closes := runs[i].(string), day(runs[i+1].(string)), runs[i+2].([]float64)
		for k, c := range closes {
			if c != 0 {
				out = append(out, harness.Candle{Token: tok, Date: from + harness.Date(k), Open: c, High: c, Low: c, Close: c, Volume: 1})
			}
		}
	}
	return out
}

func counts(c []harness.Candle) string {
	n := map[string]int{}
	var names []string
	for _, x := range c {
		if n[x.Token] == 0 {
			names = append(names, x.Token)
		}
		n[x.Token]++
	}
	slices.Sort(names)
	var parts []string
	for _, k := range names {
		parts = append(parts, fmt.Sprintf("%s:%d", k, n[k]))
	}
	return strings.Join(parts, " ")
}

func TestFilter(t *testing.T) {
	gap := make([]float64, 19)
	gap[0], gap[1], gap[2], gap[16], gap[17], gap[18] = 10, 11, 12, 0.001, 0.0011, 0.0012 // 13 missing days
	gap2 := make([]float64, 22)
	copy(gap2, []float64{10, 11, 12})
	copy(gap2[19:], []float64{0.001, 0.0011, 0.0012}) // 16 missing days
	data := universe(
		"BTC", "2022-01-01", []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10},
		"USDT", "2022-01-01", []float64{1, 1, 1, 1, 1, 1, 1, 1, 1, 1},
		"EUR", "2022-01-01", []float64{1.1, 1.1, 1.1, 1.1, 1.1},
		"LUNA", "2022-01-01", gap2,
		"HALT", "2022-01-01", gap, // 13 missing days: a halt, not a reuse
		"COCO", "2022-01-01", []float64{1, 1, 0, 0, 100, 100},
		"NEW", "2022-01-08", []float64{5, 6, 7},
	)
	all := "BTC:10 COCO:4 EUR:5 HALT:6 LUNA:6 NEW:3 USDT:10"
	tests := []struct {
		name string
		f    Filter
		want string // token:count, or "error: ..."
	}{
		{"zero filter", Filter{}, all},
		{"date window", Filter{From: day("2022-01-02"), To: day("2022-01-04")}, "BTC:3 COCO:1 EUR:3 HALT:2 LUNA:2 USDT:3"},
		{"from only", Filter{From: day("2022-01-09")}, "BTC:2 HALT:3 LUNA:3 NEW:2 USDT:2"},
		{"to only", Filter{To: day("2022-01-01")}, "BTC:1 COCO:1 EUR:1 HALT:1 LUNA:1 USDT:1"},
		{"tokens", Filter{Tokens: []string{"BTC", " EUR"}}, "BTC:10 EUR:5"},
		{"unknown token", Filter{Tokens: []string{"BTC", "DOGE", "SHIB"}}, "error: no such token: DOGE, SHIB"},
		{"no stablecoins", Filter{ExcludeStablecoins: true}, "BTC:10 COCO:4 HALT:6 LUNA:6 NEW:3"},
		{"min history", Filter{MinHistory: 6}, "BTC:10 HALT:6 LUNA:6 USDT:10"},
		{"min history after the window", Filter{MinHistory: 2, From: day("2022-01-10")}, "HALT:3 LUNA:3"},
		{"split reused", Filter{SplitReused: true}, "BTC:10 COCO:4 EUR:5 HALT:6 LUNA:3 LUNA#2:3 NEW:3 USDT:10"},
		{"split reused, base name keeps both", Filter{SplitReused: true, Tokens: []string{"LUNA"}}, "LUNA:3 LUNA#2:3"},
		{"split reused, one part", Filter{SplitReused: true, Tokens: []string{"LUNA#2"}}, "LUNA#2:3"},
		{"unsplit has no LUNA#2", Filter{Tokens: []string{"LUNA#2"}}, "error: no such token: LUNA#2"},
		{"split redenominated", Filter{SplitRedenominated: true}, "BTC:10 COCO:2 COCO#2:2 EUR:5 HALT:3 HALT#2:3 LUNA:6 NEW:3 USDT:10"},
		{"split both", Filter{SplitReused: true, SplitRedenominated: true, Tokens: []string{"LUNA", "COCO"}}, "COCO:2 COCO#2:2 LUNA:3 LUNA#2:3"},
		// The data's last day is 2022-01-22, on which only LUNA trades; to
		// 2022-01-10 BTC, USDT and NEW do (HALT and LUNA are in a gap).
		{"survivors", Filter{SurvivorsOnly: true}, "LUNA:6"},
		{"survivors of a window", Filter{SurvivorsOnly: true, To: day("2022-01-10")}, "BTC:10 NEW:3 USDT:10"},
		{"survivors, no stablecoins", Filter{SurvivorsOnly: true, To: day("2022-01-10"), ExcludeStablecoins: true}, "BTC:10 NEW:3"},
		{"survivors before min history", Filter{SurvivorsOnly: true, To: day("2022-01-10"), MinHistory: 4}, "BTC:10 USDT:10"},
		{"reversed window", Filter{From: day("2022-01-05"), To: day("2022-01-04")}, "error: empty date range"},
		{"nothing left", Filter{From: day("2023-01-01")}, "error: keep no candles"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			where := make([]harness.Location, len(data))
			for i := range where {
				where[i] = harness.Location{File: data[i].Token, Line: int(data[i].Date)}
			}
			in := slices.Clone(data)
			got, gotWhere, err := tt.f.Apply(in, where)
			if strings.HasPrefix(tt.want, "error: ") {
				if err == nil || !strings.Contains(err.Error(), strings.TrimPrefix(tt.want, "error: ")) {
					t.Errorf("got %v, want an error containing %q", err, strings.TrimPrefix(tt.want, "error: "))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c := counts(got); c != tt.want {
				t.Errorf("got %s, want %s", c, tt.want)
			}
			for i, c := range got {
				if gotWhere[i].Line != int(c.Date) || gotWhere[i].File != baseToken(c.Token) {
					t.Fatalf("candle %v has location %v", c, gotWhere[i])
				}
				if i > 0 && (got[i-1].Token > c.Token || got[i-1].Token == c.Token && got[i-1].Date >= c.Date) {
					t.Fatalf("not sorted at %d: %v then %v", i, got[i-1], c)
				}
			}
			if ok, diff := same(in, data); !ok {
				t.Errorf("input modified: %s", diff)
			}
		})
	}
}

func TestIsStablecoin(t *testing.T) {
	tests := []struct {
		tok          string
		stable, usd1 bool
	}{
		{"USDT", true, true}, {"USDC", true, true}, {"FDUSD", true, true}, {"DAI", true, true},
		{"USDC#2", true, true}, {"EUR", true, false}, {"AEUR", true, false},
		{"BTC", false, false}, {"PAXG", false, false}, {"XAUT", false, false}, {"USTC", false, false},
	}
	for _, tt := range tests {
		if got := IsStablecoin(tt.tok); got != tt.stable {
			t.Errorf("IsStablecoin(%s) = %v, want %v", tt.tok, got, tt.stable)
		}
		if got := IsUSDStablecoin(tt.tok); got != tt.usd1 {
			t.Errorf("IsUSDStablecoin(%s) = %v, want %v", tt.tok, got, tt.usd1)
		}
	}
}
