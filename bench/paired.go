package bench

import (
	"runtime"
	"slices"
	"testing"
	"time"
)

// Impl is one way of doing a case's work: Op does it once. Results and
// errors go to sinks the caller checks, as in a benchmark loop.
type Impl struct {
	Name string
	Op   func()
}

// Comparison is what Compare measured: per impl, per round, the time per
// call.
type Comparison struct {
	Names  []string
	Times  [][]float64 // [impl][round] nanoseconds per call
	Allocs []float64   // allocations per call (testing.AllocsPerRun)
}

// Compare times impls in paired, interleaved rounds, so that machine noise
// cannot favour one side: each round runs a block of calls of every impl
// on the same work, in an order that rotates from round to round. The block
// is sized so that impls[0]'s takes about blockTime.
func Compare(impls []Impl, rounds int, blockTime time.Duration) *Comparison {
	n := calibrate(impls[0].Op, blockTime)
	k := len(impls)
	c := &Comparison{Names: make([]string, k), Times: make([][]float64, k), Allocs: make([]float64, k)}
	for i, impl := range impls {
		c.Names[i] = impl.Name
		c.Times[i] = make([]float64, rounds)
		c.Allocs[i] = testing.AllocsPerRun(100, impl.Op)
	}
	for r := range rounds {
		for j := range k {
			i := (r + j) % k
			op := impls[i].Op
			start := time.Now()
			for range n {
				op()
			}
			c.Times[i][r] = float64(time.Since(start).Nanoseconds()) / float64(n)
		}
	}
	return c
}

// index returns the position of the impl named name, or -1.
func (c *Comparison) index(name string) int { return slices.Index(c.Names, name) }

// Ratio is the median over rounds of impl's time divided by baseline's
// time in the same round; 0 when either is missing.
func (c *Comparison) Ratio(impl, baseline string) float64 {
	i, b := c.index(impl), c.index(baseline)
	if i < 0 || b < 0 {
		return 0
	}
	ratios := make([]float64, len(c.Times[i]))
	for r := range ratios {
		ratios[r] = c.Times[i][r] / c.Times[b][r]
	}
	return median(ratios)
}

// NsPerOp is the median over rounds of impl's time per call.
func (c *Comparison) NsPerOp(impl string) float64 {
	if i := c.index(impl); i >= 0 {
		return median(c.Times[i])
	}
	return 0
}

// AllocsPerOp is impl's allocations per call.
func (c *Comparison) AllocsPerOp(impl string) float64 {
	if i := c.index(impl); i >= 0 {
		return c.Allocs[i]
	}
	return 0
}

// calibrate returns how many calls of op take about d.
func calibrate(op func(), d time.Duration) int {
	runtime.GC()
	for n := 1; ; n *= 2 {
		start := time.Now()
		for range n {
			op()
		}
		if el := time.Since(start); el >= d/4 || n >= 1<<30 {
			return max(1, int(float64(n)*float64(d)/float64(max(el, 1))))
		}
	}
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
