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
var (
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
)

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
	// Len is the length of the region in bytes, when known.
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

// TypeName names Type without import paths: "guestptr.Ptr[wasi.Fdstat]".
func (e *Error) TypeName() string { return shortName(e.Type) }

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// shortName is t's name with every import path cut to its last element,
// as Go prints types in its own messages.
func shortName(t reflect.Type) string {
	if t == nil {
		return "<nil>"
	}
	s := t.String()
	out := make([]byte, 0, len(s))
	word := 0 // where the current name started in out
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '/':
			out = out[:word]
		case c == '.' || c == '-' || c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c >= 0x80:
			out = append(out, c)
		default:
			out = append(out, c)
			word = len(out)
		}
	}
	return string(out)
}

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
		return fmt.Errorf("%w: %d elements of %d bytes", ErrOverflow, count, size)
	}
	end := addr + total
	if end < addr || addr > abi.MaxAddress() || end-1 > abi.MaxAddress() && total > 0 {
		return fmt.Errorf("%w: %d bytes at %#x pass the end of the %s address space", ErrOverflow, total, addr, abi)
	}
	if end > uint64(len(b)) {
		return fmt.Errorf("%w: [%#x, %#x) is past the end of memory (%#x bytes)", ErrOutOfBounds, addr, end, len(b))
	}
	return fmt.Errorf("%w: address %#x is not a multiple of %d", ErrMisaligned, addr, align)
}
