package guestptr_test

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/guestkit/guestkit/guestptr"
	"github.com/guestkit/guestkit/memory"
)

func TestViews(t *testing.T) {
	for _, abi := range abis {
		t.Run(abi.String(), func(t *testing.T) {
			m := memFor(abi, 0x100)
			s := guestptr.NewSlice[Pair](m, 0x20, 4) // [0x20, 0x40)
			if err := s.CopyFromSlice([]Pair{{1, 2}, {3, 4}, {5, 6}, {7, 8}}); err != nil {
				t.Fatal(err)
			}
			v, err := s.AsSlice()
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]Pair{{1, 2}, {3, 4}, {5, 6}, {7, 8}}, v.Slice()); diff != "" || v.Len() != 4 {
				t.Errorf("View (-want +got):\n%s", diff)
			}
			// The view aliases memory: no copy.
			put(m, 0x20, 9, 4)
			if v.Slice()[0].X != 9 {
				t.Error("a shared view does not alias memory")
			}
			// Under a shared view: reads and shared views pass, writes and
			// mutable views of any overlapping byte are refused.
			if _, err := guestptr.New[uint32](m, 0x3c).Read(); err != nil {
				t.Errorf("Read under a shared view: %v", err)
			}
			v2, err := guestptr.NewSlice[uint32](m, 0x1c, 2).AsSlice()
			if err != nil {
				t.Errorf("overlapping shared view: %v", err)
			}
			checkError(t, guestptr.New[uint32](m, 0x3c).Write(1), guestptr.ErrBorrowed, "write", "guestptr.Ptr[uint32]", 0x3c)
			_, err = guestptr.NewSlice[byte](m, 0x3f, 2).AsSliceMut()
			checkError(t, err, guestptr.ErrBorrowed, "view", "guestptr.Slice[uint8]", 0x3f)
			checkError(t, guestptr.NewSlice[uint32](m, 0x18, 2).CopyFromSlice([]uint32{0, 0}), guestptr.ErrBorrowed, "write", "guestptr.Slice[uint32]", 0x18)
			// Adjacent regions are free.
			if err := guestptr.New[uint32](m, 0x40).Write(1); err != nil {
				t.Errorf("Write right after a view: %v", err)
			}
			if err := v.Release(); err != nil {
				t.Fatal(err)
			}
			if v.Slice() != nil {
				t.Error("a released View still returns its slice")
			}
			if err := v2.Release(); err != nil {
				t.Fatal(err)
			}

			// A mutable view excludes reads too.
			mv, err := s.AsSliceMut()
			if err != nil {
				t.Fatal(err)
			}
			mv.Slice()[3] = Pair{70, 80}
			if got := m.Bytes()[0x38]; got != 70 {
				t.Errorf("a MutView write did not reach memory: %d", got)
			}
			_, err = guestptr.New[Pair](m, 0x38).Read()
			checkError(t, err, guestptr.ErrBorrowed, "read", "guestptr.Ptr[guestptr_test.Pair]", 0x38)
			_, err = guestptr.NewSlice[uint32](m, 0x10, 5).ToSlice()
			checkError(t, err, guestptr.ErrBorrowed, "read", "guestptr.Slice[uint32]", 0x10)
			_, err = s.AsSlice()
			checkError(t, err, guestptr.ErrBorrowed, "view", "guestptr.Slice[guestptr_test.Pair]", 0x20)
			_, err = guestptr.NewString(m, 0x3f, 1).AsStr()
			checkError(t, err, guestptr.ErrBorrowed, "view", "guestptr.String", 0x3f)
			if _, err := guestptr.New[uint32](m, 0x40).Read(); err != nil {
				t.Errorf("Read right after a mutable view: %v", err)
			}
			if err := mv.Release(); err != nil {
				t.Fatal(err)
			}
			e := checkError(t, mv.Release(), guestptr.ErrReleased, "release", "guestptr.MutView[guestptr_test.Pair]", 0x20)
			if !errors.Is(e, memory.ErrReleased) {
				t.Error("ErrReleased is not memory.ErrReleased")
			}
			checkError(t, v.Release(), guestptr.ErrReleased, "release", "guestptr.View[guestptr_test.Pair]", 0x20)

			// Release, then borrow again.
			if got, err := guestptr.New[Pair](m, 0x38).Read(); err != nil || got != (Pair{70, 80}) {
				t.Errorf("Read after release = %v, %v", got, err)
			}
			mv, err = s.AsSliceMut()
			if err != nil {
				t.Fatalf("AsSliceMut after release: %v", err)
			}
			if err := mv.Release(); err != nil {
				t.Fatal(err)
			}
			if n := m.Borrows().Held(); n != 0 {
				t.Errorf("%d borrows held at the end", n)
			}
		})
	}
}

