//go:build amd64

#include "textflag.h"

// AVX2+FMA kernels of FitExponential's solver (see expvec.go and
// exp_amd64.go). Each one works on blocks of four consecutive elements with
// packed operations, which round exactly like the scalar ones, and
// accumulates its sums one element at a time, in element order, with scalar
// additions, as the Go code does. A last, partial block is computed whole,
// in the padding of the workspace vectors (see expWork), with y read masked;
// only its first r lanes (r = n mod 4) are added to the sums and tested.

// DDMUL advances four double-double chains (hi H, lo L) by the factor
// (bh BH, bl BL), as ddMul does: ph = H*BH, pl = fma(H, BH, -ph) + (H*BL +
// L*BH), H = ph + pl, L = pl - (H - ph). T1..T4 are scratch.
#define DDMUL(H, L, BH, BL, T1, T2, T3, T4) \
	VMULPD BH, H, T1 \
	VMOVAPD T1, T2 \
	VFMSUB231PD BH, H, T2 \
	VMULPD BL, H, T3 \
	VMULPD BH, L, T4 \
	VADDPD T4, T3, T3 \
	VADDPD T3, T2, T2 \
	VADDPD T2, T1, H \
	VSUBPD T1, H, T3 \
	VSUBPD T3, T2, L

// SUM4 adds the four lanes of Y (X its low half) to the scalar S in lane
// order. T is scratch.
#define SUM4(Y, X, S, T) \
	VADDSD X, S, S \
	VPERMILPD $1, X, T \
	VADDSD T, S, S \
	VEXTRACTF128 $1, Y, T \
	VADDSD T, S, S \
	VPERMILPD $1, T, T \
	VADDSD T, S, S

// SUM3 adds lanes 0..2 of Y to S, SUM2 lanes 0..1 (for partial blocks).
#define SUM3(Y, X, S, T) \
	VADDSD X, S, S \
	VPERMILPD $1, X, T \
	VADDSD T, S, S \
	VEXTRACTF128 $1, Y, T \
	VADDSD T, S, S

#define SUM2(X, S, T) \
	VADDSD X, S, S \
	VPERMILPD $1, X, T \
	VADDSD T, S, S

// SMALL sets the bits of R for the lanes where Q <= RD (rdwarfSq) and
// V != 0. Z must hold zeros; T and U are scratch.
#define SMALL(Q, V, RD, Z, T, U, R) \
	VCMPPD $2, RD, Q, T \
	VCMPPD $4, Z, V, U \
	VANDPD U, T, T \
	VMOVMSKPD T, R

// func cpuid(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)
TEXT ·cpuid(SB), NOSPLIT, $0-24
	MOVL eaxArg+0(FP), AX
	MOVL ecxArg+4(FP), CX
	CPUID
	MOVL AX, eax+8(FP)
	MOVL BX, ebx+12(FP)
	MOVL CX, ecx+16(FP)
	MOVL DX, edx+20(FP)
	RET

// func xgetbv() (eax, edx uint32)
TEXT ·xgetbv(SB), NOSPLIT, $0-8
	MOVL $0, CX
	XGETBV
	MOVL AX, eax+0(FP)
	MOVL DX, edx+4(FP)
	RET

// pointArgs offsets.
#define PA_Y 0
#define PA_WV 8
#define PA_C0 16
#define PA_C1 24
#define PA_M 32
#define PA_TH 40
#define PA_TL 72
#define PA_QH 104
#define PA_QL 136
#define PA_BH 168
#define PA_BL 200
#define PA_CH 232
#define PA_CL 264
#define PA_T0 296
#define PA_A0P 328
#define PA_H0 360
#define PA_H1 392
#define PA_RDSQ 424
#define PA_ZERO 456
#define PA_SF 488
#define PA_S0 496
#define PA_S1 504
#define PA_SMALLF 512
#define PA_SMALLJ 520

