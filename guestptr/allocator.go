package guestptr

import (
	"errors"
	"fmt"
	"slices"
	"unsafe"

	"github.com/guestkit/guestkit/layout"
	"github.com/guestkit/guestkit/marshal"
	"github.com/guestkit/guestkit/memory"
)

// Allocator allocates memory inside the guest: see memory.Allocator.
// memory/wazeromem binds one to a wazero module (wazeromem.Malloc,
// wazeromem.CABIRealloc); [Bump] serves a region the host reserved. Use it
// through a [Batch], which checks every block it returns.
type Allocator = memory.Allocator

// ErrCannotFree is returned by allocators that cannot give a block back.
var ErrCannotFree = memory.ErrCannotFree

// Batch is a series of guest allocations made for one reply. It checks
// every block the guest's allocator returns before anything is written
// into it: a null address, an error from the allocator, or a block that
// overlaps one this batch allocated before is ErrAlloc; a block outside
// memory, wrapping the address space or misaligned is ErrBadPointer (and
// ErrOutOfBounds, ErrOverflow or ErrMisaligned). When building the reply
// fails, Abort frees every block, so nothing leaks in the guest; when it
// succeeds, the blocks belong to the guest and the batch is dropped.
//
// A Batch is not safe for concurrent use.
type Batch struct {
	mem    *memory.Memory
	a      Allocator
	sorted []block // by address, for the overlap check
	order  []block // in allocation order, for Abort
	total  uint64
}

type block struct{ addr, size, align uint64 }

// NewBatch returns an empty batch allocating in mem through a.
func NewBatch(mem *memory.Memory, a Allocator) *Batch { return &Batch{mem: mem, a: a} }

// Start makes b an empty batch allocating in mem through a, keeping its
// buffers: a host that replies often reuses one Batch.
func (b *Batch) Start(mem *memory.Memory, a Allocator) {
	b.mem, b.a = mem, a
	b.Reset()
}

// Memory returns the memory the batch allocates in.
func (b *Batch) Memory() *memory.Memory { return b.mem }

// Size returns the number of bytes allocated so far.
func (b *Batch) Size() uint64 { return b.total }

// Len returns the number of blocks allocated so far.
func (b *Batch) Len() int { return len(b.order) }

// Alloc allocates size bytes aligned to align (a power of two) and returns
// the block's address, after checking it. A size of 0 allocates nothing
// and returns 0, the null pointer that goes with a length of 0.
func (b *Batch) Alloc(size, align uint64) (uint64, error) {
	if align == 0 || align&(align-1) != 0 {
		return 0, fail[Batch]("alloc", 0, size, fmt.Errorf("%w: alignment %d is not a power of two", ErrAlloc, align))
	}
	if size == 0 {
		return 0, nil
	}
	if b.mem == nil || b.a == nil {
		return 0, fail[Batch]("alloc", 0, size, ErrNoMemory)
	}
	addr, err := b.a.Alloc(size, align)
	if err != nil {
		return 0, fail[Batch]("alloc", 0, size, fmt.Errorf("%w: %d bytes: %w", ErrAlloc, size, err))
	}
	if addr == 0 {
		return 0, fail[Batch]("alloc", 0, size, fmt.Errorf("%w: %d bytes: the guest returned null", ErrAlloc, size))
	}
	if _, _, err := place(b.mem, addr, 1, size, align); err != nil {
		return 0, fail[Batch]("alloc", addr, size, err)
	}
	i, _ := slices.BinarySearchFunc(b.sorted, addr, func(k block, a uint64) int {
		switch {
		case k.addr < a:
			return -1
		case k.addr > a:
			return 1
		}
		return 0
	})
	if i > 0 && b.sorted[i-1].addr+b.sorted[i-1].size > addr || i < len(b.sorted) && addr+size > b.sorted[i].addr {
		return 0, fail[Batch]("alloc", addr, size, fmt.Errorf("%w: [%#x, %#x) overlaps a block allocated before", ErrAlloc, addr, addr+size))
	}
	k := block{addr, size, align}
	b.sorted = slices.Insert(b.sorted, i, k)
	b.order = append(b.order, k)
	b.total += size
	return addr, nil
}

// Abort frees every block the batch allocated, newest first, and empties
// the batch. It returns the allocator's errors, joined; ErrCannotFree
// from an allocator that cannot free is not an error here.
func (b *Batch) Abort() error {
	var errs []error
	for i := len(b.order) - 1; i >= 0; i-- {
		k := b.order[i]
		if err := b.a.Free(k.addr, k.size, k.align); err != nil && !errors.Is(err, ErrCannotFree) {
			errs = append(errs, fail[Batch]("free", k.addr, k.size, err))
		}
	}
	b.Reset()
	return errors.Join(errs...)
}

// Reset forgets the blocks allocated so far, which now belong to the
// guest, and keeps the batch's buffers for the next reply.
func (b *Batch) Reset() {
	b.sorted, b.order, b.total = b.sorted[:0], b.order[:0], 0
}

