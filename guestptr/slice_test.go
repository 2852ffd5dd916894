package guestptr_test

import (
	"errors"
	"runtime"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/guestkit/guestkit/guestptr"
	"github.com/guestkit/guestkit/memory"
)

func TestSliceBasics(t *testing.T) {
	m := mem32(0x100)
	s := guestptr.NewSlice[uint32](m, 0x10, 4)
	if s.Addr() != 0x10 || s.Len() != 4 || s.Memory() != m {
		t.Errorf("NewSlice: Addr %#x, Len %d, Memory %v", s.Addr(), s.Len(), s.Memory())
	}
	if !s.Ptr().Equal(guestptr.New[uint32](m, 0x10)) {
		t.Errorf("Ptr() = %v", s.Ptr())
	}
	if got, want := s.String(), "guestptr.Slice[uint32](0x10, 4)"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if got, want := guestptr.NewSlice[Fdstat](nil, 0x1000, 2).String(), "guestptr.Slice[guestptr_test.Fdstat](0x1000, 2)"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	for _, tt := range []struct {
		o     guestptr.Slice[uint32]
		equal bool
	}{
		{guestptr.NewSlice[uint32](m, 0x10, 4), true},
		{guestptr.NewSlice[uint32](m, 0x10, 3), false},
		{guestptr.NewSlice[uint32](m, 0x14, 4), false},
		{guestptr.NewSlice[uint32](mem32(0x100), 0x10, 4), false},
	} {
		if s.Equal(tt.o) != tt.equal || cmp.Equal(s, tt.o) != tt.equal {
			t.Errorf("Equal(%v) = %v, cmp.Equal = %v; want %v", tt.o, s.Equal(tt.o), cmp.Equal(s, tt.o), tt.equal)
		}
	}
}

func TestSliceGetRange(t *testing.T) {
	m := mem32(0x100)
	s := guestptr.NewSlice[uint32](m, 0x10, 4)
	for i := range uint64(4) {
		p, ok := s.Get(i)
		if !ok || !p.Equal(guestptr.New[uint32](m, 0x10+4*i)) {
			t.Errorf("Get(%d) = %v, %v", i, p, ok)
		}
	}
	if _, ok := s.Get(4); ok {
		t.Error("Get(Len) succeeded")
	}
	tests := []struct {
		i, j uint64
		ok   bool
		want guestptr.Slice[uint32]
	}{
		{0, 4, true, s},
		{1, 3, true, guestptr.NewSlice[uint32](m, 0x14, 2)},
		{4, 4, true, guestptr.NewSlice[uint32](m, 0x20, 0)},
		{2, 2, true, guestptr.NewSlice[uint32](m, 0x18, 0)},
		{3, 2, false, guestptr.Slice[uint32]{}},
		{0, 5, false, guestptr.Slice[uint32]{}},
		{5, 5, false, guestptr.Slice[uint32]{}},
	}
	for _, tt := range tests {
		got, ok := s.Range(tt.i, tt.j)
		if ok != tt.ok || !got.Equal(tt.want) {
			t.Errorf("Range(%d, %d) = %v, %v; want %v, %v", tt.i, tt.j, got, ok, tt.want, tt.ok)
		}
	}

	// Elements whose address does not fit the address space.
	high := guestptr.NewSlice[uint64](m, 1<<32-16, 4)
	if p, ok := high.Get(1); !ok || p.Addr() != 1<<32-8 {
		t.Errorf("Get(1) = %v, %v; want 0xfffffff8", p, ok)
	}
	if _, ok := high.Get(2); ok {
		t.Error("Get(2) at 2^32 on wasm32 succeeded")
	}
	if _, ok := high.Range(2, 4); ok {
		t.Error("Range(2, 4) starting at 2^32 on wasm32 succeeded")
	}
	if _, ok := guestptr.NewSlice[uint32](nil, 0, 4).Get(0); ok {
		t.Error("Get on a slice without memory succeeded")
	}
	m64 := memory.NewWasm64(16)
	if p, ok := guestptr.NewSlice[uint64](m64, 1<<32-16, 4).Get(3); !ok || p.Addr() != 1<<32+8 {
		t.Errorf("wasm64 Get(3) = %v, %v; want 0x100000008", p, ok)
	}
	if _, ok := guestptr.NewSlice[uint64](m64, 1<<64-16, 4).Get(2); ok {
		t.Error("wasm64 Get(2) at 2^64 succeeded")
	}
}

