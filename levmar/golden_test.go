package levmar

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// goldenDir is where the reference data of the Python implementation lives,
// relative to this package's directory.
const goldenDir = "../../shared/golden"

// goldenSets pairs each fits file with the candle file it was computed from,
// and with the digest of the correctly rounded rerun (see
// testdata/gen_golden_digest.py and TestGoldenFitsCorrectlyRounded).
var goldenSets = []struct{ fits, candles, crDigest string }{
	{"reference_fits_safehaven_2022_defaults.tsv", "safehaven_2022.csv",
		"4bc14f61e6639d8b8c8cbc9bb3d868fad248aec44dcf13c6118bf508654a0212"},
	{"reference_fits_majors_2022_2023_defaults.tsv", "majors_2022_2023.csv",
		"2f80470fbd6a186d7c306bb4451cf45fb30dcc8703883ac26c96e897dcd136e9"},
	{"reference_fits_gaps_2022_defaults.tsv", "gaps_2022.csv",
		"6c50ad0de2a5205bf9215c6045f1937cc91e04f490b346d460a939e6b37e4219"},
}

// goldenRow is one row of a reference fits file with its window of closes.
type goldenRow struct {
	date, token    string
	y              []float64
	initA0, initA1 float64
	a0, a1         float64
	nfev, ier      int
}

// series is one token's candles, sorted by date.
type series struct {
	dates  []string
	closes []float64
}

// window returns the closes of s with date in [from, to].
func (s *series) window(from, to string) []float64 {
	lo := sort.SearchStrings(s.dates, from)
	hi := sort.Search(len(s.dates), func(i int) bool { return s.dates[i] > to })
	return s.closes[lo:hi]
}

