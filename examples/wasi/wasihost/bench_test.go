package wasihost

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"

	"github.com/guestkit/guestkit/guestptr"
	"github.com/guestkit/guestkit/memory"
)

// Where the benchmarks put the iovec array, the count and the buffers.
const (
	benchIovs     = 0x1000
	benchNwritten = 0x2000
	benchBufs     = 0x3000
	benchIovecs   = 8
	benchBufLen   = 16
)

// setupIovecs writes benchIovecs iovecs of benchBufLen bytes to mem.
func setupIovecs(tb testing.TB, mem *memory.Memory) {
	tb.Helper()
	var iovs [benchIovecs]Ciovec
	for i := range iovs {
		iovs[i].Buf = guestptr.NewSlice[byte](mem, benchBufs+uint64(i)*benchBufLen, benchBufLen)
	}
	if err := guestptr.New[[benchIovecs]Ciovec](mem, benchIovs).Write(iovs); err != nil {
		tb.Fatal(err)
	}
}

// BenchmarkFdWriteDirect calls the fd_write host function directly (no
// wasm), as wazero would, with 8 iovecs of 16 bytes to io.Discard.
func BenchmarkFdWriteDirect(b *testing.B) {
	f := newFixture(b, Config{Stdout: io.Discard})
	setupIovecs(b, f.mem)
	fn := f.fns["fd_write"]
	ctx := context.Background()
	stack := make([]uint64, 4)
	b.ReportAllocs()
	for b.Loop() {
		stack[0], stack[1], stack[2], stack[3] = 1, benchIovs, benchIovecs, benchNwritten
		fn(ctx, f.mod, stack)
	}
	if Errno(stack[0]) != 0 {
		b.Fatal(Errno(stack[0]))
	}
}

func TestFdWriteAllocs(t *testing.T) {
	f := newFixture(t, Config{Stdout: io.Discard})
	setupIovecs(t, f.mem)
	fn := f.fns["fd_write"]
	ctx := context.Background()
	stack := make([]uint64, 4)
	allocs := testing.AllocsPerRun(1000, func() {
		stack[0], stack[1], stack[2], stack[3] = 1, benchIovs, benchIovecs, benchNwritten
		fn(ctx, f.mod, stack)
	})
	if Errno(stack[0]) != 0 {
		t.Fatal(Errno(stack[0]))
	}
	if allocs != 0 {
		t.Errorf("fd_write allocates %v times per call, want 0", allocs)
	}
}

// writerModule is a wasm module that imports fd_write and exports its
// memory and run(n), which calls fd_write(1, 0x1000, 8, 0x2000) n times.
func writerModule() []byte {
	sleb := func(v int32) []byte {
		var out []byte
		for {
			b := byte(v & 0x7f)
			v >>= 7
			if (v == 0 && b&0x40 == 0) || (v == -1 && b&0x40 != 0) {
				return append(out, b)
			}
			out = append(out, b|0x80)
		}
	}
	str := func(s string) []byte { return append([]byte{byte(len(s))}, s...) }
	section := func(id byte, body ...[]byte) []byte {
		var b []byte
		for _, p := range body {
			b = append(b, p...)
		}
		return append([]byte{id, byte(len(b))}, b...)
	}
	var code []byte
	code = append(code, 0x00)                   // no locals
	code = append(code, 0x02, 0x40, 0x03, 0x40) // block, loop
	code = append(code, 0x20, 0x00, 0x45, 0x0d, 0x01)
	code = append(code, 0x41, 0x01)
	code = append(append(code, 0x41), sleb(benchIovs)...)
	code = append(append(code, 0x41), sleb(benchIovecs)...)
	code = append(append(code, 0x41), sleb(benchNwritten)...)
	code = append(code, 0x10, 0x00, 0x1a)                         // call fd_write, drop
	code = append(code, 0x20, 0x00, 0x41, 0x01, 0x6b, 0x21, 0x00) // n--
	code = append(code, 0x0c, 0x00, 0x0b, 0x0b, 0x0b)             // br loop, end, end, end
	var m []byte
	m = append(m, 0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00)
	m = append(m, section(1, []byte{0x02, 0x60, 0x04, 0x7f, 0x7f, 0x7f, 0x7f, 0x01, 0x7f, 0x60, 0x01, 0x7f, 0x00})...)
	m = append(m, section(2, []byte{0x01}, str(ModuleName), str("fd_write"), []byte{0x00, 0x00})...)
	m = append(m, section(3, []byte{0x01, 0x01})...)
	m = append(m, section(5, []byte{0x01, 0x00, 0x01})...)
	m = append(m, section(7, []byte{0x02}, str("memory"), []byte{0x02, 0x00}, str("run"), []byte{0x00, 0x01})...)
	m = append(m, section(10, []byte{0x01, byte(len(code))}, code)...)
	return m
}

