package marshal

import (
	"errors"
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
	// Path is the dotted field path inside the value, with array indexes
	// ("U.Clock.Timeout", "Iovs[3].Len"); empty for the value itself.
	Path string
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
	if e.Path == "" {
		return msg
	}
	return "field " + e.Path + ": " + msg
}

// Unwrap returns the sentinel.
func (e *FieldError) Unwrap() error { return e.Err }

// within returns e as seen from an enclosing value: prefix goes in front of
// the path and base is added to the offset.
func (e *FieldError) within(prefix string, base uint64) *FieldError {
	c := *e
	c.Offset += base
	switch {
	case c.Path == "":
		c.Path = prefix
	case c.Path[0] == '[' || prefix == "":
		c.Path = prefix + c.Path
	default:
		c.Path = prefix + "." + c.Path
	}
	return &c
}
