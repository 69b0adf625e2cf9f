package search

import (
	"context"
	"math"
	"slices"
	"sort"
	"testing"

	"gem/space"
)

// A problem is a test function with a known maximum.
type problem struct {
	name  string
	space *space.Space
	f     func(a space.Assignment) float64
	best  float64 // the known maximum
}

func floatParam(name string, lo, hi, def float64) space.Param {
	return space.Param{Name: name, Kind: space.Float, Default: space.FloatValue(def),
		Min: space.FloatValue(lo), Max: space.FloatValue(hi), Lo: space.FloatValue(lo), Hi: space.FloatValue(hi)}
}

func intParam(name string, lo, hi, def int64) space.Param {
	return space.Param{Name: name, Kind: space.Int, Default: space.IntValue(def),
		Min: space.IntValue(lo), Max: space.IntValue(hi), Lo: space.IntValue(lo), Hi: space.IntValue(hi)}
}

// branin is the negated Branin-Hoo function on [−5, 10] × [0, 15], whose
// minimum 5/(4π)·... = 0.397887 is reached at (−π, 12.275), (π, 2.275) and
// (9.42478, 2.475) (Dixon and Szegő, "Towards global optimisation 2", 1978).
func branin() problem {
	s := space.New(floatParam("x1", -5, 10, 2.5), floatParam("x2", 0, 15, 7.5))
	return problem{name: "branin", space: s, best: -0.39788735772973816, f: func(a space.Assignment) float64 {
		x1, x2 := a.Value(0).F, a.Value(1).F
		b, c := 5.1/(4*math.Pi*math.Pi), 5/math.Pi
		t := 1 / (8 * math.Pi)
		y := x2 - b*x1*x1 + c*x1 - 6
		return -(y*y + 10*(1-t)*math.Cos(x1) + 10)
	}}
}

// hartmann6 is the Hartmann 6-D function on [0, 1]^6, maximum 3.32237 at
// (0.20169, 0.150011, 0.476874, 0.275332, 0.311652, 0.6573) (Dixon and
// Szegő 1978; the constants as listed by Surjanovic and Bingham's virtual
// library of simulation experiments).
func hartmann6() problem {
	var ps []space.Param
	for i := range 6 {
		ps = append(ps, floatParam("x"+string(rune('1'+i)), 0, 1, 0.5))
	}
	alpha := [4]float64{1.0, 1.2, 3.0, 3.2}
	A := [4][6]float64{
		{10, 3, 17, 3.5, 1.7, 8},
		{0.05, 10, 17, 0.1, 8, 14},
		{3, 3.5, 1.7, 10, 17, 8},
		{17, 8, 0.05, 10, 0.1, 14}}
	P := [4][6]float64{
		{1312, 1696, 5569, 124, 8283, 5886},
		{2329, 4135, 8307, 3736, 1004, 9991},
		{2348, 1451, 3522, 2883, 3047, 6650},
		{4047, 8828, 8732, 5743, 1091, 381}}
	return problem{name: "hartmann6", space: space.New(ps...), best: 3.3223680114155147, f: func(a space.Assignment) float64 {
		y := 0.0
		for i := range 4 {
			e := 0.0
			for j := range 6 {
				d := a.Value(j).F - P[i][j]*1e-4
				e += A[i][j] * d * d
			}
			y += alpha[i] * math.Exp(-e)
		}
		return y
	}}
}

// mixed has two integers, a float, a log-scaled float, a categorical and a
// bool, with a rejected region (n1 + n2 > 45 scores −Inf). Its maximum 4 is
// at n1=3, n2=37, x=1.5, lr=1e-3, colour=blue, on=true, by construction:
// every term but the last two is a non-positive square that vanishes there,
// and blue with on=true earns the largest bonus (2 + 2).
func mixed() problem {
	s := space.New(
		intParam("n1", -10, 10, 0),
		intParam("n2", 0, 50, 0),
		floatParam("x", -5, 5, 0),
		space.Param{Name: "lr", Kind: space.LogFloat, Default: space.FloatValue(1e-2),
			Min: space.FloatValue(1e-4), Max: space.FloatValue(1), Lo: space.FloatValue(1e-4), Hi: space.FloatValue(1)},
		space.Param{Name: "colour", Kind: space.Categorical, Choices: []string{"red", "green", "blue", "black"}, Default: space.StringValue("red")},
		space.Param{Name: "on", Kind: space.Bool},
	)
	bonus := map[string]float64{"red": 0, "green": 1, "blue": 2, "black": -1}
	return problem{name: "mixed", space: s, best: 4, f: func(a space.Assignment) float64 {
		n1, n2 := float64(a.Value(0).I), float64(a.Value(1).I)
		if n1+n2 > 45 {
			return math.Inf(-1)
		}
		x, lr, c, on := a.Value(2).F, a.Value(3).F, a.Value(4).S, a.Value(5).B
		y := -(n1-3)*(n1-3)/4 - (n2-37)*(n2-37)/25 - (x-1.5)*(x-1.5) - (math.Log10(lr)+3)*(math.Log10(lr)+3)
		y += bonus[c]
		if on {
			y += 0.5
			if c == "blue" {
				y += 1.5
			}
		}
		return y
	}}
}