// maskTab row r (r = 0..3) has the sign bit set in its first r lanes.
DATA maskTab<>+0(SB)/8, $0
DATA maskTab<>+8(SB)/8, $0
DATA maskTab<>+16(SB)/8, $0
DATA maskTab<>+24(SB)/8, $0
DATA maskTab<>+32(SB)/8, $0x8000000000000000
DATA maskTab<>+40(SB)/8, $0
DATA maskTab<>+48(SB)/8, $0
DATA maskTab<>+56(SB)/8, $0
DATA maskTab<>+64(SB)/8, $0x8000000000000000
DATA maskTab<>+72(SB)/8, $0x8000000000000000
DATA maskTab<>+80(SB)/8, $0
DATA maskTab<>+88(SB)/8, $0
DATA maskTab<>+96(SB)/8, $0x8000000000000000
DATA maskTab<>+104(SB)/8, $0x8000000000000000
DATA maskTab<>+112(SB)/8, $0x8000000000000000
DATA maskTab<>+120(SB)/8, $0
GLOBL maskTab<>(SB), RODATA|NOPTR, $128

// func pointKernel(a *pointArgs)
//
// For each block, with T and Q the powers of t1 and of b1 = t1+h1 for the
// block: wv = t0*T - y, c0 = (a0p*T - y - wv)/h0,
// c1 = (t0*Q - y - wv)/h1, sf += wv², s0 += c0², s1 += c1²; then both
// chains advance a block. The broadcast constants are read from memory.
TEXT ·pointKernel(SB), NOSPLIT, $0-8
	MOVQ a+0(FP), AX
	MOVQ PA_Y(AX), SI
	MOVQ PA_WV(AX), R8
	MOVQ PA_C0(AX), R9
	MOVQ PA_C1(AX), R14
	MOVQ PA_M(AX), CX
	XORQ DX, DX
	XORQ R10, R10
	XORQ BX, BX
	VMOVUPD PA_TH(AX), Y0
	VMOVUPD PA_TL(AX), Y1
	VMOVUPD PA_QH(AX), Y2
	VMOVUPD PA_QL(AX), Y3
	VMOVSD PA_SF(AX), X12
	VMOVSD PA_S0(AX), X13
	VMOVSD PA_S1(AX), X14

pointLoop:
	MOVQ CX, R11
	SUBQ DX, R11
	JLE pointDone
	// y, masked in a partial last block (y is not padded).
	CMPQ R11, $4
	JLT pointMaskY
	VMOVUPD (SI)(DX*8), Y10

pointHaveY:
	// wv = t0*T - y
	VMULPD PA_T0(AX), Y0, Y4
	VSUBPD Y10, Y4, Y4
	VMOVUPD Y4, (R8)(DX*8)
	// c0 = (a0p*T - y - wv)/h0
	VMULPD PA_A0P(AX), Y0, Y5
	VSUBPD Y10, Y5, Y5
	VSUBPD Y4, Y5, Y5
	VDIVPD PA_H0(AX), Y5, Y5
	VMOVUPD Y5, (R9)(DX*8)
	// c1 = (t0*Q - y - wv)/h1
	VMULPD PA_T0(AX), Y2, Y6
	VSUBPD Y10, Y6, Y6
	VSUBPD Y4, Y6, Y6
	VDIVPD PA_H1(AX), Y6, Y6
	VMOVUPD Y6, (R14)(DX*8)
	// Squares, and a quick test for small ones: the exact test (the square
	// at most rdwarfSq and the element not 0) runs only if some square is
	// at most rdwarfSq.
	VMULPD Y4, Y4, Y7
	VMULPD Y5, Y5, Y8
	VMULPD Y6, Y6, Y9
	// A square at most rdwarfSq is finite, and then so are y and t0*T in
	// its lane, so that none of the lane's three squares is NaN: their
	// minimum catches it, whichever operand VMINPD returns for a NaN.
	VMINPD Y8, Y7, Y10
	VMINPD Y9, Y10, Y10
	VCMPPD $2, PA_RDSQ(AX), Y10, Y10
	VMOVMSKPD Y10, R12
	TESTQ R12, R12
	JNE pointSmall

