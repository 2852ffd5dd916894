package layout

import (
	"reflect"
)

// Error reports a Go type that has no guest layout. It names the type and
// the path of the field at fault.
type Error struct {
	// Type is the type whose layout was asked for.
	Type reflect.Type
	// Path is the dotted field path inside Type ("U.Clock.Timeout"); empty
	// when the type itself is at fault.
	Path string
	// Reason says what is wrong.
	Reason string
}

// Error returns "layout: Subscription.U.Clock.Timeout: reason".
func (e *Error) Error() string {
	name := "<nil>"
	if e.Type != nil {
		name = e.Type.String()
	}
	if e.Path != "" {
		name += "." + e.Path
	}
	return "layout: " + name + ": " + e.Reason
}

// within returns a copy of e seen from an enclosing type: the field path
// through that type is put in front.
func (e *Error) within(t reflect.Type, field string) *Error {
	path := field
	if e.Path != "" {
		path += "." + e.Path
	}
	return &Error{Type: t, Path: path, Reason: e.Reason}
}
