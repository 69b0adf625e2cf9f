package levmar

import (
	"encoding/csv"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// expProblem is a random exponential fitting problem.
type expProblem struct {
	kind   string
	y      []float64
	a0, a1 float64
}

// randomExpProblem draws a series of n points of one of several shapes,
// with a starting point near or far from the fit.
func randomExpProblem(rng *rand.Rand, n int) expProblem {
	y := make([]float64, n)
	level := math.Exp(rng.NormFloat64() * 6) // prices from ~1e-8 to ~1e8
	growth := 1 + 0.02*rng.NormFloat64()
	noise := []float64{0, 1e-12, 1e-4, 0.01, 0.05, 0.3}[rng.IntN(6)]
	kinds := []string{"exp", "flat", "walk", "decline", "zeros", "sign", "spike", "tiny", "huge", "step"}
	kind := kinds[rng.IntN(len(kinds))]
	switch kind {
	case "exp":
		for i := range y {
			y[i] = level * math.Pow(growth, float64(i)) * (1 + noise*rng.NormFloat64())
		}
	case "flat":
		for i := range y {
			y[i] = level * (1 + noise*rng.NormFloat64())
		}
	case "walk":
		v := level
		for i := range y {
			y[i] = v
			v *= math.Exp(0.05 * rng.NormFloat64())
		}
	case "decline":
		g := 1 - math.Abs(0.05*rng.NormFloat64())
		for i := range y {
			y[i] = level * math.Pow(g, float64(i)) * (1 + noise*rng.NormFloat64())
		}
	case "zeros":
		// all zero, or zero but for one point
		if rng.IntN(2) == 0 {
			y[rng.IntN(n)] = level
		}
	case "sign":
		for i := range y {
			y[i] = level * rng.NormFloat64()
		}
	case "spike":
		for i := range y {
			y[i] = level
		}
		y[rng.IntN(n)] *= 1 + 100*rng.Float64()
	case "tiny":
		for i := range y {
			y[i] = 1e-25 * (1 + rng.Float64())
		}
	case "huge":
		for i := range y {
			y[i] = 1e150 * math.Pow(growth, float64(i)) * (1 + noise*rng.NormFloat64())
		}
	case "step":
		for i := range y {
			y[i] = level
			if i >= n/2 {
				y[i] = level * 3
			}
		}
	}
	p := expProblem{kind: kind, y: y}
	switch rng.IntN(5) {
	case 0: // log-linear start, as the strategy does
		p.a0, p.a1 = logLinear(y)
		if math.IsNaN(p.a0) || math.IsNaN(p.a1) || math.IsInf(p.a0, 0) || math.IsInf(p.a1, 0) {
			p.a0, p.a1 = level, growth
		}
	case 1: // the generating parameters
		p.a0, p.a1 = level, growth
	case 2: // far off
		p.a0, p.a1 = level*math.Exp(rng.NormFloat64()), 1+0.2*rng.NormFloat64()
	case 3: // degenerate starts
		p.a0 = []float64{0, 1, -level, level}[rng.IntN(4)]
		p.a1 = []float64{0, 1, -1, 0.5, 2, 1e-3}[rng.IntN(6)]
	default:
		p.a0, p.a1 = y[0], 1
	}
	return p
}

// logLinear returns exp of the least-squares line through (i, log y_i).
func logLinear(y []float64) (a0, a1 float64) {
	var sx, sy, sxx, sxy float64
	n := float64(len(y))
	for i, v := range y {
		x, l := float64(i), math.Log(v)
		sx += x
		sy += l
		sxx += x * x
		sxy += x * l
	}
	b1 := (n*sxy - sx*sy) / (n*sxx - sx*sx)
	b0 := (sy - b1*sx) / n
	return math.Exp(b0), math.Exp(b1)
}

// sameBits reports whether a and b are the same float64, bit for bit, or
// both NaN (whose payloads the two paths are not required to agree on).
func sameBits(a, b float64) bool {
	return math.Float64bits(a) == math.Float64bits(b) || (math.IsNaN(a) && math.IsNaN(b))
}

// checkExpSame fits p with FitExponential and with the generic Solve path
// and reports any difference in a0, a1, Nfev, Info or Fnorm.
func checkExpSame(t *testing.T, name string, p expProblem, w1 *Workspace, w2 *solveWork, pc *refPowCache) (Result, bool) {
	t.Helper()
	a0, a1, r := FitExponential(p.y, p.a0, p.a1, w1)
	b0, b1, q := fitExponentialSolve(p.y, p.a0, p.a1, w2, pc)
	if !sameBits(a0, b0) || !sameBits(a1, b1) || r.Info != q.Info || r.Nfev != q.Nfev || !sameBits(r.Fnorm, q.Fnorm) {
		t.Errorf("%s (%s, n=%d, start %v %v): FitExponential a0 %v a1 %v %+v, Solve a0 %v a1 %v %+v",
			name, p.kind, len(p.y), p.a0, p.a1, a0, a1, r, b0, b1, q)
		return r, false
	}
	return r, true
}

// expPaths runs f once for each implementation of FitExponential's O(m)
// stages available here: the vector kernels (if the processor has them)
// and plain Go.
func expPaths(t *testing.T, f func(t *testing.T)) {
	saved := useAVX
	defer func() { useAVX = saved }()
	if saved {
		t.Run("vector", func(t *testing.T) { useAVX = true; f(t) })
	}
	t.Run("go", func(t *testing.T) { useAVX = false; f(t) })
}

// TestExpMatchesSolve checks that FitExponential's specialised solver gives
// bit for bit the parameters, Nfev, Info and Fnorm of the generic Solve on
// random problems of many shapes and sizes, starting points near and far
// (reaching Info 1 to 5, including the MaxFev limit).
func TestExpMatchesSolve(t *testing.T) {
	expPaths(t, func(t *testing.T) {
		sizes := []int{2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 30, 31, 32, 33, 60, 100, 365, 731, 800}
		seeds := 300
		if testing.Short() {
			seeds = 40
		}
		var w1 Workspace
		var w2 solveWork
		var pc refPowCache
		infos := map[int]int{}
		fails := 0
		for _, n := range sizes {
			rng := rand.New(rand.NewPCG(uint64(n), 7))
			for s := range seeds {
				p := randomExpProblem(rng, n)
				r, ok := checkExpSame(t, fmt.Sprintf("seed %d", s), p, &w1, &w2, &pc)
				infos[r.Info]++
				if !ok {
					fails++
					if fails > 20 {
						t.Fatal("too many differences")
					}
				}
			}
		}
		t.Logf("info histogram %v", infos)
		for info := 1; info <= 5; info++ {
			if infos[info] == 0 && !testing.Short() {
				t.Errorf("no problem ended with info %d", info)
			}
		}
	})
}

// TestGoldenFitsCorrectlyRoundedPaths is TestGoldenFitsCorrectlyRounded for
// each implementation of the O(m) stages (see expPaths).
func TestGoldenFitsCorrectlyRoundedPaths(t *testing.T) {
	expPaths(t, TestGoldenFitsCorrectlyRounded)
}

// TestVectorKernels compares the vector kernels with the plain Go stages on
// random data, element by element: the model and Jacobian at a trial point,
// and the two Householder steps with Qᵀfvec.
func TestVectorKernels(t *testing.T) {
	if !useAVX {
		t.Skip("no vector kernels on this processor")
	}
	defer func() { useAVX = true }()
	rng := rand.New(rand.NewPCG(8, 9))
	var wv, wg Workspace
	for _, m := range []int{2, 3, 4, 5, 8, 9, 10, 11, 12, 13, 29, 30, 31, 32, 33, 100, 729, 730, 731} {
		for k := range 80 {
			// Prices at several scales, so that the norms take each of
			// enorm's paths; some series fit exactly (zero residuals) or
			// have tiny residuals.
			scale := []float64{100, 1e-22, 1e-150, 1e140, 1e-300}[k%5]
			y := make([]float64, m)
			for i := range y {
				y[i] = scale * math.Exp(0.01*float64(i)+0.1*rng.NormFloat64())
			}
			t0 := scale * (1 + 0.2*rng.NormFloat64())
			t1 := 1 + 0.02*rng.NormFloat64()
			switch k % 7 {
			case 1: // exact fit at (t0, t1) on some elements
				for i := range y {
					if rng.IntN(3) == 0 {
						y[i] = t0 * math.Pow(t1, float64(i))
					}
				}
			case 2: // residuals about rdwarf
				for i := range y {
					y[i] = float64(t0*math.Pow(t1, float64(i))) + 1e-20*rng.NormFloat64()
				}
			}

			// trial (vector: with the Jacobian) against trial and jacobian.
			useAVX = true
			sv := wv.exp.state(y)
			fv := sv.trial(t0, t1)
			useAVX = false
			sg := wg.exp.state(y)
			fg := sg.trial(t0, t1)
			if !sameBits(fv, fg) || !sameVec(sv.wv, sg.wv) {
				t.Fatalf("m=%d trial: fnorm %v and %v", m, fv, fg)
			}
			sg.pw, sg.tp = sg.tp, sg.pw
			sg.fv, sg.wv = sg.wv, sg.fv
			n0, n1 := sg.jacobian(t0, t1)
			if sv.tjOK {
				if !sameBits(sv.tn0, n0) || !sameBits(sv.tn1, n1) || !sameVec(sv.c0, sg.c0) || !sameVec(sv.c1, sg.c1) {
					t.Fatalf("m=%d jacobian: norms %v %v and %v %v", m, sv.tn0, sv.tn1, n0, n1)
				}
			} else if m >= 8 {
				t.Fatalf("m=%d: no Jacobian from the vector trial", m)
			}

			// qr on the Go path's Jacobian, pivot column 1.
			sv.fv, sv.wv = sv.wv, sv.fv
			copy(sv.c0, sg.c0)
			copy(sv.c1, sg.c1)
			aj := n1
			if sg.c1[0] < 0 {
				aj = -aj
			}
			useAVX = true
			q0v, a1v, q1v := sv.qr(sv.c1, sv.c0, aj)
			useAVX = false
			q0g, a1g, q1g := sg.qr(sg.c1, sg.c0, aj)
			if !sameBits(q0v, q0g) || !sameBits(a1v, a1g) || !sameBits(q1v, q1g) ||
				!sameVec(sv.c0, sg.c0) || !sameVec(sv.c1, sg.c1) || !sameVec(sv.wv, sg.wv) {
				t.Fatalf("m=%d qr: %v %v %v and %v %v %v", m, q0v, a1v, q1v, q0g, a1g, q1g)
			}
		}
	}
}

func sameVec(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !sameBits(a[i], b[i]) {
			return false
		}
	}
	return true
}

