package regime

import (
	"encoding/binary"
	"math"
	"math/rand/v2"
	"testing"
)

// studentModel is benchModel with Student-t emissions.
func studentModel() *Model {
	m := benchModel()
	m.Emission = StudentT
	m.Var = []float64{30, 0.8, 9}
	m.DF = []float64{3.5, 6, 4.5}
	return m
}

func TestForwardSmoothRows(t *testing.T) {
	for _, m := range []*Model{benchModel(), studentModel()} {
		obs, _ := m.Sample(3000, 17)
		obs = append(obs, 1e6, -3e9, 0, 1e200, -1e300, 0.5) // extremes
		filtered, ll := m.Forward(nil, obs)
		checkRows(t, m.Emission.String()+" Forward", filtered)
		checkRows(t, m.Emission.String()+" Smooth", m.Smooth(nil, obs))
		if !math.IsInf(ll, -1) {
			t.Errorf("%v loglik with 1e200 observation: got %v, want -Inf", m.Emission, ll)
		}
		_, ll = m.Forward(nil, obs[:3000])
		if math.IsNaN(ll) || math.IsInf(ll, 0) {
			t.Errorf("%v loglik: got %v, want finite", m.Emission, ll)
		}
	}
}

// TestFilterMatchesForward checks that Filter.Step reproduces Forward bit for
// bit and that dst is used when given.
func TestFilterMatchesForward(t *testing.T) {
	for _, m := range []*Model{benchModel(), studentModel()} {
		obs, _ := m.Sample(500, 3)
		dst := useRows(nil, len(obs), m.K)
		filtered, ll := m.Forward(dst, obs)
		if &filtered[0][0] != &dst[0][0] {
			t.Errorf("%v: Forward did not fill dst", m.Emission)
		}
		f := m.NewFilter()
		if f.Posterior() != nil {
			t.Errorf("%v: Posterior before the first step: got %v, want nil", m.Emission, f.Posterior())
		}
		for u, x := range obs {
			p := f.Step(x)
			for k := range p {
				if p[k] != filtered[u][k] {
					t.Fatalf("%v: Filter step %d state %d: got %v, want %v", m.Emission, u, k, p[k], filtered[u][k])
				}
			}
		}
		if f.Len() != len(obs) || math.Abs(f.LogLik()-ll) > 1e-9*math.Abs(ll) {
			t.Errorf("%v: Filter Len %d LogLik %.10f, want %d %.10f", m.Emission, f.Len(), f.LogLik(), len(obs), ll)
		}
		f.Reset()
		if p := f.Step(obs[0]); p[0] != filtered[0][0] || f.Len() != 1 {
			t.Errorf("%v: after Reset: got %v, want %v", m.Emission, p, filtered[0])
		}
	}
}

// TestBruteForce compares Forward and Smooth with enumeration of all state
// paths of short sequences, for K = 2 and 3 (general and specialised code).
func TestBruteForce(t *testing.T) {
	m2 := &Model{
		K: 2, Emission: Gaussian,
		Init:  []float64{0.6, 0.4},
		Trans: [][]float64{{0.9, 0.1}, {0.3, 0.7}},
		Mean:  []float64{-1, 2},
		Var:   []float64{4, 1},
	}
	for _, m := range []*Model{m2, benchModel(), studentModel()} {
		obs := []float64{0.3, -2.5, 7, 0.1, 1.2, -0.4}
		n, k := len(obs), m.K
		var em emitter
		em.set(m)
		dens := make([][]float64, n)
		for u, x := range obs {
			dens[u] = make([]float64, k)
			em.logDensity(dens[u], x)
			for j := range dens[u] {
				dens[u][j] = math.Exp(dens[u][j])
			}
		}
		// Enumerate paths: joint[u][j] accumulates P(S_u=j, x) over paths,
		// prefix[u][j] P(S_u=j, x_0..x_u).
		joint := useRows(nil, n, k)
		prefix := useRows(nil, n, k)
		var total float64
		path := make([]int, n)
		var rec func(u int, p float64)
		rec = func(u int, p float64) {
			if u == n {
				total += p
				for v, s := range path {
					joint[v][s] += p
				}
				return
			}
			for s := 0; s < k; s++ {
				q := p * dens[u][s]
				if u == 0 {
					q *= m.Init[s]
				} else {
					q *= m.Trans[path[u-1]][s]
				}
				path[u] = s
				rec(u+1, q)
			}
		}
		rec(0, 1)
		filtered, ll := m.Forward(nil, obs)
		if want := math.Log(total); math.Abs(ll-want) > 1e-12*math.Abs(want) {
			t.Errorf("K=%d %v loglik: got %.15g, want %.15g", k, m.Emission, ll, want)
		}
		smoothed := m.Smooth(nil, obs)
		for u := 0; u < n; u++ {
			// Filtered: enumerate the prefix separately.
			var tot float64
			for j := range prefix[u] {
				prefix[u][j] = 0
			}
			var rp func(v int, p float64)
			rp = func(v int, p float64) {
				if v > u {
					tot += p
					prefix[u][path[u]] += p
					return
				}
				for s := 0; s < k; s++ {
					q := p * dens[v][s]
					if v == 0 {
						q *= m.Init[s]
					} else {
						q *= m.Trans[path[v-1]][s]
					}
					path[v] = s
					rp(v+1, q)
				}
			}
			rp(0, 1)
			for j := 0; j < k; j++ {
				if d := math.Abs(filtered[u][j] - prefix[u][j]/tot); d > 1e-14 {
					t.Errorf("K=%d %v filtered[%d][%d]: got %.16g, want %.16g", k, m.Emission, u, j, filtered[u][j], prefix[u][j]/tot)
				}
				if d := math.Abs(smoothed[u][j] - joint[u][j]/total); d > 1e-14 {
					t.Errorf("K=%d %v smoothed[%d][%d]: got %.16g, want %.16g", k, m.Emission, u, j, smoothed[u][j], joint[u][j]/total)
				}
			}
		}
	}
}

