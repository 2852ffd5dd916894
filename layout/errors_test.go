package layout_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/guestkit/guestkit/layout"
)

type (
	signedEnum  int8
	enumFlags   uint8
	nilPointee  struct{}
	enumOfInt   int
	flagsOfBool bool
)

func (signedEnum) GuestEnumCases() uint64 { return 2 }
func (enumFlags) GuestEnumCases() uint64  { return 2 }
func (enumFlags) GuestFlagsMask() uint64  { return 3 }

// intPtr is a guest pointer whose Go form is an integer.
type intPtr uint64

func (intPtr) GuestPointer() layout.PointerInfo {
	return layout.PointerInfo{Pointee: reflect.TypeFor[uint16]()}
}

func (nilPointee) GuestPointer() layout.PointerInfo { return layout.PointerInfo{} }
func (enumOfInt) GuestEnumCases() uint64            { return 4 }
func (flagsOfBool) GuestFlagsMask() uint64          { return 1 }

// A bad field three levels down: the path names every step.
type badClock struct {
	ID      uint32
	Timeout string
}

type badU struct {
	Tag   uint8    `guest:",tag"`
	Clock badClock `guest:",case=0"`
}

type badSubscription struct {
	Userdata uint64
	U        badU
}

// malformedTag has a tag that go vet would reject in source.
var malformedTag = reflect.StructOf([]reflect.StructField{{Name: "A", Type: reflect.TypeFor[uint8](), Tag: `guest:"u8`}})

