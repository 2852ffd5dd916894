package layout

import (
	"fmt"
	"reflect"
)

var (
	enumType    = reflect.TypeFor[Enum]()
	flagsType   = reflect.TypeFor[Flags]()
	pointerType = reflect.TypeFor[PointerType]()
)

// build computes the layout of t. Nested struct types go through the cache,
// so each is computed once.
func build(t reflect.Type, abi ABI) (*Layout, error) {
	if t == nil {
		return nil, &Error{Reason: "nil type"}
	}
	if !abi.Valid() {
		return nil, &Error{Type: t, Reason: "invalid ABI: use layout.Wasm32 or layout.Wasm64"}
	}
	var (
		l   *Layout
		err error
	)
	if isGuestPointer(t) {
		l, err = pointerLayout(t, abi)
	} else {
		switch t.Kind() {
		case reflect.Struct:
			l, err = structLayout(t, abi)
		case reflect.Array:
			l, err = arrayLayout(t, abi, nil)
		default:
			l, err = scalarLayout(t, abi, nil)
		}
	}
	if err != nil {
		return nil, err
	}
	return l, nil
}

// implements reports whether t or *t has the methods of iface.
func implements(t, iface reflect.Type) bool {
	return t.Implements(iface) || reflect.PointerTo(t).Implements(iface)
}

// isGuestPointer reports whether t is a guest pointer type. A Go pointer or
// interface never is, even when its method set has GuestPointer: its zero
// value is nil, and calling the method on it would panic.
func isGuestPointer(t reflect.Type) bool {
	return t.Kind() != reflect.Pointer && t.Kind() != reflect.Interface && implements(t, pointerType)
}

// zeroValue returns the zero value of t, or a pointer to one when only *t
// has the methods of iface.
func zeroValue(t, iface reflect.Type) any {
	if t.Implements(iface) {
		return reflect.Zero(t).Interface()
	}
	return reflect.New(t).Interface()
}

func pointerLayout(t reflect.Type, abi ABI) (*Layout, error) {
	info := zeroValue(t, pointerType).(PointerType).GuestPointer()
	if info.Pointee == nil {
		return nil, &Error{Type: t, Reason: "GuestPointer returned no pointee type"}
	}
	l := &Layout{Type: t, ABI: abi, Kind: Pointer, Size: abi.PointerSize(), Align: abi.PointerSize(), Pointee: info.Pointee}
	if info.WithLen {
		l.Kind, l.Size = Span, 2*abi.PointerSize()
	}
	return l, nil
}

// scalarLayout lays out a bool, integer or float. guest is the TYPE from a
// field tag, or nil.
func scalarLayout(t reflect.Type, abi ABI, guest *fieldTag) (*Layout, error) {
	var natural scalar
	switch t.Kind() {
	case reflect.Bool:
		natural = scalar{Bool, 1}
	case reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		natural = scalar{Int, uint64(t.Size())}
	case reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		natural = scalar{Uint, uint64(t.Size())}
	case reflect.Float32, reflect.Float64:
		natural = scalar{Float, uint64(t.Size())}
	case reflect.Int, reflect.Uint, reflect.Uintptr:
		if guest == nil || guest.typ == nil {
			return nil, &Error{Type: t, Reason: fmt.Sprintf("Go type %s has no fixed guest size: give the guest type in a tag, as in `guest:\"u32\"`", t)}
		}
		natural = scalar{Uint, uint64(t.Size())}
		if t.Kind() == reflect.Int {
			natural.kind = Int
		}
	default:
		return nil, &Error{Type: t, Reason: fmt.Sprintf("Go type %s (kind %s) has no guest layout", t, t.Kind())}
	}
	s := natural
	if guest != nil && guest.typ != nil {
		if err := checkNarrowing(t, natural, *guest.typ, guest.typName); err != nil {
			return nil, err
		}
		s = *guest.typ
	}
	l := &Layout{Type: t, ABI: abi, Kind: s.kind, Size: s.size, Align: s.size}
	if s.kind == Bool {
		l.Check = Check{Kind: CheckBool}
	}
	if implements(t, enumType) {
		if s.kind != Uint {
			return nil, &Error{Type: t, Reason: "an enum must be an unsigned integer"}
		}
		l.Check = Check{Kind: CheckEnum, Cases: zeroValue(t, enumType).(Enum).GuestEnumCases()}
	}
	if implements(t, flagsType) {
		if s.kind != Uint {
			return nil, &Error{Type: t, Reason: "flags must be an unsigned integer"}
		}
		if l.Check.Kind == CheckEnum {
			return nil, &Error{Type: t, Reason: "a type cannot be both an enum and flags"}
		}
		l.Check = Check{Kind: CheckFlags, Mask: zeroValue(t, flagsType).(Flags).GuestFlagsMask()}
	}
	l.Copyable = s.size == uint64(t.Size())
	l.Transparent = l.Copyable && l.Check.Kind == NoCheck
	return l, nil
}

