// Package layout computes where every byte of a guest type lives: the size,
// alignment and field offsets that a WebAssembly guest's compiler (clang for
// wasm32 or wasm64, WASI witx, the Component Model canonical ABI) gives a
// type declared once as a Go struct with `guest` tags.
//
// Layouts follow one rule for records: walk the fields in order, align each
// to its alignment, and round the total up to the largest alignment. Tagged
// unions put every case at one payload offset after the tag. The result is
// computed once per (type, ABI) and cached; package marshal compiles it
// into the code that moves values.
//
// # Tags
//
// The tag key is `guest`, with the grammar `guest:"[TYPE][,OPTION]..."`:
//
//   - `-` leaves the field out of the guest layout.
//   - TYPE is one of u8 u16 u32 u64 i8 i16 i32 i64 f32 f64 bool: the guest
//     representation. It is required on int, uint and uintptr fields and may
//     narrow any integer field; a value that does not fit is an error when
//     written.
//   - align=N raises the field's alignment; offset=N places the field at N.
//   - tag marks the tag of a tagged union and case=K a case payload.
//   - On a blank `_ struct{}` field: packed (C packed), align=N (the struct's
//     own alignment) and union (a C union).
//
// Named integer types become enums with a GuestEnumCases method ([Enum]) and
// flags with a GuestFlagsMask method ([Flags]). Types with a GuestPointer
// method ([PointerType]) are guest pointers; package guestptr defines them.
package layout

import (
	"reflect"
)

// Kind says what sort of guest value a [Layout] describes.
type Kind uint8

// The kinds of guest values.
const (
	Invalid Kind = iota
	Bool         // a byte that holds 0 or 1
	Int          // a signed integer of 1, 2, 4 or 8 bytes
	Uint         // an unsigned integer of 1, 2, 4 or 8 bytes (enums and flags too)
	Float        // an IEEE 754 float of 4 or 8 bytes
	Array        // a fixed number of elements
	Struct       // fields in order (the C struct rule)
	Union        // every field at offset 0 (a C union)
	Variant      // a tag followed by one of several payloads (a tagged union)
	Pointer      // one guest address
	Span         // a guest address and a length: a list or a string
)

var kindNames = [...]string{"invalid", "bool", "int", "uint", "float", "array", "struct", "union", "variant", "pointer", "span"}

// String returns the kind's name.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "invalid"
}

// Layout is the guest layout of one Go type under one [ABI]. Layouts are
// immutable and shared: never modify one.
type Layout struct {
	// Type is the Go type the layout was computed from.
	Type reflect.Type
	// ABI is the data model the layout was computed for.
	ABI ABI
	// Kind says which of the fields below apply.
	Kind Kind
	// Size is the guest size in bytes, a multiple of Align.
	Size uint64
	// Align is the guest alignment in bytes, a power of two.
	Align uint64
	// Check is the validation a read makes of a scalar: bool, enum or flags.
	Check Check
	// Fields are the guest fields of a Struct, Union or Variant, in order.
	// Fields left out with `guest:"-"` are not listed; blank fields are.
	Fields []Field
	// Elem is the element layout of an Array.
	Elem *Layout
	// Len is the element count of an Array.
	Len uint64
	// Pointee is the Go type a Pointer or Span points to. Its layout is
	// computed only when the pointer is followed, so types may refer to
	// themselves through pointers.
	Pointee reflect.Type
	// Transparent reports whether the guest bytes equal the Go value's
	// bytes on a little-endian host: a plain copy moves the value both ways.
	Transparent bool
	// Copyable reports whether the Go value's bytes equal the guest bytes
	// apart from padding and blank fields: every field has the same offset
	// and width on both sides. Such a value is read as one validated copy.
	// Transparent values are Copyable.
	Copyable bool
}

// Field is one field of a guest struct, union or tagged union.
type Field struct {
	// Name is the Go field name ("_" for a blank field).
	Name string
	// Index is the field's index in the Go struct.
	Index int
	// Offset is the guest offset in bytes from the start of the record.
	Offset uint64
	// GoOffset is the Go field offset, as reflect reports it.
	GoOffset uintptr
	// Layout is the guest layout of the field.
	Layout *Layout
	// Blank reports a `_` field: it takes guest space, but reads and writes
	// skip it.
	Blank bool
	// Tag reports the tag field of a tagged union.
	Tag bool
	// IsCase reports a case payload of a tagged union, selected by Case.
	IsCase bool
	// Case is the tag value that selects this payload, when IsCase is set.
	Case uint64
}

// CheckKind says what a read validates about a scalar.
type CheckKind uint8

// The validations a read makes.
const (
	NoCheck    CheckKind = iota
	CheckBool            // the byte is 0 or 1
	CheckEnum            // the value is below Check.Cases
	CheckFlags           // no bit outside Check.Mask is set
)

// Check is the validation a read makes of a scalar value.
type Check struct {
	Kind  CheckKind // which validation; NoCheck for none
	Cases uint64    // CheckEnum: the number of cases; values 0..Cases-1 are valid
	Mask  uint64    // CheckFlags: the defined bits
}

// Enum is implemented by named integer types that are guest enums. Values
// 0 to GuestEnumCases()-1 are valid; a read of any other value fails.
type Enum interface {
	GuestEnumCases() uint64
}

// Flags is implemented by named integer types that are guest bit sets. A
// read of a value with a bit outside GuestFlagsMask() fails.
type Flags interface {
	GuestFlagsMask() uint64
}

// PointerType is implemented by Go types that stand for a guest pointer, such as
// guestptr.Ptr, guestptr.Slice and guestptr.String. The method is called on
// the zero value, once per type.
type PointerType interface {
	GuestPointer() PointerInfo
}

// PointerInfo describes a guest pointer type.
type PointerInfo struct {
	// Pointee is the Go type pointed to.
	Pointee reflect.Type
	// WithLen is true for a (pointer, length) pair: a guest list or string,
	// 8 bytes on wasm32 and 16 on wasm64. Otherwise the pointer is one
	// address, 4 or 8 bytes.
	WithLen bool
}
