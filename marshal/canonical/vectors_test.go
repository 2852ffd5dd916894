package canonical

import (
	"reflect"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/guestkit/guestkit/layout"
)

type (
	enum1     uint8
	enum256   uint16
	enum257   uint16
	enum65536 uint32
	enum65537 uint32
	flags1    uint8
	flags8    uint8
	flags9    uint16
	flags16   uint16
	flags17   uint32
	flags32   uint32
)

func (enum1) GuestEnumCases() uint64     { return 1 }
func (enum256) GuestEnumCases() uint64   { return 256 }
func (enum257) GuestEnumCases() uint64   { return 257 }
func (enum65536) GuestEnumCases() uint64 { return 65536 }
func (enum65537) GuestEnumCases() uint64 { return 65537 }
func (flags1) GuestFlagsMask() uint64    { return 1 }
func (flags8) GuestFlagsMask() uint64    { return 0xff }
func (flags9) GuestFlagsMask() uint64    { return 0x1ff }
func (flags16) GuestFlagsMask() uint64   { return 0xffff }
func (flags17) GuestFlagsMask() uint64   { return 0x1ffff }
func (flags32) GuestFlagsMask() uint64   { return 0xffffffff }

type tupU8U32U8 struct {
	F0 uint8
	F1 uint32
	F2 uint8
}
type tupU8U16 struct {
	F0 uint8
	F1 uint16
}
type tupU64U8 struct {
	F0 uint64
	F1 uint8
}
type tupU8String struct {
	F0 uint8
	F1 string
}
type recABC struct {
	A uint8
	B uint64
	C uint16
}
type tupNest struct {
	F0 uint8
	F1 struct {
		F0 uint8
		F1 uint32
	}
	F2 uint8
}
type varABC struct {
	Tag uint8    `guest:",tag"`
	A   struct{} `guest:",case=0"`
	B   uint16   `guest:",case=1"`
	C   float64  `guest:",case=2"`
}
type varTuple3 struct {
	Tag uint8 `guest:",tag"`
	A   uint8 `guest:",case=0"`
	B   struct {
		F0, F1, F2 uint32
	} `guest:",case=1"`
}
type varF32U64 struct {
	Tag uint8   `guest:",tag"`
	A   float32 `guest:",case=0"`
	B   uint64  `guest:",case=1"`
}
type varF64U32 struct {
	Tag uint8   `guest:",tag"`
	A   float64 `guest:",case=0"`
	B   uint32  `guest:",case=1"`
}
type recBoolFlagsChar struct {
	A bool
	B flags9
	C Char
}
type recU8String struct {
	A uint8
	B string
}
type r struct{}

