package guestptr

import (
	"fmt"
	"reflect"
	"unicode/utf8"
	"unsafe"

	"github.com/guestkit/guestkit/layout"
	"github.com/guestkit/guestkit/marshal"
	"github.com/guestkit/guestkit/memory"
)

// String is a guest UTF-8 string: a memory, an address and a length in
// bytes. It is also a valid field type in a guest struct: a guest (pointer,
// length) pair, 8 bytes on wasm32 and 16 on wasm64.
type String struct{ ref marshal.SpanRef }

// NewString returns the string of n bytes at addr in mem.
func NewString(mem *memory.Memory, addr, n uint64) String {
	return String{marshal.SpanTo[byte](mem, addr, n)}
}

// Addr returns the guest address of the first byte.
func (s String) Addr() uint64 { return s.ref.Addr }

// Len returns the length in bytes.
func (s String) Len() uint64 { return s.ref.Len }

// Memory returns the memory the string is in.
func (s String) Memory() *memory.Memory { return s.ref.Mem }

// Bytes returns the string's bytes as a slice, without a UTF-8 check.
func (s String) Bytes() Slice[byte] { return Slice[byte](s) }

// Equal reports whether s and o are the same region of the same memory.
func (s String) Equal(o String) bool { return s.ref.Equal(o.ref) }

// String returns the type, address and length, as in
// "guestptr.String(0x1000, 12)".
func (s String) String() string {
	return fmt.Sprintf("guestptr.String(%#x, %d)", s.ref.Addr, s.ref.Len)
}

// GuestPointer tells package layout that a String is a guest (pointer,
// length) pair of bytes.
func (String) GuestPointer() layout.PointerInfo {
	return layout.PointerInfo{Pointee: reflect.TypeFor[byte](), WithLen: true}
}

// Read copies the string out of guest memory, then checks that the copy
// is valid UTF-8 (so a guest thread changing the bytes meanwhile cannot
// slip invalid UTF-8 through).
func (s String) Read() (string, error) {
	_, b, err := span[String, byte](s.ref, "read")
	if err != nil {
		return "", err
	}
	n := uint64(len(b))
	acc, err := s.ref.Mem.Borrows().BeginRead(s.ref.Addr, n)
	if err != nil {
		return "", fail[String]("read", s.ref.Addr, n, err)
	}
	str := string(b)
	acc.End()
	if err := checkUTF8(unsafe.Slice(unsafe.StringData(str), len(str))); err != nil {
		return "", fail[String]("read", s.ref.Addr, n, err)
	}
	return str, nil
}

// checkUTF8 reports where b stops being valid UTF-8.
func checkUTF8(b []byte) error {
	if utf8.Valid(b) {
		return nil
	}
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size <= 1 {
			return fmt.Errorf("%w at byte %d (%#x)", ErrInvalidUTF8, i, b[i])
		}
		i += size
	}
	return ErrInvalidUTF8
}

// StrView is a string that aliases guest memory, held as a shared borrow
// until Release. Its UTF-8 was checked when it was taken.
type StrView struct{ v View[byte] }

// String returns the string, or "" once the view is released. The string
// aliases guest memory: do not keep it past Release (copy it with
// strings.Clone to keep it).
func (v StrView) String() string {
	b := v.v.Slice()
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// Len returns the length in bytes.
func (v StrView) Len() int { return v.v.Len() }

// Release ends the borrow. A second Release fails with ErrReleased.
func (v StrView) Release() error { return v.v.Release() }

// MutStrView is a string's bytes aliasing guest memory, held as a mutable
// borrow until Release. Its UTF-8 was checked when it was taken; keeping it
// valid while writing is the host's part.
type MutStrView struct{ v MutView[byte] }

// Bytes returns the bytes, or nil once the view is released.
func (v MutStrView) Bytes() []byte { return v.v.Slice() }

// String returns the bytes as a string aliasing guest memory; it changes
// when the bytes do. Do not keep it past Release.
func (v MutStrView) String() string {
	b := v.v.Slice()
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// Len returns the length in bytes.
func (v MutStrView) Len() int { return v.v.Len() }

// Release writes the bytes through if the memory moved, then ends the
// borrow; see MutView.Release.
func (v MutStrView) Release() error { return v.v.Release() }

// AsStr returns a view of the string, held as a shared borrow until
// Release, after checking its UTF-8. On error nothing stays borrowed.
func (s String) AsStr() (StrView, error) {
	data, borrow, _, err := view[String, byte](s.ref, false)
	if err != nil {
		return StrView{}, err
	}
	v := View[byte]{data: data, borrow: borrow, addr: s.ref.Addr}
	if err := checkUTF8(data); err != nil {
		_ = v.Release()
		return StrView{}, fail[String]("view", s.ref.Addr, s.ref.Len, err)
	}
	return StrView{v}, nil
}

// AsStrMut returns a mutable view of the string's bytes, held as a mutable
// borrow until Release, after checking its UTF-8. On error nothing stays
// borrowed.
func (s String) AsStrMut() (MutStrView, error) {
	data, borrow, base, err := view[String, byte](s.ref, true)
	if err != nil {
		return MutStrView{}, err
	}
	v := MutView[byte]{data: data, borrow: borrow, mem: s.ref.Mem, addr: s.ref.Addr, base: base}
	if err := checkUTF8(data); err != nil {
		_ = v.Release()
		return MutStrView{}, fail[String]("view", s.ref.Addr, s.ref.Len, err)
	}
	return MutStrView{v}, nil
}
