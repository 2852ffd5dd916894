package wasihost

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"

	"github.com/guestkit/guestkit/guestptr"
	"github.com/guestkit/guestkit/internal/wasmasm"
	"github.com/guestkit/guestkit/memory/wazeromem"
)

// Paired benchmarks: one hand-assembled guest per call, whose run(n)
// makes the call n times, instantiated under wasihost and under wazero's
// wasi_snapshot_preview1 in one process, timed in interleaved rounds.

// Where the guests keep their arguments and results.
const (
	pIovs   = 0x1000 // iovecs
	pOut    = 0x2000 // results
	pBufs   = 0x3000 // iovec buffers
	pPath   = 0x5000 // a path
	pDirBuf = 0x6000 // fd_readdir's buffer
	pDirLen = 4096
)

// op is a wasm call: an import, its parameters as constants, and whether
// its result is a descriptor fd_close should close (path_open).
type op struct {
	name   string
	params []byte // wasmasm.I32 / I64
	args   []int64
}

// pairedCase is one benchmarked call sequence.
type pairedCase struct {
	name  string
	ops   []op
	block int // calls per round
}

var i32s = func(n int) []byte { return slices.Repeat([]byte{wasmasm.I32}, n) }

var pairedCases = []pairedCase{
	{"fd_write", []op{{"fd_write", i32s(4), []int64{1, pIovs, benchIovecs, pOut}}}, 4000},
	{"fd_read", []op{{"fd_read", i32s(4), []int64{0, pIovs, 1, pOut}}}, 4000},
	{"path_open+fd_close", []op{
		{"path_open", []byte{wasmasm.I32, wasmasm.I32, wasmasm.I32, wasmasm.I32, wasmasm.I32, wasmasm.I64, wasmasm.I64, wasmasm.I32, wasmasm.I32},
			[]int64{3, 0, pPath, 4, 0, int64(RightFdRead), 0, 0, pOut}},
		{"fd_close", i32s(1), nil}, // the descriptor is loaded from pOut
	}, 500},
	{"fd_readdir", []op{{"fd_readdir", []byte{wasmasm.I32, wasmasm.I32, wasmasm.I32, wasmasm.I64, wasmasm.I32}, []int64{3, pDirBuf, pDirLen, 0, pOut}}}, 500},
	{"fd_filestat_get", []op{{"fd_filestat_get", i32s(2), []int64{3, pOut}}}, 2000},
	{"clock_time_get", []op{{"clock_time_get", []byte{wasmasm.I32, wasmasm.I64, wasmasm.I32}, []int64{1, 0, pOut}}}, 8000},
	{"fd_prestat_get", []op{{"fd_prestat_get", i32s(2), []int64{3, pOut}}}, 8000},
}

// guestFor assembles the guest of c: run(n) makes c's calls n times.
func guestFor(c pairedCase) []byte {
	var types, imports, body [][]byte
	for i, o := range c.ops {
		types = append(types, wasmasm.FuncType(o.params, []byte{wasmasm.I32}))
		imports = append(imports, wasmasm.ImportFunc(ModuleName, o.name, uint64(i)))
		if o.args == nil { // fd_close(load pOut)
			body = append(body, wasmasm.I32Const(pOut), []byte{wasmasm.OpI32Load, 2, 0})
		}
		for j, a := range o.args {
			if o.params[j] == wasmasm.I64 {
				body = append(body, wasmasm.Cat([]byte{0x42}, wasmasm.Sleb(a)))
			} else {
				body = append(body, wasmasm.I32Const(int32(a)))
			}
		}
		body = append(body, wasmasm.Call(uint64(i)), []byte{wasmasm.OpDrop})
	}
	runType := uint64(len(c.ops))
	types = append(types, wasmasm.FuncType([]byte{wasmasm.I32}, nil))
	loop := wasmasm.Cat(
		[]byte{wasmasm.OpBlock, 0x40, wasmasm.OpLoop, 0x40},
		wasmasm.LocalGet(0), []byte{wasmasm.OpI32Eqz, wasmasm.OpBrIf, 1},
		wasmasm.Cat(body...),
		wasmasm.LocalGet(0), wasmasm.I32Const(1), []byte{wasmasm.OpI32Sub, wasmasm.OpLocalSet, 0},
		[]byte{wasmasm.OpBr, 0, wasmasm.OpEnd, wasmasm.OpEnd},
	)
	return wasmasm.Module(
		wasmasm.Section(wasmasm.SecType, types...),
		wasmasm.Section(wasmasm.SecImport, imports...),
		wasmasm.Section(wasmasm.SecFunction, wasmasm.Uleb(runType)),
		wasmasm.Section(wasmasm.SecMemory, wasmasm.MemoryType(1)),
		wasmasm.Section(wasmasm.SecExport, wasmasm.Export("memory", wasmasm.ExportMemory, 0), wasmasm.Export("run", wasmasm.ExportFunc, uint64(len(c.ops)))),
		wasmasm.Section(wasmasm.SecCode, wasmasm.Code(nil, loop)),
	)
}