// checkNarrowing allows a guest TYPE on a Go field only when every guest
// value has a Go value: same class, and the Go type at least as wide (wider
// still when an unsigned guest value lands in a signed Go type).
func checkNarrowing(t reflect.Type, goS, guest scalar, name string) error {
	bad := func(why string) error {
		return &Error{Type: t, Reason: fmt.Sprintf("guest type %s does not fit Go type %s: %s", name, t, why)}
	}
	switch {
	case (goS.kind == Bool) != (guest.kind == Bool):
		return bad("bool only maps to bool")
	case (goS.kind == Float) != (guest.kind == Float):
		return bad("floats only map to floats")
	case goS.kind == Float && goS.size != guest.size:
		return bad("float widths must match")
	case guest.size > goS.size:
		return bad("the guest type is wider")
	case guest.kind == Int && goS.kind == Uint:
		return bad("a signed guest value may be negative")
	case guest.kind == Uint && goS.kind == Int && guest.size == goS.size:
		return bad("the top bit would change the sign")
	}
	return nil
}

// arrayLayout lays out [N]T. guest is a tag TYPE applied to the innermost
// scalar element, or nil.
func arrayLayout(t reflect.Type, abi ABI, guest *fieldTag) (*Layout, error) {
	var (
		elem *Layout
		err  error
	)
	if guest != nil && guest.typ != nil {
		elem, err = fieldTypeLayout(t.Elem(), abi, guest)
	} else {
		elem, err = Of(t.Elem(), abi)
	}
	if err != nil {
		return nil, asError(err).within(t, PathStep{AnyIndex: true})
	}
	n := uint64(t.Len())
	size := elem.Size * n
	if n != 0 && size/n != elem.Size {
		return nil, &Error{Type: t, Reason: "array size overflows"}
	}
	return &Layout{
		Type: t, ABI: abi, Kind: Array, Size: size, Align: elem.Align, Elem: elem, Len: n,
		Transparent: elem.Transparent && uint64(t.Size()) == size,
		Copyable:    elem.Copyable && uint64(t.Size()) == size,
	}, nil
}

// fieldTypeLayout lays out a field's Go type under its tag.
func fieldTypeLayout(t reflect.Type, abi ABI, ft *fieldTag) (*Layout, error) {
	if ft.typ == nil {
		return Of(t, abi)
	}
	if isGuestPointer(t) {
		return nil, &Error{Type: t, Reason: fmt.Sprintf("guest type %s given for a guest pointer", ft.typName)}
	}
	if t.Kind() == reflect.Array {
		return arrayLayout(t, abi, ft)
	}
	if t.Kind() == reflect.Struct {
		return nil, &Error{Type: t, Reason: fmt.Sprintf("guest type %s given for a struct", ft.typName)}
	}
	return scalarLayout(t, abi, ft)
}

// asError turns any error from Of into an *Error.
func asError(err error) *Error {
	if e, ok := err.(*Error); ok {
		return e
	}
	return &Error{Reason: err.Error()}
}
