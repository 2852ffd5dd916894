package guestptr

import (
	"fmt"
	"iter"
	"math"
	"math/bits"
	"reflect"
	"unsafe"

	"github.com/guestkit/guestkit/layout"
	"github.com/guestkit/guestkit/marshal"
	"github.com/guestkit/guestkit/memory"
)

// Slice is a guest array of Ts: a memory, the address of the first element
// and a count. It is also a valid field type in a guest struct: a guest
// (pointer, length) pair, 8 bytes on wasm32 and 16 on wasm64.
//
// Like Ptr, a Slice checks nothing until it is read, copied or viewed.
type Slice[T any] struct{ ref marshal.SpanRef }

// NewSlice returns the array of n Ts at addr in mem.
func NewSlice[T any](mem *memory.Memory, addr, n uint64) Slice[T] {
	return Slice[T]{marshal.SpanTo[T](mem, addr, n)}
}

// Ptr returns a pointer to the first element.
func (s Slice[T]) Ptr() Ptr[T] { return Ptr[T]{s.ref.Elem(s.ref.Addr)} }

// Addr returns the guest address of the first element.
func (s Slice[T]) Addr() uint64 { return s.ref.Addr }

// Len returns the number of elements.
func (s Slice[T]) Len() uint64 { return s.ref.Len }

// Memory returns the memory the slice points into.
func (s Slice[T]) Memory() *memory.Memory { return s.ref.Mem }

// Equal reports whether s and o are the same region of the same memory.
func (s Slice[T]) Equal(o Slice[T]) bool { return s.ref.Equal(o.ref) }

// String returns the type, address and length, as in
// "guestptr.Slice[wasi.Iovec](0x1000, 4)".
func (s Slice[T]) String() string {
	return fmt.Sprintf("%s(%#x, %d)", shortName(reflect.TypeFor[Slice[T]]()), s.ref.Addr, s.ref.Len)
}

// GuestPointer tells package layout that a Slice is a guest (pointer,
// length) pair.
func (Slice[T]) GuestPointer() layout.PointerInfo {
	return layout.PointerInfo{Pointee: reflect.TypeFor[T](), WithLen: true}
}

// elemAddr returns the address of element i, if it fits the address space.
func (s Slice[T]) elemAddr(i uint64) (uint64, bool) {
	c, err := marshal.Elements[T](s.ref)
	if err != nil || !c.Valid() {
		return 0, false
	}
	return advance(s.ref.Mem.ABI(), s.ref.Addr, i, c.Size())
}

// Get returns a pointer to element i. It reports false when i is not below
// Len or the element's address does not fit the address space.
func (s Slice[T]) Get(i uint64) (Ptr[T], bool) {
	if i >= s.ref.Len {
		return Ptr[T]{}, false
	}
	addr, ok := s.elemAddr(i)
	return Ptr[T]{s.ref.Elem(addr)}, ok
}

// Range returns elements i to j-1. It reports false unless i <= j <= Len
// and element i's address fits the address space.
func (s Slice[T]) Range(i, j uint64) (Slice[T], bool) {
	if i > j || j > s.ref.Len {
		return Slice[T]{}, false
	}
	addr, ok := s.elemAddr(i)
	if !ok {
		return Slice[T]{}, false
	}
	return Slice[T]{s.ref.At(addr, j-i)}, true
}

// All yields a pointer to each element in turn, with a nil error. Nothing
// is read, so the pointers may lie outside memory, but a guest's length
// must not keep the host looping: the first element that starts past the
// end of the memory is yielded with an error matching ErrOutOfBounds (or
// ErrOverflow, past the end of the address space), and the iteration stops
// there.
func (s Slice[T]) All() iter.Seq2[Ptr[T], error] {
	return func(yield func(Ptr[T], error) bool) {
		c, err := marshal.Elements[T](s.ref)
		if err != nil || !c.Valid() {
			if err == nil {
				err = ErrNoMemory
			}
			if s.ref.Len > 0 {
				yield(Ptr[T]{}, fail[Slice[T]]("index", s.ref.Addr, 0, err))
			}
			return
		}
		size, abi := c.Size(), s.ref.Mem.ABI()
		limit := uint64(len(s.ref.Mem.Bytes()))
		for i := range s.ref.Len {
			addr, ok := advance(abi, s.ref.Addr, i, size)
			if !ok {
				yield(Ptr[T]{}, fail[Slice[T]]("index", s.ref.Addr, regionLen(s.ref.Len, size), badPtr(ErrOverflow, "element %d", i)))
				return
			}
			if addr > limit {
				// Fetched again before giving up: the memory may have grown.
				if limit = uint64(len(s.ref.Mem.Bytes())); addr > limit {
					yield(Ptr[T]{}, fail[Slice[T]]("index", s.ref.Addr, 0, fmt.Errorf("%w: element %d starts at %#x, past the end of memory (%#x bytes)", ErrOutOfBounds, i, addr, limit)))
					return
				}
			}
			if !yield(Ptr[T]{s.ref.Elem(addr)}, nil) {
				return
			}
		}
	}
}

// span checks the region of ref, read as Ts, for an operation and returns
// T's codec and the region's bytes. X names the type in errors. A
// zero-size element counts as one byte here, so no guest length makes the
// host allocate more elements than the memory has bytes.
func span[X, T any](ref marshal.SpanRef, op string) (marshal.Codec[T], []byte, error) {
	c, err := marshal.Elements[T](ref)
	if err != nil || !c.Valid() {
		if err == nil {
			err = ErrNoMemory
		}
		return c, nil, fail[X](op, ref.Addr, 0, err)
	}
	b, _, err := place(ref.Mem, ref.Addr, ref.Len, max(c.Size(), 1), c.Align())
	if err != nil {
		return c, nil, fail[X](op, ref.Addr, regionLen(ref.Len, c.Size()), err)
	}
	if c.Size() == 0 {
		b = b[:0]
	}
	return c, b, nil
}

