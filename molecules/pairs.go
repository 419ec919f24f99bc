package molecules

import "math"

// pairTerms evaluates the pair terms — non-excluded nonbonded pairs,
// nonbonded exceptions and the GB model — and adds their forces to f
// (unless nil). It runs over the pairs i < j in four passes that share
// the per-pair distances:
//
//  1. distances; Coulomb and Lennard-Jones of non-excluded pairs; the HCT
//     descreening integrals H_ij, H_ji and their radial derivatives;
//  2. (per atom) Born radii, self and surface energies and ∂E/∂B;
//  3. GB pair energies, their radial derivatives and ∂E/∂B;
//  4. (forces only) the chain rule through the Born radii; one radial
//     force per pair for all terms.
func (ev *Evaluator) pairTerms(pos, f []float64, e *Energies) {
	n := ev.n
	at := ev.atoms[:n]
	for i := range at {
		a := &at[i]
		p := pos[3*i : 3*i+3 : 3*i+3]
		a.x, a.y, a.z = p[0], p[1], p[2]
		a.sum, a.dEdB, a.chain = 0, 0, 0
		a.fx, a.fy, a.fz = 0, 0, 0
	}
	hasGB := ev.gbModel != 0
	ev.pairPass(hasGB, e)
	if ev.hasNB {
		e.Coulomb14, e.LJ14 = ev.exceptions()
	}
	if hasGB {
		ev.bornRadii(e)
		e.GBPair = ev.gbPairPass()
	}
	if f == nil {
		return
	}
	if hasGB {
		for i := range at {
			at[i].chain *= at[i].dEdB * 0.5 // ∂E/∂H_ij for every j
		}
	}
	ev.forcePass()
	for i := range at {
		a := &at[i]
		g := f[3*i : 3*i+3 : 3*i+3]
		g[0] += a.fx
		g[1] += a.fy
		g[2] += a.fz
	}
}

// pairPass is pass 1 of pairTerms.
func (ev *Evaluator) pairPass(hasGB bool, e *Energies) {
	e.CoulombPairs, e.LJPairs = ev.distancePass()
	if hasGB {
		ev.hctPass()
	}
}

// distancePass is the first half of pass 1: distances, and Coulomb and
// Lennard-Jones energies (returned) and radial derivatives of the
// non-excluded pairs.
func (ev *Evaluator) distancePass() (ec, elj float64) {
	n := ev.n
	at := ev.atoms[:n]
	nbCut2, krf, crf := ev.nbCut2, ev.krf, ev.crf
	p := 0
	for i := range at {
		ai := &at[i]
		xi, yi, zi := ai.x, ai.y, ai.z
		rest := at[i+1:]
		st := ev.pstate[p : p+len(rest)]
		prm := ev.pairs[p : p+len(rest)]
		p += len(rest)
		for k := range rest {
			aj := &rest[k]
			ps := &st[k]
			dx := aj.x - xi
			dy := aj.y - yi
			dz := aj.z - zi
			r2 := dx*dx + dy*dy + dz*dz
			r := math.Sqrt(r2)
			invr := 1 / r
			ps.r2, ps.r, ps.invr = r2, r, invr
			var w float64
			if pp := &prm[k]; r2 < nbCut2 && (pp.eps4 != 0 || pp.qq != 0) {
				inv2 := invr * invr
				s2 := pp.sig2 * inv2
				s6 := s2 * s2 * s2
				eps4, qq := pp.eps4, pp.qq
				elj += eps4 * (s6*s6 - s6)
				ec += qq * (invr + krf*r2 - crf)
				w = -(eps4*(12*s6*s6-6*s6)*inv2 + qq*(invr*inv2-2*krf))
			}
			ps.w = w
		}
	}
	return ec, elj
}

