//go:build amd64 && !noasm

#include "textflag.h"

// func adamAVX2(n int, m, v, w, grad *float32, c *adamConsts)
//
// For n (a multiple of 8) float32 elements, as adamStep.scalar with decoupled decay:
//
//	m = b1·m + c1·g;  v = b2·v + (c2·g)·g;  m, v flushed to 0 below tiny in magnitude
//	w = w·decay − (stepSize·m)/(√v·invSqrtBC2 + eps)
//
// The constants c are 9 float32 values: b1, c1, b2, c2, tiny, invSqrtBC2, eps,
// stepSize, decay.
TEXT ·adamAVX2(SB), NOSPLIT, $0-48
	MOVQ n+0(FP), CX
	MOVQ m+8(FP), SI
	MOVQ v+16(FP), DI
	MOVQ w+24(FP), DX
	MOVQ grad+32(FP), BX
	MOVQ c+40(FP), R8

	VBROADCASTSS 0(R8), Y0  // b1
	VBROADCASTSS 4(R8), Y1  // c1
	VBROADCASTSS 8(R8), Y2  // b2
	VBROADCASTSS 12(R8), Y3 // c2
	VBROADCASTSS 16(R8), Y4 // tiny
	VBROADCASTSS 20(R8), Y5 // invSqrtBC2
	VBROADCASTSS 24(R8), Y6 // eps
	VBROADCASTSS 28(R8), Y7 // stepSize
	VBROADCASTSS 32(R8), Y8 // decay
	VPCMPEQD     Y9, Y9, Y9
	VPSRLD       $1, Y9, Y9 // 0x7fffffff: clears the sign bit

adam_loop:
	TESTQ CX, CX
	JZ    adam_done

	VMOVUPS (BX), Y10 // g

	// m = b1·m + c1·g, flushed when |m| < tiny
	VMULPS  (SI), Y0, Y11
	VMULPS  Y10, Y1, Y12
	VADDPS  Y12, Y11, Y11
	VANDPS  Y9, Y11, Y13
	VCMPPS  $1, Y4, Y13, Y13 // |m| < tiny (ordered: NaN stays)
	VANDNPS Y11, Y13, Y11
	VMOVUPS Y11, (SI)

	// v = b2·v + (c2·g)·g, flushed when v < tiny
	VMULPS  (DI), Y2, Y12
	VMULPS  Y10, Y3, Y13
	VMULPS  Y10, Y13, Y13
	VADDPS  Y13, Y12, Y12
	VCMPPS  $1, Y4, Y12, Y13
	VANDNPS Y12, Y13, Y12
	VMOVUPS Y12, (DI)

	// w = w·decay − (stepSize·m)/(√v·invSqrtBC2 + eps)
	VSQRTPS Y12, Y13
	VMULPS  Y5, Y13, Y13
	VADDPS  Y6, Y13, Y13
	VMULPS  Y7, Y11, Y14
	VDIVPS  Y13, Y14, Y14
	VMULPS  (DX), Y8, Y15
	VSUBPS  Y14, Y15, Y15
	VMOVUPS Y15, (DX)

	ADDQ $32, SI
	ADDQ $32, DI
	ADDQ $32, DX
	ADDQ $32, BX
	SUBQ $8, CX
	JMP  adam_loop

adam_done:
	VZEROUPPER
	RET
