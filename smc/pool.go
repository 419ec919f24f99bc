package smc

import (
	"runtime"
	"sync"
)

// rngTag values separate the random streams of the different phases.
const (
	tagSample uint64 = iota + 1
	tagMove
	tagResample
	tagIS
)

// splitmix64 is the SplitMix64 finaliser, used to derive independent PCG
// seeds from (seed, tag, step, batch).
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// streamSeed returns the two PCG seed words of the stream for one phase,
// step and batch.
func streamSeed(seed, tag, step, batch uint64) (uint64, uint64) {
	a := splitmix64(seed ^ 0x5eed5eed5eed5eed)
	b := splitmix64(splitmix64(splitmix64(seed+tag<<56)^step) ^ batch)
	return a, b
}

// pool runs batch jobs on a fixed set of goroutines. Jobs carry a phase and
// a batch index; the work done for a batch never depends on which goroutine
// runs it.
type pool struct {
	workers int
	jobs    chan job
	wg      sync.WaitGroup
	run     func(phase, batch int)
}

type job struct{ phase, batch int }

func newPool(workers int, run func(phase, batch int)) *pool {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	p := &pool{workers: workers, run: run}
	if workers > 1 {
		p.jobs = make(chan job, 64)
		for w := 0; w < workers; w++ {
			go func() {
				for j := range p.jobs {
					p.run(j.phase, j.batch)
					p.wg.Done()
				}
			}()
		}
	}
	return p
}

// do runs phase on batches 0…nb−1 and waits for all of them.
func (p *pool) do(phase, nb int) {
	if p.workers <= 1 || nb == 1 {
		for b := 0; b < nb; b++ {
			p.run(phase, b)
		}
		return
	}
	p.wg.Add(nb)
	for b := 0; b < nb; b++ {
		p.jobs <- job{phase, b}
	}
	p.wg.Wait()
}

// close stops the goroutines.
func (p *pool) close() {
	if p.jobs != nil {
		close(p.jobs)
	}
}