// byteLen is the length of s's region in bytes (see Error.Len), or 0
// when T has no layout or s no memory.
func (s Slice[T]) byteLen() uint64 {
	c, err := marshal.Elements[T](s.ref)
	if err != nil || !c.Valid() {
		return 0
	}
	return regionLen(s.ref.Len, c.Size())
}

// regionLen is n elements of size bytes, or math.MaxUint64 when that
// overflows.
func regionLen(n, size uint64) uint64 {
	if hi, total := bits.Mul64(n, size); hi == 0 {
		return total
	}
	return math.MaxUint64
}

// ToSlice copies the elements out of guest memory, validating each, into a
// new slice. The region is checked before anything is allocated, and a copy
// whose Go elements would take more bytes than the whole guest memory fails
// with ErrTooLarge: no guest length makes the host allocate more than the
// guest holds. To reuse a buffer, or to copy in parts, see CopyToSlice.
func (s Slice[T]) ToSlice() ([]T, error) {
	c, b, err := span[Slice[T], T](s.ref, "read")
	if err != nil {
		return nil, err
	}
	goSize := uint64(unsafe.Sizeof(*new(T)))
	if hi, goBytes := bits.Mul64(s.ref.Len, goSize); hi != 0 || goBytes > uint64(len(s.ref.Mem.Bytes())) {
		return nil, fail[Slice[T]]("read", s.ref.Addr, uint64(len(b)), fmt.Errorf("%w: %d elements of %d Go bytes each, in a memory of %d bytes", ErrTooLarge, s.ref.Len, goSize, len(s.ref.Mem.Bytes())))
	}
	if c.Transparent() && len(b) > 0 && uintptr(unsafe.Pointer(unsafe.SliceData(b)))%unsafe.Alignof(*new(T)) == 0 {
		// make and copy in one pass: the new slice is not zeroed first.
		acc, err := s.ref.Mem.Borrows().BeginRead(s.ref.Addr, uint64(len(b)))
		if err != nil {
			return nil, fail[Slice[T]]("read", s.ref.Addr, uint64(len(b)), err)
		}
		src := unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(b))), s.ref.Len)
		out := make([]T, len(src))
		copy(out, src)
		acc.End()
		return out, nil
	}
	out := make([]T, s.ref.Len)
	if err := s.copyOut(c, b, out); err != nil {
		return nil, err
	}
	return out, nil
}

// CopyToSlice copies the elements out of guest memory into dst, validating
// each, without allocating. It fails with ErrLengthMismatch unless len(dst)
// equals Len. On error dst may be partly written.
func (s Slice[T]) CopyToSlice(dst []T) error {
	if uint64(len(dst)) != s.ref.Len {
		return fail[Slice[T]]("read", s.ref.Addr, s.byteLen(), fmt.Errorf("%w: %d elements into %d", ErrLengthMismatch, s.ref.Len, len(dst)))
	}
	if p, total := marshal.View[T](s.ref); p != nil && s.ref.Mem.Borrows().Held() == 0 {
		// Transparent elements, nothing borrowed: one check, one copy.
		copy(unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(dst))), total), unsafe.Slice((*byte)(p), total))
		return nil
	}
	c, b, err := span[Slice[T], T](s.ref, "read")
	if err != nil {
		return err
	}
	return s.copyOut(c, b, dst)
}

// copyOut decodes the placed region b into dst under a read access.
func (s Slice[T]) copyOut(c marshal.Codec[T], b []byte, dst []T) error {
	total := uint64(len(b))
	acc, err := s.ref.Mem.Borrows().BeginRead(s.ref.Addr, total)
	if err != nil {
		return fail[Slice[T]]("read", s.ref.Addr, total, err)
	}
	err = c.DecodeSlice(b, dst, s.ref.Mem)
	acc.End()
	if err != nil {
		return fail[Slice[T]]("read", s.ref.Addr, total, err)
	}
	return nil
}

// CopyFromSlice writes src over the elements. It fails with
// ErrLengthMismatch unless len(src) equals Len. On error memory is
// unchanged.
func (s Slice[T]) CopyFromSlice(src []T) error {
	if uint64(len(src)) != s.ref.Len {
		return fail[Slice[T]]("write", s.ref.Addr, s.byteLen(), fmt.Errorf("%w: %d elements into %d", ErrLengthMismatch, len(src), s.ref.Len))
	}
	if p, total := marshal.View[T](s.ref); p != nil && s.ref.Mem.Borrows().Held() == 0 {
		copy(unsafe.Slice((*byte)(p), total), unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(src))), total))
		return nil
	}
	c, b, err := span[Slice[T], T](s.ref, "write")
	if err != nil {
		return err
	}
	total := uint64(len(b))
	if len(src) > 0 {
		if err := foreignIn(c.Layout(), unsafe.Pointer(unsafe.SliceData(src)), uint64(len(src)), unsafe.Sizeof(src[0]), s.ref.Mem, true); err != nil {
			return fail[Slice[T]]("write", s.ref.Addr, total, err)
		}
	}
	acc, err := s.ref.Mem.Borrows().BeginWrite(s.ref.Addr, total)
	if err != nil {
		return fail[Slice[T]]("write", s.ref.Addr, total, err)
	}
	err = c.EncodeSlice(b, src)
	acc.End()
	if err != nil {
		return fail[Slice[T]]("write", s.ref.Addr, total, err)
	}
	return nil
}
