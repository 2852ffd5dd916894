package bench

import (
	"bytes"
	"context"
	"io"
	"testing"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"

	"github.com/guestkit/guestkit/examples/wasi/wasihost"
)

// The FdWrite guest writes these four buffers with each fd_write: small
// vectored writes, as printf makes them.
var fdWriteBuffers = []string{"count=", "42", ", status: all systems nominal", "\n"}

// fdWriteCalls is how many fd_writes one op makes: run(fdWriteCalls).
const fdWriteCalls = 100

// wasiHost instantiates a WASI preview1 host in rt whose stdout is w.
type wasiHost struct {
	name        string
	instantiate func(ctx context.Context, rt wazero.Runtime, w io.Writer) error
}

// wasiHosts are the hosts FdWrite compares: guestkit's example WASI host
// (examples/wasi/wasihost, written with guestptr) and wazero's built-in
// one.
var wasiHosts = []wasiHost{
	{"guestkit", func(ctx context.Context, rt wazero.Runtime, w io.Writer) error {
		_, err := wasihost.Instantiate(ctx, rt, wasihost.Config{Stdout: w})
		return err
	}},
	{"wazero", func(ctx context.Context, rt wazero.Runtime, _ io.Writer) error {
		_, err := wasi_snapshot_preview1.Instantiate(ctx, rt)
		return err
	}},
}

// countingWriter counts the bytes written and keeps the first max of them.
type countingWriter struct {
	n    int64
	keep bytes.Buffer
	max  int
}

func (w *countingWriter) Write(b []byte) (int, error) {
	w.n += int64(len(b))
	if room := w.max - w.keep.Len(); room > 0 {
		w.keep.Write(b[:min(room, len(b))])
	}
	return len(b), nil
}

// fdWriteRun is a guest instantiated under one host, ready to call.
type fdWriteRun struct {
	run   api.Function
	stack []uint64
	out   *countingWriter
}

// newFdWriteRun instantiates host and the guest in a fresh runtime. The
// wazero host takes stdout from the module config, guestkit's from its
// own; each gets w through the way it reads it.
func newFdWriteRun(tb testing.TB, h wasiHost, wasm []byte) *fdWriteRun {
	tb.Helper()
	ctx := context.Background()
	rt := wazero.NewRuntime(ctx)
	tb.Cleanup(func() { rt.Close(ctx) })
	out := &countingWriter{max: 1 << 16}
	if err := h.instantiate(ctx, rt, out); err != nil {
		tb.Fatalf("%s host: %v", h.name, err)
	}
	cfg := wazero.NewModuleConfig().WithName("guest").WithStartFunctions()
	if h.name == "wazero" {
		cfg = cfg.WithStdout(out)
	}
	mod, err := rt.InstantiateWithConfig(ctx, wasm, cfg)
	if err != nil {
		tb.Fatalf("%s guest: %v", h.name, err)
	}
	return &fdWriteRun{run: mod.ExportedFunction("run"), stack: make([]uint64, 1), out: out}
}

// call runs the guest's run(count) and returns the sum of nwritten.
func (r *fdWriteRun) call(count uint32) (uint32, error) {
	r.stack[0] = uint64(count)
	err := r.run.CallWithStack(context.Background(), r.stack)
	return uint32(r.stack[0]), err
}

// TestFdWriteGuest checks that every host writes the same bytes and
// reports the same counts for the guest.
func TestFdWriteGuest(t *testing.T) {
	wasm, perCall := FdWriteGuest(fdWriteBuffers)
	want := bytes.Repeat(perCall, 3)
	for _, h := range wasiHosts {
		t.Run(h.name, func(t *testing.T) {
			r := newFdWriteRun(t, h, wasm)
			verify(t, uint32(len(want)))(r.call(3))
			if r.out.n != int64(len(want)) {
				t.Errorf("stdout got %d bytes, want %d", r.out.n, len(want))
			}
			verify(t, string(want))(r.out.keep.String(), nil)
			verify(t, uint32(0))(r.call(0))
		})
	}
}

// BenchmarkFdWrite runs the guest end to end under each host: one op is
// run(100), 100 fd_writes of 4 small buffers each. Stdout is a counting
// writer.
func BenchmarkFdWrite(b *testing.B) {
	wasm, perCall := FdWriteGuest(fdWriteBuffers)
	want := uint32(fdWriteCalls * len(perCall))
	for _, h := range wasiHosts {
		b.Run(h.name, func(b *testing.B) {
			r := newFdWriteRun(b, h, wasm)
			verify(b, want)(r.call(fdWriteCalls))
			start := r.out.n
			var ops int64
			for b.Loop() {
				if n, err := r.call(fdWriteCalls); err != nil || n != want {
					b.Fatalf("run: %d bytes, %v", n, err)
				}
				ops++
			}
			if got := r.out.n - start; got != ops*int64(want) {
				b.Fatalf("stdout got %d bytes in %d ops, want %d", got, ops, ops*int64(want))
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(ops*fdWriteCalls), "ns/write")
		})
	}
}
