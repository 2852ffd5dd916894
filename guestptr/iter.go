package guestptr

import (
	"iter"
	"reflect"

	"github.com/guestkit/guestkit/layout"
)

// Values yields each element's value in turn, read and validated, with a
// nil error: one error check per element. The first element that cannot be
// read is yielded as the zero T with its error (naming the element, as in
// "index 3"), and the iteration stops there. Nothing is allocated up
// front, so a guest length costs the host only the time to read what is
// there:
//
//	for rec, err := range req.Records.Values() {
//		if err != nil {
//			return err
//		}
//		...
//	}
func (s Slice[T]) Values() iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var i uint64
		for p, err := range s.All() {
			var v T
			if err == nil {
				v, err = p.Read()
			}
			if err != nil {
				yield(*new(T), s.elemError(i, err))
				return
			}
			if !yield(v, nil) {
				return
			}
			i++
		}
	}
}

// elemError is err, from element i, as an error of the slice.
func (s Slice[T]) elemError(i uint64, err error) error {
	e, ok := err.(*Error)
	if !ok || e.Type == typeOf[Slice[T]]() {
		return err
	}
	return &Error{Op: e.Op, Type: typeOf[Slice[T]](), Addr: s.ref.Addr, Len: s.byteLen(), Field: append(indexPath(i), e.Field...), Err: &fieldErr{indexPath(i), err}}
}

// At returns a pointer to element i, checking nothing else: it fails with
// ErrBadPointer (ErrOutOfBounds) when i is not below Len, and ErrOverflow
// when the element's address does not fit the address space. It is Get
// with an error.
func (s Slice[T]) At(i uint64) (Ptr[T], error) {
	if i >= s.ref.Len {
		return Ptr[T]{}, fail[Slice[T]]("index", s.ref.Addr, s.byteLen(), badPtr(ErrOutOfBounds, "index %d of %d elements", i, s.ref.Len))
	}
	addr, ok := s.elemAddr(i)
	if !ok {
		return Ptr[T]{}, s.indexError(i)
	}
	return Ptr[T]{s.ref.Elem(addr)}, nil
}

// Sub returns elements i to j-1, checking nothing else: it fails with
// ErrBadPointer (ErrOutOfBounds) unless i <= j <= Len, and ErrOverflow when
// element i's address does not fit the address space. It is Range with an
// error.
func (s Slice[T]) Sub(i, j uint64) (Slice[T], error) {
	if i > j || j > s.ref.Len {
		return Slice[T]{}, fail[Slice[T]]("index", s.ref.Addr, s.byteLen(), badPtr(ErrOutOfBounds, "range [%d, %d) of %d elements", i, j, s.ref.Len))
	}
	addr, ok := s.elemAddr(i)
	if !ok {
		return Slice[T]{}, s.indexError(i)
	}
	return Slice[T]{s.ref.At(addr, j-i)}, nil
}

// indexError is why element i's address is not known: no codec, or overflow.
func (s Slice[T]) indexError(i uint64) error {
	if s.ref.Mem == nil {
		return fail[Slice[T]]("index", s.ref.Addr, 0, ErrNoMemory)
	}
	if _, err := s.Ptr().Add(0); err != nil {
		return retype[Slice[T]](err)
	}
	return fail[Slice[T]]("index", s.ref.Addr, s.byteLen(), badPtr(ErrOverflow, "element %d", i))
}

// indexPath is the path of element i.
func indexPath(i uint64) layout.Path { return layout.Path{layout.IndexStep(i)} }

// typeOf is reflect.TypeFor.
func typeOf[T any]() reflect.Type { return reflect.TypeFor[T]() }
