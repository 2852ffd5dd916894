package marshal_test

// FuzzDecode decodes random bytes into record types covering every kind
// and checks the result against a reference validator written from the
// layout alone: a decode succeeds exactly when every bool, enum, flags and
// tag the plan reads is valid, and a failure names the first bad field,
// its offset and its value. A successful decode encoded into a zero buffer
// gives back every byte the value covers and leaves the rest zero. Names
// start with mz so the package's other tests are free to use plain ones.

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/guestkit/guestkit/internal/layouttest"
	"github.com/guestkit/guestkit/layout"
	"github.com/guestkit/guestkit/marshal"
)

type mzPtr[T any] struct{ R marshal.Ref }

func (mzPtr[T]) GuestPointer() layout.PointerInfo {
	return layout.PointerInfo{Pointee: reflect.TypeFor[T]()}
}

type mzSpan[T any] struct{ S marshal.SpanRef }

func (mzSpan[T]) GuestPointer() layout.PointerInfo {
	return layout.PointerInfo{Pointee: reflect.TypeFor[T](), WithLen: true}
}

type mzEnum uint8

func (mzEnum) GuestEnumCases() uint64 { return 5 }

type mzEnum4 uint8 // a power of two: checked by mask alone

func (mzEnum4) GuestEnumCases() uint64 { return 4 }

type mzEnum64 uint64

func (mzEnum64) GuestEnumCases() uint64 { return 300 }

type mzEnum32 uint32

func (mzEnum32) GuestEnumCases() uint64 { return 77 }

type mzFlags uint16

func (mzFlags) GuestFlagsMask() uint64 { return 0x1f }

type mzFlags8 uint8

func (mzFlags8) GuestFlagsMask() uint64 { return 0x85 }

type mzRights uint64

func (mzRights) GuestFlagsMask() uint64 { return 1<<30 - 1 }

type mzTopBit uint64

func (mzTopBit) GuestFlagsMask() uint64 { return 1 << 63 }

type mzScalars struct {
	A    uint8
	B    int16
	C    uint32
	D    int64
	E    float32
	F    float64
	G    uint64  `guest:"u16"`
	H    int32   `guest:"i8"`
	I    int     `guest:"i32"`
	J    uint    `guest:"u64"`
	K    uintptr `guest:"u32"`
	L    int32   `guest:"u16"`
	Skip string  `guest:"-"`
}

// mzChecked is copyable (Go and guest offsets agree): one validated copy.
type mzChecked struct {
	Ok  bool
	E   mzEnum
	F   mzFlags
	R   mzRights
	C   mzEnum32
	E4  mzEnum4
	F8  mzFlags8
	No  bool
	_   [1]byte
	Top mzTopBit
}

// mzCheckedOdd is copyable with checks near its end, in a size that is not
// a multiple of 8.
type mzCheckedOdd struct {
	A  uint8
	B  uint8
	E  mzEnum
	F8 mzFlags8
	Ok bool
}

type mzArrays struct {
	A [3]uint16
	B [2]bool
	C [2][2]mzEnum
	D [5]byte
	E [2]uint64 `guest:"u32"`
	F [0]uint32
	G [2]mzFlags
	H [3]mzCheckedOdd
}

type mzInner struct {
	A uint8
	B uint32
	C uint16
}

type mzNested struct {
	X mzInner
	Y [2]mzInner
	Z uint8
	W struct {
		P bool
		Q int64
	}
	V [2]mzChecked
}

type mzPacked struct {
	_ struct{} `guest:",packed"`
	A uint8
	B uint32
	C uint16
	D mzInner
	E mzEnum
	F mzFlags
}

type mzPlaced struct {
	A uint8  `guest:",align=8"`
	B uint16 `guest:",offset=10"`
	_ [3]byte
	C uint32
	_ struct{} `guest:",align=16"`
}

type mzUnion struct {
	_ struct{} `guest:",union"`
	A uint32
	B [8]byte
	C float32
	D mzInner
	E mzFlags8 // read, and so checked, but never written
}

type mzUnionZ struct {
	_ struct{} `guest:",union"`
	Z struct{}
	B uint16
	C uint64
}

type mzUnions struct {
	U    mzUnion
	Z    mzUnionZ
	Tail uint8
}

type mzVariant struct {
	Tag mzEnum   `guest:",tag"`
	A   uint8    `guest:",case=0"`
	B   uint64   `guest:",case=1"`
	C   mzInner  `guest:",case=2"`
	D   struct{} `guest:",case=3"`
}

