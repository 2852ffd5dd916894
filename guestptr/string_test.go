package guestptr_test

import (
	"strings"
	"testing"

	"github.com/guestkit/guestkit/guestptr"
	"github.com/guestkit/guestkit/memory"
)

func TestStringBasics(t *testing.T) {
	m := mem32(0x100)
	copy(m.Bytes()[0x10:], "hello, wörld")
	s := guestptr.NewString(m, 0x10, 13)
	if s.Addr() != 0x10 || s.Len() != 13 || s.Memory() != m {
		t.Errorf("NewString: Addr %#x, Len %d", s.Addr(), s.Len())
	}
	if got, want := s.String(), "guestptr.String(0x10, 13)"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if !s.Bytes().Equal(guestptr.NewSlice[byte](m, 0x10, 13)) {
		t.Errorf("Bytes() = %v", s.Bytes())
	}
	if !s.Equal(guestptr.NewString(m, 0x10, 13)) || s.Equal(guestptr.NewString(m, 0x10, 12)) {
		t.Error("Equal compares wrongly")
	}
	got, err := s.Read()
	if err != nil || got != "hello, wörld" {
		t.Errorf("Read() = %q, %v", got, err)
	}
	// The copy does not alias memory.
	m.Bytes()[0x10] = 'j'
	if got != "hello, wörld" {
		t.Errorf("Read's string changed with memory: %q", got)
	}
	if got, err := guestptr.NewString(m, 0x100, 0).Read(); err != nil || got != "" {
		t.Errorf("empty Read() = %q, %v", got, err)
	}
	// Bytes without a UTF-8 check.
	m.Bytes()[0x11] = 0xff
	if b, err := s.Bytes().ToSlice(); err != nil || b[1] != 0xff {
		t.Errorf("Bytes().ToSlice() = % x, %v", b, err)
	}
}

func TestStringUTF8(t *testing.T) {
	tests := []struct {
		name string
		text string
		msg  string // empty when valid
	}{
		{"ascii", "abc", ""},
		{"multibyte", "日本語 ✓", ""},
		{"bad byte", "ab\xffc", "read guestptr.String at 0x20: invalid UTF-8 at byte 2 (0xff)"},
		{"truncated rune", "é"[:1], "read guestptr.String at 0x20: invalid UTF-8 at byte 0 (0xc3)"},
		{"surrogate", "x\xed\xa0\x80", "read guestptr.String at 0x20: invalid UTF-8 at byte 1 (0xed)"},
		{"overlong", "\xc0\xaf", "read guestptr.String at 0x20: invalid UTF-8 at byte 0 (0xc0)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := mem32(0x100)
			copy(m.Bytes()[0x20:], tt.text)
			s := guestptr.NewString(m, 0x20, uint64(len(tt.text)))
			got, err := s.Read()
			if tt.msg == "" {
				if err != nil || got != tt.text {
					t.Errorf("Read() = %q, %v; want %q", got, err, tt.text)
				}
				return
			}
			e := checkError(t, err, guestptr.ErrInvalidUTF8, "read", "guestptr.String", 0x20)
			if err.Error() != tt.msg || e.Len != uint64(len(tt.text)) || got != "" {
				t.Errorf("Read() = %q, %q (Len %d); want error %q", got, err, e.Len, tt.msg)
			}
			// Views check too, and a failed check releases the borrow.
			_, err = s.AsStr()
			checkError(t, err, guestptr.ErrInvalidUTF8, "view", "guestptr.String", 0x20)
			_, err = s.AsStrMut()
			checkError(t, err, guestptr.ErrInvalidUTF8, "view", "guestptr.String", 0x20)
			mv, err := s.Bytes().AsSliceMut()
			if err != nil {
				t.Fatalf("mutable view after failed UTF-8 checks: %v", err)
			}
			if err := mv.Release(); err != nil {
				t.Fatal(err)
			}
			if n := m.Borrows().Held(); n != 0 {
				t.Errorf("%d borrows held after failed views", n)
			}
		})
	}
}

