package layout_test

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/guestkit/guestkit/layout"
)

// Component Model (canonical ABI) types. A string is gspan[byte], a
// list<T> gspan[T]; a variant is a u8 tag followed by its cases; option<T>
// is case 0 none (struct{}) and case 1 some; result<T, E> is case 0 ok and
// case 1 error; flags are 1, 2 or 4 bytes by label count.
type (
	cmFlags3  uint8  // flags with 3 labels
	cmFlags8  uint8  // 8 labels: still one byte
	cmFlags9  uint16 // 9 labels: two bytes
	cmFlags17 uint32 // 17 labels: four bytes
	cmEnum3   uint8  // enum with 3 cases
	cmHandle  uint32 // own<T> or borrow<T>: 4/4 on both widths
)

func (cmFlags3) GuestFlagsMask() uint64  { return 0x7 }
func (cmFlags8) GuestFlagsMask() uint64  { return 0xff }
func (cmFlags9) GuestFlagsMask() uint64  { return 0x1ff }
func (cmFlags17) GuestFlagsMask() uint64 { return 0x1ffff }
func (cmEnum3) GuestEnumCases() uint64   { return 3 }

type cmRecord struct { // record { a: u8, b: u32, c: u16 }
	A uint8
	B uint32
	C uint16
}

type cmPerson struct { // record { name: string, age: u8 }
	Name gspan[byte]
	Age  uint8
}

type cmTuple struct { // tuple<u8, u64, u8>
	F0 uint8
	F1 uint64
	F2 uint8
}

type cmTuple2 struct { // tuple<u16, u8>
	F0 uint16
	F1 uint8
}

type cmTupleNest struct { // tuple<tuple<u16, u8>, u8, tuple<u8, u64, u8>>
	A cmTuple2
	B uint8
	C cmTuple
}

type cmOptionU8 struct { // option<u8>
	Tag  uint8    `guest:",tag"`
	None struct{} `guest:",case=0"`
	Some uint8    `guest:",case=1"`
}

type cmOptionU64 struct { // option<u64>
	Tag  uint8    `guest:",tag"`
	None struct{} `guest:",case=0"`
	Some uint64   `guest:",case=1"`
}

type cmOptionString struct { // option<string>
	Tag  uint8       `guest:",tag"`
	None struct{}    `guest:",case=0"`
	Some gspan[byte] `guest:",case=1"`
}

type cmPoint struct { // record { x: f32, y: f64 }
	X float32
	Y float64
}

type cmOptionPoint struct { // option<point>
	Tag  uint8    `guest:",tag"`
	None struct{} `guest:",case=0"`
	Some cmPoint  `guest:",case=1"`
}

type cmResult struct { // result<u32, string>
	Tag uint8       `guest:",tag"`
	Ok  uint32      `guest:",case=0"`
	Err gspan[byte] `guest:",case=1"`
}

type cmResultEmpty struct { // result (no payloads)
	Tag uint8    `guest:",tag"`
	Ok  struct{} `guest:",case=0"`
	Err struct{} `guest:",case=1"`
}

type cmVariant struct { // variant { a(u32), b(f64), c, d(tuple<u16, u8>) }
	Tag uint8    `guest:",tag"`
	A   uint32   `guest:",case=0"`
	B   float64  `guest:",case=1"`
	C   struct{} `guest:",case=2"`
	D   cmTuple2 `guest:",case=3"`
}

type cmVariantEnumTag struct { // a variant whose tag is an enum type
	Tag cmEnum3  `guest:",tag"`
	A   uint16   `guest:",case=0"`
	B   cmTuple2 `guest:",case=1"`
	C   struct{} `guest:",case=2"`
}

type cmVariantList struct { // variant { names(list<string>), one(person), nothing }
	Tag     uint8              `guest:",tag"`
	Names   gspan[gspan[byte]] `guest:",case=0"`
	One     cmPerson           `guest:",case=1"`
	Nothing struct{}           `guest:",case=2"`
}

