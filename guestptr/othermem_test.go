package guestptr_test

import (
	"testing"

	"github.com/guestkit/guestkit/guestptr"
	"github.com/guestkit/guestkit/layout"
	"github.com/guestkit/guestkit/memory"
)

// movingMem is a memory whose bytes the test replaces at will: with a
// slice that starts at an odd host address, or with a smaller one, as no
// real memory does.
type movingMem struct {
	buf []byte
	mem *memory.Memory
}

func newMovingMem(buf []byte) *movingMem {
	m := &movingMem{buf: buf}
	m.mem = memory.Wrap(func() []byte { return m.buf }, layout.Wasm32, false)
	return m
}

func TestHostMisalignedView(t *testing.T) {
	m := newMovingMem(make([]byte, 0x101)[1:]) // host address odd
	// Reads and writes work byte by byte wherever the host bytes are.
	p := guestptr.New[uint32](m.mem, 0x10)
	if err := p.Write(0x01020304); err != nil {
		t.Fatal(err)
	}
	if v, err := p.Read(); err != nil || v != 0x01020304 {
		t.Errorf("Read = %#x, %v", v, err)
	}
	// A view would be a misaligned []uint32: refused.
	_, err := guestptr.NewSlice[uint32](m.mem, 0x10, 2).AsSlice()
	checkError(t, err, guestptr.ErrMisaligned, "view", "guestptr.Slice[uint32]", 0x10)
	if got, want := err.Error(), "view guestptr.Slice[uint32] at 0x10: misaligned: host address of 0x10 is not a multiple of 4"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if m.mem.Borrows().Held() != 0 {
		t.Error("a refused view left a borrow held")
	}
	// Bytes have no alignment.
	v, err := guestptr.NewSlice[byte](m.mem, 0x11, 3).AsSlice()
	if err != nil {
		t.Fatalf("byte view: %v", err)
	}
	if err := v.Release(); err != nil {
		t.Fatal(err)
	}
}

func TestMutViewAfterShrink(t *testing.T) {
	m := newMovingMem(make([]byte, 0x100))
	s := guestptr.NewSlice[uint32](m.mem, 0x80, 4)
	mv, err := s.AsSliceMut()
	if err != nil {
		t.Fatal(err)
	}
	mv.Slice()[0] = 7
	m.buf = make([]byte, 0x40) // the memory moved and shrank under the view
	err = mv.Release()
	e := checkError(t, err, guestptr.ErrOutOfBounds, "release", "guestptr.MutView[uint32]", 0x80)
	if e.Len != 16 {
		t.Errorf("Len = %d, want 16", e.Len)
	}
	if got, want := err.Error(), "release guestptr.MutView[uint32] at 0x80: out of bounds: memory shrank to 0x40 bytes; the view's writes are lost"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	// The borrow ended anyway.
	if m.mem.Borrows().Held() != 0 {
		t.Error("the borrow is still held after a failed Release")
	}
	checkError(t, mv.Release(), guestptr.ErrReleased, "release", "guestptr.MutView[uint32]", 0x80)

	// Moved without shrinking: the writes land in the new bytes.
	m.buf = make([]byte, 0x100)
	mv, err = s.AsSliceMut()
	if err != nil {
		t.Fatal(err)
	}
	mv.Slice()[3] = 0x55
	old := m.buf
	m.buf = make([]byte, 0x100)
	if err := mv.Release(); err != nil {
		t.Fatal(err)
	}
	if m.buf[0x8c] != 0x55 || old[0x8c] != 0x55 {
		t.Errorf("write-through after a move: new %#x, old %#x", m.buf[0x8c], old[0x8c])
	}
}
