package guestptr_test

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/guestkit/guestkit/guestptr"
	"github.com/guestkit/guestkit/marshal"
	"github.com/guestkit/guestkit/memory"
)

func TestReadWriteRecord(t *testing.T) {
	for _, abi := range abis {
		t.Run(abi.String(), func(t *testing.T) {
			m := memFor(abi, 0x2000)
			for i := range m.Bytes() {
				m.Bytes()[i] = 0xee
			}
			p := guestptr.New[Fdstat](m, 0x1000)
			want := Fdstat{FsFiletype: 4, FsFlags: 0x11, FsRightsBase: 1<<29 | 3, FsRightsInheriting: 0x40}
			if err := p.Write(want); err != nil {
				t.Fatal(err)
			}
			wantBytes := []byte{
				4, 0xee, 0x11, 0, 0xee, 0xee, 0xee, 0xee, // padding keeps its bytes
				3, 0, 0, 0x20, 0, 0, 0, 0,
				0x40, 0, 0, 0, 0, 0, 0, 0,
			}
			if diff := cmp.Diff(wantBytes, m.Bytes()[0x1000:0x1018]); diff != "" {
				t.Errorf("bytes (-want +got):\n%s", diff)
			}
			got, err := p.Read()
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Read (-want +got):\n%s", diff)
			}
		})
	}
}

func TestInvalidValues(t *testing.T) {
	tests := []struct {
		name     string
		poke     func(m *memory.Memory)
		read     func(m *memory.Memory) error
		sentinel error
		field    string
		msg      string
	}{
		{"flags", func(m *memory.Memory) { put(m, 0x1002, 0x8000, 2) },
			func(m *memory.Memory) error { _, err := guestptr.New[Fdstat](m, 0x1000).Read(); return err },
			guestptr.ErrInvalidFlags, "FsFlags",
			"read guestptr.Ptr[guestptr_test.Fdstat] at 0x1000: field FsFlags: invalid flags 0x8000 (unknown bits 0x8000)"},
		{"enum", func(m *memory.Memory) { put(m, 0x1000, 8, 1) },
			func(m *memory.Memory) error { _, err := guestptr.New[Fdstat](m, 0x1000).Read(); return err },
			guestptr.ErrInvalidEnum, "FsFiletype",
			"read guestptr.Ptr[guestptr_test.Fdstat] at 0x1000: field FsFiletype: invalid enum 8 (guestptr_test.Filetype has 8 cases)"},
		{"u64 flags", func(m *memory.Memory) { put(m, 0x1010, 1<<63, 8) },
			func(m *memory.Memory) error { _, err := guestptr.New[Fdstat](m, 0x1000).Read(); return err },
			guestptr.ErrInvalidFlags, "FsRightsInheriting", ""},
		{"bool", func(m *memory.Memory) { put(m, 0x1004, 7, 1) },
			func(m *memory.Memory) error { _, err := guestptr.New[Mixed](m, 0x1000).Read(); return err },
			guestptr.ErrInvalidBool, "B",
			"read guestptr.Ptr[guestptr_test.Mixed] at 0x1000: field B: invalid bool 7"},
		{"tag", func(m *memory.Memory) { put(m, 0x1000, 2, 1) },
			func(m *memory.Memory) error { _, err := guestptr.New[Subscription](m, 0x1000).Read(); return err },
			guestptr.ErrInvalidTag, "Tag",
			"read guestptr.Ptr[guestptr_test.Subscription] at 0x1000: field Tag: invalid tag 2"},
		{"enum in the active case", func(m *memory.Memory) { put(m, 0x1000, 1, 1); put(m, 0x100c, 9, 1) },
			func(m *memory.Memory) error { _, err := guestptr.New[Subscription](m, 0x1000).Read(); return err },
			guestptr.ErrInvalidEnum, "FdRead.Kind", ""},
		{"element of ToSlice", func(m *memory.Memory) { put(m, 0x1000+2*24+2, 0x20, 2) },
			func(m *memory.Memory) error { _, err := guestptr.NewSlice[Fdstat](m, 0x1000, 4).ToSlice(); return err },
			guestptr.ErrInvalidFlags, "[2].FsFlags",
			"read guestptr.Slice[guestptr_test.Fdstat] at 0x1000: field [2].FsFlags: invalid flags 0x20 (unknown bits 0x20)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := mem32(0x2000)
			tt.poke(m)
			err := tt.read(m)
			e := asError(t, err, tt.sentinel)
			if e.Field.String() != tt.field || e.Addr != 0x1000 || e.Op != "read" {
				t.Errorf("Error{Op: %q, Addr: %#x, Field: %q}, want read at 0x1000 in %q", e.Op, e.Addr, e.Field, tt.field)
			}
			if tt.msg != "" && err.Error() != tt.msg {
				t.Errorf("Error() =\n%q, want\n%q", err.Error(), tt.msg)
			}
		})
	}
}

