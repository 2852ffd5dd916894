// Package marshal moves values between guest bytes and Go values. The
// layout of a type (package layout) is compiled once per type and ABI into
// code specialized to it, as encoding/json compiles an encoder per type:
// a transparent type (one whose Go bytes are its guest bytes) is one copy;
// a copyable one (the same apart from padding) is one copy and a few word
// masks; anything else runs closures made for its fields, with tagged
// unions dispatched by index. A call does no reflection and no allocation.
//
// Reads fetch each guest byte once and validate what they fetched: a bool
// is 0 or 1, an enum is below its case count, flags stay inside their
// mask, and a tagged union's tag names one of its cases (only that case is
// read; the other case fields are set to zero). So a guest thread changing
// shared memory during a read cannot slip an unchecked value through.
// Writes check first and write after, so a value that does not fit its
// guest field (ErrValueRange) or is not valid changes no byte. Padding and
// blank fields are never read into the result or written.
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

	"github.com/guestkit/guestkit/internal/typecache"
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
	if c := (*codec)(recent.Load(t, typecache.RowOf(abi.PointerSize()))); c != nil {
		return Codec[T]{c}, nil
	}
	c, err := compiled(t, abi)
	return Codec[T]{c}, err
}

// Valid reports whether the codec is usable: not the zero Codec.
func (c Codec[T]) Valid() bool { return c.c != nil }

// Layout returns the layout the codec was compiled from.
func (c Codec[T]) Layout() *layout.Layout { return c.c.layout }

// ABI returns the ABI the codec was compiled for.
func (c Codec[T]) ABI() layout.ABI { return c.c.abi }

// Size returns the guest size of a T.
func (c Codec[T]) Size() uint64 { return c.c.size }

// Align returns the guest alignment of a T.
func (c Codec[T]) Align() uint64 { return c.c.alignMask + 1 }

// Transparent reports whether a T's guest bytes are its Go bytes, so that
// guest memory may be seen as a []T without a copy.
func (c Codec[T]) Transparent() bool { return c.c.transparent }

// Decode reads a T from the first Size() bytes of src into *v. Guest
// pointers in the value are bound to mem, which may be nil. Each byte of
// src is read once. On error *v may be partly written, but holds no value
// that failed its check.
func (c Codec[T]) Decode(src []byte, v *T, mem *memory.Memory) error {
	if k := c.c; !k.direct && uint64(len(src)) >= k.size && k.size > 0 {
		return k.step.dec(unsafe.Pointer(unsafe.SliceData(src)), noescape(unsafe.Pointer(v)), mem)
	}
	if done, ok := c.DecodeDirect(src, v, mem); done {
		if ok {
			return nil
		}
		return c.Check(v)
	}
	return c.decode(src, v, mem)
}

// DecodeDirect is Decode's fast path: for a transparent or copyable T
// (see layout.Layout.Copyable) whose checks are a few word masks, and a src
// of at least Size() bytes aligned for T, it copies *v out of src and
// reports done, and whether the value passed its checks (if not, Check(v)
// says which field failed, from the copy). Otherwise it does nothing and
// reports !done: use Decode. src lies in mem, or mem is nil; on a shared
// memory the bytes are copied first and the copy is checked, so they are
// fetched once.
func (c Codec[T]) DecodeDirect(src []byte, v *T, mem *memory.Memory) (done, ok bool) {
	k := c.c
	p := unsafe.Pointer(unsafe.SliceData(src))
	if k.direct && uint64(len(src)) >= k.size && uintptr(p)%unsafe.Alignof(*v) == 0 && k.validInPlace(p, mem) {
		*v = *(*T)(p)
		return true, true
	}
	return c.decodeDirectSlow(src, v, mem)
}

func (c Codec[T]) decodeDirectSlow(src []byte, v *T, mem *memory.Memory) (done, ok bool) {
	k := c.c
	p := unsafe.Pointer(unsafe.SliceData(src))
	if !k.direct || uint64(len(src)) < k.size || uintptr(p)%unsafe.Alignof(*v) != 0 {
		return false, false
	}
	// Shared memory, or checks past the quick ones: copy first, then
	// check the copy, so each byte is fetched once.
	copy(bytesAt(unsafe.Pointer(v), uintptr(k.size)), src)
	return true, k.block == nil || k.block.valid(unsafe.Pointer(v))
}

// Check reports the first field of *v, a value of a transparent or
// copyable T, that fails its check. For other types it reports nil.
func (c Codec[T]) Check(v *T) error {
	if b := c.c.block; b != nil && !b.valid(unsafe.Pointer(v)) {
		return b.fail(unsafe.Pointer(v), nil, 0)
	}
	return nil
}

func (c Codec[T]) decode(src []byte, v *T, mem *memory.Memory) error {
	k := c.c
	if uint64(len(src)) < k.size {
		return shortBuffer(uint64(len(src)), k.size)
	}
	if k.size == 0 {
		return nil
	}
	p := unsafe.Pointer(unsafe.SliceData(src))
	if !k.direct {
		return k.step.dec(p, noescape(unsafe.Pointer(v)), mem)
	}
	if uintptr(p)%unsafe.Alignof(*v) == 0 {
		*v = *(*T)(p)
	} else {
		copy(bytesAt(unsafe.Pointer(v), uintptr(k.size)), src)
	}
	if b := k.block; b != nil && !b.valid(unsafe.Pointer(v)) {
		fe := b.fail(unsafe.Pointer(v), nil, 0)
		*v = *new(T)
		return fe
	}
	return nil
}

