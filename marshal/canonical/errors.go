package canonical

import (
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/guestkit/guestkit/layout"
)

// Sentinels for errors.Is. Every failure of a lift, lower or call is an
// [*Error] wrapping one of them. The ones marked "trap" are the canonical
// ABI's traps; the others are the host's own mistakes, caught before any
// guest memory changes.
var (
	// ErrOutOfBounds (trap): a range of guest memory ends past its end.
	ErrOutOfBounds = errors.New("out of bounds")
	// ErrMisaligned (trap): an address is not a multiple of the alignment.
	ErrMisaligned = errors.New("misaligned")
	// ErrStringTooLong (trap): a string of more than 2^28-1 bytes.
	ErrStringTooLong = errors.New("string too long")
	// ErrListTooLong (trap): a list of more than 2^28-1 bytes.
	ErrListTooLong = errors.New("list too long")
	// ErrInvalidUTF8 (trap): a utf8 string that is not UTF-8.
	ErrInvalidUTF8 = errors.New("invalid UTF-8")
	// ErrInvalidUTF16 (trap): a UTF-16 string with a lone surrogate.
	ErrInvalidUTF16 = errors.New("invalid UTF-16")
	// ErrInvalidChar (trap): a char that is a surrogate or above 0x10FFFF.
	ErrInvalidChar = errors.New("invalid char")
	// ErrInvalidDiscriminant (trap): a variant, enum, option or result case
	// index at or above the number of cases.
	ErrInvalidDiscriminant = errors.New("invalid discriminant")
	// ErrInvalidHandle (trap): a handle index past the table or of an
	// empty slot.
	ErrInvalidHandle = errors.New("invalid handle")
	// ErrHandleType (trap): a handle to a resource of another type.
	ErrHandleType = errors.New("handle of the wrong resource type")
	// ErrHandleLent (trap): an own handle moved or dropped while lent to
	// a call.
	ErrHandleLent = errors.New("handle is lent")
	// ErrNotOwner (trap): a borrow handle passed where own is required.
	ErrNotOwner = errors.New("handle is not owned")
	// ErrBorrowsRemain (trap): a call ended with borrow handles it was
	// given still in its table.
	ErrBorrowsRemain = errors.New("borrow handles remain at the end of the call")
	// ErrTableFull (trap): a handle table at its 2^28-1 entries.
	ErrTableFull = errors.New("handle table full")
	// ErrNoRealloc: lowering needs guest memory but the guest exports no
	// cabi_realloc.
	ErrNoRealloc = errors.New("no realloc")
	// ErrHostValue: a Go value that no WIT value matches (an invalid char,
	// a string that is not UTF-8, an enum or tag past its cases, a flag
	// bit past the labels). Nothing has been written when it is reported.
	ErrHostValue = errors.New("invalid host value")
	// ErrType: a Go type that is no WIT type.
	ErrType = errors.New("not a WIT type")
)

// Error is a failed lift, lower or call: what went wrong (Err), where in
// the value (Path) and where in guest memory (Addr).
type Error struct {
	// Op is "lift", "lower" or "call".
	Op string
	// Type is the Go type being lifted or lowered.
	Type reflect.Type
	// Path is where inside the value: "Items[3].Name"; empty for the value.
	Path layout.Path
	// Addr is the guest address involved, when HasAddr.
	Addr    uint64
	HasAddr bool
	// Err is the sentinel.
	Err error
	// Detail completes the sentinel's text.
	Detail string
}

// Error returns, for example, "canonical lift main.Request: field
// Items[3].Name: invalid UTF-8 at 0x1040: byte 0xff at 2".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("canonical ")
	b.WriteString(e.Op)
	if e.Type != nil {
		b.WriteString(" ")
		b.WriteString(e.Type.String())
	}
	b.WriteString(": ")
	if len(e.Path) > 0 {
		b.WriteString("field ")
		b.WriteString(e.Path.String())
		b.WriteString(": ")
	}
	b.WriteString(e.Err.Error())
	if e.HasAddr {
		fmt.Fprintf(&b, " at %#x", e.Addr)
	}
	if e.Detail != "" {
		b.WriteString(": ")
		b.WriteString(e.Detail)
	}
	return b.String()
}

// Unwrap returns the sentinel.
func (e *Error) Unwrap() error { return e.Err }

// fail makes an error at addr.
func fail(sentinel error, addr uint64, format string, args ...any) *Error {
	return &Error{Err: sentinel, Addr: addr, HasAddr: true, Detail: fmt.Sprintf(format, args...)}
}

// failNoAddr makes an error with no address.
func failNoAddr(sentinel error, format string, args ...any) *Error {
	return &Error{Err: sentinel, Detail: fmt.Sprintf(format, args...)}
}

// within prepends a path step to err, an *Error, as it unwinds out of a
// field or element.
func within(err error, step layout.PathStep) error {
	if e, ok := err.(*Error); ok {
		e.Path = append(e.Path, layout.PathStep{})
		copy(e.Path[1:], e.Path)
		e.Path[0] = step
	}
	return err
}

// finish fills in the operation and type of an error leaving the package.
func finish(err error, op string, t reflect.Type) error {
	if e, ok := err.(*Error); ok {
		if e.Op == "" {
			e.Op = op
		}
		if e.Type == nil {
			e.Type = t
		}
	}
	return err
}
