package guestptr_test

import (
	"math"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/guestkit/guestkit/guestptr"
	"github.com/guestkit/guestkit/layout"
	"github.com/guestkit/guestkit/marshal"
	"github.com/guestkit/guestkit/memory"
)

// Record types of every kind for the round-trip property test.
type (
	rtInts struct {
		U8  uint8
		I8  int8
		U16 uint16
		I16 int16
		U32 uint32
		I32 int32
		U64 uint64
		I64 int64
	}
	rtFloats struct {
		F32 float32
		B   bool
		F64 float64
	}
	rtNarrow struct {
		A int    `guest:"i32"`
		B int    `guest:"u8"`
		C uint   `guest:"u16"`
		D int64  `guest:"i8"`
		E uint64 `guest:"u32"`
		F int32  `guest:"i16"`
	}
	rtArrays struct {
		A [3]uint16
		B [2][2]int8
		C [4]bool
		D [2]Filetype
		E [2]Fdflags
	}
	rtNested struct {
		Head  Fdstat
		Inner struct {
			X uint8
			Y struct {
				Z uint64
				W Filetype
			}
		}
		Tail uint8
	}
	rtPacked struct {
		_ struct{} `guest:",packed"`
		A uint8
		B uint32
		C uint16
		D uint64
	}
	rtUnion struct {
		_ struct{} `guest:",union"`
		W uint32
		H [2]uint16
		B [4]uint8
	}
	rtKind    uint16 // enum, 3 cases: the tag of rtVariant
	rtVariant struct {
		Kind rtKind   `guest:",tag"`
		A    uint64   `guest:",case=0"`
		B    [3]uint8 `guest:",case=1"`
		C    Iovec    `guest:",case=2"`
	}
	rtPointers struct {
		P   guestptr.Ptr[Fdstat]
		S   guestptr.Slice[uint32]
		Str guestptr.String
		PP  guestptr.Ptr[guestptr.Ptr[byte]]
		N   uint8
	}
	rtEvents struct {
		Evs [2]Subscription
		N   uint16
	}
	rtAligned struct {
		A uint8
		B uint32 `guest:",align=16"`
		C uint16 `guest:",offset=40"`
	}
)

func (rtKind) GuestEnumCases() uint64 { return 3 }

// gen makes random valid values for one memory.
type gen struct {
	*rand.Rand
	mem *memory.Memory
}

// addr returns an address that fits the memory's ABI.
func (g gen) addr() uint64 {
	if g.mem.ABI() == layout.Wasm32 {
		return uint64(g.Uint32())
	}
	return g.Uint64()
}

func (g gen) filetype() Filetype { return Filetype(g.IntN(8)) }
func (g gen) fdflags() Fdflags   { return Fdflags(g.Uint32() & 0x1f) }
func (g gen) rights() Rights     { return Rights(g.Uint64() & (1<<30 - 1)) }
func (g gen) bool() bool         { return g.IntN(2) == 1 }

func (g gen) fdstat() Fdstat {
	return Fdstat{g.filetype(), g.fdflags(), g.rights(), g.rights()}
}

func (g gen) subscription() Subscription {
	var s Subscription
	switch g.IntN(3) {
	case 0:
		s.Tag, s.Clock.ID, s.Clock.Timeout = 0, g.Uint32(), g.Uint64()
	case 1:
		s.Tag, s.FdRead.Fd, s.FdRead.Kind = 1, g.Uint32(), g.filetype()
	default:
		s.Tag, s.Poke = 4, g.fdflags()
	}
	return s
}

// sameBits compares floats by their bits, so NaNs round-trip too.
var sameBits = cmp.Options{
	cmp.Comparer(func(a, b float32) bool { return math.Float32bits(a) == math.Float32bits(b) }),
	cmp.Comparer(func(a, b float64) bool { return math.Float64bits(a) == math.Float64bits(b) }),
}

