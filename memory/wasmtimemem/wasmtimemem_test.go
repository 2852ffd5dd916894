package wasmtimemem_test

import (
	"errors"
	"fmt"
	"testing"
	"unsafe"

	"github.com/bytecodealliance/wasmtime-go/v44"
	"github.com/google/go-cmp/cmp"

	"github.com/guestkit/guestkit/guestptr"
	"github.com/guestkit/guestkit/layout"
	"github.com/guestkit/guestkit/memory"
	"github.com/guestkit/guestkit/memory/wasmtimemem"
)

// newStore returns a store of an engine with memory64 enabled.
func newStore(t testing.TB) *wasmtime.Store {
	cfg := wasmtime.NewConfig()
	cfg.SetWasmMemory64(true)
	store := wasmtime.NewStore(wasmtime.NewEngineWithConfig(cfg))
	t.Cleanup(store.Close)
	return store
}

// newMemory returns a host-made wasmtime memory of pages pages, wasm32 or
// memory64.
func newMemory(t testing.TB, store *wasmtime.Store, is64 bool, pages uint64) *wasmtime.Memory {
	t.Helper()
	var ty *wasmtime.MemoryType
	var err error
	if is64 {
		ty, err = wasmtime.NewMemoryType64(pages, false, 0, false)
	} else {
		ty, err = wasmtime.NewMemoryType(uint32(pages), false, 0, false)
	}
	if err != nil {
		t.Fatal(err)
	}
	mem, err := wasmtime.NewMemory(store, ty)
	if err != nil {
		t.Fatal(err)
	}
	return mem
}

// record is a small guest struct with a validated field.
type record struct {
	ID    uint32
	Kind  kind
	Value uint64
}

type kind uint8

func (kind) GuestEnumCases() uint64 { return 3 }

var abis = []struct {
	name string
	is64 bool
	abi  layout.ABI
}{{"wasm32", false, layout.Wasm32}, {"wasm64", true, layout.Wasm64}}

// TestNew checks the ABI, the size and that reads and writes go through to
// wasmtime's bytes, read back with wasmtime's own API.
func TestNew(t *testing.T) {
	for _, tc := range abis {
		t.Run(tc.name, func(t *testing.T) {
			store := newStore(t)
			wmem := newMemory(t, store, tc.is64, 2)
			mem := wasmtimemem.New(store, wmem)
			if mem.ABI() != tc.abi || mem.Shared() || len(mem.Bytes()) != 2*memory.PageSize {
				t.Fatalf("ABI %v, shared %v, %d bytes", mem.ABI(), mem.Shared(), len(mem.Bytes()))
			}
			want := record{ID: 7, Kind: 2, Value: 1 << 40}
			if err := guestptr.New[record](mem, 0x1000).Write(want); err != nil {
				t.Fatal(err)
			}
			raw := wmem.UnsafeData(store)[0x1000:0x1010]
			wantRaw := []byte{7, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0}
			if diff := cmp.Diff(wantRaw, raw); diff != "" {
				t.Errorf("wasmtime's bytes (-want +got):\n%s", diff)
			}
			got, err := guestptr.New[record](mem, 0x1000).Read()
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("read (-want +got):\n%s", diff)
			}
		})
	}
}

// TestBadAddresses checks that guest input cannot make an access panic:
// addresses past the end, at the top of the address space, and a bad
// enum all fail with guestptr's errors.
func TestBadAddresses(t *testing.T) {
	for _, tc := range abis {
		t.Run(tc.name, func(t *testing.T) {
			store := newStore(t)
			mem := wasmtimemem.New(store, newMemory(t, store, tc.is64, 1))
			above4G := guestptr.ErrOverflow // past the wasm32 address space
			if tc.is64 {
				above4G = guestptr.ErrOutOfBounds
			}
			for _, c := range []struct {
				addr uint64
				err  error
			}{
				{memory.PageSize - 8, guestptr.ErrOutOfBounds},
				{1 << 32, above4G},
				{1<<64 - 8, guestptr.ErrOverflow},
				{0x104, guestptr.ErrMisaligned},
			} {
				if _, err := guestptr.New[record](mem, c.addr).Read(); !errors.Is(err, c.err) {
					t.Errorf("read at %#x: %v, want %v", c.addr, err, c.err)
				}
			}
			mem.Bytes()[0x204] = 3
			if _, err := guestptr.New[record](mem, 0x200).Read(); !errors.Is(err, guestptr.ErrInvalidEnum) {
				t.Errorf("read of kind 3: %v, want ErrInvalidEnum", err)
			}
		})
	}
}

