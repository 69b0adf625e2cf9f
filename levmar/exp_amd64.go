//go:build amd64

package levmar

// useAVX tells whether the AVX2 and FMA kernels of exp_amd64.s may run: the
// processor has AVX, AVX2 and FMA and the operating system saves the YMM
// state.
var useAVX = hasAVXFMA()

func hasAVXFMA() bool {
	maxID, _, _, _ := cpuid(0, 0)
	if maxID < 1 {
		return false
	}
	_, _, ecx, _ := cpuid(1, 0)
	const (
		fma     = 1 << 12
		osxsave = 1 << 27
		avx     = 1 << 28
		avx2    = 1 << 5 // leaf 7, ebx
	)
	if ecx&(fma|osxsave|avx) != fma|osxsave|avx {
		return false
	}
	if xcr0, _ := xgetbv(); xcr0&6 != 6 { // XMM and YMM state
		return false
	}
	if maxID < 7 {
		return false
	}
	_, ebx, _, _ := cpuid(7, 0)
	return ebx&avx2 != 0
}

func cpuid(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)
func xgetbv() (eax, edx uint32)

// The kernels' argument blocks; exp_amd64.s knows their offsets. Pointers
// point at the first element of a vector: y is read as is (its last block
// masked), the others are padded (see expWork); m is the number of elements.

type pointArgs struct {
	y, wv, c0, c1   *float64
	m               int
	th, tl, qh, ql  [4]float64 // the chains of t1 and t1+h1 at the first block
	bh, bl, ch, cl  [4]float64 // their factors (t1^4 and (t1+h1)^4), broadcast
	t0, a0p, h0, h1 [4]float64 // broadcast
	rdSq, zero      [4]float64 // broadcast
	sf, s0, s1      float64    // in: 0, out: Σ wv², Σ c0², Σ c1²
	smallF, smallJ  int        // out: lane bits of small squares of wv, of c0 and c1
}

type qrArgs struct {
	a, b, fv, wv     *float64
	m                int
	aj, rdSq, ag2    float64
	qtf0, bnorm, aj1 float64 // out
	qtf1             float64 // out
	status           int     // out: 0 done, 1 enorm(b[1:]) needed, 2 bnorm is 0
}

// Kernels of exp_amd64.s.

//go:noescape
func pointKernel(a *pointArgs)

//go:noescape
func qrKernel(q *qrArgs)
