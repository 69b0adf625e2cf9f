package harness

import (
	"os"
	"testing"
)

// BenchmarkLoadMerged loads the real merged panel (467 tokens, 492,448
// rows, gzip CSV), the target being under a second.
func BenchmarkLoadMerged(b *testing.B) {
	const path = "../../shared/data/binance_spot_1d_panel_merged.csv.gz"
	if _, err := os.Stat(path); err != nil {
		b.Skipf("real data not found at %s (it lives in ../shared, outside the repository): %v", path, err)
	}
	var p *Panel
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if p, err = LoadFiles(path); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(p.TokenDays())*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
