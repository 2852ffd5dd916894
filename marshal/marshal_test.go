package marshal_test

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/guestkit/guestkit/layout"
	"github.com/guestkit/guestkit/marshal"
)

// le builds little-endian bytes: each argument is a value and its width,
// (value, width) pairs appended in turn.
func le(pairs ...uint64) []byte {
	var out []byte
	for i := 0; i < len(pairs); i += 2 {
		v, w := pairs[i], pairs[i+1]
		for k := range w {
			out = append(out, byte(v>>(8*k)))
		}
	}
	return out
}

// filled returns n bytes of fill.
func filled(n int, fill byte) []byte { return bytes.Repeat([]byte{fill}, n) }

func asFieldError(t *testing.T, err error) *marshal.FieldError {
	t.Helper()
	var fe *marshal.FieldError
	if !errors.As(err, &fe) {
		t.Fatalf("err = %v (%T), want a *marshal.FieldError", err, err)
	}
	return fe
}

func TestDecodeEncodeFdstat(t *testing.T) {
	// Holes at 1 and 4..7 hold 0xee: a read ignores them.
	src := le(3, 1, 0xee, 1, 0x11, 2, 0xeeeeeeee, 4, 1<<29|1, 8, 0x2a, 8)
	var got fdstat
	if err := marshal.Decode(layout.Wasm32, src, &got); err != nil {
		t.Fatal(err)
	}
	want := fdstat{Filetype: 3, Flags: 0x11, RightsBase: 1<<29 | 1, RightsInheriting: 0x2a}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Decode (-want +got):\n%s", diff)
	}

	// A write leaves the holes alone: padding is never written.
	dst := filled(24, 0xaa)
	if err := marshal.Encode(layout.Wasm32, dst, &want); err != nil {
		t.Fatal(err)
	}
	wantBytes := le(3, 1, 0xaa, 1, 0x11, 2, 0xaaaaaaaa, 4, 1<<29|1, 8, 0x2a, 8)
	if diff := cmp.Diff(wantBytes, dst); diff != "" {
		t.Errorf("Encode (-want +got):\n%s", diff)
	}
	// Extra bytes after the value are neither read nor written.
	long := append(filled(24, 0), 0x99, 0x99)
	if err := marshal.Encode(layout.Wasm32, long, &want); err != nil {
		t.Fatal(err)
	}
	if long[24] != 0x99 || long[25] != 0x99 {
		t.Errorf("Encode wrote past the value: % x", long[24:])
	}
}

func TestBlankFieldsUntouched(t *testing.T) {
	dst := filled(8, 0xaa)
	if err := marshal.Encode(layout.Wasm64, dst, &blanks{A: 1, B: 2}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(le(1, 1, 0xaa, 1, 0xaaaa, 2, 2, 4), dst); diff != "" {
		t.Errorf("Encode (-want +got):\n%s", diff)
	}
	var got blanks
	if err := marshal.Decode(layout.Wasm64, le(7, 1, 0xff, 1, 0xffff, 2, 9, 4), &got); err != nil {
		t.Fatal(err)
	}
	if got.A != 7 || got.B != 9 {
		t.Errorf("Decode = %+v", got)
	}
}

func TestNarrowing(t *testing.T) {
	src := le(0xff, 1, 0, 3, 0xffffffff, 4, 0xffffffff, 4, 0x80, 1, 1, 1, 0, 2)
	var got narrow
	if err := marshal.Decode(layout.Wasm32, src, &got); err != nil {
		t.Fatal(err)
	}
	want := narrow{Small: 255, Count: 1<<32 - 1, Delta: -1, Tiny: -128, Ok: true}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Decode (-want +got):\n%s", diff)
	}
	dst := filled(16, 0)
	if err := marshal.Encode(layout.Wasm32, dst, &want); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(src, dst); diff != "" {
		t.Errorf("Encode (-want +got):\n%s", diff)
	}
}

