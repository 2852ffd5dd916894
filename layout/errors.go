package layout

import (
	"reflect"
)

// Error reports a Go type that has no guest layout. It names the type and
// the path of the field at fault.
type Error struct {
	// Type is the type whose layout was asked for.
	Type reflect.Type
	// Path is the field path inside Type ("U.Clock.Timeout"); empty when
	// the type itself is at fault.
	Path Path
	// Reason says what is wrong.
	Reason string
}

// Error returns "layout: Subscription.U.Clock.Timeout: reason".
func (e *Error) Error() string {
	name := "<nil>"
	if e.Type != nil {
		name = e.Type.String()
	}
	if len(e.Path) > 0 {
		if e.Path[0].Name != "" {
			name += "."
		}
		name += e.Path.String()
	}
	return "layout: " + name + ": " + e.Reason
}

// within returns a copy of e seen from an enclosing type: the field path
// through that type is put in front.
func (e *Error) within(t reflect.Type, step PathStep) *Error {
	return &Error{Type: t, Path: e.Path.Prepend(step), Reason: e.Reason}
}
