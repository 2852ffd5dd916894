// Command report times guestkit against hand-written code on the cases of
// package bench, in paired, interleaved rounds (bench.Compare), and prints
// a markdown table: per case and impl, the median time per call, the
// allocations per call, the median paired ratio to hand-written code over
// the same memory and to hand-written code over wazero's api.Memory, and
// whether each target is met.
//
//	go run ./bench/cmd/report                      # 25 rounds of ~2 ms blocks
//	go run ./bench/cmd/report -rounds 50 -case ReadRecord
//
// For the raw testing.B numbers (ns/op, B/op, allocs/op of each impl on
// its own), run: go test -run '^$' -bench . -benchmem ./bench
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"regexp"
	"runtime"
	"time"

	"github.com/guestkit/guestkit/bench"
)

func main() {
	rounds := flag.Int("rounds", 25, "paired rounds per case")
	block := flag.Duration("block", 2*time.Millisecond, "time of the baseline's block of calls in a round")
	only := flag.String("case", ".", "cases to run (a regexp)")
	flag.Parse()
	if err := run(*rounds, *block, *only); err != nil {
		fmt.Fprintln(os.Stderr, "report:", err)
		os.Exit(1)
	}
}

func run(rounds int, block time.Duration, only string) error {
	re, err := regexp.Compile(only)
	if err != nil {
		return err
	}
	s, err := bench.NewSuite(context.Background())
	if err != nil {
		return err
	}
	defer s.Close()
	fmt.Printf("guestkit paired benchmarks: %s/%s, %d cores, %s; %d rounds, blocks of ~%v\n\n",
		runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version(), rounds, block)
	fmt.Println("| case | impl | ns/op | allocs/op | ÷ handwritten | ÷ wazero |")
	fmt.Println("|---|---|---:|---:|---:|---:|")
	var met, total int
	var lines []string
	for _, c := range s.Cases {
		if !re.MatchString(c.Name) {
			continue
		}
		cmp := bench.Compare(c.Impls, rounds, block)
		if err := s.Err(); err != nil {
			return fmt.Errorf("%s: %w", c.Name, err)
		}
		for _, name := range cmp.Names {
			wz := "—"
			if r := cmp.Ratio(name, "wazero"); r != 0 {
				wz = fmt.Sprintf("%.2fx", r)
			}
			fmt.Printf("| %s | %s | %.1f | %.0f | %.2fx | %s |\n", c.Name, name, cmp.NsPerOp(name), cmp.AllocsPerOp(name), cmp.Ratio(name, c.Baseline), wz)
		}
		for _, t := range c.Targets {
			r := cmp.Ratio(t.Impl, t.Against)
			mark := "✗"
			if r <= t.Max && cmp.AllocsPerOp(t.Impl) <= cmp.AllocsPerOp(t.Against) {
				mark, met = "✓", met+1
			}
			total++
			lines = append(lines, fmt.Sprintf("- %s %s: %s ÷ %s = %.2fx (target ≤ %.2fx, allocs %.0f vs %.0f)", mark, c.Name, t.Impl, t.Against, r, t.Max, cmp.AllocsPerOp(t.Impl), cmp.AllocsPerOp(t.Against)))
		}
	}
	fmt.Printf("\nTargets: %d of %d met.\n", met, total)
	for _, l := range lines {
		fmt.Println(l)
	}
	return nil
}