func TestViewRefusals(t *testing.T) {
	m := mem32(0x100)
	tests := []struct {
		name     string
		view     func() error
		sentinel error
		typ      string
	}{
		{"bool field", func() error { _, err := guestptr.NewSlice[Mixed](m, 0, 2).AsSlice(); return err },
			guestptr.ErrNotTransparent, "guestptr.Slice[guestptr_test.Mixed]"},
		{"padding", func() error { _, err := guestptr.NewSlice[Padded](m, 0, 2).AsSliceMut(); return err },
			guestptr.ErrNotTransparent, "guestptr.Slice[guestptr_test.Padded]"},
		{"enum", func() error { _, err := guestptr.NewSlice[Filetype](m, 0, 2).AsSlice(); return err },
			guestptr.ErrNotTransparent, "guestptr.Slice[guestptr_test.Filetype]"},
		{"pointers", func() error { _, err := guestptr.NewSlice[guestptr.Ptr[byte]](m, 0, 2).AsSlice(); return err },
			guestptr.ErrNotTransparent, "guestptr.Slice[guestptr.Ptr[uint8]]"},
		{"shared memory", func() error {
			_, err := guestptr.NewSlice[uint32](memory.NewShared(0x100), 0, 2).AsSlice()
			return err
		}, guestptr.ErrShared, "guestptr.Slice[uint32]"},
		{"shared memory, mutable", func() error {
			_, err := guestptr.NewSlice[uint32](memory.NewShared(0x100), 0, 2).AsSliceMut()
			return err
		}, guestptr.ErrShared, "guestptr.Slice[uint32]"},
		{"misaligned", func() error { _, err := guestptr.NewSlice[uint32](m, 1, 2).AsSlice(); return err },
			guestptr.ErrMisaligned, "guestptr.Slice[uint32]"},
		{"out of bounds", func() error { _, err := guestptr.NewSlice[uint32](m, 0xfc, 2).AsSliceMut(); return err },
			guestptr.ErrOutOfBounds, "guestptr.Slice[uint32]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.view()
			e := asError(t, err, tt.sentinel)
			if e.Op != "view" || e.TypeName() != tt.typ {
				t.Errorf("Error{Op: %q, Type: %q}, want view of %s", e.Op, e.Type, tt.typ)
			}
			if m.Borrows().Held() != 0 {
				t.Error("a refused view left a borrow held")
			}
		})
	}
	_, err := guestptr.NewSlice[Padded](m, 0, 2).AsSlice()
	if got, want := err.Error(), "view guestptr.Slice[guestptr_test.Padded] at 0x0: type is not transparent: guestptr_test.Padded has no view; copy it with ToSlice"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	// Shared memory is still read and written by copying.
	sm := memory.NewShared(0x100)
	if err := guestptr.NewSlice[uint32](sm, 0, 2).CopyFromSlice([]uint32{1, 2}); err != nil {
		t.Errorf("CopyFromSlice on shared memory: %v", err)
	}
	if vs, err := guestptr.NewSlice[uint32](sm, 0, 2).ToSlice(); err != nil || !cmp.Equal(vs, []uint32{1, 2}) {
		t.Errorf("ToSlice on shared memory = %v, %v", vs, err)
	}
}

func TestEmptyViews(t *testing.T) {
	m := mem32(0x10)
	v, err := guestptr.NewSlice[uint64](m, 0x10, 0).AsSliceMut()
	if err != nil || v.Len() != 0 {
		t.Fatalf("empty AsSliceMut = %d elements, %v", v.Len(), err)
	}
	// An empty view conflicts with nothing.
	if err := guestptr.New[uint64](m, 8).Write(1); err != nil {
		t.Errorf("Write next to an empty mutable view: %v", err)
	}
	if err := v.Release(); err != nil {
		t.Fatal(err)
	}
	// Zero-size elements have no bytes behind them.
	z, err := guestptr.NewSlice[struct{}](m, 4, 3).AsSliceMut()
	if err != nil || z.Len() != 3 {
		t.Fatalf("AsSliceMut of 3 empty structs = %d, %v", z.Len(), err)
	}
	if err := z.Release(); err != nil {
		t.Fatal(err)
	}
}

