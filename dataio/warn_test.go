package dataio_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gem/dataio"
	"gem/harness"
)

// TestPanelWarnings: a one-token panel and a panel where no token has two
// candles are each named with the source and what follows (a score of 0);
// a panel of two tokens with histories has no warning.
func TestPanelWarnings(t *testing.T) {
	c := func(tok string, d harness.Date) harness.Candle {
		return harness.Candle{Token: tok, Date: d, Close: 1 + float64(d)}
	}
	tests := []struct {
		name    string
		candles []harness.Candle
		want    []string // substrings of each warning, in order
	}{
		{"two tokens", []harness.Candle{c("BTC", 1), c("BTC", 2), c("ETH", 1), c("ETH", 2)}, nil},
		{"two tokens, one fittable", []harness.Candle{c("BTC", 1), c("ETH", 1), c("ETH", 2)}, nil},
		{"one token", []harness.Candle{c("SOL", 1), c("SOL", 2), c("SOL", 3)}, []string{"one token (SOL)"}},
		{"no token with two candles", []harness.Candle{c("A", 1), c("B", 2), c("C", 3)}, []string{"no token has two candles"}},
		{"one candle of one token", []harness.Candle{c("A", 7)}, []string{"one token (A)", "no token has two candles"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := harness.NewPanel(tt.candles)
			if err != nil {
				t.Fatal(err)
			}
			got := dataio.PanelWarnings(p, "data/x.csv")
			if len(got) != len(tt.want) {
				t.Fatalf("got %d warnings %q, want %d", len(got), got, len(tt.want))
			}
			for i, w := range got {
				if !strings.HasPrefix(w, "data/x.csv: ") || !strings.Contains(w, tt.want[i]) || !strings.Contains(w, "scores 0") {
					t.Errorf("warning %d is %q, want it to start with the file and say %q and that the run scores 0", i, w, tt.want[i])
				}
			}
		})
	}
}

// TestSourceLoadWarns: Load tells Warn of a one-token file by its name, and
// of nothing for a file of two tokens.
func TestSourceLoadWarns(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct {
		name, rows string
		want       []string
	}{
		{"one.csv", "XYZ,2024-01-01,,,,1,\nXYZ,2024-01-02,,,,2,\n", []string{"warning: " + filepath.Join(dir, "one.csv") + ": one token (XYZ)"}},
		{"two.csv", "XYZ,2024-01-01,,,,1,\nXYZ,2024-01-02,,,,2,\nABC,2024-01-02,,,,2,\n", nil},
	} {
		path := filepath.Join(dir, tt.name)
		if err := os.WriteFile(path, []byte("token,date,open,high,low,close,volume\n"+tt.rows), 0o644); err != nil {
			t.Fatal(err)
		}
		var got []string
		src := dataio.Source{Paths: []string{path}, Warn: func(msg string) { got = append(got, msg) }}
		if _, _, err := src.Load(); err != nil {
			t.Fatal(err)
		}
		if len(got) != len(tt.want) {
			t.Fatalf("%s: warned %q, want %d warnings", tt.name, got, len(tt.want))
		}
		for i, w := range tt.want {
			if !strings.HasPrefix(got[i], w) {
				t.Errorf("%s: warning %q, want it to start with %q", tt.name, got[i], w)
			}
		}
	}
}