func TestDecodeInvalid(t *testing.T) {
	eventBytes := func(tag uint64, payload ...uint64) []byte {
		b := append(le(tag, 1), filled(23, 0)...)
		copy(b[8:], le(payload...))
		return b
	}
	tests := []struct {
		name string
		abi  layout.ABI
		src  []byte
		into any
		want marshal.FieldError
		msg  string
	}{
		{"bool", layout.Wasm32, le(1, 1, 0, 3, 0, 4, 0, 4, 0, 1, 2, 1, 0, 2), new(narrow),
			marshal.FieldError{Path: pathOf("Ok"), Offset: 13, Value: 2, Err: marshal.ErrInvalidBool, Detail: "2"},
			"field Ok: invalid bool 2"},
		{"enum", layout.Wasm32, le(8, 1, 0, 23), new(fdstat),
			marshal.FieldError{Path: pathOf("Filetype"), Offset: 0, Value: 8, Err: marshal.ErrInvalidEnum, Detail: "8 (marshal_test.filetype has 8 cases)"},
			"field Filetype: invalid enum 8 (marshal_test.filetype has 8 cases)"},
		{"flags", layout.Wasm32, le(0, 2, 0x8001, 2, 0, 20), new(fdstat),
			marshal.FieldError{Path: pathOf("Flags"), Offset: 2, Value: 0x8001, Err: marshal.ErrInvalidFlags, Detail: "0x8001 (unknown bits 0x8000)"},
			"field Flags: invalid flags 0x8001 (unknown bits 0x8000)"},
		{"u64 flags", layout.Wasm64, le(0, 8, 1<<30, 8, 0, 8), new(fdstat),
			marshal.FieldError{Path: pathOf("RightsBase"), Offset: 8, Value: 1 << 30, Err: marshal.ErrInvalidFlags, Detail: "0x40000000 (unknown bits 0x40000000)"},
			"field RightsBase: invalid flags 0x40000000 (unknown bits 0x40000000)"},
		{"tag", layout.Wasm32, eventBytes(2), new(event),
			marshal.FieldError{Path: pathOf("Tag"), Offset: 0, Value: 2, Err: marshal.ErrInvalidTag, Detail: "2"},
			"field Tag: invalid tag 2"},
		{"enum in a case", layout.Wasm32, eventBytes(3, 9, 1), new(event),
			marshal.FieldError{Path: pathOf("Bad.Kind"), Offset: 8, Value: 9, Err: marshal.ErrInvalidEnum, Detail: "9 (marshal_test.filetype has 8 cases)"},
			"field Bad.Kind: invalid enum 9 (marshal_test.filetype has 8 cases)"},
		{"flags in a case", layout.Wasm64, eventBytes(1, 0, 8, 0x40, 2), new(event),
			marshal.FieldError{Path: pathOf("Clock.Flags"), Offset: 16, Value: 0x40, Err: marshal.ErrInvalidFlags, Detail: "0x40 (unknown bits 0x40)"},
			"field Clock.Flags: invalid flags 0x40 (unknown bits 0x40)"},
		{"enum without cases", layout.Wasm32, le(0, 1), new(struct{ N never }),
			marshal.FieldError{Path: pathOf("N"), Offset: 0, Value: 0, Err: marshal.ErrInvalidEnum, Detail: "0 (marshal_test.never has 0 cases)"},
			"field N: invalid enum 0 (marshal_test.never has 0 cases)"},
		{"bare bool", layout.Wasm32, le(0xff, 1), new(bool),
			marshal.FieldError{Path: pathOf(""), Offset: 0, Value: 0xff, Err: marshal.ErrInvalidBool, Detail: "255"},
			"invalid bool 255"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := marshal.Decode(tt.abi, tt.src, tt.into)
			fe := asFieldError(t, err)
			if diff := cmp.Diff(tt.want, *fe, cmp.Comparer(func(a, b error) bool { return a == b })); diff != "" {
				t.Errorf("FieldError (-want +got):\n%s", diff)
			}
			if !errors.Is(err, tt.want.Err) {
				t.Errorf("errors.Is(err, %v) = false", tt.want.Err)
			}
			if err.Error() != tt.msg {
				t.Errorf("Error() = %q, want %q", err.Error(), tt.msg)
			}
		})
	}
}

