package wazeromem_test

import (
	"context"
	"errors"
	"testing"
	"unsafe"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"

	"github.com/guestkit/guestkit/guestptr"
	wa "github.com/guestkit/guestkit/internal/wasmasm"
	"github.com/guestkit/guestkit/memory/wazeromem"
)

// TestGrowMovesMemoryUnderMutView holds a MutView while the guest, called
// back from the host function, runs memory.grow. With wazero's default
// configuration (capacity = the minimum) growth moves the memory; the view's
// writes land in the old bytes and Release writes them through. Reads after
// growth see the new memory; a shared View keeps the old bytes.
func TestGrowMovesMemoryUnderMutView(t *testing.T) {
	const text = "written in view!"
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			g := newGuest(t, e.cfg(), growModule(wa.MemoryType(1)))
			g.mod.Memory().Write(200, []byte{1, 2, 3, 4})
			g.run(t, func(ctx context.Context, mod api.Module) {
				mem := wazeromem.Of(mod.Memory())
				if _, err := guestptr.New[uint32](mem, page+8).Read(); !errors.Is(err, guestptr.ErrOutOfBounds) {
					t.Errorf("read in page 1 before growth: %v, want ErrOutOfBounds", err)
				}
				view, err := guestptr.NewSlice[byte](mem, 100, 16).AsSliceMut()
				if err != nil {
					t.Fatal(err)
				}
				shared, err := guestptr.NewSlice[byte](mem, 200, 4).AsSlice()
				if err != nil {
					t.Fatal(err)
				}
				before := unsafe.SliceData(mem.Bytes())

				if res := invoke(t, ctx, mod, "grow"); int32(res[0]) != 1 {
					t.Fatalf("memory.grow returned %d, want 1 (the previous pages)", int32(res[0]))
				}
				b := mem.Bytes()
				if len(b) != 2*page {
					t.Fatalf("after growth Bytes has %d bytes, want %d", len(b), 2*page)
				}
				if unsafe.SliceData(b) == before {
					t.Fatalf("wazero grew the memory in place; this test needs it to move")
				}

				copy(view.Slice(), text)
				if got := read(t, mod.Memory(), 100, 16); string(got) == text {
					t.Errorf("the view's write reached the moved memory before Release")
				}
				if _, err := guestptr.New[byte](mem, 104).Read(); !errors.Is(err, guestptr.ErrBorrowed) {
					t.Errorf("read under the view after growth: %v, want ErrBorrowed", err)
				}
				if err := view.Release(); err != nil {
					t.Fatal(err)
				}
				if got := read(t, mod.Memory(), 100, 16); string(got) != text {
					t.Errorf("after Release the memory holds %q, want %q", got, text)
				}

				// The guest writes the shared view's region in the new
				// memory: the view shows the old bytes, a read the new.
				invoke(t, ctx, mod, "poke", 200, 9)
				if got := shared.Slice()[0]; got != 1 {
					t.Errorf("the shared view shows %d, want the old 1", got)
				}
				if v, err := guestptr.New[byte](mem, 200).Read(); v != 9 || err != nil {
					t.Errorf("read after growth: %d, %v; want the guest's 9", v, err)
				}
				if err := shared.Release(); err != nil {
					t.Error(err)
				}

				// Reads after growth see the new page.
				mod.Memory().WriteUint32Le(page+8, 0xfeedface)
				if v, err := guestptr.New[uint32](mem, page+8).Read(); v != 0xfeedface || err != nil {
					t.Errorf("read in page 1: %#x, %v", v, err)
				}
			})
			if got := read(t, g.mod.Memory(), 100, 16); string(got) != text {
				t.Errorf("after the call the memory holds %q, want %q", got, text)
			}
		})
	}
}

// TestGrowInPlace grows a memory whose capacity was allocated up front
// (WithMemoryCapacityFromMax): the bytes do not move, so a view's writes
// reach the memory at once.
func TestGrowInPlace(t *testing.T) {
	cfg := wazero.NewRuntimeConfig().WithMemoryCapacityFromMax(true)
	g := newGuest(t, cfg, growModule(wa.MemoryTypeMax(1, 4, false)))
	g.run(t, func(ctx context.Context, mod api.Module) {
		mem := wazeromem.Of(mod.Memory())
		err := guestptr.WithSliceMut(guestptr.NewSlice[byte](mem, 100, 4), func(b []byte) error {
			before := unsafe.SliceData(mem.Bytes())
			invoke(t, ctx, mod, "grow")
			if after := mem.Bytes(); unsafe.SliceData(after) != before || len(after) != 2*page {
				t.Errorf("growth moved the memory or did not grow it: %d bytes", len(after))
			}
			copy(b, "abcd")
			if got := read(t, mod.Memory(), 100, 4); string(got) != "abcd" {
				t.Errorf("the view's write is not in memory before Release: %q", got)
			}
			return nil
		})
		if err != nil {
			t.Error(err)
		}
	})
}