type cmFlagsRecord struct {
	F3  cmFlags3
	F9  cmFlags9
	F17 cmFlags17
	F8  cmFlags8
}

type cmArrays struct {
	A uint8
	B [3]uint16
	C uint8
}

type cmNested struct {
	ID    uint32
	Name  gspan[byte]
	Tags  gspan[gspan[byte]]
	Pos   cmOptionPoint
	Res   cmResult
	Flags cmFlags9
	Owner cmHandle
	Ch    rune // char: i32-sized
}

func TestComponentModel(t *testing.T) {
	tests := []struct {
		typ      reflect.Type
		w32, w64 shape
	}{
		{typ: reflect.TypeFor[cmRecord](),
			// b: align_up(1, 4) = 4; c: 8; end 10 -> 12.
			w32: shape{layout.Struct, 12, 4, []string{"A@0", "B@4", "C@8"}},
			w64: shape{layout.Struct, 12, 4, []string{"A@0", "B@4", "C@8"}}},
		{typ: reflect.TypeFor[cmPerson](),
			// the string is 8/4 on wasm32 and 16/8 on wasm64.
			w32: shape{layout.Struct, 12, 4, []string{"Name@0", "Age@8"}},
			w64: shape{layout.Struct, 24, 8, []string{"Name@0", "Age@16"}}},
		{typ: reflect.TypeFor[cmTuple](),
			w32: shape{layout.Struct, 24, 8, []string{"F0@0", "F1@8", "F2@16"}},
			w64: shape{layout.Struct, 24, 8, []string{"F0@0", "F1@8", "F2@16"}}},
		{typ: reflect.TypeFor[cmTuple2](),
			w32: shape{layout.Struct, 4, 2, []string{"F0@0", "F1@2"}},
			w64: shape{layout.Struct, 4, 2, []string{"F0@0", "F1@2"}}},
		{typ: reflect.TypeFor[cmTupleNest](),
			// A is 4/2; B at 4; C is 24/8 at align_up(5, 8) = 8; 32.
			w32: shape{layout.Struct, 32, 8, []string{"A@0", "B@4", "C@8"}},
			w64: shape{layout.Struct, 32, 8, []string{"A@0", "B@4", "C@8"}}},
		{typ: reflect.TypeFor[cmOptionU8](),
			// payload align_up(1, 1) = 1; size 1 + 1.
			w32: shape{layout.Variant, 2, 1, []string{"Tag@0 tag", "None@1 case=0", "Some@1 case=1"}},
			w64: shape{layout.Variant, 2, 1, []string{"Tag@0 tag", "None@1 case=0", "Some@1 case=1"}}},
		{typ: reflect.TypeFor[cmOptionU64](),
			w32: shape{layout.Variant, 16, 8, []string{"Tag@0 tag", "None@8 case=0", "Some@8 case=1"}},
			w64: shape{layout.Variant, 16, 8, []string{"Tag@0 tag", "None@8 case=0", "Some@8 case=1"}}},
		{typ: reflect.TypeFor[cmOptionString](),
			// wasm32: payload align_up(1, 4) = 4, size 4 + 8 = 12.
			// wasm64: payload align_up(1, 8) = 8, size 8 + 16 = 24.
			w32: shape{layout.Variant, 12, 4, []string{"Tag@0 tag", "None@4 case=0", "Some@4 case=1"}},
			w64: shape{layout.Variant, 24, 8, []string{"Tag@0 tag", "None@8 case=0", "Some@8 case=1"}}},
		{typ: reflect.TypeFor[cmOptionPoint](),
			// point is 16/8: payload 8, size 24.
			w32: shape{layout.Variant, 24, 8, []string{"Tag@0 tag", "None@8 case=0", "Some@8 case=1"}},
			w64: shape{layout.Variant, 24, 8, []string{"Tag@0 tag", "None@8 case=0", "Some@8 case=1"}}},
		{typ: reflect.TypeFor[cmResult](),
			// max case: u32 4/4 and string 8/4 (wasm32) or 16/8 (wasm64).
			w32: shape{layout.Variant, 12, 4, []string{"Tag@0 tag", "Ok@4 case=0", "Err@4 case=1"}},
			w64: shape{layout.Variant, 24, 8, []string{"Tag@0 tag", "Ok@8 case=0", "Err@8 case=1"}}},
		{typ: reflect.TypeFor[cmResultEmpty](),
			w32: shape{layout.Variant, 1, 1, []string{"Tag@0 tag", "Ok@1 case=0", "Err@1 case=1"}},
			w64: shape{layout.Variant, 1, 1, []string{"Tag@0 tag", "Ok@1 case=0", "Err@1 case=1"}}},
		{typ: reflect.TypeFor[cmVariant](),
			// case alignment 8 (f64): payload 8, largest case 8, size 16.
			w32: shape{layout.Variant, 16, 8, []string{"Tag@0 tag", "A@8 case=0", "B@8 case=1", "C@8 case=2", "D@8 case=3"}},
			w64: shape{layout.Variant, 16, 8, []string{"Tag@0 tag", "A@8 case=0", "B@8 case=1", "C@8 case=2", "D@8 case=3"}}},
		{typ: reflect.TypeFor[cmVariantEnumTag](),
			// case alignment 2: payload 2, largest case 4, size 6.
			w32: shape{layout.Variant, 6, 2, []string{"Tag@0 tag", "A@2 case=0", "B@2 case=1", "C@2 case=2"}},
			w64: shape{layout.Variant, 6, 2, []string{"Tag@0 tag", "A@2 case=0", "B@2 case=1", "C@2 case=2"}}},
		{typ: reflect.TypeFor[cmVariantList](),
			// wasm32: cases 8/4 and 12/4: payload 4, size 16.
			// wasm64: cases 16/8 and 24/8: payload 8, size 32.
			w32: shape{layout.Variant, 16, 4, []string{"Tag@0 tag", "Names@4 case=0", "One@4 case=1", "Nothing@4 case=2"}},
			w64: shape{layout.Variant, 32, 8, []string{"Tag@0 tag", "Names@8 case=0", "One@8 case=1", "Nothing@8 case=2"}}},
		{typ: reflect.TypeFor[cmFlagsRecord](),
			// 1-byte flags at 0, 2-byte at 2, 4-byte at 4, 1-byte at 8; 9 -> 12.
			w32: shape{layout.Struct, 12, 4, []string{"F3@0", "F9@2", "F17@4", "F8@8"}},
			w64: shape{layout.Struct, 12, 4, []string{"F3@0", "F9@2", "F17@4", "F8@8"}}},
		{typ: reflect.TypeFor[cmArrays](),
			w32: shape{layout.Struct, 10, 2, []string{"A@0", "B@2", "C@8"}},
			w64: shape{layout.Struct, 10, 2, []string{"A@0", "B@2", "C@8"}}},
		{typ: reflect.TypeFor[cmNested](),
			// wasm32: ID 0; Name 4 (8/4) -> 12; Tags 12 -> 20;
			// Pos 24/8 at 24 -> 48; Res 12/4 at 48 -> 60; Flags 60 -> 62;
			// Owner 64 -> 68; Ch 68 -> 72; align 8, size 72.
			w32: shape{layout.Struct, 72, 8, []string{"ID@0", "Name@4", "Tags@12", "Pos@24", "Res@48", "Flags@60", "Owner@64", "Ch@68"}},
			// wasm64: ID 0; Name 16/8 at 8 -> 24; Tags 24 -> 40;
			// Pos at 40 -> 64; Res 24/8 at 64 -> 88; Flags 88 -> 90;
			// Owner 92 -> 96; Ch 96 -> 100; align 8, size 104.
			w64: shape{layout.Struct, 104, 8, []string{"ID@0", "Name@8", "Tags@24", "Pos@40", "Res@64", "Flags@88", "Owner@92", "Ch@96"}}},
	}
	for _, tc := range tests {
		t.Run(tc.typ.Name(), func(t *testing.T) {
			checkShape(t, tc.typ, layout.Wasm32, tc.w32)
			checkShape(t, tc.typ, layout.Wasm64, tc.w64)
		})
	}
}