func TestTaggedUnionReadWrite(t *testing.T) {
	for _, abi := range abis {
		m := memFor(abi, 0x100)
		p := guestptr.New[Subscription](m, 0x40)
		var clock Subscription
		clock.Tag, clock.Clock.ID, clock.Clock.Timeout = 0, 3, 1e9
		if err := p.Write(clock); err != nil {
			t.Fatal(err)
		}
		if got, err := p.Read(); err != nil || !cmp.Equal(clock, got) {
			t.Errorf("%s: Read = %+v, %v; want %+v", abi, got, err, clock)
		}
		// Case 1 overlaps case 0's bytes; only the active case is read, and
		// the others come back zero although their bytes are not.
		var fdRead Subscription
		fdRead.Tag, fdRead.FdRead.Fd, fdRead.FdRead.Kind = 1, 5, 3
		if err := p.Write(fdRead); err != nil {
			t.Fatal(err)
		}
		if ts := m.Bytes()[0x40+16 : 0x40+24]; cmp.Equal(ts, make([]byte, 8)) {
			t.Fatalf("%s: case 0's timeout bytes were cleared; the test needs them stale", abi)
		}
		got, err := p.Read()
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(fdRead, got); diff != "" {
			t.Errorf("%s: Read of case 1 (-want +got):\n%s", abi, diff)
		}
		var poke Subscription
		poke.Tag, poke.Poke = 4, 0x1f
		if err := p.Write(poke); err != nil {
			t.Fatal(err)
		}
		if got, err := p.Read(); err != nil || !cmp.Equal(poke, got) {
			t.Errorf("%s: Read = %+v, %v; want %+v", abi, got, err, poke)
		}
		// Writing a tag that selects no case fails and writes nothing.
		before := snapshot(m)
		bad := poke
		bad.Tag = 3
		checkError(t, p.Write(bad), guestptr.ErrInvalidTag, "write", "guestptr.Ptr[guestptr_test.Subscription]", 0x40)
		bad.Tag, bad.FdRead.Kind = 1, 8
		e := checkError(t, p.Write(bad), guestptr.ErrInvalidEnum, "write", "guestptr.Ptr[guestptr_test.Subscription]", 0x40)
		if e.Field.String() != "FdRead.Kind" {
			t.Errorf("Field = %q, want FdRead.Kind", e.Field.String())
		}
		unchanged(t, m, before)
	}
}

func TestNestedPointers(t *testing.T) {
	for _, abi := range abis {
		t.Run(abi.String(), func(t *testing.T) {
			m := memFor(abi, 0x1000)
			copy(m.Bytes()[0x800:], "héllo")
			data := guestptr.NewSlice[uint32](m, 0x900, 3)
			if err := data.CopyFromSlice([]uint32{10, 20, 30}); err != nil {
				t.Fatal(err)
			}
			// Next points outside memory: reading the node does not follow it.
			head := Node{
				Name:  guestptr.NewString(m, 0x800, 6),
				Data:  data,
				Next:  guestptr.New[Node](m, 0x10_0000),
				Value: -7,
			}
			p := guestptr.New[Node](m, 0x100)
			if err := p.Write(head); err != nil {
				t.Fatal(err)
			}
			got, err := p.Read()
			if err != nil {
				t.Fatal(err)
			}
			// cmp compares the Ptr, Slice and String fields with their Equal
			// methods: same memory, same address and length.
			if diff := cmp.Diff(head, got); diff != "" {
				t.Errorf("Read (-want +got):\n%s", diff)
			}
			if got.Name.Memory() != m || got.Data.Memory() != m || got.Next.Memory() != m {
				t.Error("pointer fields are not bound to the memory they were read from")
			}
			if s, err := got.Name.Read(); err != nil || s != "héllo" {
				t.Errorf("Name.Read() = %q, %v", s, err)
			}
			if vs, err := got.Data.ToSlice(); err != nil || !cmp.Equal(vs, []uint32{10, 20, 30}) {
				t.Errorf("Data.ToSlice() = %v, %v", vs, err)
			}
			_, err = got.Next.Read()
			checkError(t, err, guestptr.ErrOutOfBounds, "read", "guestptr.Ptr[guestptr_test.Node]", 0x10_0000)

			// A list of two nodes, followed one at a time.
			second := Node{Name: guestptr.NewString(m, 0x801, 0), Value: 2}
			if err := guestptr.New[Node](m, 0x200).Write(second); err != nil {
				t.Fatal(err)
			}
			head.Next = guestptr.New[Node](m, 0x200)
			if err := p.Write(head); err != nil {
				t.Fatal(err)
			}
			n1, err := p.Read()
			if err != nil {
				t.Fatal(err)
			}
			n2, err := n1.Next.Read()
			if err != nil || n2.Value != 2 || !n2.Next.IsNull() || n2.Data.Len() != 0 {
				t.Errorf("second node = %+v, %v", n2, err)
			}
		})
	}
}