pointSums:
	CMPQ R11, $4
	JLT pointPart
	SUM4(Y7, X7, X12, X15)
	SUM4(Y8, X8, X13, X10)
	SUM4(Y9, X9, X14, X11)
	DDMUL(Y0, Y1, PA_BH(AX), PA_BL(AX), Y4, Y5, Y6, Y15)
	DDMUL(Y2, Y3, PA_CH(AX), PA_CL(AX), Y4, Y5, Y6, Y15)
	ADDQ $4, DX
	JMP pointLoop

pointSmall:
	// Some square is at most rdwarfSq: the exact test, for the lanes in
	// range. X12..X14 hold the sums.
	VCMPPD $2, PA_RDSQ(AX), Y7, Y10
	VCMPPD $4, PA_ZERO(AX), Y4, Y11
	VANDPD Y11, Y10, Y10
	VMOVMSKPD Y10, R12
	VCMPPD $2, PA_RDSQ(AX), Y8, Y10
	VCMPPD $4, PA_ZERO(AX), Y5, Y11
	VANDPD Y11, Y10, Y10
	VCMPPD $2, PA_RDSQ(AX), Y9, Y11
	VCMPPD $4, PA_ZERO(AX), Y6, Y15
	VANDPD Y15, Y11, Y11
	VORPD Y11, Y10, Y10
	VMOVMSKPD Y10, R13
	CMPQ R11, $4
	JGE pointSmallAll
	MOVQ $1, SI
	MOVQ R11, CX
	SHLQ CX, SI
	DECQ SI
	ANDQ SI, R12
	ANDQ SI, R13
	MOVQ PA_Y(AX), SI
	MOVQ PA_M(AX), CX

pointSmallAll:
	ORQ R12, R10
	ORQ R13, BX
	JMP pointSums

pointMaskY:
	// R11 in 1..3: load the first R11 lanes of y, zeros in the others.
	LEAQ maskTab<>(SB), R12
	MOVQ R11, R13
	SHLQ $5, R13
	VMOVUPD (R12)(R13*1), Y11
	VMASKMOVPD (SI)(DX*8), Y11, Y10
	JMP pointHaveY

pointPart:
	CMPQ R11, $2
	JLT pointPart1
	JEQ pointPart2
	SUM3(Y7, X7, X12, X15)
	SUM3(Y8, X8, X13, X10)
	SUM3(Y9, X9, X14, X11)
	JMP pointDone

pointPart2:
	SUM2(X7, X12, X15)
	SUM2(X8, X13, X10)
	SUM2(X9, X14, X11)
	JMP pointDone

pointPart1:
	VADDSD X7, X12, X12
	VADDSD X8, X13, X13
	VADDSD X9, X14, X14

pointDone:
	VMOVSD X12, PA_SF(AX)
	VMOVSD X13, PA_S0(AX)
	VMOVSD X14, PA_S1(AX)
	MOVQ R10, PA_SMALLF(AX)
	MOVQ BX, PA_SMALLJ(AX)
	VZEROUPPER
	RET

// qrArgs offsets.
#define QR_A 0
#define QR_B 8
#define QR_FV 16
#define QR_WV 24
#define QR_M 32
#define QR_AJ 40
#define QR_RDSQ 48
#define QR_AG2 56
#define QR_QTF0 64
#define QR_BNORM 72
#define QR_AJ1 80
#define QR_QTF1 88
#define QR_STATUS 96

DATA qrOne<>+0(SB)/8, $1.0
GLOBL qrOne<>(SB), RODATA|NOPTR, $8
DATA qrSign<>+0(SB)/8, $0x8000000000000000
DATA qrSign<>+8(SB)/8, $0x8000000000000000
GLOBL qrSign<>(SB), RODATA|NOPTR, $16

