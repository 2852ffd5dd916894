package report_test

import (
	"log"
	"os"
	"strings"

	"github.com/guestkit/guestkit/bench/internal/report"
)

// Example parses two runs of ReadRecord, as `go test -bench -count 2`
// prints them, and renders the medians and ReadRecord's targets; the one
// against stdbinary is missed because stdbinary did not run.
func Example() {
	const out = `goos: linux
goarch: amd64
pkg: github.com/guestkit/guestkit/bench
cpu: Example CPU
BenchmarkReadRecord/guestkit-4      100000000   11.0 ns/op   0 B/op   0 allocs/op
BenchmarkReadRecord/handwritten-4   100000000   10.0 ns/op   0 B/op   0 allocs/op
BenchmarkReadRecord/guestkit-4      100000000   13.0 ns/op   0 B/op   0 allocs/op
BenchmarkReadRecord/handwritten-4   100000000   10.0 ns/op   0 B/op   0 allocs/op
PASS
`
	run, err := report.Parse(strings.NewReader(out))
	if err != nil {
		log.Fatal(err)
	}
	results := run.Summarize()
	m := report.Machine{CPU: run.CPU, GOOS: run.GOOS, GOARCH: run.GOARCH,
		GoVersion: "go1.26.0", Cores: 4, Procs: run.Procs}
	if err := report.Render(os.Stdout, m, results[0].N, results); err != nil {
		log.Fatal(err)
	}
	// Output:
	// Machine: Example CPU, linux/amd64, go1.26.0, 4 cores (GOMAXPROCS 4). Medians of 2 runs.
	//
	// | case | impl | ns/op | B/op | allocs/op | ratio | targets |
	// |---|---|--:|--:|--:|--:|---|
	// | ReadRecord | guestkit | 12.0 | 0 | 0 | 1.20x | ✓ ≤1.3x handwritten (1.20x); ✓ 0 allocs/op (0 allocs/op); ✗ ≥20x faster than stdbinary (not run) |
	// | ReadRecord | handwritten | 10.0 | 0 | 0 | 1.00x |  |
	//
	// Ratio: ns/op over the baseline's (handwritten; wazero for FdWrite); below 1 is faster.
	//
	// | case | target | measured | met |
	// |---|---|--:|:-:|
	// | ReadRecord | guestkit ≤1.3x handwritten | 1.20x | ✓ |
	// | ReadRecord | guestkit 0 allocs/op | 0 allocs/op | ✓ |
	// | ReadRecord | guestkit ≥20x faster than stdbinary | not run | ✗ |
	//
	// 2 of 3 targets met.
}