func benchmarkFitSolve(b *testing.B, n int) {
	y := benchData(n)
	var work solveWork
	var pc refPowCache
	fitExponentialSolve(y, 240, 1.003, &work, &pc)
	nfev := 0
	b.ReportAllocs()
	for b.Loop() {
		_, _, res := fitExponentialSolve(y, 240, 1.003, &work, &pc)
		nfev = res.Nfev
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "fits/s")
	b.ReportMetric(float64(nfev), "nfev")
}

// BenchmarkFitExponentialSolve30 and BenchmarkFitExponentialSolve730 run the
// same fits as BenchmarkFitExponential30 and 730 through the generic Solve,
// as FitExponential did before its specialised solver.
func BenchmarkFitExponentialSolve30(b *testing.B)  { benchmarkFitSolve(b, 30) }
func BenchmarkFitExponentialSolve730(b *testing.B) { benchmarkFitSolve(b, 730) }

// BenchmarkFitExponentialGo30 and BenchmarkFitExponentialGo730 are
// BenchmarkFitExponential30 and 730 with the O(m) stages in plain Go (what
// processors without AVX2 and FMA, and other architectures, run).
func BenchmarkFitExponentialGo30(b *testing.B)  { benchmarkFitGo(b, 30) }
func BenchmarkFitExponentialGo730(b *testing.B) { benchmarkFitGo(b, 730) }