// AllocSlice allocates n Ts in b's memory, checked, and returns them. The
// elements are not initialized: write them with CopyFromSlice.
func AllocSlice[T any](b *Batch, n uint64) (Slice[T], error) {
	c, err := marshal.For[T](b.memABI())
	if err != nil {
		return Slice[T]{}, fail[Slice[T]]("alloc", 0, 0, err)
	}
	size := regionLen(n, c.Size())
	if size == ^uint64(0) || size > uint64(len(b.mem.Bytes())) {
		return Slice[T]{}, fail[Slice[T]]("alloc", 0, size, fmt.Errorf("%w: %d elements of %d bytes do not fit the memory", ErrAlloc, n, c.Size()))
	}
	addr, err := b.Alloc(size, c.Align())
	if err != nil {
		return Slice[T]{}, err
	}
	return NewSlice[T](b.mem, addr, n), nil
}

// AllocPtr allocates one T in b's memory, checked, and returns a pointer to
// it. The T is not initialized: write it with Write.
func AllocPtr[T any](b *Batch) (Ptr[T], error) {
	s, err := AllocSlice[T](b, 1)
	if err != nil {
		return Ptr[T]{}, retype[Ptr[T]](err)
	}
	return s.Ptr(), nil
}

// String allocates len(s) bytes and writes s there: a guest string the
// host made. s must be valid UTF-8. On error the block is not kept.
func (b *Batch) String(s string) (String, error) {
	if err := checkUTF8(unsafe.Slice(unsafe.StringData(s), len(s))); err != nil {
		return String{}, fail[String]("alloc", 0, uint64(len(s)), err)
	}
	d, err := b.bytes(uint64(len(s)))
	if err != nil {
		return String{}, retype[String](err)
	}
	if err := writeBytes(d.ref.Addr, d, s); err != nil {
		b.dropLast()
		return String{}, retype[String](err)
	}
	return String(d), nil
}

// Bytes allocates len(p) bytes and copies p there. On error the block is
// not kept.
func (b *Batch) Bytes(p []byte) (Slice[byte], error) {
	d, err := b.bytes(uint64(len(p)))
	if err != nil {
		return d, err
	}
	if err := writeBytes(d.ref.Addr, d, p); err != nil {
		b.dropLast()
		return Slice[byte]{}, err
	}
	return d, nil
}

// SliceOf allocates len(vs) Ts in b and writes vs there; see Batch.String. It is a
// function, since methods cannot have type parameters.
func SliceOf[T any](b *Batch, vs []T) (Slice[T], error) {
	s, err := AllocSlice[T](b, uint64(len(vs)))
	if err != nil {
		return s, err
	}
	if err := s.CopyFromSlice(vs); err != nil {
		if s.ref.Len > 0 {
			b.dropLast()
		}
		return Slice[T]{}, err
	}
	return s, nil
}

func (b *Batch) bytes(n uint64) (Slice[byte], error) {
	if b.mem != nil && n > uint64(len(b.mem.Bytes())) {
		return Slice[byte]{}, fail[Slice[byte]]("alloc", 0, n, fmt.Errorf("%w: %d bytes do not fit the memory", ErrAlloc, n))
	}
	addr, err := b.Alloc(n, 1)
	if err != nil {
		return Slice[byte]{}, err
	}
	return NewSlice[byte](b.mem, addr, n), nil
}

// dropLast frees the newest block, after a write into it failed.
func (b *Batch) dropLast() {
	k := b.order[len(b.order)-1]
	b.order = b.order[:len(b.order)-1]
	if i := slices.Index(b.sorted, k); i >= 0 {
		b.sorted = slices.Delete(b.sorted, i, i+1)
	}
	b.total -= k.size
	_ = b.a.Free(k.addr, k.size, k.align)
}

func (b *Batch) memABI() (abi layout.ABI) {
	if b.mem != nil {
		return b.mem.ABI()
	}
	return abi
}

// Bump is an Allocator over a region of guest memory the host reserved,
// [Next, End): it hands out blocks in order and frees only the newest. It
// suits tests, in-process memories and guests that lend the host a scratch
// area.
type Bump struct {
	Next, End uint64
}

// Alloc implements Allocator.
func (a *Bump) Alloc(size, align uint64) (uint64, error) {
	at := (a.Next + align - 1) &^ (align - 1)
	if at < a.Next || at > a.End || a.End-at < size {
		return 0, fmt.Errorf("bump allocator: %d bytes do not fit in [%#x, %#x)", size, a.Next, a.End)
	}
	a.Next = at + size
	return at, nil
}

// Free implements Allocator: the newest block is given back, others stay.
func (a *Bump) Free(addr, size, _ uint64) error {
	if addr+size == a.Next {
		a.Next = addr
	}
	return nil
}