func TestStrViews(t *testing.T) {
	m := mem32(0x100)
	copy(m.Bytes()[0x40:], "guest text")
	s := guestptr.NewString(m, 0x40, 10)

	v, err := s.AsStr()
	if err != nil {
		t.Fatal(err)
	}
	if v.String() != "guest text" || v.Len() != 10 {
		t.Errorf("StrView = %q (%d)", v.String(), v.Len())
	}
	// Shared views and reads coexist; writes and mutable views wait.
	v2, err := s.AsStr()
	if err != nil {
		t.Fatalf("second shared view: %v", err)
	}
	if got, err := s.Read(); err != nil || got != "guest text" {
		t.Errorf("Read under a shared view = %q, %v", got, err)
	}
	_, err = s.AsStrMut()
	checkError(t, err, guestptr.ErrBorrowed, "view", "guestptr.String", 0x40)
	checkError(t, guestptr.New[byte](m, 0x49).Write('X'), guestptr.ErrBorrowed, "write", "guestptr.Ptr[uint8]", 0x49)
	if err := v.Release(); err != nil {
		t.Fatal(err)
	}
	if v.String() != "" {
		t.Errorf("released StrView.String() = %q, want empty", v.String())
	}
	asError(t, v.Release(), guestptr.ErrReleased)
	if err := v2.Release(); err != nil {
		t.Fatal(err)
	}

	mv, err := s.AsStrMut()
	if err != nil {
		t.Fatal(err)
	}
	if mv.Len() != 10 || mv.String() != "guest text" {
		t.Errorf("MutStrView = %q (%d)", mv.String(), mv.Len())
	}
	copy(mv.Bytes(), "GUEST")
	if mv.String() != "GUEST text" {
		t.Errorf("MutStrView.String() after a write = %q", mv.String())
	}
	_, err = s.Read()
	checkError(t, err, guestptr.ErrBorrowed, "read", "guestptr.String", 0x40)
	_, err = s.AsStr()
	checkError(t, err, guestptr.ErrBorrowed, "view", "guestptr.String", 0x40)
	if err := mv.Release(); err != nil {
		t.Fatal(err)
	}
	if mv.Bytes() != nil || mv.String() != "" {
		t.Errorf("released MutStrView: Bytes %q, String %q", mv.Bytes(), mv.String())
	}
	if got, err := s.Read(); err != nil || got != "GUEST text" {
		t.Errorf("Read after release = %q, %v", got, err)
	}
	asError(t, mv.Release(), guestptr.ErrReleased)

	// Empty and out-of-bounds strings.
	ev, err := guestptr.NewString(m, 0x100, 0).AsStr()
	if err != nil || ev.String() != "" {
		t.Errorf("empty AsStr = %q, %v", ev.String(), err)
	}
	_, err = guestptr.NewString(m, 0xff, 2).AsStrMut()
	checkError(t, err, guestptr.ErrOutOfBounds, "view", "guestptr.String", 0xff)
	_, err = guestptr.NewString(nil, 0, 2).AsStr()
	checkError(t, err, guestptr.ErrNoMemory, "view", "guestptr.String", 0)
	_, err = guestptr.NewString(memory.NewShared(16), 0, 2).AsStr()
	checkError(t, err, guestptr.ErrShared, "view", "guestptr.String", 0)
}

func TestWithStr(t *testing.T) {
	m := mem32(0x100)
	copy(m.Bytes(), "abc")
	s := guestptr.NewString(m, 0, 3)
	var seen string
	err := guestptr.WithStr(s, func(v string) error {
		seen = strings.Clone(v)
		return nil
	})
	if err != nil || seen != "abc" {
		t.Errorf("WithStr saw %q, returned %v", seen, err)
	}
	err = guestptr.WithStrMut(s, func(b []byte) error {
		b[0] = 'x'
		return nil
	})
	if got, _ := s.Read(); err != nil || got != "xbc" {
		t.Errorf("WithStrMut wrote %q, returned %v", got, err)
	}
	m.Bytes()[1] = 0xff
	err = guestptr.WithStr(s, func(string) error {
		t.Error("WithStr called f on invalid UTF-8")
		return nil
	})
	asError(t, err, guestptr.ErrInvalidUTF8)
	if m.Borrows().Held() != 0 {
		t.Error("a borrow is held after WithStr failed")
	}
}
