package harness

import (
	"crypto/sha256"
	"embed"
	"encoding/binary"
	"encoding/hex"
	"io/fs"
	"math"
	"slices"
	"strings"
	"sync"
)

//go:embed *.go
var source embed.FS

// Fingerprint is a short hash of the harness's own source files (tests
// excluded). Every ledger row carries it, so a score produced by an edited
// harness is visible as such.
var Fingerprint = sync.OnceValue(func() string {
	names, err := fs.Glob(source, "*.go")
	if err != nil {
		panic("harness: " + err.Error())
	}
	slices.Sort(names)
	h := sha256.New()
	for _, n := range names {
		if strings.HasSuffix(n, "_test.go") {
			continue
		}
		b, err := source.ReadFile(n)
		if err != nil {
			panic("harness: " + err.Error())
		}
		h.Write([]byte(n))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
})

// Fingerprint is a short hash of the panel's contents: tokens, dates and every
// price and volume bit. It is computed once and cached.
func (p *Panel) Fingerprint() string {
	p.fpOnce.Do(func() {
		h := sha256.New()
		var b [8]byte
		put := func(x uint64) {
			binary.LittleEndian.PutUint64(b[:], x)
			h.Write(b[:])
		}
		for _, d := range p.Dates {
			put(uint64(d))
		}
		for _, s := range p.Series {
			h.Write([]byte(s.Token))
			put(uint64(len(s.Day)))
			for j := range s.Day {
				put(uint64(s.Day[j]))
				for _, col := range [][]float64{s.Open, s.High, s.Low, s.Close, s.Volume} {
					put(math.Float64bits(col[j]))
				}
			}
		}
		// Markets and funding are hashed only when present, so that a spot
		// panel keeps its fingerprint.
		for i, x := range p.perp {
			if x {
				put(uint64(i))
			}
		}
		for i, f := range p.funding {
			if f == nil {
				continue
			}
			put(uint64(i))
			put(uint64(len(f.Time)))
			for k := range f.Time {
				put(uint64(f.Time[k]))
				put(math.Float64bits(f.Rate[k]))
			}
		}
		if p.missing != (FundingMissing{}) {
			h.Write([]byte(p.missing.String()))
		}
		p.fp = hex.EncodeToString(h.Sum(nil))[:16]
	})
	return p.fp
}
