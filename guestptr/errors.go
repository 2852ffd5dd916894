package guestptr

import (
	"errors"
	"fmt"
	"math/bits"
	"reflect"

	"github.com/guestkit/guestkit/layout"
	"github.com/guestkit/guestkit/marshal"
	"github.com/guestkit/guestkit/memory"
)

// Sentinel errors, for errors.Is. Every error this package returns is an
// *Error wrapping one of them (or a *layout.Error for a type without a guest
// layout).
//
// ErrBadPointer is the umbrella of the three ways a guest address or length
// can be bad: every error that matches ErrOutOfBounds, ErrOverflow or
// ErrMisaligned also matches ErrBadPointer, so one test covers every
// guest-controlled placement failure:
//
//	if errors.Is(err, guestptr.ErrBadPointer) { return errnoFault }
var (
	// ErrBadPointer: a guest address or length does not name a region this
	// access may use. Errors matching ErrOutOfBounds, ErrOverflow or
	// ErrMisaligned match it too.
	ErrBadPointer = errors.New("bad guest pointer")
	// ErrOutOfBounds: the region is not inside the memory.
	ErrOutOfBounds = errors.New("out of bounds")
	// ErrMisaligned: the address is not a multiple of the type's alignment.
	ErrMisaligned = errors.New("misaligned")
	// ErrOverflow: address arithmetic passes the end of the address space
	// (2^32 on wasm32, 2^64 on wasm64).
	ErrOverflow = errors.New("address overflow")
	// ErrBorrowed: the region is held by a view that forbids the access.
	ErrBorrowed = memory.ErrBorrowed
	// ErrReleased: a view was released twice.
	ErrReleased = memory.ErrReleased
	// ErrInvalidBool: a guest bool is neither 0 nor 1.
	ErrInvalidBool = marshal.ErrInvalidBool
	// ErrInvalidEnum: an enum value is not one of its cases.
	ErrInvalidEnum = marshal.ErrInvalidEnum
	// ErrInvalidFlags: flags have a bit outside the defined ones.
	ErrInvalidFlags = marshal.ErrInvalidFlags
	// ErrInvalidTag: a tagged union's tag selects no case.
	ErrInvalidTag = marshal.ErrInvalidTag
	// ErrValueRange: a Go value does not fit its guest field.
	ErrValueRange = marshal.ErrValueRange
	// ErrInvalidUTF8: a guest string is not valid UTF-8.
	ErrInvalidUTF8 = errors.New("invalid UTF-8")
	// ErrLengthMismatch: a copy between slices of different lengths.
	ErrLengthMismatch = errors.New("length mismatch")
	// ErrNotTransparent: a view was asked of a type whose guest bytes are
	// not its Go bytes; copy it with ToSlice instead.
	ErrNotTransparent = errors.New("type is not transparent")
	// ErrShared: a view was asked of a shared memory, which other threads
	// may write while the view is read (a data race); copy instead.
	ErrShared = errors.New("memory is shared")
	// ErrTooLarge: ToSlice would allocate more host memory than the guest
	// memory holds; copy in parts with Range and CopyToSlice.
	ErrTooLarge = errors.New("copy too large")
	// ErrNoField: Field was asked for a field the struct does not have, or
	// of another type.
	ErrNoField = errors.New("no such field")
	// ErrNoMemory: the pointer is bound to no memory (a zero value, or one
	// decoded from bare bytes).
	ErrNoMemory = errors.New("pointer has no memory")
	// ErrForeignMemory: a value written into one memory holds a Ptr, Slice
	// or String bound to another; its address means nothing there.
	ErrForeignMemory = errors.New("pointer bound to another memory")
	// ErrAlloc: the guest's allocator failed, or returned a block that is
	// null (for a nonzero size) or overlaps a block just allocated. A block
	// outside memory or misaligned is ErrBadPointer as well.
	ErrAlloc = errors.New("guest allocation failed")
)

// badPointer is a placement error: it matches ErrBadPointer and its kind
// (ErrOutOfBounds, ErrOverflow or ErrMisaligned) with errors.Is.
type badPointer struct {
	kind error
	msg  string
}

func (e *badPointer) Error() string { return e.msg }

// Is reports whether target is ErrBadPointer or e's kind.
func (e *badPointer) Is(target error) bool { return target == ErrBadPointer || target == e.kind }

// Unwrap returns the kind, so errors.Is finds it through e.
func (e *badPointer) Unwrap() error { return e.kind }

// badPtr returns a placement error of kind, with the message kind: detail.
func badPtr(kind error, format string, args ...any) error {
	return &badPointer{kind: kind, msg: kind.Error() + ": " + fmt.Sprintf(format, args...)}
}

// Error describes a failed operation: what, on which type, where, and why.
// It keeps the type and formats only when asked, so failing costs little
// even when a hostile guest makes every call fail.
type Error struct {
	// Op is the operation: "read", "write", "view", "release", "add",
	// "index" or "field".
	Op string
	// Type is the pointer type, as in guestptr.Ptr[wasi.Fdstat].
	Type reflect.Type
	// Addr is the guest address of the value or region.
	Addr uint64
	// Len is the length of the region in bytes: the value's size for a
	// Ptr, the elements' bytes for a Slice or String (math.MaxUint64 when
	// that overflows 64 bits), 0 for operations on no region.
	Len uint64
	// Field is the path of the field at fault inside the value, if any.
	Field layout.Path
	// Err is the cause: it matches one of the sentinels with errors.Is.
	Err error
}

// Error returns, for example, "read guestptr.Ptr[wasi.Fdstat] at 0x1000:
// field FsFlags: invalid flags 0x8000 (unknown bits 0x8000)".
func (e *Error) Error() string {
	return fmt.Sprintf("%s %s at %#x: %v", e.Op, e.TypeName(), e.Addr, e.Err)
}

// TypeName names Type without import paths: "guestptr.Ptr[wasi.Fdstat]",
// as every message of guestkit names types (see layout.TypeName).
func (e *Error) TypeName() string { return shortName(e.Type) }

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// shortName is t's name with every import path cut to its last element,
// as Go prints types in its own messages: layout.TypeName.
func shortName(t reflect.Type) string { return layout.TypeName(t) }

// fail builds the *Error of an operation on a value of pointer type X.
func fail[X any](op string, addr, n uint64, err error) error {
	e := &Error{Op: op, Type: reflect.TypeFor[X](), Addr: addr, Len: n, Err: err}
	var fe *marshal.FieldError
	if errors.As(err, &fe) {
		e.Field = fe.Path
	}
	return e
}

// regionError says why count elements of size bytes at addr, aligned to
// align, are not a region of b in an address space of abi: ErrOverflow,
// ErrOutOfBounds or ErrMisaligned. It is the slow half of place.
func regionError(b []byte, abi layout.ABI, addr, count, size, align uint64) error {
	hi, total := bits.Mul64(count, size)
	if hi != 0 {
		return badPtr(ErrOverflow, "%d elements of %d bytes", count, size)
	}
	end := addr + total
	if end < addr || addr > abi.MaxAddress() || end-1 > abi.MaxAddress() && total > 0 {
		return badPtr(ErrOverflow, "%d bytes at %#x pass the end of the %s address space", total, addr, abi)
	}
	if end > uint64(len(b)) {
		return badPtr(ErrOutOfBounds, "[%#x, %#x) is past the end of memory (%#x bytes)", addr, end, len(b))
	}
	return badPtr(ErrMisaligned, "address %#x is not a multiple of %d", addr, align)
}
