//go:build amd64

package levmar

import (
	"testing"
	"unsafe"
)

// TestKernelArgOffsets checks the argument block offsets that exp_amd64.s
// hard-codes.
func TestKernelArgOffsets(t *testing.T) {
	var p pointArgs
	var q qrArgs
	for _, c := range []struct {
		name      string
		got, want uintptr
	}{
		{"PA_Y", unsafe.Offsetof(p.y), 0},
		{"PA_WV", unsafe.Offsetof(p.wv), 8},
		{"PA_C0", unsafe.Offsetof(p.c0), 16},
		{"PA_C1", unsafe.Offsetof(p.c1), 24},
		{"PA_M", unsafe.Offsetof(p.m), 32},
		{"PA_TH", unsafe.Offsetof(p.th), 40},
		{"PA_TL", unsafe.Offsetof(p.tl), 72},
		{"PA_QH", unsafe.Offsetof(p.qh), 104},
		{"PA_QL", unsafe.Offsetof(p.ql), 136},
		{"PA_BH", unsafe.Offsetof(p.bh), 168},
		{"PA_BL", unsafe.Offsetof(p.bl), 200},
		{"PA_CH", unsafe.Offsetof(p.ch), 232},
		{"PA_CL", unsafe.Offsetof(p.cl), 264},
		{"PA_T0", unsafe.Offsetof(p.t0), 296},
		{"PA_A0P", unsafe.Offsetof(p.a0p), 328},
		{"PA_H0", unsafe.Offsetof(p.h0), 360},
		{"PA_H1", unsafe.Offsetof(p.h1), 392},
		{"PA_RDSQ", unsafe.Offsetof(p.rdSq), 424},
		{"PA_ZERO", unsafe.Offsetof(p.zero), 456},
		{"PA_SF", unsafe.Offsetof(p.sf), 488},
		{"PA_S0", unsafe.Offsetof(p.s0), 496},
		{"PA_S1", unsafe.Offsetof(p.s1), 504},
		{"PA_SMALLF", unsafe.Offsetof(p.smallF), 512},
		{"PA_SMALLJ", unsafe.Offsetof(p.smallJ), 520},
		{"QR_A", unsafe.Offsetof(q.a), 0},
		{"QR_B", unsafe.Offsetof(q.b), 8},
		{"QR_FV", unsafe.Offsetof(q.fv), 16},
		{"QR_WV", unsafe.Offsetof(q.wv), 24},
		{"QR_M", unsafe.Offsetof(q.m), 32},
		{"QR_AJ", unsafe.Offsetof(q.aj), 40},
		{"QR_RDSQ", unsafe.Offsetof(q.rdSq), 48},
		{"QR_AG2", unsafe.Offsetof(q.ag2), 56},
		{"QR_QTF0", unsafe.Offsetof(q.qtf0), 64},
		{"QR_BNORM", unsafe.Offsetof(q.bnorm), 72},
		{"QR_AJ1", unsafe.Offsetof(q.aj1), 80},
		{"QR_QTF1", unsafe.Offsetof(q.qtf1), 88},
		{"QR_STATUS", unsafe.Offsetof(q.status), 96},
	} {
		if c.got != c.want {
			t.Errorf("%s: field at %d, exp_amd64.s uses %d", c.name, c.got, c.want)
		}
	}
}