// hctPass is the second half of pass 1: the HCT descreening integrals
// H_ij (i descreened by j) and H_ji, summed per atom, and their radial
// derivatives.
func (ev *Evaluator) hctPass() {
	n := ev.n
	at := ev.atoms[:n]
	gbCut2 := ev.gbCut2
	inside := ev.gbInside
	p := 0
	for i := range at {
		ai := &at[i]
		rhoI, invRhoI, sI := ai.rho, ai.invRho, ai.s
		rest := at[i+1:]
		st := ev.pstate[p : p+len(rest)]
		p += len(rest)
		var sumI float64
		for k := range rest {
			ps := &st[k]
			if !(ps.r2 < gbCut2) {
				ps.dhij, ps.dhji = 0, 0
				continue
			}
			aj := &rest[k]
			r, invr := ps.r, ps.invr
			// H = a + wl·ln(arg), dH/dr = ad − wl·ln(arg)/r, for i
			// descreened by j (1) and j by i (2). Cases: no overlap
			// (L = r − s), overlap (L = ρ), i inside the sphere of j
			// (L = s − r > ρ) and no descreening (ρ ≥ r + s).
			var a1, ad1, arg1, wl1 float64
			s := aj.s
			if d := r - s; d >= rhoI {
				// Common case: H = s/(r²−s²) + ½·ln((r−s)/(r+s))/r.
				invD := 1 / (d * (r + s))
				a1 = s * invD
				ad1 = a1 * (invr - 2*r*invD)
				arg1 = d * d * invD
				wl1 = 0.5 * invr
			} else if u := r + s; rhoI < u {
				invU := 1 / u
				invU2 := invU * invU
				t := r - s*s*invr
				dt := 0.25 * (1 + s*s*invr*invr)
				if -d < rhoI {
					invL2 := invRhoI * invRhoI
					a1 = invRhoI - invU + 0.25*t*(invU2-invL2)
					ad1 = invU2 + dt*(invU2-invL2) - 0.5*t*invU2*invU - 0.5*invU*invr
					arg1 = rhoI * invU
				} else {
					l := -d
					invL := 1 / l
					invL2 := invL * invL
					a1 = invL - invU + 0.25*t*(invU2-invL2)
					ad1 = invL2 + invU2 + dt*(invU2-invL2) - 0.5*t*(invL2*invL+invU2*invU) - 0.5*(invL+invU)*invr
					if inside && rhoI < l {
						a1 += 2 * (invRhoI - invL)
						ad1 -= 2 * invL2
					}
					arg1 = l * invU
				}
				wl1 = 0.5 * invr
			} else {
				arg1 = 1
			}
			rhoJ := aj.rho
			if rhoJ == rhoI && s == sI {
				// Same radii (atoms of one type): H_ji = H_ij.
				lg := logPos(arg1)
				h := 0.5 * (a1 + wl1*lg)
				dh := ad1 - wl1*invr*lg
				sumI += h
				aj.sum += h
				ps.dhij, ps.dhji = dh, dh
				continue
			}
			var a2, ad2, arg2, wl2 float64
			if d := r - sI; d >= rhoJ {
				invD := 1 / (d * (r + sI))
				a2 = sI * invD
				ad2 = a2 * (invr - 2*r*invD)
				arg2 = d * d * invD
				wl2 = 0.5 * invr
			} else if u := r + sI; rhoJ < u {
				invU := 1 / u
				invU2 := invU * invU
				t := r - sI*sI*invr
				dt := 0.25 * (1 + sI*sI*invr*invr)
				if -d < rhoJ {
					invRhoJ := aj.invRho
					invL2 := invRhoJ * invRhoJ
					a2 = invRhoJ - invU + 0.25*t*(invU2-invL2)
					ad2 = invU2 + dt*(invU2-invL2) - 0.5*t*invU2*invU - 0.5*invU*invr
					arg2 = rhoJ * invU
				} else {
					l := -d
					invL := 1 / l
					invL2 := invL * invL
					a2 = invL - invU + 0.25*t*(invU2-invL2)
					ad2 = invL2 + invU2 + dt*(invU2-invL2) - 0.5*t*(invL2*invL+invU2*invU) - 0.5*(invL+invU)*invr
					if inside && rhoJ < l {
						a2 += 2 * (aj.invRho - invL)
						ad2 -= 2 * invL2
					}
					arg2 = l * invU
				}
				wl2 = 0.5 * invr
			} else {
				arg2 = 1
			}
			lg1 := logPos(arg1)
			lg2 := logPos(arg2)
			sumI += 0.5 * (a1 + wl1*lg1)
			aj.sum += 0.5 * (a2 + wl2*lg2)
			ps.dhij = ad1 - wl1*invr*lg1
			ps.dhji = ad2 - wl2*invr*lg2
		}
		ai.sum += sumI
	}
}

