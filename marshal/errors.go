package marshal

import (
	"errors"
	"fmt"
	"reflect"

	"github.com/guestkit/guestkit/layout"
)

// Sentinels for errors.Is. Errors from this package wrap them in a
// *FieldError that says where.
var (
	// ErrInvalidBool reports a guest bool that is neither 0 nor 1.
	ErrInvalidBool = errors.New("invalid bool")
	// ErrInvalidEnum reports an enum value at or above its case count.
	ErrInvalidEnum = errors.New("invalid enum")
	// ErrInvalidFlags reports flags with a bit outside the defined mask.
	ErrInvalidFlags = errors.New("invalid flags")
	// ErrInvalidTag reports a tagged-union tag that selects no case.
	ErrInvalidTag = errors.New("invalid tag")
	// ErrValueRange reports a Go value that does not fit its guest field.
	ErrValueRange = errors.New("value out of range")
	// ErrShortBuffer reports a buffer smaller than the guest value.
	ErrShortBuffer = errors.New("buffer too short")
)

// FieldError reports a bad value in one field.
type FieldError struct {
	// Path is the field path inside the value, with array indexes
	// ("U.Clock.Timeout", "Iovs[3].Len"); empty for the value itself.
	Path layout.Path
	// Offset is the field's guest offset from the start of the value.
	Offset uint64
	// Value is the offending value's bits.
	Value uint64
	// Err is the sentinel: ErrInvalidBool, ErrInvalidEnum, ErrInvalidFlags,
	// ErrInvalidTag or ErrValueRange.
	Err error
	// Detail completes the sentinel's text ("0x8000 (unknown bits
	// 0x8000)", "300 does not fit u8").
	Detail string
}

// Error returns, for example, "field FsFlags: invalid flags 0x8000 (unknown
// bits 0x8000)".
func (e *FieldError) Error() string {
	msg := e.Err.Error()
	if e.Detail != "" {
		msg += " " + e.Detail
	}
	if len(e.Path) == 0 {
		return msg
	}
	return "field " + e.Path.String() + ": " + msg
}

// Unwrap returns the sentinel.
func (e *FieldError) Unwrap() error { return e.Err }

// within returns e as seen from an enclosing value: steps go in front of
// the path and base is added to the offset.
func (e *FieldError) within(base uint64, steps ...layout.PathStep) *FieldError {
	c := *e
	c.Offset += base
	c.Path = e.Path.Prepend(steps...)
	if len(c.Path) == 0 {
		c.Path = nil
	}
	return &c
}

// pathNode is a field path kept as a chain to its parent, so compiling a
// deeply nested type costs a node per level, not a string per level; the
// layout.Path is built only when an error needs it.
type pathNode struct {
	parent *pathNode
	step   layout.PathStep
}

func (n *pathNode) child(step layout.PathStep) *pathNode { return &pathNode{n, step} }

// path returns the steps from the root to n.
func (n *pathNode) path() layout.Path {
	k := 0
	for p := n; p != nil; p = p.parent {
		k++
	}
	if k == 0 {
		return nil
	}
	out := make(layout.Path, k)
	for p := n; p != nil; p = p.parent {
		k--
		out[k] = p.step
	}
	return out
}

// scalar is what an error about one scalar field needs to know.
type scalar struct {
	typ   reflect.Type
	check layout.Check
	w, gw uint8 // guest and Go widths
	path  *pathNode
	off   uint64 // guest offset from the value the path starts at
}

// fail returns the error of a bad value v in s.
func (s *scalar) fail(sentinel error, v uint64, detail string) *FieldError {
	return &FieldError{Path: s.path.path(), Offset: s.off, Value: v, Err: sentinel, Detail: detail}
}

// invalid returns the error of a value v that fails s's check.
func (s *scalar) invalid(v uint64) *FieldError {
	switch s.check.Kind {
	case layout.CheckBool:
		return s.fail(ErrInvalidBool, v, fmt.Sprint(v))
	case layout.CheckEnum:
		return s.fail(ErrInvalidEnum, v, fmt.Sprintf("%d (%s has %d cases)", v, layout.TypeName(s.typ), s.check.Cases))
	}
	return s.fail(ErrInvalidFlags, v, fmt.Sprintf("%#x (unknown bits %#x)", v, v&^s.check.Mask))
}

// goValue formats the Go value whose bits, zero-extended, are v: as a
// negative number when the Go type is signed.
func (s *scalar) goValue(v uint64) string {
	switch s.typ.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return fmt.Sprint(int64(signExtend(v, s.gw)))
	}
	return fmt.Sprint(v)
}

func shortBuffer(have, need uint64) error {
	return fmt.Errorf("%w: %d bytes, need %d", ErrShortBuffer, have, need)
}
