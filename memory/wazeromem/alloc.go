package wazeromem

import (
	"context"
	"sync"
	"unsafe"
	"weak"

	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"

	"github.com/guestkit/guestkit/layout"
	"github.com/guestkit/guestkit/memory"
)

// ReserveLimit is the largest maximum size for which the allocator sets
// aside a memory's whole maximum when it is instantiated, so that growing
// never moves it. Memories with a larger maximum start at their initial
// capacity and move when they grow past it (a shared memory, which must not
// move, then fails to grow instead).
const ReserveLimit = 256 << 20

// WithAllocator returns ctx with guestkit's memory allocator installed
// (wazero's experimental.WithMemoryAllocator): modules instantiated with it
// have memories whose bytes guestkit owns, so [Of] reaches them with one
// atomic load per access and knows exactly when they grow.
func WithAllocator(ctx context.Context) context.Context {
	return experimental.WithMemoryAllocator(ctx, Allocator{})
}

// Allocator is guestkit's wazero memory allocator; see [WithAllocator].
type Allocator struct{}

// Allocate implements experimental.MemoryAllocator.
func (Allocator) Allocate(capacity, maxBytes uint64) experimental.LinearMemory {
	if maxBytes <= ReserveLimit {
		capacity = max(capacity, maxBytes)
	}
	return &linear{buf: make([]byte, 0, max(capacity, 1))}
}

// linear is one memory the allocator made: its bytes, and the guestkit
// memory Of attached to it, told of every reallocation.
type linear struct {
	mu    sync.Mutex
	buf   []byte
	mem   *memory.Memory // set by attach
	freed bool
}

// allocations maps the first byte of each live linear's buffer to it, so
// Of can find the linear behind a wazero memory.
var allocations sync.Map // uintptr -> weak.Pointer[linear]

// Reallocate implements experimental.LinearMemory: it grows the bytes to
// size, in place when the capacity allows, and tells the attached memory.
func (l *linear) Reallocate(size uint64) []byte {
	l.mu.Lock()
	defer l.mu.Unlock()
	if size <= uint64(cap(l.buf)) {
		l.buf = l.buf[:size]
	} else {
		if l.mem != nil && l.mem.Shared() {
			return nil // a shared memory must not move: the grow fails
		}
		next := make([]byte, size, max(size, 2*uint64(cap(l.buf))))
		copy(next, l.buf)
		allocations.Delete(baseOf(l.buf))
		l.buf = next
	}
	allocations.Store(baseOf(l.buf), weak.Make(l))
	if l.mem != nil {
		_ = l.mem.Replace(l.buf)
	}
	return l.buf
}

// Free implements experimental.LinearMemory. The bytes stay allocated while
// a view can reach them; the memory shows 0 bytes from now on.
func (l *linear) Free() {
	l.mu.Lock()
	defer l.mu.Unlock()
	allocations.Delete(baseOf(l.buf))
	l.freed = true
	if l.mem != nil {
		_ = l.mem.Replace(nil)
	}
}

// attach returns the guestkit memory over l's bytes, making it on first use.
func (l *linear) attach(shared bool) *memory.Memory {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.mem == nil {
		buf := l.buf
		if l.freed {
			buf = nil
		}
		l.mem = memory.Over(buf, layout.Wasm32, shared)
	}
	return l.mem
}

// baseOf is the address of b's first byte: the key of a buffer.
func baseOf(b []byte) uintptr { return uintptr(unsafe.Pointer(unsafe.SliceData(b))) }

// allocatedFor returns the memory guestkit's allocator made for m, or nil.
func allocatedFor(m api.Memory, shared bool) *memory.Memory {
	if m == nil {
		return nil
	}
	b, ok := m.Read(0, 0)
	if !ok || unsafe.SliceData(b) == nil {
		return nil
	}
	w, ok := allocations.Load(baseOf(b))
	if !ok {
		return nil
	}
	l := w.(weak.Pointer[linear]).Value()
	if l == nil {
		return nil
	}
	return l.attach(shared)
}