// readTable reads a delimited text file with a header line and calls row
// with a lookup of the fields by column name.
func readTable(t *testing.T, path string, sep string, row func(get func(string) string)) {
	t.Helper()
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	sc := bufio.NewScanner(fh)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var col map[string]int
	for sc.Scan() {
		f := strings.Split(strings.TrimRight(sc.Text(), "\r"), sep)
		if col == nil {
			col = map[string]int{}
			for i, name := range f {
				col[name] = i
			}
			continue
		}
		row(func(name string) string {
			i, ok := col[name]
			if !ok || i >= len(f) {
				t.Fatalf("%s: no field %q", path, name)
			}
			return f[i]
		})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
}

func parseFloat(t *testing.T, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func parseInt(t *testing.T, s string) int {
	t.Helper()
	v, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// loadGolden reads one fits file and the windows of closes of its rows. It
// skips the test if the shared data is absent.
func loadGolden(t *testing.T, fits, candles string) []goldenRow {
	t.Helper()
	fitsPath := filepath.Join(goldenDir, fits)
	candlesPath := filepath.Join(goldenDir, candles)
	for _, p := range []string{fitsPath, candlesPath} {
		if _, err := os.Stat(p); err != nil {
			t.Skip("../shared golden data not found: " + err.Error())
		}
	}
	bySymbol := map[string]*series{}
	readTable(t, candlesPath, ",", func(get func(string) string) {
		tok := get("token")
		s := bySymbol[tok]
		if s == nil {
			s = &series{}
			bySymbol[tok] = s
		}
		s.dates = append(s.dates, get("timestamp"))
		s.closes = append(s.closes, parseFloat(t, get("close")))
	})
	for tok, s := range bySymbol {
		if !sort.StringsAreSorted(s.dates) {
			t.Fatalf("%s: candles of %s not sorted by date", candles, tok)
		}
	}
	var rows []goldenRow
	readTable(t, fitsPath, "\t", func(get func(string) string) {
		r := goldenRow{
			date:   get("date"),
			token:  get("token"),
			initA0: parseFloat(t, get("init_a0")),
			initA1: parseFloat(t, get("init_a1")),
			a0:     parseFloat(t, get("a0")),
			a1:     parseFloat(t, get("a1")),
			nfev:   parseInt(t, get("nfev")),
			ier:    parseInt(t, get("ier")),
		}
		if st := get("lm_status"); st != "ok" {
			t.Fatalf("%s %s %s: lm_status %q is not handled by this test", fits, r.date, r.token, st)
		}
		s := bySymbol[r.token]
		if s == nil {
			t.Fatalf("%s: token %s has no candles", fits, r.token)
		}
		r.y = s.window(get("window_start"), get("last_candle"))
		if n := parseInt(t, get("n")); len(r.y) != n {
			t.Fatalf("%s %s %s: window has %d closes, want n=%d", fits, r.date, r.token, len(r.y), n)
		}
		rows = append(rows, r)
	})
	return rows
}

func relErr(got, want float64) float64 {
	if got == want {
		return 0
	}
	return math.Abs(got-want) / math.Abs(want)
}

func pct(k, n int) string {
	if n == 0 {
		return "0/0"
	}
	return fmt.Sprintf("%d/%d (%.3f%%)", k, n, 100*float64(k)/float64(n))
}

// TestGoldenFits reruns every fit of the reference fits files from the
// reference's own starting guess and compares with the Python reference:
// the fitted parameters to a tolerance, and MINPACK's nfev and ier, whose
// match rates are logged.
//
// The reference evaluated a1**x with numpy's AVX-512 SIMD pow, which differs
// from a correctly rounded pow by 1 ulp in about a quarter of the elements.
// Those ulps move the LM path: scipy itself, rerun with glibc's pow, differs
// from the reference by up to 3.3e-10 relative in a1 and 5.3e-9 in a0 (a0 is
// strongly correlated with a1 over a 30-point window), and in ier on 62 of
// 17261 rows. FitExponential reproduces exactly that (see
// TestGoldenFitsCorrectlyRounded), so the tolerances are 1e-9 for a1 and 1e-8
// for a0, and the match-rate floors sit just below the measured rates.
func TestGoldenFits(t *testing.T) {
	const (
		tolA1       = 1e-9
		tolA0       = 1e-8
		minNfevRate = 0.999
		minBothRate = 0.995
	)
	var work Workspace
	var total, nfevEq, ierEq, bothEq int
	var maxA0, maxA1 float64
	for _, set := range goldenSets {
		rows := loadGolden(t, set.fits, set.candles)
		var nEq, iEq, bEq, shown int
		var setA0, setA1 float64
		for _, r := range rows {
			a0, a1, res := FitExponential(r.y, r.initA0, r.initA1, &work)
			e0, e1 := relErr(a0, r.a0), relErr(a1, r.a1)
			setA0, setA1 = math.Max(setA0, e0), math.Max(setA1, e1)
			if !(e0 <= tolA0 && e1 <= tolA1) {
				t.Errorf("%s %s %s n=%d: a0 %v (want %v, rel %.3g), a1 %v (want %v, rel %.3g)",
					set.fits, r.date, r.token, len(r.y), a0, r.a0, e0, a1, r.a1, e1)
			}
			if res.Nfev == r.nfev {
				nEq++
			}
			if res.Info == r.ier {
				iEq++
			}
			if res.Nfev == r.nfev && res.Info == r.ier {
				bEq++
			} else if shown < 5 {
				shown++
				t.Logf("%s %s %s n=%d: nfev %d ier %d, reference nfev %d ier %d (a1 rel %.3g)",
					set.fits, r.date, r.token, len(r.y), res.Nfev, res.Info, r.nfev, r.ier, e1)
			}
		}
		t.Logf("%s: %d fits, max rel err a0 %.3g a1 %.3g, nfev equal %s, ier equal %s, both %s",
			set.fits, len(rows), setA0, setA1, pct(nEq, len(rows)), pct(iEq, len(rows)), pct(bEq, len(rows)))
		total += len(rows)
		nfevEq += nEq
		ierEq += iEq
		bothEq += bEq
		maxA0, maxA1 = math.Max(maxA0, setA0), math.Max(maxA1, setA1)
	}
	t.Logf("all: %d fits, max rel err a0 %.3g a1 %.3g, nfev equal %s, ier equal %s, nfev and ier equal %s",
		total, maxA0, maxA1, pct(nfevEq, total), pct(ierEq, total), pct(bothEq, total))
	if float64(nfevEq) < minNfevRate*float64(total) {
		t.Errorf("nfev equal on %s, want at least %.1f%%", pct(nfevEq, total), 100*minNfevRate)
	}
	if float64(bothEq) < minBothRate*float64(total) {
		t.Errorf("nfev and ier equal on %s, want at least %.1f%%", pct(bothEq, total), 100*minBothRate)
	}
}

// TestGoldenFitsCorrectlyRounded checks that FitExponential is bit-identical
// to scipy 1.10.1's curve_fit/leastsq/lmdif on every reference row when both
// evaluate the power correctly rounded: a0, a1, nfev and ier of all rows are
// hashed and compared with the digest produced by
// testdata/gen_golden_digest.py. A mismatch means the port diverges from
// MINPACK somewhere; rerun the script with its digest replaced by a dump to
// find the rows.
func TestGoldenFitsCorrectlyRounded(t *testing.T) {
	var work Workspace
	for _, set := range goldenSets {
		rows := loadGolden(t, set.fits, set.candles)
		h := sha256.New()
		for _, r := range rows {
			a0, a1, res := FitExponential(r.y, r.initA0, r.initA1, &work)
			fmt.Fprintf(h, "%s\t%s\t%016x\t%016x\t%d\t%d\n", r.date, r.token,
				math.Float64bits(a0), math.Float64bits(a1), res.Nfev, res.Info)
		}
		if got := hex.EncodeToString(h.Sum(nil)); got != set.crDigest {
			t.Errorf("%s: digest %s, want %s (scipy with correctly rounded pow)", set.fits, got, set.crDigest)
		} else {
			t.Logf("%s: %d fits bit-identical to scipy lmdif with correctly rounded pow", set.fits, len(rows))
		}
	}
}
