package harness

import (
	"errors"
	"math/rand/v2"
	"runtime"
	"slices"
	"strconv"
	"testing"
)

// randomCandles returns candles of nt tokens, each listed on a random subset
// of a calendar of nd days (with probability density), in random order.
func randomCandles(seed uint64, nt, nd int, density float64) []Candle {
	rng := rand.New(rand.NewPCG(seed, 1))
	var cs []Candle
	for t := range nt {
		for d := range nd {
			if rng.Float64() < density {
				cs = append(cs, Candle{Token: "T" + strconv.Itoa(t), Date: Date(20000 + 3*d), Close: 1 + rng.Float64()})
			}
		}
	}
	rng.Shuffle(len(cs), func(i, j int) { cs[i], cs[j] = cs[j], cs[i] })
	return cs
}

// TestPanelRows: Rows agrees with counting the token's candles dated on or
// before the day, on panels that get the tokens × days table (dense), the
// per-token tables, and binary search (sparse tokens); TradingOn lists
// exactly the tokens that have one of their candles on the day.
func TestPanelRows(t *testing.T) {
	for _, tt := range []struct {
		name    string
		nt, nd  int
		density float64
		dense   bool
	}{
		{"dense", 7, 300, 0.9, true},
		{"holes", 40, 400, 0.15, false},
		{"sparse", 30, 2000, 0.004, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p, err := NewPanel(randomCandles(1, tt.nt, tt.nd, tt.density))
			if err != nil {
				t.Fatal(err)
			}
			if got := p.rows != nil; got != tt.dense {
				t.Fatalf("tokens x days table: got %v, want %v", got, tt.dense)
			}
			for i, s := range p.Series {
				for j := 1; j < len(s.Day); j++ {
					if p.Dates[s.Day[j-1]] >= p.Dates[s.Day[j]] {
						t.Fatalf("%s: candles %d and %d out of date order", s.Token, j-1, j)
					}
				}
				for d := -1; d < p.NumDays(); d++ {
					want := 0
					for _, x := range s.Day {
						if int(x) <= d {
							want++
						}
					}
					if got := p.Rows(i, d); got != want {
						t.Fatalf("Rows(%s, %d) = %d, want %d", s.Token, d, got, want)
					}
				}
			}
			for d := range p.NumDays() {
				var want []int32
				for i, s := range p.Series {
					if slices.Contains(s.Day, int32(d)) {
						want = append(want, int32(i))
					}
				}
				if got := p.TradingOn(d); !slices.Equal(got, want) {
					t.Fatalf("TradingOn(%d) = %v, want %v", d, got, want)
				}
			}
		})
	}
}

// TestNewPanelDuplicate: the duplicate is reported by the candles' places
// in the input, in sorted and in shuffled input.
func TestNewPanelDuplicate(t *testing.T) {
	c := func(tok string, d Date) Candle { return Candle{Token: tok, Date: d, Close: 1} }
	for _, tt := range []struct {
		name          string
		in            []Candle
		first, second int
	}{
		{"in order", []Candle{c("A", 1), c("B", 1), c("A", 2), c("A", 2), c("A", 3)}, 2, 3},
		{"out of order", []Candle{c("A", 5), c("B", 1), c("A", 2), c("A", 9), c("A", 5)}, 0, 4},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewPanel(tt.in)
			var dup *DuplicateError
			if !errors.As(err, &dup) {
				t.Fatalf("got %v, want a *DuplicateError", err)
			}
			if dup.First != tt.first || dup.Second != tt.second {
				t.Errorf("got candles %d and %d, want %d and %d", dup.First, dup.Second, tt.first, tt.second)
			}
		})
	}
}

// TestNewPanelDateRange: a date outside the years 0001..9999 is an error,
// not a calendar of millions of days.
func TestNewPanelDateRange(t *testing.T) {
	for _, d := range []Date{MinDate - 1, MaxDate + 1, -1 << 31, 1<<31 - 1} {
		if _, err := NewPanel([]Candle{{Token: "A", Date: 0, Close: 1}, {Token: "A", Date: d, Close: 1}}); err == nil {
			t.Errorf("date %d: got no error", d)
		}
	}
	p, err := NewPanel([]Candle{{Token: "A", Date: MinDate, Close: 1}, {Token: "B", Date: MaxDate, Close: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if p.NumDays() != 2 || p.Rows(0, 1) != 1 || p.Rows(1, 0) != 0 {
		t.Errorf("got %d days, Rows %d %d; want 2 days, 1 and 0", p.NumDays(), p.Rows(0, 1), p.Rows(1, 0))
	}
}

// TestNewPanelSparseMemory: 20,000 tokens of two candles each on 40,000
// distinct days (the 8.4 GB case) build in memory proportional to
// the candles, not to tokens × days (which would be 3.2 GB of int32).
func TestNewPanelSparseMemory(t *testing.T) {
	const nt = 20000
	cs := make([]Candle, 0, 2*nt)
	for i := range nt {
		tok := "T" + strconv.Itoa(i)
		cs = append(cs, Candle{Token: tok, Date: Date(2 * i), Close: 1}, Candle{Token: tok, Date: Date(2*i + 1 + 20000), Close: 2})
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	p, err := NewPanel(cs)
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if p.NumDays() != 2*nt {
		t.Fatalf("got %d days, want %d", p.NumDays(), 2*nt)
	}
	// Per candle: 44 bytes of series, 16 of index table at most, plus per
	// token a map entry, a name and series headers; 2 KB per candle is far
	// above that and far below tokens × days × 4 / candles = 80 KB.
	if got := float64(after.TotalAlloc-before.TotalAlloc) / float64(len(cs)); got > 2048 {
		t.Errorf("NewPanel allocated %.0f bytes per candle, want at most 2048", got)
	}
	if got := p.Rows(nt-1, p.NumDays()-1); got != 2 {
		t.Errorf("Rows of the last token on the last day: got %d, want 2", got)
	}
}
