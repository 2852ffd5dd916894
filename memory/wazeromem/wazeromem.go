// Package wazeromem connects wazero (github.com/tetratelabs/wazero)
// memories to guestkit, so host functions can use guestptr on the memory
// of the module that called them:
//
//	ctx = wazeromem.WithAllocator(ctx) // before instantiating: guestkit owns the bytes
//	...
//	func hostFn(ctx context.Context, mod api.Module, addr uint32) {
//		req, err := guestptr.New[Request](wazeromem.Of(mod.Memory()), uint64(addr)).Read()
//		...
//	}
//
// [Of] returns one *memory.Memory per wazero memory, so every host call on
// a memory shares one borrow tracker. It holds neither the memory nor its
// adapter alive, so closed modules are collected as usual; there is no
// need to forget a memory (see [Forget] for when there is).
//
// # Two kinds of memory
//
// With [WithAllocator] (wazero's experimental.WithMemoryAllocator), the
// guest's memory is allocated by guestkit: wazero tells the allocator the
// exact size at instantiation and on every memory.grow, so an access
// fetches the bytes with one atomic load. On Linux the allocator reserves
// the memory's maximum as address space up front and commits pages as the
// memory grows, so the bytes never move: views stay valid across growth,
// and shared memories (which must not move) are served too. Elsewhere it
// allocates Go slices that move on growth, with the maximum reserved up
// front for memories of at most [ReserveLimit] bytes.
//
// A memory that guestkit did not allocate (no allocator installed, or a
// module instantiated before) is wrapped: its bytes are fetched from
// wazero on every access, two calls into wazero, so accesses after growth
// still reach the new bytes.
//
// # Growth
//
// Reads and writes after growth reach the new memory. A guestptr.MutView
// held across growth writes its bytes through to the new location when
// released if the memory moved, so no write made through it is lost; a
// guestptr.View held across growth keeps showing the old bytes, which stay
// allocated while the view holds them (guestkit's own allocator never
// frees bytes a view can reach: its pages are unmapped when the Memory is
// collected, not when wazero frees it).
//
// Borrows bind host code, not the guest. If guest code runs while a
// MutView is held (a host function calling back into the guest) and stores
// into the view's region, the store shows through the view while the memory
// stays in place; if the memory moved, the store lands in the new memory and
// Release writes the view's bytes over it.
//
// # Shared memories
//
// A memory the guest declares shared (wazero's experimental threads
// feature) is reported by Shared, so guestptr refuses views of it
// (guestptr.ErrShared), copies every value out before checking it, and
// writes fields without touching padding.
//
// # Limits
//
// A module without a memory gets a memory of 0 bytes. A memory of the
// maximum 65536 pages (4 GiB), whose size api.Memory.Size cannot return,
// is seen whole.
package wazeromem

import (
	"math"
	"reflect"
	"runtime"
	"sync"
	"sync/atomic"
	"unsafe"
	"weak"

	"github.com/tetratelabs/wazero/api"

	"github.com/guestkit/guestkit/layout"
	"github.com/guestkit/guestkit/memory"
)

// New wraps m, a memory guestkit did not allocate: its bytes are fetched
// from wazero on every access. The memory is shared when the module
// declared it shared (threads enabled); wazero's api does not say so
// directly, so New reads it from the memory instance. Prefer [Of], which
// shares one memory per wazero memory and knows guestkit's allocations.
//
// A module without a memory has a nil api.Memory, or (from
// api.Module.Memory) a non-nil one holding a nil pointer. New takes either
// as a memory of 0 bytes, where every access fails as out of bounds.
func New(m api.Memory) *memory.Memory {
	m, shared := inspect(m)
	return wrap(m, shared)
}

// NewShared wraps m and marks it shared whatever the instance says.
func NewShared(m api.Memory) *memory.Memory {
	m, _ = inspect(m)
	return wrap(m, true)
}

func wrap(m api.Memory, shared bool) *memory.Memory {
	if m == nil {
		return memory.Over(nil, layout.Wasm32, shared)
	}
	return memory.Wrap(func() []byte { return bytesOf(m) }, layout.Wasm32, shared)
}

// inspect returns m, or nil if m holds a nil pointer, and the Shared field
// of wazero's memory instance, if it has one.
func inspect(m api.Memory) (api.Memory, bool) {
	v := reflect.ValueOf(m)
	if !v.IsValid() || v.Kind() == reflect.Pointer && v.IsNil() {
		return nil, false
	}
	if v.Kind() == reflect.Pointer && v.Elem().Kind() == reflect.Struct {
		if f := v.Elem().FieldByName("Shared"); f.IsValid() && f.Kind() == reflect.Bool {
			return m, f.Bool()
		}
	}
	return m, false
}

