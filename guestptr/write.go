package guestptr

import (
	"fmt"
	"unicode/utf8"
	"unsafe"

	"github.com/guestkit/guestkit/memory"
)

// Writing text and bytes into a guest buffer. A guest that wants a reply
// hands the host a buffer: an address and a capacity. The host writes as
// much as fits and reports how much it wrote, as snprintf does: the
// functions here write up to the buffer's length, return the count, and
// never split a UTF-8 sequence. Exact-length writes (CopyFromSlice,
// String.Set) fail unless the lengths match. For a reply whose size the
// host decides, allocate it in the guest first: see Allocator.

// WriteString writes s into dst up to dst's length (its capacity) and
// returns the number of bytes written: all of s if it fits, else the
// longest prefix of s that fits and ends on a UTF-8 boundary. The bytes
// written must be valid UTF-8 (ErrInvalidUTF8). Bytes of dst past the count are not
// touched. On error nothing is written.
func WriteString(dst Slice[byte], s string) (int, error) {
	n := utf8Prefix(s, dst.ref.Len)
	if !utf8.ValidString(s[:n]) {
		return 0, fail[Slice[byte]]("write", dst.ref.Addr, uint64(n), fmt.Errorf("%w in the string written", ErrInvalidUTF8))
	}
	if err := writeBytes(dst.ref.Addr, dst, s[:n]); err != nil {
		return 0, err
	}
	return n, nil
}

// WriteBytes writes b into dst up to dst's length and returns the number
// of bytes written, min(len(b), dst.Len()), as copy does. On error nothing
// is written.
func WriteBytes(dst Slice[byte], b []byte) (int, error) {
	n := int(min(uint64(len(b)), dst.ref.Len))
	if err := writeBytes(dst.ref.Addr, dst, b[:n]); err != nil {
		return 0, err
	}
	return n, nil
}

// FitUTF8 returns how many bytes of s WriteString writes into a buffer of
// capacity bytes: len(s) if it fits, else the longest prefix that fits and
// does not end inside a UTF-8 sequence. Use it to know the length before
// writing, as when the length goes into a reply written first.
func FitUTF8(s string, capacity uint64) int { return utf8Prefix(s, capacity) }

// utf8Prefix is the length of the longest prefix of s of at most capacity
// bytes that does not end inside a UTF-8 sequence.
func utf8Prefix(s string, capacity uint64) int {
	if uint64(len(s)) <= capacity {
		return len(s)
	}
	n := int(capacity)
	// s[n] begins the first byte left out: back up while it continues a
	// sequence that began inside the prefix (at most 3 bytes).
	for k := 0; n > 0 && k < utf8.UTFMax-1 && !utf8.RuneStart(s[n]); k++ {
		n--
	}
	if !utf8.RuneStart(s[n]) {
		n = int(capacity) // not UTF-8 here: the caller's check says so
	}
	return n
}

// writeBytes writes src at the start of dst's region, checked as a region
// of len(src) bytes.
func writeBytes[B ~string | ~[]byte](addr uint64, dst Slice[byte], src B) error {
	if len(src) == 0 {
		return nil
	}
	region := dst.ref.At(addr, uint64(len(src)))
	_, b, err := span[Slice[byte], byte](region, "write")
	if err != nil {
		return err
	}
	total := uint64(len(b))
	acc, err := dst.ref.Mem.Borrows().BeginWrite(addr, total)
	if err != nil {
		return fail[Slice[byte]]("write", addr, total, err)
	}
	copy(b, src)
	acc.End()
	return nil
}

// CopyFrom writes the first min(len(src), Len) elements of src over the
// first elements of s and returns how many, as copy does: a write up to
// s's capacity. Every element is checked before any is written, so on
// error memory is unchanged.
func (s Slice[T]) CopyFrom(src []T) (int, error) {
	n := min(uint64(len(src)), s.ref.Len)
	if err := (Slice[T]{s.ref.At(s.ref.Addr, n)}).CopyFromSlice(src[:n]); err != nil {
		return 0, err
	}
	return int(n), nil
}