func TestErrors(t *testing.T) {
	tests := []struct {
		name   string
		typ    reflect.Type
		path   string
		reason string
	}{
		// Go types with no guest form.
		{"string", reflect.TypeFor[struct{ S string }](), "S", "Go type string (kind string) has no guest layout"},
		{"slice", reflect.TypeFor[struct{ S []uint32 }](), "S", "kind slice"},
		{"map", reflect.TypeFor[struct{ M map[int]int }](), "M", "kind map"},
		{"chan", reflect.TypeFor[struct{ C chan int }](), "C", "kind chan"},
		{"func", reflect.TypeFor[struct{ F func() }](), "F", "kind func"},
		{"interface", reflect.TypeFor[struct{ I any }](), "I", "kind interface"},
		{"Go pointer", reflect.TypeFor[struct{ P *uint32 }](), "P", "kind ptr"},
		{"Go pointer to a guest pointer", reflect.TypeFor[struct{ P *gptr[uint32] }](), "P", "kind ptr"},
		{"interface with GuestPointer", reflect.TypeFor[struct{ P layout.PointerType }](), "P", "kind interface"},
		{"complex", reflect.TypeFor[struct{ C complex64 }](), "C", "kind complex64"},
		{"uintptr without TYPE", reflect.TypeFor[struct {
			A uint8
			U uintptr
		}](), "U", "no fixed guest size"},
		{"int without TYPE", reflect.TypeFor[struct{ N int }](), "N", "Go type int has no fixed guest size"},
		{"uint without TYPE", reflect.TypeFor[struct{ N [2]uint }](), "N[]", "Go type uint has no fixed guest size"},
		{"array of strings", reflect.TypeFor[struct{ A [2]string }](), "A[]", "kind string"},
		{"nested", reflect.TypeFor[badSubscription](), "U.Clock.Timeout", "kind string"},
		{"top-level string", reflect.TypeFor[string](), "", "kind string"},

		// TYPE narrowing.
		{"guest wider", reflect.TypeFor[struct {
			B uint8 `guest:"u32"`
		}](), "B", "guest type u32 does not fit Go type uint8: the guest type is wider"},
		{"sign change", reflect.TypeFor[struct {
			I int32 `guest:"u32"`
		}](), "I", "the top bit would change the sign"},
		{"signed into unsigned", reflect.TypeFor[struct {
			U uint64 `guest:"i32"`
		}](), "U", "a signed guest value may be negative"},
		{"bool as u8", reflect.TypeFor[struct {
			B bool `guest:"u8"`
		}](), "B", "bool only maps to bool"},
		{"u8 as bool", reflect.TypeFor[struct {
			B uint8 `guest:"bool"`
		}](), "B", "bool only maps to bool"},
		{"float as int", reflect.TypeFor[struct {
			F float64 `guest:"u64"`
		}](), "F", "floats only map to floats"},
		{"float narrowing", reflect.TypeFor[struct {
			F float64 `guest:"f32"`
		}](), "F", "float widths must match"},
		{"TYPE on a struct", reflect.TypeFor[struct {
			S cmPoint `guest:"u32"`
		}](), "S", "guest type u32 given for a struct"},
		{"TYPE on a guest pointer", reflect.TypeFor[struct {
			P gptr[byte] `guest:"u32"`
		}](), "P", "guest type u32 given for a guest pointer"},
		{"TYPE on an integer guest pointer", reflect.TypeFor[struct {
			P intPtr `guest:"u32"`
		}](), "P", "guest type u32 given for a guest pointer"},
		{"TYPE on an array of integer guest pointers", reflect.TypeFor[struct {
			P [2]intPtr `guest:"u32"`
		}](), "P[]", "guest type u32 given for a guest pointer"},
		{"TYPE on an array, too wide", reflect.TypeFor[struct {
			A [2]uint16 `guest:"u32"`
		}](), "A[]", "the guest type is wider"},

		// Malformed tags.
		{"malformed tag", malformedTag, "A", "malformed struct tag"},
		{"unknown TYPE", reflect.TypeFor[struct {
			A uint8 `guest:"u128"`
		}](), "A", `unknown guest type "u128"`},
		{"option as TYPE", reflect.TypeFor[struct {
			A uint8 `guest:"packed"`
		}](), "A", `unknown guest type "packed"`},
		{"unknown option", reflect.TypeFor[struct {
			A uint8 `guest:",bogus"`
		}](), "A", `unknown option "bogus"`},
		{"align not a power of two", reflect.TypeFor[struct {
			A uint8 `guest:",align=3"`
		}](), "A", "align=3 is not a power of two"},
		{"align zero", reflect.TypeFor[struct {
			A uint8 `guest:",align=0"`
		}](), "A", "not a power of two"},
		{"align without value", reflect.TypeFor[struct {
			A uint8 `guest:",align"`
		}](), "A", "option align needs a value"},
		{"offset not a number", reflect.TypeFor[struct {
			A uint8 `guest:",offset=x"`
		}](), "A", `option offset: "x" is not a number`},
		{"tag with value", reflect.TypeFor[struct {
			A uint8 `guest:",tag=1"`
		}](), "A", "option tag takes no value"},
		{"packed on a field", reflect.TypeFor[struct {
			A uint8 `guest:",packed"`
		}](), "A", "packed and union belong on a blank field"},
		{"TYPE on a marker", reflect.TypeFor[struct {
			_ struct{} `guest:"u8,packed"`
			A uint8
		}](), "_", "a blank struct{} field takes only packed, align=N and union"},

		// offset=N.
		{"offset overlaps", reflect.TypeFor[struct {
			A uint32
			B uint8 `guest:",offset=2"`
		}](), "B", "offset=2 overlaps the previous field, which ends at 4"},
		{"offset misaligned", reflect.TypeFor[struct {
			A uint8
			B uint32 `guest:",offset=6"`
		}](), "B", "offset=6 breaks the field's alignment of 4"},
		{"offset overflows", reflect.TypeFor[struct {
			A uint64 `guest:",offset=0xfffffffffffffff8"`
		}](), "A", "struct size overflows"},
		{"offset in a union", reflect.TypeFor[struct {
			_ struct{} `guest:",union"`
			A uint8
			B uint32 `guest:",offset=0"`
		}](), "B", "offset=N has no meaning in a union"},

		// Tagged unions.
		{"duplicate case", reflect.TypeFor[struct {
			T uint8  `guest:",tag"`
			A uint32 `guest:",case=1"`
			B uint16 `guest:",case=1"`
		}](), "B", "case=1 is also the case of A"},
		{"two tags", reflect.TypeFor[struct {
			T uint8  `guest:",tag"`
			A uint32 `guest:",case=0"`
			U uint8  `guest:",tag"`
		}](), "U", "a tagged union has exactly one tag"},
		{"case without tag", reflect.TypeFor[struct {
			A uint32 `guest:",case=0"`
			B uint16 `guest:",case=1"`
		}](), "", "a tagged union's first field must be its tag"},
		{"tag not first", reflect.TypeFor[struct {
			A uint32 `guest:",case=0"`
			T uint8  `guest:",tag"`
		}](), "", "a tagged union's first field must be its tag"},
		{"case too big for u8", reflect.TypeFor[struct {
			T uint8  `guest:",tag"`
			A uint32 `guest:",case=256"`
		}](), "A", "case=256 does not fit the tag T"},
		{"case too big for u16", reflect.TypeFor[struct {
			T uint16 `guest:",tag"`
			A uint32 `guest:",case=0x10000"`
		}](), "A", "case=65536 does not fit the tag T"},
		{"case too big for the enum", reflect.TypeFor[struct {
			T wasiPreopentype `guest:",tag"`
			A uint32          `guest:",case=1"`
		}](), "A", "case=1 does not fit the tag T"},
		{"field after tag without case", reflect.TypeFor[struct {
			T uint8  `guest:",tag"`
			A uint32 `guest:",case=0"`
			B uint8
		}](), "B", "every field after a tag must be a case"},
		{"tag without cases", reflect.TypeFor[struct {
			T uint8 `guest:",tag"`
		}](), "", "a tagged union needs at least one case"},
		{"tag and case", reflect.TypeFor[struct {
			T uint8 `guest:",tag,case=0"`
		}](), "T", "a field cannot be both the tag and a case"},
		{"signed tag", reflect.TypeFor[struct {
			T int8   `guest:",tag"`
			A uint32 `guest:",case=0"`
		}](), "T", "a tag must be an unsigned integer or an enum"},
		{"flags tag", reflect.TypeFor[struct {
			T cmFlags3 `guest:",tag"`
			A uint32   `guest:",case=0"`
		}](), "T", "a tag must be an unsigned integer or an enum"},
		{"offset in a tagged union", reflect.TypeFor[struct {
			T uint8  `guest:",tag"`
			A uint32 `guest:",case=0,offset=4"`
		}](), "A", "offset=N has no meaning in a tagged union"},
		{"tag on a marker", reflect.TypeFor[struct {
			_ struct{} `guest:",tag"`
			A uint8
		}](), "_", "a blank struct{} field takes only"},
		{"union and tag", reflect.TypeFor[struct {
			_ struct{} `guest:",union"`
			T uint8    `guest:",tag"`
			A uint32   `guest:",case=0"`
		}](), "", "both a union and a tagged union"},
		{"tag and union", reflect.TypeFor[struct {
			T uint8    `guest:",tag"`
			A uint32   `guest:",case=0"`
			_ struct{} `guest:",union"`
		}](), "", "both a union and a tagged union"},

		// Enums, flags and guest pointers.
		{"signed enum", reflect.TypeFor[struct{ E signedEnum }](), "E", "an enum must be an unsigned integer"},
		{"enum and flags", reflect.TypeFor[struct{ E enumFlags }](), "E", "a type cannot be both an enum and flags"},
		{"flags of bool", reflect.TypeFor[struct{ F flagsOfBool }](), "F", "flags must be an unsigned integer"},
		{"enum of int", reflect.TypeFor[struct{ E enumOfInt }](), "E", "no fixed guest size"},
		{"enum of int as i32", reflect.TypeFor[struct {
			E enumOfInt `guest:"i32"`
		}](), "E", "an enum must be an unsigned integer"},
		{"no pointee", reflect.TypeFor[struct{ P nilPointee }](), "P", "GuestPointer returned no pointee type"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wantError(t, tc.typ, layout.Wasm32, tc.path, tc.reason)
			wantError(t, tc.typ, layout.Wasm64, tc.path, tc.reason)
		})
	}
}

