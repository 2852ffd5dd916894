package guestptr

import (
	"errors"
	"fmt"
	"reflect"
	"sync"
	"unsafe"

	"github.com/guestkit/guestkit/layout"
)

// FieldOf returns a pointer to the field of the struct at p that field
// selects, as in
//
//	buf, err := guestptr.FieldOf(out, func(r *Reply) *guestptr.Slice[byte] { return &r.Greeting })
//
// The compiler checks the field's name and type; FieldOf maps the Go field
// to its guest offset through T's layout. field must return the address of
// a field (or an element of an array field) of the *T it is given, and do
// nothing else; otherwise FieldOf fails with ErrNoField, as it does for a
// field left out of the guest layout. Like Add, it reads nothing, and it
// fails with ErrOverflow when the field's address passes the end of the
// address space. It allocates nothing.
func FieldOf[F, T any](p Ptr[T], field func(*T) *F) (Ptr[F], error) {
	if p.ref.Mem == nil {
		return Ptr[F]{}, fail[Ptr[T]]("field", p.ref.Addr, 0, ErrNoMemory)
	}
	l, err := layout.For[T](p.ref.Mem.ABI())
	if err != nil {
		return Ptr[F]{}, fail[Ptr[T]]("field", p.ref.Addr, 0, err)
	}
	z := zeroOf[T]()
	off, ok := goOffset(z, field(z))
	if !ok {
		return Ptr[F]{}, fail[Ptr[T]]("field", p.ref.Addr, l.Size, fmt.Errorf("%w: the function does not return a field of its argument", ErrNoField))
	}
	goff, ok := guestOffset(l, off, reflect.TypeFor[F](), nil)
	if !ok {
		return Ptr[F]{}, fail[Ptr[T]]("field", p.ref.Addr, l.Size, fmt.Errorf("%w: the %s at Go offset %d of %s is not a guest field", ErrNoField, shortName(reflect.TypeFor[F]()), off, shortName(l.Type)))
	}
	addr := p.ref.Addr + goff
	if addr < goff || addr > p.ref.Mem.ABI().MaxAddress() {
		return Ptr[F]{}, fail[Ptr[T]]("field", p.ref.Addr, l.Size, badPtr(ErrOverflow, "field at offset %d", goff))
	}
	return New[F](p.ref.Mem, addr), nil
}

// Follow follows a pointer field of v, the value read from parent: it calls
// op on the field field selects (a Ptr, Slice or String) and, if op fails,
// returns an error that names the parent and the field, as in
//
//	read guestptr.Ptr[main.Request] at 0x100: field Records: read guestptr.Slice[main.Record] at 0x1000000: out of bounds: ...
//
// The error is an *Error for parent's type whose Field is the field's path
// followed by the inner error's, and whose Err is the inner error (so
// errors.Is and errors.As see both). op is typically a method expression:
//
//	recs, err := guestptr.Follow(reqPtr, &req, func(r *Request) *guestptr.Slice[Record] { return &r.Records }, guestptr.Slice[Record].ToSlice)
func Follow[F, T, R any](parent Ptr[T], v *T, field func(*T) *F, op func(F) (R, error)) (R, error) {
	fp := field(v)
	if fp == nil {
		var zero R
		return zero, fail[Ptr[T]]("follow", parent.ref.Addr, 0, fmt.Errorf("%w: the function returned nil", ErrNoField))
	}
	r, err := op(*fp)
	if err == nil {
		return r, nil
	}
	return r, followError[F](parent, v, fp, err)
}

// followError wraps err, from following the field at fp of v, in an *Error
// for parent.
func followError[F, T any](parent Ptr[T], v *T, fp *F, err error) error {
	var path layout.Path
	size := uint64(0)
	if off, ok := goOffset(v, fp); ok && parent.ref.Mem != nil {
		if l, lerr := layout.For[T](parent.ref.Mem.ABI()); lerr == nil {
			size = l.Size
			guestOffset(l, off, reflect.TypeFor[F](), &path)
		}
	}
	op := "follow"
	var inner *Error
	if errors.As(err, &inner) {
		op = inner.Op
		path = append(path, inner.Field...)
	}
	return &Error{Op: op, Type: reflect.TypeFor[Ptr[T]](), Addr: parent.ref.Addr, Len: size, Field: path, Err: &fieldErr{path[:len(path)-len(fieldOf(inner))], err}}
}

func fieldOf(e *Error) layout.Path {
	if e == nil {
		return nil
	}
	return e.Field
}

// fieldErr is an error inside a field: "field P: err".
type fieldErr struct {
	path layout.Path
	err  error
}

func (e *fieldErr) Error() string { return "field " + e.path.String() + ": " + e.err.Error() }
func (e *fieldErr) Unwrap() error { return e.err }

// goOffset returns the offset of fp inside the T at v, if it lies inside.
func goOffset[F, T any](v *T, fp *F) (uintptr, bool) {
	base, at := uintptr(unsafe.Pointer(v)), uintptr(unsafe.Pointer(fp))
	size, fsize := unsafe.Sizeof(*v), unsafe.Sizeof(*fp)
	if fp == nil || at < base || at-base > size || size-(at-base) < fsize {
		return 0, false
	}
	return at - base, true
}

// guestOffset maps the Go field of type want at Go offset off of l's type
// to its guest offset, appending its path to *path when path is not nil.
func guestOffset(l *layout.Layout, off uintptr, want reflect.Type, path *layout.Path) (uint64, bool) {
	if off == 0 && l.Type == want {
		return 0, true
	}
	switch l.Kind {
	case layout.Struct, layout.Union, layout.Variant:
		for _, f := range l.Fields {
			if f.Blank || off < f.GoOffset || off-f.GoOffset >= max(f.Layout.Type.Size(), 1) {
				continue
			}
			n := 0
			if path != nil {
				n = len(*path)
				*path = append(*path, layout.FieldStep(f.Name))
			}
			if g, ok := guestOffset(f.Layout, off-f.GoOffset, want, path); ok {
				return f.Offset + g, true
			}
			if path != nil {
				*path = (*path)[:n]
			}
		}
	case layout.Array:
		stride := l.Type.Elem().Size()
		if stride == 0 {
			return 0, false
		}
		i := uint64(off / stride)
		if i >= l.Len {
			return 0, false
		}
		if path != nil {
			*path = append(*path, layout.IndexStep(i))
		}
		if g, ok := guestOffset(l.Elem, off-uintptr(i)*stride, want, path); ok {
			return i*l.Elem.Size + g, true
		}
	}
	return 0, false
}

var zeros sync.Map // reflect.Type -> unsafe.Pointer to a zero value

// zeroOf returns a T that FieldOf's functions are called on: one per type,
// so a call allocates nothing.
func zeroOf[T any]() *T {
	t := reflect.TypeFor[T]()
	if p, ok := zeros.Load(t); ok {
		return (*T)(p.(unsafe.Pointer))
	}
	p, _ := zeros.LoadOrStore(t, unsafe.Pointer(new(T)))
	return (*T)(p.(unsafe.Pointer))
}