func TestSliceAll(t *testing.T) {
	m := mem32(0x100)
	var addrs []uint64
	for p, err := range guestptr.NewSlice[uint16](m, 0x20, 3).All() {
		if err != nil {
			t.Fatal(err)
		}
		if p.Memory() != m {
			t.Error("All yields a pointer into another memory")
		}
		addrs = append(addrs, p.Addr())
	}
	if diff := cmp.Diff([]uint64{0x20, 0x22, 0x24}, addrs); diff != "" {
		t.Errorf("All (-want +got):\n%s", diff)
	}

	// A Slice[uint64] of 4 elements whose third starts past the end of
	// the memory (0x100 bytes): the iteration stops there.
	type item struct {
		Addr uint64
		Err  bool
	}
	var got []item
	for p, err := range guestptr.NewSlice[uint64](m, 0xf8, 4).All() {
		if err != nil {
			checkError(t, err, guestptr.ErrOutOfBounds, "index", "guestptr.Slice[uint64]", 0xf8)
		}
		got = append(got, item{p.Addr(), err != nil})
	}
	want := []item{{0xf8, false}, {0x100, false}, {0, true}} // and no more
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("All (-want +got):\n%s", diff)
	}
	// On wasm64, a guest length of 2^64-1 ends soon after the memory does
	// (issue: it used to yield pointers until the address space ran out).
	m64 := memory.NewWasm64(0x100)
	yields := 0
	for _, err := range guestptr.NewSlice[byte](m64, 0, 1<<64-1).All() {
		yields++
		if err != nil {
			checkError(t, err, guestptr.ErrOutOfBounds, "index", "guestptr.Slice[uint8]", 0)
		}
	}
	if yields != 0x102 {
		t.Errorf("All over a length of 2^64-1 in 256 bytes yielded %d times, want 0x102", yields)
	}
	// Stopping early stops the iteration.
	n := 0
	for range guestptr.NewSlice[uint64](m, 0xfffffff0, 4).All() {
		n++
		break
	}
	if n != 1 {
		t.Errorf("All yielded %d times after a break", n)
	}
	n = 0
	for _, err := range guestptr.NewSlice[uint64](m, 0xfffffff0, 4).All() {
		n++
		if err != nil {
			break
		}
	}
	if n != 1 {
		t.Errorf("All yielded %d times; the loop stopped at the first error, the first", n)
	}
	// No memory: one error, then nothing.
	n = 0
	for _, err := range guestptr.NewSlice[uint32](nil, 8, 2).All() {
		checkError(t, err, guestptr.ErrNoMemory, "index", "guestptr.Slice[uint32]", 8)
		n++
	}
	if n != 1 {
		t.Errorf("All yielded %d errors, want 1", n)
	}
	// A wasm64 slice at the top of the address space starts past the end
	// of the memory.
	m64 = memory.NewWasm64(0x100)
	n = 0
	for _, err := range guestptr.NewSlice[uint64](m64, 1<<64-24, 1<<64-1).All() {
		n++
		if !errors.Is(err, guestptr.ErrOutOfBounds) {
			t.Errorf("element %d: %v, want ErrOutOfBounds", n, err)
		}
	}
	if n != 1 {
		t.Errorf("All of a huge wasm64 slice yielded %d times, want one error", n)
	}
}

