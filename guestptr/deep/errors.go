package deep

import (
	"errors"
	"fmt"
	"reflect"

	"github.com/guestkit/guestkit/layout"
	"github.com/guestkit/guestkit/marshal"
)

// ErrLimit is matched (errors.Is) by every error of a Load or Store that
// would pass one of its Limits; the error is a *LimitError.
var ErrLimit = errors.New("limit exceeded")

// ErrUnsupported reports a Go type deep cannot map to a guest layout.
var ErrUnsupported = errors.New("type not supported by deep")

// LimitError says which limit a value would pass.
type LimitError struct {
	// Limit is the field of Limits: "Bytes", "Elements" or "Depth".
	Limit string
	// Max is the limit's value.
	Max uint64
	// Need is what the value at fault asked for, and Left what was left of
	// the limit then (Depth: the depth it would reach).
	Need, Left uint64
	// What describes the value: "a string", "a list of 16-byte elements".
	What string
}

// Error returns, for example, "limit exceeded: Limits.Bytes is 1048576: a
// string needs 70000 bytes, 4096 left".
func (e *LimitError) Error() string {
	if e.Limit == "Depth" {
		return fmt.Sprintf("%v: Limits.Depth is %d: %s would be at depth %d (a pointer cycle, or nesting too deep)", ErrLimit, e.Max, e.What, e.Need)
	}
	unit := "bytes"
	if e.Limit == "Elements" {
		unit = "elements"
	}
	return fmt.Sprintf("%v: Limits.%s is %d: %s needs %d %s, %d left", ErrLimit, e.Limit, e.Max, e.What, e.Need, unit, e.Left)
}

// Unwrap returns ErrLimit.
func (e *LimitError) Unwrap() error { return ErrLimit }

// Error describes a failed Load or Store: of which type, at which address,
// in which field, and why. Err matches guestptr's sentinels (ErrBadPointer,
// ErrInvalidUTF8, ErrInvalidEnum, ...), guestptr.ErrAlloc, or ErrLimit.
type Error struct {
	// Op is "load", "store" or "new".
	Op string
	// Type is the Go type loaded or stored.
	Type reflect.Type
	// Addr is the guest address of the value.
	Addr uint64
	// Path is the field at fault, from the value: "Records[3].Name".
	Path layout.Path
	// Err is the cause.
	Err error
}

// Error returns, for example, "load deep_test.Request at 0x100: field
// Records[3].Name: invalid UTF-8 at byte 0 (0xff)".
func (e *Error) Error() string {
	msg := fmt.Sprintf("%s %s at %#x: ", e.Op, layout.TypeName(e.Type), e.Addr)
	if len(e.Path) > 0 {
		msg += "field " + e.Path.String() + ": "
	}
	return msg + e.Err.Error()
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// trail carries an error up the walk, collecting the path innermost first,
// so a walk that succeeds builds no path.
type trail struct {
	steps []layout.PathStep
	err   error
}

func (t *trail) Error() string { return t.err.Error() }

// within adds step in front of err's path.
func within(err error, step layout.PathStep) error {
	if t, ok := err.(*trail); ok {
		t.steps = append(t.steps, step)
		return t
	}
	return &trail{steps: []layout.PathStep{step}, err: err}
}

// finish makes the *Error of a walk that failed with err.
func finish(op string, t reflect.Type, addr uint64, err error) error {
	var path layout.Path
	if tr, ok := err.(*trail); ok {
		for i := len(tr.steps) - 1; i >= 0; i-- {
			path = append(path, tr.steps[i])
		}
		err = tr.err
	}
	var fe *marshal.FieldError
	if errors.As(err, &fe) && len(fe.Path) > 0 {
		path = append(path, fe.Path...)
		c := *fe
		c.Path = nil
		err = &c
	}
	return &Error{Op: op, Type: t, Addr: addr, Path: path, Err: err}
}
