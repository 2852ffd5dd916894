package wasmtimemem

/*
#include <stddef.h>
#include <stdint.h>

// From wasmtime's C API (wasmtime/memory.h), which wasmtime-go links; the
// context and memory are passed as opaque pointers.
extern uint8_t *wasmtime_memory_data(const void *context, const void *memory);
extern size_t wasmtime_memory_data_size(const void *context, const void *memory);

// gk_memory_t has the layout of wasmtime_memory_t (wasmtime/extern.h): a
// struct of a uint64_t store id and a uint32_t (16 bytes with padding),
// then a uint32_t: 24 bytes.
typedef struct {
	struct {
		uint64_t store_id;
		uint32_t private1;
	} id;
	uint32_t private2;
} gk_memory_t;

typedef struct {
	uint8_t *data;
	size_t size;
} gk_bytes_t;

// gk_memory_bytes returns a memory's bytes in one call from Go.
static gk_bytes_t gk_memory_bytes(const void *context, const void *memory) {
	gk_bytes_t b = {wasmtime_memory_data(context, memory), wasmtime_memory_data_size(context, memory)};
	return b;
}
*/
import "C"

import (
	"reflect"
	"unsafe"

	"github.com/bytecodealliance/wasmtime-go/v44"
)

// One cgo call per access instead of wasmtime-go's four.
//
// mem.UnsafeData(store) makes four cgo calls: store.Context() and
// wasmtime_memory_data, then store.Context() and wasmtime_memory_data_size.
// A store's context pointer never changes while the store is open, so the
// adapter of a *wasmtime.Store asks for it once, and fetches a memory's
// bytes with one call of gk_memory_bytes. That reads two unexported fields
// of wasmtime-go: Store._ptr (nil once the store is closed) and Memory.val
// (wasmtime's wasmtime_memory_t, the Memory's only field). fastLayout
// checks their shape when the package is loaded; if a wasmtime-go version
// changes them, the adapter falls back to UnsafeData (and
// TestFastPathInUse fails, so the change is noticed).

// fastLayout reports whether wasmtime-go's Store and Memory have the
// fields the one-call fetch reads.
var fastLayout = func() bool {
	st, mt := reflect.TypeFor[wasmtime.Store](), reflect.TypeFor[wasmtime.Memory]()
	if st.Kind() != reflect.Struct || st.NumField() < 1 || mt.Kind() != reflect.Struct || mt.NumField() != 1 {
		return false
	}
	sp, mv := st.Field(0), mt.Field(0)
	return sp.Name == "_ptr" && sp.Offset == 0 && sp.Type.Kind() == reflect.Pointer &&
		mv.Name == "val" && mv.Offset == 0 && mv.Type.Size() == C.sizeof_gk_memory_t && mt.Size() == C.sizeof_gk_memory_t
}()

// storeMemory fetches the bytes of a memory of an open *wasmtime.Store
// with one cgo call.
type storeMemory struct {
	store *wasmtime.Store
	mem   *wasmtime.Memory
	ctx   unsafe.Pointer // the store's wasmtime_context_t
}

// newStoreMemory returns the fetcher of mem, a memory of store, or nil
// when the fast path is unavailable or the store is closed.
func newStoreMemory(store *wasmtime.Store, mem *wasmtime.Memory) (s *storeMemory) {
	if !fastLayout || store == nil || mem == nil || closed(store) {
		return nil
	}
	return &storeMemory{store: store, mem: mem, ctx: unsafe.Pointer(store.Context())}
}

// closed reports whether store has been closed (its _ptr is nil).
func closed(store *wasmtime.Store) bool {
	return *(*unsafe.Pointer)(unsafe.Pointer(store)) == nil
}

// bytes returns the memory's current bytes, or nil once the store is
// closed.
func (s *storeMemory) bytes() []byte {
	if closed(s.store) {
		return nil
	}
	b := C.gk_memory_bytes(s.ctx, unsafe.Pointer(s.mem))
	return unsafe.Slice((*byte)(unsafe.Pointer(b.data)), int(b.size))
}