func TestToSliceCopyFromSlice(t *testing.T) {
	for _, abi := range abis {
		m := memFor(abi, 0x200)
		s := guestptr.NewSlice[Fdstat](m, 0x40, 3)
		in := []Fdstat{{FsFiletype: 1}, {FsFlags: 2}, {FsRightsBase: 3, FsRightsInheriting: 4}}
		if err := s.CopyFromSlice(in); err != nil {
			t.Fatal(err)
		}
		out, err := s.ToSlice()
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(in, out); diff != "" {
			t.Errorf("%s: ToSlice (-want +got):\n%s", abi, diff)
		}
		// Element by element, through Get, the same values.
		for i := range uint64(3) {
			p, _ := s.Get(i)
			if v, err := p.Read(); err != nil || v != in[i] {
				t.Errorf("%s: element %d = %+v, %v", abi, i, v, err)
			}
		}

		before := snapshot(m)
		err = s.CopyFromSlice(in[:2])
		e := checkError(t, err, guestptr.ErrLengthMismatch, "write", "guestptr.Slice[guestptr_test.Fdstat]", 0x40)
		if got, want := err.Error(), "write guestptr.Slice[guestptr_test.Fdstat] at 0x40: length mismatch: 2 elements into 3"; got != want {
			t.Errorf("Error() = %q, want %q (%+v)", got, want, e)
		}
		// An invalid last element: nothing is written, not even the first.
		bad := []Fdstat{{FsFiletype: 7}, {FsFiletype: 7}, {FsFlags: 0x20}}
		e = checkError(t, s.CopyFromSlice(bad), guestptr.ErrInvalidFlags, "write", "guestptr.Slice[guestptr_test.Fdstat]", 0x40)
		if e.Field.String() != "[2].FsFlags" {
			t.Errorf("Field = %q, want [2].FsFlags", e.Field.String())
		}
		// Out of bounds by one element.
		checkError(t, guestptr.NewSlice[Fdstat](m, 0x200-48, 3).CopyFromSlice(in), guestptr.ErrOutOfBounds, "write", "guestptr.Slice[guestptr_test.Fdstat]", 0x200-48)
		unchanged(t, m, before)

		// Empty is fine, anywhere inside memory.
		empty := guestptr.NewSlice[Fdstat](m, 0x200, 0)
		if err := empty.CopyFromSlice(nil); err != nil {
			t.Errorf("%s: empty CopyFromSlice: %v", abi, err)
		}
		if vs, err := empty.ToSlice(); err != nil || len(vs) != 0 {
			t.Errorf("%s: empty ToSlice = %v, %v", abi, vs, err)
		}
	}
}

func TestToSliceErrors(t *testing.T) {
	m := mem32(0x100)
	tests := []struct {
		name     string
		s        guestptr.Slice[uint32]
		sentinel error
	}{
		{"one byte out", guestptr.NewSlice[uint32](m, 0xf0, 5), guestptr.ErrOutOfBounds},
		{"length times size overflows", guestptr.NewSlice[uint32](m, 0, 1<<62), guestptr.ErrOverflow},
		{"wraps 2^32", guestptr.NewSlice[uint32](m, 0xfffffff0, 8), guestptr.ErrOverflow},
		{"huge length", guestptr.NewSlice[uint32](m, 0, 1<<28), guestptr.ErrOutOfBounds},
		{"length past the address space", guestptr.NewSlice[uint32](m, 0, 1<<30+1), guestptr.ErrOverflow},
		{"misaligned", guestptr.NewSlice[uint32](m, 2, 1), guestptr.ErrMisaligned},
		{"no memory", guestptr.NewSlice[uint32](nil, 0, 1), guestptr.ErrNoMemory},
	}
	for _, tt := range tests {
		_, err := tt.s.ToSlice()
		checkError(t, err, tt.sentinel, "read", "guestptr.Slice[uint32]", tt.s.Addr())
	}
	m64 := memory.NewWasm64(0x100)
	_, err := guestptr.NewSlice[byte](m64, 1<<64-0x10, 0x20).ToSlice()
	checkError(t, err, guestptr.ErrOverflow, "read", "guestptr.Slice[uint8]", 1<<64-0x10)
	if got, want := err.Error(), "read guestptr.Slice[uint8] at 0xfffffffffffffff0: address overflow: 32 bytes at 0xfffffffffffffff0 pass the end of the wasm64 address space"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	// Zero-size elements count a byte each, so a guest length cannot make
	// the host allocate more elements than the memory has bytes.
	_, err = guestptr.NewSlice[struct{}](m, 0, 0x101).ToSlice()
	checkError(t, err, guestptr.ErrOutOfBounds, "read", "guestptr.Slice[struct {}]", 0)
	if vs, err := guestptr.NewSlice[struct{}](m, 0, 0x100).ToSlice(); err != nil || len(vs) != 0x100 {
		t.Errorf("ToSlice of 256 empty structs = %d elements, %v", len(vs), err)
	}
}

