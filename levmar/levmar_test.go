package levmar

import (
	"bufio"
	"math"
	"math/big"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
)

// Small MINPACK test problems (Moré, Garbow and Hillstrom 1981) whose
// residuals use only + − × ÷ and sqrt, written in the same operation order as
// testdata/gen_leastsq.py so that the results must agree bit for bit with
// scipy.optimize.leastsq.

var (
	sqrt5  = math.Sqrt(5)
	sqrt10 = math.Sqrt(10)
)

func rosenbrock(x, f []float64) {
	f[0] = 10 * (x[1] - float64(x[0]*x[0]))
	f[1] = 1 - x[0]
}

func powellSingular(x, f []float64) {
	t3 := x[1] - float64(2*x[2])
	t4 := x[0] - x[3]
	f[0] = x[0] + float64(10*x[1])
	f[1] = sqrt5 * (x[2] - x[3])
	f[2] = t3 * t3
	f[3] = sqrt10 * (t4 * t4)
}

var bardY = []float64{0.14, 0.18, 0.22, 0.25, 0.29, 0.32, 0.35, 0.39, 0.37, 0.58, 0.73, 0.96, 1.34, 2.10, 4.39}

func bard(x, f []float64) {
	for i := range 15 {
		u := float64(i + 1)
		v := float64(15 - i)
		w := min(u, v)
		f[i] = bardY[i] - (x[0] + u/(float64(x[1]*v)+float64(x[2]*w)))
	}
}

var (
	koY = []float64{0.1957, 0.1947, 0.1735, 0.1600, 0.0844, 0.0627, 0.0456, 0.0342, 0.0323, 0.0235, 0.0246}
	koU = []float64{4.0, 2.0, 1.0, 0.5, 0.25, 0.167, 0.125, 0.1, 0.0833, 0.0714, 0.0625}
)

func kowalikOsborne(x, f []float64) {
	for i, u := range koU {
		num := float64(u*u) + float64(x[1]*u)
		den := float64(u*u) + float64(x[2]*u) + x[3]
		f[i] = koY[i] - x[0]*num/den
	}
}

func linearRank1(x, f []float64) {
	s := 0.0
	for j := range 5 {
		s = s + float64(float64(j+1)*x[j])
	}
	for i := range 10 {
		f[i] = float64(float64(i+1)*s) - 1
	}
}

func brownBadlyScaled(x, f []float64) {
	f[0] = x[0] - 1e6
	f[1] = x[1] - 2e-6
	f[2] = float64(x[0]*x[1]) - 2
}

func beale(x, f []float64) {
	y := [3]float64{1.5, 2.25, 2.625}
	p := x[1]
	for i := range 3 {
		f[i] = y[i] - float64(x[0]*(1-p))
		p = p * x[1]
	}
}

func freudensteinRoth(x, f []float64) {
	f[0] = -13 + x[0] + float64((float64((5-x[1])*x[1])-2)*x[1])
	f[1] = -29 + x[0] + float64((float64((x[1]+1)*x[1])-14)*x[1])
}

var testProblems = map[string]struct {
	f  func(x, f []float64)
	m  int
	x0 []float64
}{
	"rosenbrock":         {rosenbrock, 2, []float64{-1.2, 1}},
	"powell_singular":    {powellSingular, 4, []float64{3, -1, 0, 1}},
	"bard":               {bard, 15, []float64{1, 1, 1}},
	"kowalik_osborne":    {kowalikOsborne, 11, []float64{0.25, 0.39, 0.415, 0.39}},
	"linear_rank1":       {linearRank1, 10, []float64{1, 1, 1, 1, 1}},
	"brown_badly_scaled": {brownBadlyScaled, 3, []float64{1, 1}},
	"beale":              {beale, 3, []float64{1, 1}},
	"freudenstein_roth":  {freudensteinRoth, 2, []float64{0.5, -2}},
}

func testSettings(t *testing.T, name string) Settings {
	s := DefaultSettings()
	switch name {
	case "default":
	case "maxfev12":
		s.MaxFev = 12
	case "tight":
		s.Ftol, s.Xtol = 0, 0
	case "gtol":
		s.Gtol = 1e-3
	case "factor1":
		s.Factor = 1
	default:
		t.Fatalf("unknown settings %q", name)
	}
	return s
}

