package memory

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
)

var (
	// ErrBorrowed reports an access or a borrow that conflicts with a
	// borrow already held.
	ErrBorrowed = errors.New("region is borrowed")
	// ErrReleased reports a borrow released twice, or a view used after its
	// release.
	ErrReleased = errors.New("borrow already released")
)

// Borrows tracks the regions of one memory that are lent out as views, the
// way wiggle does: any number of shared borrows of a region may be held at
// once, or one mutable borrow. A shared borrow conflicts only with an
// overlapping mutable borrow; a mutable borrow conflicts with any
// overlapping borrow; a zero-length region never conflicts.
//
// The zero Borrows is ready to use and holds nothing. It is safe for
// concurrent use. A check costs two atomic loads while nothing is held, and
// a time logarithmic in the number of borrows held otherwise. A borrow
// taken while nothing else is held (one view at a time, the common
// pattern) goes in a slot of its own, with a few atomic operations and no
// lock; the rest go in two treaps whose priorities are random per tracker,
// so no order of guest addresses unbalances them.
type Borrows struct {
	held  atomic.Int64 // borrows of nonzero length in the trees; read without the lock
	quick slot         // the borrow taken while nothing else was held

	// mu is held for writing to take or release a borrow, and for reading
	// from the start to the end of every checked access made while
	// anything is held, so a borrow cannot begin in the middle of one.
	mu      sync.RWMutex
	shared  tree // shared borrows, which may overlap each other
	mutable tree // mutable borrows, which overlap nothing
	free    []*node
	seq     uint64 // borrows taken so far
	seed    uint64 // priority generator state
}

// Borrow is a handle to one borrow. The zero Borrow holds nothing. Copies
// of a Borrow refer to the same borrow.
type Borrow struct {
	n   *node // nil for the slot's borrow
	b   *Borrows
	gen uint64
}

// slot holds one borrow without the lock. Its word is a generation times
// 4 plus a state, which goes from slotFree to slotFilling (only the taker
// writes start, last and mutable) to slotHeld (anyone may read them), and
// back to slotFree with the next generation on release, so stale handles
// are detected. Taking costs two atomic writes, releasing one.
type slot struct {
	word        atomic.Uint64
	start, last uint64
	mutable     bool
}

const (
	slotFree uint64 = iota
	slotFilling
	slotHeld
	slotState = 3
	slotGen   = 4 // one generation
)

// busy reports whether anything is held, in the trees or the slot.
func (b *Borrows) busy() bool { return b.held.Load() != 0 || b.quick.word.Load()&slotState != slotFree }

// BorrowError describes a conflict between a request and a borrow held.
type BorrowError struct {
	// Addr and Len are the region asked for.
	Addr, Len uint64
	// Write says the request needs exclusive use: a write or a mutable
	// borrow.
	Write bool
	// HeldAddr and HeldLen are the conflicting region held.
	HeldAddr, HeldLen uint64
	// HeldMutable says whether the held borrow is mutable.
	HeldMutable bool
}

// Error describes the conflict.
func (e *BorrowError) Error() string {
	kind := "shared"
	if e.HeldMutable {
		kind = "mutable"
	}
	return fmt.Sprintf("region is borrowed: [%#x, %#x) overlaps a %s borrow of [%#x, %#x)",
		e.Addr, e.Addr+e.Len, kind, e.HeldAddr, e.HeldAddr+e.HeldLen)
}

// Unwrap returns ErrBorrowed.
func (e *BorrowError) Unwrap() error { return ErrBorrowed }

// Shared takes a shared borrow of [addr, addr+n). It fails with an error
// matching ErrBorrowed when the region overlaps a mutable borrow.
func (b *Borrows) Shared(addr, n uint64) (Borrow, error) { return b.take(addr, n, false) }

// Mutable takes a mutable borrow of [addr, addr+n). It fails with an error
// matching ErrBorrowed when the region overlaps any borrow.
func (b *Borrows) Mutable(addr, n uint64) (Borrow, error) { return b.take(addr, n, true) }

