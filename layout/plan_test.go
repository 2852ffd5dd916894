package layout_test

import (
	"reflect"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/guestkit/guestkit/layout"
)

// sameType compares reflect.Types by identity; cmp cannot look inside them.
var sameType = cmp.Comparer(func(a, b reflect.Type) bool { return a == b })

type allU32 struct{ A, B, C uint32 }

type unionBlankFirst struct { // C: union { char _pad[8]; struct {} e; u32 a; u16 b; }
	_ struct{} `guest:",union"`
	_ [8]byte
	E struct{}
	A uint32
	B uint16
}

type narrowArrays struct {
	E [3]wasiFiletype
	U [2]int `guest:"u16"`
	S [2]int `guest:"i8"`
}

func planOf(t *testing.T, typ reflect.Type, abi layout.ABI) *layout.Plan {
	t.Helper()
	l := mustOf(t, typ, abi)
	if l.Plan == nil {
		t.Fatalf("%v: nil Plan", typ)
	}
	if l.Plan.Size != l.Size || l.Plan.Transparent != l.Transparent {
		t.Errorf("%v: Plan size %d transparent %v, layout size %d transparent %v", typ, l.Plan.Size, l.Plan.Transparent, l.Size, l.Transparent)
	}
	return l.Plan
}

func TestPlan(t *testing.T) {
	tFiletype, tFdflags, tRights := reflect.TypeFor[wasiFiletype](), reflect.TypeFor[wasiFdflags](), reflect.TypeFor[wasiRights]()
	enum8 := layout.Check{Kind: layout.CheckEnum, Cases: 8}
	tests := []struct {
		name string
		typ  reflect.Type
		abi  layout.ABI
		want []layout.Op
	}{
		{"fdstat: one block with four checks", reflect.TypeFor[wasiFdstat](), layout.Wasm32, []layout.Op{
			{Code: layout.OpBlock, Size: 24, Type: reflect.TypeFor[wasiFdstat](), Block: &layout.Block{
				Checks: []layout.Op{
					{Code: layout.OpUint, Width: 1, GoWidth: 1, Check: enum8, Offset: 0, GoOffset: 0, Type: tFiletype, Path: "FsFiletype"},
					{Code: layout.OpUint, Width: 2, GoWidth: 2, Check: layout.Check{Kind: layout.CheckFlags, Mask: 0x1f}, Offset: 2, GoOffset: 2, Type: tFdflags, Path: "FsFlags"},
					{Code: layout.OpUint, Width: 8, GoWidth: 8, Check: layout.Check{Kind: layout.CheckFlags, Mask: 1<<30 - 1}, Offset: 8, GoOffset: 8, Type: tRights, Path: "FsRightsBase"},
					{Code: layout.OpUint, Width: 8, GoWidth: 8, Check: layout.Check{Kind: layout.CheckFlags, Mask: 1<<30 - 1}, Offset: 16, GoOffset: 16, Type: tRights, Path: "FsRightsInheriting"},
				},
				// Padding at 1 and 4..7 is never written.
				Spans: []layout.ByteRange{{Offset: 0, Size: 1}, {Offset: 2, Size: 2}, {Offset: 8, Size: 16}},
			}},
		}},
		{"all u32: one copy", reflect.TypeFor[allU32](), layout.Wasm32, []layout.Op{
			{Code: layout.OpCopy, Size: 12, Type: reflect.TypeFor[allU32]()},
		}},
		{"record: a block whose spans skip padding", reflect.TypeFor[cmRecord](), layout.Wasm32, []layout.Op{
			{Code: layout.OpBlock, Size: 12, Type: reflect.TypeFor[cmRecord](), Block: &layout.Block{
				Spans: []layout.ByteRange{{Offset: 0, Size: 1}, {Offset: 4, Size: 6}}, // B and C merged
			}},
		}},
		{"blank fields are outside the spans", reflect.TypeFor[optBlank](), layout.Wasm32, []layout.Op{
			{Code: layout.OpBlock, Size: 16, Type: reflect.TypeFor[optBlank](), Block: &layout.Block{
				Spans: []layout.ByteRange{{Offset: 0, Size: 1}, {Offset: 4, Size: 1}, {Offset: 12, Size: 4}},
			}},
		}},
		{"union: later members are read-only", reflect.TypeFor[optUnion](), layout.Wasm32, []layout.Op{
			{Code: layout.OpCopy, Size: 1, Offset: 0, GoOffset: 0, Type: reflect.TypeFor[uint8](), Path: "C"},
			{Code: layout.OpCopy, Size: 8, Offset: 0, GoOffset: 8, Type: reflect.TypeFor[float64](), Path: "D", ReadOnly: true},
			{Code: layout.OpCopy, Size: 4, Offset: 0, GoOffset: 16, Type: reflect.TypeFor[int32](), Path: "I", ReadOnly: true},
		}},
		{"union: blank and empty members are not the written one", reflect.TypeFor[unionBlankFirst](), layout.Wasm32, []layout.Op{
			{Code: layout.OpCopy, Size: 4, Offset: 0, GoOffset: 8, Type: reflect.TypeFor[uint32](), Path: "A"},
			{Code: layout.OpCopy, Size: 2, Offset: 0, GoOffset: 12, Type: reflect.TypeFor[uint16](), Path: "B", ReadOnly: true},
		}},
		{"integer guest pointers", reflect.TypeFor[struct {
			P intPtr
			A [2]intPtr
		}](), layout.Wasm64, []layout.Op{
			{Code: layout.OpPointer, Offset: 0, GoOffset: 0, Type: reflect.TypeFor[intPtr](), Path: "P"},
			{Code: layout.OpArray, Size: 2, Stride: 8, GoStride: 8, Offset: 8, GoOffset: 8, Type: reflect.TypeFor[[2]intPtr](), Path: "A",
				Elem: []layout.Op{{Code: layout.OpPointer, Type: reflect.TypeFor[intPtr]()}}},
		}},
		{"iovec on wasm64: a pointer and a u32", reflect.TypeFor[wasiIovec](), layout.Wasm64, []layout.Op{
			{Code: layout.OpPointer, Offset: 0, GoOffset: 0, Type: reflect.TypeFor[gptr[byte]](), Path: "Buf"},
			{Code: layout.OpCopy, Size: 4, Offset: 8, GoOffset: 8, Type: reflect.TypeFor[uint32](), Path: "BufLen"},
		}},
		{"person: a span", reflect.TypeFor[cmPerson](), layout.Wasm32, []layout.Op{
			{Code: layout.OpSpan, Offset: 0, GoOffset: 0, Type: reflect.TypeFor[gspan[byte]](), Path: "Name"},
			{Code: layout.OpCopy, Size: 1, Offset: 8, GoOffset: 16, Type: reflect.TypeFor[uint8](), Path: "Age"},
		}},
		{"arrays: checked and narrowed elements", reflect.TypeFor[narrowArrays](), layout.Wasm32, []layout.Op{
			{Code: layout.OpBlock, Size: 3, Offset: 0, GoOffset: 0, Type: reflect.TypeFor[[3]wasiFiletype](), Path: "E", Block: &layout.Block{
				Checks: []layout.Op{
					{Code: layout.OpUint, Width: 1, GoWidth: 1, Check: enum8, Offset: 0, GoOffset: 0, Type: tFiletype, Path: "E[0]"},
					{Code: layout.OpUint, Width: 1, GoWidth: 1, Check: enum8, Offset: 1, GoOffset: 1, Type: tFiletype, Path: "E[1]"},
					{Code: layout.OpUint, Width: 1, GoWidth: 1, Check: enum8, Offset: 2, GoOffset: 2, Type: tFiletype, Path: "E[2]"},
				},
				Spans: []layout.ByteRange{{Offset: 0, Size: 3}},
			}},
			{Code: layout.OpArray, Size: 2, Stride: 2, GoStride: 8, Offset: 4, GoOffset: 8, Type: reflect.TypeFor[[2]int](), Path: "U",
				Elem: []layout.Op{{Code: layout.OpUint, Width: 2, GoWidth: 8, Type: reflect.TypeFor[int]()}}},
			{Code: layout.OpArray, Size: 2, Stride: 1, GoStride: 8, Offset: 8, GoOffset: 24, Type: reflect.TypeFor[[2]int](), Path: "S",
				Elem: []layout.Op{{Code: layout.OpInt, Width: 1, GoWidth: 8, Type: reflect.TypeFor[int]()}}},
		}},
		{"prestat: a variant", reflect.TypeFor[wasiPrestat](), layout.Wasm32, []layout.Op{
			{Code: layout.OpVariant, Width: 1, GoWidth: 1, Offset: 0, GoOffset: 0, Type: reflect.TypeFor[wasiPrestat](), Path: "Tag",
				Cases: []layout.Case{{
					Value: 0, GoOffset: 4, GoSize: 4, Type: reflect.TypeFor[wasiPrestatDir](),
					Ops: []layout.Op{{Code: layout.OpCopy, Size: 4, Offset: 4, GoOffset: 4, Type: reflect.TypeFor[wasiPrestatDir](), Path: "Dir"}},
				}}},
		}},
		{"option<u8>: the none case has no ops", reflect.TypeFor[cmOptionU8](), layout.Wasm64, []layout.Op{
			{Code: layout.OpVariant, Width: 1, GoWidth: 1, Offset: 0, GoOffset: 0, Type: reflect.TypeFor[cmOptionU8](), Path: "Tag",
				Cases: []layout.Case{
					{Value: 0, GoOffset: 1, GoSize: 0, Type: reflect.TypeFor[struct{}](), Ops: []layout.Op{}},
					{Value: 1, GoOffset: 1, GoSize: 1, Type: reflect.TypeFor[uint8](), Ops: []layout.Op{
						{Code: layout.OpCopy, Size: 1, Offset: 1, GoOffset: 1, Type: reflect.TypeFor[uint8](), Path: "Some"},
					}},
				}},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := planOf(t, tc.typ, tc.abi)
			if diff := cmp.Diff(tc.want, p.Ops, sameType, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("ops (-want +got):\n%s", diff)
			}
		})
	}
}

