package guestptr

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"

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
type Error struct {
	// Op is the operation: "read", "write", "view", "release", "add",
	// "index" or "field".
	Op string
	// Type names the pointer type, as in "guestptr.Ptr[wasi.Fdstat]".
	Type string
	// Addr is the guest address of the value or region.
	Addr uint64
	// Len is the length of the region in bytes, when known.
	Len uint64
	// Field is the path of the field at fault inside the value, if any.
	Field string
	// Err is the cause: it matches one of the sentinels with errors.Is.
	Err error
}

// Error returns, for example, "read guestptr.Ptr[wasi.Fdstat] at 0x1000:
// field FsFlags: invalid flags 0x8000 (unknown bits 0x8000)".
func (e *Error) Error() string {
	return fmt.Sprintf("%s %s at %#x: %v", e.Op, e.Type, e.Addr, e.Err)
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// packagePath matches the import path in front of a type name.
var packagePath = regexp.MustCompile(`[\w.\-]+/`)

// typeName names X without import paths: guestptr.Ptr[wasi.Fdstat].
func typeName[X any]() string {
	return packagePath.ReplaceAllString(reflect.TypeFor[X]().String(), "")
}

// fail builds the *Error of an operation on a value of pointer type X.
func fail[X any](op string, addr, n uint64, err error) error {
	e := &Error{Op: op, Type: typeName[X](), Addr: addr, Len: n, Err: err}
	var fe *marshal.FieldError
	if errors.As(err, &fe) {
		e.Field = fe.Path
	}
	return e
}

// region checks that count elements of size bytes at addr lie inside b,
// an address space of abi, and returns their length in bytes.
func region(b []byte, abi layout.ABI, addr, count, size uint64) (uint64, error) {
	hi, total := mulOverflows(count, size)
	if hi {
		return 0, fmt.Errorf("%w: %d elements of %d bytes", ErrOverflow, count, size)
	}
	end := addr + total
	if end < addr || addr > abi.MaxAddress() || end-1 > abi.MaxAddress() && total > 0 {
		return 0, fmt.Errorf("%w: %d bytes at %#x pass the end of the %s address space", ErrOverflow, total, addr, abi)
	}
	if end > uint64(len(b)) {
		return 0, fmt.Errorf("%w: [%#x, %#x) is past the end of memory (%#x bytes)", ErrOutOfBounds, addr, end, len(b))
	}
	return total, nil
}

// mulOverflows returns a*b and whether it overflows 64 bits.
func mulOverflows(a, b uint64) (bool, uint64) {
	if a == 0 || b == 0 {
		return false, 0
	}
	p := a * b
	return p/b != a, p
}

// misaligned reports an address that is not a multiple of align.
func misaligned(addr, align uint64) error {
	return fmt.Errorf("%w: address %#x is not a multiple of %d", ErrMisaligned, addr, align)
}