func benchmarkFitGo(b *testing.B, n int) {
	saved := useAVX
	defer func() { useAVX = saved }()
	useAVX = false
	benchmarkFit(b, n)
}

// BenchmarkFitGolden runs every fit of a backtest on the golden data, from
// the reference's starting points (the strategy's log-linear fits), one
// after the other with one Workspace, as the strategy makes them: the
// 21-token two-year set (15309 fits) and the 4-token one-year set (976).
func BenchmarkFitGolden(b *testing.B) {
	for _, set := range goldenSets[:2] {
		name := strings.TrimSuffix(strings.TrimPrefix(set.fits, "reference_fits_"), "_defaults.tsv")
		b.Run(name, func(b *testing.B) {
			rows := loadGoldenWindows(b, set.fits, set.candles)
			var work Workspace
			b.ReportAllocs()
			for b.Loop() {
				for _, r := range rows {
					FitExponential(r.y, r.a0, r.a1, &work)
				}
			}
			b.ReportMetric(float64(b.N*len(rows))/b.Elapsed().Seconds(), "fits/s")
		})
	}
}

// goldenWindow is a window of closes and the starting point of its fit.
type goldenWindow struct {
	y      []float64
	a0, a1 float64
}

// loadGoldenWindows is loadGolden's reading of a fits file, for benchmarks.
func loadGoldenWindows(b *testing.B, fits, candles string) []goldenWindow {
	b.Helper()
	read := func(name string, sep rune) [][]string {
		fh, err := os.Open(filepath.Join(goldenDir, name))
		if err != nil {
			b.Skip("../shared golden data not found: " + err.Error())
		}
		defer fh.Close()
		r := csv.NewReader(fh)
		r.Comma = sep
		r.FieldsPerRecord = -1
		recs, err := r.ReadAll()
		if err != nil {
			b.Fatal(err)
		}
		return recs
	}
	col := func(header []string, name string) int {
		for i, h := range header {
			if h == name {
				return i
			}
		}
		b.Fatalf("no column %q", name)
		return -1
	}
	num := func(s string) float64 {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			b.Fatal(err)
		}
		return v
	}
	bySymbol := map[string]*series{}
	cr := read(candles, ',')
	tok, ts, cl := col(cr[0], "token"), col(cr[0], "timestamp"), col(cr[0], "close")
	for _, r := range cr[1:] {
		s := bySymbol[r[tok]]
		if s == nil {
			s = &series{}
			bySymbol[r[tok]] = s
		}
		s.dates = append(s.dates, r[ts])
		s.closes = append(s.closes, num(r[cl]))
	}
	fr := read(fits, '\t')
	h := fr[0]
	ftok, ws, lc := col(h, "token"), col(h, "window_start"), col(h, "last_candle")
	i0, i1 := col(h, "init_a0"), col(h, "init_a1")
	var out []goldenWindow
	for _, r := range fr[1:] {
		out = append(out, goldenWindow{y: bySymbol[r[ftok]].window(r[ws], r[lc]), a0: num(r[i0]), a1: num(r[i1])})
	}
	return out
}