func TestPointerFieldRange(t *testing.T) {
	m := mem32(0x100)
	before := snapshot(m)
	err := guestptr.New[Iovec](m, 0x10).Write(Iovec{Buf: guestptr.New[byte](m, 1<<32)})
	e := checkError(t, err, guestptr.ErrValueRange, "write", "guestptr.Ptr[guestptr_test.Iovec]", 0x10)
	if e.Field.String() != "Buf" || e.Len != 8 {
		t.Errorf("Field %q, Len %d; want Buf, 8", e.Field, e.Len)
	}
	err = guestptr.New[Iovec](m, 0x10).Write(Iovec{BufLen: -1})
	if e := asError(t, err, guestptr.ErrValueRange); e.Field.String() != "BufLen" {
		t.Errorf("Field %q, want BufLen", e.Field.String())
	}
	err = guestptr.New[Narrow](m, 0x10).Write(Narrow{N: 300})
	if e := asError(t, err, guestptr.ErrValueRange); e.Field.String() != "N" {
		t.Errorf("Field %q, want N", e.Field.String())
	}
	unchanged(t, m, before)
	// On wasm64 the same address fits.
	m64 := memory.NewWasm64(0x100)
	if err := guestptr.New[Iovec](m64, 0x10).Write(Iovec{Buf: guestptr.New[byte](m64, 1<<32), BufLen: 1<<32 - 1}); err != nil {
		t.Errorf("wasm64 Write: %v", err)
	}
}

// Deep is a record that is not copied whole (it has a pointer), holding
// records that are: errors must still name the field inside them.
type Deep struct {
	P    guestptr.Ptr[byte]
	Head Fdstat
	Arr  [2]Fdstat
	Sub  Subscription
}

func TestNestedErrorPaths(t *testing.T) {
	for _, abi := range abis {
		ptrW := abi.PointerSize()
		head := max(ptrW, 8) // Head follows P, aligned to 8
		tests := []struct {
			field string
			off   uint64 // of the bad byte, from the start of Deep
			val   byte
			err   error
		}{
			{"Head.FsFlags", head + 2, 0x20, guestptr.ErrInvalidFlags},
			{"Head.FsFiletype", head, 8, guestptr.ErrInvalidEnum},
			{"Arr[1].FsRightsBase", head + 24 + 24 + 8 + 3, 0x40, guestptr.ErrInvalidFlags},
			{"Sub.Tag", head + 72, 2, guestptr.ErrInvalidTag},
		}
		for _, tt := range tests {
			m := memFor(abi, 0x400)
			put(m, 0x100+tt.off, uint64(tt.val), 1)
			_, err := guestptr.New[Deep](m, 0x100).Read()
			e := asError(t, err, tt.err)
			var fe *marshal.FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("%s: %v does not wrap a *marshal.FieldError", abi, err)
			}
			if e.Field.String() != tt.field || fe.Path.String() != tt.field {
				t.Errorf("%s: Field %q, FieldError.Path %q; want %q", abi, e.Field, fe.Path.String(), tt.field)
			}
			// The offset names the field, which starts at or before the bad byte.
			if fe.Offset > tt.off || tt.off-fe.Offset >= 8 {
				t.Errorf("%s: %s: FieldError.Offset = %d, bad byte at %d", abi, tt.field, fe.Offset, tt.off)
			}
		}
		// A bad value in the active case of a nested tagged union.
		m := memFor(abi, 0x400)
		put(m, 0x100+head+72, 1, 1)    // Sub.Tag = 1 (FdRead)
		put(m, 0x100+head+72+12, 8, 1) // Sub.FdRead.Kind = 8
		_, err := guestptr.New[Deep](m, 0x100).Read()
		var fe *marshal.FieldError
		if !errors.As(err, &fe) || fe.Path.String() != "Sub.FdRead.Kind" || fe.Offset != head+72+12 {
			t.Errorf("%s: err = %v (%+v), want Sub.FdRead.Kind at %d", abi, err, fe, head+72+12)
		}
	}
}