func TestEncodeInvalid(t *testing.T) {
	var ev event
	ev.Tag, ev.Clock.Flags = 1, 0x20
	evTag := event{Tag: 2}
	evNull := event{Tag: 0, Read: iovec{Len: -5}}
	tests := []struct {
		name  string
		abi   layout.ABI
		value any
		path  string
		err   error
		bits  uint64
	}{
		{"int 300 into u8", layout.Wasm32, &narrow{Small: 300}, "Small", marshal.ErrValueRange, 300},
		{"negative into u32", layout.Wasm32, &narrow{Count: -1}, "Count", marshal.ErrValueRange, 1<<64 - 1},
		{"2^32 into u32", layout.Wasm64, &narrow{Count: 1 << 32}, "Count", marshal.ErrValueRange, 1 << 32},
		{"2^31 into i32", layout.Wasm32, &narrow{Delta: 1 << 31}, "Delta", marshal.ErrValueRange, 1 << 31},
		{"-2^31-1 into i32", layout.Wasm32, &narrow{Delta: -1<<31 - 1}, "Delta", marshal.ErrValueRange, uint64(0xffffffff7fffffff)},
		{"128 into i8", layout.Wasm32, &narrow{Tiny: 128}, "Tiny", marshal.ErrValueRange, 128},
		{"enum", layout.Wasm32, &fdstat{Filetype: 8}, "Filetype", marshal.ErrInvalidEnum, 8},
		{"flags", layout.Wasm32, &fdstat{RightsInheriting: 1 << 40}, "RightsInheriting", marshal.ErrInvalidFlags, 1 << 40},
		{"enum without cases", layout.Wasm32, &struct{ N never }{}, "N", marshal.ErrInvalidEnum, 0},
		{"tag", layout.Wasm32, &evTag, "Tag", marshal.ErrInvalidTag, 2},
		{"flags in the active case", layout.Wasm64, &ev, "Clock.Flags", marshal.ErrInvalidFlags, 0x20},
		{"range in the active case", layout.Wasm64, &evNull, "Read.Len", marshal.ErrValueRange, uint64(1<<64 - 5)},
		{"address past wasm32", layout.Wasm32, &iovec{Buf: gptr[byte]{marshal.Ref{Addr: 1 << 32}}}, "Buf", marshal.ErrValueRange, 1 << 32},
		{"span length past wasm32", layout.Wasm32, &struct{ S gspan[byte] }{gspan[byte]{marshal.SpanRef{Addr: 8, Len: 1 << 32}}}, "S", marshal.ErrValueRange, 1 << 32},
		{"element of an array", layout.Wasm32, &request{Iovs: [4]iovec{3: {Len: -1}}}, "Iovs[3].Len", marshal.ErrValueRange, 1<<64 - 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			size := layoutSize(t, tt.value, tt.abi)
			dst := filled(int(size), 0x5c)
			err := marshal.Encode(tt.abi, dst, tt.value)
			fe := asFieldError(t, err)
			if fe.Path.String() != tt.path || fe.Err != tt.err || fe.Value != tt.bits {
				t.Errorf("FieldError = %+v, want Path %q, Err %v, Value %#x", fe, tt.path, tt.err, tt.bits)
			}
			if !errors.Is(err, tt.err) {
				t.Errorf("errors.Is(%v, %v) = false", err, tt.err)
			}
			if !strings.HasPrefix(err.Error(), "field "+tt.path+": "+tt.err.Error()) {
				t.Errorf("Error() = %q", err.Error())
			}
			if diff := cmp.Diff(filled(int(size), 0x5c), dst); diff != "" {
				t.Errorf("a failed Encode changed the buffer (-want +got):\n%s", diff)
			}
		})
	}
	// Values that fit, at the edges of their ranges, are accepted.
	ok := []any{
		&narrow{Small: 255, Count: 1<<32 - 1, Delta: -1 << 31, Tiny: -128},
		&iovec{Buf: gptr[byte]{marshal.Ref{Addr: 1<<32 - 1}}, Len: 1<<32 - 1},
	}
	for _, v := range ok {
		if err := marshal.Encode(layout.Wasm32, filled(64, 0), v); err != nil {
			t.Errorf("Encode(%+v): %v", v, err)
		}
	}
	if err := marshal.Encode(layout.Wasm64, filled(64, 0), &iovec{Buf: gptr[byte]{marshal.Ref{Addr: 1 << 40}}}); err != nil {
		t.Errorf("Encode of a 2^40 address on wasm64: %v", err)
	}
}

