package wazeromem_test

import (
	"context"
	"testing"
	"unsafe"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"

	"github.com/guestkit/guestkit/guestptr"
	wa "github.com/guestkit/guestkit/internal/wasmasm"
	"github.com/guestkit/guestkit/memory/wazeromem"
)

// TestAllocatorOwnsTheBytes instantiates a guest with guestkit's
// allocator and grows its memory while the host holds a MutView: Of finds
// the allocator's memory (the same bytes as wazero's), sees the growth,
// and the view's write reaches the memory whether the bytes stayed (a small
// maximum, reserved up front) or moved (a maximum past ReserveLimit).
func TestAllocatorOwnsTheBytes(t *testing.T) {
	for _, tt := range []struct {
		name  string
		mem   []byte
		moves bool
	}{
		{"reserved", wa.MemoryTypeMax(1, 4, false), false},
		{"moving", wa.MemoryType(1), true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ctx := wazeromem.WithAllocator(context.Background())
			g := newGuestCtx(t, ctx, wazero.NewRuntimeConfig(), growModule(tt.mem))
			g.run(t, func(ctx context.Context, mod api.Module) {
				mem := wazeromem.Of(mod.Memory())
				whole, _ := mod.Memory().Read(0, mod.Memory().Size())
				if unsafe.SliceData(mem.Bytes()) != unsafe.SliceData(whole) {
					t.Fatal("Of did not find the allocator's memory")
				}
				view, err := guestptr.NewSlice[byte](mem, 100, 4).AsSliceMut()
				if err != nil {
					t.Fatal(err)
				}
				before := unsafe.SliceData(mem.Bytes())
				if res := invoke(t, ctx, mod, "grow"); int32(res[0]) != 1 {
					t.Fatalf("memory.grow returned %d, want 1", int32(res[0]))
				}
				if got := len(mem.Bytes()); got != 2*page {
					t.Fatalf("after growth the memory has %d bytes, want %d", got, 2*page)
				}
				if moved := unsafe.SliceData(mem.Bytes()) != before; moved != tt.moves {
					t.Errorf("memory moved: %v, want %v", moved, tt.moves)
				}
				copy(view.Slice(), "grow")
				if err := view.Release(); err != nil {
					t.Fatal(err)
				}
				if got := read(t, mod.Memory(), 100, 4); string(got) != "grow" {
					t.Errorf("after Release the memory holds %q, want %q", got, "grow")
				}
				if _, err := guestptr.New[uint32](mem, page+8).Read(); err != nil {
					t.Errorf("read in the new page: %v", err)
				}
			})
		})
	}
}
