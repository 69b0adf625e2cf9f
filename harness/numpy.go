package harness

import "math"

// PairwiseSum returns the sum of x as numpy's add.reduce computes it for a
// contiguous float64 array: blocks of at most 128 elements are summed with
// eight interleaved accumulators, and longer arrays are split in two halves
// (the first a multiple of 8 long) summed recursively. Its result can differ
// from a sequential sum in the last bits; the reference's sums, means and
// standard deviations use it.
func PairwiseSum(x []float64) float64 {
	n := len(x)
	switch {
	case n < 8:
		s := 0.0
		for _, v := range x {
			s += v
		}
		return s
	case n <= 128:
		var r [8]float64
		copy(r[:], x[:8])
		i := 8
		for ; i < n-n%8; i += 8 {
			r[0] += x[i]
			r[1] += x[i+1]
			r[2] += x[i+2]
			r[3] += x[i+3]
			r[4] += x[i+4]
			r[5] += x[i+5]
			r[6] += x[i+6]
			r[7] += x[i+7]
		}
		s := ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
		for ; i < n; i++ {
			s += x[i]
		}
		return s
	}
	n2 := n / 2
	n2 -= n2 % 8
	return PairwiseSum(x[:n2]) + PairwiseSum(x[n2:])
}

// Mean is numpy's mean: PairwiseSum(x) / len(x).
func Mean(x []float64) float64 { return PairwiseSum(x) / float64(len(x)) }

// StdPop is numpy's std with ddof 0:
//
//	sqrt(PairwiseSum((x - mean)²) / n)
//
// scratch, if long enough, holds the squared deviations; otherwise one slice
// is allocated.
func StdPop(x, scratch []float64) float64 {
	m := Mean(x)
	if cap(scratch) < len(x) {
		scratch = make([]float64, len(x))
	}
	d := scratch[:len(x)]
	for i, v := range x {
		d[i] = (v - m) * (v - m)
	}
	return math.Sqrt(PairwiseSum(d) / float64(len(x)))
}
