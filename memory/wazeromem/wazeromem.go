// Package wazeromem adapts a wazero memory (github.com/tetratelabs/wazero
// api.Memory) to memory.Memory, so host functions can use guestptr on the
// memory of the module that called them:
//
//	func hostFn(ctx context.Context, mod api.Module, addr uint32) {
//		req, err := guestptr.New[Request](wazeromem.Of(mod.Memory()), uint64(addr)).Read()
//		...
//	}
//
// Borrows are tracked per adapter, so host calls must share one adapter per
// guest memory for as long as views may be held. [Of] does that for you: it
// returns the same adapter for a memory while anything (a caller, or a view
// the adapter lent) still holds it, and holds neither the adapter nor the
// memory itself, so closed modules are collected as usual. Or make one with
// [New] and keep it beside the module.
//
// # Growth
//
// wazero may move a memory's bytes when the guest runs memory.grow, which
// leaves earlier slices of it detached. The adapter fetches the bytes again
// for every access, so reads and writes after growth reach the new memory.
// A guestptr.MutView held across growth writes its bytes through to the new
// location when released, so no write made through it is lost. A
// guestptr.View held across growth keeps showing the old bytes.
//
// The tests check this against wazero v1.12, compiler and interpreter, with
// a guest that grows its memory when the host function calls back into it
// while holding views. With wazero's default configuration a memory's
// capacity is its minimum size, so the first memory.grow reallocates and
// moves it (later ones may find room that the reallocation left); with
// RuntimeConfig.WithMemoryCapacityFromMax(true) and a declared maximum it
// grows in place. A shared memory is allocated at its maximum and never
// moves.
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
// (guestptr.ErrShared) and only copies in and out.
//
// # Limits
//
// A module without a memory gets an adapter of 0 bytes. A memory of the
// maximum 65536 pages (4 GiB), whose size api.Memory.Size cannot return,
// is seen whole.
package wazeromem

import (
	"math"
	"reflect"
	"runtime"
	"sync"
	"unsafe"
	"weak"

	"github.com/tetratelabs/wazero/api"

	"github.com/guestkit/guestkit/layout"
	"github.com/guestkit/guestkit/memory"
)

// Memory is a wazero memory seen as a memory.Memory.
type Memory struct {
	mem     api.Memory
	shared  bool
	borrows memory.Borrows
}

var _ memory.Memory = (*Memory)(nil)

// New wraps m. The memory is shared when the module declared it shared
// (threads enabled); wazero's api does not say so directly, so New reads it
// from the memory instance.
//
// A module without a memory has a nil api.Memory, or (from
// api.Module.Memory) a non-nil one holding a nil pointer. New takes either
// as a memory of 0 bytes, where every access fails as out of bounds.
func New(m api.Memory) *Memory {
	m, shared := inspect(m)
	return &Memory{mem: m, shared: shared}
}

// NewShared wraps m and marks it shared whatever the instance says.
func NewShared(m api.Memory) *Memory {
	m, _ = inspect(m)
	return &Memory{mem: m, shared: true}
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

// Bytes returns the memory's current bytes.
func (m *Memory) Bytes() []byte {
	if m.mem == nil {
		return nil
	}
	if n := m.mem.Size(); n != 0 {
		b, _ := m.mem.Read(0, n)
		return b
	}
	// Size is 0 for an empty memory, but also, overflowing uint32, for a
	// memory of the maximum 65536 pages (4 GiB), which Read cannot return
	// whole: extend its 4 GiB - 1 bytes by the last one, which the
	// instance's buffer holds.
	b, ok := m.mem.Read(0, math.MaxUint32)
	if !ok {
		return nil
	}
	return unsafe.Slice(unsafe.SliceData(b), len(b)+1)
}

// ABI returns layout.Wasm32: wazero runs 32-bit memories.
func (m *Memory) ABI() layout.ABI { return layout.Wasm32 }

// Shared reports whether the guest declared the memory shared.
func (m *Memory) Shared() bool { return m.shared }

// Borrows returns the adapter's borrow tracker.
func (m *Memory) Borrows() *memory.Borrows { return &m.borrows }

// Unwrap returns the wazero memory.
func (m *Memory) Unwrap() api.Memory { return m.mem }

// adapters maps the address of a wazero memory instance to a weak pointer
// to its adapter. Nothing here keeps a memory or an adapter alive: an
// adapter lives as long as someone holds it or a view it lent, and a closed
// module's memory is collected as usual.
var adapters sync.Map // uintptr -> weak.Pointer[Memory]

// Of returns the adapter of m, making it on first use, so that host calls
// on one memory share one borrow tracker for as long as any view of it is
// held. A lookup takes no lock and does not allocate. Of keeps neither m
// nor the adapter alive: once a module is closed and unreachable, its
// memory is collected.
func Of(m api.Memory) *Memory {
	key := instanceAddress(m)
	if key == 0 {
		return New(m)
	}
	if w, ok := adapters.Load(key); ok {
		if a := w.(weak.Pointer[Memory]).Value(); a != nil && a.mem == m {
			return a
		}
	}
	ofMu.Lock()
	defer ofMu.Unlock()
	if w, ok := adapters.Load(key); ok {
		if a := w.(weak.Pointer[Memory]).Value(); a != nil && a.mem == m {
			return a
		}
	}
	a := New(m)
	w := weak.Make(a)
	adapters.Store(key, w)
	runtime.AddCleanup(a, func(key uintptr) { adapters.CompareAndDelete(key, w) }, key)
	return a
}

var ofMu sync.Mutex // serializes making adapters in Of

// instanceAddress returns the address of the object behind m, or 0 when m
// is not a non-nil pointer.
func instanceAddress(m api.Memory) uintptr {
	v := reflect.ValueOf(m)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		return 0
	}
	return uintptr(v.UnsafePointer())
}

// Forget drops the adapter Of keeps for m, so the next Of makes a new one.
func Forget(m api.Memory) {
	if key := instanceAddress(m); key != 0 {
		adapters.Delete(key)
	}
}
