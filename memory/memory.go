// Package memory is guest linear memory as guestkit sees it: one concrete
// [Memory] type that typed pointers work over, whoever allocated the bytes,
// and the region borrow tracker ([Borrows]) that keeps views into memory
// from conflicting.
//
// A Memory comes from one of three places:
//
//   - [New], [NewWasm64] and [NewShared] allocate it in-process, for tests,
//     fuzzing and hosts without a runtime; [Memory.Grow] grows it.
//   - [Over] puts a Memory over bytes a runtime allocated and reports to
//     guestkit when it moves them ([Memory.Replace]); the runtime adapters
//     use it (memory/wazeromem owns wazero's buffers this way), so growth is
//     known exactly and costs nothing per access.
//   - [Wrap] fetches the bytes from a function on every access, for a
//     runtime memory whose growth guestkit is not told of.
//
// Every access fetches the bytes again ([Memory.Bytes]: one atomic load
// for New and Over memories), so accesses after growth reach the new
// bytes. Adapters for real runtimes live in subpackages (wazeromem for
// wazero).
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

// Memory is one guest linear memory: its bytes, its data model ([layout.ABI]),
// whether other threads may write it, and its borrow tracker. It is safe
// for concurrent use; see [Memory.Grow] for what growth allows. Use it by
// pointer; the zero Memory is not usable.
type Memory struct {
	bytes   atomic.Pointer[[]byte] // the current bytes, unless fetch is set
	fetch   func() []byte          // Wrap: where the bytes are, asked on every access
	abi     layout.ABI
	shared  bool
	ours    bool       // allocated by New, NewWasm64 or NewShared: Grow may resize it
	growMu  sync.Mutex // serializes Grow and Replace
	borrows Borrows
}

// New returns a zeroed wasm32 memory of size bytes. It panics if size is
// above 4 GiB, the most a wasm32 memory can hold.
func New(size uint64) *Memory { return alloc(size, layout.Wasm32, false) }

// NewWasm64 returns a zeroed memory64 (wasm64) memory of size bytes.
func NewWasm64(size uint64) *Memory { return alloc(size, layout.Wasm64, false) }

// NewShared returns a zeroed wasm32 memory of size bytes marked shared, as
// a memory declared shared by a threaded guest is. Shared memories never
// move: it cannot grow past size. See [Memory.Shared].
func NewShared(size uint64) *Memory { return alloc(size, layout.Wasm32, true) }

func alloc(size uint64, abi layout.ABI, shared bool) *Memory {
	if size > maxBytes(abi) {
		panic(fmt.Sprintf("memory: %d bytes is more than a %s memory can hold", size, abi))
	}
	m := Over(make([]byte, size), abi, shared)
	m.ours = true
	return m
}

// Over returns a memory whose bytes are b, allocated by a runtime. The
// runtime's adapter calls [Memory.Replace] whenever it reallocates or
// resizes them, before the guest or host sees the new bytes.
func Over(b []byte, abi layout.ABI, shared bool) *Memory {
	m := &Memory{abi: abi, shared: shared}
	m.bytes.Store(&b)
	return m
}

// Wrap returns a memory whose bytes are whatever fetch returns; it is
// called on every access, for runtimes that may move a memory without
// telling guestkit. fetch must be safe for concurrent use and return the
// whole memory.
func Wrap(fetch func() []byte, abi layout.ABI, shared bool) *Memory {
	return &Memory{fetch: fetch, abi: abi, shared: shared}
}

// maxBytes is the largest memory an ABI can address.
func maxBytes(abi layout.ABI) uint64 {
	if abi == layout.Wasm32 {
		return 1 << 32
	}
	return 1<<64 - 1
}

// Bytes returns the memory's current contents. The slice aliases guest
// memory and stays valid until the memory next grows: fetch it again for
// every access rather than keep it.
func (m *Memory) Bytes() []byte {
	if m.fetch != nil {
		return m.fetch()
	}
	return *m.bytes.Load()
}

// Current returns the bytes of a memory that holds them (made by New,
// NewWasm64, NewShared or Over), with one atomic load, and false for a
// memory made by Wrap, whose bytes Bytes must fetch. Like Bytes, fetch it
// again for every access.
func (m *Memory) Current() ([]byte, bool) {
	if m.fetch != nil {
		return nil, false
	}
	return *m.bytes.Load(), true
}

// ABI returns the guest's data model, layout.Wasm32 or layout.Wasm64.
func (m *Memory) ABI() layout.ABI { return m.abi }

// Shared reports whether other threads may write the memory at any time (a
// shared WebAssembly memory). Views that alias such memory are refused,
// since reading it while a thread writes is a data race, and every value
// is copied out before it is checked.
func (m *Memory) Shared() bool { return m.shared }

// Borrows returns the memory's borrow tracker: one per memory.
func (m *Memory) Borrows() *Borrows { return &m.borrows }

// ErrGrow is returned by [Memory.Grow] when the memory cannot grow, and by
// [Memory.Replace] for a memory made by [Wrap].
var ErrGrow = errors.New("memory cannot grow")

// Replace makes b the memory's bytes: adapters call it when the runtime
// has reallocated or resized the memory. A shared memory's bytes must not
// move, only lengthen. It fails with ErrGrow for a memory made by Wrap.
func (m *Memory) Replace(b []byte) error {
	if m.fetch != nil {
		return fmt.Errorf("%w: the memory's bytes are fetched, not replaced", ErrGrow)
	}
	m.growMu.Lock()
	defer m.growMu.Unlock()
	m.bytes.Store(&b)
	return nil
}

// Grow adds pages 64 KiB pages to a memory made by New, NewWasm64 or
// NewShared, as the memory.grow instruction does, and returns the previous
// size in pages.
//
// A memory that is not shared moves to a new backing array, as a runtime's
// may: slices from earlier Bytes calls no longer alias it, and MutViews
// held across the move write themselves through on Release. Like
// memory.grow, which runs on the guest's thread between its own accesses,
// Grow must not run concurrently with accesses to the memory from other
// goroutines: a write to the old bytes during the copy would be lost. A
// shared memory never moves, so it grows only within the bytes it was
// allocated with (its capacity); past that Grow fails with ErrGrow.
func (m *Memory) Grow(pages uint64) (uint64, error) {
	if !m.ours {
		return 0, fmt.Errorf("%w: the memory grows in the runtime that allocated it", ErrGrow)
	}
	m.growMu.Lock()
	defer m.growMu.Unlock()
	cur := *m.bytes.Load()
	old := uint64(len(cur))
	add := pages * PageSize
	if pages != 0 && add/pages != PageSize || old+add < old || old+add > maxBytes(m.abi) {
		return 0, fmt.Errorf("%w: %d pages more than %d bytes exceeds the %s limit", ErrGrow, pages, old, m.abi)
	}
	var next []byte
	switch {
	case old+add <= uint64(cap(cur)):
		next = cur[:old+add]
	case m.shared:
		return 0, fmt.Errorf("%w: a shared memory never moves, and %d bytes are past its capacity of %d", ErrGrow, old+add, cap(cur))
	default:
		next = make([]byte, old+add)
		copy(next, cur)
	}
	m.bytes.Store(&next)
	return old / PageSize, nil
}
