package guestptr_test

import (
	"errors"
	"math"
	"reflect"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/guestkit/guestkit/guestptr"
	"github.com/guestkit/guestkit/layout"
	"github.com/guestkit/guestkit/memory"
)

func TestPtrBasics(t *testing.T) {
	m := mem32(64)
	p := guestptr.New[Fdstat](m, 0x1000)
	if p.Addr() != 0x1000 || p.Memory() != m || p.IsNull() {
		t.Errorf("New: Addr %#x, Memory %v, IsNull %v", p.Addr(), p.Memory(), p.IsNull())
	}
	if !guestptr.New[Fdstat](m, 0).IsNull() {
		t.Error("a pointer to 0 is not null")
	}
	// Making a pointer checks nothing: 0x1000 is far outside the 64 bytes.
	if got, want := p.String(), "guestptr.Ptr[guestptr_test.Fdstat](0x1000)"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if got, want := guestptr.New[uint8](nil, 0xff).String(), "guestptr.Ptr[uint8](0xff)"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if got, want := guestptr.New[guestptr.Ptr[guestptr.String]](m, 16).String(), "guestptr.Ptr[guestptr.Ptr[guestptr.String]](0x10)"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}

	// Cast keeps the memory and address.
	c := guestptr.Cast[[24]byte](p)
	if c.Addr() != 0x1000 || c.Memory() != m {
		t.Errorf("Cast: %v in %v", c, c.Memory())
	}
	if !guestptr.Cast[Fdstat](c).Equal(p) {
		t.Error("casting back does not give the same pointer")
	}

	// AsArray is the Slice of n elements at p.
	s := p.AsArray(3)
	if !s.Equal(guestptr.NewSlice[Fdstat](m, 0x1000, 3)) || s.Len() != 3 {
		t.Errorf("AsArray(3) = %v", s)
	}
}

func TestPtrEqual(t *testing.T) {
	m1, m2 := mem32(16), mem32(16)
	tests := []struct {
		name  string
		a, b  guestptr.Ptr[uint32]
		equal bool
	}{
		{"same", guestptr.New[uint32](m1, 8), guestptr.New[uint32](m1, 8), true},
		{"other address", guestptr.New[uint32](m1, 8), guestptr.New[uint32](m1, 12), false},
		{"other memory", guestptr.New[uint32](m1, 8), guestptr.New[uint32](m2, 8), false},
		{"no memory", guestptr.New[uint32](nil, 8), guestptr.New[uint32](m1, 8), false},
		{"zero values", guestptr.Ptr[uint32]{}, guestptr.New[uint32](nil, 0), true},
	}
	for _, tt := range tests {
		if got := tt.a.Equal(tt.b); got != tt.equal {
			t.Errorf("%s: Equal = %v, want %v", tt.name, got, tt.equal)
		}
		// go-cmp uses the Equal method.
		if got := cmp.Equal(tt.a, tt.b); got != tt.equal {
			t.Errorf("%s: cmp.Equal = %v, want %v", tt.name, got, tt.equal)
		}
	}
	if diff := cmp.Diff([]guestptr.Ptr[uint32]{guestptr.New[uint32](m1, 4)}, []guestptr.Ptr[uint32]{guestptr.New[uint32](m1, 8)}); diff == "" {
		t.Error("cmp.Diff finds no difference between pointers to 4 and 8")
	}
}

