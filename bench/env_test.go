package bench

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"

	"github.com/guestkit/guestkit/memory"
)

// env is the fixture loaded into a memory.Memory and a wazero memory, with
// every impl bound to them.
type env struct {
	fx  *Fixture
	lin *memory.Memory
	wz  api.Memory
	gk  Guestkit
	hw  Handwritten
	wzi Wazero
	sb  Stdbinary
	cp  Copy
}

func newEnv(tb testing.TB) *env {
	tb.Helper()
	ctx := context.Background()
	fx := NewFixture()
	rt := wazero.NewRuntime(ctx)
	tb.Cleanup(func() { rt.Close(ctx) })
	mod, err := NewWazeroMemory(ctx, rt, fx.Image)
	if err != nil {
		tb.Fatal(err)
	}
	lin := fx.Linear()
	return &env{
		fx: fx, lin: lin, wz: mod.Memory(),
		gk: Guestkit{lin}, hw: Handwritten{lin}, wzi: Wazero{mod.Memory()},
		sb: Stdbinary{lin}, cp: Copy{lin},
	}
}

// poke writes b at addr in both memories.
func (e *env) poke(tb testing.TB, addr uint32, b []byte) {
	tb.Helper()
	copy(e.lin.Bytes()[addr:], b)
	if !e.wz.Write(addr, b) {
		tb.Fatalf("poke %#x: out of bounds", addr)
	}
}

// reset puts the fixture's bytes back in both memories.
func (e *env) reset(tb testing.TB) {
	tb.Helper()
	e.poke(tb, 0, e.fx.Image)
}

// bytesAt returns n bytes at addr of the Linear memory and of the wazero
// memory.
func (e *env) bytesAt(tb testing.TB, addr, n uint32) (lin, wz []byte) {
	tb.Helper()
	w, ok := e.wz.Read(addr, n)
	if !ok {
		tb.Fatalf("read %#x: out of bounds", addr)
	}
	return append([]byte(nil), e.lin.Bytes()[addr:addr+n]...), append([]byte(nil), w...)
}

// verify returns a function that fails tb unless it gets want and no
// error; call it as verify(b, want)(impl.Op(args)).
func verify[T any](tb testing.TB, want T) func(T, error) {
	return func(got T, err error) {
		tb.Helper()
		if err != nil {
			tb.Fatalf("error: %v", err)
		}
		if d := cmp.Diff(want, got); d != "" {
			tb.Fatalf("result differs (-want +got):\n%s", d)
		}
	}
}