// TestErrorMessages checks Error() in full for a nested field, the type
// itself and a nil type, and that errors are cached like layouts.
func TestErrorMessages(t *testing.T) {
	_, err := layout.For[badSubscription](layout.Wasm32)
	want := "layout: layout_test.badSubscription.U.Clock.Timeout: Go type string (kind string) has no guest layout"
	if err == nil || err.Error() != want {
		t.Errorf("For[badSubscription] error %v, want %q", err, want)
	}
	_, err2 := layout.For[badSubscription](layout.Wasm32)
	if err2 != err {
		t.Errorf("a second call gave a different error value: %p, then %p", err, err2)
	}

	_, err = layout.For[uint32](layout.ABI{})
	want = "layout: uint32: invalid ABI: use layout.Wasm32 or layout.Wasm64"
	if err == nil || err.Error() != want {
		t.Errorf("invalid ABI error %v, want %q", err, want)
	}

	_, err = of(t, nil, layout.Wasm32)
	var le *layout.Error
	if !errors.As(err, &le) || le.Type != nil || le.Error() != "layout: <nil>: nil type" {
		t.Errorf("Of(nil) error %#v, want a *layout.Error \"layout: <nil>: nil type\"", err)
	}

	// The reason of an int field tells how to fix it.
	_, err = layout.For[struct{ N int }](layout.Wasm64)
	if err == nil || !strings.Contains(err.Error(), "`guest:\"u32\"`") {
		t.Errorf("int field error %v does not show a tag to add", err)
	}
}
