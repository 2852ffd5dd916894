package layout_test

import (
	"reflect"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/guestkit/guestkit/layout"
)

type optPacked struct { // C: struct __attribute__((packed)) {char c; int i;}
	_ struct{} `guest:",packed"`
	C uint8
	I uint32
}

type optPackedAligned struct { // a packed struct still honours align=N on a field
	_ struct{} `guest:",packed"`
	C uint8
	S uint16
	I uint32 `guest:",align=4"`
}

type optPackedNested struct { // the nested struct keeps its own layout, at offset 1
	_ struct{} `guest:",packed"`
	C uint8
	T cmTuple
}

type optStructAlign struct {
	_ struct{} `guest:",align=16"`
	A uint32
	B uint8
}

type optStructAlignSmall struct { // align=N never lowers the alignment
	_ struct{} `guest:",align=2"`
	A uint64
}

type optFieldAlign struct {
	A uint8
	B uint16 `guest:",align=8"`
	C uint8
}

type optOffset struct {
	A uint8
	B uint32 `guest:",offset=8"`
	C uint8
	D uint16 `guest:",offset=0x10"`
}

type optUnion struct { // C: union {char c; double d; int i;}
	_ struct{} `guest:",union"`
	C uint8
	D float64
	I int32
}

type optUnionRound struct { // the largest member, rounded up to the alignment
	_ struct{} `guest:",union"`
	B [5]byte
	I uint32
}

type optPackedUnion struct {
	_ struct{} `guest:",union"`
	_ struct{} `guest:",packed"`
	B [5]byte
	I uint32
}

type optBlank struct {
	A uint8
	_ [3]byte
	B uint8
	_ [2]uint16
	C uint32
}

type optSkip struct {
	A    uint8
	Name string         `guest:"-"`
	M    map[string]int `guest:"-"`
	B    uint16
}

type optOtherTags struct { // other keys are left alone
	A uint8  `json:"a,omitempty" guest:"u8"`
	B uint32 `json:"b"`
}

type optNarrow struct {
	I  int       `guest:"u32"`
	U  uint      `guest:"u16"`
	P  uintptr   `guest:"u32"`
	L  int64     `guest:"u32"`
	S  int64     `guest:"i8"`
	W  int       `guest:"i64"`
	A  [3]int    `guest:"u16"`
	AA [2][2]int `guest:"i32"`
}

type optCMarks struct { // C: struct {char c; long long x;} and friends
	C  uint8
	X  int64
	C2 uint8
	S  int16
}