func TestCopyToSlice(t *testing.T) {
	m := mem32(0x200)
	s := guestptr.NewSlice[Fdstat](m, 0x40, 3)
	in := []Fdstat{{FsFiletype: 1}, {FsFlags: 2}, {FsRightsBase: 3}}
	if err := s.CopyFromSlice(in); err != nil {
		t.Fatal(err)
	}
	dst := make([]Fdstat, 3)
	if err := s.CopyToSlice(dst); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(in, dst); diff != "" {
		t.Errorf("CopyToSlice (-want +got):\n%s", diff)
	}
	err := s.CopyToSlice(make([]Fdstat, 4))
	checkError(t, err, guestptr.ErrLengthMismatch, "read", "guestptr.Slice[guestptr_test.Fdstat]", 0x40)
	if got, want := err.Error(), "read guestptr.Slice[guestptr_test.Fdstat] at 0x40: length mismatch: 3 elements into 4"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	put(m, 0x40+24, 9, 1) // element 1's filetype
	e := checkError(t, s.CopyToSlice(dst), guestptr.ErrInvalidEnum, "read", "guestptr.Slice[guestptr_test.Fdstat]", 0x40)
	if e.Field.String() != "[1].FsFiletype" {
		t.Errorf("Field = %q, want [1].FsFiletype", e.Field.String())
	}
	mv, err := guestptr.NewSlice[byte](m, 0x40+3*24-1, 1).AsSliceMut()
	if err != nil {
		t.Fatal(err)
	}
	checkError(t, s.CopyToSlice(dst), guestptr.ErrBorrowed, "read", "guestptr.Slice[guestptr_test.Fdstat]", 0x40)
	if err := mv.Release(); err != nil {
		t.Fatal(err)
	}
	checkError(t, guestptr.NewSlice[Fdstat](m, 0x200-48, 3).CopyToSlice(dst), guestptr.ErrOutOfBounds, "read", "guestptr.Slice[guestptr_test.Fdstat]", 0x200-48)
	if err := guestptr.NewSlice[Fdstat](m, 0x200, 0).CopyToSlice(nil); err != nil {
		t.Errorf("empty CopyToSlice: %v", err)
	}
}

// padded is one guest byte behind 4 KiB of Go-only bytes: a guest list of
// them filling memory would cost 4096 times the memory to copy out.
type padded struct {
	A   uint8
	Pad [4096]byte `guest:"-"`
}

func TestToSliceTooLarge(t *testing.T) {
	m := mem32(1 << 16)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := guestptr.NewSlice[padded](m, 0, 1<<16).ToSlice()
	runtime.ReadMemStats(&after)
	checkError(t, err, guestptr.ErrTooLarge, "read", "guestptr.Slice[guestptr_test.padded]", 0)
	if grown := after.TotalAlloc - before.TotalAlloc; grown > 1<<20 {
		t.Errorf("a refused ToSlice allocated %d bytes", grown)
	}
	// 16 elements fit (16 x 4097 Go bytes in 64 KiB), and CopyToSlice
	// copies any number into the caller's buffer.
	if got, err := guestptr.NewSlice[padded](m, 0, 15).ToSlice(); err != nil || len(got) != 15 {
		t.Errorf("ToSlice of 15: %d elements, %v", len(got), err)
	}
	buf := make([]padded, 100)
	if err := guestptr.NewSlice[padded](m, 0, 100).CopyToSlice(buf); err != nil {
		t.Errorf("CopyToSlice of 100: %v", err)
	}
}
