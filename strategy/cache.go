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

// dayFit is a cached fit of one token: the fit itself plus the window's
// rows, needed to compute the ATR for any lookback.
type dayFit struct {
	Fit
	tok        int32
	start, end int32 // the fit window is rows [start, end) of the token
	mean       float64
}

// fitTable holds one key's fits by calendar day, each day only the tokens
// fitted on it, and the rankings of those fits by momentum. With causal
// conventions a day's fits are the tokens with a candle on it (View.TradingOn),
// so the table's memory and work grow with the candles, not with tokens ×
// days; the reference conventions also fit every stopped token, every day.
type fitTable struct {
	mu       sync.Mutex
	nt       int
	days     [][]dayFit           // by day, in token order; nil where no run has asked yet
	rankings map[rankKey][]ranked // by day; nil until asked for
	w        fitter               // scratch of the fits
	row      []dayFit             // scratch of a day's fits
	logs     [][]float64          // natural logs of each token's closes seen so far
	latest   []dayFit             // each token's latest fit (end 0: none yet)
}

// rankKey is what a ranking by momentum depends on besides the fits.
type rankKey struct {
	exponent float64
	lowest   bool
}

// ranked is a day's fits in ranking order (positions in the day's fits)
// with their momentum.
type ranked struct {
	order    []int32
	momentum []float64
}

// ranking returns the fits of day d (fits) sorted by momentum, descending
// or, with lowest, ascending; a stable sort, so ties stay in token order. It
// is computed once per day and key.
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
	if r[d].order == nil {
		order := make([]int32, len(fits))
		mom := make([]float64, len(fits))
		for j, f := range fits {
			order[j] = int32(j)
			mom[j] = f.Momentum(k.exponent)
		}
		slices.SortStableFunc(order, func(a, b int32) int {
			if k.lowest {
				return cmp.Compare(mom[a], mom[b])
			}
			return cmp.Compare(mom[b], mom[a])
		})
		sorted := make([]float64, len(order))
		for i, j := range order {
			sorted[i] = mom[j]
		}
		r[d] = ranked{order: order, momentum: sorted}
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

// day returns the fits of calendar day d (d ≤ v.Day()) in token order,
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
		t.row = t.computeDay(v, k, d, t.row[:0])
		t.days[d] = append(make([]dayFit, 0, len(t.row)), t.row...)
	}
	return t.days[d]
}

// computeDay appends the fits of day d to row (t.mu held): with causal
// conventions the tokens with a candle on the day, with the reference's
// every token with at least 2 candles. A token whose window is the rows of
// its latest fit keeps that fit (a fit depends only on its rows). One
// backtest runs on one goroutine; parallelism is the trial pool's, one
// level up.
func (t *fitTable) computeDay(v *harness.View, k fitKey, d int, row []dayFit) []dayFit {
	if t.logs == nil {
		t.logs = make([][]float64, t.nt)
		t.latest = make([]dayFit, t.nt)
	}
	fit := func(i int) {
		n := v.LenAt(i, d)
		if n < 2 {
			return
		}
		if f := t.latest[i]; int(f.end) == n {
			row = append(row, f)
			return
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
		f := dayFit{Fit: Fit{A1: a1, R2: r2, OK: true}, tok: int32(i), start: int32(start), end: int32(n), mean: mean}
		t.latest[i] = f
		row = append(row, f)
	}
	if k.ref {
		for i := range t.nt {
			fit(i)
		}
		return row
	}
	for _, i := range v.TradingOn(d) { // causal: only a token with a candle on the decision day is a candidate
		fit(int(i))
	}
	return row
}