// Encode writes *v to the first Size() bytes of dst, fields only: padding
// and blank fields keep their bytes. On error dst is unchanged.
func (c Codec[T]) Encode(dst []byte, v *T) error {
	k := c.c
	if uint64(len(dst)) < k.size {
		return shortBuffer(uint64(len(dst)), k.size)
	}
	if k.size == 0 {
		return nil
	}
	p, g := unsafe.Pointer(unsafe.SliceData(dst)), noescape(unsafe.Pointer(v))
	switch {
	case k.transparent:
		if uintptr(p)%unsafe.Alignof(*v) == 0 {
			*(*T)(p) = *v
		} else {
			copy(dst, bytesAt(g, uintptr(k.size)))
		}
	case k.block != nil:
		if !k.block.goValid(g) {
			return k.block.fail(g, nil, 0)
		}
		k.block.write(p, g)
	default:
		if k.checked {
			if err := k.step.chk(g); err != nil {
				return err
			}
		}
		k.step.enc(p, g)
	}
	return nil
}

// DecodeSlice reads len(vs) consecutive values, Size() bytes apart, from
// src. An error names the element: "[3].Flags".
func (c Codec[T]) DecodeSlice(src []byte, vs []T, mem *memory.Memory) error {
	k, n := c.c, uint64(len(vs))
	if k.size != 0 && uint64(len(src))/k.size < n {
		return shortBuffer(uint64(len(src)), n*k.size)
	}
	if k.size == 0 || n == 0 {
		return nil
	}
	base, elem := unsafe.Pointer(unsafe.SliceData(vs)), unsafe.Sizeof(*new(T))
	if k.transparent || k.block != nil {
		copy(bytesAt(base, uintptr(n*k.size)), src)
		if b := k.block; b != nil {
			for i := range n {
				if p := unsafe.Add(base, uintptr(i)*elem); !b.valid(p) {
					fe := b.fail(p, nil, 0).within(i*k.size, layout.IndexStep(i))
					clear(vs)
					return fe
				}
			}
		}
		return nil
	}
	s := unsafe.Pointer(unsafe.SliceData(src))
	for i := range n {
		if err := k.step.dec(unsafe.Add(s, i*k.size), unsafe.Add(base, uintptr(i)*elem), mem); err != nil {
			return inIndex(err, i, k.size)
		}
	}
	return nil
}

// EncodeSlice writes len(vs) consecutive values, Size() bytes apart, to
// dst. Every value is checked before the first byte is written, so on error
// dst is unchanged.
func (c Codec[T]) EncodeSlice(dst []byte, vs []T) error {
	k, n := c.c, uint64(len(vs))
	if k.size != 0 && uint64(len(dst))/k.size < n {
		return shortBuffer(uint64(len(dst)), n*k.size)
	}
	if k.size == 0 || n == 0 {
		return nil
	}
	base, elem := unsafe.Pointer(unsafe.SliceData(vs)), unsafe.Sizeof(*new(T))
	if k.transparent {
		copy(dst, bytesAt(base, uintptr(n*k.size)))
		return nil
	}
	if k.checked {
		for i := range n {
			if err := k.step.chk(unsafe.Add(base, uintptr(i)*elem)); err != nil {
				return inIndex(err, i, k.size)
			}
		}
	}
	d := unsafe.Pointer(unsafe.SliceData(dst))
	for i := range n {
		k.step.enc(unsafe.Add(d, i*k.size), unsafe.Add(base, uintptr(i)*elem))
	}
	return nil
}

func inIndex(err error, i, size uint64) error {
	if fe, ok := err.(*FieldError); ok {
		return fe.within(i*size, layout.IndexStep(i))
	}
	return err
}

// Decode reads the value v points to from b, laid out under abi. v must be
// a non-nil pointer to a type with a guest layout. Guest pointers in the
// value are bound to no memory.
func Decode(abi layout.ABI, b []byte, v any) error {
	c, p, err := target(abi, v)
	if err != nil {
		return err
	}
	if uint64(len(b)) < c.size {
		return shortBuffer(uint64(len(b)), c.size)
	}
	if c.size == 0 {
		return nil
	}
	if err := c.step.dec(unsafe.Pointer(unsafe.SliceData(b)), p, nil); err != nil {
		return err
	}
	return nil
}

// Encode writes the value v points to into b, laid out under abi. v must be
// a non-nil pointer to a type with a guest layout. On error b is unchanged.
func Encode(abi layout.ABI, b []byte, v any) error {
	c, p, err := target(abi, v)
	if err != nil {
		return err
	}
	if uint64(len(b)) < c.size {
		return shortBuffer(uint64(len(b)), c.size)
	}
	if c.size == 0 {
		return nil
	}
	if c.checked {
		if err := c.step.chk(p); err != nil {
			return err
		}
	}
	c.step.enc(unsafe.Pointer(unsafe.SliceData(b)), p)
	return nil
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
