package wazeromem_test

import (
	"context"
	"errors"
	"testing"

	"github.com/tetratelabs/wazero"

	"github.com/guestkit/guestkit/guestptr"
	wa "github.com/guestkit/guestkit/internal/wasmasm"
	"github.com/guestkit/guestkit/memory"
	"github.com/guestkit/guestkit/memory/wazeromem"
)

// allocModule exports malloc(n) (or cabi_realloc(old, old_size, align,
// n)) returning ret, a constant, and optionally a free(p) that stores p at
// address 8 so the test sees it was called; trap makes malloc trap.
func allocModule(realloc, free, trap bool, ret int32) []byte {
	const i32Store = 0x36
	params := []byte{wa.I32}
	name := "malloc"
	if realloc {
		params, name = []byte{wa.I32, wa.I32, wa.I32, wa.I32}, "cabi_realloc"
	}
	body := wa.I32Const(ret)
	if trap {
		body = []byte{wa.OpUnreachable}
	}
	types := [][]byte{wa.FuncType(params, []byte{wa.I32}), wa.FuncType([]byte{wa.I32}, nil)}
	funcs := [][]byte{wa.Uleb(0)}
	exports := [][]byte{wa.Export(name, wa.ExportFunc, 0), wa.Export("memory", wa.ExportMemory, 0)}
	codes := [][]byte{wa.Code(nil, body)}
	if free {
		funcs = append(funcs, wa.Uleb(1))
		exports = append(exports, wa.Export("free", wa.ExportFunc, 1))
		codes = append(codes, wa.Code(nil, wa.I32Const(8), wa.LocalGet(0), []byte{i32Store, 2, 0}))
	}
	return wa.Module(
		wa.Section(wa.SecType, types...),
		wa.Section(wa.SecFunction, funcs...),
		wa.Section(wa.SecMemory, wa.MemoryType(1)),
		wa.Section(wa.SecExport, exports...),
		wa.Section(wa.SecCode, codes...),
	)
}

func TestGuestAllocator(t *testing.T) {
	ctx := context.Background()
	r := wazero.NewRuntime(ctx)
	defer r.Close(ctx)
	n := 0
	inst := func(wasm []byte) (*wazeromem.GuestAllocator, *memory.Memory, error) {
		n++
		mod, err := r.InstantiateWithConfig(ctx, wasm, wazero.NewModuleConfig().WithName(string(rune('a'+n))))
		if err != nil {
			t.Fatal(err)
		}
		mem := wazeromem.Of(mod.Memory())
		if len(wasm) > 0 && mod.ExportedFunction("cabi_realloc") != nil {
			a, err := wazeromem.CABIRealloc(ctx, mod)
			return a, mem, err
		}
		a, err := wazeromem.Malloc(ctx, mod)
		return a, mem, err
	}

	// A good allocator: the block is checked and written.
	a, mem, err := inst(allocModule(false, true, false, 0x100))
	if err != nil {
		t.Fatal(err)
	}
	b := guestptr.NewBatch(mem, a)
	s, err := b.String("from the host")
	if err != nil || s.Addr() != 0x100 {
		t.Fatalf("Batch.String = %v, %v", s, err)
	}
	if got, _ := s.Read(); got != "from the host" {
		t.Errorf("read back %q", got)
	}
	if err := b.Abort(); err != nil {
		t.Fatal(err)
	}
	if freed, _ := guestptr.New[uint32](mem, 8).Read(); freed != 0x100 {
		t.Errorf("Abort did not call free(0x100): %#x", freed)
	}

	// cabi_realloc: Alloc and Free go through it.
	a, mem, err = inst(allocModule(true, false, false, 0x200))
	if err != nil {
		t.Fatal(err)
	}
	if p, err := guestptr.NewBatch(mem, a).Alloc(16, 8); p != 0x200 || err != nil {
		t.Errorf("cabi_realloc Alloc = %#x, %v", p, err)
	}
	if err := a.Free(0x200, 16, 8); err != nil {
		t.Errorf("cabi_realloc Free: %v", err)
	}

	// Malloc without free cannot free.
	a, _, _ = inst(allocModule(false, false, false, 0x100))
	if err := a.Free(0x100, 1, 1); !errors.Is(err, memory.ErrCannotFree) {
		t.Errorf("Free without a free export: %v", err)
	}

	// What the guest returns is checked.
	for _, tc := range []struct {
		name string
		ret  int32
		trap bool
		want error
	}{
		{"null", 0, false, guestptr.ErrAlloc},
		{"past the end", page - 2, false, guestptr.ErrOutOfBounds},
		{"misaligned", 0x101, false, guestptr.ErrMisaligned},
		{"wraps", -4, false, guestptr.ErrBadPointer},
		{"trap", 0, true, guestptr.ErrAlloc},
	} {
		a, mem, _ := inst(allocModule(false, true, tc.trap, tc.ret))
		if _, err := guestptr.NewBatch(mem, a).Alloc(8, 8); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}

	// No allocator exported.
	mod, err := r.InstantiateWithConfig(ctx, wa.Module(wa.Section(wa.SecMemory, wa.MemoryType(1))), wazero.NewModuleConfig().WithName("none"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := wazeromem.Malloc(ctx, mod); !errors.Is(err, wazeromem.ErrNoAllocator) {
		t.Errorf("Malloc of a module without malloc: %v", err)
	}
	if _, err := wazeromem.CABIRealloc(ctx, mod); !errors.Is(err, wazeromem.ErrNoAllocator) {
		t.Errorf("CABIRealloc of a module without it: %v", err)
	}
}
