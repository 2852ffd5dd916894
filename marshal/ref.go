package marshal

import (
	"reflect"

	"github.com/guestkit/guestkit/memory"
)

// Ref is the Go form of a guest pointer field: the memory it points into
// and the guest address. A read binds Mem to the memory the value was read
// from (nil when decoding a bare []byte); a write stores Addr only.
//
// A Go type stands for a guest pointer when it implements
// layout.PointerType and is a struct whose only field is a Ref, as
// guestptr.Ptr is.
type Ref struct {
	Mem  memory.Memory // the memory pointed into
	Addr uint64        // the guest address
}

// SpanRef is the Go form of a guest (pointer, length) pair: a list or a
// string. A Go type stands for one when it implements layout.PointerType
// with WithLen set and is a struct whose only field is a SpanRef, as
// guestptr.Slice and guestptr.String are.
type SpanRef struct {
	Mem  memory.Memory // the memory pointed into
	Addr uint64        // the guest address of the first element
	Len  uint64        // the number of elements (bytes, for a string)
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
