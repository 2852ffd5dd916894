package wazeromem_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"unsafe"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"

	"github.com/guestkit/guestkit/guestptr"
	wa "github.com/guestkit/guestkit/internal/wasmasm"
	"github.com/guestkit/guestkit/layout"
	"github.com/guestkit/guestkit/memory"
	"github.com/guestkit/guestkit/memory/wazeromem"
)

const page = memory.PageSize

// growModule is a guest with the given memory type that imports host.touch
// and exports
//
//	grow() -> i32         memory.grow 1, returning the previous pages or -1
//	run()                 calls host.touch
//	poke(addr, byte i32)  stores the byte at addr
//	memory
func growModule(memType []byte) []byte {
	return wa.Module(
		wa.Section(wa.SecType, wa.FuncType(nil, nil), wa.FuncType(nil, []byte{wa.I32}), wa.FuncType([]byte{wa.I32, wa.I32}, nil)),
		wa.Section(wa.SecImport, wa.ImportFunc("host", "touch", 0)),
		wa.Section(wa.SecFunction, wa.Uleb(1), wa.Uleb(0), wa.Uleb(2)),
		wa.Section(wa.SecMemory, memType),
		wa.Section(wa.SecExport,
			wa.Export("grow", wa.ExportFunc, 1), wa.Export("run", wa.ExportFunc, 2),
			wa.Export("poke", wa.ExportFunc, 3), wa.Export("memory", wa.ExportMemory, 0)),
		wa.Section(wa.SecCode,
			wa.Code(nil, wa.I32Const(1), wa.MemoryGrow()),
			wa.Code(nil, wa.Call(0)),
			wa.Code(nil, wa.LocalGet(0), wa.LocalGet(1), wa.I32Store8())),
	)
}

// guest is an instance of a module importing host.touch, which calls
// touch.
type guest struct {
	mod   api.Module
	touch func(ctx context.Context, mod api.Module)
}

// newGuest instantiates wasm in a runtime configured by cfg, closed when
// the test ends.
func newGuest(t *testing.T, cfg wazero.RuntimeConfig, wasm []byte) *guest {
	t.Helper()
	return newGuestCtx(t, context.Background(), cfg, wasm)
}

// newGuestCtx is newGuest instantiating with ctx.
func newGuestCtx(t *testing.T, ctx context.Context, cfg wazero.RuntimeConfig, wasm []byte) *guest {
	t.Helper()
	r := wazero.NewRuntimeWithConfig(ctx, cfg)
	t.Cleanup(func() { r.Close(ctx) })
	g := &guest{}
	_, err := r.NewHostModuleBuilder("host").NewFunctionBuilder().
		WithFunc(func(ctx context.Context, mod api.Module) { g.touch(ctx, mod) }).
		Export("touch").Instantiate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if g.mod, err = r.Instantiate(ctx, wasm); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { wazeromem.Forget(g.mod.Memory()) })
	return g
}

// invoke calls an export of the guest.
func invoke(t *testing.T, ctx context.Context, mod api.Module, name string, args ...uint64) []uint64 {
	t.Helper()
	res, err := mod.ExportedFunction(name).Call(ctx, args...)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return res
}

// run calls the guest's run export, and so touch.
func (g *guest) run(t *testing.T, touch func(ctx context.Context, mod api.Module)) {
	t.Helper()
	g.touch = touch
	invoke(t, context.Background(), g.mod, "run")
}

// engines are the runtime configurations the growth tests run under.
var engines = []struct {
	name string
	cfg  func() wazero.RuntimeConfig
}{
	{"compiler", wazero.NewRuntimeConfig},
	{"interpreter", wazero.NewRuntimeConfigInterpreter},
}

func read(t *testing.T, m api.Memory, addr, n uint32) []byte {
	t.Helper()
	b, ok := m.Read(addr, n)
	if !ok {
		t.Fatalf("read of %d bytes at %#x out of range", n, addr)
	}
	return bytes.Clone(b)
}

