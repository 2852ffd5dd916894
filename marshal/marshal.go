// Package marshal moves values between guest bytes and Go values using the
// plans of package layout. A plan is compiled once per type and ABI; a
// call then runs a flat list of operations over unsafe offsets, with no
// reflection and no allocation. A transparent type (one whose Go bytes are
// its guest bytes) is a single bounds check and one copy.
//
// Reads validate as they go: a bool is 0 or 1, an enum is below its case
// count, flags stay inside their mask, and a tagged union's tag names one of
// its cases (only that case is read; the other case fields are set to
// zero). Writes check first and write after, so a value that does not fit
// its guest field (ErrValueRange) or is not valid changes no byte. Padding
// and blank fields are never read or written.
//
// Guest pointers inside values are [Ref] and [SpanRef] fields, as in
// guestptr.Ptr, guestptr.Slice and guestptr.String.
//
// guestkit needs a little-endian host, as every WebAssembly runtime's
// common platforms are.
package marshal

import (
	"fmt"
	"reflect"
	"unsafe"

	"github.com/guestkit/guestkit/layout"
	"github.com/guestkit/guestkit/memory"
)

// Codec moves values of type T between guest bytes and Go values under one
// ABI. A Codec is a small handle; copy it freely. The zero Codec is not
// usable: get one from [For].
type Codec[T any] struct{ c *codec }

// For returns the codec of T under abi, compiling it on first use. Later
// calls are a table lookup: no lock, no allocation.
func For[T any](abi layout.ABI) (Codec[T], error) {
	t := reflect.TypeFor[T]()
	if c := recent(t, abi); c != nil {
		return Codec[T]{c}, nil
	}
	c, err := compiledOf(t, abi)
	return Codec[T]{c}, err
}

// Layout returns the layout the codec was compiled from.
func (c Codec[T]) Layout() *layout.Layout { return c.c.layout }

// Size returns the guest size of a T.
func (c Codec[T]) Size() uint64 { return c.c.size }

// Align returns the guest alignment of a T.
func (c Codec[T]) Align() uint64 { return c.c.align }

// Decode reads a T from the first Size() bytes of src into *v. Guest
// pointers in the value are bound to mem, which may be nil. Only the fields
// the layout names are set; on error *v may be partly written.
func (c Codec[T]) Decode(src []byte, v *T, mem memory.Memory) error {
	// A value that is one block is checked in place and copied as a T:
	// the compiler moves it with a few instructions. Its type holds no
	// pointers, so any bytes make a T; the source must be aligned for T.
	if w := c.c.whole; w != nil && uint64(len(src)) >= c.c.size {
		p := unsafe.Pointer(unsafe.SliceData(src))
		if uintptr(p)%unsafe.Alignof(*v) == 0 && w.valid(p) {
			*v = *(*T)(p)
			return nil
		}
	}
	return c.c.decode(src, unsafe.Pointer(v), mem)
}

// Encode writes *v to the first Size() bytes of dst. On error dst is
// unchanged.
func (c Codec[T]) Encode(dst []byte, v *T) error {
	// A value that is one block is checked in place (its Go bytes sit where
	// its guest bytes go) and written as a T when it has no padding, or as
	// its chunks when it has.
	if w := c.c.whole; w != nil && uint64(len(dst)) >= c.c.size && w.valid(unsafe.Pointer(v)) {
		p := unsafe.Pointer(unsafe.SliceData(dst))
		switch {
		case !c.c.transparent:
			writeChunks(p, unsafe.Pointer(v), w.chunks)
		case uintptr(p)%unsafe.Alignof(*v) == 0:
			*(*T)(p) = *v
		default:
			copy(dst, bytesAt(unsafe.Pointer(v), uintptr(c.c.size)))
		}
		return nil
	}
	return c.c.encode(dst, unsafe.Pointer(v))
}