type mzSparse struct {
	Tag uint8         `guest:",tag"`
	A   mzVariant     `guest:",case=1"`
	B   [2]int16      `guest:",case=5"`
	C   mzSpan[byte]  `guest:",case=200"`
	D   mzCheckedOdd  `guest:",case=201"`
	E   mzPtr[uint32] `guest:",case=255"`
}

type mzSparseRec struct {
	V [2]mzSparse
	N uint16
}

type mzPointers struct {
	P    mzPtr[uint32]
	S    mzSpan[uint16]
	Q    mzPtr[mzInner]
	Self mzPtr[mzPointers]
	N    uint8
}

type mzSubscription struct {
	Userdata uint64
	U        struct {
		Tag   mzEnum4 `guest:",tag"`
		Clock struct {
			ID        mzEnum32
			Timeout   uint64
			Precision uint64
			Flags     mzFlags
		} `guest:",case=0"`
		FdRead  struct{ Fd uint32 } `guest:",case=1"`
		FdWrite struct{ Fd uint32 } `guest:",case=2"`
	}
}

type mzRec24 struct {
	A, B uint64
	C    uint32
	D    uint16
	E    [2]uint8
}

type mzEmpty struct {
	_ struct{} `guest:",align=4"`
}

// mzTypes are the types FuzzDecode picks from.
var mzTypes = []reflect.Type{
	reflect.TypeFor[mzScalars](),
	reflect.TypeFor[mzChecked](),
	reflect.TypeFor[mzCheckedOdd](),
	reflect.TypeFor[mzArrays](),
	reflect.TypeFor[mzNested](),
	reflect.TypeFor[mzPacked](),
	reflect.TypeFor[mzPlaced](),
	reflect.TypeFor[mzUnions](),
	reflect.TypeFor[mzVariant](),
	reflect.TypeFor[mzSparseRec](),
	reflect.TypeFor[mzPointers](),
	reflect.TypeFor[mzSubscription](),
	reflect.TypeFor[mzRec24](),
	reflect.TypeFor[mzEmpty](),
	reflect.TypeFor[bool](),
	reflect.TypeFor[mzEnum](),
	reflect.TypeFor[[3]mzFlags8](),
}

// mzFault is the first invalid field the reference finds.
type mzFault struct {
	path   string
	offset uint64
	value  uint64
	err    error
}