func TestAdapter(t *testing.T) {
	g := newGuest(t, wazero.NewRuntimeConfig(), growModule(wa.MemoryType(1)))
	m := g.mod.Memory()
	a := wazeromem.New(m)
	b := a.Bytes()
	whole, _ := m.Read(0, m.Size())
	if len(b) != page || unsafe.SliceData(b) != unsafe.SliceData(whole) {
		t.Errorf("Bytes: %d bytes at %p, want %d bytes at %p, aliasing the memory", len(b), unsafe.SliceData(b), page, unsafe.SliceData(whole))
	}
	if a.ABI() != layout.Wasm32 || a.Shared() || a.Borrows() != a.Borrows() {
		t.Errorf("ABI %v, Shared %v, Borrows stable %v", a.ABI(), a.Shared(), a.Borrows() == a.Borrows())
	}

	// guestptr and wazero see each other's writes.
	if err := guestptr.New[uint32](a, 64).Write(0xfeedface); err != nil {
		t.Fatal(err)
	}
	if v, _ := m.ReadUint32Le(64); v != 0xfeedface {
		t.Errorf("wazero read %#x, want 0xfeedface", v)
	}
	m.WriteUint64Le(page-8, 0x0102030405060708)
	if v, err := guestptr.New[uint64](a, page-8).Read(); v != 0x0102030405060708 || err != nil {
		t.Errorf("guestptr read %#x, %v", v, err)
	}
	if _, err := guestptr.New[uint64](a, page-4).Read(); !errors.Is(err, guestptr.ErrOutOfBounds) {
		t.Errorf("read past the end: %v, want ErrOutOfBounds", err)
	}

	// Of keeps one adapter per memory until Forget; New makes a new one.
	of := wazeromem.Of(m)
	if wazeromem.Of(m) != of || of == a {
		t.Errorf("Of returned another adapter, or New's")
	}
	other := newGuest(t, wazero.NewRuntimeConfig(), growModule(wa.MemoryType(1)))
	if wazeromem.Of(other.mod.Memory()) == of {
		t.Errorf("Of returned one adapter for two memories")
	}
	wazeromem.Forget(m)
	if wazeromem.Of(m) == of {
		t.Errorf("Of returned the adapter it was told to forget")
	}
}

// TestOfSharesBorrows checks that a view taken in one host call, through
// Of, holds in the next call, and that an adapter from New tracks its own
// borrows.
func TestOfSharesBorrows(t *testing.T) {
	g := newGuest(t, wazero.NewRuntimeConfig(), growModule(wa.MemoryType(1)))
	var view guestptr.MutView[byte]
	g.run(t, func(_ context.Context, mod api.Module) {
		var err error
		if view, err = guestptr.NewSlice[byte](wazeromem.Of(mod.Memory()), 32, 8).AsSliceMut(); err != nil {
			t.Error(err)
		}
	})
	g.run(t, func(_ context.Context, mod api.Module) {
		if _, err := guestptr.New[byte](wazeromem.Of(mod.Memory()), 36).Read(); !errors.Is(err, guestptr.ErrBorrowed) {
			t.Errorf("read under a view from the previous call: %v, want ErrBorrowed", err)
		}
		if _, err := guestptr.New[byte](wazeromem.New(mod.Memory()), 36).Read(); err != nil {
			t.Errorf("read through a separate adapter: %v", err)
		}
		if err := view.Release(); err != nil {
			t.Error(err)
		}
		if _, err := guestptr.New[byte](wazeromem.Of(mod.Memory()), 36).Read(); err != nil {
			t.Errorf("read after Release: %v", err)
		}
	})
}

