package strategy

import (
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

// dayFit is a cached fit: the fit itself plus the window's first row, needed
// to compute the ATR for any lookback.
type dayFit struct {
	Fit
	start, end int32 // the fit window is rows [start, end) of the token
	mean       float64
}

// fitTable holds one key's fits for days [0, done), day-major.
type fitTable struct {
	mu   sync.Mutex
	nt   int
	done int
	fits []dayFit
	w    fitter
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
// computing any missing days up to d first. The returned slice must not be
// modified.
func (t *fitTable) day(v *harness.View, k fitKey, d int) []dayFit {
	t.mu.Lock()
	defer t.mu.Unlock()
	for ; t.done <= d; t.done++ {
		t.fits = append(t.fits, make([]dayFit, t.nt)...)
		t.computeDay(v, k, t.done)
	}
	return t.fits[d*t.nt : (d+1)*t.nt : (d+1)*t.nt]
}

func (t *fitTable) computeDay(v *harness.View, k fitKey, d int) {
	row := t.fits[d*t.nt : (d+1)*t.nt]
	for i := range row {
		n := v.LenAt(i, d)
		if n < 2 {
			continue
		}
		if !k.ref && int(v.CandleDays(i)[n-1]) != d {
			continue // causal: a token without a candle on the decision day is not a candidate
		}
		if d > 0 {
			// A token with no new candle since yesterday has yesterday's fit.
			if prev := t.fits[(d-1)*t.nt+i]; prev.OK && int(prev.end) == n {
				row[i] = prev
				continue
			}
		}
		start := 0
		if k.window > 0 && n > k.window {
			start = n - k.window
		}
		closes := v.Close(i)[start:n]
		a1, r2, mean := t.w.fitCloses(k.model, closes, k.ref)
		row[i] = dayFit{Fit: Fit{A1: a1, R2: r2, OK: true}, start: int32(start), end: int32(n), mean: mean}
	}
}