// TestLeastsqReference compares Solve with scipy.optimize.leastsq (scipy
// 1.10.1, Fortran MINPACK) on the problems above, from 1, 10 and 100 times
// the standard starting point and under several settings: x must be
// bit-identical and nfev and info equal.
func TestLeastsqReference(t *testing.T) {
	fh, err := os.Open("testdata/leastsq.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	var work solveWork
	infos := map[int]int{}
	rows := 0
	sc := bufio.NewScanner(fh)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") || line == "" {
			continue
		}
		fld := strings.Split(line, "\t")
		p, ok := testProblems[fld[0]]
		if !ok {
			t.Fatalf("unknown problem %q", fld[0])
		}
		scale := parseFloat(t, fld[1])
		s := testSettings(t, fld[2])
		var want []float64
		for _, v := range strings.Split(fld[3], ",") {
			want = append(want, parseFloat(t, v))
		}
		wantNfev, wantInfo := parseInt(t, fld[4]), parseInt(t, fld[5])

		x := make([]float64, len(p.x0))
		for i, v := range p.x0 {
			x[i] = v * scale
		}
		res := Solve(p.f, p.m, x, &s, &work)
		rows++
		infos[res.Info]++
		same := res.Nfev == wantNfev && res.Info == wantInfo
		for i := range x {
			same = same && math.Float64bits(x[i]) == math.Float64bits(want[i])
		}
		if !same {
			t.Errorf("%s ×%v %s: x %v nfev %d info %d, scipy x %v nfev %d info %d",
				fld[0], scale, fld[2], x, res.Nfev, res.Info, want, wantNfev, wantInfo)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if rows == 0 {
		t.Fatal("no reference rows")
	}
	t.Logf("%d runs compared, info histogram %v", rows, infos)
}

// TestRosenbrockMinimum checks that the Rosenbrock valley is followed to its
// minimum at (1, 1).
func TestRosenbrockMinimum(t *testing.T) {
	x := []float64{-1.2, 1}
	res := Solve(rosenbrock, 2, x, nil, nil)
	if res.Info < 1 || res.Info > 4 {
		t.Fatalf("info %d", res.Info)
	}
	if math.Abs(x[0]-1) > 1e-12 || math.Abs(x[1]-1) > 1e-12 || res.Fnorm > 1e-12 {
		t.Errorf("x = %v, fnorm %g, want (1, 1) and 0", x, res.Fnorm)
	}
}

// TestNoisyExponential fits noisy exponential data with a known least-squares
// solution: the fitted parameters must make the gradient of the sum of
// squares vanish to rounding level.
func TestNoisyExponential(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	y := make([]float64, 30)
	for i := range y {
		y[i] = 100 * math.Pow(1.02, float64(i)) * (1 + 0.01*rng.NormFloat64())
	}
	a0, a1, res := FitExponential(y, 90, 1.01, nil)
	if res.Info < 1 || res.Info > 4 {
		t.Fatalf("info %d", res.Info)
	}
	// Gradient of ½‖r‖² with r_i = a0 a1^i − y_i.
	var g0, g1, scale float64
	for i, v := range y {
		p := math.Pow(a1, float64(i))
		r := a0*p - v
		g0 += r * p
		g1 += r * a0 * float64(i) * math.Pow(a1, float64(i-1))
		scale += v * v
	}
	if math.Abs(g0)/scale > 1e-9 || math.Abs(g1)/scale > 1e-9 {
		t.Errorf("gradient (%g, %g) not ~0 at a0=%v a1=%v (info %d nfev %d)", g0, g1, a0, a1, res.Info, res.Nfev)
	}
	if math.Abs(a1-1.02) > 2e-3 || math.Abs(a0-100)/100 > 0.02 {
		t.Errorf("a0=%v a1=%v far from the generating (100, 1.02)", a0, a1)
	}
}

// TestExactExponential checks that exact exponential data is recovered from
// a poor starting point.
func TestExactExponential(t *testing.T) {
	const a0, a1 = 3.5, 0.97
	y := make([]float64, 40)
	intPowers(y, a1)
	for i := range y {
		y[i] *= a0
	}
	fa0, fa1, res := FitExponential(y, 2, 1.05, nil)
	if res.Info < 1 || res.Info > 4 {
		t.Fatalf("info %d", res.Info)
	}
	if relErr(fa0, a0) > 1e-12 || relErr(fa1, a1) > 1e-12 {
		t.Errorf("got (%v, %v), want (%v, %v); info %d nfev %d", fa0, fa1, a0, a1, res.Info, res.Nfev)
	}
}

// TestZeroResidualStart checks lmdif's behaviour when f(x0) = 0: the gradient
// test (gnorm = 0 <= gtol = 0) stops right after the first Jacobian with
// info 4 and nfev 1 + n, as in the reference rows with nfev 3 and ier 4.
func TestZeroResidualStart(t *testing.T) {
	y := []float64{2, 2 * 1.25}
	a0, a1, res := FitExponential(y, 2, 1.25, nil)
	if res.Info != 4 || res.Nfev != 3 || a0 != 2 || a1 != 1.25 || res.Fnorm != 0 {
		t.Errorf("got a0 %v a1 %v %+v, want 2 1.25 info 4 nfev 3 fnorm 0", a0, a1, res)
	}
}

// TestMaxFev checks that the evaluation limit is honoured and counted as
// lmdif counts it.
func TestMaxFev(t *testing.T) {
	calls := 0
	f := func(x, fv []float64) {
		calls++
		rosenbrock(x, fv)
	}
	s := DefaultSettings()
	s.MaxFev = 7
	x := []float64{-1.2, 1}
	res := Solve(f, 2, x, &s, nil)
	if res.Info != 5 || res.Nfev != calls || res.Nfev < 7 {
		t.Errorf("got %+v after %d calls, want info 5 and nfev = calls >= 7", res, calls)
	}
}

// TestIntPowers compares intPowers with exactly rounded powers computed in
// big.Float arithmetic.
func TestIntPowers(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const n = 731
	got := make([]float64, n)
	bases := []float64{1, -1, 0.5, 2, 1 + 0x1p-52, 1 - 0x1p-53, 0.999, 1.001, -1.01}
	for range 200 {
		bases = append(bases, 1+0.2*(rng.Float64()-0.5))
	}
	for _, b := range bases {
		intPowers(got, b)
		exact := new(big.Float).SetPrec(4096).SetFloat64(1)
		bb := new(big.Float).SetPrec(4096).SetFloat64(b)
		for i := range n {
			want, _ := exact.Float64()
			if got[i] != want {
				t.Fatalf("%v^%d = %v, want %v", b, i, got[i], want)
			}
			exact.Mul(exact, bb)
		}
	}
	// Outside the double-double range the result is math.Pow's.
	intPowers(got[:5], math.Inf(1))
	if got[0] != 1 || !math.IsInf(got[4], 1) {
		t.Errorf("Inf powers %v", got[:5])
	}
	intPowers(got, 3)
	if got[0] != 1 || got[2] != 9 || !math.IsInf(got[n-1], 1) {
		t.Errorf("3^i: %v %v %v", got[0], got[2], got[n-1])
	}
	intPowers(got[:3], math.NaN())
	if got[0] != 1 || !math.IsNaN(got[1]) || !math.IsNaN(got[2]) {
		t.Errorf("NaN powers %v", got[:3])
	}
}

// TestEnorm checks enorm on the three ranges of component size.
func TestEnorm(t *testing.T) {
	cases := []struct {
		x    []float64
		want float64
	}{
		{[]float64{3, 4}, 5},
		{[]float64{}, 0},
		{[]float64{0, 0}, 0},
		{[]float64{3e-30, 4e-30}, 5e-30},
		{[]float64{3e200, 4e200}, 5e200},
		{[]float64{1e-30, 1}, 1},
		{[]float64{1e300, 1}, 1e300},
	}
	for _, c := range cases {
		if got := enorm(c.x); relErr(got, c.want) > 1e-15 {
			t.Errorf("enorm(%v) = %v, want %v", c.x, got, c.want)
		}
	}
}

// TestWorkspaceReuse checks that Solve's scratch memory reused for problems
// of varying sizes gives the same results as fresh scratch memory.
func TestWorkspaceReuse(t *testing.T) {
	var work solveWork
	for _, name := range []string{"bard", "rosenbrock", "linear_rank1", "kowalik_osborne", "beale"} {
		p := testProblems[name]
		x1 := append([]float64(nil), p.x0...)
		x2 := append([]float64(nil), p.x0...)
		r1 := Solve(p.f, p.m, x1, nil, &work)
		r2 := Solve(p.f, p.m, x2, nil, nil)
		if r1 != r2 {
			t.Errorf("%s: %+v with workspace, %+v without", name, r1, r2)
		}
		for i := range x1 {
			if math.Float64bits(x1[i]) != math.Float64bits(x2[i]) {
				t.Errorf("%s: x %v with workspace, %v without", name, x1, x2)
				break
			}
		}
	}
}

func TestPanics(t *testing.T) {
	f := func(x, fv []float64) {}
	bad := func(mod func(*Settings)) *Settings {
		s := DefaultSettings()
		mod(&s)
		return &s
	}
	cases := []struct {
		name string
		run  func()
	}{
		{"no parameters", func() { Solve(f, 1, nil, nil, nil) }},
		{"m < n", func() { Solve(f, 1, []float64{1, 2}, nil, nil) }},
		{"negative ftol", func() { Solve(f, 2, []float64{1}, bad(func(s *Settings) { s.Ftol = -1 }), nil) }},
		{"NaN xtol", func() { Solve(f, 2, []float64{1}, bad(func(s *Settings) { s.Xtol = math.NaN() }), nil) }},
		{"zero factor", func() { Solve(f, 2, []float64{1}, &Settings{}, nil) }},
		{"negative maxfev", func() { Solve(f, 2, []float64{1}, bad(func(s *Settings) { s.MaxFev = -1 }), nil) }},
		{"short y", func() { FitExponential([]float64{1}, 1, 1, nil) }},
	}
	for _, c := range cases {
		func() {
			defer func() {
				r := recover()
				msg, ok := r.(string)
				if !ok || !strings.HasPrefix(msg, "levmar: ") {
					t.Errorf("%s: recovered %v, want a levmar panic", c.name, r)
				}
			}()
			c.run()
		}()
	}
}

// benchData returns a noisy exponential of n points.
func benchData(n int) []float64 {
	rng := rand.New(rand.NewPCG(5, 6))
	y := make([]float64, n)
	for i := range y {
		y[i] = 250 * math.Pow(1.004, float64(i)) * (1 + 0.03*rng.NormFloat64())
	}
	return y
}

// TestNoAllocs checks that FitExponential with a Workspace does not allocate
// once the Workspace has grown.
func TestNoAllocs(t *testing.T) {
	y := benchData(30)
	var work Workspace
	FitExponential(y, 240, 1.003, &work)
	if a := testing.AllocsPerRun(100, func() { FitExponential(y, 240, 1.003, &work) }); a != 0 {
		t.Errorf("%v allocations per fit, want 0", a)
	}
	p := testProblems["bard"]
	x := make([]float64, 3)
	var sw solveWork
	if a := testing.AllocsPerRun(100, func() {
		copy(x, p.x0)
		Solve(p.f, p.m, x, nil, &sw)
	}); a != 0 {
		t.Errorf("%v allocations per Solve, want 0", a)
	}
}

func benchmarkFit(b *testing.B, n int) {
	y := benchData(n)
	var work Workspace
	FitExponential(y, 240, 1.003, &work) // grow the workspace outside the timing
	nfev := 0
	b.ReportAllocs()
	for b.Loop() {
		_, _, res := FitExponential(y, 240, 1.003, &work)
		nfev = res.Nfev
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "fits/s")
	b.ReportMetric(float64(nfev), "nfev")
}

// BenchmarkFitExponential30 is the typical strategy fit: 30 daily closes.
func BenchmarkFitExponential30(b *testing.B) { benchmarkFit(b, 30) }

// BenchmarkFitExponential730 is the largest window: two years of closes.
func BenchmarkFitExponential730(b *testing.B) { benchmarkFit(b, 730) }