// TestSpecVectors checks size, alignment and flat types against the
// vectors computed by running the spec's definitions.py
// (/work/shared/reference/canonical-abi.md, section 1.9).
func TestSpecVectors(t *testing.T) {
	type want struct {
		size32, align32, size64, align64 uint64
		flat32, flat64                   string
	}
	rows := []struct {
		name string
		t    reflect.Type
		want
	}{
		{"bool", reflect.TypeFor[bool](), want{1, 1, 1, 1, "", ""}},
		{"s8", reflect.TypeFor[int8](), want{1, 1, 1, 1, "", ""}},
		{"u16", reflect.TypeFor[uint16](), want{2, 2, 2, 2, "", ""}},
		{"u32", reflect.TypeFor[uint32](), want{4, 4, 4, 4, "", ""}},
		{"u64", reflect.TypeFor[uint64](), want{8, 8, 8, 8, "", ""}},
		{"f32", reflect.TypeFor[float32](), want{4, 4, 4, 4, "", ""}},
		{"f64", reflect.TypeFor[float64](), want{8, 8, 8, 8, "", ""}},
		{"char", reflect.TypeFor[Char](), want{4, 4, 4, 4, "", ""}},
		{"string", reflect.TypeFor[string](), want{8, 4, 16, 8, "[i32 i32]", "[i64 i64]"}},
		{"list<u8>", reflect.TypeFor[[]uint8](), want{8, 4, 16, 8, "[i32 i32]", "[i64 i64]"}},
		{"list<u64>", reflect.TypeFor[[]uint64](), want{8, 4, 16, 8, "", ""}},
		{"list<u8,3>", reflect.TypeFor[[3]uint8](), want{3, 1, 3, 1, "[i32 i32 i32]", "[i32 i32 i32]"}},
		{"list<u32,5>", reflect.TypeFor[[5]uint32](), want{20, 4, 20, 4, "", ""}},
		{"list<string,2>", reflect.TypeFor[[2]string](), want{16, 4, 32, 8, "", ""}},
		{"own<r>", reflect.TypeFor[Own[r]](), want{4, 4, 4, 4, "", ""}},
		{"borrow<r>", reflect.TypeFor[Borrow[r]](), want{4, 4, 4, 4, "", ""}},
		{"tuple<u8,u32,u8>", reflect.TypeFor[tupU8U32U8](), want{12, 4, 12, 4, "", ""}},
		{"tuple<u8,u16>", reflect.TypeFor[tupU8U16](), want{4, 2, 4, 2, "", ""}},
		{"tuple<u64,u8>", reflect.TypeFor[tupU64U8](), want{16, 8, 16, 8, "", ""}},
		{"tuple<u8,string>", reflect.TypeFor[tupU8String](), want{12, 4, 24, 8, "", ""}},
		{"record{a:u8,b:u64,c:u16}", reflect.TypeFor[recABC](), want{24, 8, 24, 8, "", ""}},
		{"tuple<u8,tuple<u8,u32>,u8>", reflect.TypeFor[tupNest](), want{16, 4, 16, 4, "", ""}},
		{"option<u8>", reflect.TypeFor[Option[uint8]](), want{2, 1, 2, 1, "", ""}},
		{"option<u32>", reflect.TypeFor[Option[uint32]](), want{8, 4, 8, 4, "", ""}},
		{"option<u64>", reflect.TypeFor[Option[uint64]](), want{16, 8, 16, 8, "[i32 i64]", "[i32 i64]"}},
		{"option<string>", reflect.TypeFor[Option[string]](), want{12, 4, 24, 8, "", ""}},
		{"option<option<u8>>", reflect.TypeFor[Option[Option[uint8]]](), want{3, 1, 3, 1, "", ""}},
		{"result", reflect.TypeFor[Result[struct{}, struct{}]](), want{1, 1, 1, 1, "", ""}},
		{"result<u8>", reflect.TypeFor[Result[uint8, struct{}]](), want{2, 1, 2, 1, "", ""}},
		{"result<_,u32>", reflect.TypeFor[Result[struct{}, uint32]](), want{8, 4, 8, 4, "", ""}},
		{"result<string,u32>", reflect.TypeFor[Result[string, uint32]](), want{12, 4, 24, 8, "", ""}},
		{"result<u64,string>", reflect.TypeFor[Result[uint64, string]](), want{16, 8, 24, 8, "", ""}},
		{"result<f32,u32>", reflect.TypeFor[Result[float32, uint32]](), want{8, 4, 8, 4, "[i32 i32]", "[i32 i32]"}},
		{"variant{a,b(u16),c(f64)}", reflect.TypeFor[varABC](), want{16, 8, 16, 8, "", ""}},
		{"variant{a(u8),b(tuple<u32,u32,u32>)}", reflect.TypeFor[varTuple3](), want{16, 4, 16, 4, "", ""}},
		{"variant{a(f32),b(u64)}", reflect.TypeFor[varF32U64](), want{16, 8, 16, 8, "[i32 i64]", "[i32 i64]"}},
		{"variant{a(f64),b(u32)}", reflect.TypeFor[varF64U32](), want{16, 8, 16, 8, "[i32 i64]", "[i32 i64]"}},
		{"enum(1)", reflect.TypeFor[enum1](), want{1, 1, 1, 1, "", ""}},
		{"enum(256)", reflect.TypeFor[enum256](), want{1, 1, 1, 1, "", ""}},
		{"enum(257)", reflect.TypeFor[enum257](), want{2, 2, 2, 2, "", ""}},
		{"enum(65536)", reflect.TypeFor[enum65536](), want{2, 2, 2, 2, "", ""}},
		{"enum(65537)", reflect.TypeFor[enum65537](), want{4, 4, 4, 4, "", ""}},
		{"flags(1)", reflect.TypeFor[flags1](), want{1, 1, 1, 1, "", ""}},
		{"flags(8)", reflect.TypeFor[flags8](), want{1, 1, 1, 1, "", ""}},
		{"flags(9)", reflect.TypeFor[flags9](), want{2, 2, 2, 2, "", ""}},
		{"flags(16)", reflect.TypeFor[flags16](), want{2, 2, 2, 2, "", ""}},
		{"flags(17)", reflect.TypeFor[flags17](), want{4, 4, 4, 4, "[i32]", "[i32]"}},
		{"flags(32)", reflect.TypeFor[flags32](), want{4, 4, 4, 4, "", ""}},
		{"record{a:bool,b:flags(9),c:char}", reflect.TypeFor[recBoolFlagsChar](), want{8, 4, 8, 4, "", ""}},
		{"record{a:u8,b:string}", reflect.TypeFor[recU8String](), want{12, 4, 24, 8, "[i32 i32 i32]", "[i32 i64 i64]"}},
	}
	for _, row := range rows {
		p32, err := planOf(row.t, 4)
		if err != nil {
			t.Fatalf("%s: %v", row.name, err)
		}
		p64, err := planOf(row.t, 8)
		if err != nil {
			t.Fatalf("%s: %v", row.name, err)
		}
		got := want{p32.size, p32.align, p64.size, p64.align, row.flat32, row.flat64}
		if row.flat32 != "" {
			got.flat32, got.flat64 = fmtFlat(p32.flat), fmtFlat(p64.flat)
		}
		if d := cmp.Diff(row.want, got, cmp.AllowUnexported(want{})); d != "" {
			t.Errorf("%s (-want +got):\n%s", row.name, d)
		}
	}
}

