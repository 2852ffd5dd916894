package canonical

import (
	"reflect"
)

// Char is WIT's char: one Unicode scalar value. Lifting traps on a
// surrogate or a value above 0x10FFFF; lowering refuses them too.
type Char rune

// Valid reports whether c is a Unicode scalar value.
func (c Char) Valid() bool { return c >= 0 && c <= 0x10FFFF && !(c >= 0xD800 && c <= 0xDFFF) }

// Option is WIT's option<T>: a T when Valid, none otherwise.
type Option[T any] struct {
	Val   T
	Valid bool
}

// Some returns option<T> holding v.
func Some[T any](v T) Option[T] { return Option[T]{Val: v, Valid: true} }

// None returns the empty option<T>.
func None[T any]() Option[T] { return Option[T]{} }

func (Option[T]) canonicalOption() {}

// Result is WIT's result<T, E>: Ok when !IsErr, Err otherwise. Use
// struct{} for a missing payload: Result[struct{}, E] is result<_, E>,
// Result[T, struct{}] is result<T>, Result[struct{}, struct{}] is result.
type Result[T, E any] struct {
	Ok    T
	Err   E
	IsErr bool
}

// OK returns the ok case of result<T, E> holding v.
func OK[T, E any](v T) Result[T, E] { return Result[T, E]{Ok: v} }

// Fail returns the error case of result<T, E> holding e.
func Fail[T, E any](e E) Result[T, E] { return Result[T, E]{Err: e, IsErr: true} }

func (Result[T, E]) canonicalResult() {}

// Own is WIT's own<R>: an owned handle to a resource of type R, which is
// any Go type naming the resource (usually an empty struct). Rep is the
// resource's representation, chosen by whoever implements it. Lifting an
// own moves it out of the instance's [HandleTable]; lowering one puts it
// in.
type Own[R any] struct{ Rep uint32 }

// Borrow is WIT's borrow<R>: a handle lent for the length of one call.
type Borrow[R any] struct{ Rep uint32 }

func (Own[R]) canonicalHandle() (reflect.Type, bool)    { return reflect.TypeFor[R](), true }
func (Borrow[R]) canonicalHandle() (reflect.Type, bool) { return reflect.TypeFor[R](), false }

type optionType interface{ canonicalOption() }
type resultType interface{ canonicalResult() }
type handleType interface {
	canonicalHandle() (reflect.Type, bool)
}

// StringEncoding is the canonical option string-encoding: how strings are
// laid out in guest memory.
type StringEncoding uint8

// The string encodings of the canonical ABI.
const (
	UTF8        StringEncoding = iota // bytes; the length counts bytes
	UTF16                             // UTF-16LE; the length counts 16-bit code units
	Latin1UTF16                       // Latin-1 bytes, or UTF-16LE with the top length bit set
)

// String returns the encoding's WIT spelling: "utf8", "utf16" or
// "latin1+utf16".
func (e StringEncoding) String() string {
	switch e {
	case UTF8:
		return "utf8"
	case UTF16:
		return "utf16"
	case Latin1UTF16:
		return "latin1+utf16"
	}
	return "invalid"
}

// CoreType is a WebAssembly core value type of a flattened value.
type CoreType uint8

// The core value types.
const (
	I32 CoreType = iota + 1
	I64
	F32
	F64
)

// String returns "i32", "i64", "f32" or "f64".
func (t CoreType) String() string {
	switch t {
	case I32:
		return "i32"
	case I64:
		return "i64"
	case F32:
		return "f32"
	case F64:
		return "f64"
	}
	return "invalid"
}

// Limits of the canonical ABI.
const (
	// MaxFlatParams is the most core parameters a call passes flat; more
	// are spilled to memory and passed as one pointer.
	MaxFlatParams = 16
	// MaxFlatResults is the most core results a call returns flat; more
	// are returned through memory.
	MaxFlatResults = 1
	// MaxStringByteLength caps the bytes of a string in guest memory.
	MaxStringByteLength = 1<<28 - 1
	// MaxListByteLength caps the bytes of a list in guest memory.
	MaxListByteLength = 1<<28 - 1
)
