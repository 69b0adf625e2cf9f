//go:build !amd64

package levmar

// useAVX is false: the vector kernels exist on amd64 only.
var useAVX = false

type pointArgs struct {
	y, wv, c0, c1   *float64
	m               int
	th, tl, qh, ql  [4]float64
	bh, bl, ch, cl  [4]float64
	t0, a0p, h0, h1 [4]float64
	rdSq, zero      [4]float64
	sf, s0, s1      float64
	smallF, smallJ  int
}

type qrArgs struct {
	a, b, fv, wv     *float64
	m                int
	aj, rdSq, ag2    float64
	qtf0, bnorm, aj1 float64
	qtf1             float64
	status           int
}

func pointKernel(*pointArgs) { panic("levmar: no vector kernels") }
func qrKernel(*qrArgs)       { panic("levmar: no vector kernels") }