// TestNilAndClosed checks that a nil memory and the memory of a closed
// store have no bytes: accesses fail instead of crashing.
func TestNilAndClosed(t *testing.T) {
	store := newStore(t)
	for name, mem := range map[string]*memory.Memory{
		"nil memory": wasmtimemem.New(store, nil),
		"nil store":  wasmtimemem.New(nil, newMemory(t, store, false, 1)),
	} {
		if _, err := guestptr.New[uint32](mem, 0).Read(); !errors.Is(err, guestptr.ErrOutOfBounds) || len(mem.Bytes()) != 0 {
			t.Errorf("%s: read %v, %d bytes", name, err, len(mem.Bytes()))
		}
	}

	closed := newStore(t)
	mem := wasmtimemem.New(closed, newMemory(t, closed, true, 1))
	if err := guestptr.New[uint32](mem, 0).Write(1); err != nil {
		t.Fatal(err)
	}
	closed.Close()
	if _, err := guestptr.New[uint32](mem, 0).Read(); !errors.Is(err, guestptr.ErrOutOfBounds) || len(mem.Bytes()) != 0 {
		t.Errorf("closed store: read %v, %d bytes", err, len(mem.Bytes()))
	}
}

// TestGrowthKeepsBase checks what the package documentation relies on:
// wasmtime grows a memory in place, to 1 GiB and beyond (address space
// only: the pages are never touched), for wasm32 and memory64 memories,
// and accesses see the new size at once.
func TestGrowthKeepsBase(t *testing.T) {
	for _, tc := range abis {
		t.Run(tc.name, func(t *testing.T) {
			store := newStore(t)
			wmem := newMemory(t, store, tc.is64, 1)
			mem := wasmtimemem.New(store, wmem)
			base := unsafe.SliceData(mem.Bytes())
			pages := uint64(1)
			for _, n := range []uint64{1, 62, 1 << 10, 1<<14 - 1<<10 - 64, 1 << 14} {
				if _, err := wmem.Grow(store, n); err != nil {
					t.Fatal(err)
				}
				pages += n
				end := pages * memory.PageSize
				if got := uint64(len(mem.Bytes())); got != end || unsafe.SliceData(mem.Bytes()) != base {
					t.Fatalf("after growing to %d pages: %d bytes, moved %v", pages, got, unsafe.SliceData(mem.Bytes()) != base)
				}
				if err := guestptr.New[uint64](mem, end-8).Write(pages); err != nil {
					t.Fatalf("write at the new end: %v", err)
				}
				if _, err := guestptr.New[uint64](mem, end).Read(); !errors.Is(err, guestptr.ErrOutOfBounds) {
					t.Fatalf("read past the new end: %v", err)
				}
			}
		})
	}
}

// TestLimiterStopsGrowthPastReservation checks the cap the package
// documentation recommends for memory64 memories: with the store limited
// to ReservedBytes, growth past it fails and the memory stays as it was.
func TestLimiterStopsGrowthPastReservation(t *testing.T) {
	store := newStore(t)
	store.Limiter(wasmtimemem.ReservedBytes, -1, -1, -1, -1)
	wmem := newMemory(t, store, true, 1)
	mem := wasmtimemem.New(store, wmem)
	base := unsafe.SliceData(mem.Bytes())
	if _, err := wmem.Grow(store, wasmtimemem.ReservedBytes/memory.PageSize); err == nil {
		t.Fatalf("grew to %d bytes, past the limit", len(mem.Bytes()))
	}
	if len(mem.Bytes()) != memory.PageSize || unsafe.SliceData(mem.Bytes()) != base {
		t.Errorf("after the failed growth: %d bytes, moved %v", len(mem.Bytes()), unsafe.SliceData(mem.Bytes()) != base)
	}
}

// viewGuest is a guest whose export start calls the host's cb, and whose
// export grow grows its memory; %s is the memory's index type.
const viewGuest = `(module
	(import "host" "cb" (func $cb))
	(memory (export "memory") %[1]s 1)
	(func (export "grow") (param %[1]s) (result %[1]s) local.get 0 memory.grow)
	(func (export "start") call $cb))`