// roundTrip writes random values of T at random aligned addresses, one by
// one and as slices, on both ABIs, and reads each back. want gives the value
// a read returns for a written v (v itself, except for C unions).
func roundTrip[T any](t *testing.T, random func(g gen) T, want func(v T) T) {
	t.Run(reflect.TypeFor[T]().String(), func(t *testing.T) {
		for _, abi := range abis {
			m := memFor(abi, 0x10000)
			g := gen{rand.New(rand.NewPCG(42, abi.PointerSize())), m}
			for i := range m.Bytes() {
				m.Bytes()[i] = byte(g.Uint32()) // stale bytes everywhere
			}
			c, err := marshal.For[T](abi)
			if err != nil {
				t.Fatal(err)
			}
			size, align := c.Size(), c.Layout().Align
			place := func(n uint64) uint64 { return g.Uint64N((0x10000-n*size)/align+1) * align }
			for i := range 300 {
				v := random(g)
				p := guestptr.New[T](m, place(1))
				if err := p.Write(v); err != nil {
					t.Fatalf("%s: Write(%+v) at %#x: %v", abi, v, p.Addr(), err)
				}
				got, err := p.Read()
				if err != nil {
					t.Fatalf("%s: Read at %#x: %v", abi, p.Addr(), err)
				}
				if diff := cmp.Diff(want(v), got, sameBits); diff != "" {
					t.Fatalf("%s: value %d at %#x (-want +got):\n%s", abi, i, p.Addr(), diff)
				}
				if i%10 != 0 {
					continue
				}
				vs := make([]T, 1+g.IntN(5))
				for k := range vs {
					vs[k] = random(g)
				}
				s := guestptr.NewSlice[T](m, place(uint64(len(vs))), uint64(len(vs)))
				if err := s.CopyFromSlice(vs); err != nil {
					t.Fatalf("%s: CopyFromSlice: %v", abi, err)
				}
				gots, err := s.ToSlice()
				if err != nil {
					t.Fatalf("%s: ToSlice: %v", abi, err)
				}
				for k := range vs {
					vs[k] = want(vs[k])
				}
				if diff := cmp.Diff(vs, gots, sameBits); diff != "" {
					t.Fatalf("%s: slice at %#x (-want +got):\n%s", abi, s.Addr(), diff)
				}
			}
		}
	})
}

func same[T any](v T) T { return v }