// TestGeneralPathMatchesK3 embeds a 3-state model in a 4-state model whose
// fourth state is unreachable, so that the general code must reproduce the
// specialised K = 3 code.
func TestGeneralPathMatchesK3(t *testing.T) {
	m3 := benchModel()
	m4 := &Model{
		K: 4, Emission: Gaussian,
		Init:  append(append([]float64(nil), m3.Init...), 0),
		Trans: make([][]float64, 4),
		Mean:  append(append([]float64(nil), m3.Mean...), 5),
		Var:   append(append([]float64(nil), m3.Var...), 2),
	}
	for i := 0; i < 3; i++ {
		m4.Trans[i] = append(append([]float64(nil), m3.Trans[i]...), 0)
	}
	m4.Trans[3] = []float64{0.25, 0.25, 0.25, 0.25}
	obs, _ := m3.Sample(2000, 8)
	f3, ll3 := m3.Forward(nil, obs)
	f4, ll4 := m4.Forward(nil, obs)
	s3, s4 := m3.Smooth(nil, obs), m4.Smooth(nil, obs)
	const tol = 1e-13
	if math.Abs(ll3-ll4) > tol*math.Abs(ll3) {
		t.Errorf("loglik: K=4 embedding %.15g, K=3 %.15g", ll4, ll3)
	}
	for u := range obs {
		if f4[u][3] != 0 || s4[u][3] != 0 {
			t.Fatalf("day %d: unreachable state has probability %v / %v, want 0", u, f4[u][3], s4[u][3])
		}
		for k := 0; k < 3; k++ {
			if d := math.Abs(f3[u][k] - f4[u][k]); d > tol {
				t.Fatalf("filtered[%d][%d]: K=4 %.16g, K=3 %.16g", u, k, f4[u][k], f3[u][k])
			}
			if d := math.Abs(s3[u][k] - s4[u][k]); d > tol {
				t.Fatalf("smoothed[%d][%d]: K=4 %.16g, K=3 %.16g", u, k, s4[u][k], s3[u][k])
			}
		}
	}
}

// TestEMMonotone checks that plain EM never decreases the log-likelihood.
func TestEMMonotone(t *testing.T) {
	for _, m := range []*Model{benchModel(), studentModel()} {
		obs, _ := m.Sample(1500, 21)
		mean, variance := meanVar(obs)
		var w workspace
		w.reset(len(obs), m.K, m.Emission)
		cur := newModel(m.K, m.Emission)
		s := DefaultFitSettings()
		s.Emission = m.Emission
		randomStart(cur, rngFor(s.Seed), mean, variance)
		prev := math.Inf(-1)
		for it := 0; it < 150; it++ {
			ll := w.estep(cur, obs, mean)
			if ll < prev-1e-10*math.Abs(prev) {
				t.Fatalf("%v iteration %d: loglik decreased from %.12f to %.12f", m.Emission, it, prev, ll)
			}
			prev = ll
			if !w.mstep(cur, mean, 1e-4*variance) {
				t.Fatalf("%v iteration %d: collapsed", m.Emission, it)
			}
			if err := cur.Validate(); err != nil {
				t.Fatalf("%v iteration %d: %v", m.Emission, it, err)
			}
		}
	}
}

// FuzzForward checks that Forward and Smooth return probability vectors for
// arbitrary finite observations, and a log-likelihood that is finite or, for
// observations whose density underflows in every state, -Inf.
func FuzzForward(f *testing.F) {
	enc := func(xs ...float64) []byte {
		b := make([]byte, 8*len(xs))
		for i, x := range xs {
			binary.LittleEndian.PutUint64(b[8*i:], math.Float64bits(x))
		}
		return b
	}
	f.Add(enc(0.5, -1, 2))
	f.Add(enc(1e308, -1e308, 0))
	f.Add(enc(5e-324, 1e-300, -7))
	f.Add([]byte{1, 2, 3})
	models := []*Model{benchModel(), studentModel()}
	f.Fuzz(func(t *testing.T, data []byte) {
		var obs []float64
		for len(data) >= 8 && len(obs) < 512 {
			x := math.Float64frombits(binary.LittleEndian.Uint64(data))
			data = data[8:]
			if math.IsNaN(x) || math.IsInf(x, 0) {
				continue // documented panic
			}
			obs = append(obs, x)
		}
		for _, m := range models {
			filtered, ll := m.Forward(nil, obs)
			if math.IsNaN(ll) || math.IsInf(ll, 1) {
				t.Fatalf("%v loglik = %v, want finite or -Inf", m.Emission, ll)
			}
			checkRows(t, m.Emission.String()+" Forward", filtered)
			checkRows(t, m.Emission.String()+" Smooth", m.Smooth(nil, obs))
		}
	})
}

func rngFor(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, pcgStream)) }
