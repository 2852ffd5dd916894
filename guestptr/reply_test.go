package guestptr_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"

	"github.com/guestkit/guestkit/guestptr"
	"github.com/guestkit/guestkit/layout"
	"github.com/guestkit/guestkit/memory"
)

// TestWriteString writes into a guest buffer with capacity semantics: as
// much as fits, never splitting a UTF-8 sequence, nothing past the count.
func TestWriteString(t *testing.T) {
	const s = "héllo wörld ✓✓✓" // ✓ is 3 bytes at 14..16
	for _, tc := range []struct {
		capacity uint64
		want     string
	}{
		{0, ""}, {1, "h"}, {2, "h"}, {3, "hé"}, {14, "héllo wörld "}, {15, "héllo wörld "}, {16, "héllo wörld "},
		{17, "héllo wörld ✓"}, {23, s}, {64, s},
	} {
		mem := memory.New(256)
		for i := range mem.Bytes() {
			mem.Bytes()[i] = 0xAA
		}
		buf := guestptr.NewSlice[byte](mem, 0x10, tc.capacity)
		n, err := guestptr.WriteString(buf, s)
		if err != nil || n != len(tc.want) {
			t.Errorf("cap %d: WriteString = %d, %v; want %d", tc.capacity, n, err, len(tc.want))
		}
		if got := string(mem.Bytes()[0x10 : 0x10+n]); got != tc.want {
			t.Errorf("cap %d: wrote %q, want %q", tc.capacity, got, tc.want)
		}
		if n != guestptr.FitUTF8(s, tc.capacity) {
			t.Errorf("cap %d: FitUTF8 = %d, WriteString wrote %d", tc.capacity, guestptr.FitUTF8(s, tc.capacity), n)
		}
		for i := 0x10 + n; i < len(mem.Bytes()); i++ {
			if mem.Bytes()[i] != 0xAA {
				t.Fatalf("cap %d: byte %#x past the count was written", tc.capacity, i)
			}
		}
		// The same through String, whose bytes need not be UTF-8 before.
		str := guestptr.NewString(mem, 0x80, tc.capacity)
		if n2, err := str.WriteString(s); n2 != n || err != nil {
			t.Errorf("cap %d: String.WriteString = %d, %v", tc.capacity, n2, err)
		}
	}
}