// func qrKernel(q *qrArgs)
//
// householder followed by qtSecond (see expvec.go), for ajnorm != 0:
//
//	a0 = a[0]/aj + 1; a[0] = a0; sab = 0 + a0*b[0]; saf = 0 + a0*fv[0]
//	for i >= 1: a[i] /= aj; sab += a[i]*b[i]; saf += a[i]*fv[i]
//	temp = sab/a0; t = -saf/a0
//	for i >= 0: b[i] -= temp*a[i]; wv[i] = fv[i] + a[i]*t
//	s2 = Σ_{i>=1} b[i]²; bnorm = sqrt(s2) (status 1 and return if enorm
//	would not take the plain sum; status 2 and return if bnorm is 0)
//	aj1 = ±bnorm with the sign of b[1]; b1 = b[1]/aj1 + 1
//	sum = 0 + b1*wv[1]; for i >= 2: sum += (b[i]/aj1)*wv[i]
//	qtf1 = wv[1] + b1*(-sum/b1)
//
// a0 cannot be 0 (it is at least 1, or NaN), nor can b1.
TEXT ·qrKernel(SB), NOSPLIT, $0-8
	MOVQ q+0(FP), AX
	MOVQ QR_A(AX), DI
	MOVQ QR_B(AX), SI
	MOVQ QR_FV(AX), R8
	MOVQ QR_WV(AX), R9
	MOVQ QR_M(AX), CX
	DECQ CX
	VBROADCASTSD QR_AJ(AX), Y4
	VMOVSD (DI), X0
	VDIVSD X4, X0, X0
	VADDSD qrOne<>(SB), X0, X0
	VMOVSD X0, (DI)
	VXORPD X14, X14, X14
	VXORPD X15, X15, X15
	VMULSD (SI), X0, X1
	VADDSD X1, X14, X14
	VMULSD (R8), X0, X1
	VADDSD X1, X15, X15
	XORQ DX, DX

qrLoop1:
	// Over a[1:], b[1:], fv[1:]: DX indexes from element 1.
	MOVQ CX, R11
	SUBQ DX, R11
	JLE qrDone1
	VMOVUPD 8(DI)(DX*8), Y1
	VDIVPD Y4, Y1, Y1
	VMOVUPD Y1, 8(DI)(DX*8)
	VMULPD 8(SI)(DX*8), Y1, Y2
	VMULPD 8(R8)(DX*8), Y1, Y3
	CMPQ R11, $4
	JLT qrPart1
	SUM4(Y2, X2, X14, X5)
	SUM4(Y3, X3, X15, X6)
	ADDQ $4, DX
	JMP qrLoop1

qrPart1:
	CMPQ R11, $2
	JLT qrPart11
	JEQ qrPart12
	SUM3(Y2, X2, X14, X5)
	SUM3(Y3, X3, X15, X6)
	JMP qrDone1

qrPart12:
	SUM2(X2, X14, X5)
	SUM2(X3, X15, X6)
	JMP qrDone1

qrPart11:
	VADDSD X2, X14, X14
	VADDSD X3, X15, X15

qrDone1:
	// temp = sab/a0 (Y4), t = -saf/a0 (Y5); element 0 of b and wv.
	VDIVSD X0, X14, X4
	VXORPD qrSign<>(SB), X15, X5
	VDIVSD X0, X5, X5
	VMOVSD (SI), X1
	VMULSD X0, X4, X2
	VSUBSD X2, X1, X1
	VMOVSD X1, (SI)
	VMULSD X5, X0, X2
	VADDSD (R8), X2, X2
	VMOVSD X2, (R9)
	VMOVSD X2, QR_QTF0(AX)
	VBROADCASTSD X4, Y4
	VBROADCASTSD X5, Y5
	VBROADCASTSD QR_RDSQ(AX), Y9
	VXORPD Y8, Y8, Y8
	VXORPD X15, X15, X15
	XORQ R10, R10
	XORQ DX, DX

