package guestptr

import (
	"fmt"
	"math/bits"
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
func New[T any](mem *memory.Memory, addr uint64) Ptr[T] {
	return Ptr[T]{marshal.RefTo[T](mem, addr)}
}

// Addr returns the guest address.
func (p Ptr[T]) Addr() uint64 { return p.ref.Addr }

// Memory returns the memory the pointer points into.
func (p Ptr[T]) Memory() *memory.Memory { return p.ref.Mem }

// IsNull reports whether the address is 0, the guest's null pointer.
func (p Ptr[T]) IsNull() bool { return p.ref.Addr == 0 }

// Equal reports whether p and q point to the same address of the same
// memory.
func (p Ptr[T]) Equal(q Ptr[T]) bool { return p.ref.Equal(q.ref) }

// String returns the type and address, as in "guestptr.Ptr[wasi.Fdstat](0x1000)".
func (p Ptr[T]) String() string {
	return fmt.Sprintf("%s(%#x)", shortName(reflect.TypeFor[Ptr[T]]()), p.ref.Addr)
}

// GuestPointer tells package layout that a Ptr is a guest pointer to T.
func (Ptr[T]) GuestPointer() layout.PointerInfo {
	return layout.PointerInfo{Pointee: reflect.TypeFor[T]()}
}

// Cast reinterprets p as a pointer to a U at the same address, checking
// nothing.
func Cast[U, T any](p Ptr[T]) Ptr[U] { return New[U](p.ref.Mem, p.ref.Addr) }

// AsArray returns the array of n Ts that starts at p, checking nothing.
func (p Ptr[T]) AsArray(n uint64) Slice[T] {
	return Slice[T]{p.ref.Span(n)}
}

// Add returns the pointer n Ts past p. It fails with ErrOverflow when the
// address would pass the end of the address space.
func (p Ptr[T]) Add(n uint64) (Ptr[T], error) {
	c, err := marshal.Pointee[T](p.ref)
	if err != nil || !c.Valid() {
		return p, p.noCodec("add", err)
	}
	addr, ok := advance(p.ref.Mem.ABI(), p.ref.Addr, n, c.Size())
	if !ok {
		return p, fail[Ptr[T]]("add", p.ref.Addr, c.Size(), badPtr(ErrOverflow, "%d elements of %d bytes past %#x", n, c.Size(), p.ref.Addr))
	}
	return Ptr[T]{p.ref.At(addr)}, nil
}

// advance returns the address n elements of size bytes past addr, and
// whether it is inside abi's address space.
func advance(abi layout.ABI, addr, n, size uint64) (uint64, bool) {
	hi, delta := bits.Mul64(n, size)
	next := addr + delta
	return next, hi == 0 && next >= addr && next <= abi.MaxAddress()
}
