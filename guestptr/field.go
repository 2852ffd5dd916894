package guestptr

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/guestkit/guestkit/layout"
)

// Field returns a pointer to the field of the struct at p named by path: a
// Go field name, or a dotted path into nested structs ("U.Clock"). F must
// be the field's Go type. It fails with ErrNoField when there is no such
// field of that type, and with ErrOverflow when the field's address passes
// the end of the address space. Like Add, it reads nothing.
//
// Field lets a host read or write one field of a record whose other fields
// are not (yet) valid, such as a reply buffer the guest has not filled.
func Field[F, T any](p Ptr[T], path string) (Ptr[F], error) {
	if p.ref.Mem == nil {
		return Ptr[F]{}, fail[Ptr[T]]("field", p.ref.Addr, 0, ErrNoMemory)
	}
	l, err := layout.For[T](p.ref.Mem.ABI())
	if err != nil {
		return Ptr[F]{}, fail[Ptr[T]]("field", p.ref.Addr, 0, err)
	}
	var off uint64
	for name := range strings.SplitSeq(path, ".") {
		f, ok := fieldNamed(l, name)
		if !ok {
			return Ptr[F]{}, fail[Ptr[T]]("field", p.ref.Addr, 0, fmt.Errorf("%w: %s has no field %s", ErrNoField, shortName(l.Type), name))
		}
		off += f.Offset
		l = f.Layout
	}
	if want := reflect.TypeFor[F](); l.Type != want {
		return Ptr[F]{}, fail[Ptr[T]]("field", p.ref.Addr, 0, fmt.Errorf("%w: %s is a %s, not a %s", ErrNoField, path, shortName(l.Type), shortName(want)))
	}
	addr := p.ref.Addr + off
	if addr < off || addr > p.ref.Mem.ABI().MaxAddress() {
		return Ptr[F]{}, fail[Ptr[T]]("field", p.ref.Addr, l.Size, badPtr(ErrOverflow, "field %s at offset %d", path, off))
	}
	return New[F](p.ref.Mem, addr), nil
}

func fieldNamed(l *layout.Layout, name string) (layout.Field, bool) {
	for _, f := range l.Fields {
		if f.Name == name && !f.Blank {
			return f, true
		}
	}
	return layout.Field{}, false
}
