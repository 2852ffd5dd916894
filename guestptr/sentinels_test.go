package guestptr_test

import (
	"testing"

	"github.com/guestkit/guestkit/guestptr"
	"github.com/guestkit/guestkit/memory"
)

// TestEverySentinel lists each sentinel with a call that produces it, on a
// fresh 4 KiB memory, and checks the *Error it comes in.
func TestEverySentinel(t *testing.T) {
	tests := []struct {
		sentinel error
		op, typ  string
		addr     uint64
		call     func(m *memory.Memory) error
	}{
		{guestptr.ErrOutOfBounds, "read", "guestptr.Ptr[uint32]", 0x1000, func(m *memory.Memory) error {
			_, err := guestptr.New[uint32](m, 0x1000).Read()
			return err
		}},
		{guestptr.ErrMisaligned, "write", "guestptr.Ptr[uint32]", 2, func(m *memory.Memory) error {
			return guestptr.New[uint32](m, 2).Write(1)
		}},
		{guestptr.ErrOverflow, "add", "guestptr.Ptr[uint32]", 0xfffffffc, func(m *memory.Memory) error {
			_, err := guestptr.New[uint32](m, 0xfffffffc).Add(1)
			return err
		}},
		{guestptr.ErrBorrowed, "read", "guestptr.Ptr[uint32]", 4, func(m *memory.Memory) error {
			if _, err := guestptr.NewSlice[byte](m, 0, 8).AsSliceMut(); err != nil {
				return err
			}
			_, err := guestptr.New[uint32](m, 4).Read()
			return err
		}},
		{guestptr.ErrReleased, "release", "guestptr.View[uint8]", 0, func(m *memory.Memory) error {
			v, err := guestptr.NewSlice[byte](m, 0, 8).AsSlice()
			if err != nil {
				return err
			}
			if err := v.Release(); err != nil {
				return err
			}
			return v.Release()
		}},
		{guestptr.ErrInvalidBool, "read", "guestptr.Ptr[bool]", 8, func(m *memory.Memory) error {
			m.Bytes()[8] = 2
			_, err := guestptr.New[bool](m, 8).Read()
			return err
		}},
		{guestptr.ErrInvalidEnum, "read", "guestptr.Ptr[guestptr_test.Filetype]", 8, func(m *memory.Memory) error {
			m.Bytes()[8] = 8
			_, err := guestptr.New[Filetype](m, 8).Read()
			return err
		}},
		{guestptr.ErrInvalidFlags, "read", "guestptr.Ptr[guestptr_test.Fdflags]", 8, func(m *memory.Memory) error {
			m.Bytes()[8] = 0x20
			_, err := guestptr.New[Fdflags](m, 8).Read()
			return err
		}},
		{guestptr.ErrInvalidTag, "read", "guestptr.Ptr[guestptr_test.Subscription]", 8, func(m *memory.Memory) error {
			m.Bytes()[8] = 3
			_, err := guestptr.New[Subscription](m, 8).Read()
			return err
		}},
		{guestptr.ErrInvalidUTF8, "read", "guestptr.String", 8, func(m *memory.Memory) error {
			m.Bytes()[9] = 0x80
			_, err := guestptr.NewString(m, 8, 2).Read()
			return err
		}},
		{guestptr.ErrLengthMismatch, "write", "guestptr.Slice[uint32]", 8, func(m *memory.Memory) error {
			return guestptr.NewSlice[uint32](m, 8, 2).CopyFromSlice([]uint32{1})
		}},
		{guestptr.ErrNotTransparent, "view", "guestptr.Slice[guestptr_test.Mixed]", 8, func(m *memory.Memory) error {
			_, err := guestptr.NewSlice[Mixed](m, 8, 2).AsSlice()
			return err
		}},
		{guestptr.ErrValueRange, "write", "guestptr.Ptr[guestptr_test.Narrow]", 8, func(m *memory.Memory) error {
			return guestptr.New[Narrow](m, 8).Write(Narrow{N: 300})
		}},
		{guestptr.ErrShared, "view", "guestptr.Slice[uint32]", 8, func(*memory.Memory) error {
			_, err := guestptr.NewSlice[uint32](memory.NewShared(64), 8, 2).AsSliceMut()
			return err
		}},
		{guestptr.ErrNoField, "field", "guestptr.Ptr[guestptr_test.Fdstat]", 8, func(m *memory.Memory) error {
			_, err := guestptr.Field[uint8](guestptr.New[Fdstat](m, 8), "FsFlags")
			return err
		}},
		{guestptr.ErrNoMemory, "read", "guestptr.Ptr[uint32]", 0, func(*memory.Memory) error {
			_, err := guestptr.Ptr[uint32]{}.Read()
			return err
		}},
		{guestptr.ErrTooLarge, "read", "guestptr.Slice[guestptr.Ptr[uint8]]", 8, func(m *memory.Memory) error {
			// 4-byte guest pointers, 24-byte Go ones: a list filling the
			// memory would cost six times the memory to copy out.
			_, err := guestptr.NewSlice[guestptr.Ptr[byte]](m, 8, uint64(len(m.Bytes())-8)/4).ToSlice()
			return err
		}},
	}
	seen := map[error]bool{}
	for _, tt := range tests {
		t.Run(tt.sentinel.Error(), func(t *testing.T) {
			err := tt.call(memory.New(0x1000))
			e := checkError(t, err, tt.sentinel, tt.op, tt.typ, tt.addr)
			if e.Unwrap() != e.Err {
				t.Error("Unwrap does not return Err")
			}
			seen[tt.sentinel] = true
		})
	}
	all := []error{
		guestptr.ErrOutOfBounds, guestptr.ErrMisaligned, guestptr.ErrOverflow, guestptr.ErrBorrowed,
		guestptr.ErrReleased, guestptr.ErrInvalidBool, guestptr.ErrInvalidEnum, guestptr.ErrInvalidFlags,
		guestptr.ErrInvalidTag, guestptr.ErrInvalidUTF8, guestptr.ErrLengthMismatch, guestptr.ErrNotTransparent,
		guestptr.ErrValueRange, guestptr.ErrShared, guestptr.ErrNoField, guestptr.ErrNoMemory,
		guestptr.ErrTooLarge,
	}
	for _, s := range all {
		if !seen[s] {
			t.Errorf("no call in the table produced %v", s)
		}
	}
}