// TestGrowthUnderMutView grows the memory while a mutable view is held: the
// view's writes after growth are not lost, and reads after growth see the
// new memory.
func TestGrowthUnderMutView(t *testing.T) {
	m := memory.New(memory.PageSize)
	s := guestptr.NewSlice[uint32](m, 0x100, 4)
	if err := s.CopyFromSlice([]uint32{1, 2, 3, 4}); err != nil {
		t.Fatal(err)
	}
	sv, err := guestptr.NewSlice[uint32](m, 0x200, 1).AsSlice()
	if err != nil {
		t.Fatal(err)
	}
	mv, err := s.AsSliceMut()
	if err != nil {
		t.Fatal(err)
	}
	mv.Slice()[0] = 10 // before growth
	if _, err := m.Grow(1); err != nil {
		t.Fatal(err)
	}
	mv.Slice()[3] = 40 // after growth: lands in the old array until Release
	put(m, 0x200, 99, 4)
	put(m, memory.PageSize+8, 0xabcd, 4)

	// Reads after growth see the new memory, including its new page.
	if v, err := guestptr.New[uint32](m, memory.PageSize+8).Read(); err != nil || v != 0xabcd {
		t.Errorf("Read of the new page = %#x, %v", v, err)
	}
	if v, err := guestptr.New[uint32](m, 0x200).Read(); err != nil || v != 99 {
		t.Errorf("Read after growth = %d, %v; want 99", v, err)
	}
	// A shared view keeps the bytes as they were when it was taken.
	if got := sv.Slice()[0]; got != 0 {
		t.Errorf("shared view after growth = %d, want the old 0", got)
	}
	_, err = s.ToSlice()
	checkError(t, err, guestptr.ErrBorrowed, "read", "guestptr.Slice[uint32]", 0x100)

	if err := mv.Release(); err != nil {
		t.Fatal(err)
	}
	if err := sv.Release(); err != nil {
		t.Fatal(err)
	}
	got, err := s.ToSlice()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]uint32{10, 2, 3, 40}, got); diff != "" {
		t.Errorf("after Release (-want +got):\n%s", diff)
	}
	if b := m.Bytes(); b[0x10c] != 40 || b[0x100] != 10 {
		t.Errorf("memory.Bytes() after Release: % x", b[0x100:0x110])
	}
}

func TestWithSlicePanics(t *testing.T) {
	m := mem32(0x100)
	s := guestptr.NewSlice[uint32](m, 0x10, 4)
	str := guestptr.NewString(m, 0x10, 16)
	calls := []struct {
		name string
		call func()
	}{
		{"WithSlice", func() { _ = guestptr.WithSlice(s, func([]uint32) error { panic("boom") }) }},
		{"WithSliceMut", func() { _ = guestptr.WithSliceMut(s, func([]uint32) error { panic("boom") }) }},
		{"WithStr", func() { _ = guestptr.WithStr(str, func(string) error { panic("boom") }) }},
		{"WithStrMut", func() { _ = guestptr.WithStrMut(str, func([]byte) error { panic("boom") }) }},
	}
	for _, c := range calls {
		t.Run(c.name, func(t *testing.T) {
			func() {
				defer func() {
					if r := recover(); r != "boom" {
						t.Errorf("recovered %v, want the callback's panic", r)
					}
				}()
				c.call()
				t.Error("the panic was swallowed")
			}()
			mv, err := s.AsSliceMut()
			if err != nil {
				t.Fatalf("mutable view after a panic in %s: %v", c.name, err)
			}
			if err := mv.Release(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestWithSlice(t *testing.T) {
	m := mem32(0x100)
	s := guestptr.NewSlice[uint16](m, 0x10, 3)
	err := guestptr.WithSliceMut(s, func(v []uint16) error {
		copy(v, []uint16{7, 8, 9})
		// Inside, the region is borrowed.
		_, err := s.Ptr().Read()
		asError(t, err, guestptr.ErrBorrowed)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var sum uint16
	if err := guestptr.WithSlice(s, func(v []uint16) error {
		for _, x := range v {
			sum += x
		}
		return nil
	}); err != nil || sum != 24 {
		t.Errorf("WithSlice sum = %d, %v", sum, err)
	}
	// f's error comes back, and the view is released.
	errStop := errors.New("stop")
	err = guestptr.WithSlice(s, func([]uint16) error { return errStop })
	if !errors.Is(err, errStop) {
		t.Errorf("WithSlice = %v, want f's error", err)
	}
	// Taking the view fails: f is not called.
	err = guestptr.WithSliceMut(guestptr.NewSlice[uint16](m, 0xf1, 1), func([]uint16) error {
		t.Error("f called on a failed view")
		return nil
	})
	asError(t, err, guestptr.ErrMisaligned)
	if n := m.Borrows().Held(); n != 0 {
		t.Errorf("%d borrows held after the With calls", n)
	}
}

func TestViewCopiesShareABorrow(t *testing.T) {
	m := mem32(0x40)
	s := guestptr.NewSlice[uint32](m, 0, 4)
	v, err := s.AsSlice()
	if err != nil {
		t.Fatal(err)
	}
	c := v
	if err := c.Release(); err != nil {
		t.Fatal(err)
	}
	if v.Slice() != nil {
		t.Error("a copy's Release left the original view's slice readable")
	}
	asError(t, v.Release(), guestptr.ErrReleased)

	mv, err := s.AsSliceMut()
	if err != nil {
		t.Fatal(err)
	}
	mc := mv
	if err := mv.Release(); err != nil {
		t.Fatal(err)
	}
	if mc.Slice() != nil {
		t.Error("a released MutView's copy still returns its slice")
	}
	asError(t, mc.Release(), guestptr.ErrReleased)
	if n := m.Borrows().Held(); n != 0 {
		t.Errorf("%d borrows held", n)
	}
}