// TestComponentModelScalars checks the size, alignment, kind and check of
// the canonical scalar leaves on both widths.
func TestComponentModelScalars(t *testing.T) {
	type leaf struct {
		Kind        layout.Kind
		Size, Align uint64
		Check       layout.Check
		Guest       string
	}
	tests := []struct {
		typ      reflect.Type
		w32, w64 leaf
	}{
		{reflect.TypeFor[bool](), leaf{layout.Bool, 1, 1, layout.Check{Kind: layout.CheckBool}, "bool"}, leaf{layout.Bool, 1, 1, layout.Check{Kind: layout.CheckBool}, "bool"}},
		{reflect.TypeFor[int8](), leaf{layout.Int, 1, 1, layout.Check{}, "i8"}, leaf{layout.Int, 1, 1, layout.Check{}, "i8"}},
		{reflect.TypeFor[uint16](), leaf{layout.Uint, 2, 2, layout.Check{}, "u16"}, leaf{layout.Uint, 2, 2, layout.Check{}, "u16"}},
		{reflect.TypeFor[rune](), leaf{layout.Int, 4, 4, layout.Check{}, "i32"}, leaf{layout.Int, 4, 4, layout.Check{}, "i32"}},
		{reflect.TypeFor[float32](), leaf{layout.Float, 4, 4, layout.Check{}, "f32"}, leaf{layout.Float, 4, 4, layout.Check{}, "f32"}},
		{reflect.TypeFor[float64](), leaf{layout.Float, 8, 8, layout.Check{}, "f64"}, leaf{layout.Float, 8, 8, layout.Check{}, "f64"}},
		{reflect.TypeFor[int64](), leaf{layout.Int, 8, 8, layout.Check{}, "i64"}, leaf{layout.Int, 8, 8, layout.Check{}, "i64"}},
		{reflect.TypeFor[cmHandle](), leaf{layout.Uint, 4, 4, layout.Check{}, "u32"}, leaf{layout.Uint, 4, 4, layout.Check{}, "u32"}},
		{reflect.TypeFor[cmFlags3](), leaf{layout.Uint, 1, 1, layout.Check{Kind: layout.CheckFlags, Mask: 0x7}, "u8 flags(0x7)"}, leaf{layout.Uint, 1, 1, layout.Check{Kind: layout.CheckFlags, Mask: 0x7}, "u8 flags(0x7)"}},
		{reflect.TypeFor[cmFlags9](), leaf{layout.Uint, 2, 2, layout.Check{Kind: layout.CheckFlags, Mask: 0x1ff}, "u16 flags(0x1ff)"}, leaf{layout.Uint, 2, 2, layout.Check{Kind: layout.CheckFlags, Mask: 0x1ff}, "u16 flags(0x1ff)"}},
		{reflect.TypeFor[cmFlags17](), leaf{layout.Uint, 4, 4, layout.Check{Kind: layout.CheckFlags, Mask: 0x1ffff}, "u32 flags(0x1ffff)"}, leaf{layout.Uint, 4, 4, layout.Check{Kind: layout.CheckFlags, Mask: 0x1ffff}, "u32 flags(0x1ffff)"}},
		{reflect.TypeFor[cmEnum3](), leaf{layout.Uint, 1, 1, layout.Check{Kind: layout.CheckEnum, Cases: 3}, "u8 enum(3)"}, leaf{layout.Uint, 1, 1, layout.Check{Kind: layout.CheckEnum, Cases: 3}, "u8 enum(3)"}},
		{reflect.TypeFor[gspan[byte]](), leaf{layout.Span, 8, 4, layout.Check{}, "ptr+len<uint8>"}, leaf{layout.Span, 16, 8, layout.Check{}, "ptr+len<uint8>"}},
		{reflect.TypeFor[gspan[cmPoint]](), leaf{layout.Span, 8, 4, layout.Check{}, "ptr+len<layout_test.cmPoint>"}, leaf{layout.Span, 16, 8, layout.Check{}, "ptr+len<layout_test.cmPoint>"}},
		{reflect.TypeFor[gptr[uint64]](), leaf{layout.Pointer, 4, 4, layout.Check{}, "ptr<uint64>"}, leaf{layout.Pointer, 8, 8, layout.Check{}, "ptr<uint64>"}},
		{reflect.TypeFor[[3]uint16](), leaf{layout.Array, 6, 2, layout.Check{}, "[3]u16"}, leaf{layout.Array, 6, 2, layout.Check{}, "[3]u16"}},
		{reflect.TypeFor[[2]gspan[byte]](), leaf{layout.Array, 16, 4, layout.Check{}, "[2]ptr+len<uint8>"}, leaf{layout.Array, 32, 8, layout.Check{}, "[2]ptr+len<uint8>"}},
	}
	for _, tc := range tests {
		t.Run(tc.typ.String(), func(t *testing.T) {
			for _, abi := range []layout.ABI{layout.Wasm32, layout.Wasm64} {
				want := tc.w32
				if abi == layout.Wasm64 {
					want = tc.w64
				}
				l := mustOf(t, tc.typ, abi)
				got := leaf{l.Kind, l.Size, l.Align, l.Check, l.GuestType()}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("%v (-want +got):\n%s", abi, diff)
				}
			}
		})
	}
}