qrLoop2:
	MOVQ CX, R11
	SUBQ DX, R11
	JLE qrDone2
	VMOVUPD 8(DI)(DX*8), Y0
	VMULPD Y0, Y4, Y1
	VMOVUPD 8(SI)(DX*8), Y2
	VSUBPD Y1, Y2, Y2
	VMOVUPD Y2, 8(SI)(DX*8)
	VMULPD Y5, Y0, Y3
	VADDPD 8(R8)(DX*8), Y3, Y3
	VMOVUPD Y3, 8(R9)(DX*8)
	VMULPD Y2, Y2, Y10
	SMALL(Y10, Y2, Y9, Y8, Y12, Y13, R12)
	CMPQ R11, $4
	JLT qrPart2
	ORQ R12, R10
	SUM4(Y10, X10, X15, X12)
	ADDQ $4, DX
	JMP qrLoop2

qrPart2:
	MOVQ $1, BX
	MOVQ CX, R13
	MOVQ R11, CX
	SHLQ CX, BX
	MOVQ R13, CX
	DECQ BX
	ANDQ BX, R12
	ORQ R12, R10
	CMPQ R11, $2
	JLT qrPart21
	JEQ qrPart22
	SUM3(Y10, X10, X15, X12)
	JMP qrDone2

qrPart22:
	SUM2(X10, X15, X12)
	JMP qrDone2

qrPart21:
	VADDSD X10, X15, X15

qrDone2:
	// bnorm = sqrt(s2) if enorm takes the plain sum.
	MOVQ $1, QR_STATUS(AX)
	TESTQ R10, R10
	JNE qrExit
	VMOVSD QR_AG2(AX), X1
	VUCOMISD X15, X1
	JBE qrExit // unless ag2 > s2 (also when s2 is NaN)
	VSQRTSD X15, X15, X1
	VMOVSD X1, QR_BNORM(AX)
	MOVQ $2, QR_STATUS(AX)
	VXORPD X2, X2, X2
	VUCOMISD X2, X1
	JE qrExit
	// aj1 = -bnorm if b[1] < 0.
	VMOVSD 8(SI), X3
	VUCOMISD X3, X2 // 0 > b[1] ?
	JBE qrPositive
	VXORPD qrSign<>(SB), X1, X1

qrPositive:
	VMOVSD X1, QR_AJ1(AX)
	// b1 = b[1]/aj1 + 1; sum = 0 + b1*wv[1].
	VDIVSD X1, X3, X3
	VADDSD qrOne<>(SB), X3, X3
	VXORPD X15, X15, X15
	VMULSD 8(R9), X3, X6
	VADDSD X6, X15, X15
	VBROADCASTSD X1, Y4
	DECQ CX
	XORQ DX, DX

qrLoop3:
	// Over b[2:], wv[2:].
	MOVQ CX, R11
	SUBQ DX, R11
	JLE qrDone3
	VMOVUPD 16(SI)(DX*8), Y0
	VDIVPD Y4, Y0, Y0
	VMULPD 16(R9)(DX*8), Y0, Y1
	CMPQ R11, $4
	JLT qrPart3
	SUM4(Y1, X1, X15, X7)
	ADDQ $4, DX
	JMP qrLoop3

qrPart3:
	CMPQ R11, $2
	JLT qrPart31
	JEQ qrPart32
	SUM3(Y1, X1, X15, X7)
	JMP qrDone3

qrPart32:
	SUM2(X1, X15, X7)
	JMP qrDone3

qrPart31:
	VADDSD X1, X15, X15

qrDone3:
	// qtf1 = wv[1] + b1*(-sum/b1).
	VXORPD qrSign<>(SB), X15, X15
	VDIVSD X3, X15, X15
	VMULSD X15, X3, X15
	VADDSD 8(R9), X15, X15
	VMOVSD X15, QR_QTF1(AX)
	MOVQ $0, QR_STATUS(AX)

qrExit:
	VZEROUPPER
	RET

