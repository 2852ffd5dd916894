package marshal

import (
	"reflect"
	"unsafe"

	"github.com/guestkit/guestkit/layout"
	"github.com/guestkit/guestkit/memory"
)

// Dynamic is a codec found by reflect.Type rather than by type parameter,
// for code that walks types at run time (such as guestptr/deep). It moves
// values through unsafe pointers to Go values of its type: the caller
// guarantees the pointers are to values of that type. The zero Dynamic is
// not usable.
type Dynamic struct{ c *codec }

// DynamicFor returns the codec of t under abi, compiling it on first use.
func DynamicFor(t reflect.Type, abi layout.ABI) (Dynamic, error) {
	c, err := codecOf(t, abi)
	return Dynamic{c}, err
}

// Valid reports whether d is usable.
func (d Dynamic) Valid() bool { return d.c != nil }

// Layout returns the layout d was compiled from.
func (d Dynamic) Layout() *layout.Layout { return d.c.layout }

// Size returns the guest size of a value.
func (d Dynamic) Size() uint64 { return d.c.size }

// Align returns the guest alignment of a value.
func (d Dynamic) Align() uint64 { return d.c.alignMask + 1 }

// Transparent reports whether a value's guest bytes are its Go bytes.
func (d Dynamic) Transparent() bool { return d.c.transparent }

// Decode reads the value at v from the first Size() bytes of src, as
// Codec.Decode does; guest pointers are bound to mem.
func (d Dynamic) Decode(src []byte, v unsafe.Pointer, mem *memory.Memory) error {
	k := d.c
	if uint64(len(src)) < k.size {
		return shortBuffer(uint64(len(src)), k.size)
	}
	if k.size == 0 {
		return nil
	}
	p := unsafe.Pointer(unsafe.SliceData(src))
	if !k.direct {
		return k.step.dec(p, v, mem)
	}
	// A direct value holds no Go pointers: copy, then check the copy.
	copy(bytesAt(v, uintptr(k.size)), src[:k.size])
	if b := k.block; b != nil && !b.valid(v) {
		fe := b.fail(v, nil, 0)
		clear(bytesAt(v, uintptr(k.size)))
		return fe
	}
	return nil
}

// Check reports why the Go value at v cannot be written, or nil.
func (d Dynamic) Check(v unsafe.Pointer) error {
	k := d.c
	switch {
	case k.size == 0 || k.transparent:
		return nil
	case k.block != nil:
		if !k.block.goValid(v) {
			return k.block.fail(v, nil, 0)
		}
		return nil
	case k.checked:
		return k.step.chk(v)
	}
	return nil
}

// Encode writes the Go value at v, which Check passed, to the first
// Size() bytes of dst: fields only, padding keeps its bytes.
func (d Dynamic) Encode(dst []byte, v unsafe.Pointer) {
	k := d.c
	if k.size == 0 || uint64(len(dst)) < k.size {
		return
	}
	p := unsafe.Pointer(unsafe.SliceData(dst))
	switch {
	case k.transparent:
		copy(dst[:k.size], bytesAt(v, uintptr(k.size)))
	case k.block != nil:
		k.block.write(p, v)
	default:
		k.step.enc(p, v)
	}
}