// TestGuestWriteUnderMutView pins what borrows cannot do: they bind host
// code, not the guest. A guest store into a region a MutView holds is seen
// through the view while the memory stays in place; once the memory has
// moved, the store lands in the new memory and Release writes the view's
// bytes over it.
func TestGuestWriteUnderMutView(t *testing.T) {
	cases := []struct {
		name  string
		cfg   wazero.RuntimeConfig
		mem   []byte
		after byte // byte 100 after Release
	}{
		{"in place", wazero.NewRuntimeConfig().WithMemoryCapacityFromMax(true), wa.MemoryTypeMax(1, 2, false), 0x55},
		{"moved", wazero.NewRuntimeConfig(), wa.MemoryType(1), 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := newGuest(t, tc.cfg, growModule(tc.mem))
			g.run(t, func(ctx context.Context, mod api.Module) {
				mem := wazeromem.Of(mod.Memory())
				view, err := guestptr.NewSlice[byte](mem, 100, 4).AsSliceMut()
				if err != nil {
					t.Fatal(err)
				}
				invoke(t, ctx, mod, "grow")
				invoke(t, ctx, mod, "poke", 100, 0x55)
				if got, want := view.Slice()[0], tc.after; got != want {
					t.Errorf("the view shows %#x, want %#x", got, want)
				}
				if err := view.Release(); err != nil {
					t.Fatal(err)
				}
				if got := read(t, mod.Memory(), 100, 1)[0]; got != tc.after {
					t.Errorf("after Release byte 100 is %#x, want %#x", got, tc.after)
				}
			})
		})
	}
}

// TestSharedMemory checks a memory the guest declares shared (threads):
// the adapter reports it shared, refuses views with ErrShared, and copies
// work. wazero allocates a shared memory's maximum up front, so growth
// never moves it.
func TestSharedMemory(t *testing.T) {
	cfg := wazero.NewRuntimeConfig().WithCoreFeatures(api.CoreFeaturesV2 | experimental.CoreFeaturesThreads)
	g := newGuest(t, cfg, growModule(wa.MemoryTypeMax(1, 2, true)))
	g.run(t, func(ctx context.Context, mod api.Module) {
		if !wazeromem.New(mod.Memory()).Shared() {
			t.Fatal("New: Shared is false for a shared memory")
		}
		mem := wazeromem.Of(mod.Memory())
		if !mem.Shared() {
			t.Fatal("Of: Shared is false for a shared memory")
		}
		s := guestptr.NewSlice[uint32](mem, 64, 4)
		if err := s.CopyFromSlice([]uint32{1, 2, 3, 4}); err != nil {
			t.Fatal(err)
		}
		if got, err := s.ToSlice(); err != nil || len(got) != 4 || got[3] != 4 {
			t.Errorf("ToSlice: %v, %v", got, err)
		}
		if _, err := s.AsSlice(); !errors.Is(err, guestptr.ErrShared) {
			t.Errorf("AsSlice: %v, want ErrShared", err)
		}
		if _, err := s.AsSliceMut(); !errors.Is(err, guestptr.ErrShared) {
			t.Errorf("AsSliceMut: %v, want ErrShared", err)
		}
		if _, err := guestptr.NewString(mem, 64, 4).AsStr(); !errors.Is(err, guestptr.ErrShared) {
			t.Errorf("AsStr: %v, want ErrShared", err)
		}
		if mem.Borrows().Held() != 0 {
			t.Errorf("a refused view left %d borrows held", mem.Borrows().Held())
		}

		before := unsafe.SliceData(mem.Bytes())
		invoke(t, ctx, mod, "grow")
		if b := mem.Bytes(); unsafe.SliceData(b) != before || len(b) != 2*page {
			t.Errorf("growth moved the shared memory or did not grow it: %d bytes", len(b))
		}
	})
}

// TestNewShared marks an unshared memory shared.
func TestNewShared(t *testing.T) {
	g := newGuest(t, wazero.NewRuntimeConfig(), growModule(wa.MemoryType(1)))
	mem := wazeromem.NewShared(g.mod.Memory())
	if !mem.Shared() {
		t.Fatal("NewShared: Shared is false")
	}
	if _, err := guestptr.NewSlice[byte](mem, 0, 8).AsSlice(); !errors.Is(err, guestptr.ErrShared) {
		t.Errorf("AsSlice: %v, want ErrShared", err)
	}
}