// Check checks that the slice's region lies inside its memory, does not
// wrap the address space and is aligned for T (an error matches
// ErrBadPointer), and that no mutable view holds it (ErrBorrowed), without
// reading or copying it. It does not validate the elements; read them for
// that. Before writing, see CheckWritable.
func (s Slice[T]) Check() error {
	_, b, err := span[Slice[T], T](s.ref, "check")
	if err != nil {
		return err
	}
	acc, err := s.ref.Mem.Borrows().BeginRead(s.ref.Addr, uint64(len(b)))
	if err != nil {
		return fail[Slice[T]]("check", s.ref.Addr, uint64(len(b)), err)
	}
	acc.End()
	return nil
}

// Check checks that the string's region lies inside its memory and holds
// valid UTF-8, in place: nothing is copied or allocated.
func (s String) Check() error {
	_, b, err := span[String, byte](s.ref, "check")
	if err != nil {
		return err
	}
	n := uint64(len(b))
	acc, err := s.ref.Mem.Borrows().BeginRead(s.ref.Addr, n)
	if err != nil {
		return fail[String]("check", s.ref.Addr, n, err)
	}
	err = checkUTF8(b)
	acc.End()
	if err != nil {
		return fail[String]("check", s.ref.Addr, n, err)
	}
	return nil
}

// WriteString writes v into the string's bytes up to its length (the
// buffer's capacity), never splitting a UTF-8 sequence, and returns the
// number of bytes written; see the function WriteString. The guest's
// buffer need not hold UTF-8 before the write.
func (s String) WriteString(v string) (int, error) {
	n, err := WriteString(Slice[byte](s), v)
	if err != nil {
		return 0, retype[String](err)
	}
	return n, nil
}

// Set writes v as the whole string: it fails with ErrLengthMismatch unless
// len(v) equals Len, and with ErrInvalidUTF8 unless v is valid UTF-8. On
// error memory is unchanged.
func (s String) Set(v string) error {
	if uint64(len(v)) != s.ref.Len {
		return fail[String]("write", s.ref.Addr, s.ref.Len, fmt.Errorf("%w: %d bytes into %d", ErrLengthMismatch, len(v), s.ref.Len))
	}
	if err := checkUTF8(unsafe.Slice(unsafe.StringData(v), len(v))); err != nil {
		return fail[String]("write", s.ref.Addr, s.ref.Len, err)
	}
	return retype[String](writeBytes(s.ref.Addr, Slice[byte](s), v))
}

// retype makes an *Error name type X.
func retype[X any](err error) error {
	if e, ok := err.(*Error); ok {
		return fail[X](e.Op, e.Addr, e.Len, e.Err)
	}
	return err
}

// CheckRegion checks that count elements of size bytes at addr lie inside
// mem, do not wrap its address space, and start at a multiple of align (a
// power of two): the check every access makes before it touches a byte.
// It reads nothing. A failure matches ErrBadPointer and one of
// ErrOutOfBounds, ErrOverflow and ErrMisaligned; it is not an *Error, so
// that callers can say which value they were placing.
func CheckRegion(mem *memory.Memory, addr, count, size, align uint64) error {
	if mem == nil {
		return ErrNoMemory
	}
	if align == 0 || align&(align-1) != 0 {
		return fmt.Errorf("guestptr.CheckRegion: alignment %d is not a power of two", align)
	}
	_, _, err := place(mem, addr, count, size, align)
	return err
}

// CheckWritable checks the slice's region as Check does, and that no view
// of it is held that a write would conflict with (ErrBorrowed): a write of
// the region would now succeed, as far as its place is concerned. It
// writes nothing.
func (s Slice[T]) CheckWritable() error {
	_, b, err := span[Slice[T], T](s.ref, "check")
	if err != nil {
		return err
	}
	acc, err := s.ref.Mem.Borrows().BeginWrite(s.ref.Addr, uint64(len(b)))
	if err != nil {
		return fail[Slice[T]]("check", s.ref.Addr, uint64(len(b)), err)
	}
	acc.End()
	return nil
}
