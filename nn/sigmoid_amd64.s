//go:build amd64 && !noasm

#include "textflag.h"

// func sigmoidAVX2(n int, x, y, d *float32, c *[sigmoidConsts][4]uint64)
//
// For n (a multiple of 4) float32 elements: y = σ(x) = 1/(1+e) with
// e = exp(clamp(−x, −104, 104)) and, if d != nil, d = e·σ·σ, 4 lanes at a time
// in float64. Every operation is the one sigmoidF32Scalar performs, in the
// same order and without fused multiply-adds, so the results are bit for bit
// the scalar ones. The table c holds the constants, each broadcast to 4 lanes
// (see sigmoidTable).
TEXT ·sigmoidAVX2(SB), NOSPLIT, $0-40
	MOVQ n+0(FP), CX
	MOVQ x+8(FP), SI
	MOVQ y+16(FP), DI
	MOVQ d+24(FP), DX
	MOVQ c+32(FP), R8

sigmoid_loop:
	TESTQ CX, CX
	JZ    sigmoid_done

	// arg = min(max(−x, −104), 104); the data is the second source of the
	// Intel instruction so that a NaN passes through, as Go's min and max.
	VCVTPS2PD (SI), Y1
	VXORPD    0(R8), Y1, Y1
	VMOVUPD   32(R8), Y2
	VMAXPD    Y1, Y2, Y1
	VMOVUPD   64(R8), Y3
	VMINPD    Y1, Y3, Y1

	// sh = arg·log₂e + 1.5·2⁵²; n = sh − 1.5·2⁵²; r = arg − n·ln2hi − n·ln2lo
	VMULPD 96(R8), Y1, Y4
	VADDPD 128(R8), Y4, Y4
	VSUBPD 128(R8), Y4, Y5
	VMULPD 160(R8), Y5, Y6
	VSUBPD Y6, Y1, Y6
	VMULPD 192(R8), Y5, Y7
	VSUBPD Y7, Y6, Y6

	// p = 1 + r(1 + r(1/2 + r(1/6 + r(1/24 + r(1/120 + r(1/720 + r/5040))))))
	VMULPD 224(R8), Y6, Y7
	VADDPD 256(R8), Y7, Y7
	VMULPD Y6, Y7, Y7
	VADDPD 288(R8), Y7, Y7
	VMULPD Y6, Y7, Y7
	VADDPD 320(R8), Y7, Y7
	VMULPD Y6, Y7, Y7
	VADDPD 352(R8), Y7, Y7
	VMULPD Y6, Y7, Y7
	VADDPD 384(R8), Y7, Y7
	VMULPD Y6, Y7, Y7
	VADDPD 416(R8), Y7, Y7
	VMULPD Y6, Y7, Y7
	VADDPD 416(R8), Y7, Y7

	// e = p·2ⁿ, the exponent built from the low bits of sh: bits(sh) −
	// bits(1.5·2⁵²) = n.
	VPSUBQ  128(R8), Y4, Y8
	VPADDQ  448(R8), Y8, Y8
	VPSLLQ  $52, Y8, Y8
	VMULPD  Y8, Y7, Y9

	// σ = 1/(1 + e), stored as float32
	VADDPD     416(R8), Y9, Y10
	VMOVUPD    416(R8), Y11
	VDIVPD     Y10, Y11, Y11
	VCVTPD2PSY Y11, X12
	VMOVUPS    X12, (DI)

	TESTQ DX, DX
	JZ    sigmoid_next

	// σ' = (e·σ)·σ, stored as float32
	VMULPD     Y11, Y9, Y13
	VMULPD     Y11, Y13, Y13
	VCVTPD2PSY Y13, X13
	VMOVUPS    X13, (DX)
	ADDQ       $16, DX

sigmoid_next:
	ADDQ $16, SI
	ADDQ $16, DI
	SUBQ $4, CX
	JMP  sigmoid_loop

sigmoid_done:
	VZEROUPPER
	RET
