package marshal

import (
	"reflect"
	"sync/atomic"
	"unsafe"

	"github.com/guestkit/guestkit/layout"
	"github.com/guestkit/guestkit/memory"
)

// Ref is the Go form of a guest pointer field: the memory it points into
// and the guest address. A read binds Mem to the memory the value was read
// from (nil when decoding a bare []byte) and carries the pointee's codec,
// so following the pointer needs no lookup; a write stores Addr only.
//
// A Go type stands for a guest pointer when it implements
// layout.PointerType and is a struct whose only field is a Ref, as
// guestptr.Ptr is.
type Ref struct {
	Mem    *memory.Memory // the memory pointed into
	Addr   uint64         // the guest address
	target *codec         // the pointee's codec under Mem's ABI, or nil
}

// Equal reports whether r and o point to the same address of the same
// memory.
func (r Ref) Equal(o Ref) bool { return r.Mem == o.Mem && r.Addr == o.Addr }

// SpanRef is the Go form of a guest (pointer, length) pair: a list or a
// string. A Go type stands for one when it implements layout.PointerType
// with WithLen set and is a struct whose only field is a SpanRef, as
// guestptr.Slice and guestptr.String are.
type SpanRef struct {
	Mem    *memory.Memory // the memory pointed into
	Addr   uint64         // the guest address of the first element
	Len    uint64         // the number of elements (bytes, for a string)
	target *codec         // the element's codec under Mem's ABI, or nil
}

// Equal reports whether s and o are the same region of the same memory.
func (s SpanRef) Equal(o SpanRef) bool { return s.Mem == o.Mem && s.Addr == o.Addr && s.Len == o.Len }

// RefTo returns a Ref to a T at addr in mem. It carries no codec: the
// first access looks T's up.
func RefTo[T any](mem *memory.Memory, addr uint64) Ref { return Ref{Mem: mem, Addr: addr} }

// SpanTo returns a SpanRef to n Ts at addr in mem.
func SpanTo[T any](mem *memory.Memory, addr, n uint64) SpanRef {
	return SpanRef{Mem: mem, Addr: addr, Len: n}
}

// Pointee returns the codec of T for following r: the one r carries when
// it is T's under r's memory's ABI, or else a lookup. It fails with a
// *layout.Error when T has no layout, and returns the zero Codec when r has
// no memory.
func Pointee[T any](r Ref) (Codec[T], error) {
	if c := targetOf(r.target, ptrWord((*T)(nil)), r.Mem); c != nil {
		return Codec[T]{c}, nil
	}
	return missing[T](r.Mem)
}

// Elements returns the codec of T for the elements of s; see [Pointee].
func Elements[T any](s SpanRef) (Codec[T], error) {
	if c := targetOf(s.target, ptrWord((*T)(nil)), s.Mem); c != nil {
		return Codec[T]{c}, nil
	}
	return missing[T](s.Mem)
}

// targetOf returns c if it is the codec of the type whose pointer type's
// word is word, under mem's ABI; else that type's codec looked up; nil
// without a memory or a layout.
func targetOf(c *codec, word unsafe.Pointer, mem *memory.Memory) *codec {
	if mem == nil {
		return nil
	}
	if c != nil && c.ptrWord == word && c.abi == mem.ABI() {
		return c
	}
	return recentCodec(word, mem.ABI())
}

// missing is why T has no codec under mem: no memory (the zero Codec, no
// error) or no layout.
func missing[T any](mem *memory.Memory) (Codec[T], error) {
	if mem == nil {
		return Codec[T]{}, nil
	}
	return For[T](mem.ABI())
}

var (
	refType     = reflect.TypeFor[Ref]()
	spanRefType = reflect.TypeFor[SpanRef]()
)

// wraps reports whether t is a struct whose only field has type inner, so
// that a *t may be used as an *inner.
func wraps(t, inner reflect.Type) bool {
	return t.Kind() == reflect.Struct && t.NumField() == 1 && t.Field(0).Type == inner
}

// pointee is a lazily resolved codec: a pointer's target, looked up when
// a value holding the pointer is first decoded, so types may refer to
// themselves through pointers.
type pointee struct {
	typ reflect.Type
	abi layout.ABI
	c   atomic.Pointer[codec]
}

// get returns the target's codec, or nil when it has no layout.
func (p *pointee) get() *codec {
	if c := p.c.Load(); c != nil {
		return c
	}
	c := lookup(p.typ, p.abi)
	if c != nil {
		p.c.Store(c)
	}
	return c
}

// At returns r moved to addr, keeping its memory and codec.
func (r Ref) At(addr uint64) Ref { r.Addr = addr; return r }

// Span returns the n elements starting at r, keeping its memory and codec.
func (r Ref) Span(n uint64) SpanRef {
	return SpanRef{Mem: r.Mem, Addr: r.Addr, Len: n, target: r.target}
}

// At returns the n elements at addr, keeping s's memory and codec.
func (s SpanRef) At(addr, n uint64) SpanRef { s.Addr, s.Len = addr, n; return s }

// Elem returns a Ref to the element at addr, keeping s's memory and codec.
func (s SpanRef) Elem(addr uint64) Ref { return Ref{Mem: s.Mem, Addr: addr, target: s.target} }