func TestRangeErrorText(t *testing.T) {
	err := marshal.Encode(layout.Wasm32, filled(16, 0), &narrow{Small: 300})
	if got, want := err.Error(), "field Small: value out of range 300 does not fit u8"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	err = marshal.Encode(layout.Wasm32, filled(8, 0), &iovec{Buf: gptr[byte]{marshal.Ref{Addr: 1 << 32}}})
	if got, want := err.Error(), "field Buf: value out of range address 0x100000000 does not fit wasm32"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func layoutSize(t *testing.T, v any, abi layout.ABI) uint64 {
	t.Helper()
	l, err := layout.Of(reflect.TypeOf(v).Elem(), abi)
	if err != nil {
		t.Fatal(err)
	}
	return l.Size
}

func TestShortBuffer(t *testing.T) {
	var v fdstat
	err := marshal.Decode(layout.Wasm32, filled(23, 0), &v)
	if !errors.Is(err, marshal.ErrShortBuffer) {
		t.Fatalf("Decode from 23 bytes = %v, want ErrShortBuffer", err)
	}
	if got, want := err.Error(), "buffer too short: 23 bytes, need 24"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	dst := filled(23, 0x11)
	if err := marshal.Encode(layout.Wasm32, dst, &fdstat{Filetype: 1}); !errors.Is(err, marshal.ErrShortBuffer) {
		t.Errorf("Encode into 23 bytes = %v, want ErrShortBuffer", err)
	}
	if !bytes.Equal(dst, filled(23, 0x11)) {
		t.Errorf("a failed Encode changed the buffer: % x", dst)
	}
	// The transparent path checks the length too.
	var n uint64
	if err := marshal.Decode(layout.Wasm64, nil, &n); !errors.Is(err, marshal.ErrShortBuffer) {
		t.Errorf("Decode of a uint64 from nil = %v, want ErrShortBuffer", err)
	}
	if err := marshal.Encode(layout.Wasm64, make([]byte, 7), &n); !errors.Is(err, marshal.ErrShortBuffer) {
		t.Errorf("Encode of a uint64 into 7 bytes = %v, want ErrShortBuffer", err)
	}
}

func TestDecodeTargets(t *testing.T) {
	tests := []struct {
		name string
		v    any
		msg  string
	}{
		{"value", fdstat{}, "marshal: need a non-nil pointer, got marshal_test.fdstat"},
		{"nil pointer", (*fdstat)(nil), "marshal: need a non-nil pointer, got *marshal_test.fdstat"},
		{"nil", nil, "marshal: need a non-nil pointer, got <nil>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, f := range []func(layout.ABI, []byte, any) error{marshal.Decode, marshal.Encode} {
				err := f(layout.Wasm32, filled(64, 0), tt.v)
				if err == nil || err.Error() != tt.msg {
					t.Errorf("err = %v, want %q", err, tt.msg)
				}
			}
		})
	}
	// A type without a guest layout is a *layout.Error.
	var s string
	var lerr *layout.Error
	if err := marshal.Decode(layout.Wasm32, filled(8, 0), &s); !errors.As(err, &lerr) || lerr.Type != reflect.TypeFor[string]() {
		t.Errorf("Decode into a string = %v, want a *layout.Error for string", err)
	}
	if err := marshal.Decode(layout.ABI{}, filled(8, 0), new(uint32)); !errors.As(err, &lerr) || !strings.Contains(lerr.Reason, "invalid ABI") {
		t.Errorf("Decode with the zero ABI = %v, want a *layout.Error saying invalid ABI", err)
	}
}

func TestBadPointerType(t *testing.T) {
	_, err := marshal.For[struct{ P badPtr }](layout.Wasm32)
	var le *layout.Error
	if !errors.As(err, &le) {
		t.Fatalf("For = %v, want a *layout.Error", err)
	}
	if le.Path.String() != "P" || !strings.Contains(le.Reason, "marshal_test.badPtr must be a struct whose only field is a marshal.Ref") {
		t.Errorf("layout.Error = %+v", le)
	}
	_, err = marshal.For[struct{ A [2]struct{ P badPtr } }](layout.Wasm64)
	if !errors.As(err, &le) || le.Path.String() != "A[].P" {
		t.Errorf("For with the pointer inside an array = %v (path %q), want path A[].P", err, le.Path.String())
	}
}