// variantOf builds a tagged union with a tag of type tag and n cases of
// type elem, numbered 0 to n-1.
func variantOf(tag, elem reflect.Type, n int) reflect.Type {
	fields := []reflect.StructField{{Name: "Tag", Type: tag, Tag: `guest:",tag"`}}
	for i := range n {
		fields = append(fields, reflect.StructField{Name: fmt.Sprintf("C%d", i), Type: elem, Tag: reflect.StructTag(fmt.Sprintf(`guest:",case=%d"`, i))})
	}
	return reflect.StructOf(fields)
}

// TestComponentModelTagWidth checks a variant at each tag width: 256 cases
// fit a u8 tag, 257 need a u16 one.
func TestComponentModelTagWidth(t *testing.T) {
	u8, u16, u32 := reflect.TypeFor[uint8](), reflect.TypeFor[uint16](), reflect.TypeFor[uint32]()
	tests := []struct {
		name        string
		typ         reflect.Type
		size, align uint64
		payload     uint64
	}{
		{"256 cases, u8 tag", variantOf(u8, u8, 256), 2, 1, 1},
		// payload align_up(2, 1) = 2; 2 + 1 = 3, rounded to 2: 4.
		{"257 cases, u16 tag", variantOf(u16, u8, 257), 4, 2, 2},
		{"257 u32 cases, u16 tag", variantOf(u16, u32, 257), 8, 4, 4},
		// payload align_up(4, 2) = 4; 4 + 2 = 6, rounded to 4: 8.
		{"3 u16 cases, u32 tag", variantOf(u32, u16, 3), 8, 4, 4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, abi := range []layout.ABI{layout.Wasm32, layout.Wasm64} {
				l := mustOf(t, tc.typ, abi)
				type got struct {
					Kind                       layout.Kind
					Size, Align, Payload, Last uint64
				}
				last := l.Fields[len(l.Fields)-1]
				g := got{l.Kind, l.Size, l.Align, last.Offset, last.Case}
				w := got{layout.Variant, tc.size, tc.align, tc.payload, uint64(tc.typ.NumField() - 2)}
				if diff := cmp.Diff(w, g); diff != "" {
					t.Errorf("%v (-want +got):\n%s", abi, diff)
				}
			}
		})
	}
	// 257 cases do not fit a u8 tag: case 256 is the first too big.
	typ := variantOf(u8, u8, 257)
	wantError(t, typ, layout.Wasm32, "C256", "case=256 does not fit the tag Tag")
}