func TestPtrAdd(t *testing.T) {
	m32, m64 := memory.New(16), memory.NewWasm64(16)
	tests := []struct {
		name string
		mem  *memory.Memory
		addr uint64
		n    uint64
		want uint64 // the new address, or 0 with overflow
		over bool
	}{
		{"forward", m32, 8, 3, 8 + 3*8, false},
		{"zero", m32, 8, 0, 8, false},
		{"last wasm32 address", m32, 1<<32 - 16, 1, 1<<32 - 8, false},
		{"reaches 2^32", m32, 1<<32 - 16, 2, 0, true},
		{"past 2^32", m32, 0, 1 << 29, 0, true},
		{"start past 2^32", m32, 1 << 32, 0, 0, true},
		{"wasm64 beyond 2^32", m64, 1<<32 - 16, 2, 1 << 32, false},
		{"last wasm64 address", m64, 1<<64 - 16, 1, 1<<64 - 8, false},
		{"wraps 2^64", m64, 1<<64 - 16, 2, 0, true},
		{"count times size overflows", m64, 0, 1 << 61, 0, true},
		{"huge count", m64, 8, math.MaxUint64, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := guestptr.New[uint64](tt.mem, tt.addr)
			q, err := p.Add(tt.n)
			if tt.over {
				checkError(t, err, guestptr.ErrOverflow, "add", "guestptr.Ptr[uint64]", tt.addr)
				if !q.Equal(p) {
					t.Errorf("a failed Add returned %v, want p unchanged", q)
				}
				return
			}
			if err != nil {
				t.Fatalf("Add(%d): %v", tt.n, err)
			}
			if !q.Equal(guestptr.New[uint64](tt.mem, tt.want)) {
				t.Errorf("Add(%d) = %v, want address %#x in the same memory", tt.n, q, tt.want)
			}
		})
	}
	_, err := guestptr.New[uint32](m32, 1<<32-8).Add(2)
	if got, want := err.Error(), "add guestptr.Ptr[uint32] at 0xfffffff8: address overflow: 2 elements of 4 bytes past 0xfffffff8"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	// Add needs the element size, which depends on the memory's ABI.
	_, err = guestptr.New[uint32](nil, 8).Add(1)
	checkError(t, err, guestptr.ErrNoMemory, "add", "guestptr.Ptr[uint32]", 8)
	q, err := guestptr.New[Node](m64, 0).Add(2)
	if err != nil || q.Addr() != 96 {
		t.Errorf("Ptr[Node] on wasm64: Add(2) = %v, %v; want address 96", q, err)
	}
	q, err = guestptr.New[Node](m32, 0).Add(2)
	if err != nil || q.Addr() != 48 {
		t.Errorf("Ptr[Node] on wasm32: Add(2) = %v, %v; want address 48", q, err)
	}
}

func TestReadWriteScalars(t *testing.T) {
	for _, abi := range abis {
		t.Run(abi.String(), func(t *testing.T) {
			m := memFor(abi, 64)
			if err := guestptr.New[uint32](m, 4).Write(0xdeadbeef); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]byte{0xef, 0xbe, 0xad, 0xde}, m.Bytes()[4:8]); diff != "" {
				t.Errorf("bytes (-want +got):\n%s", diff)
			}
			if v, err := guestptr.New[uint32](m, 4).Read(); err != nil || v != 0xdeadbeef {
				t.Errorf("Read = %#x, %v", v, err)
			}
			if v, err := guestptr.New[int16](m, 6).Read(); err != nil || v != -8531 {
				t.Errorf("Read int16 = %d, %v; want -8531 (0xdead)", v, err)
			}
			if err := guestptr.New[float64](m, 8).Write(-1.5); err != nil {
				t.Fatal(err)
			}
			if v, err := guestptr.New[float64](m, 8).Read(); err != nil || v != -1.5 {
				t.Errorf("Read float64 = %v, %v", v, err)
			}
			if err := guestptr.New[bool](m, 16).Write(true); err != nil || m.Bytes()[16] != 1 {
				t.Errorf("Write(true): %v, byte %d", err, m.Bytes()[16])
			}
			m.Bytes()[17] = 2
			_, err := guestptr.New[bool](m, 17).Read()
			if e := checkError(t, err, guestptr.ErrInvalidBool, "read", "guestptr.Ptr[bool]", 17); e.Len != 1 {
				t.Errorf("Len = %d, want 1", e.Len)
			}
			// The last bytes of memory are readable; one more is not.
			if _, err := guestptr.New[uint64](m, 56).Read(); err != nil {
				t.Errorf("reading the last 8 bytes: %v", err)
			}
			if _, err := guestptr.New[[8]byte](m, 57).Read(); err == nil {
				t.Error("reading one byte past the end succeeded")
			}
			if _, err := guestptr.New[struct{}](m, 64).Read(); err != nil {
				t.Errorf("reading a zero-size value at the end: %v", err)
			}
		})
	}
}

