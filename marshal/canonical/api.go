package canonical

import (
	"reflect"
	"unsafe"

	"github.com/guestkit/guestkit/layout"
	"github.com/guestkit/guestkit/memory"
)

// Realloc is the guest's cabi_realloc(old, oldSize, align, newSize) ->
// ptr. Its result is untrusted: lowering checks it is aligned and in
// bounds.
type Realloc func(old, oldSize, align, newSize uint64) (uint64, error)

// Context holds the canonical options of one lift or lower: the guest's
// memory, string encoding and realloc, the instance's handle table, and
// the call's borrow scope. Lifting needs only Memory and Encoding (and
// Handles for handles); lowering strings and lists needs Realloc.
type Context struct {
	Memory   *memory.Memory
	Encoding StringEncoding
	Realloc  Realloc
	Handles  *HandleTable
	Scope    *Scope
}

func (cx *Context) ptrSize() uint64 { return ptrSizeOf(cx.Memory.ABI()) }

// Codec lifts and lowers Go values of type T, which is any Go type that
// spells a WIT type:
//
//	bool, int8..int64, uint8..uint64, float32, float64  bool, s8..s64, u8..u64, f32, f64
//	Char                                               char
//	string                                             string
//	[]T, [N]T                                          list<T>, list<T, N>
//	struct{ A T; B U }                                 record (or tuple) with fields a, b
//	struct{ Tag uint8 `guest:",tag"`; A T `guest:",case=0"`; B struct{} `guest:",case=1"` }
//	                                                   variant { a(T), b }
//	named integer with GuestEnumCases() uint64         enum
//	named unsigned with GuestFlagsMask() uint64        flags (mask 2^n-1, n <= 32)
//	Option[T], Result[T, E]                            option<T>, result<T, E>
//	Own[R], Borrow[R]                                  own<R>, borrow<R>
//
// A Codec is compiled once per (type, ABI) and cached; its methods use no
// reflection apart from allocating lifted slices.
type Codec[T any] struct {
	p   *plan
	abi layout.ABI
}

// For returns the codec of T for guests of data model abi.
func For[T any](abi layout.ABI) (Codec[T], error) {
	p, err := planOf(reflect.TypeFor[T](), ptrSizeOf(abi))
	return Codec[T]{p, abi}, err
}

// Size returns the canonical elem_size of T.
func (c Codec[T]) Size() uint64 { return c.p.size }

// Align returns the canonical alignment of T.
func (c Codec[T]) Align() uint64 { return c.p.align }

// Flat returns T's flattened core types.
func (c Codec[T]) Flat() []CoreType { return append([]CoreType(nil), c.p.flat...) }

// Load lifts the T stored at ptr in cx.Memory (the spec's load).
func (c Codec[T]) Load(cx *Context, ptr uint64) (T, error) {
	var v T
	err := loadAt(cx, c.p, ptr, unsafe.Pointer(&v))
	return v, finish(err, "lift", c.p.typ)
}

func loadAt(cx *Context, p *plan, ptr uint64, dst unsafe.Pointer) error {
	l := lifter{cx: cx, mem: cx.Memory.Bytes(), ptrSize: cx.ptrSize()}
	if err := checkRange(uint64(len(l.mem)), ptr, p.size, p.align, "value"); err != nil {
		return err
	}
	return l.load(p, ptr, dst)
}

// Store lowers v into cx.Memory at ptr (the spec's store), allocating
// strings and lists through cx.Realloc. A Go value that is no WIT value
// fails with ErrHostValue before anything is written.
func (c Codec[T]) Store(cx *Context, ptr uint64, v T) error {
	return finish(storeAt(cx, c.p, ptr, unsafe.Pointer(&v)), "lower", c.p.typ)
}

func storeAt(cx *Context, p *plan, ptr uint64, v unsafe.Pointer) error {
	if err := check(p, v); err != nil {
		return err
	}
	w := lowerer{cx: cx, mem: cx.Memory.Bytes(), ptrSize: cx.ptrSize()}
	if err := checkRange(uint64(len(w.mem)), ptr, p.size, p.align, "value"); err != nil {
		return err
	}
	return w.store(p, v, ptr)
}

// LiftFlat lifts a T from its flat core values (lift_flat); flat holds
// exactly len(Flat()) values, each as wazero passes them.
func (c Codec[T]) LiftFlat(cx *Context, flat []uint64) (T, error) {
	var v T
	if len(flat) != len(c.p.flat) {
		return v, finish(failNoAddr(ErrType, "%d flat values for %d core types", len(flat), len(c.p.flat)), "lift", c.p.typ)
	}
	l := lifter{cx: cx, mem: cx.Memory.Bytes(), ptrSize: cx.ptrSize()}
	err := l.liftFlat(c.p, &flatIter{vals: flat}, unsafe.Pointer(&v))
	return v, finish(err, "lift", c.p.typ)
}

// LowerFlat lowers v to its flat core values, appended to dst
// (lower_flat).
func (c Codec[T]) LowerFlat(cx *Context, v T, dst []uint64) ([]uint64, error) {
	if err := check(c.p, unsafe.Pointer(&v)); err != nil {
		return dst, finish(err, "lower", c.p.typ)
	}
	w := lowerer{cx: cx, mem: cx.Memory.Bytes(), ptrSize: cx.ptrSize()}
	out, err := w.lowerFlat(c.p, unsafe.Pointer(&v), dst)
	return out, finish(err, "lower", c.p.typ)
}