// benchDir is a directory of 16 files, preopened as "/" by both hosts.
func benchDir(tb testing.TB) string {
	dir := tb.TempDir()
	for i := range 16 {
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("file%02d", i)), []byte("data"), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	return dir
}

// pairedGuest is c's guest instantiated under one host.
type pairedGuest struct {
	run api.Function
	r   wazero.Runtime
}

// instantiate runs c's guest under host ("wasihost" or "wazero").
func instantiate(tb testing.TB, c pairedCase, host, dir string) pairedGuest {
	ctx := context.Background()
	r := wazero.NewRuntime(ctx)
	cfg := wazero.NewModuleConfig().WithStartFunctions()
	if host == "wasihost" {
		if _, err := Instantiate(ctx, r, Config{Stdin: zeros{}, Stdout: io.Discard, Preopens: []Preopen{{GuestPath: "/", Dir: dir}}}); err != nil {
			tb.Fatal(err)
		}
	} else {
		wasi_snapshot_preview1.MustInstantiate(ctx, r)
		cfg = cfg.WithStdin(zeros{}).WithStdout(io.Discard).WithSysNanotime().WithSysWalltime().
			WithFSConfig(wazero.NewFSConfig().WithDirMount(dir, "/"))
	}
	// A guestkit host gives guest memories guestkit's allocator, so that an
	// access is one atomic load; wazero's WASI reads its own memory either
	// way.
	mod, err := r.InstantiateWithConfig(wazeromem.WithAllocator(ctx), guestFor(c), cfg)
	if err != nil {
		tb.Fatal(err)
	}
	mem := wazeromem.Of(mod.Memory())
	var iovs [benchIovecs]Ciovec
	for i := range iovs {
		iovs[i].Buf = guestptr.NewSlice[byte](mem, pBufs+uint64(i)*benchBufLen, benchBufLen)
	}
	if err := guestptr.New[[benchIovecs]Ciovec](mem, pIovs).Write(iovs); err != nil {
		tb.Fatal(err)
	}
	if err := guestptr.NewSlice[byte](mem, pPath, 6).CopyFromSlice([]byte("file00")); err != nil {
		tb.Fatal(err)
	}
	run := mod.ExportedFunction("run")
	// One call, checked: every call must succeed.
	if _, err := run.Call(ctx, 1); err != nil {
		tb.Fatal(err)
	}
	return pairedGuest{run: run, r: r}
}

// BenchmarkPaired times each call under wasihost and under wazero's WASI
// in b.N interleaved rounds (use -benchtime=21x): each round runs a block
// of calls under each host, in an order that alternates, and the metric
// "x-wazero" is the median over rounds of wasihost's time over wazero's.
//
//	go test ./examples/wasi/wasihost -run '^$' -bench Paired -benchtime 21x
func BenchmarkPaired(b *testing.B) {
	for _, c := range pairedCases {
		b.Run(c.name, func(b *testing.B) {
			dir := benchDir(b)
			g := [2]pairedGuest{instantiate(b, c, "wasihost", dir), instantiate(b, c, "wazero", dir)}
			defer g[0].r.Close(context.Background())
			defer g[1].r.Close(context.Background())
			ctx := context.Background()
			var ratios []float64
			var total [2]time.Duration
			for i := 0; i < b.N; i++ {
				var t [2]time.Duration
				for k := range 2 {
					h := (i + k) % 2
					start := time.Now()
					if _, err := g[h].run.Call(ctx, uint64(c.block)); err != nil {
						b.Fatal(err)
					}
					t[h] = time.Since(start)
				}
				total[0] += t[0]
				total[1] += t[1]
				ratios = append(ratios, float64(t[0])/float64(t[1]))
			}
			slices.Sort(ratios)
			b.ReportMetric(ratios[len(ratios)/2], "x-wazero")
			calls := float64(b.N * c.block)
			b.ReportMetric(float64(total[0].Nanoseconds())/calls, "wasihost-ns/call")
			b.ReportMetric(float64(total[1].Nanoseconds())/calls, "wazero-ns/call")
			b.ReportMetric(0, "ns/op")
		})
	}
}

// BenchmarkCall times each call under each host on its own, with
// allocations: go test -bench Call -benchmem.
func BenchmarkCall(b *testing.B) {
	for _, c := range pairedCases {
		for _, host := range []string{"wasihost", "wazero"} {
			b.Run(c.name+"/"+host, func(b *testing.B) {
				g := instantiate(b, c, host, benchDir(b))
				defer g.r.Close(context.Background())
				b.ReportAllocs()
				b.ResetTimer()
				if _, err := g.run.Call(context.Background(), uint64(b.N)); err != nil {
					b.Fatal(err)
				}
			})
		}
	}
}
