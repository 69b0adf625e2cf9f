package strategy

import (
	"cmp"
	"math"
	"slices"
	"sync"

	"gem/harness"
)

// Cache shares per-(token, day) fits between runs and configurations on the
// same panel: the base and stress runs, every specialist, every trial of a
// sweep. A fit for day d is computed from a view that ends at d or later, but
// only from candles dated on or before d, so a cached value is the same
// whichever run computed it and causality is kept. A Cache is safe for
// concurrent use; the zero value is not, use NewCache.
type Cache struct {
	mu      sync.Mutex
	tables  map[fitKey]*fitTable
	regimes map[regimeKey]*regimeTable
}

// NewCache returns an empty cache.
func NewCache() *Cache { return &Cache{tables: make(map[fitKey]*fitTable)} }

type fitKey struct {
	panel  harness.PanelID
	window int
	model  FitModel
	ref    bool // reference conventions: absolute R² floor, stopped tokens fitted
}

// dayFit is a cached fit: the fit itself plus the window's rows, needed to
// compute the ATR for any lookback.
type dayFit struct {
	Fit
	start, end int32 // the fit window is rows [start, end) of the token
	mean       float64
}

// fitTable holds one key's fits, one row of tokens per calendar day, and
// the rankings of those fits by momentum.
type fitTable struct {
	mu       sync.Mutex
	nt       int
	days     [][]dayFit           // by day; nil where no run has asked yet
	rankings map[rankKey][]ranked // by day; nil until asked for
	w        fitter               // scratch of the fits
	logs     [][]float64          // natural logs of each token's closes seen so far
}

// rankKey is what a ranking by momentum depends on besides the fits.
type rankKey struct {
	exponent float64
	lowest   bool
}

// ranked is a day's fitted tokens in ranking order with their momentum.
type ranked struct {
	tokens   []int32
	momentum []float64
}

// ranking returns the fitted tokens of day d (whose fits are fits) sorted by
// momentum, descending or, with lowest, ascending; a stable sort, so ties
// stay in token order. It is computed once per day and key.
func (t *fitTable) ranking(d int, k rankKey, fits []dayFit) ranked {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.rankings == nil {
		t.rankings = make(map[rankKey][]ranked)
	}
	r := t.rankings[k]
	for len(r) <= d {
		r = append(r, ranked{})
	}
	if r[d].tokens == nil {
		order := make([]int32, 0, len(fits))
		mom := make([]float64, len(fits))
		for tok, f := range fits {
			if f.OK {
				order = append(order, int32(tok))
				mom[tok] = f.Momentum(k.exponent)
			}
		}
		slices.SortStableFunc(order, func(a, b int32) int {
			if k.lowest {
				return cmp.Compare(mom[a], mom[b])
			}
			return cmp.Compare(mom[b], mom[a])
		})
		sorted := make([]float64, len(order))
		for i, tok := range order {
			sorted[i] = mom[tok]
		}
		r[d] = ranked{tokens: order, momentum: sorted}
	}
	t.rankings[k] = r
	return r[d]
}

func (c *Cache) table(k fitKey, nt int) *fitTable {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := c.tables[k]
	if t == nil {
		t = &fitTable{nt: nt}
		c.tables[k] = t
	}
	return t
}

// day returns the fits of every token on calendar day d (d ≤ v.Day()),
// computing them if no run has asked for that day before. Days nobody asks
// for (a backtest in its cooldown does not look) are never computed. The
// returned slice must not be modified.
func (t *fitTable) day(v *harness.View, k fitKey, d int) []dayFit {
	t.mu.Lock()
	defer t.mu.Unlock()
	for len(t.days) <= d {
		t.days = append(t.days, nil)
	}
	if t.days[d] == nil {
		row := make([]dayFit, t.nt)
		t.computeDay(v, k, d, row)
		t.days[d] = row
	}
	return t.days[d]
}

// computeDay fits every token on day d (t.mu held). A token with no new
// candle since the last computed day keeps that day's fit: its window is the
// same rows. One backtest runs on one goroutine; parallelism is the trial
// pool's, one level up.
func (t *fitTable) computeDay(v *harness.View, k fitKey, d int, row []dayFit) {
	var prev []dayFit
	for e := d - 1; e >= 0 && prev == nil; e-- {
		prev = t.days[e]
	}
	if t.logs == nil {
		t.logs = make([][]float64, t.nt)
	}
	for i := range row {
		n := v.LenAt(i, d)
		if n < 2 {
			continue
		}
		if !k.ref && int(v.CandleDays(i)[n-1]) != d {
			continue // causal: a token without a candle on the decision day is not a candidate
		}
		if prev != nil && prev[i].OK && int(prev[i].end) == n {
			row[i] = prev[i]
			continue
		}
		start := 0
		if k.window > 0 && n > k.window {
			start = n - k.window
		}
		closes := v.Close(i)
		for r := len(t.logs[i]); r < n; r++ {
			t.logs[i] = append(t.logs[i], math.Log(closes[r]))
		}
		a1, r2, mean := t.w.fitCloses(k.model, closes[start:n], t.logs[i][start:n], k.ref)
		row[i] = dayFit{Fit: Fit{A1: a1, R2: r2, OK: true}, start: int32(start), end: int32(n), mean: mean}
	}
}
