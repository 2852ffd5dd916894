// Command report runs guestkit's benchmarks (package bench) and prints a
// markdown table of the medians, the ratio of each impl to the baseline
// and which performance targets are met.
//
//	go run ./bench/cmd/report              # -count 6
//	go run ./bench/cmd/report -count 10 -bench 'ReadRecord|FdWrite'
//	go run ./bench/cmd/report -in bench.txt  # report on saved output
//
// It runs `go test -run '^$' -bench BENCH -benchmem -count N` on package
// bench, echoing the output to stderr (and to -out, if given). Keep the
// machine quiet while it runs: medians resist noise, ratios only so much.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"

	"github.com/guestkit/guestkit/bench/internal/report"
)

const pkg = "github.com/guestkit/guestkit/bench"

func main() {
	count := flag.Int("count", 6, "runs of each benchmark")
	benchRe := flag.String("bench", ".", "benchmarks to run (go test -bench)")
	benchtime := flag.String("benchtime", "", "go test -benchtime, if set")
	in := flag.String("in", "", "parse this file of go test output instead of running")
	out := flag.String("out", "", "also save the raw go test output here")
	flag.Parse()
	if err := run(*count, *benchRe, *benchtime, *in, *out); err != nil {
		fmt.Fprintln(os.Stderr, "report:", err)
		os.Exit(1)
	}
}

func run(count int, benchRe, benchtime, in, out string) error {
	var raw []byte
	var err error
	if in != "" {
		raw, err = os.ReadFile(in)
	} else {
		raw, err = goTest(count, benchRe, benchtime)
	}
	if err != nil {
		return err
	}
	if out != "" {
		if err := os.WriteFile(out, raw, 0o644); err != nil {
			return err
		}
	}
	r, err := report.Parse(bytes.NewReader(raw))
	if err != nil {
		return err
	}
	results := r.Summarize()
	if len(results) == 0 {
		return fmt.Errorf("no benchmark results")
	}
	runs := 0
	for _, res := range results {
		runs = max(runs, res.N)
	}
	m := report.Machine{CPU: r.CPU, GOOS: r.GOOS, GOARCH: r.GOARCH, GoVersion: goVersion(),
		Cores: runtime.NumCPU(), Procs: r.Procs}
	return report.Render(os.Stdout, m, runs, results)
}

// goTest runs the benchmarks, echoing their output to stderr.
func goTest(count int, benchRe, benchtime string) ([]byte, error) {
	args := []string{"test", "-run", "^$", "-bench", benchRe, "-benchmem", "-count", fmt.Sprint(count)}
	if benchtime != "" {
		args = append(args, "-benchtime", benchtime)
	}
	args = append(args, pkg)
	fmt.Fprintf(os.Stderr, "go %q\n", args)
	var buf bytes.Buffer
	cmd := exec.Command("go", args...)
	cmd.Stdout = io.MultiWriter(&buf, os.Stderr)
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("go test: %w", err)
	}
	return buf.Bytes(), nil
}

// goVersion is the version of the go command that ran the benchmarks.
func goVersion() string {
	v, err := exec.Command("go", "env", "GOVERSION").Output()
	if err != nil || len(bytes.TrimSpace(v)) == 0 {
		return runtime.Version()
	}
	return string(bytes.TrimSpace(v))
}
