package guestptr_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/guestkit/guestkit/guestptr"
	"github.com/guestkit/guestkit/layout"
	"github.com/guestkit/guestkit/memory"
)

// WASI-like guest types shared by the tests.
type (
	Filetype uint8  // enum, 8 cases
	Fdflags  uint16 // flags, 5 bits
	Rights   uint64 // flags, 30 bits
)

func (Filetype) GuestEnumCases() uint64 { return 8 }
func (Fdflags) GuestFlagsMask() uint64  { return 0x1f }
func (Rights) GuestFlagsMask() uint64   { return 1<<30 - 1 }

// Fdstat is WASI's fdstat: 24 bytes, align 8, with holes at 1 and 4..7.
type Fdstat struct {
	FsFiletype         Filetype
	FsFlags            Fdflags
	FsRightsBase       Rights
	FsRightsInheriting Rights
}

// Iovec is a guest buffer: a pointer and a u32 length in a Go int.
type Iovec struct {
	Buf    guestptr.Ptr[byte]
	BufLen int `guest:"u32"`
}

// Subscription is a tagged union with three cases.
type Subscription struct {
	Tag   uint8 `guest:",tag"`
	Clock struct {
		ID      uint32
		Timeout uint64
	} `guest:",case=0"`
	FdRead struct {
		Fd   uint32
		Kind Filetype
	} `guest:",case=1"`
	Poke Fdflags `guest:",case=4"`
}

// Node refers to guest memory through every kind of guest pointer.
type Node struct {
	Name  guestptr.String
	Data  guestptr.Slice[uint32]
	Next  guestptr.Ptr[Node]
	Value int32
}

// Mixed is not transparent: a bool has invalid byte values.
type Mixed struct {
	A uint32
	B bool
}

// Padded is not transparent: three bytes of padding follow A.
type Padded struct {
	A uint8
	B uint32
}

// Pair is transparent: its Go bytes are its guest bytes.
type Pair struct {
	X, Y uint32
}

// Narrow has a Go int that must fit a guest u8.
type Narrow struct {
	N int `guest:"u8"`
}

func mem32(size uint64) *memory.Memory { return memory.New(size) }

// memFor returns a memory of the ABI: memory.New or memory.NewWasm64.
func memFor(abi layout.ABI, size uint64) *memory.Memory {
	if abi == layout.Wasm64 {
		return memory.NewWasm64(size)
	}
	return memory.New(size)
}

var abis = []layout.ABI{layout.Wasm32, layout.Wasm64}

// asError checks that err is a *guestptr.Error matching sentinel, and
// returns it.
func asError(t testing.TB, err, sentinel error) *guestptr.Error {
	t.Helper()
	if err == nil {
		t.Fatalf("err = nil, want %v", sentinel)
	}
	var e *guestptr.Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v (%T), want a *guestptr.Error", err, err)
	}
	if !errors.Is(err, sentinel) {
		t.Fatalf("err = %v, want it to match %v", err, sentinel)
	}
	return e
}

// checkError checks the operation, type and address an error reports.
func checkError(t testing.TB, err, sentinel error, op, typ string, addr uint64) *guestptr.Error {
	t.Helper()
	e := asError(t, err, sentinel)
	if e.Op != op || e.TypeName() != typ || e.Addr != addr {
		t.Errorf("Error{Op: %q, Type: %q, Addr: %#x}, want {%q, %q, %#x} (%v)", e.Op, e.TypeName(), e.Addr, op, typ, addr, err)
	}
	return e
}

// unchanged fails the test if the memory's bytes differ from before.
func unchanged(t testing.TB, m *memory.Memory, before []byte) {
	t.Helper()
	after := m.Bytes()
	if bytes.Equal(before, after) {
		return
	}
	for i := range min(len(before), len(after)) {
		if before[i] != after[i] {
			t.Errorf("memory changed at %#x: %#x became %#x", i, before[i], after[i])
			return
		}
	}
	t.Errorf("memory size changed from %d to %d", len(before), len(after))
}

// snapshot copies the memory's bytes.
func snapshot(m *memory.Memory) []byte { return bytes.Clone(m.Bytes()) }

// put writes a little-endian value of w bytes at addr, bypassing guestptr.
func put(m *memory.Memory, addr, v uint64, w int) {
	b := m.Bytes()
	for k := range w {
		b[addr+uint64(k)] = byte(v >> (8 * k))
	}
}