// TestFailedWritesChangeNothing makes writes fail every way they can and
// checks that no byte of memory changed.
func TestFailedWritesChangeNothing(t *testing.T) {
	var sub Subscription
	sub.Tag, sub.FdRead.Kind = 1, 9
	tests := []struct {
		name     string
		sentinel error
		write    func(m *memory.Memory) error
	}{
		{"out of bounds", guestptr.ErrOutOfBounds, func(m *memory.Memory) error {
			return guestptr.New[Fdstat](m, 0x1000-16).Write(Fdstat{FsFiletype: 1})
		}},
		{"misaligned", guestptr.ErrMisaligned, func(m *memory.Memory) error {
			return guestptr.New[Fdstat](m, 0x104).Write(Fdstat{FsFiletype: 1})
		}},
		{"wraps", guestptr.ErrOverflow, func(m *memory.Memory) error {
			return guestptr.NewSlice[byte](m, 0xffffff00, 0x200).CopyFromSlice(make([]byte, 0x200))
		}},
		{"borrowed", guestptr.ErrBorrowed, func(m *memory.Memory) error {
			if _, err := guestptr.NewSlice[byte](m, 0x110, 1).AsSlice(); err != nil {
				return err
			}
			return guestptr.New[Fdstat](m, 0x100).Write(Fdstat{FsFiletype: 1})
		}},
		{"enum", guestptr.ErrInvalidEnum, func(m *memory.Memory) error {
			return guestptr.New[Fdstat](m, 0x100).Write(Fdstat{FsFiletype: 8, FsRightsBase: 1})
		}},
		{"flags in the last field", guestptr.ErrInvalidFlags, func(m *memory.Memory) error {
			return guestptr.New[Fdstat](m, 0x100).Write(Fdstat{FsFiletype: 1, FsRightsInheriting: 1 << 31})
		}},
		{"tagged union case", guestptr.ErrInvalidEnum, func(m *memory.Memory) error {
			return guestptr.New[Subscription](m, 0x100).Write(sub)
		}},
		{"range", guestptr.ErrValueRange, func(m *memory.Memory) error {
			return guestptr.New[Iovec](m, 0x100).Write(Iovec{Buf: guestptr.New[byte](m, 8), BufLen: 1 << 40})
		}},
		{"bad last element", guestptr.ErrInvalidFlags, func(m *memory.Memory) error {
			vs := make([]Fdstat, 8)
			for i := range vs {
				vs[i].FsFiletype = 5
			}
			vs[7].FsFlags = 0x100
			return guestptr.NewSlice[Fdstat](m, 0x100, 8).CopyFromSlice(vs)
		}},
		{"length mismatch", guestptr.ErrLengthMismatch, func(m *memory.Memory) error {
			return guestptr.NewSlice[uint64](m, 0x100, 8).CopyFromSlice(make([]uint64, 7))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := memory.New(0x1000)
			for i := range m.Bytes() {
				m.Bytes()[i] = byte(i*31 + 7)
			}
			before := snapshot(m)
			err := tt.write(m)
			asError(t, err, tt.sentinel)
			unchanged(t, m, before)
		})
	}
}