func TestRoundTrip(t *testing.T) {
	roundTrip(t, func(g gen) rtInts {
		return rtInts{uint8(g.Uint32()), int8(g.Uint32()), uint16(g.Uint32()), int16(g.Uint32()),
			g.Uint32(), int32(g.Uint32()), g.Uint64(), int64(g.Uint64())}
	}, same)
	roundTrip(t, func(g gen) rtFloats {
		return rtFloats{math.Float32frombits(g.Uint32()), g.bool(), math.Float64frombits(g.Uint64())}
	}, same)
	roundTrip(t, func(g gen) rtNarrow {
		return rtNarrow{int(int32(g.Uint32())), g.IntN(256), uint(uint16(g.Uint32())),
			int64(int8(g.Uint32())), uint64(g.Uint32()), int32(int16(g.Uint32()))}
	}, same)
	roundTrip(t, func(g gen) Fdstat { return g.fdstat() }, same)
	roundTrip(t, func(g gen) rtArrays {
		var a rtArrays
		for i := range a.A {
			a.A[i] = uint16(g.Uint32())
		}
		a.B = [2][2]int8{{int8(g.Uint32()), int8(g.Uint32())}, {int8(g.Uint32()), int8(g.Uint32())}}
		a.C = [4]bool{g.bool(), g.bool(), g.bool(), g.bool()}
		a.D = [2]Filetype{g.filetype(), g.filetype()}
		a.E = [2]Fdflags{g.fdflags(), g.fdflags()}
		return a
	}, same)
	roundTrip(t, func(g gen) rtNested {
		var n rtNested
		n.Head, n.Tail = g.fdstat(), uint8(g.Uint32())
		n.Inner.X, n.Inner.Y.Z, n.Inner.Y.W = uint8(g.Uint32()), g.Uint64(), g.filetype()
		return n
	}, same)
	roundTrip(t, func(g gen) rtPacked {
		return rtPacked{A: uint8(g.Uint32()), B: g.Uint32(), C: uint16(g.Uint32()), D: g.Uint64()}
	}, same)
	// A C union writes its first member only; the others are read back from
	// the same bytes.
	roundTrip(t, func(g gen) rtUnion {
		return rtUnion{W: g.Uint32(), H: [2]uint16{1, 2}, B: [4]uint8{3, 4, 5, 6}}
	}, func(u rtUnion) rtUnion {
		w := u.W
		return rtUnion{W: w, H: [2]uint16{uint16(w), uint16(w >> 16)}, B: [4]uint8{uint8(w), uint8(w >> 8), uint8(w >> 16), uint8(w >> 24)}}
	})
	roundTrip(t, func(g gen) Subscription { return g.subscription() }, same)
	roundTrip(t, func(g gen) rtVariant {
		var v rtVariant
		switch v.Kind = rtKind(g.IntN(3)); v.Kind {
		case 0:
			v.A = g.Uint64()
		case 1:
			v.B = [3]uint8{uint8(g.Uint32()), uint8(g.Uint32()), uint8(g.Uint32())}
		case 2:
			v.C = Iovec{guestptr.New[byte](g.mem, g.addr()), int(g.Uint32())}
		}
		return v
	}, same)
	roundTrip(t, func(g gen) rtPointers {
		n := uint64(g.Uint32())
		if g.mem.ABI() == layout.Wasm64 {
			n = g.Uint64()
		}
		return rtPointers{
			P:   guestptr.New[Fdstat](g.mem, g.addr()),
			S:   guestptr.NewSlice[uint32](g.mem, g.addr(), n),
			Str: guestptr.NewString(g.mem, g.addr(), n/3),
			PP:  guestptr.New[guestptr.Ptr[byte]](g.mem, g.addr()),
			N:   uint8(g.Uint32()),
		}
	}, same)
	roundTrip(t, func(g gen) rtEvents {
		return rtEvents{[2]Subscription{g.subscription(), g.subscription()}, uint16(g.Uint32())}
	}, same)
	roundTrip(t, func(g gen) rtAligned {
		return rtAligned{uint8(g.Uint32()), g.Uint32(), uint16(g.Uint32())}
	}, same)
	roundTrip(t, func(g gen) Node {
		return Node{guestptr.NewString(g.mem, g.addr(), uint64(g.Uint32())), guestptr.NewSlice[uint32](g.mem, g.addr(), 7),
			guestptr.New[Node](g.mem, g.addr()), int32(g.Uint32())}
	}, same)
}

// TestRoundTripLayouts pins the sizes the round trip runs over, so a layout
// change cannot make it test less than it says.
func TestRoundTripLayouts(t *testing.T) {
	sizes := func(typ func(layout.ABI) (*layout.Layout, error)) [2]uint64 {
		var out [2]uint64
		for i, abi := range abis {
			l, err := typ(abi)
			if err != nil {
				t.Fatal(err)
			}
			out[i] = l.Size
		}
		return out
	}
	got := map[string][2]uint64{
		"packed":   sizes(layout.For[rtPacked]),
		"union":    sizes(layout.For[rtUnion]),
		"variant":  sizes(layout.For[rtVariant]),
		"pointers": sizes(layout.For[rtPointers]),
		"aligned":  sizes(layout.For[rtAligned]),
	}
	want := map[string][2]uint64{
		"packed":   {15, 15},
		"union":    {4, 4},
		"variant":  {16, 24},
		"pointers": {28, 56},
		"aligned":  {48, 48},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("sizes [wasm32 wasm64] (-want +got):\n%s", diff)
	}
}
