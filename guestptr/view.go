package guestptr

import (
	"fmt"
	"reflect"
	"unsafe"

	"github.com/guestkit/guestkit/marshal"
	"github.com/guestkit/guestkit/memory"
)

// View is a []T that aliases guest memory, held as a shared borrow until
// Release: writes to the region are refused meanwhile, reads and other
// shared views are not. Copies of a View share one borrow.
//
// The slice shows memory as it was when the view was taken if the memory
// grows and moves; read it again for later contents.
type View[T any] struct {
	data   []T
	borrow memory.Borrow
	addr   uint64
}

// Slice returns the elements, or nil once the view is released. Do not
// keep the slice past Release.
func (v View[T]) Slice() []T {
	if !v.borrow.Held() {
		return nil
	}
	return v.data
}

// Len returns the number of elements.
func (v View[T]) Len() int { return len(v.data) }

// Release ends the borrow. A second Release fails with ErrReleased.
func (v View[T]) Release() error {
	if err := v.borrow.Release(); err != nil {
		return fail[View[T]]("release", v.addr, 0, err)
	}
	return nil
}

// MutView is a []T that aliases guest memory, held as a mutable borrow
// until Release: every other read, write and view of the region is refused
// meanwhile. Copies of a MutView share one borrow.
//
// No write through the view is lost when the memory grows and moves while
// the view is held: Release writes the view's elements through to the
// memory's new location.
type MutView[T any] struct {
	data   []T
	borrow memory.Borrow
	mem    *memory.Memory
	addr   uint64
	base   *byte // the memory's first byte when the view was taken
}

// Slice returns the elements, or nil once the view is released. Do not
// keep the slice past Release.
func (v MutView[T]) Slice() []T {
	if !v.borrow.Held() {
		return nil
	}
	return v.data
}

// Len returns the number of elements.
func (v MutView[T]) Len() int { return len(v.data) }

// Release writes the elements through if the memory moved since the view
// was taken, then ends the borrow. A second Release fails with
// ErrReleased.
func (v MutView[T]) Release() error {
	if !v.borrow.Held() {
		return fail[MutView[T]]("release", v.addr, 0, memory.ErrReleased)
	}
	if n := uintptr(len(v.data)) * unsafe.Sizeof(*new(T)); n > 0 {
		if b := v.mem.Bytes(); unsafe.SliceData(b) != v.base {
			if v.addr+uint64(n) > uint64(len(b)) {
				// Memories only grow; a shrunk one cannot take the write.
				_ = v.borrow.Release()
				return fail[MutView[T]]("release", v.addr, uint64(n), fmt.Errorf("%w: memory shrank to %#x bytes; the view's writes are lost", ErrOutOfBounds, len(b)))
			}
			copy(b[v.addr:], unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(v.data))), n))
		}
	}
	if err := v.borrow.Release(); err != nil {
		return fail[MutView[T]]("release", v.addr, 0, err)
	}
	return nil
}

// AsSlice returns a view of the elements, held as a shared borrow until
// Release. T must be transparent (ErrNotTransparent), the memory not shared
// (ErrShared), and no mutable view may overlap (ErrBorrowed).
func (s Slice[T]) AsSlice() (View[T], error) {
	data, borrow, _, err := view[Slice[T], T](s.ref, false)
	return View[T]{data: data, borrow: borrow, addr: s.ref.Addr}, err
}

// AsSliceMut returns a mutable view of the elements, held as a mutable
// borrow until Release. T must be transparent (ErrNotTransparent), the
// memory not shared (ErrShared), and no view may overlap (ErrBorrowed).
func (s Slice[T]) AsSliceMut() (MutView[T], error) {
	data, borrow, base, err := view[Slice[T], T](s.ref, true)
	return MutView[T]{data: data, borrow: borrow, mem: s.ref.Mem, addr: s.ref.Addr, base: base}, err
}

// view checks and borrows the region of ref and returns it as a []T. X
// names the type in errors.
func view[X, T any](ref marshal.SpanRef, mutable bool) ([]T, memory.Borrow, *byte, error) {
	if p, total := marshal.View[T](ref); p != nil {
		// The common case: checked in one call; only the borrow is left.
		var borrow memory.Borrow
		var err error
		if mutable {
			borrow, err = ref.Mem.Borrows().Mutable(ref.Addr, total)
		} else {
			borrow, err = ref.Mem.Borrows().Shared(ref.Addr, total)
		}
		if err != nil {
			return nil, memory.Borrow{}, nil, fail[X]("view", ref.Addr, total, err)
		}
		return unsafe.Slice((*T)(p), ref.Len), borrow, (*byte)(unsafe.Add(p, -int(ref.Addr))), nil
	}
	c, b, err := span[X, T](ref, "view")
	if err != nil {
		return nil, memory.Borrow{}, nil, err
	}
	total := uint64(len(b))
	if !c.Transparent() {
		return nil, memory.Borrow{}, nil, fail[X]("view", ref.Addr, total, fmt.Errorf("%w: %s has no view; copy it with ToSlice", ErrNotTransparent, shortName(reflect.TypeFor[T]())))
	}
	if ref.Mem.Shared() {
		return nil, memory.Borrow{}, nil, fail[X]("view", ref.Addr, total, fmt.Errorf("%w: other threads may write it while the view is read; copy it with ToSlice", ErrShared))
	}
	var first *T
	if total > 0 {
		first = (*T)(unsafe.Pointer(unsafe.SliceData(b)))
		if align := unsafe.Alignof(*first); uintptr(unsafe.Pointer(first))%align != 0 {
			return nil, memory.Borrow{}, nil, fail[X]("view", ref.Addr, total, fmt.Errorf("%w: host address of %#x is not a multiple of %d", ErrMisaligned, ref.Addr, align))
		}
	}
	var borrow memory.Borrow
	if mutable {
		borrow, err = ref.Mem.Borrows().Mutable(ref.Addr, total)
	} else {
		borrow, err = ref.Mem.Borrows().Shared(ref.Addr, total)
	}
	if err != nil {
		return nil, memory.Borrow{}, nil, fail[X]("view", ref.Addr, total, err)
	}
	var (
		data []T
		base *byte // the memory's first byte, to see on Release whether it moved
	)
	switch {
	case total > 0:
		data = unsafe.Slice(first, ref.Len)
		base = (*byte)(unsafe.Add(unsafe.Pointer(first), -int(ref.Addr)))
	case ref.Len > 0:
		data = make([]T, ref.Len) // zero-size elements: no memory behind them
	}
	return data, borrow, base, nil
}