// bytesOf returns m's current bytes.
func bytesOf(m api.Memory) []byte {
	if n := m.Size(); n != 0 {
		b, _ := m.Read(0, n)
		return b
	}
	// Size is 0 for an empty memory, but also, overflowing uint32, for a
	// memory of the maximum 65536 pages (4 GiB), which Read cannot return
	// whole: extend its 4 GiB - 1 bytes by the last one, which the
	// instance's buffer holds.
	b, ok := m.Read(0, math.MaxUint32)
	if !ok {
		return nil
	}
	return unsafe.Slice(unsafe.SliceData(b), len(b)+1)
}

// adapters maps the address of a wazero memory instance to a weak pointer
// to its adapter. Nothing here keeps a memory or an adapter alive: an
// adapter lives as long as someone holds it or a view it lent, and a closed
// module's memory is collected as usual.
var adapters sync.Map // uintptr -> *adapter

// Of returns the guestkit memory of m, making it on first use, so that
// host calls on one memory share one borrow tracker for as long as any
// view of it is held: the memory guestkit's allocator made for m, or else
// a wrapper. A lookup takes no lock and does not allocate. Of keeps
// neither m nor the memory alive: once a module is closed and unreachable,
// its memory is collected.
func Of(m api.Memory) *memory.Memory {
	key := instanceAddress(m)
	if key == 0 {
		return New(m)
	}
	if last := lastOf.Load(); last != nil && last.key == key {
		if a := last.of(m); a != nil {
			return a
		}
	}
	if w, ok := adapters.Load(key); ok {
		if a := w.(*adapter).of(m); a != nil {
			lastOf.Store(w.(*adapter))
			return a
		}
	}
	if !isPointer(m) {
		return New(m)
	}
	ofMu.Lock()
	defer ofMu.Unlock()
	if w, ok := adapters.Load(key); ok {
		if a := w.(*adapter).of(m); a != nil {
			return a
		}
	}
	m, shared := inspect(m)
	a := allocatedFor(m, shared)
	owned := a != nil
	if !owned {
		a = wrap(m, shared)
	}
	e := &adapter{key: key, mem: weak.Make(a), owned: owned}
	adapters.Store(key, e)
	runtime.AddCleanup(a, func(key uintptr) { adapters.CompareAndDelete(key, e) }, key)
	return a
}

// adapter is the memory Of made for one wazero memory instance.
type adapter struct {
	key   uintptr
	mem   weak.Pointer[memory.Memory]
	owned bool // made by the allocator; a wrapper holds m, so its key cannot be reused
}

// of returns the adapter's memory if it is still m's. An allocator's
// memory does not hold m alive, so m's address may since have been reused
// by another memory: the buffers must match too.
func (e *adapter) of(m api.Memory) *memory.Memory {
	a := e.mem.Value()
	if a == nil || !e.owned {
		return a
	}
	if b, ok := m.Read(0, 0); !ok || unsafe.SliceData(b) != unsafe.SliceData(a.Bytes()) {
		return nil
	}
	return a
}

// lastOf is the adapter Of returned last: host functions called in a loop
// by one guest find it with one atomic load.
var lastOf atomic.Pointer[adapter]

var ofMu sync.Mutex // serializes making adapters in Of

// instanceAddress returns the address of the object behind m, or 0 when m
// is not a non-nil pointer.
func instanceAddress(m api.Memory) uintptr {
	// The interface's data word is the instance pointer when m holds a
	// pointer, as every wazero memory does; reflection is only needed to
	// rule out other dynamic types, which costs more than the lookup, so
	// it runs when the word has no entry yet (see Of).
	return uintptr((*[2]unsafe.Pointer)(unsafe.Pointer(&m))[1])
}

// isPointer reports whether m holds a non-nil pointer.
func isPointer(m api.Memory) bool {
	v := reflect.ValueOf(m)
	return v.Kind() == reflect.Pointer && !v.IsNil()
}

// Forget drops the memory Of keeps for m, so the next Of makes a new one.
//
// Hosts do not need it: Of holds its memories weakly, so a closed module's
// memory is collected as usual, and a memory guestkit's allocator made is
// matched by its bytes, so a new instance at a reused address is never
// given the old one's memory. Forget only makes the next Of of a wrapped
// memory build a new wrapper (with a new borrow tracker); the memory
// guestkit's allocator made for an instance stays that instance's.
func Forget(m api.Memory) {
	if key := instanceAddress(m); key != 0 {
		adapters.Delete(key)
		if last := lastOf.Load(); last != nil && last.key == key {
			lastOf.CompareAndSwap(last, nil)
		}
	}
}