// TestMutViewAcrossGuestGrowth holds a mutable view in a host function
// while the guest grows its memory (a call back into the guest's grow),
// writes through the view after the growth and releases it: the guest's
// memory, read with wasmtime's own API, holds the writes.
func TestMutViewAcrossGuestGrowth(t *testing.T) {
	for _, tc := range abis {
		t.Run(tc.name, func(t *testing.T) {
			store := newStore(t)
			idx := map[bool]string{false: "i32", true: "i64"}[tc.is64]
			wasm, err := wasmtime.Wat2Wasm(fmt.Sprintf(viewGuest, idx))
			if err != nil {
				t.Fatal(err)
			}
			module, err := wasmtime.NewModule(store.Engine, wasm)
			if err != nil {
				t.Fatal(err)
			}
			var mem *memory.Memory
			var hostErr error
			cb := wasmtime.WrapFunc(store, func(caller *wasmtime.Caller) {
				hostErr = func() error {
					view, err := guestptr.NewSlice[uint64](mem, 0x100, 4).AsSliceMut()
					if err != nil {
						return err
					}
					before := len(mem.Bytes())
					var pages any = int32(2)
					if tc.is64 {
						pages = int64(2)
					}
					if _, err := caller.GetExport("grow").Func().Call(caller, pages); err != nil {
						return err
					}
					if len(mem.Bytes()) != before+2*memory.PageSize {
						return fmt.Errorf("the memory did not grow: %d bytes", len(mem.Bytes()))
					}
					// The new pages are reachable while the view is held.
					if err := guestptr.New[uint64](mem, 3*memory.PageSize-8).Write(99); err != nil {
						return err
					}
					for i := range view.Slice() {
						view.Slice()[i] = uint64(i+1) << 33
					}
					return view.Release()
				}()
			})
			instance, err := wasmtime.NewInstance(store, module, []wasmtime.AsExtern{cb})
			if err != nil {
				t.Fatal(err)
			}
			wmem := instance.GetExport(store, "memory").Memory()
			mem = wasmtimemem.New(store, wmem)
			if _, err := instance.GetFunc(store, "start").Call(store); err != nil {
				t.Fatal(err)
			}
			if hostErr != nil {
				t.Fatal(hostErr)
			}
			raw := wmem.UnsafeData(store)
			if len(raw) != 3*memory.PageSize {
				t.Fatalf("the guest's memory is %d bytes", len(raw))
			}
			var got []uint64
			for i := range 4 {
				got = append(got, *(*uint64)(unsafe.Pointer(&raw[0x100+8*i])))
			}
			if diff := cmp.Diff([]uint64{1 << 33, 2 << 33, 3 << 33, 4 << 33}, got); diff != "" {
				t.Errorf("the view's writes in the guest's memory (-want +got):\n%s", diff)
			}
			if last := raw[len(raw)-8]; last != 99 {
				t.Errorf("the write to the new pages: %d", last)
			}
		})
	}
}

// TestCallerStore checks that a memory made from a *wasmtime.Caller works
// during its host call.
func TestCallerStore(t *testing.T) {
	store := newStore(t)
	wasm, err := wasmtime.Wat2Wasm(fmt.Sprintf(viewGuest, "i64"))
	if err != nil {
		t.Fatal(err)
	}
	module, err := wasmtime.NewModule(store.Engine, wasm)
	if err != nil {
		t.Fatal(err)
	}
	var got record
	var hostErr error
	cb := wasmtime.WrapFunc(store, func(caller *wasmtime.Caller) {
		mem := wasmtimemem.New(caller, caller.GetExport("memory").Memory())
		if hostErr = guestptr.New[record](mem, 0x10).Write(record{ID: 1, Kind: 1, Value: 2}); hostErr == nil {
			got, hostErr = guestptr.New[record](mem, 0x10).Read()
		}
		if mem.ABI() != layout.Wasm64 {
			hostErr = fmt.Errorf("ABI %v", mem.ABI())
		}
	})
	instance, err := wasmtime.NewInstance(store, module, []wasmtime.AsExtern{cb})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := instance.GetFunc(store, "start").Call(store); err != nil {
		t.Fatal(err)
	}
	if hostErr != nil {
		t.Fatal(hostErr)
	}
	if diff := cmp.Diff(record{ID: 1, Kind: 1, Value: 2}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