func TestWriteErrors(t *testing.T) {
	mem := memory.New(256)
	before := bytes.Clone(mem.Bytes())
	_, err := guestptr.WriteString(guestptr.NewSlice[byte](mem, 250, 16), "0123456789")
	checkError(t, err, guestptr.ErrOutOfBounds, "write", "guestptr.Slice[uint8]", 250)
	if !errors.Is(err, guestptr.ErrBadPointer) {
		t.Errorf("%v does not match ErrBadPointer", err)
	}
	_, err = guestptr.WriteString(guestptr.NewSlice[byte](mem, 0, 16), "ab\xff")
	checkError(t, err, guestptr.ErrInvalidUTF8, "write", "guestptr.Slice[uint8]", 0)
	err = guestptr.NewString(mem, 0, 4).Set("abc")
	checkError(t, err, guestptr.ErrLengthMismatch, "write", "guestptr.String", 0)
	if n, err := guestptr.WriteBytes(guestptr.NewSlice[byte](mem, 0xfffffff0, 32), make([]byte, 32)); n != 0 || !errors.Is(err, guestptr.ErrOverflow) {
		t.Errorf("WriteBytes at 0xfffffff0: %d, %v; want ErrOverflow", n, err)
	}
	if d := cmp.Diff(before, mem.Bytes()); d != "" {
		t.Errorf("failed writes changed memory:\n%s", d)
	}
	v, err := guestptr.NewSlice[byte](mem, 8, 8).AsSliceMut()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := guestptr.WriteString(guestptr.NewSlice[byte](mem, 0, 16), "0123456789"); !errors.Is(err, guestptr.ErrBorrowed) {
		t.Errorf("write under a view: %v", err)
	}
	if err := guestptr.NewSlice[byte](mem, 0, 16).CheckWritable(); !errors.Is(err, guestptr.ErrBorrowed) {
		t.Errorf("CheckWritable under a view: %v", err)
	}
	if err := guestptr.NewSlice[byte](mem, 0, 16).Check(); !errors.Is(err, guestptr.ErrBorrowed) {
		t.Errorf("Check under a mutable view: %v", err)
	}
	must(t, v.Release())
	if err := guestptr.NewString(mem, 0, 4).Set("abcd"); err != nil {
		t.Error(err)
	}
	mem.Bytes()[1] = 0xff
	if err := guestptr.NewString(mem, 0, 4).Check(); !errors.Is(err, guestptr.ErrInvalidUTF8) {
		t.Errorf("String.Check of invalid UTF-8: %v", err)
	}
	if n, err := guestptr.NewSlice[uint32](mem, 0x40, 2).CopyFrom([]uint32{1, 2, 3}); n != 2 || err != nil {
		t.Errorf("CopyFrom = %d, %v; want 2", n, err)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestBadPointerUmbrella: every placement failure matches ErrBadPointer
// and its own sentinel, and only that one; Len is always set.
func TestBadPointerUmbrella(t *testing.T) {
	mem := memory.New(memory.PageSize)
	for _, tc := range []struct {
		name    string
		err     error
		kind    error
		wantLen uint64
	}{
		{"past the end", readErr(guestptr.New[uint32](mem, memory.PageSize).Read()), guestptr.ErrOutOfBounds, 4},
		{"misaligned", guestptr.New[uint32](mem, 2).Write(1), guestptr.ErrMisaligned, 4},
		{"address wraps", readErr(guestptr.NewSlice[uint32](mem, 0xfffffff0, 8).ToSlice()), guestptr.ErrOverflow, 32},
		{"count 0x7fffffff", readErr(guestptr.NewSlice[Fdstat](mem, 0x100, 0x7fffffff).ToSlice()), guestptr.ErrOverflow, 0x7fffffff * 24},
		{"count 2^63", readErr(guestptr.NewSlice[uint64](memory.NewWasm64(64), 8, 1<<63).ToSlice()), guestptr.ErrOverflow, math.MaxUint64},
		{"add", readErr(guestptr.New[uint32](mem, 0xfffffffc).Add(1)), guestptr.ErrOverflow, 4},
		{"index", readErr(guestptr.NewSlice[uint32](mem, 0, 2).At(2)), guestptr.ErrOutOfBounds, 8},
		{"sub", readErr(guestptr.NewSlice[uint32](mem, 0, 2).Sub(1, 3)), guestptr.ErrOutOfBounds, 8},
		{"region", guestptr.CheckRegion(mem, 0x10, 1, 8, 8), nil, 0},
	} {
		if tc.kind == nil {
			if tc.err != nil {
				t.Errorf("%s: %v, want nil", tc.name, tc.err)
			}
			continue
		}
		if !errors.Is(tc.err, guestptr.ErrBadPointer) || !errors.Is(tc.err, tc.kind) {
			t.Errorf("%s: %v does not match ErrBadPointer and %v", tc.name, tc.err, tc.kind)
		}
		for _, other := range []error{guestptr.ErrOutOfBounds, guestptr.ErrOverflow, guestptr.ErrMisaligned} {
			if other != tc.kind && errors.Is(tc.err, other) {
				t.Errorf("%s: %v also matches %v", tc.name, tc.err, other)
			}
		}
		var e *guestptr.Error
		if !errors.As(tc.err, &e) || e.Len != tc.wantLen {
			t.Errorf("%s: Len = %d, want %d (%v)", tc.name, e.Len, tc.wantLen, tc.err)
		}
	}
	if err := guestptr.CheckRegion(mem, 0x11, 1, 8, 8); !errors.Is(err, guestptr.ErrMisaligned) || !errors.Is(err, guestptr.ErrBadPointer) {
		t.Errorf("CheckRegion misaligned: %v", err)
	}
}

func readErr[T any](_ T, err error) error { return err }

// Outer holds a pointer to a record, for Follow and FieldOf.
type Outer struct {
	ID    uint32
	Pairs guestptr.Slice[Pair]
	Inner struct {
		A [3]uint16
		S guestptr.String
	}
}

func TestFieldOfAndFollow(t *testing.T) {
	for _, abi := range abis {
		mem := memFor(abi, 0x1000)
		p := guestptr.New[Outer](mem, 0x100)
		l, err := layout.For[Outer](abi)
		must(t, err)
		for _, tc := range []struct {
			name string
			got  func() (uint64, error)
			path string
		}{
			{"ID", func() (uint64, error) {
				q, err := guestptr.FieldOf(p, func(o *Outer) *uint32 { return &o.ID })
				return q.Addr(), err
			}, "ID"},
			{"Pairs", func() (uint64, error) {
				q, err := guestptr.FieldOf(p, func(o *Outer) *guestptr.Slice[Pair] { return &o.Pairs })
				return q.Addr(), err
			}, "Pairs"},
			{"Inner.A[2]", func() (uint64, error) {
				q, err := guestptr.FieldOf(p, func(o *Outer) *uint16 { return &o.Inner.A[2] })
				return q.Addr(), err
			}, "Inner.A"},
			{"Inner.S", func() (uint64, error) {
				q, err := guestptr.FieldOf(p, func(o *Outer) *guestptr.String { return &o.Inner.S })
				return q.Addr(), err
			}, "Inner.S"},
		} {
			got, err := tc.got()
			want := uint64(0x100) + offsetOf(l, tc.path)
			if tc.name == "Inner.A[2]" {
				want += 4
			}
			if err != nil || got != want {
				t.Errorf("%v: FieldOf %s = %#x, %v; want %#x", abi, tc.name, got, err, want)
			}
		}
		if _, err := guestptr.FieldOf(p, func(o *Outer) *uint32 { return new(uint32) }); !errors.Is(err, guestptr.ErrNoField) {
			t.Errorf("FieldOf of a pointer outside: %v", err)
		}
		if n := testing.AllocsPerRun(100, func() {
			_, _ = guestptr.FieldOf(p, func(o *Outer) *uint32 { return &o.ID })
		}); n != 0 {
			t.Errorf("FieldOf allocates %v times", n)
		}

		// Follow: an error in the followed slice names the parent's field.
		v := Outer{ID: 1, Pairs: guestptr.NewSlice[Pair](mem, 0x1000000, 2)}
		_, err = guestptr.Follow(p, &v, func(o *Outer) *guestptr.Slice[Pair] { return &o.Pairs }, guestptr.Slice[Pair].ToSlice)
		want := "read guestptr.Ptr[guestptr_test.Outer] at 0x100: field Pairs: read guestptr.Slice[guestptr_test.Pair] at 0x1000000: out of bounds: [0x1000000, 0x1000010) is past the end of memory (0x1000 bytes)"
		var e *guestptr.Error
		if err == nil || err.Error() != want || !errors.Is(err, guestptr.ErrOutOfBounds) || !errors.As(err, &e) || e.Field.String() != "Pairs" {
			t.Errorf("%v: Follow error:\n got %v\nwant %s", abi, err, want)
		}
	}
}

func offsetOf(l *layout.Layout, path string) uint64 {
	var off uint64
	for name := range strings.SplitSeq(path, ".") {
		for _, f := range l.Fields {
			if f.Name == name {
				off += f.Offset
				l = f.Layout
			}
		}
	}
	return off
}

func TestValuesAndAt(t *testing.T) {
	mem := memory.New(0x1000)
	s := guestptr.NewSlice[Fdstat](mem, 0x100, 3)
	must(t, s.CopyFromSlice([]Fdstat{{FsFiletype: 1}, {FsFiletype: 2}, {FsFiletype: 3}}))
	var got []Filetype
	for v, err := range s.Values() {
		must(t, err)
		got = append(got, v.FsFiletype)
	}
	if d := cmp.Diff([]Filetype{1, 2, 3}, got); d != "" {
		t.Error(d)
	}
	mem.Bytes()[0x100+24] = 9 // element 1's filetype
	var errs []error
	n := 0
	for _, err := range s.Values() {
		if err != nil {
			errs = append(errs, err)
		}
		n++
	}
	if n != 2 || len(errs) != 1 || !errors.Is(errs[0], guestptr.ErrInvalidEnum) {
		t.Errorf("Values over a bad element: %d yields, errors %v", n, errs)
	}
	if want := "read guestptr.Slice[guestptr_test.Fdstat] at 0x100: field [1]: read guestptr.Ptr[guestptr_test.Fdstat] at 0x118: field FsFiletype: invalid enum 9 (guestptr_test.Filetype has 8 cases)"; errs[0].Error() != want {
		t.Errorf("error:\n got %v\nwant %s", errs[0], want)
	}
	if p, err := s.At(2); err != nil || p.Addr() != 0x130 {
		t.Errorf("At(2) = %v, %v", p, err)
	}
	if q, err := s.Sub(1, 3); err != nil || q.Addr() != 0x118 || q.Len() != 2 {
		t.Errorf("Sub(1, 3) = %v, %v", q, err)
	}
}

// TestForeignMemory: a pointer bound to one memory, written into another,
// is refused; one bound to the same memory or to none is written.
func TestForeignMemory(t *testing.T) {
	a, b := memory.New(0x1000), memory.New(0x1000)
	before := bytes.Clone(b.Bytes())
	n := Node{Name: guestptr.NewString(a, 0x10, 4), Value: 1}
	err := guestptr.New[Node](b, 0x100).Write(n)
	checkError(t, err, guestptr.ErrForeignMemory, "write", "guestptr.Ptr[guestptr_test.Node]", 0x100)
	if want := "write guestptr.Ptr[guestptr_test.Node] at 0x100: field Name: pointer bound to another memory"; err.Error() != want {
		t.Errorf("error:\n got %v\nwant %s", err, want)
	}
	err = guestptr.NewSlice[Node](b, 0x100, 2).CopyFromSlice([]Node{{}, n})
	if !errors.Is(err, guestptr.ErrForeignMemory) || !strings.Contains(err.Error(), "field [1].Name") {
		t.Errorf("CopyFromSlice: %v", err)
	}
	if !bytes.Equal(before, b.Bytes()) {
		t.Error("refused writes changed memory")
	}
	must(t, guestptr.New[Node](a, 0x100).Write(n))
	n.Name = guestptr.String{} // bound to no memory: an address only
	must(t, guestptr.New[Node](b, 0x100).Write(n))
	if err := guestptr.CheckBound(b, &Node{Next: guestptr.New[Node](a, 8)}); !errors.Is(err, guestptr.ErrForeignMemory) {
		t.Errorf("CheckBound: %v", err)
	}
}

// TestBatch checks every block a guest allocator returns.
func TestBatch(t *testing.T) {
	mem := memory.New(0x1000)
	lie := func(addrs ...uint64) *lyingAlloc { return &lyingAlloc{addrs: addrs} }
	for _, tc := range []struct {
		name string
		a    *lyingAlloc
		want error
	}{
		{"null", lie(0), guestptr.ErrAlloc},
		{"past the end", lie(0xffc), guestptr.ErrOutOfBounds},
		{"wraps", lie(0xfffffffc), guestptr.ErrOverflow},
		{"misaligned", lie(0x101), guestptr.ErrMisaligned},
		{"overlaps", lie(0x100, 0x104), guestptr.ErrAlloc},
		{"fails", &lyingAlloc{fail: true}, guestptr.ErrAlloc},
	} {
		b := guestptr.NewBatch(mem, tc.a)
		var err error
		for range len(tc.a.addrs) + 1 {
			if _, err = b.Alloc(8, 4); err != nil {
				break
			}
		}
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
		if err := b.Abort(); err != nil {
			t.Errorf("%s: Abort: %v", tc.name, err)
		}
		if len(tc.a.freed) != b.Len() && tc.name == "overlaps" && len(tc.a.freed) != 1 {
			t.Errorf("%s: freed %v, want the one good block", tc.name, tc.a.freed)
		}
	}
	// Strings and slices through a bump allocator.
	b := guestptr.NewBatch(mem, &guestptr.Bump{Next: 0x800, End: 0x1000})
	s, err := b.String("héllo")
	must(t, err)
	got, err := s.Read()
	if err != nil || got != "héllo" {
		t.Errorf("Batch.String read back %q, %v", got, err)
	}
	pairs, err := guestptr.SliceOf(b, []Pair{{1, 2}, {3, 4}})
	must(t, err)
	if ps, err := pairs.ToSlice(); err != nil || cmp.Diff([]Pair{{1, 2}, {3, 4}}, ps) != "" {
		t.Errorf("SliceOf read back %v, %v", ps, err)
	}
	if _, err := b.String("bad\xff"); !errors.Is(err, guestptr.ErrInvalidUTF8) {
		t.Errorf("Batch.String of invalid UTF-8: %v", err)
	}
	if _, err := guestptr.AllocSlice[Pair](b, 1<<40); !errors.Is(err, guestptr.ErrAlloc) {
		t.Errorf("AllocSlice of 2^40 pairs: %v", err)
	}
}

type lyingAlloc struct {
	addrs []uint64
	fail  bool
	freed []uint64
}

func (a *lyingAlloc) Alloc(size, align uint64) (uint64, error) {
	if a.fail || len(a.addrs) == 0 {
		return 0, errors.New("no memory")
	}
	p := a.addrs[0]
	a.addrs = a.addrs[1:]
	return p, nil
}

func (a *lyingAlloc) Free(addr, size, align uint64) error {
	a.freed = append(a.freed, addr)
	return nil
}

func TestIO(t *testing.T) {
	mem := memory.New(0x1000)
	w := guestptr.NewWriter(guestptr.NewSlice[byte](mem, 0x100, 10))
	if n, err := io.WriteString(w, "hello, "); n != 7 || err != nil {
		t.Fatalf("WriteString = %d, %v", n, err)
	}
	if n, err := w.Write([]byte("world")); n != 3 || err != io.ErrShortWrite {
		t.Errorf("Write past the end = %d, %v; want 3, io.ErrShortWrite", n, err)
	}
	r := guestptr.NewReader(guestptr.NewSlice[byte](mem, 0x100, 10))
	if err := iotest.TestReader(r, []byte("hello, wor")); err != nil {
		t.Error(err)
	}
	var sb strings.Builder
	if _, err := guestptr.NewReader(guestptr.NewSlice[byte](mem, 0x100, 10)).WriteTo(&sb); err != nil || sb.String() != "hello, wor" {
		t.Errorf("WriteTo: %q, %v", sb.String(), err)
	}
	bad := guestptr.NewReader(guestptr.NewSlice[byte](mem, 0xff0, 0x100))
	if _, err := io.ReadAll(bad); !errors.Is(err, guestptr.ErrOutOfBounds) {
		t.Errorf("reading past memory: %v", err)
	}
	if n, err := guestptr.NewWriter(guestptr.NewSlice[byte](mem, 0x200, 4)).WriteAt([]byte("xy"), 3); n != 1 || err != io.ErrShortWrite {
		t.Errorf("WriteAt at the end = %d, %v", n, err)
	}
}

// ExampleWriteString replies into a buffer the guest lent: as much as
// fits, cut on a UTF-8 boundary.
func ExampleWriteString() {
	mem := memory.New(memory.PageSize)
	buf := guestptr.NewSlice[byte](mem, 0x100, 16) // the guest's (pointer, capacity)
	n, err := guestptr.WriteString(buf, "héllo wörld ✓✓✓")
	fmt.Println(n, err, string(mem.Bytes()[0x100:0x100+n]))
	// Output:
	// 14 <nil> héllo wörld
}

// ExampleBatch allocates a reply in the guest through an allocator (here
// a bump allocator over a scratch area; wazeromem.Malloc calls the guest's
// own malloc) and frees it all when building the reply fails.
func ExampleBatch() {
	mem := memory.New(memory.PageSize)
	b := guestptr.NewBatch(mem, &guestptr.Bump{Next: 0x1000, End: 0x2000})
	greeting, err := b.String("hello, guest")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(greeting)
	if _, err := b.String("bad \xff"); err != nil {
		fmt.Println(err)
		fmt.Println(b.Abort(), b.Len())
	}
	// Output:
	// guestptr.String(0x1000, 12)
	// alloc guestptr.String at 0x0: invalid UTF-8 at byte 4 (0xff)
	// <nil> 0
}

// ExampleFieldOf points at a field the compiler checks.
func ExampleFieldOf() {
	mem := memory.New(memory.PageSize)
	p := guestptr.New[Fdstat](mem, 0x1000)
	flags, err := guestptr.FieldOf(p, func(f *Fdstat) *Fdflags { return &f.FsFlags })
	fmt.Println(flags, err)
	// Output:
	// guestptr.Ptr[guestptr_test.Fdflags](0x1002) <nil>
}

// ExampleSlice_Values reads each element, one error check per element.
func ExampleSlice_Values() {
	mem := memory.New(memory.PageSize)
	s := guestptr.NewSlice[uint16](mem, 0x10, 3)
	_ = s.CopyFromSlice([]uint16{10, 20, 30})
	for v, err := range s.Values() {
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Print(v, " ")
	}
	fmt.Println()
	// Output:
	// 10 20 30
}
