package layout_test

import (
	"reflect"
	"testing"

	"github.com/guestkit/guestkit/layout"
)

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
			l := mustOf(t, tc.typ, abi)
			if l.Transparent != tc.want {
				t.Errorf("%v on %v: Transparent %v, want %v", tc.typ, abi, l.Transparent, tc.want)
			}
			if l.Transparent && !l.Copyable {
				t.Errorf("%v on %v: transparent but not copyable", tc.typ, abi)
			}
		}
	}
}