func TestOptions(t *testing.T) {
	tests := []struct {
		typ  reflect.Type
		want shape
	}{
		{reflect.TypeFor[optPacked](), shape{layout.Struct, 5, 1, []string{"C@0", "I@1"}}},
		// S at 1 (packed), I raised to 4 by align=4: end 8, align 4.
		{reflect.TypeFor[optPackedAligned](), shape{layout.Struct, 8, 4, []string{"C@0", "S@1", "I@4"}}},
		{reflect.TypeFor[optPackedNested](), shape{layout.Struct, 25, 1, []string{"C@0", "T@1"}}},
		{reflect.TypeFor[optStructAlign](), shape{layout.Struct, 16, 16, []string{"A@0", "B@4"}}},
		{reflect.TypeFor[optStructAlignSmall](), shape{layout.Struct, 8, 8, []string{"A@0"}}},
		// B at align_up(1, 8) = 8, C at 10; end 11 -> 16.
		{reflect.TypeFor[optFieldAlign](), shape{layout.Struct, 16, 8, []string{"A@0", "B@8", "C@10"}}},
		// B placed at 8, C follows at 12, D placed at 16; end 18 -> 20.
		{reflect.TypeFor[optOffset](), shape{layout.Struct, 20, 4, []string{"A@0", "B@8", "C@12", "D@16"}}},
		{reflect.TypeFor[optUnion](), shape{layout.Union, 8, 8, []string{"C@0", "D@0", "I@0"}}},
		{reflect.TypeFor[optUnionRound](), shape{layout.Union, 8, 4, []string{"B@0", "I@0"}}},
		{reflect.TypeFor[optPackedUnion](), shape{layout.Union, 5, 1, []string{"B@0", "I@0"}}},
		// A, 3 blank bytes, B at 4, 4 blank bytes at 6 (align 2), C at 12.
		{reflect.TypeFor[optBlank](), shape{layout.Struct, 16, 4, []string{"A@0", "_@1", "B@4", "_@6", "C@12"}}},
		{reflect.TypeFor[optSkip](), shape{layout.Struct, 4, 2, []string{"A@0", "B@2"}}},
		{reflect.TypeFor[optOtherTags](), shape{layout.Struct, 8, 4, []string{"A@0", "B@4"}}},
		// I u32 0, U u16 4, P u32 8, L u32 12, S i8 16, W i64 24,
		// A [3]u16 32, AA [2][2]i32 at 40 (align 4); end 56.
		{reflect.TypeFor[optNarrow](), shape{layout.Struct, 56, 8, []string{"I@0", "U@4", "P@8", "L@12", "S@16", "W@24", "A@32", "AA@40"}}},
		{reflect.TypeFor[optCMarks](), shape{layout.Struct, 24, 8, []string{"C@0", "X@8", "C2@16", "S@18"}}},
	}
	for _, tc := range tests {
		t.Run(tc.typ.Name(), func(t *testing.T) {
			checkShape(t, tc.typ, layout.Wasm32, tc.want)
			checkShape(t, tc.typ, layout.Wasm64, tc.want)
		})
	}
}

// TestBlankFields checks that blank fields are listed as blank, with their
// size, and that nothing else is.
func TestBlankFields(t *testing.T) {
	l := mustOf(t, reflect.TypeFor[optBlank](), layout.Wasm32)
	type blank struct {
		Name  string
		Index int
		Blank bool
		Size  uint64
	}
	var got []blank
	for _, f := range l.Fields {
		got = append(got, blank{f.Name, f.Index, f.Blank, f.Layout.Size})
	}
	want := []blank{{"A", 0, false, 1}, {"_", 1, true, 3}, {"B", 2, false, 1}, {"_", 3, true, 4}, {"C", 4, false, 4}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("fields (-want +got):\n%s", diff)
	}
	// The skipped fields keep their Go index out of the list.
	l = mustOf(t, reflect.TypeFor[optSkip](), layout.Wasm32)
	if got, want := []int{l.Fields[0].Index, l.Fields[1].Index}, []int{0, 3}; !cmp.Equal(got, want) {
		t.Errorf("optSkip field indexes %v, want %v", got, want)
	}
}

// TestNarrowing checks what TYPE does to each field: kind, guest size and
// Go size, and that a narrowed field is not transparent.
func TestNarrowing(t *testing.T) {
	l := mustOf(t, reflect.TypeFor[optNarrow](), layout.Wasm32)
	type narrow struct {
		Name        string
		Guest       string
		Transparent bool
	}
	var got []narrow
	for _, f := range l.Fields {
		got = append(got, narrow{f.Name, f.Layout.GuestType(), f.Layout.Transparent})
	}
	want := []narrow{
		{"I", "u32", false},
		{"U", "u16", false},
		{"P", "u32", false},
		{"L", "u32", false},
		{"S", "i8", false},
		{"W", "i64", true}, // int is 8 bytes on the 64-bit hosts the tests run on
		{"A", "[3]u16", false},
		{"AA", "[2][2]i32", false},
	}
	if reflect.TypeFor[int]().Size() != 8 {
		want[5].Transparent = false
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("narrowed fields (-want +got):\n%s", diff)
	}
	if l.Transparent {
		t.Errorf("optNarrow is transparent; its Go and guest forms differ")
	}
}
