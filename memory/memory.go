// Package memory is guest linear memory as guestkit sees it: the [Memory]
// interface that typed pointers work over, an in-process implementation
// ([Linear]) for tests, fuzzing and hosts without a runtime, and the region
// borrow tracker ([Borrows]) that keeps views into memory from conflicting.
//
// Adapters for real runtimes live in subpackages (wazeromem for wazero).
package memory

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/guestkit/guestkit/layout"
)

// PageSize is the size of a WebAssembly page: 64 KiB.
const PageSize = 64 << 10

// Memory is what guestkit needs of a guest's linear memory.
//
// Implementations must be usable from several goroutines; Bytes may return
// a different slice after the memory grows, so callers fetch it again for
// every access rather than keep it.
type Memory interface {
	// Bytes returns the memory's current contents. The slice aliases guest
	// memory and stays valid until the memory next grows.
	Bytes() []byte
	// ABI returns the guest's data model, layout.Wasm32 or layout.Wasm64.
	ABI() layout.ABI
	// Shared reports whether other threads may write the memory at any
	// time (a shared WebAssembly memory). Views that alias such memory are
	// refused, since reading it while a thread writes is a data race.
	Shared() bool
	// Borrows returns the memory's borrow tracker. It must return the same
	// tracker every time.
	Borrows() *Borrows
}

// Linear is an in-process guest memory backed by a Go byte slice. Growing
// it moves its bytes, as a real runtime may.
type Linear struct {
	buf     atomic.Pointer[[]byte] // replaced whole by Grow
	growMu  sync.Mutex
	abi     layout.ABI
	shared  bool
	borrows Borrows
}

var _ Memory = (*Linear)(nil)

// New returns a zeroed wasm32 memory of size bytes. It panics if size is
// above 4 GiB, the most a wasm32 memory can hold.
func New(size uint64) *Linear { return newLinear(size, layout.Wasm32, false) }

// NewWasm64 returns a zeroed memory64 (wasm64) memory of size bytes.
func NewWasm64(size uint64) *Linear { return newLinear(size, layout.Wasm64, false) }

// NewShared returns a zeroed wasm32 memory of size bytes marked shared, as
// a memory declared shared by a threaded guest is. See [Memory.Shared].
func NewShared(size uint64) *Linear { return newLinear(size, layout.Wasm32, true) }

func newLinear(size uint64, abi layout.ABI, shared bool) *Linear {
	if size > maxBytes(abi) {
		panic(fmt.Sprintf("memory: %d bytes is more than a %s memory can hold", size, abi))
	}
	m := &Linear{abi: abi, shared: shared}
	buf := make([]byte, size)
	m.buf.Store(&buf)
	return m
}

// maxBytes is the largest memory an ABI can address.
func maxBytes(abi layout.ABI) uint64 {
	if abi == layout.Wasm32 {
		return 1 << 32
	}
	return 1<<64 - 1
}

// Bytes returns the memory's current contents.
func (m *Linear) Bytes() []byte { return *m.buf.Load() }

// ABI returns the memory's data model.
func (m *Linear) ABI() layout.ABI { return m.abi }

// Shared reports whether the memory was created by [NewShared].
func (m *Linear) Shared() bool { return m.shared }

// Borrows returns the memory's borrow tracker.
func (m *Linear) Borrows() *Borrows { return &m.borrows }

// ErrGrow is returned by [Linear.Grow] when the memory cannot grow.
var ErrGrow = errors.New("memory cannot grow")

// Grow adds pages 64 KiB pages, as the memory.grow instruction does, and
// returns the previous size in pages. The bytes move to a new backing
// array: slices from earlier Bytes calls no longer alias the memory. Grow
// is safe to call concurrently with other calls, but a write that lands in
// the old array while Grow copies it may be lost, just as a guest does not
// grow its memory while the host is in the middle of writing it.
func (m *Linear) Grow(pages uint64) (uint64, error) {
	m.growMu.Lock()
	defer m.growMu.Unlock()
	cur := m.Bytes()
	old := uint64(len(cur))
	add := pages * PageSize
	if pages != 0 && add/pages != PageSize || old+add < old || old+add > maxBytes(m.abi) {
		return 0, fmt.Errorf("%w: %d pages more than %d bytes exceeds the %s limit", ErrGrow, pages, old, m.abi)
	}
	next := make([]byte, old+add)
	copy(next, cur)
	m.buf.Store(&next)
	return old / PageSize, nil
}