func fmtFlat(f []CoreType) string {
	s := "["
	for i, c := range f {
		if i > 0 {
			s += " "
		}
		s += c.String()
	}
	return s + "]"
}

// TestPayloadOffsets checks the variant payload offsets of the vectors.
func TestPayloadOffsets(t *testing.T) {
	rows := []struct {
		t          reflect.Type
		off32, o64 uint64
	}{
		{reflect.TypeFor[Option[uint8]](), 1, 1},
		{reflect.TypeFor[Option[uint32]](), 4, 4},
		{reflect.TypeFor[Option[string]](), 4, 8},
		{reflect.TypeFor[Result[uint64, string]](), 8, 8},
		{reflect.TypeFor[varABC](), 8, 8},
		{reflect.TypeFor[varTuple3](), 4, 4},
	}
	for _, row := range rows {
		p32, _ := planOf(row.t, 4)
		p64, _ := planOf(row.t, 8)
		if d := cmp.Diff([2]uint64{row.off32, row.o64}, [2]uint64{p32.payloadOff, p64.payloadOff}); d != "" {
			t.Errorf("%v (-want +got):\n%s", row.t, d)
		}
	}
}

// TestAgreesWithLayoutEngine checks that records of scalars and
// variants get the same layout from package layout as here.
func TestAgreesWithLayoutEngine(t *testing.T) {
	for _, typ := range []reflect.Type{reflect.TypeFor[recABC](), reflect.TypeFor[tupU8U32U8](), reflect.TypeFor[varABC](), reflect.TypeFor[varTuple3](), reflect.TypeFor[tupNest]()} {
		for _, abi := range abis {
			l, err := layout.Of(typ, abi)
			if err != nil {
				t.Fatalf("%v: %v", typ, err)
			}
			p, err := planOf(typ, ptrSizeOf(abi))
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff([2]uint64{l.Size, l.Align}, [2]uint64{p.size, p.align}); d != "" {
				t.Errorf("%v %v (-layout +canonical):\n%s", typ, abi, d)
			}
		}
	}
}