func mzJoin(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// mzValidate walks the layout over b, the value's guest bytes placed at
// off, the way a read does: every field of a struct, every member of a C
// union (later members are read too), the tag and then the active case of
// a tagged union, every array element. It returns the first fault.
func mzValidate(l *layout.Layout, b []byte, off uint64, path string) *mzFault {
	switch l.Kind {
	case layout.Struct, layout.Union:
		for _, f := range l.Fields {
			if f.Blank {
				continue
			}
			if fault := mzValidate(f.Layout, b, off+f.Offset, mzJoin(path, f.Name)); fault != nil {
				return fault
			}
		}
	case layout.Variant:
		tag := l.Fields[0]
		v := layouttest.LE(b[off+tag.Offset : off+tag.Offset+tag.Layout.Size])
		for _, f := range l.Fields[1:] {
			if f.Case == v {
				return mzValidate(f.Layout, b, off+f.Offset, mzJoin(path, f.Name))
			}
		}
		return &mzFault{mzJoin(path, tag.Name), off + tag.Offset, v, marshal.ErrInvalidTag}
	case layout.Array:
		for i := range l.Len {
			if fault := mzValidate(l.Elem, b, off+i*l.Elem.Size, fmt.Sprintf("%s[%d]", path, i)); fault != nil {
				return fault
			}
		}
	default:
		v := layouttest.LE(b[off : off+l.Size])
		switch c := l.Check; {
		case c.Kind == layout.CheckBool && v > 1:
			return &mzFault{path, off, v, marshal.ErrInvalidBool}
		case c.Kind == layout.CheckEnum && v >= c.Cases:
			return &mzFault{path, off, v, marshal.ErrInvalidEnum}
		case c.Kind == layout.CheckFlags && v&^c.Mask != 0:
			return &mzFault{path, off, v, marshal.ErrInvalidFlags}
		}
	}
	return nil
}

func mzCheckFault(t *testing.T, what string, err error, want *mzFault) {
	t.Helper()
	if want == nil {
		if err != nil {
			t.Fatalf("%s: %v; the reference finds the value valid", what, err)
		}
		return
	}
	var fe *marshal.FieldError
	if !errors.As(err, &fe) {
		t.Fatalf("%s: error %v (%T), want a *FieldError for %s: %v", what, err, err, want.path, want.err)
	}
	if fe.Err != want.err || !errors.Is(err, want.err) || fe.Path.String() != want.path || fe.Offset != want.offset || fe.Value != want.value {
		t.Fatalf("%s: error {path %q offset %d value %#x %v}, want {path %q offset %d value %#x %v}",
			what, fe.Path.String(), fe.Offset, fe.Value, fe.Err, want.path, want.offset, want.value, want.err)
	}
	if fe.Error() == "" {
		t.Fatalf("%s: empty error text", what)
	}
}

// mzDecodeSlice and mzEncodeSlice run Codec[T].DecodeSlice and EncodeSlice
// on a []T made by reflection.
func mzSliceOps[T any](abi layout.ABI, src []byte, n int) (enc []byte, decErr, encErr error, err error) {
	c, err := marshal.For[T](abi)
	if err != nil {
		return nil, nil, nil, err
	}
	vs := make([]T, n)
	if decErr = c.DecodeSlice(src, vs, nil); decErr != nil {
		return nil, decErr, nil, nil
	}
	enc = make([]byte, uint64(n)*c.Size())
	encErr = c.EncodeSlice(enc, vs)
	return enc, nil, encErr, nil
}

var mzSliceFuncs = map[reflect.Type]func(layout.ABI, []byte, int) ([]byte, error, error, error){}

func mzRegister[T any]() {
	mzSliceFuncs[reflect.TypeFor[T]()] = mzSliceOps[T]
}

func init() {
	mzRegister[mzScalars]()
	mzRegister[mzChecked]()
	mzRegister[mzCheckedOdd]()
	mzRegister[mzArrays]()
	mzRegister[mzNested]()
	mzRegister[mzPacked]()
	mzRegister[mzPlaced]()
	mzRegister[mzUnions]()
	mzRegister[mzVariant]()
	mzRegister[mzSparseRec]()
	mzRegister[mzPointers]()
	mzRegister[mzSubscription]()
	mzRegister[mzRec24]()
	mzRegister[mzEmpty]()
	mzRegister[bool]()
	mzRegister[mzEnum]()
	mzRegister[[3]mzFlags8]()
}

func FuzzDecode(f *testing.F) {
	for sel := range len(mzTypes) {
		for _, flags := range []uint8{0, 1} {
			f.Add(bytes.Repeat([]byte{0}, 160), uint8(sel), flags)
			f.Add(bytes.Repeat([]byte{1, 0}, 80), uint8(sel), flags)
			f.Add(bytes.Repeat([]byte{0xff}, 160), uint8(sel), flags)
			f.Add([]byte{1, 4, 0x1f, 0, 3}, uint8(sel), flags)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte, sel, flags uint8) {
		typ := mzTypes[int(sel)%len(mzTypes)]
		abi := layout.Wasm32
		if flags&1 != 0 {
			abi = layout.Wasm64
		}
		l, err := layout.Of(typ, abi)
		if err != nil {
			t.Fatalf("layout of %v: %v", typ, err)
		}
		orig := bytes.Clone(data)
		v := reflect.New(typ)
		err = marshal.Decode(abi, data, v.Interface())
		if !bytes.Equal(data, orig) {
			t.Fatalf("Decode changed its input")
		}
		if uint64(len(data)) < l.Size {
			if !errors.Is(err, marshal.ErrShortBuffer) {
				t.Fatalf("Decode of %d bytes into a %d-byte %v: %v, want ErrShortBuffer", len(data), l.Size, typ, err)
			}
			return
		}
		want := mzValidate(l, data, 0, "")
		mzCheckFault(t, "Decode", err, want)
		if err == nil {
			// Encoded into a zero buffer, the value gives back every byte
			// it covers and leaves the others zero.
			buf := make([]byte, l.Size)
			if err := marshal.Encode(abi, buf, v.Interface()); err != nil {
				t.Fatalf("Encode of the decoded %v: %v", typ, err)
			}
			set := make([]bool, l.Size)
			layouttest.MarkWritten(l, data, 0, set)
			for i, in := range set {
				w := byte(0)
				if in {
					w = data[i]
				}
				if buf[i] != w {
					t.Fatalf("Encode of the decoded %v: byte %d is %#x, want %#x (covered: %v)", typ, i, buf[i], w, in)
				}
			}
			// Encode again over different bytes: only covered bytes change.
			junk := bytes.Repeat([]byte{0xa5}, int(l.Size)+3)
			if err := marshal.Encode(abi, junk, v.Interface()); err != nil {
				t.Fatalf("second Encode: %v", err)
			}
			for i := range junk {
				w := byte(0xa5)
				if i < len(set) && set[i] {
					w = data[i]
				}
				if junk[i] != w {
					t.Fatalf("Encode over 0xa5 bytes: byte %d is %#x, want %#x", i, junk[i], w)
				}
			}
		}

		// The same bytes as a slice of values.
		if l.Size == 0 {
			return
		}
		n := min(len(data)/int(l.Size), 8)
		enc, decErr, encErr, err := mzSliceFuncs[typ](abi, data, n)
		if err != nil {
			t.Fatalf("For: %v", err)
		}
		var wantSlice *mzFault
		for i := range n {
			if f := mzValidate(l, data[uint64(i)*l.Size:], 0, ""); f != nil {
				f.path = fmt.Sprintf("[%d]", i) + map[bool]string{true: "", false: "."}[f.path == "" || f.path[0] == '['] + f.path
				f.offset += uint64(i) * l.Size
				wantSlice = f
				break
			}
		}
		mzCheckFault(t, "DecodeSlice", decErr, wantSlice)
		if decErr != nil {
			return
		}
		if encErr != nil {
			t.Fatalf("EncodeSlice of the decoded values: %v", encErr)
		}
		set := make([]bool, uint64(n)*l.Size)
		for i := range uint64(n) {
			layouttest.MarkWritten(l, data[:uint64(n)*l.Size], i*l.Size, set)
		}
		for i, in := range set {
			w := byte(0)
			if in {
				w = data[i]
			}
			if enc[i] != w {
				t.Fatalf("EncodeSlice of %d decoded %v: byte %d is %#x, want %#x", n, typ, i, enc[i], w)
			}
		}
	})
}

// TestWriteFuzzCorpus writes the FuzzDecode seeds under testdata/fuzz when
// GUESTKIT_FUZZ_CORPUS is set. For every type and ABI it searches
// deterministic pseudo-random bytes (small values mostly, so that checks
// pass often) for one input of each outcome: a valid value, and each way
// the reference validator says a read fails.
func TestWriteFuzzCorpus(t *testing.T) {
	if os.Getenv("GUESTKIT_FUZZ_CORPUS") == "" {
		t.Skip("set GUESTKIT_FUZZ_CORPUS=1 to write the seed corpora")
	}
	dir := filepath.Join("testdata", "fuzz", "FuzzDecode")
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(name string, data []byte, sel, flags uint8) {
		s := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\nuint8(%d)\nuint8(%d)\n", data, sel, flags)
		name = strings.NewReplacer(" ", "-", "/", "-", "*", "", "[", "", "]", "", ".", "-").Replace(name)
		if err := os.WriteFile(filepath.Join(dir, name), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for sel, typ := range mzTypes {
		for flags, abi := range []layout.ABI{layout.Wasm32, layout.Wasm64} {
			l, err := layout.Of(typ, abi)
			if err != nil {
				t.Fatal(err)
			}
			rng := rand.New(rand.NewPCG(uint64(sel), uint64(flags)))
			found := map[string]bool{}
			for try := 0; try < 20000 && len(found) < 5; try++ {
				data := make([]byte, l.Size)
				for i := range data {
					switch rng.IntN(8 << (try % 3)) { // sparser on some tries
					case 0:
						data[i] = byte(rng.Uint32())
					case 1, 2:
						data[i] = byte(rng.IntN(6))
					}
				}
				outcome := "valid"
				if f := mzValidate(l, data, 0, ""); f != nil {
					outcome = strings.TrimPrefix(f.err.Error(), "invalid ")
				}
				if found[outcome] {
					continue
				}
				found[outcome] = true
				write(fmt.Sprintf("%s-%s-%s", typ, abi, outcome), data, uint8(sel), uint8(flags))
			}
			if !found["valid"] {
				t.Errorf("%v %v: no valid input found", typ, abi)
			}
			if l.Size > 0 {
				write(fmt.Sprintf("%s-%s-short", typ, abi), make([]byte, l.Size-1), uint8(sel), uint8(flags))
			}
		}
	}
}