func TestBoundsAndAlignment(t *testing.T) {
	const size = 0x10000
	tests := []struct {
		name     string
		abi      layout.ABI
		call     func(m *memory.Memory) error
		sentinel error
		op, typ  string
		addr     uint64
		msg      string
	}{
		{"one byte out", layout.Wasm32, func(m *memory.Memory) error { _, err := guestptr.New[[4]byte](m, size-3).Read(); return err },
			guestptr.ErrOutOfBounds, "read", "guestptr.Ptr[[4]uint8]", size - 3,
			"read guestptr.Ptr[[4]uint8] at 0xfffd: out of bounds: [0xfffd, 0x10001) is past the end of memory (0x10000 bytes)"},
		{"at the end", layout.Wasm64, func(m *memory.Memory) error { return guestptr.New[uint8](m, size).Write(1) },
			guestptr.ErrOutOfBounds, "write", "guestptr.Ptr[uint8]", size, ""},
		{"wraps 2^32", layout.Wasm32, func(m *memory.Memory) error { _, err := guestptr.New[[16]byte](m, 1<<32-8).Read(); return err },
			guestptr.ErrOverflow, "read", "guestptr.Ptr[[16]uint8]", 1<<32 - 8,
			"read guestptr.Ptr[[16]uint8] at 0xfffffff8: address overflow: 16 bytes at 0xfffffff8 pass the end of the wasm32 address space"},
		{"address past 2^32", layout.Wasm32, func(m *memory.Memory) error { return guestptr.New[uint8](m, 1<<32).Write(1) },
			guestptr.ErrOverflow, "write", "guestptr.Ptr[uint8]", 1 << 32, ""},
		{"ends at 2^32", layout.Wasm32, func(m *memory.Memory) error { _, err := guestptr.New[[8]byte](m, 1<<32-8).Read(); return err },
			guestptr.ErrOutOfBounds, "read", "guestptr.Ptr[[8]uint8]", 1<<32 - 8, ""},
		{"beyond 2^32 on wasm64", layout.Wasm64, func(m *memory.Memory) error { _, err := guestptr.New[[16]byte](m, 1<<32-8).Read(); return err },
			guestptr.ErrOutOfBounds, "read", "guestptr.Ptr[[16]uint8]", 1<<32 - 8, ""},
		{"wraps 2^64", layout.Wasm64, func(m *memory.Memory) error { return guestptr.New[[16]byte](m, 1<<64-8).Write([16]byte{}) },
			guestptr.ErrOverflow, "write", "guestptr.Ptr[[16]uint8]", 1<<64 - 8,
			"write guestptr.Ptr[[16]uint8] at 0xfffffffffffffff8: address overflow: 16 bytes at 0xfffffffffffffff8 pass the end of the wasm64 address space"},
		{"misaligned u32", layout.Wasm32, func(m *memory.Memory) error { _, err := guestptr.New[uint32](m, 0x102).Read(); return err },
			guestptr.ErrMisaligned, "read", "guestptr.Ptr[uint32]", 0x102,
			"read guestptr.Ptr[uint32] at 0x102: misaligned: address 0x102 is not a multiple of 4"},
		{"misaligned record", layout.Wasm64, func(m *memory.Memory) error { return guestptr.New[Fdstat](m, 0x104).Write(Fdstat{}) },
			guestptr.ErrMisaligned, "write", "guestptr.Ptr[guestptr_test.Fdstat]", 0x104, ""},
		{"wasm64 pointer alignment", layout.Wasm64, func(m *memory.Memory) error { _, err := guestptr.New[guestptr.Ptr[byte]](m, 4).Read(); return err },
			guestptr.ErrMisaligned, "read", "guestptr.Ptr[guestptr.Ptr[uint8]]", 4, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := memFor(tt.abi, size)
			for i := range m.Bytes() {
				m.Bytes()[i] = byte(i)
			}
			before := snapshot(m)
			err := tt.call(m)
			checkError(t, err, tt.sentinel, tt.op, tt.typ, tt.addr)
			if tt.msg != "" && err.Error() != tt.msg {
				t.Errorf("Error() = %q, want %q", err.Error(), tt.msg)
			}
			unchanged(t, m, before)
		})
	}
	// A wasm32 pointer field needs only 4-byte alignment.
	if _, err := guestptr.New[guestptr.Ptr[byte]](mem32(16), 4).Read(); err != nil {
		t.Errorf("wasm32 Ptr[Ptr[byte]] at 4: %v", err)
	}
}

func TestNoMemory(t *testing.T) {
	var p guestptr.Ptr[uint32]
	_, err := p.Read()
	checkError(t, err, guestptr.ErrNoMemory, "read", "guestptr.Ptr[uint32]", 0)
	err = guestptr.New[uint32](nil, 8).Write(1)
	checkError(t, err, guestptr.ErrNoMemory, "write", "guestptr.Ptr[uint32]", 8)
	if got, want := err.Error(), "write guestptr.Ptr[uint32] at 0x8: pointer has no memory"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestNoLayout(t *testing.T) {
	m := mem32(64)
	_, err := guestptr.New[string](m, 0).Read()
	var e *guestptr.Error
	if !errors.As(err, &e) || e.Op != "read" || e.TypeName() != "guestptr.Ptr[string]" {
		t.Errorf("err = %#v, want a *guestptr.Error for read of guestptr.Ptr[string]", err)
	}
	var le *layout.Error
	if !errors.As(err, &le) || le.Type != reflect.TypeFor[string]() {
		t.Errorf("err = %v, want it to wrap a *layout.Error for string", err)
	}
}
