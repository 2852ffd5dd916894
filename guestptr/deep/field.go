package deep

import (
	"fmt"
	"reflect"
	"unsafe"

	"github.com/guestkit/guestkit/guestptr"
	"github.com/guestkit/guestkit/layout"
	"github.com/guestkit/guestkit/memory"
)

// FieldOf returns a pointer to one field of the native T at addr in mem,
// the field that field selects, as guestptr.FieldOf does for ordinary
// types:
//
//	buf, err := deep.FieldOf(mem, out, func(r *Replies) *guestptr.String { return &r.Motto })
//
// F must have an ordinary guest layout (it is read and written through
// guestptr); field must return the address of a field of the *T it is
// given. It reads nothing. It lets a host read the inputs of a reply
// buffer (such as a buffer the guest lends) before storing the reply.
func FieldOf[F, T any](mem *memory.Memory, addr uint64, field func(*T) *F) (guestptr.Ptr[F], error) {
	t := reflect.TypeFor[T]()
	if mem == nil {
		return guestptr.Ptr[F]{}, finish("field", t, addr, guestptr.ErrNoMemory)
	}
	c, err := For[T](mem.ABI())
	if err != nil {
		return guestptr.Ptr[F]{}, finish("field", t, addr, err)
	}
	var z T
	fp := uintptr(unsafe.Pointer(field(&z)))
	base := uintptr(unsafe.Pointer(&z))
	want := reflect.TypeFor[F]()
	if fp < base || fp-base+want.Size() > t.Size() {
		return guestptr.Ptr[F]{}, finish("field", t, addr, fmt.Errorf("%w: the function does not return a field of its argument", guestptr.ErrNoField))
	}
	off, ok := guestOffset(t, c.p.l, fp-base, want)
	if !ok {
		return guestptr.Ptr[F]{}, finish("field", t, addr, fmt.Errorf("%w: the %s at Go offset %d is not a guest field of %s", guestptr.ErrNoField, layout.TypeName(want), fp-base, layout.TypeName(t)))
	}
	if addr+off < addr || addr+off > mem.ABI().MaxAddress() {
		return guestptr.Ptr[F]{}, finish("field", t, addr, guestptr.CheckRegion(mem, addr, 1, off+1, 1))
	}
	return guestptr.New[F](mem, addr+off), nil
}

// guestOffset maps the field of Go type want at Go offset off of the
// native type t, whose mirror's layout is l, to its guest offset.
func guestOffset(t reflect.Type, l *layout.Layout, off uintptr, want reflect.Type) (uint64, bool) {
	if off == 0 && t == want {
		return 0, true
	}
	switch {
	case t.Kind() == reflect.Struct && (l.Kind == layout.Struct || l.Kind == layout.Union || l.Kind == layout.Variant):
		for _, f := range l.Fields {
			sf := t.Field(f.Index)
			if f.Blank || off < sf.Offset || off-sf.Offset >= max(sf.Type.Size(), 1) {
				continue
			}
			if g, ok := guestOffset(sf.Type, f.Layout, off-sf.Offset, want); ok {
				return f.Offset + g, true
			}
		}
	case t.Kind() == reflect.Array && l.Kind == layout.Array && t.Elem().Size() > 0:
		i := uint64(off / t.Elem().Size())
		if i < l.Len {
			if g, ok := guestOffset(t.Elem(), l.Elem, off-uintptr(i)*t.Elem().Size(), want); ok {
				return i*l.Elem.Size + g, true
			}
		}
	}
	return 0, false
}