// exceptions evaluates the nonbonded exceptions (plain Coulomb and
// Lennard-Jones with their own parameters, no cutoff) on the distances of
// pass 1 and returns their Coulomb and Lennard-Jones energies.
func (ev *Evaluator) exceptions() (ec, elj float64) {
	st := ev.pstate
	for k := range ev.exc {
		x := &ev.exc[k]
		ps := &st[x.pair]
		invr := ps.invr
		inv2 := invr * invr
		s2 := x.sig2 * inv2
		s6 := s2 * s2 * s2
		elj += x.eps4 * (s6*s6 - s6)
		ec += x.qq * invr
		ps.w -= x.eps4*(12*s6*s6-6*s6)*inv2 + x.qq*invr*inv2
	}
	return ec, elj
}

// bornRadii is pass 2 of pairTerms: Born radii, self and surface energies,
// ∂E/∂B of those terms and dB/d(½ΣH) (stored in chain).
func (ev *Evaluator) bornRadii(e *Energies) {
	at := ev.atoms[:ev.n]
	rad, rsa, saCoef := ev.gbRad[:len(at)], ev.gbRSA[:len(at)], ev.gbSACoef[:len(at)]
	var eself, esa float64
	a, b, g := ev.gbAlpha, ev.gbBeta, ev.gbGamma
	obc1 := ev.gbModel == OBC1
	for i := range at {
		ai := &at[i]
		or := ai.rho
		psi := ai.sum * or
		psi2 := psi * psi
		th := math.Tanh(a*psi - b*psi2 + g*psi2*psi)
		invB := 1/or - th/rad[i]
		B := 1 / invB
		ai.b, ai.invB = B, invB
		// dB/dsum = B²·(1−tanh²)·(α − 2βψ + 3γψ²)·or/rad.
		ai.chain = B * B * (1 - th*th) * (a - 2*b*psi + 3*g*psi2) * or / rad[i]
		es := 0.5 * ai.gq * ai.q * invB
		eself += es
		dEdB := -es * invB
		if B > 0 || obc1 {
			ratio := rsa[i] * invB
			r3 := ratio * ratio * ratio
			sa := saCoef[i] * r3 * r3
			esa += sa
			dEdB -= 6 * sa * invB
		}
		ai.dEdB += dEdB
	}
	e.GBSelf, e.GBSurface = eself, esa
}

// gbPairPass is pass 3 of pairTerms: GB pair energies (returned), their
// radial derivatives (added to w) and ∂E/∂B.
func (ev *Evaluator) gbPairPass() float64 {
	n := ev.n
	at := ev.atoms[:n]
	cut2, shift := ev.gbCut2, ev.gbShift
	var epair float64
	p := 0
	for i := range at {
		ai := &at[i]
		bi := ai.b
		quarterInvBi := 0.25 * ai.invB
		qi := ai.gq
		rest := at[i+1:]
		st := ev.pstate[p : p+len(rest)]
		p += len(rest)
		var dEdBi float64
		for k := range rest {
			ps := &st[k]
			r2 := ps.r2
			if !(r2 < cut2) {
				continue
			}
			aj := &rest[k]
			bj := aj.b
			D := r2 * quarterInvBi * aj.invB
			var ex float64
			if D <= expRange {
				ex = expNeg(-D)
			}
			invf := 1 / math.Sqrt(r2+bi*bj*ex)
			qq := qi * aj.q
			epair += qq * (invf - shift)
			dEdf := -qq * invf * invf
			c := dEdf * ex * (1 + D) * 0.5 * invf
			dEdBi += c * bj
			aj.dEdB += c * bi
			ps.w += dEdf * (1 - 0.25*ex) * invf
		}
		ai.dEdB += dEdBi
	}
	return epair
}

// forcePass is pass 4 of pairTerms: one radial force per pair combining
// the direct terms and the chain rule through the Born radii.
func (ev *Evaluator) forcePass() {
	n := ev.n
	at := ev.atoms[:n]
	p := 0
	for i := range at {
		ai := &at[i]
		xi, yi, zi := ai.x, ai.y, ai.z
		ci := ai.chain
		rest := at[i+1:]
		st := ev.pstate[p : p+len(rest)]
		p += len(rest)
		var fxi, fyi, fzi float64
		for k := range rest {
			ps := &st[k]
			aj := &rest[k]
			w := ps.w + (ci*ps.dhij+aj.chain*ps.dhji)*ps.invr
			dx := w * (aj.x - xi)
			dy := w * (aj.y - yi)
			dz := w * (aj.z - zi)
			fxi += dx
			fyi += dy
			fzi += dz
			aj.fx -= dx
			aj.fy -= dy
			aj.fz -= dz
		}
		ai.fx += fxi
		ai.fy += fyi
		ai.fz += fzi
	}
}
