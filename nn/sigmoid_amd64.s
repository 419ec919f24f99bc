//go:build amd64 && !noasm

#include "textflag.h"

// func sigmoidAVX2(n int, x, y, d *float32, c *[sigmoidConsts][8]uint32)
//
// For n (a multiple of 8) float32 elements: y = σ(x) = 1/(1+e) with
// e = exp(clamp(−x, −87, 87)) and, if d != nil, d = (e·σ)·σ, 8 lanes at a
// time in float32. Every operation is the one sigmoidF32Scalar performs, in
// the same order and without fused multiply-adds, so the results are bit for
// bit the scalar ones. The table c holds the constants, each broadcast to 8
// lanes (see sigmoidTable).
TEXT ·sigmoidAVX2(SB), NOSPLIT, $0-40
	MOVQ n+0(FP), CX
	MOVQ x+8(FP), SI
	MOVQ y+16(FP), DI
	MOVQ d+24(FP), DX
	MOVQ c+32(FP), R8

sigmoid_loop:
	TESTQ CX, CX
	JZ    sigmoid_done

	// arg = min(max(−x, −87), 87); the data is the second source of the
	// Intel instruction so that a NaN passes through, as Go's min and max.
	VMOVUPS (SI), Y1
	VXORPS  0(R8), Y1, Y1
	VMOVUPS 32(R8), Y2
	VMAXPS  Y1, Y2, Y1
	VMOVUPS 64(R8), Y3
	VMINPS  Y1, Y3, Y1

	// sh = arg·log₂e + 1.5·2²³; n = sh − 1.5·2²³; r = arg − n·ln2hi − n·ln2lo
	VMULPS 96(R8), Y1, Y4
	VADDPS 128(R8), Y4, Y4
	VSUBPS 128(R8), Y4, Y5
	VMULPS 160(R8), Y5, Y6
	VSUBPS Y6, Y1, Y6
	VMULPS 192(R8), Y5, Y7
	VSUBPS Y7, Y6, Y6

	// p = 1 + r(1 + r(1/2 + r(1/6 + r(1/24 + r(1/120 + r(1/720 + r/5040))))))
	VMULPS 224(R8), Y6, Y7
	VADDPS 256(R8), Y7, Y7
	VMULPS Y6, Y7, Y7
	VADDPS 288(R8), Y7, Y7
	VMULPS Y6, Y7, Y7
	VADDPS 320(R8), Y7, Y7
	VMULPS Y6, Y7, Y7
	VADDPS 352(R8), Y7, Y7
	VMULPS Y6, Y7, Y7
	VADDPS 384(R8), Y7, Y7
	VMULPS Y6, Y7, Y7
	VADDPS 416(R8), Y7, Y7
	VMULPS Y6, Y7, Y7
	VADDPS 416(R8), Y7, Y7

	// e = p·2ⁿ, the exponent built from the low bits of sh: bits(sh) −
	// bits(1.5·2²³) = n.
	VPSUBD  128(R8), Y4, Y8
	VPADDD  448(R8), Y8, Y8
	VPSLLD  $23, Y8, Y8
	VMULPS  Y8, Y7, Y9

	// σ = 1/(1 + e)
	VADDPS  416(R8), Y9, Y10
	VMOVUPS 416(R8), Y11
	VDIVPS  Y10, Y11, Y11
	VMOVUPS Y11, (DI)

	TESTQ DX, DX
	JZ    sigmoid_next

	// σ' = (e·σ)·σ
	VMULPS  Y11, Y9, Y13
	VMULPS  Y11, Y13, Y13
	VMOVUPS Y13, (DX)
	ADDQ    $32, DX

sigmoid_next:
	ADDQ $32, SI
	ADDQ $32, DI
	SUBQ $8, CX
	JMP  sigmoid_loop

sigmoid_done:
	VZEROUPPER
	RET
