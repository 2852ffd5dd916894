package marshal_test

import (
	"reflect"
	"strconv"
	"strings"

	"github.com/guestkit/guestkit/layout"
	"github.com/guestkit/guestkit/marshal"
)

// Test-local guest pointer types, built on marshal.Ref and marshal.SpanRef
// the way guestptr's are.

type gptr[T any] struct{ Ref marshal.Ref }

func (gptr[T]) GuestPointer() layout.PointerInfo {
	return layout.PointerInfo{Pointee: reflect.TypeFor[T]()}
}

// Equal lets cmp compare gptrs without looking inside the memory.
func (p gptr[T]) Equal(q gptr[T]) bool { return p.Ref.Equal(q.Ref) }

type gspan[T any] struct{ Span marshal.SpanRef }

func (s gspan[T]) Equal(o gspan[T]) bool { return s.Span.Equal(o.Span) }

func (gspan[T]) GuestPointer() layout.PointerInfo {
	return layout.PointerInfo{Pointee: reflect.TypeFor[T](), WithLen: true}
}

// badPtr claims to be a guest pointer but does not wrap a marshal.Ref.
type badPtr struct{ Addr uint64 }

func (badPtr) GuestPointer() layout.PointerInfo {
	return layout.PointerInfo{Pointee: reflect.TypeFor[byte]()}
}

type (
	filetype uint8  // enum, 8 cases
	fdflags  uint16 // flags, 5 bits
	rights   uint64 // flags, 30 bits
	never    uint8  // an enum without cases: no value is valid
)

func (filetype) GuestEnumCases() uint64 { return 8 }
func (fdflags) GuestFlagsMask() uint64  { return 0x1f }
func (rights) GuestFlagsMask() uint64   { return 1<<30 - 1 }
func (never) GuestEnumCases() uint64    { return 0 }

// fdstat is WASI's fdstat: 24 bytes with holes at 1 and 4..7.
type fdstat struct {
	Filetype         filetype
	Flags            fdflags
	RightsBase       rights
	RightsInheriting rights
}

type iovec struct {
	Buf gptr[byte]
	Len int `guest:"u32"`
}

// request nests an array of records, to test error paths through arrays.
type request struct {
	Fd   uint32
	Iovs [4]iovec
}

// narrow has Go fields wider than their guest fields.
type narrow struct {
	Small int   `guest:"u8"`
	Count int   `guest:"u32"`
	Delta int   `guest:"i32"`
	Tiny  int16 `guest:"i8"`
	Ok    bool
}

// event is a tagged union whose first case holds a Go pointer (the Ref's
// memory), so clearing it must be typed.
type event struct {
	Tag   uint8 `guest:",tag"`
	Read  iovec `guest:",case=0"`
	Clock struct {
		Timeout uint64
		Flags   fdflags
	} `guest:",case=1"`
	Bad struct{ Kind filetype } `guest:",case=3"`
}

// cunion is a C union: every member at offset 0, only the first written.
type cunion struct {
	_     struct{} `guest:",union"`
	Word  uint32
	Bytes [4]uint8
}

// blanks has a blank field, which is never read or written.
type blanks struct {
	A uint8
	_ uint16
	B uint32
}

// pathOf parses a path written as Go spells it: "Iovs[3].Len".
func pathOf(s string) layout.Path {
	var p layout.Path
	for _, part := range strings.Split(s, ".") {
		name, rest, _ := strings.Cut(part, "[")
		if name != "" {
			p = append(p, layout.FieldStep(name))
		}
		for rest != "" {
			idx, after, _ := strings.Cut(rest, "]")
			i, _ := strconv.ParseUint(idx, 10, 64)
			p = append(p, layout.IndexStep(i))
			rest = strings.TrimPrefix(after, "[")
		}
	}
	return p
}
