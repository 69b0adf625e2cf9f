package search

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"gem/space"
)

// unscrambledSobol returns the first n points of the plain Sobol sequence in
// d dimensions as 32-bit integers, by the Gray-code recursion on directions.
func unscrambledSobol(d, n int) [][]uint32 {
	v := make([][32]uint32, d)
	for j := range v {
		v[j] = directions(j)
	}
	x := make([]uint32, d)
	out := make([][]uint32, n)
	for i := range out {
		out[i] = append([]uint32(nil), x...)
		c := 0
		for k := uint32(i); k&1 == 1; k >>= 1 {
			c++
		}
		for j := range x {
			x[j] ^= v[j][c]
		}
	}
	return out
}

// TestSobolMatchesSciPy: the unscrambled sequence in all 256 dimensions of
// the table equals SciPy's (scipy.stats.qmc.Sobol, scramble=False, which
// keeps 30 bits: ours shifted right by 2) for the first 1024 points, and
// so do all 30 direction numbers of every dimension.
func TestSobolMatchesSciPy(t *testing.T) {
	const d, n = 256, 1024
	script := fmt.Sprintf(`
import sys
from scipy.stats import qmc
x = qmc.Sobol(d=%d, scramble=False).random(%d)
for row in x:
    sys.stdout.write(" ".join(str(int(round(v * (1 << 30)))) for v in row) + "\n")
`, d, n)
	out, err := exec.Command("/usr/bin/python3", "-c", script).Output()
	if err != nil {
		t.Skipf("SciPy's Sobol sequence is not available (/usr/bin/python3 with scipy): %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != n {
		t.Fatalf("SciPy printed %d lines, want %d", len(lines), n)
	}
	ours := unscrambledSobol(d, n)
	for i, line := range lines {
		f := strings.Fields(line)
		for j := range d {
			want, err := strconv.ParseUint(f[j], 10, 32)
			if err != nil {
				t.Fatal(err)
			}
			if got := ours[i][j] >> 2; uint64(got) != want {
				t.Fatalf("line %d, dimension %d: %d, SciPy %d", i, j+1, got, want)
			}
		}
	}
	// The first 1024 points use V_1..V_10 only; compare all 30 of SciPy's
	// direction numbers (its private _initialize_v, so skip if it moved).
	script = fmt.Sprintf(`
import sys
import numpy as np
from scipy.stats import _sobol
v = np.zeros((%d, 30), dtype=np.uint64)
_sobol._initialize_v(v, %d, 30)
for row in v:
    sys.stdout.write(" ".join(str(int(x)) for x in row) + "\n")
`, d, d)
	out, err = exec.Command("/usr/bin/python3", "-c", script).Output()
	if err != nil {
		t.Skipf("SciPy's direction numbers (scipy.stats._sobol._initialize_v) are not reachable: %v", err)
	}
	rows := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(rows) != d {
		t.Fatalf("SciPy printed %d rows of direction numbers, want %d", len(rows), d)
	}
	for j, row := range rows {
		v := directions(j)
		for k, f := range strings.Fields(row) {
			want, err := strconv.ParseUint(f, 10, 32)
			if err != nil {
				t.Fatal(err)
			}
			if got := v[k] >> 2; uint64(got) != want {
				t.Fatalf("dimension %d: V_%d = %d, SciPy %d", j+1, k+1, got, want)
			}
		}
	}
}

// TestSobolHandValues: the first points of dimensions 1-3 worked by hand
// from the recursion (Joe and Kuo's m: dimension 2 has m = 1, dimension 3
// has m = 1, 3): 0, 1/2, then (3/4, 1/4, 1/4) and (1/4, 3/4, 3/4).
func TestSobolHandValues(t *testing.T) {
	pts := unscrambledSobol(3, 4)
	want := [][]float64{{0, 0, 0}, {0.5, 0.5, 0.5}, {0.75, 0.25, 0.25}, {0.25, 0.75, 0.75}}
	for i := range want {
		for j := range want[i] {
			if got := float64(pts[i][j]) / (1 << 32); got != want[i][j] {
				t.Errorf("point %d dim %d: %v, want %v", i, j+1, got, want[i][j])
			}
		}
	}
}

// TestScrambledSobolIsANet: the linear matrix scramble and digital shift
// keep the net property. The first 2^8 scrambled points put exactly one
// point in each of 256 equal bins of every coordinate, and the first two
// coordinates (a (0, 8, 2)-net) one point in each box of 2^-a × 2^-(8-a).
func TestScrambledSobolIsANet(t *testing.T) {
	var ps []space.Param
	for i := range 40 {
		ps = append(ps, floatParam(fmt.Sprintf("x%d", i), 0, 1, 0.5))
	}
	h := newHistory(space.New(ps...))
	rng := rand.New(rand.NewPCG(9, 9))
	q := newSobol(h, rng)
	const m = 8
	pts := make([][]float64, 1<<m)
	for i := range pts {
		pts[i] = make([]float64, len(ps))
		q.next(pts[i], rng)
	}
	for j := range ps {
		hits := make([]int, 1<<m)
		for _, p := range pts {
			hits[int(p[j]*(1<<m))]++
		}
		for b, c := range hits {
			if c != 1 {
				t.Fatalf("coordinate %d, bin %d: %d points, want 1", j, b, c)
			}
		}
	}
	for a := 0; a <= m; a++ {
		hits := map[[2]int]int{}
		for _, p := range pts {
			hits[[2]int{int(p[0] * float64(int(1)<<a)), int(p[1] * float64(int(1)<<(m-a)))}]++
		}
		if len(hits) != 1<<m {
			t.Errorf("boxes 2^-%d × 2^-%d: %d occupied, want %d", a, m-a, len(hits), 1<<m)
		}
	}
	// A different seed scrambles differently.
	q2 := newSobol(h, rand.New(rand.NewPCG(10, 10)))
	u := make([]float64, len(ps))
	q2.next(u, rng)
	if u[0] == pts[0][0] {
		t.Errorf("seeds 9 and 10 give the same first point")
	}
}

// TestParzenNormalised: l(x) is a probability density: it integrates to 1
// over a continuous coordinate (midpoint rule, 20000 cells) and sums to 1
// over the levels of discrete ones, ordered or nominal, in product (to the
// midpoint rule's error where the bandwidth is wide, exactly otherwise).
func TestParzenNormalised(t *testing.T) {
	cont := NewTPE(space.New(floatParam("x", -3, 7, 0)), 1, TPESettings{})
	pe := cont.parzen([][]float64{{0.01}, {0.5}, {0.93}, {0.999}})
	sum := 0.0
	const cells = 20000
	for k := range cells {
		sum += math.Exp(pe.logPDF([]float64{(float64(k) + 0.5) / cells})) / cells
	}
	if math.Abs(sum-1) > 1e-4 {
		t.Errorf("continuous: integral %v, want 1", sum)
	}
	disc := NewTPE(space.New(
		intParam("i", 0, 6, 0),
		space.Param{Name: "c", Kind: space.Categorical, Choices: []string{"a", "b", "c", "d"}, Default: space.StringValue("a")},
		space.Param{Name: "b", Kind: space.Bool},
	), 1, TPESettings{})
	var obs [][]float64
	for _, o := range [][3]int{{0, 1, 0}, {6, 1, 1}, {3, 3, 0}} {
		obs = append(obs, []float64{(float64(o[0]) + 0.5) / 7, (float64(o[1]) + 0.5) / 4, (float64(o[2]) + 0.5) / 2})
	}
	pe = disc.parzen(obs)
	sum = 0
	for i := range 7 {
		for c := range 4 {
			for b := range 2 {
				sum += math.Exp(pe.logPDF([]float64{(float64(i) + 0.5) / 7, (float64(c) + 0.5) / 4, (float64(b) + 0.5) / 2}))
			}
		}
	}
	// The trials' kernels (bandwidth 1/4, the floor 1/(n+1), < 2/7) take exact bin masses; the
	// prior's (bandwidth 1) the midpoint rule, whose error is below 1e-3.
	if math.Abs(sum-1) > 1e-3 {
		t.Errorf("discrete: sum %v, want 1 within 1e-3", sum)
	}
	// Exact masses alone (a prior of weight ~0) sum to 1 to rounding.
	exact := NewTPE(space.New(intParam("i", 0, 6, 0)), 1, TPESettings{PriorWeight: 1e-300})
	var ten [][]float64 // bandwidth 0.2·10^(−1/5) = 0.126 < 2/7
	for i := range 10 {
		ten = append(ten, []float64{(float64(i%7) + 0.5) / 7})
	}
	pe = exact.parzen(ten)
	sum = 0
	for i := range 7 {
		sum += math.Exp(pe.logPDF([]float64{(float64(i) + 0.5) / 7}))
	}
	if math.Abs(sum-1) > 1e-12 {
		t.Errorf("exact masses: sum %v, want 1", sum)
	}
}

// TestLogNormalMass against log(Φ(b) − Φ(a)) where that is accurate, and,
// in the far tail, against Simpson's rule on φ scaled by φ(b).
func TestLogNormalMass(t *testing.T) {
	for _, c := range [][2]float64{{-1, 1}, {0, 0.1}, {2, 3}, {-3, -2}, {-8, -7.5}, {5, 40}} {
		want := math.Log(normalCDF(c[1]) - normalCDF(c[0]))
		if got := logNormalMass(c[0], c[1]); math.Abs(got-want) > 1e-9*math.Abs(want)+1e-12 {
			t.Errorf("logNormalMass(%v, %v) = %v, want %v", c[0], c[1], got, want)
		}
	}
	for _, c := range [][2]float64{{-50, -49.9}, {-40, -38}, {45, 46}} {
		a, b := c[0], c[1]
		ref := b
		if a > 0 {
			ref = a
		}
		// ∫ φ(z) dz = φ(ref) ∫ exp(−(z² − ref²)/2) dz.
		const n = 2000
		h := (b - a) / n
		s := 0.0
		for k := 0; k <= n; k++ {
			z := a + float64(k)*h
			w := 2.0
			if k == 0 || k == n {
				w = 1
			} else if k%2 == 1 {
				w = 4
			}
			s += w * math.Exp(-0.5*(z*z-ref*ref))
		}
		want := -0.5*ref*ref - 0.5*math.Log(2*math.Pi) + math.Log(s*h/3)
		if got := logNormalMass(a, b); math.Abs(got-want) > 1e-6*math.Abs(want) {
			t.Errorf("logNormalMass(%v, %v) = %v, want %v", a, b, got, want)
		}
	}
}

// TestLogEI against h(z) = ∫_{−∞}^z Φ(t) dt by Simpson's rule (Φ through
// math.Erfc, accurate in the tail), across the switch to the asymptotic
// series at z = −6.
func TestLogEI(t *testing.T) {
	for _, z := range []float64{2, 0.5, 0, -1, -3, -5.9, -6.1, -9, -15} {
		const n = 20000
		lo := z - 30
		h := (z - lo) / n
		s := 0.0
		for k := 0; k <= n; k++ {
			x := lo + float64(k)*h
			w := 2.0
			if k == 0 || k == n {
				w = 1
			} else if k%2 == 1 {
				w = 4
			}
			s += w * normalCDF(x)
		}
		want := math.Log(s * h / 3)
		if got := logEI(z); math.Abs(got-want) > 1e-5*math.Abs(want)+1e-8 {
			t.Errorf("logEI(%v) = %v, want %v", z, got, want)
		}
	}
}

// TestGPGradient: the analytic gradient of the penalised negative log
// marginal likelihood matches central differences, on a mixed space.
func TestGPGradient(t *testing.T) {
	p := mixed()
	g := NewGP(p.space, 1, GPSettings{})
	rng := rand.New(rand.NewPCG(1, 2))
	var xs [][]float64
	var ys []float64
	for range 30 {
		u := make([]float64, p.space.Len())
		for i := range u {
			u[i] = rng.Float64()
		}
		pt := g.h.decode(u)
		g.h.propose(pt)
		xs = append(xs, g.features(pt.u))
		y := p.f(g.h.wait[len(g.h.wait)-1].a)
		if math.IsInf(y, -1) {
			y = -10
		}
		ys = append(ys, y/10)
	}
	theta := []float64{-1, -0.5, 0, 0.3, -2, 0.5, 0.2, math.Log(1e-3)}
	grad := make([]float64, len(theta))
	g.nlml(theta, xs, ys, grad)
	for j := range theta {
		const h = 1e-5
		tp := append([]float64(nil), theta...)
		tm := append([]float64(nil), theta...)
		tp[j] += h
		tm[j] -= h
		fd := (g.nlml(tp, xs, ys, nil) - g.nlml(tm, xs, ys, nil)) / (2 * h)
		if math.Abs(fd-grad[j]) > 1e-4*max(1, math.Abs(fd)) {
			t.Errorf("∂/∂θ_%d = %v, central difference %v", j, grad[j], fd)
		}
	}
}

// TestCholFactorExtend: growing the factor one row at a time gives the
// factor of the whole matrix, UᵀU = K, and solve returns K⁻¹y.
func TestCholFactorExtend(t *testing.T) {
	const n = 40
	rng := rand.New(rand.NewPCG(3, 4))
	pts := make([]float64, n)
	for i := range pts {
		pts[i] = rng.Float64()
	}
	k := func(i, j int) float64 {
		v := matern52((pts[i] - pts[j]) * (pts[i] - pts[j]) / 0.04)
		if i == j {
			v += 1e-6
		}
		return v
	}
	var c cholFactor
	if !c.factor(1, k) {
		t.Fatal("1×1 factor failed")
	}
	for m := 2; m <= n; m++ {
		col := make([]float64, m)
		for i := range col {
			col[i] = k(i, m-1)
		}
		if !c.extend(col) {
			t.Fatalf("extend to %d failed", m)
		}
	}
	u := c.tri()
	for i := range n {
		for j := i; j < n; j++ {
			s := 0.0
			for l := 0; l <= i; l++ {
				s += u.Data[l*u.Stride+i] * u.Data[l*u.Stride+j]
			}
			if math.Abs(s-k(i, j)) > 1e-10 {
				t.Fatalf("(UᵀU)[%d][%d] = %v, want %v", i, j, s, k(i, j))
			}
		}
	}
	y := make([]float64, n)
	for i := range y {
		y[i] = rng.NormFloat64()
	}
	x := c.solve(y)
	for i := range n {
		s := 0.0
		for j := range n {
			s += k(i, j) * x[j]
		}
		if math.Abs(s-y[i]) > 1e-6 {
			t.Fatalf("(K K⁻¹y)[%d] = %v, want %v", i, s, y[i])
		}
	}
	// A row equal to row 0 but with a smaller diagonal: the Schur
	// complement is −0.1, not positive definite.
	dup := make([]float64, n+1)
	for i := range n {
		dup[i] = k(i, 0)
	}
	dup[n] = k(0, 0) - 0.1
	if c.extend(dup) || c.n != n {
		t.Errorf("an extension with Schur complement −0.1 succeeded")
	}
}

// TestCMAESSphere: on a 10-D sphere CMA-ES converges geometrically, reaching
// 1e-8 of the maximum within 2500 evaluations; random search at that budget
// stays above 0.05 (the volume of a ball of radius √1e-8 is negligible).
func TestCMAESSphere(t *testing.T) {
	var ps []space.Param
	for i := range 10 {
		ps = append(ps, floatParam(fmt.Sprintf("x%d", i), 0, 1, 0.5))
	}
	s := space.New(ps...)
	f := func(a space.Assignment) float64 {
		y := 0.0
		for i := range 10 {
			d := a.Value(i).F - 0.3
			y -= d * d
		}
		return y
	}
	_, ys := run(t, NewCMAES(s, 1, CMAESSettings{}), f, 2500, 10)
	if r := -bestOf(ys); r > 1e-8 {
		t.Errorf("regret %v after 2500 evaluations, want ≤ 1e-8", r)
	}
}