// TestPlanNested checks the ops of a tagged union inside a struct: offsets
// on both sides are from the outer value, and paths are dotted.
func TestPlanNested(t *testing.T) {
	p := planOf(t, reflect.TypeFor[wasiSubscription](), layout.Wasm32)
	type opSummary struct {
		Code            layout.OpCode
		Offset          uint64
		GoOffset        uintptr
		Size            uint64
		Width, GoWidth  uint8
		Path            string
		CaseValues, Ops []uint64
		CheckKind       layout.CheckKind
	}
	var got []opSummary
	for _, op := range p.Ops {
		s := opSummary{Code: op.Code, Offset: op.Offset, GoOffset: op.GoOffset, Size: op.Size, Width: op.Width, GoWidth: op.GoWidth, Path: op.Path, CheckKind: op.Check.Kind}
		for _, c := range op.Cases {
			s.CaseValues = append(s.CaseValues, c.Value)
			for _, cop := range c.Ops {
				s.Ops = append(s.Ops, cop.Offset)
			}
		}
		got = append(got, s)
	}
	want := []opSummary{
		{Code: layout.OpCopy, Offset: 0, GoOffset: 0, Size: 8, Path: "Userdata"},
		// Clock is one checked block at 16; FdRead and FdWrite are
		// copies at 16.
		{Code: layout.OpVariant, Offset: 8, GoOffset: 8, Width: 1, GoWidth: 1, Path: "U.Tag", CaseValues: []uint64{0, 1, 2}, Ops: []uint64{16, 16, 16}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ops (-want +got):\n%s", diff)
	}
	clock := p.Ops[1].Cases[0].Ops
	if len(clock) != 1 || clock[0].Code != layout.OpBlock {
		t.Fatalf("clock case: %+v, want one OpBlock", clock)
	}
	wantClock := []string{"U.Clock.ID", "U.Clock.Flags"} // the checked enum and flags
	var gotClock []string
	for _, op := range clock[0].Block.Checks {
		gotClock = append(gotClock, op.Path)
	}
	if diff := cmp.Diff(wantClock, gotClock); diff != "" {
		t.Errorf("clock case paths (-want +got):\n%s", diff)
	}
	if c := p.Ops[1].Cases[2]; c.GoOffset != 8+40+4 || c.GoSize != 4 {
		t.Errorf("FdWrite case: Go offset %d size %d, want 52 and 4", c.GoOffset, c.GoSize)
	}
}

type (
	withPadding struct {
		A uint8
		B uint32
	}
	withBool struct{ A, B, C, D bool }
	withSkip struct {
		A uint32
		S string `guest:"-"`
	}
	withAlign struct {
		_ struct{} `guest:",align=8"`
		A uint32
	}
	withBlank struct {
		A uint16
		_ [2]byte
	}
	nestedAllU32 struct {
		X allU32
		Y [2]uint32
		Z float32
	}
	withSignedI64 struct {
		W int `guest:"i64"`
	}
)

// TestTransparent checks which types are a plain copy.
func TestTransparent(t *testing.T) {
	tests := []struct {
		typ  reflect.Type
		want bool
	}{
		{reflect.TypeFor[uint32](), true},
		{reflect.TypeFor[float64](), true},
		{reflect.TypeFor[[4]uint32](), true},
		{reflect.TypeFor[allU32](), true},
		{reflect.TypeFor[nestedAllU32](), true},
		{reflect.TypeFor[cmTuple2](), false}, // 1 byte of tail padding
		{reflect.TypeFor[withPadding](), false},
		{reflect.TypeFor[withBool](), false}, // bools are checked
		{reflect.TypeFor[wasiFiletype](), false},
		{reflect.TypeFor[withSkip](), false},
		{reflect.TypeFor[withAlign](), false},
		{reflect.TypeFor[withBlank](), false},
		{reflect.TypeFor[optUnion](), false},
		{reflect.TypeFor[cmOptionU8](), false},
		{reflect.TypeFor[wasiIovec](), false},
		{reflect.TypeFor[withSignedI64](), reflect.TypeFor[int]().Size() == 8},
	}
	for _, tc := range tests {
		for _, abi := range []layout.ABI{layout.Wasm32, layout.Wasm64} {
			p := planOf(t, tc.typ, abi)
			if p.Transparent != tc.want {
				t.Errorf("%v on %v: Transparent %v, want %v", tc.typ, abi, p.Transparent, tc.want)
			}
			if tc.want {
				want := []layout.Op{{Code: layout.OpCopy, Size: p.Size, Type: tc.typ}}
				if diff := cmp.Diff(want, p.Ops, sameType); diff != "" {
					t.Errorf("%v: ops of a transparent type (-want +got):\n%s", tc.typ, diff)
				}
			}
		}
	}
}
