package guestptr

import (
	"fmt"
	"reflect"

	"github.com/guestkit/guestkit/layout"
	"github.com/guestkit/guestkit/marshal"
	"github.com/guestkit/guestkit/memory"
)

// Ptr is a guest pointer to a T: a memory and an address in it.
//
// Creating, casting and moving a Ptr check nothing, as a pointer's
// existence implies no validity. Read and Write check that the T lies
// inside the memory, that the address is aligned to T's guest alignment,
// that no view conflicts, and that the bytes are a valid T. A Ptr is also a
// valid field type in a guest struct: a guest pointer of 4 bytes (wasm32)
// or 8 (wasm64), read as a Ptr bound to the same memory and followed only
// when asked.
type Ptr[T any] struct{ ref marshal.Ref }

// New returns a pointer to a T at addr in mem.
func New[T any](mem memory.Memory, addr uint64) Ptr[T] {
	return Ptr[T]{marshal.Ref{Mem: mem, Addr: addr}}
}

// Addr returns the guest address.
func (p Ptr[T]) Addr() uint64 { return p.ref.Addr }

// Memory returns the memory the pointer points into.
func (p Ptr[T]) Memory() memory.Memory { return p.ref.Mem }

// IsNull reports whether the address is 0, the guest's null pointer.
func (p Ptr[T]) IsNull() bool { return p.ref.Addr == 0 }

// Equal reports whether p and q point to the same address of the same
// memory.
func (p Ptr[T]) Equal(q Ptr[T]) bool { return p.ref == q.ref }

// String returns the type and address, as in "guestptr.Ptr[wasi.Fdstat](0x1000)".
func (p Ptr[T]) String() string {
	return fmt.Sprintf("%s(%#x)", typeName[Ptr[T]](), p.ref.Addr)
}

// GuestPointer tells package layout that a Ptr is a guest pointer to T.
func (Ptr[T]) GuestPointer() layout.PointerInfo {
	return layout.PointerInfo{Pointee: reflect.TypeFor[T]()}
}

// Cast reinterprets p as a pointer to a U at the same address, checking
// nothing.
func Cast[U, T any](p Ptr[T]) Ptr[U] { return Ptr[U](p) }

// AsArray returns the array of n Ts that starts at p, checking nothing.
func (p Ptr[T]) AsArray(n uint64) Slice[T] {
	return NewSlice[T](p.ref.Mem, p.ref.Addr, n)
}

// codec returns T's codec for p's memory.
func (p Ptr[T]) codec(op string) (marshal.Codec[T], error) {
	if p.ref.Mem == nil {
		return marshal.Codec[T]{}, fail[Ptr[T]](op, p.ref.Addr, 0, ErrNoMemory)
	}
	c, err := marshal.For[T](p.ref.Mem.ABI())
	if err != nil {
		return c, fail[Ptr[T]](op, p.ref.Addr, 0, err)
	}
	return c, nil
}

// Add returns the pointer n Ts past p. It fails with ErrOverflow when the
// address would pass the end of the address space.
func (p Ptr[T]) Add(n uint64) (Ptr[T], error) {
	c, err := p.codec("add")
	if err != nil {
		return p, err
	}
	hi, delta := mulOverflows(n, c.Size())
	addr := p.ref.Addr + delta
	if hi || addr < p.ref.Addr || addr > p.ref.Mem.ABI().MaxAddress() {
		return p, fail[Ptr[T]]("add", p.ref.Addr, 0, fmt.Errorf("%w: %d elements of %d bytes past %#x", ErrOverflow, n, c.Size(), p.ref.Addr))
	}
	return Ptr[T]{marshal.Ref{Mem: p.ref.Mem, Addr: addr}}, nil
}

// Read reads the T at p.
func (p Ptr[T]) Read() (T, error) {
	var v T
	c, err := p.codec("read")
	if err != nil {
		return v, err
	}
	mem, addr, size := p.ref.Mem, p.ref.Addr, c.Size()
	b := mem.Bytes()
	if addr > uint64(len(b)) || uint64(len(b))-addr < size || addr&(c.Align()-1) != 0 {
		return v, p.placeError("read", b, c)
	}
	acc, err := mem.Borrows().BeginRead(addr, size)
	if err != nil {
		return v, fail[Ptr[T]]("read", addr, size, err)
	}
	err = c.Decode(b[addr:], &v, mem)
	acc.End()
	if err != nil {
		var zero T
		return zero, fail[Ptr[T]]("read", addr, size, err)
	}
	return v, nil
}

// Write writes v at p. On error memory is unchanged.
func (p Ptr[T]) Write(v T) error {
	c, err := p.codec("write")
	if err != nil {
		return err
	}
	mem, addr, size := p.ref.Mem, p.ref.Addr, c.Size()
	b := mem.Bytes()
	if addr > uint64(len(b)) || uint64(len(b))-addr < size || addr&(c.Align()-1) != 0 {
		return p.placeError("write", b, c)
	}
	acc, err := mem.Borrows().BeginWrite(addr, size)
	if err != nil {
		return fail[Ptr[T]]("write", addr, size, err)
	}
	err = c.Encode(b[addr:], &v)
	acc.End()
	if err != nil {
		return fail[Ptr[T]]("write", addr, size, err)
	}
	return nil
}

// placeError says why the T at p is not in bounds or not aligned.
func (p Ptr[T]) placeError(op string, b []byte, c marshal.Codec[T]) error {
	addr, size := p.ref.Addr, c.Size()
	if _, err := region(b, p.ref.Mem.ABI(), addr, 1, size); err != nil {
		return fail[Ptr[T]](op, addr, size, err)
	}
	return fail[Ptr[T]](op, addr, size, misaligned(addr, c.Align()))
}
