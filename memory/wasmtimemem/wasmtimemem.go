// Package wasmtimemem connects wasmtime-go memories
// (github.com/bytecodealliance/wasmtime-go) to guestkit, wasm32 and
// memory64 alike, so host functions can use guestptr on a wasmtime guest's
// memory:
//
//	mem := wasmtimemem.New(store, instance.GetExport(store, "memory").Memory())
//	...
//	// in a host function:
//	req, err := guestptr.New[Request](mem, uint64(addr)).Read()
//
// It lives in a Go module of its own, so that guestkit itself needs neither
// cgo nor wasmtime's prebuilt library.
//
// # How the bytes are reached
//
// wasmtime-go does not tell its embedder when a memory grows (it has no
// binding for wasmtime's memory creator), so [New] wraps the memory
// (memory.Wrap): every access asks wasmtime for the memory's current bytes.
// Accesses after growth, by the guest's memory.grow or the host's
// wasmtime.Memory.Grow, therefore reach the new bytes. The memory's ABI
// (layout.Wasm32, or layout.Wasm64 for a memory64 memory) comes from its
// type.
//
// For a memory of a *wasmtime.Store, an access costs one cgo call (the
// adapter calls wasmtime's C API for the data pointer and size together,
// with the store's context looked up once), where mem.UnsafeData(store)
// costs four. For a *wasmtime.Caller, or if a wasmtime-go version changes
// the fields this relies on, the adapter uses UnsafeData.
//
// # Growth and views
//
// A guestptr.MutView held across growth keeps writing the memory: if the
// bytes moved, its Release writes it through to their new place (guestptr
// does this whenever the memory's base changed). A View held across growth
// shows the bytes as they were.
//
// Both rely on the old bytes still being there, and wasmtime frees a
// memory's old bytes when it moves them. It moves a memory only when the
// memory grows past its address-space reservation, which wasmtime-go cannot
// configure: on 64-bit hosts the reservation is 4 GiB, so wasm32 memories
// never move and memory64 memories move only when they grow past 4 GiB.
// A host that holds views across growth of memory64 memories that may grow
// that far must cap them, for example with
// store.Limiter([ReservedBytes], -1, -1, -1, -1). The tests check that
// wasmtime keeps a memory's base across growth, and that this limit holds.
//
// # Concurrency
//
// A wasmtime.Store must not be used from two goroutines at once, and every
// access to a memory made by New uses its store. Use the memory only where
// the store may be used: in host functions called by the store's guests, or
// from the goroutine that owns the store while no guest runs. (Borrows, and
// the rest of guestkit's own state, are safe for concurrent use as usual.)
//
// # Limits
//
// wasmtime-go has no binding for shared memories, so every memory is
// unshared. A memory whose store has been closed, or made from a
// *wasmtime.Caller whose call has returned, shows 0 bytes: every access
// fails with guestptr.ErrOutOfBounds instead of crashing.
package wasmtimemem

import (
	"github.com/bytecodealliance/wasmtime-go/v44"

	"github.com/guestkit/guestkit/layout"
	"github.com/guestkit/guestkit/memory"
)

// ReservedBytes is the address space wasmtime reserves for each linear
// memory on 64-bit hosts (its default memory_reservation, which wasmtime-go
// cannot change): a memory grows in place, never moving, up to this size.
// Only a memory64 memory can grow past it.
const ReservedBytes = 4 << 30

// New returns the guestkit memory of mem, a memory of store (wasmtime
// aborts the process when a memory is used with another store). Every access
// fetches mem's bytes from wasmtime, so it sees growth; see the package
// documentation for what growth allows and for concurrency.
//
// store is normally the *wasmtime.Store, and the memory is good for as long
// as the store is open. A *wasmtime.Caller works as well, but only during
// its host call (the memory has 0 bytes after it returns), and each access
// costs four cgo calls instead of one.
//
// Make one memory per wasmtime memory and share it between host calls, so
// that they share one borrow tracker (a view taken in one call is then seen
// by the next). A nil mem or store, or a closed store, gives a memory of 0
// bytes.
func New(store wasmtime.Storelike, mem *wasmtime.Memory) *memory.Memory {
	is64, ok := is64(store, mem)
	if !ok {
		return memory.Over(nil, layout.Wasm32, false)
	}
	abi := layout.Wasm32
	if is64 {
		abi = layout.Wasm64
	}
	if st, ok := store.(*wasmtime.Store); ok {
		if s := newStoreMemory(st, mem); s != nil {
			return memory.Wrap(s.bytes, abi, false)
		}
	}
	return memory.Wrap(func() []byte { return bytesOf(store, mem) }, abi, false)
}

// is64 reports whether mem is a memory64 memory; ok is false when there is
// no memory or store to ask (nil, or closed: wasmtime-go panics then).
func is64(store wasmtime.Storelike, mem *wasmtime.Memory) (is64, ok bool) {
	if store == nil || mem == nil {
		return false, false
	}
	defer func() {
		if recover() != nil {
			is64, ok = false, false
		}
	}()
	return mem.Type(store).Is64(), true
}

// bytesOf returns mem's current bytes through wasmtime-go's API, or nil
// once the store is closed or the caller's call returned (wasmtime-go
// panics then).
func bytesOf(store wasmtime.Storelike, mem *wasmtime.Memory) (b []byte) {
	defer func() {
		if recover() != nil {
			b = nil
		}
	}()
	return mem.UnsafeData(store)
}