// TestLmpar2MatchesLmpar checks the scalar 2×2 lmpar and qrsolv of exp2.go
// against the generic ones of minpack.go on random triangular systems,
// singular ones included.
func TestLmpar2MatchesLmpar(t *testing.T) {
	rng := rand.New(rand.NewPCG(10, 11))
	pick := func() float64 {
		switch rng.IntN(6) {
		case 0:
			return 0
		case 1:
			return 1e-200 * rng.NormFloat64()
		case 2:
			return 1e200 * rng.NormFloat64()
		default:
			return rng.NormFloat64() * math.Exp(3*rng.NormFloat64())
		}
	}
	x := make([]float64, 2)
	sdiag := make([]float64, 2)
	wa1 := make([]float64, 2)
	wa2 := make([]float64, 2)
	for k := range 200000 {
		r00, r01, r11 := pick(), pick(), pick()
		ip0 := rng.IntN(2)
		ipvt := []int{ip0, 1 - ip0}
		pos := func() float64 {
			switch rng.IntN(8) {
			case 0:
				return 1e-200 * math.Exp(rng.NormFloat64())
			case 1:
				return 1e200 * math.Exp(rng.NormFloat64())
			default:
				return math.Exp(2 * rng.NormFloat64())
			}
		}
		diag := []float64{pos(), pos()}
		qtb := []float64{pick(), pick()}
		delta := pos()
		par := 0.0
		if rng.IntN(2) == 0 {
			par = pos()
		}
		r := []float64{r00, 0, r01, r11}
		want := lmpar(2, r, 2, ipvt, diag, qtb, delta, par, x, sdiag, wa1, wa2)
		tr := tri2{r00: r00, r01: r01, r11: r11, ip0: ip0, ip1: 1 - ip0}
		got, x0, x1 := tr.lmpar(diag[0], diag[1], qtb[0], qtb[1], delta, par)
		if !sameBits(got, want) || !sameBits(x0, x[0]) || !sameBits(x1, x[1]) {
			t.Fatalf("case %d: R (%v %v %v) ipvt %v diag %v qtb %v delta %v par %v: par %v x (%v %v), lmpar par %v x %v",
				k, r00, r01, r11, ipvt, diag, qtb, delta, par, got, x0, x1, want, x)
		}
	}
}
