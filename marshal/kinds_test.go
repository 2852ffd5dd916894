package marshal_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/guestkit/guestkit/layout"
	"github.com/guestkit/guestkit/memory"
)

type (
	enum16  uint16 // 1000 cases: not a power of two
	enum32  uint32 // 3 cases
	flags8  uint8  // bits 0, 2, 7
	flags64 uint64 // the top bit only
)

func (enum16) GuestEnumCases() uint64  { return 1000 }
func (enum32) GuestEnumCases() uint64  { return 3 }
func (flags8) GuestFlagsMask() uint64  { return 0x85 }
func (flags64) GuestFlagsMask() uint64 { return 1 << 63 }

// kinds has a field of every scalar kind. Its pointer fields keep it from
// being copied whole, so every field goes through its own op.
type kinds struct {
	U8   uint8
	I8   int8
	U16  uint16
	I16  int16
	U32  uint32
	I32  int32
	U64  uint64
	I64  int64
	F32  float32
	F64  float64
	B    bool
	E16  enum16
	E32  enum32
	Fl8  flags8
	Fl64 flags64
	N16  int    `guest:"i16"`
	UN   uint   `guest:"u64"`
	W8   uint32 `guest:"u8"`
	Arr  [3]int16
	Bs   [2]bool
	P    gptr[kinds]
	S    gspan[uint16]
}

func randKinds(r *rand.Rand, mem *memory.Memory, abi layout.ABI) kinds {
	addr := r.Uint64()
	if abi == layout.Wasm32 {
		addr = uint64(r.Uint32())
	}
	var k kinds
	k.U8, k.I8 = uint8(r.Uint32()), int8(r.Uint32())
	k.U16, k.I16 = uint16(r.Uint32()), int16(r.Uint32())
	k.U32, k.I32 = r.Uint32(), int32(r.Uint32())
	k.U64, k.I64 = r.Uint64(), int64(r.Uint64())
	k.F32, k.F64 = math.Float32frombits(r.Uint32()), math.Float64frombits(r.Uint64())
	k.B = r.IntN(2) == 1
	k.E16, k.E32 = enum16(r.IntN(1000)), enum32(r.IntN(3))
	k.Fl8, k.Fl64 = flags8(r.Uint32()&0x85), flags64(r.Uint64()&(1<<63))
	k.N16 = int(int16(r.Uint32()))
	k.UN = uint(r.Uint64())
	k.W8 = uint32(uint8(r.Uint32()))
	k.Arr = [3]int16{int16(r.Uint32()), int16(r.Uint32()), int16(r.Uint32())}
	k.Bs = [2]bool{r.IntN(2) == 1, r.IntN(2) == 1}
	k.P.Ref.Mem, k.P.Ref.Addr = mem, addr
	k.S.Span.Mem, k.S.Span.Addr, k.S.Span.Len = mem, addr^1, uint64(r.Uint32())
	return k
}

// TestKindsRoundTrip writes random valid values and reads them back, and
// reads back each written byte image: both directions are identities.
func TestKindsRoundTrip(t *testing.T) {
	for _, abi := range []layout.ABI{layout.Wasm32, layout.Wasm64} {
		t.Run(abi.String(), func(t *testing.T) {
			mem := memory.New(0)
			if abi == layout.Wasm64 {
				mem = memory.NewWasm64(0)
			}
			c := mustFor[kinds](t, abi)
			if c.Layout().Copyable || c.Layout().Transparent {
				t.Fatal("kinds is copied whole; the test wants one op per field")
			}
			r := rand.New(rand.NewPCG(7, uint64(abi.PointerSize())))
			buf := make([]byte, c.Size())
			for range 500 {
				want := randKinds(r, mem, abi)
				if err := c.Encode(buf, &want); err != nil {
					t.Fatalf("Encode(%+v): %v", want, err)
				}
				var got kinds
				if err := c.Decode(buf, &got, mem); err != nil {
					t.Fatalf("Decode: %v", err)
				}
				// Floats compare by bits, so NaNs round-trip too.
				if diff := cmp.Diff(want, got, cmp.Comparer(func(a, b float32) bool { return math.Float32bits(a) == math.Float32bits(b) }),
					cmp.Comparer(func(a, b float64) bool { return math.Float64bits(a) == math.Float64bits(b) })); diff != "" {
					t.Fatalf("round trip (-want +got):\n%s", diff)
				}
				again := make([]byte, len(buf))
				copy(again, buf) // keep the padding bytes as they were
				if err := c.Encode(again, &got); err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(buf, again); diff != "" {
					t.Fatalf("bytes round trip (-want +got):\n%s", diff)
				}
			}
		})
	}
}

// TestKindsDecodeBytes pins the byte image of a few fields.
func TestKindsDecodeBytes(t *testing.T) {
	c := mustFor[kinds](t, layout.Wasm32)
	l := c.Layout()
	buf := make([]byte, c.Size())
	offset := func(name string) uint64 {
		for _, f := range l.Fields {
			if f.Name == name {
				return f.Offset
			}
		}
		t.Fatalf("no field %s", name)
		return 0
	}
	copy(buf[offset("I8"):], le(0x80, 1))
	copy(buf[offset("I32"):], le(0xfffffffe, 4))
	copy(buf[offset("N16"):], le(0x8000, 2))
	copy(buf[offset("W8"):], le(0xfe, 1))
	copy(buf[offset("Arr"):], le(1, 2, 0xffff, 2, 3, 2))
	copy(buf[offset("Bs"):], le(1, 1, 0, 1))
	copy(buf[offset("S"):], le(0x10, 4, 3, 4))
	var got kinds
	if err := c.Decode(buf, &got, nil); err != nil {
		t.Fatal(err)
	}
	want := kinds{I8: -128, I32: -2, N16: -32768, W8: 0xfe, Arr: [3]int16{1, -1, 3}, Bs: [2]bool{true, false}}
	want.S.Span.Addr, want.S.Span.Len = 0x10, 3
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Decode (-want +got):\n%s", diff)
	}
	// Every check fires at its own field.
	for _, tt := range []struct {
		field string
		bytes []byte
		path  string
	}{
		{"E16", le(1000, 2), "E16"},
		{"E32", le(3, 4), "E32"},
		{"Fl8", le(0x02, 1), "Fl8"},
		{"Fl64", le(1, 8), "Fl64"},
		{"Bs", le(0, 1, 3, 1), "Bs[1]"},
		{"B", le(2, 1), "B"},
	} {
		b := append([]byte(nil), buf...)
		copy(b[offset(tt.field):], tt.bytes)
		fe := asFieldError(t, c.Decode(b, &got, nil))
		if fe.Path.String() != tt.path {
			t.Errorf("bad %s: error path %q, want %q", tt.field, fe.Path.String(), tt.path)
		}
	}
}
