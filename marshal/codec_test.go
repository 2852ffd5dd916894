package marshal_test

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/guestkit/guestkit/layout"
	"github.com/guestkit/guestkit/marshal"
	"github.com/guestkit/guestkit/memory"
)

func mustFor[T any](t *testing.T, abi layout.ABI) marshal.Codec[T] {
	t.Helper()
	c, err := marshal.For[T](abi)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestFor(t *testing.T) {
	for _, tt := range []struct {
		abi  layout.ABI
		size uint64
	}{{layout.Wasm32, 36}, {layout.Wasm64, 72}} {
		c := mustFor[request](t, tt.abi)
		if c.Size() != tt.size || c.Layout().Size != tt.size || c.Layout().ABI != tt.abi {
			t.Errorf("%s: Size() = %d, Layout() = %v; want size %d", tt.abi, c.Size(), c.Layout(), tt.size)
		}
		// A second For returns the same compiled codec.
		if again := mustFor[request](t, tt.abi); again.Layout() != c.Layout() {
			t.Errorf("%s: For returned a new codec on the second call", tt.abi)
		}
	}
	if _, err := marshal.For[int](layout.Wasm32); err == nil {
		t.Error("For[int] succeeded; int has no guest size without a tag")
	}
}

// TestForConcurrent compiles codecs of several types from many goroutines
// at once: each must get a working codec (run with -race).
func TestForConcurrent(t *testing.T) {
	type a struct{ X, Y uint16 }
	type b struct{ X [3]a }
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			abi := []layout.ABI{layout.Wasm32, layout.Wasm64}[i%2]
			cb, err := marshal.For[b](abi)
			if err != nil {
				errs <- err
				return
			}
			var v b
			if err := cb.Decode(le(1, 2, 2, 2, 3, 2, 4, 2, 5, 2, 6, 2), &v, nil); err != nil {
				errs <- err
				return
			}
			if v.X[2] != (a{5, 6}) {
				errs <- errors.New("wrong value decoded")
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestRefsBindToMemory(t *testing.T) {
	mem := memory.NewWasm64(64)
	c := mustFor[struct {
		P gptr[uint32]
		S gspan[byte]
	}](t, layout.Wasm64)
	src := le(1<<40, 8, 0x20, 8, 5, 8)
	var v struct {
		P gptr[uint32]
		S gspan[byte]
	}
	if err := c.Decode(src, &v, mem); err != nil {
		t.Fatal(err)
	}
	if v.P.Ref.Mem != mem || v.P.Ref.Addr != 1<<40 {
		t.Errorf("P = %+v, want address 1<<40 bound to mem", v.P.Ref)
	}
	if v.S.Span.Mem != mem || v.S.Span.Addr != 0x20 || v.S.Span.Len != 5 {
		t.Errorf("S = %+v, want (0x20, 5) bound to mem", v.S.Span)
	}
	// Decoding bare bytes binds to no memory.
	if err := marshal.Decode(layout.Wasm64, src, &v); err != nil {
		t.Fatal(err)
	}
	if v.P.Ref.Mem != nil || v.S.Span.Mem != nil {
		t.Errorf("Decode without a memory bound refs: %+v %+v", v.P.Ref, v.S.Span)
	}
	// A write stores addresses only.
	dst := filled(24, 0)
	if err := c.Encode(dst, &v); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(src, dst); diff != "" {
		t.Errorf("Encode (-want +got):\n%s", diff)
	}
}

func TestDecodeSlice(t *testing.T) {
	c := mustFor[fdstat](t, layout.Wasm32)
	var src []byte
	for i := range uint64(4) {
		src = append(src, le(i, 1, 0, 1, i, 2, 0, 4, i<<20, 8, 0, 8)...)
	}
	got := make([]fdstat, 4)
	if err := c.DecodeSlice(src, got, nil); err != nil {
		t.Fatal(err)
	}
	want := []fdstat{{0, 0, 0, 0}, {1, 1, 1 << 20, 0}, {2, 2, 2 << 20, 0}, {3, 3, 3 << 20, 0}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("DecodeSlice (-want +got):\n%s", diff)
	}
	// Element 2 has a bad flag: the error names it.
	src[2*24+3] = 0x80
	err := c.DecodeSlice(src, got, nil)
	fe := asFieldError(t, err)
	if fe.Path.String() != "[2].Flags" || fe.Offset != 2*24+2 || fe.Value != 0x8002 || !errors.Is(err, marshal.ErrInvalidFlags) {
		t.Errorf("FieldError = %+v, want [2].Flags at 50", fe)
	}
	if got, want := err.Error(), "field [2].Flags: invalid flags 0x8002 (unknown bits 0x8000)"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if err := c.DecodeSlice(src[:95], got, nil); !errors.Is(err, marshal.ErrShortBuffer) {
		t.Errorf("DecodeSlice from 95 bytes = %v, want ErrShortBuffer", err)
	}
	// A bare scalar element: the path is the index alone.
	cb := mustFor[bool](t, layout.Wasm32)
	bools := make([]bool, 3)
	err = cb.DecodeSlice([]byte{1, 0, 7}, bools, nil)
	if fe := asFieldError(t, err); fe.Path.String() != "[2]" || fe.Offset != 2 || err.Error() != "field [2]: invalid bool 7" {
		t.Errorf("err = %q (%+v)", err, fe)
	}
}

func TestEncodeSlice(t *testing.T) {
	c := mustFor[fdstat](t, layout.Wasm32)
	vs := []fdstat{{Filetype: 1}, {Flags: 0x1f}, {RightsBase: 7}}
	dst := filled(3*24, 0xcc)
	if err := c.EncodeSlice(dst, vs); err != nil {
		t.Fatal(err)
	}
	back := make([]fdstat, 3)
	if err := c.DecodeSlice(dst, back, nil); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(vs, back); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	if dst[1] != 0xcc || dst[24+4] != 0xcc {
		t.Errorf("EncodeSlice wrote padding: % x", dst[:32])
	}

	// Element 2 is invalid: nothing is written, not even elements 0 and 1.
	bad := []fdstat{{Filetype: 2}, {Filetype: 3}, {Flags: 0x20}}
	before := append([]byte(nil), dst...)
	err := c.EncodeSlice(dst, bad)
	fe := asFieldError(t, err)
	if fe.Path.String() != "[2].Flags" || fe.Offset != 50 || !errors.Is(err, marshal.ErrInvalidFlags) {
		t.Errorf("FieldError = %+v, want [2].Flags at 50", fe)
	}
	if diff := cmp.Diff(before, dst); diff != "" {
		t.Errorf("a failed EncodeSlice changed the buffer (-want +got):\n%s", diff)
	}
	if err := c.EncodeSlice(dst[:71], vs); !errors.Is(err, marshal.ErrShortBuffer) {
		t.Errorf("EncodeSlice into 71 bytes = %v, want ErrShortBuffer", err)
	}
	if err := c.EncodeSlice(nil, nil); err != nil {
		t.Errorf("EncodeSlice of nothing: %v", err)
	}
}

func TestTransparentSlices(t *testing.T) {
	c := mustFor[[2]uint32](t, layout.Wasm32)
	if !c.Layout().Transparent {
		t.Fatal("[2]uint32 is not transparent")
	}
	vs := [][2]uint32{{1, 2}, {3, 0xdeadbeef}}
	dst := make([]byte, 16)
	if err := c.EncodeSlice(dst, vs); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(le(1, 4, 2, 4, 3, 4, 0xdeadbeef, 4), dst); diff != "" {
		t.Errorf("EncodeSlice (-want +got):\n%s", diff)
	}
	back := make([][2]uint32, 2)
	if err := c.DecodeSlice(dst, back, nil); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(vs, back); diff != "" {
		t.Errorf("DecodeSlice (-want +got):\n%s", diff)
	}
	if err := c.DecodeSlice(dst[:15], back, nil); !errors.Is(err, marshal.ErrShortBuffer) {
		t.Errorf("DecodeSlice from 15 bytes = %v, want ErrShortBuffer", err)
	}
}

func TestNestedArrayPath(t *testing.T) {
	for _, tt := range []struct {
		abi layout.ABI
		off uint64
	}{{layout.Wasm32, 4 + 3*8 + 4}, {layout.Wasm64, 8 + 3*16 + 8}} {
		c := mustFor[[2]request](t, tt.abi)
		v := [2]request{1: {Iovs: [4]iovec{3: {Len: -1}}}}
		dst := filled(int(c.Size()), 0)
		err := c.Encode(dst, &v)
		fe := asFieldError(t, err)
		if want := c.Size()/2 + tt.off; fe.Path.String() != "[1].Iovs[3].Len" || fe.Offset != want {
			t.Errorf("%s: FieldError = %+v, want [1].Iovs[3].Len at %d", tt.abi, fe, want)
		}
		if !errors.Is(err, marshal.ErrValueRange) {
			t.Errorf("%s: err = %v, want ErrValueRange", tt.abi, err)
		}
	}
}

func TestTaggedUnion(t *testing.T) {
	mem := memory.New(64)
	c := mustFor[event](t, layout.Wasm32)
	// Start from a Go value with every case set: a read of case 1 must zero
	// the others, including the memory in case 0's pointer.
	full := func() event {
		var e event
		e.Read = iovec{Buf: gptr[byte]{marshal.Ref{Mem: mem, Addr: 9}}, Len: 4}
		e.Clock.Timeout, e.Clock.Flags = 77, 3
		e.Bad.Kind = 5
		return e
	}
	got := full()
	src := append(le(1, 1, 0xee, 7), le(1000, 8, 0x11, 2, 0, 6)...)
	if err := c.Decode(src, &got, mem); err != nil {
		t.Fatal(err)
	}
	var want event
	want.Tag, want.Clock.Timeout, want.Clock.Flags = 1, 1000, 0x11
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Decode of case 1 (-want +got):\n%s", diff)
	}

	got = full()
	src = append(le(0, 1, 0, 7), le(0x30, 4, 6, 4, 0xffffffff, 4, 0xffffffff, 4)...)
	if err := c.Decode(src, &got, mem); err != nil {
		t.Fatal(err)
	}
	want = event{Read: iovec{Buf: gptr[byte]{marshal.Ref{Mem: mem, Addr: 0x30}}, Len: 6}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Decode of case 0 (-want +got):\n%s", diff)
	}

	// A write writes the tag and the active case only.
	dst := filled(24, 0xaa)
	if err := c.Encode(dst, &want); err != nil {
		t.Fatal(err)
	}
	wantBytes := append(le(0, 1, 0xaaaaaa, 3, 0xaaaaaaaa, 4), le(0x30, 4, 6, 4, 0xaaaaaaaaaaaaaaaa, 8)...)
	if diff := cmp.Diff(wantBytes, dst); diff != "" {
		t.Errorf("Encode (-want +got):\n%s", diff)
	}
}

func TestCUnion(t *testing.T) {
	c := mustFor[cunion](t, layout.Wasm32)
	if c.Size() != 4 {
		t.Fatalf("Size() = %d, want 4", c.Size())
	}
	// Only the first member is written; the others are read from the same
	// bytes.
	dst := filled(4, 0)
	if err := c.Encode(dst, &cunion{Word: 0x04030201, Bytes: [4]uint8{9, 9, 9, 9}}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(le(0x04030201, 4), dst); diff != "" {
		t.Errorf("Encode (-want +got):\n%s", diff)
	}
	var got cunion
	if err := c.Decode(dst, &got, nil); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(cunion{Word: 0x04030201, Bytes: [4]uint8{1, 2, 3, 4}}, got); diff != "" {
		t.Errorf("Decode (-want +got):\n%s", diff)
	}
}

func TestCodecZeroAllocs(t *testing.T) {
	mem := memory.New(64)
	c := mustFor[event](t, layout.Wasm32)
	src := append(le(0, 1, 0, 7), le(0x30, 4, 6, 4, 0, 8)...)
	dst := make([]byte, 24)
	var v event
	if n := testing.AllocsPerRun(100, func() {
		if err := c.Decode(src, &v, mem); err != nil {
			t.Fatal(err)
		}
		if err := c.Encode(dst, &v); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Errorf("Decode+Encode of a tagged union: %v allocations, want 0", n)
	}
	cs := mustFor[fdstat](t, layout.Wasm64)
	vs := make([]fdstat, 8)
	buf := make([]byte, 8*24)
	if n := testing.AllocsPerRun(100, func() {
		if err := cs.EncodeSlice(buf, vs); err != nil {
			t.Fatal(err)
		}
		if err := cs.DecodeSlice(buf, vs, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := marshal.For[fdstat](layout.Wasm64); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Errorf("EncodeSlice+DecodeSlice+For: %v allocations, want 0", n)
	}
}

// BenchmarkFor is the codec cache hit every access makes when a pointer
// carries no codec: the type's entry in the table of recent types.
func BenchmarkFor(b *testing.B) {
	if _, err := marshal.For[fdstat](layout.Wasm32); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		c, _ := marshal.For[fdstat](layout.Wasm32)
		benchSize += c.Size()
	}
}

// BenchmarkForParallel is BenchmarkFor from every P at once: a hit takes no
// lock and writes nothing shared, so it scales.
func BenchmarkForParallel(b *testing.B) {
	if _, err := marshal.For[fdstat](layout.Wasm32); err != nil {
		b.Fatal(err)
	}
	b.RunParallel(func(pb *testing.PB) {
		var n uint64
		for pb.Next() {
			c, _ := marshal.For[fdstat](layout.Wasm32)
			n += c.Size()
		}
		benchTotal.Add(n)
	})
}

var (
	benchSize  uint64
	benchTotal atomic.Uint64
)