// DecodeSlice reads len(vs) consecutive values, Size() bytes apart, from
// src. An error names the element: "[3].Flags".
func (c Codec[T]) DecodeSlice(src []byte, vs []T, mem memory.Memory) error {
	n := uint64(len(vs))
	if c.c.size != 0 && uint64(len(src))/c.c.size < n {
		return shortBuffer(uint64(len(src)), n*c.c.size)
	}
	base := unsafe.Pointer(unsafe.SliceData(vs))
	if c.c.transparent {
		copy(bytesAt(base, uintptr(n*c.c.size)), src)
		return nil
	}
	elem := unsafe.Sizeof(*new(T))
	s := unsafe.Pointer(unsafe.SliceData(src))
	for i := range n {
		if err := decode(c.c.ops, unsafe.Add(s, i*c.c.size), unsafe.Add(base, uintptr(i)*elem), mem, c.c.ptrW); err != nil {
			return inIndex(err, i, c.c.size)
		}
	}
	return nil
}

// EncodeSlice writes len(vs) consecutive values, Size() bytes apart, to
// dst. Every value is checked before the first byte is written, so on error
// dst is unchanged.
func (c Codec[T]) EncodeSlice(dst []byte, vs []T) error {
	n := uint64(len(vs))
	if c.c.size != 0 && uint64(len(dst))/c.c.size < n {
		return shortBuffer(uint64(len(dst)), n*c.c.size)
	}
	base := unsafe.Pointer(unsafe.SliceData(vs))
	if c.c.transparent {
		copy(dst, bytesAt(base, uintptr(n*c.c.size)))
		return nil
	}
	elem := unsafe.Sizeof(*new(T))
	if c.c.checked {
		for i := range n {
			if err := check(c.c.ops, unsafe.Add(base, uintptr(i)*elem), c.c.ptrW); err != nil {
				return inIndex(err, i, c.c.size)
			}
		}
	}
	d := unsafe.Pointer(unsafe.SliceData(dst))
	for i := range n {
		encode(c.c.ops, unsafe.Add(d, i*c.c.size), unsafe.Add(base, uintptr(i)*elem), c.c.ptrW)
	}
	return nil
}

func inIndex(err error, i, size uint64) error {
	if fe, ok := err.(*FieldError); ok {
		return fe.within(fmt.Sprintf("[%d]", i), i*size)
	}
	return err
}

func (c *codec) decode(src []byte, dst unsafe.Pointer, mem memory.Memory) error {
	if uint64(len(src)) < c.size {
		return shortBuffer(uint64(len(src)), c.size)
	}
	s := unsafe.Pointer(unsafe.SliceData(src))
	if c.whole == nil {
		return decode(c.ops, s, dst, mem, c.ptrW)
	}
	if !c.whole.valid(s) {
		return c.ops[0].blockError(s)
	}
	copy(bytesAt(dst, uintptr(c.size)), src)
	return nil
}

func (c *codec) encode(dst []byte, src unsafe.Pointer) error {
	if uint64(len(dst)) < c.size {
		return shortBuffer(uint64(len(dst)), c.size)
	}
	if c.transparent {
		copy(dst, bytesAt(src, uintptr(c.size)))
		return nil
	}
	if c.checked {
		if err := check(c.ops, src, c.ptrW); err != nil {
			return err
		}
	}
	encode(c.ops, unsafe.Pointer(unsafe.SliceData(dst)), src, c.ptrW)
	return nil
}

func shortBuffer(have, need uint64) error {
	return fmt.Errorf("%w: %d bytes, need %d", ErrShortBuffer, have, need)
}

// Decode reads the value v points to from b, laid out under abi. v must be
// a non-nil pointer to a type with a guest layout. Guest pointers in the
// value are bound to no memory.
func Decode(abi layout.ABI, b []byte, v any) error {
	c, p, err := target(abi, v)
	if err != nil {
		return err
	}
	return c.decode(b, p, nil)
}

// Encode writes the value v points to into b, laid out under abi. v must be
// a non-nil pointer to a type with a guest layout. On error b is unchanged.
func Encode(abi layout.ABI, b []byte, v any) error {
	c, p, err := target(abi, v)
	if err != nil {
		return err
	}
	return c.encode(b, p)
}

func target(abi layout.ABI, v any) (*codec, unsafe.Pointer, error) {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return nil, nil, fmt.Errorf("marshal: need a non-nil pointer, got %T", v)
	}
	c, err := codecOf(rv.Type().Elem(), abi)
	if err != nil {
		return nil, nil, err
	}
	return c, rv.UnsafePointer(), nil
}
