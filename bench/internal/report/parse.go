// Package report parses `go test -bench` output of package bench,
// summarizes it by median, checks it against guestkit's performance
// targets and renders a markdown table. The command bench/cmd/report runs
// the benchmarks and prints the table.
package report

import (
	"bufio"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Run is one `go test -bench` run: its header and every sample.
type Run struct {
	GOOS, GOARCH, Pkg, CPU string // from the header lines
	// Procs is GOMAXPROCS, from the -N suffix of the benchmark names (1
	// when there is none).
	Procs int
	// Samples holds every result line, in order.
	Samples []Sample
}

// Sample is one result line, as in
// "BenchmarkReadRecord/guestkit-2  123  9.5 ns/op  0 B/op  0 allocs/op".
type Sample struct {
	Case, Impl string // "ReadRecord", "guestkit"
	Iters      int64  // iterations run
	// Metrics maps a unit ("ns/op", "B/op", "allocs/op", "MB/s", or one a
	// benchmark reported itself) to its value.
	Metrics map[string]float64
}

// procsSuffix is the -GOMAXPROCS suffix go test adds to names.
var procsSuffix = regexp.MustCompile(`-(\d+)$`)

// Parse reads benchmark output. Lines other than the header and results
// (PASS, ok, logs) are skipped; a result line that does not parse is an
// error.
func Parse(r io.Reader) (*Run, error) {
	run := &Run{Procs: 1}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if k, v, ok := strings.Cut(text, ": "); ok && !strings.HasPrefix(text, "Benchmark") {
			switch k {
			case "goos":
				run.GOOS = v
			case "goarch":
				run.GOARCH = v
			case "pkg":
				run.Pkg = v
			case "cpu":
				run.CPU = v
			}
			continue
		}
		if !strings.HasPrefix(text, "Benchmark") {
			continue
		}
		fields := strings.Fields(text)
		if len(fields) < 2 {
			continue // a benchmark's name alone, printed before its logs
		}
		s, procs, err := parseResult(fields)
		if err != nil {
			return nil, fmt.Errorf("line %d: %v: %q", line, err, text)
		}
		run.Procs = procs
		run.Samples = append(run.Samples, s)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return run, nil
}

func parseResult(fields []string) (Sample, int, error) {
	name, procs := fields[0], 1
	if m := procsSuffix.FindStringSubmatch(name); m != nil {
		procs, _ = strconv.Atoi(m[1])
		name = strings.TrimSuffix(name, m[0])
	}
	name = strings.TrimPrefix(name, "Benchmark")
	c, impl, _ := strings.Cut(name, "/")
	s := Sample{Case: c, Impl: impl, Metrics: map[string]float64{}}
	iters, err := strconv.ParseInt(fields[1], 10, 64)
	if err != nil {
		return s, 0, fmt.Errorf("iteration count %q", fields[1])
	}
	s.Iters = iters
	rest := fields[2:]
	if len(rest)%2 != 0 {
		return s, 0, fmt.Errorf("values and units do not pair up")
	}
	for i := 0; i < len(rest); i += 2 {
		v, err := strconv.ParseFloat(rest[i], 64)
		if err != nil {
			return s, 0, fmt.Errorf("value %q", rest[i])
		}
		s.Metrics[rest[i+1]] = v
	}
	if _, ok := s.Metrics["ns/op"]; !ok {
		return s, 0, fmt.Errorf("no ns/op")
	}
	return s, procs, nil
}

// Result is the medians of one (case, impl) over its samples.
type Result struct {
	Case, Impl string  // as in Sample
	N          int     // samples
	NsOp       float64 // median ns/op
	BOp        float64 // -1 without -benchmem
	AllocsOp   float64 // -1 without -benchmem
}

// Summarize returns the median of each metric per (case, impl), in the
// order the benchmarks first appear.
func (r *Run) Summarize() []Result {
	type key struct{ c, i string }
	var order []key
	groups := map[key][]Sample{}
	for _, s := range r.Samples {
		k := key{s.Case, s.Impl}
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], s)
	}
	out := make([]Result, 0, len(order))
	for _, k := range order {
		g := groups[k]
		out = append(out, Result{
			Case: k.c, Impl: k.i, N: len(g),
			NsOp:     median(g, "ns/op"),
			BOp:      median(g, "B/op"),
			AllocsOp: median(g, "allocs/op"),
		})
	}
	return out
}

// median returns the median of unit over samples, or -1 if none has it.
func median(samples []Sample, unit string) float64 {
	var vs []float64
	for _, s := range samples {
		if v, ok := s.Metrics[unit]; ok {
			vs = append(vs, v)
		}
	}
	if len(vs) == 0 {
		return -1
	}
	slices.Sort(vs)
	if n := len(vs); n%2 == 1 {
		return vs[n/2]
	}
	return (vs[len(vs)/2-1] + vs[len(vs)/2]) / 2
}
