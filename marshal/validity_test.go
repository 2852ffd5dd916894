package marshal_test

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/guestkit/guestkit/layout"
	"github.com/guestkit/guestkit/marshal"
)

// Types whose checked fields sit at many offsets and widths, copied whole
// or not, for the differential test below.
type (
	bools3 [3]bool
	bools5 [5]bool
	bools7 [7]bool
	bools9 [9]bool
	mixA   struct {
		A uint8
		B bool
		C flags8
		D [3]bool
	}
	mixB struct {
		E enum16
		F enum32
		G fdflags
		H bool
	}
	mixC struct {
		A [2]filetype
		B rights
		C [3]enum16
	}
	mixD struct {
		X mixB
		Y [2]mixA
		Z flags64
	}
	notCopied struct {
		P gptr[byte]
		M mixB
		V event
		N [2][2]bool
	}
	boolUnion struct {
		_ struct{} `guest:",union"`
		W uint32
		B [4]bool
	}
)

// refError is what the reference validator finds wrong: the first invalid
// field in layout order.
type refError struct {
	Path   string
	Offset uint64
	Value  uint64
}

func loadLE(b []byte, n uint64) uint64 {
	var v uint64
	for k := range n {
		v |= uint64(b[k]) << (8 * k)
	}
	return v
}

func joinPath(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// refCheck validates the guest bytes b[off:] as l, walking the layout tree
// rather than a plan: the reference marshal's plans are checked against.
func refCheck(l *layout.Layout, b []byte, off uint64, path string) *refError {
	switch l.Kind {
	case layout.Bool, layout.Uint:
		v := loadLE(b[off:], l.Size)
		c := l.Check
		if c.Kind == layout.CheckBool && v > 1 || c.Kind == layout.CheckEnum && v >= c.Cases || c.Kind == layout.CheckFlags && v&^c.Mask != 0 {
			return &refError{path, off, v}
		}
	case layout.Array:
		for i := range l.Len {
			if e := refCheck(l.Elem, b, off+i*l.Elem.Size, fmt.Sprintf("%s[%d]", path, i)); e != nil {
				return e
			}
		}
	case layout.Struct, layout.Union:
		for _, f := range l.Fields {
			if f.Blank {
				continue
			}
			if e := refCheck(f.Layout, b, off+f.Offset, joinPath(path, f.Name)); e != nil {
				return e
			}
		}
	case layout.Variant:
		tag := l.Fields[0]
		v := loadLE(b[off+tag.Offset:], tag.Layout.Size)
		for _, f := range l.Fields[1:] {
			if f.Case == v {
				return refCheck(f.Layout, b, off+f.Offset, joinPath(path, f.Name))
			}
		}
		return &refError{joinPath(path, tag.Name), off + tag.Offset, v}
	}
	return nil
}

// differential decodes mutated byte images of T and checks that marshal
// accepts exactly those the reference accepts, and names the same field.
func differential[T any](t *testing.T, abi layout.ABI, seed uint64) {
	c := mustFor[T](t, abi)
	l := c.Layout()
	name := fmt.Sprintf("%s/%s", reflect.TypeFor[T](), abi)
	r := rand.New(rand.NewPCG(seed, abi.PointerSize()))
	values := []byte{0, 1, 2, 3, 4, 7, 8, 0x1f, 0x20, 0x40, 0x7f, 0x80, 0xe7, 0xe8, 0xff}
	var valid, invalid int
	for range 3000 {
		// Start from zeros, which are valid for these types, and change a
		// byte or two. The buffer is one byte longer and offset by one on
		// odd rounds, so both aligned and unaligned sources are decoded.
		buf := make([]byte, c.Size()+1)
		img := buf[r.IntN(2):][:c.Size()]
		for range 1 + r.IntN(2) {
			img[r.IntN(len(img))] = values[r.IntN(len(values))]
		}
		var v T
		err := c.Decode(img, &v, nil)
		want := refCheck(l, img, 0, "")
		if want == nil {
			valid++
			if err != nil {
				t.Fatalf("%s: Decode(% x) = %v; the reference finds it valid", name, img, err)
			}
			// What was read writes back to the same bytes, padding kept.
			again := bytes.Clone(img)
			if err := c.Encode(again, &v); err != nil {
				t.Fatalf("%s: Encode of a decoded value: %v", name, err)
			}
			if !bytes.Equal(again, img) {
				t.Fatalf("%s: bytes % x decode and encode to % x", name, img, again)
			}
			continue
		}
		invalid++
		var fe *marshal.FieldError
		if !errors.As(err, &fe) {
			t.Fatalf("%s: Decode(% x) = %v; the reference finds %+v", name, img, err, want)
		}
		if got := (refError{fe.Path.String(), fe.Offset, fe.Value}); got != *want {
			t.Fatalf("%s: Decode(% x): FieldError %+v, reference %+v", name, img, got, *want)
		}
	}
	if valid < 100 || invalid < 100 {
		t.Errorf("%s: %d valid and %d invalid images: too few of one", name, valid, invalid)
	}
}

func TestDecodeMatchesReference(t *testing.T) {
	for i, abi := range []layout.ABI{layout.Wasm32, layout.Wasm64} {
		seed := uint64(i)
		differential[bools3](t, abi, seed)
		differential[bools5](t, abi, seed)
		differential[bools7](t, abi, seed)
		differential[bools9](t, abi, seed)
		differential[mixA](t, abi, seed)
		differential[mixB](t, abi, seed)
		differential[mixC](t, abi, seed)
		differential[mixD](t, abi, seed)
		differential[fdstat](t, abi, seed)
		differential[[3]fdstat](t, abi, seed)
		differential[notCopied](t, abi, seed)
		differential[boolUnion](t, abi, seed)
		differential[event](t, abi, seed)
		differential[kinds](t, abi, seed)
	}
}
