//go:build amd64 && !noasm

#include "textflag.h"

// func reluFwdAVX2(n int, y, x *float32)
// y = x & ^(x >> 31 arithmetic): lanes with the sign bit set become +0.
TEXT ·reluFwdAVX2(SB), NOSPLIT, $0-24
	MOVQ n+0(FP), CX
	MOVQ y+8(FP), DI
	MOVQ x+16(FP), SI

relufwd_loop:
	TESTQ CX, CX
	JZ    relufwd_done
	VMOVDQU (SI), Y0
	VPSRAD  $31, Y0, Y1
	VPANDN  Y0, Y1, Y0
	VMOVDQU Y0, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DI
	SUBQ    $8, CX
	JMP     relufwd_loop

relufwd_done:
	VZEROUPPER
	RET

// func reluBwdAVX2(n int, gx, grad, y *float32)
// gx += g & ((−bits(y)) >> 31 arithmetic), i.e. g where y > 0.
TEXT ·reluBwdAVX2(SB), NOSPLIT, $0-32
	MOVQ   n+0(FP), CX
	MOVQ   gx+8(FP), DI
	MOVQ   grad+16(FP), SI
	MOVQ   y+24(FP), DX
	VPXOR  Y3, Y3, Y3

relubwd_loop:
	TESTQ   CX, CX
	JZ      relubwd_done
	VMOVDQU (DX), Y0
	VPSUBD  Y0, Y3, Y0
	VPSRAD  $31, Y0, Y0
	VPAND   (SI), Y0, Y0
	VADDPS  (DI), Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DI
	ADDQ    $32, DX
	SUBQ    $8, CX
	JMP     relubwd_loop

relubwd_done:
	VZEROUPPER
	RET

// func mulAVX2(n int, dst, a, b *float32)
// dst = a·b.
TEXT ·mulAVX2(SB), NOSPLIT, $0-32
	MOVQ n+0(FP), CX
	MOVQ dst+8(FP), DI
	MOVQ a+16(FP), SI
	MOVQ b+24(FP), DX

mul_loop:
	TESTQ   CX, CX
	JZ      mul_done
	VMOVUPS (SI), Y0
	VMULPS  (DX), Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DI
	ADDQ    $32, DX
	SUBQ    $8, CX
	JMP     mul_loop

mul_done:
	VZEROUPPER
	RET

// func swishBwdXAVX2(n int, gx, grad, s, ds, x, beta *float32)
// gx += g·(s + (β·x)·ds).
TEXT ·swishBwdXAVX2(SB), NOSPLIT, $0-56
	MOVQ n+0(FP), CX
	MOVQ gx+8(FP), DI
	MOVQ grad+16(FP), SI
	MOVQ s+24(FP), DX
	MOVQ ds+32(FP), R8
	MOVQ x+40(FP), R9
	MOVQ beta+48(FP), R10

swx_loop:
	TESTQ   CX, CX
	JZ      swx_done
	VMOVUPS (R10), Y0
	VMULPS  (R9), Y0, Y0  // β·x
	VMULPS  (R8), Y0, Y0  // (β·x)·ds
	VADDPS  (DX), Y0, Y0  // s + …
	VMULPS  (SI), Y0, Y0  // g·(…)
	VADDPS  (DI), Y0, Y0  // gx + …
	VMOVUPS Y0, (DI)
	ADDQ    $32, DI
	ADDQ    $32, SI
	ADDQ    $32, DX
	ADDQ    $32, R8
	ADDQ    $32, R9
	ADDQ    $32, R10
	SUBQ    $8, CX
	JMP     swx_loop

swx_done:
	VZEROUPPER
	RET

// func swishBwdBetaAVX2(n int, gb, grad, x, ds *float32)
// gb += ((g·x)·x)·ds.
TEXT ·swishBwdBetaAVX2(SB), NOSPLIT, $0-40
	MOVQ n+0(FP), CX
	MOVQ gb+8(FP), DI
	MOVQ grad+16(FP), SI
	MOVQ x+24(FP), DX
	MOVQ ds+32(FP), R8

swb_loop:
	TESTQ   CX, CX
	JZ      swb_done
	VMOVUPS (SI), Y0
	VMULPS  (DX), Y0, Y0  // g·x
	VMULPS  (DX), Y0, Y0  // (g·x)·x
	VMULPS  (R8), Y0, Y0  // …·ds
	VADDPS  (DI), Y0, Y0  // gb + …
	VMOVUPS Y0, (DI)
	ADDQ    $32, DI
	ADDQ    $32, SI
	ADDQ    $32, DX
	ADDQ    $32, R8
	SUBQ    $8, CX
	JMP     swb_loop

swb_done:
	VZEROUPPER
	RET