// BenchmarkFdWriteWasm calls fd_write from wasm, 8 iovecs of 16 bytes to
// io.Discard per call, under wasihost and under wazero's own WASI.
func BenchmarkFdWriteWasm(b *testing.B) {
	for _, host := range []string{"guestkit", "wazero"} {
		b.Run(host, func(b *testing.B) {
			ctx := context.Background()
			r := wazero.NewRuntime(ctx)
			defer r.Close(ctx)
			cfg := wazero.NewModuleConfig().WithStartFunctions()
			if host == "guestkit" {
				if _, err := Instantiate(ctx, r, Config{Stdout: io.Discard}); err != nil {
					b.Fatal(err)
				}
			} else {
				wasi_snapshot_preview1.MustInstantiate(ctx, r)
				cfg = cfg.WithStdout(io.Discard)
			}
			mod, err := r.InstantiateWithConfig(ctx, writerModule(), cfg)
			if err != nil {
				b.Fatal(err)
			}
			setupIovecs(b, memoryOf(mod))
			run := mod.ExportedFunction("run")
			b.ReportAllocs()
			b.ResetTimer()
			if _, err := run.Call(ctx, uint64(b.N)); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			n, err := guestptr.New[Size](memoryOf(mod), benchNwritten).Read()
			if err != nil || n != benchIovecs*benchBufLen {
				b.Fatalf("nwritten %d, %v", n, err)
			}
		})
	}
}

func memoryOf(m api.Module) *memory.Memory {
	h := &Host{}
	mem, _ := h.memory(m)
	return mem
}

// TestCallAllocs checks that the calls a guest makes over and over
// allocate nothing.
func TestCallAllocs(t *testing.T) {
	f := newFixture(t, Config{Stdin: zeros{}, Stdout: io.Discard, Rand: zeros{}})
	setupIovecs(t, f.mem)
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		params []uint64
	}{
		{"fd_write", []uint64{1, benchIovs, benchIovecs, benchNwritten}},
		{"fd_read", []uint64{0, benchIovs, benchIovecs, benchNwritten}},
		{"clock_time_get", []uint64{1, 0, 0x100}},
		{"clock_res_get", []uint64{0, 0x100}},
		{"random_get", []uint64{0x200, 32}},
		{"fd_fdstat_get", []uint64{1, 0x100}},
		{"args_sizes_get", []uint64{0x100, 0x104}},
		{"fd_write EFAULT", []uint64{1, memory.PageSize, 1, benchNwritten}},
	} {
		fn := f.fns[strings.Fields(tc.name)[0]]
		stack := make([]uint64, len(tc.params))
		allocs := testing.AllocsPerRun(100, func() {
			copy(stack, tc.params)
			fn(ctx, f.mod, stack)
		})
		if want := strings.HasSuffix(tc.name, "EFAULT"); want != (Errno(stack[0]) != 0) {
			t.Errorf("%s: %v", tc.name, Errno(stack[0]))
		}
		if allocs != 0 && !strings.HasSuffix(tc.name, "EFAULT") {
			t.Errorf("%s allocates %v times per call", tc.name, allocs)
		}
		t.Logf("%s: %v allocs", tc.name, allocs)
	}
}

// zeros reads as endless zero bytes.
type zeros struct{}

func (zeros) Read(b []byte) (int, error) { clear(b); return len(b), nil }