// TestOfConcurrent looks up and reads one memory from many goroutines.
func TestOfConcurrent(t *testing.T) {
	g := newGuest(t, wazero.NewRuntimeConfig(), growModule(wa.MemoryType(1)))
	m := g.mod.Memory()
	g.mod.Memory().WriteUint32Le(128, 42)
	var wg sync.WaitGroup
	adapters := make([]*memory.Memory, 8)
	for i := range adapters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			adapters[i] = wazeromem.Of(m)
			for range 100 {
				v, err := guestptr.New[uint32](adapters[i], 128).Read()
				if v != 42 || err != nil {
					t.Errorf("read %d, %v", v, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	for _, a := range adapters {
		if a != adapters[0] {
			t.Fatal("Of returned several adapters for one memory")
		}
	}
}

// TestNoMemory checks a host function called by a module without memory:
// wazero hands it a non-nil api.Memory holding a nil pointer.
func TestNoMemory(t *testing.T) {
	wasm := wa.Module(
		wa.Section(wa.SecType, wa.FuncType(nil, nil)),
		wa.Section(wa.SecImport, wa.ImportFunc("host", "touch", 0)),
		wa.Section(wa.SecFunction, wa.Uleb(0)),
		wa.Section(wa.SecExport, wa.Export("run", wa.ExportFunc, 1)),
		wa.Section(wa.SecCode, wa.Code(nil, wa.Call(0))),
	)
	g := newGuest(t, wazero.NewRuntimeConfig(), wasm)
	g.run(t, func(_ context.Context, mod api.Module) {
		if mod.Memory() == nil {
			t.Log("wazero passed a nil api.Memory")
		}
		for _, m := range []*memory.Memory{wazeromem.Of(mod.Memory()), wazeromem.New(nil)} {
			if n := len(m.Bytes()); n != 0 {
				t.Errorf("Bytes has %d bytes", n)
			}
			if _, err := guestptr.New[uint32](m, 0).Read(); !errors.Is(err, guestptr.ErrOutOfBounds) {
				t.Errorf("read: %v, want ErrOutOfBounds", err)
			}
		}
	})
}

// TestMaxMemory checks Bytes on a memory of the maximum 65536 pages, whose
// size in bytes (2^32) overflows wazero's api.Memory.Size.
func TestMaxMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("reserves 4 GiB of address space")
	}
	// The interpreter: wazero v1.12's compiler traps on every guest access
	// to a memory of 65536 pages, as if its length were 0.
	g := newGuest(t, wazero.NewRuntimeConfigInterpreter(), growModule(wa.MemoryType(1<<16)))
	m := g.mod.Memory()
	a := wazeromem.Of(m)
	if n := uint64(len(a.Bytes())); n != 1<<32 {
		t.Fatalf("Bytes has %#x bytes, want 1<<32 (Size says %d)", n, m.Size())
	}
	// wazero's own reads panic this close to 2^32 (offset+n overflows
	// uint32), so check the last byte with the guest's store, and a word
	// just before it with wazero.
	invoke(t, context.Background(), g.mod, "poke", 1<<32-1, 0x77)
	if v, err := guestptr.New[byte](a, 1<<32-1).Read(); v != 0x77 || err != nil {
		t.Errorf("the last byte: %#x, %v; the guest stored 0x77", v, err)
	}
	const last = 1<<32 - 4
	if err := guestptr.New[uint32](a, last-4).Write(0xfeedface); err != nil {
		t.Fatal(err)
	}
	if v, _ := m.ReadUint32Le(last - 4); v != 0xfeedface {
		t.Errorf("wazero read %#x, want 0xfeedface", v)
	}
	if _, err := guestptr.New[uint32](a, last+2).Read(); !errors.Is(err, guestptr.ErrOutOfBounds) && !errors.Is(err, guestptr.ErrOverflow) {
		t.Errorf("read across the end: %v", err)
	}
}

// TestOfDoesNotLeak instantiates and closes many modules with 1 MiB
// memories, looking each one up with Of: once closed, their memories must
// be collected, since Of holds neither them nor their adapters.
func TestOfDoesNotLeak(t *testing.T) {
	ctx := context.Background()
	r := wazero.NewRuntime(ctx)
	defer r.Close(ctx)
	if _, err := r.NewHostModuleBuilder("host").NewFunctionBuilder().
		WithFunc(func(context.Context, api.Module) {}).Export("touch").Instantiate(ctx); err != nil {
		t.Fatal(err)
	}
	compiled, err := r.CompileModule(ctx, growModule(wa.MemoryType(16)))
	if err != nil {
		t.Fatal(err)
	}
	heap := func() uint64 {
		var ms runtime.MemStats
		for range 3 {
			runtime.GC()
		}
		runtime.ReadMemStats(&ms)
		return ms.HeapInuse
	}
	before := heap()
	const modules = 100
	for i := range modules {
		mod, err := r.InstantiateModule(ctx, compiled, wazero.NewModuleConfig().WithName(fmt.Sprint("m", i)))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := guestptr.New[uint32](wazeromem.Of(mod.Memory()), 0).Read(); err != nil {
			t.Fatal(err)
		}
		if err := mod.Close(ctx); err != nil {
			t.Fatal(err)
		}
	}
	after := heap()
	// 100 leaked memories would be 100 MiB; allow a few for noise.
	if grown := int64(after) - int64(before); grown > 16<<20 {
		t.Errorf("heap grew by %d MiB after %d modules were closed: memories are kept alive", grown>>20, modules)
	}
}