// planted has two integers a and b that pay only together: along the ridge
// |a − b| ≤ 2 the score rises with min(a, b), and everywhere each costs
// 0.05 per unit, so from the defaults (a = b = 0) moving either alone scores
// worse. Three distractors (two floats and a categorical) add small
// separable terms. The maximum 2.05 is at a = b = 20, d1 = 0.3, d2 = 0.7,
// k = q: −0.05·40 + 4·20/20 + 0.05.
func planted() problem {
	s := space.New(
		intParam("a", 0, 20, 0),
		intParam("b", 0, 20, 0),
		floatParam("d1", 0, 1, 0.5),
		floatParam("d2", 0, 1, 0.5),
		space.Param{Name: "k", Kind: space.Categorical, Choices: []string{"p", "q", "r"}, Default: space.StringValue("p")},
	)
	return problem{name: "planted", space: s, best: 2.05, f: func(as space.Assignment) float64 {
		a, b := float64(as.Value(0).I), float64(as.Value(1).I)
		d1, d2 := as.Value(2).F, as.Value(3).F
		y := -0.05*(a+b) - 0.1*(d1-0.3)*(d1-0.3) - 0.1*(d2-0.7)*(d2-0.7)
		if math.Abs(a-b) <= 2 {
			y += 4 * min(a, b) / 20
		}
		if as.Value(4).S == "q" {
			y += 0.05
		}
		return y
	}}
}

// methodCase makes a method on a space with a seed.
type methodCase struct {
	name string
	make func(s *space.Space, seed uint64) Method
}

var learned = []methodCase{
	{"tpe", func(s *space.Space, seed uint64) Method { return NewTPE(s, seed, TPESettings{}) }},
	{"cmaes", func(s *space.Space, seed uint64) Method { return NewCMAES(s, seed, CMAESSettings{}) }},
	{"gp", func(s *space.Space, seed uint64) Method { return NewGP(s, seed, GPSettings{}) }},
}

var allMethods = append(slices.Clone(learned),
	methodCase{"qmc", func(s *space.Space, seed uint64) Method { return NewQMC(s, seed) }},
	methodCase{"policy", func(s *space.Space, seed uint64) Method { return NewPolicy(s, seed, PolicySettings{}) }},
	methodCase{"random", func(s *space.Space, seed uint64) Method { return NewRandom(s, seed) }},
)

// run drives m on f for budget evaluations in batches of batch, and returns
// the proposals in order, their scores, and the best score after each.
func run(t testing.TB, m Method, f func(space.Assignment) float64, budget, batch int) ([]space.Assignment, []float64) {
	t.Helper()
	var all []space.Assignment
	var ys []float64
	_, err := Drive(context.Background(), m, budget, batch, func(_ context.Context, as []space.Assignment) ([]float64, error) {
		out := make([]float64, len(as))
		// Evaluate in reverse, as workers finishing out of order would; the
		// scores land in their slots.
		for i := len(as) - 1; i >= 0; i-- {
			out[i] = f(as[i])
		}
		all = append(all, as...)
		ys = append(ys, out...)
		return out, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return all, ys
}

func bestOf(ys []float64) float64 {
	b := math.Inf(-1)
	for _, y := range ys {
		b = max(b, y)
	}
	return b
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	sort.Float64s(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// regrets runs a method on p over seeds 1..seeds and returns the regret
// (p.best − best score) of each run.
func regrets(t testing.TB, mc methodCase, p problem, budget, batch, seeds int) []float64 {
	var out []float64
	for seed := range uint64(seeds) {
		_, ys := run(t, mc.make(p.space, seed+1), p.f, budget, batch)
		out = append(out, p.best-bestOf(ys))
	}
	return out
}
