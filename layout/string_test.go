package layout_test

import (
	"reflect"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/guestkit/guestkit/layout"
)

func TestString(t *testing.T) {
	tests := []struct {
		typ  reflect.Type
		abi  layout.ABI
		want string
	}{
		{reflect.TypeFor[wasiSubscription](), layout.Wasm32, `layout_test.wasiSubscription  wasm32  size 48  align 8
offset  size  field                      guest type
     0     8  Userdata                   u64
     8    40  U                          variant
     8     1    Tag                      u8 enum(3)
     9     7                             /* 7-byte hole */
    16    32    Clock (case 0)           struct
    16     4      ID                     u32 enum(4)
    20     4                             /* 4-byte hole */
    24     8      Timeout                u64
    32     8      Precision              u64
    40     2      Flags                  u16 flags(0x1)
    42     6                             /* 6-byte hole */
    16     4    FdRead (case 1)          struct
    16     4      FileDescriptor         u32
    16     4    FdWrite (case 2)         struct
    16     4      FileDescriptor         u32
`},
		{reflect.TypeFor[cmOptionString](), layout.Wasm64, `layout_test.cmOptionString  wasm64  size 24  align 8
offset  size  field                      guest type
     0     1  Tag                        u8
     1     7                             /* 7-byte hole */
     8     0  None (case 0)              struct
     8    16  Some (case 1)              ptr+len<uint8>
`},
		{reflect.TypeFor[optUnionRound](), layout.Wasm32, `layout_test.optUnionRound  wasm32  size 8  align 4
offset  size  field                      guest type
     0     5  B                          [5]u8
     0     4  I                          u32
     5     3                             /* 3-byte hole */
`},
		{reflect.TypeFor[optBlank](), layout.Wasm32, `layout_test.optBlank  wasm32  size 16  align 4
offset  size  field                      guest type
     0     1  A                          u8
     1     3  _                          [3]u8
     4     1  B                          u8
     5     1                             /* 1-byte hole */
     6     4  _                          [2]u16
    10     2                             /* 2-byte hole */
    12     4  C                          u32
`},
		{reflect.TypeFor[allU32](), layout.Wasm64, `layout_test.allU32  wasm64  size 12  align 4  transparent
offset  size  field                      guest type
     0     4  A                          u32
     4     4  B                          u32
     8     4  C                          u32
`},
		{reflect.TypeFor[gptr[wasiIovec]](), layout.Wasm64, `layout_test.gptr[github.com/guestkit/guestkit/layout_test.wasiIovec]  wasm64  size 8  align 8
offset  size  field                      guest type
     0     8                             ptr<layout_test.wasiIovec>
`},
	}
	for _, tc := range tests {
		t.Run(tc.typ.Name(), func(t *testing.T) {
			got := mustOf(t, tc.typ, tc.abi).String()
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("String() (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNames(t *testing.T) {
	got := []string{
		layout.Wasm32.String(), layout.Wasm64.String(), layout.ABI{}.String(),
		layout.Invalid.String(), layout.Bool.String(), layout.Uint.String(), layout.Variant.String(), layout.Span.String(), layout.Kind(200).String(),
	}
	want := []string{"wasm32", "wasm64", "invalid ABI", "invalid", "bool", "uint", "variant", "span", "invalid"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("names (-want +got):\n%s", diff)
	}
	type abiFacts struct {
		Valid       bool
		PointerSize uint64
		MaxAddress  uint64
	}
	gotFacts := []abiFacts{
		{layout.Wasm32.Valid(), layout.Wasm32.PointerSize(), layout.Wasm32.MaxAddress()},
		{layout.Wasm64.Valid(), layout.Wasm64.PointerSize(), layout.Wasm64.MaxAddress()},
		{layout.ABI{}.Valid(), layout.ABI{}.PointerSize(), 0},
	}
	wantFacts := []abiFacts{{true, 4, 0xffffffff}, {true, 8, 0xffffffffffffffff}, {false, 0, 0}}
	if diff := cmp.Diff(wantFacts, gotFacts); diff != "" {
		t.Errorf("ABI facts (-want +got):\n%s", diff)
	}
}
