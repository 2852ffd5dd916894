// Command compare times guestkit over wasmtime memories against
// hand-written code over wasmtime-go's own memory API
// (wasmtimebench.Handwritten), in paired, interleaved rounds
// (bench.Compare), on a wasm32 and a memory64 memory, and prints a markdown
// table: per case and impl, the median time per call, the allocations per
// call and the median paired ratio to handwritten.
//
//	go run ./bench/cmd/compare                       # 25 rounds of ~2 ms blocks
//	go run ./bench/cmd/compare -rounds 50 -case ReadRecord
//
// (from memory/wasmtimemem).
package main

import (
	"flag"
	"fmt"
	"os"
	"regexp"
	"runtime"
	"time"

	"github.com/guestkit/guestkit/bench"
	wasmtimebench "github.com/guestkit/guestkit/memory/wasmtimemem/bench"
)

func main() {
	rounds := flag.Int("rounds", 25, "paired rounds per case")
	block := flag.Duration("block", 2*time.Millisecond, "time of the first impl's block of calls in a round")
	only := flag.String("case", ".", "cases to run (a regexp)")
	flag.Parse()
	if err := run(*rounds, *block, *only); err != nil {
		fmt.Fprintln(os.Stderr, "compare:", err)
		os.Exit(1)
	}
}

func run(rounds int, block time.Duration, only string) error {
	re, err := regexp.Compile(only)
	if err != nil {
		return err
	}
	fmt.Printf("guestkit over wasmtime, paired: %s/%s, %d cores, %s; %d rounds, blocks of ~%v\n\n",
		runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version(), rounds, block)
	fmt.Println("| case | memory | impl | ns/op | allocs/op | ÷ handwritten |")
	fmt.Println("|---|---|---|---:|---:|---:|")
	for _, abi := range []struct {
		name string
		is64 bool
	}{{"wasm32", false}, {"wasm64", true}} {
		env, err := wasmtimebench.NewEnv(abi.is64)
		if err != nil {
			return err
		}
		cases, err := wasmtimebench.Cases(env)
		if err != nil {
			env.Store.Close()
			return err
		}
		for _, c := range cases {
			if !re.MatchString(c.Name) {
				continue
			}
			cmp := bench.Compare(c.Impls, rounds, block)
			if err := wasmtimebench.Err(); err != nil {
				env.Store.Close()
				return fmt.Errorf("%s: %w", c.Name, err)
			}
			for _, name := range cmp.Names {
				fmt.Printf("| %s | %s | %s | %.1f | %.0f | %.2fx |\n", c.Name, abi.name, name, cmp.NsPerOp(name), cmp.AllocsPerOp(name), cmp.Ratio(name, c.Baseline))
			}
		}
		env.Store.Close()
	}
	return nil
}