func (b *Borrows) take(addr, n uint64, mutable bool) (Borrow, error) {
	last := lastByte(addr, n)
	if n > 0 && b.held.Load() == 0 {
		if w := b.quick.word.Load(); w&slotState == slotFree && b.quick.word.CompareAndSwap(w, w|slotFilling) {
			return b.takeQuick(w, addr, last, n, mutable)
		}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if n > 0 {
		// Count the borrow before looking at the slot: a borrow taken
		// into the slot at the same moment then sees this one (see
		// takeQuick).
		b.held.Add(1)
		if err := b.conflict(addr, last, n, mutable); err != nil {
			b.held.Add(-1)
			return Borrow{}, err
		}
	}
	nd := b.newNode(addr, last, mutable)
	if n > 0 {
		nd.inTree = true
		b.treeFor(mutable).insert(nd)
	}
	return Borrow{n: nd, b: b, gen: nd.gen.Load()}, nil
}

// takeQuick fills the slot, which the caller has claimed. The slot is
// published before held is counted, and a tree borrow counts held before
// it looks at the slot, so of two borrows taken at once at least one sees
// the other: if another borrow was counted first, this one is checked
// against the trees under the lock.
func (b *Borrows) takeQuick(w, addr, last, n uint64, mutable bool) (Borrow, error) {
	q := &b.quick
	q.start, q.last, q.mutable = addr, last, mutable
	q.word.Store(w | slotHeld)
	if b.held.Load() != 0 {
		b.mu.RLock()
		err := b.treeConflict(addr, last, n, mutable)
		b.mu.RUnlock()
		if err != nil {
			q.word.Store(w + slotGen)
			return Borrow{}, err
		}
	}
	return Borrow{b: b, gen: w | slotHeld}, nil
}

// Release ends the borrow. It returns an error matching ErrReleased if the
// borrow was released already or is the zero Borrow.
func (h Borrow) Release() error {
	if h.b == nil {
		return ErrReleased
	}
	b := h.b
	if h.n == nil {
		if !b.quick.word.CompareAndSwap(h.gen, h.gen&^slotState+slotGen) {
			return ErrReleased
		}
		return nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if h.n.gen.Load() != h.gen {
		return ErrReleased
	}
	if h.n.inTree {
		b.treeFor(h.n.mutable).remove(h.n)
		b.held.Add(-1)
	}
	h.n.gen.Add(1)
	h.n.inTree = false
	b.free = append(b.free, h.n)
	return nil
}

// Held reports whether the borrow is still held.
func (h Borrow) Held() bool {
	switch {
	case h.b == nil:
		return false
	case h.n == nil:
		return h.b.quick.word.Load() == h.gen
	}
	return h.n.gen.Load() == h.gen
}

// Held returns the number of borrows of nonzero length held (one being
// taken at this moment included).
func (b *Borrows) Held() int {
	n := int(b.held.Load())
	if b.quick.word.Load()&slotState != slotFree {
		n++
	}
	return n
}

// Access is an access checked by [Borrows.BeginRead] or
// [Borrows.BeginWrite]; call End when it is over.
type Access struct{ b *Borrows }

// End ends the access.
func (a Access) End() {
	if a.b != nil {
		a.b.end()
	}
}

// end is apart from End so that End stays small enough to inline.
//
//go:noinline
func (b *Borrows) end() { b.mu.RUnlock() }

// BeginRead checks that [addr, addr+n) may be read: that no mutable borrow
// overlaps it. While nothing is held this is two atomic loads. Otherwise
// borrows cannot be taken until the returned Access ends.
func (b *Borrows) BeginRead(addr, n uint64) (a Access, err error) {
	if b.busy() {
		a, err = b.beginSlow(addr, n, false)
	}
	return
}

// BeginWrite checks that [addr, addr+n) may be written: that no borrow
// overlaps it. While nothing is held this is two atomic loads. Otherwise
// borrows cannot be taken until the returned Access ends.
func (b *Borrows) BeginWrite(addr, n uint64) (a Access, err error) {
	if b.busy() {
		a, err = b.beginSlow(addr, n, true)
	}
	return
}

func (b *Borrows) beginSlow(addr, n uint64, write bool) (Access, error) {
	b.mu.RLock()
	if n > 0 {
		if err := b.conflict(addr, lastByte(addr, n), n, write); err != nil {
			b.mu.RUnlock()
			return Access{}, err
		}
	}
	return Access{b: b}, nil
}

// lastByte returns the last byte of the n > 0 bytes at addr. A region that
// would run past 2^64 is cut there; callers check bounds first, so none do.
func lastByte(addr, n uint64) uint64 {
	if addr+n < addr {
		return 1<<64 - 1
	}
	return addr + n - 1
}

// conflict reports the first borrow held, in the trees or the slot, that
// the n bytes [start, last] conflict with. The caller holds mu.
func (b *Borrows) conflict(start, last, n uint64, write bool) error {
	if err := b.treeConflict(start, last, n, write); err != nil {
		return err
	}
	q := &b.quick
	state := q.word.Load() & slotState
	for state == slotFilling { // a few stores away from slotHeld
		runtime.Gosched()
		state = q.word.Load() & slotState
	}
	if state == slotHeld && (write || q.mutable) && q.start <= last && start <= q.last {
		return conflictError(start, n, write, q.start, q.last, q.mutable)
	}
	return nil
}

// treeConflict is conflict without the slot. The caller holds mu.
func (b *Borrows) treeConflict(start, last, n uint64, write bool) error {
	found := b.mutable.overlap(start, last)
	if found == nil && write {
		found = b.shared.overlap(start, last)
	}
	if found == nil {
		return nil
	}
	return conflictError(start, n, write, found.start, found.last, found.mutable)
}

func conflictError(start, n uint64, write bool, heldStart, heldLast uint64, heldMutable bool) error {
	return &BorrowError{Addr: start, Len: n, Write: write, HeldAddr: heldStart, HeldLen: heldLast - heldStart + 1, HeldMutable: heldMutable}
}

func (b *Borrows) treeFor(mutable bool) *tree {
	if mutable {
		return &b.mutable
	}
	return &b.shared
}

// newNode returns a node from the free list, or a new one. Reusing nodes
// keeps taking and releasing borrows free of allocation.
func (b *Borrows) newNode(start, last uint64, mutable bool) *node {
	var nd *node
	if k := len(b.free); k > 0 {
		nd, b.free = b.free[k-1], b.free[:k-1]
	} else {
		nd = new(node)
	}
	// xorshift64 from a random seed per tracker: priorities must be
	// independent of the addresses, and unknown to the guest choosing them.
	if b.seed == 0 {
		b.seed = rand.Uint64() | 1
	}
	b.seed ^= b.seed << 13
	b.seed ^= b.seed >> 7
	b.seed ^= b.seed << 17
	b.seq++
	nd.start, nd.last, nd.mutable, nd.prio, nd.seq = start, last, mutable, b.seed, b.seq
	nd.left, nd.right, nd.maxLast = nil, nil, last
	return nd
}
