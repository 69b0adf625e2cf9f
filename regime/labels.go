package regime

import (
	"fmt"
	"math"
)

// stateSummary is what label matching knows of a state: the mean and the
// standard deviation of the observations it emits.
type stateSummary struct{ mean, sd float64 }

// matchLabels returns the relabelling of a new fit's states that keeps the
// previous fit's labels: perm[j] is the index, among cur, of the state that
// takes label j. It minimises, over all one-to-one assignments, the total
// distance
//
//	Σ_j ((μ_prev(j) - μ_cur(perm[j])) / scale)² + (ln σ_prev(j) - ln σ_cur(perm[j]))²
//
// with scale > 0 the sample standard deviation of the observations, so that
// a state keeps its label when its mean and volatility change little even
// if another state's mean overtakes it ("bull" never silently becomes
// "bear" because the ranging state's mean drifted past it). The assignment
// is solved exactly by assign; when keeping every label (the identity) is
// optimal too, the identity is returned.
func matchLabels(prev, cur []stateSummary, scale float64) []int {
	k := len(prev)
	if len(cur) != k {
		panic(fmt.Sprintf("regime: matching %d states to %d", len(cur), k))
	}
	cost := make([][]float64, k)
	for j, p := range prev {
		cost[j] = make([]float64, k)
		for i, c := range cur {
			dm := (p.mean - c.mean) / scale
			ds := math.Log(p.sd) - math.Log(c.sd)
			cost[j][i] = dm*dm + ds*ds
		}
	}
	perm := assign(cost)
	var best, id float64
	for j := range perm {
		best += cost[j][perm[j]]
		id += cost[j][j]
	}
	if id <= best {
		for j := range perm {
			perm[j] = j
		}
	}
	return perm
}

// assign solves the square assignment problem: it returns the column
// col[i] of each row i that minimises Σ_i cost[i][col[i]] over all
// permutations, by the Hungarian method with row and column potentials
// (Kuhn 1955; Munkres 1957), O(n³). Among optimal assignments the one
// returned is deterministic but otherwise unspecified. cost must be square
// with finite entries.
//
//	H. W. Kuhn (1955). The Hungarian method for the assignment problem.
//	  Naval Research Logistics Quarterly 2.
//	J. Munkres (1957). Algorithms for the assignment and transportation
//	  problems. J. SIAM 5(1).
func assign(cost [][]float64) []int {
	n := len(cost)
	// 1-based arrays; column 0 is the virtual start of each augmenting path.
	u := make([]float64, n+1)
	v := make([]float64, n+1)
	p := make([]int, n+1) // p[j]: row matched to column j (0 = none)
	way := make([]int, n+1)
	minv := make([]float64, n+1)
	used := make([]bool, n+1)
	for i := 1; i <= n; i++ {
		p[0] = i
		j0 := 0
		for j := range minv {
			minv[j] = math.Inf(1)
			used[j] = false
		}
		for {
			used[j0] = true
			i0, delta, j1 := p[j0], math.Inf(1), 0
			for j := 1; j <= n; j++ {
				if used[j] {
					continue
				}
				if c := cost[i0-1][j-1] - u[i0] - v[j]; c < minv[j] {
					minv[j], way[j] = c, j0
				}
				if minv[j] < delta {
					delta, j1 = minv[j], j
				}
			}
			for j := 0; j <= n; j++ {
				if used[j] {
					u[p[j]] += delta
					v[j] -= delta
				} else {
					minv[j] -= delta
				}
			}
			j0 = j1
			if p[j0] == 0 {
				break
			}
		}
		for j0 != 0 {
			j1 := way[j0]
			p[j0] = p[j1]
			j0 = j1
		}
	}
	col := make([]int, n)
	for j := 1; j <= n; j++ {
		col[p[j]-1] = j - 1
	}
	return col
}
