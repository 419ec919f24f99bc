//go:build amd64 && !noasm

#include "textflag.h"

// func geluAVX2(n int, x, y, d *float32, c *[geluConsts][8]uint32)
//
// For n (a multiple of 8) elements: y = x·Φ(x) and, if d != nil,
// d = Φ(x) + x·φ(x), with erf from Abramowitz–Stegun 7.1.26 and exp from a
// Cephes-style range reduction and polynomial, 8 lanes at a time. The table c
// holds the constants, each broadcast to 8 lanes (see geluTable).
TEXT ·geluAVX2(SB), NOSPLIT, $0-40
	MOVQ n+0(FP), CX
	MOVQ x+8(FP), SI
	MOVQ y+16(FP), DI
	MOVQ d+24(FP), DX
	MOVQ c+32(FP), R8

gelu_loop:
	TESTQ CX, CX
	JZ    gelu_done
	VMOVUPS (SI), Y0
	VANDPS  0(R8), Y0, Y1
	VMULPS  32(R8), Y1, Y1
	VMULPS  Y1, Y1, Y2
	VXORPS  Y3, Y3, Y3
	VSUBPS  Y2, Y3, Y2
	VMAXPS  64(R8), Y2, Y2

	// e = exp(Y2)
	VMULPS       96(R8), Y2, Y3
	VROUNDPS     $0, Y3, Y3
	VMOVAPS      Y2, Y4
	VFNMADD231PS 128(R8), Y3, Y4
	VFNMADD231PS 160(R8), Y3, Y4
	VMOVUPS      192(R8), Y5
	VFMADD213PS  224(R8), Y4, Y5
	VFMADD213PS  256(R8), Y4, Y5
	VFMADD213PS  288(R8), Y4, Y5
	VFMADD213PS  320(R8), Y4, Y5
	VFMADD213PS  352(R8), Y4, Y5
	VMULPS       Y4, Y4, Y6
	VFMADD213PS  Y4, Y6, Y5
	VADDPS       384(R8), Y5, Y5
	VCVTPS2DQ    Y3, Y3
	VPADDD       416(R8), Y3, Y3
	VPSLLD       $23, Y3, Y3
	VMULPS       Y3, Y5, Y5

	// t = 1/(1 + p·z)
	VMOVUPS     384(R8), Y6
	VFMADD231PS 448(R8), Y1, Y6
	VMOVUPS     384(R8), Y7
	VDIVPS      Y6, Y7, Y7

	// erf(|x|/√2) = 1 − t·(a1 + t·(a2 + …))·e, then the sign of x
	VMOVUPS     480(R8), Y8
	VFMADD213PS 512(R8), Y7, Y8
	VFMADD213PS 544(R8), Y7, Y8
	VFMADD213PS 576(R8), Y7, Y8
	VFMADD213PS 608(R8), Y7, Y8
	VMULPS      Y7, Y8, Y8
	VMULPS      Y5, Y8, Y8
	VMOVUPS     384(R8), Y9
	VSUBPS      Y8, Y9, Y9
	VANDPS      640(R8), Y0, Y10
	VORPS       Y10, Y9, Y9

	// Φ = ½(1 + erf); y = x·Φ; d = Φ + x·φ with φ = e/√(2π)
	VADDPS  384(R8), Y9, Y9
	VMULPS  672(R8), Y9, Y9
	VMULPS  Y9, Y0, Y11
	VMOVUPS Y11, (DI)
	TESTQ   DX, DX
	JZ      gelu_next
	VMULPS      704(R8), Y0, Y12
	VFMADD213PS Y9, Y5, Y12
	VMOVUPS     Y12, (DX)
	ADDQ        $32, DX

gelu_next:
	ADDQ $32, SI
	ADDQ $32, DI
	SUBQ $8, CX
	JMP  gelu_loop

gelu_done:
	VZEROUPPER
	RET
