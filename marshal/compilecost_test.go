package marshal_test

import (
	"errors"
	"reflect"
	"runtime"
	"testing"

	"github.com/guestkit/guestkit/layout"
	"github.com/guestkit/guestkit/marshal"
)

// allocatedBy returns the bytes f allocates.
func allocatedBy(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// nested returns a struct type nested depth levels deep around a checked
// field: struct{ A struct{ A ... struct{ B bool; N uint32 } } }.
func nested(depth int) reflect.Type {
	t := reflect.TypeFor[struct {
		B bool
		N uint32
	}]()
	for range depth {
		t = reflect.StructOf([]reflect.StructField{{Name: "A", Type: t}})
	}
	return t
}

// TestCompileCost compiles host types that used to blow up: checks were
// merged by a quadratic search ([1<<15]bool took 1.2 s, [1<<20]bool
// minutes) and field paths were rebuilt as strings at each level (2,000
// levels allocated 4.8 GiB). Compiling is now near-linear in time and
// memory; the test bounds the memory, which a quadratic compile would
// exceed by orders of magnitude, and checks the codecs work.
func TestCompileCost(t *testing.T) {
	for _, tc := range []struct {
		name  string
		typ   reflect.Type
		limit uint64 // bytes the compile may allocate
	}{
		{"[1<<15]bool", reflect.TypeFor[[1 << 15]bool](), 16 << 20},
		{"[1<<20]bool", reflect.TypeFor[[1 << 20]bool](), 256 << 20},
		{"2000 levels", nested(2000), 64 << 20},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var l *layout.Layout
			n := allocatedBy(func() {
				var err error
				if l, err = layout.Of(tc.typ, layout.Wasm32); err != nil {
					t.Fatal(err)
				}
				v := reflect.New(tc.typ)
				if err := marshal.Decode(layout.Wasm32, make([]byte, l.Size), v.Interface()); err != nil {
					t.Fatal(err)
				}
			})
			if n > tc.limit {
				t.Errorf("compiling %s allocated %d MiB, want at most %d MiB", tc.name, n>>20, tc.limit>>20)
			}
			// A bad bool is found and named, however deep.
			t.Logf("compiled in %d KiB", n>>10)
			img := make([]byte, l.Size)
			img[0] = 2
			err := marshal.Decode(layout.Wasm32, img, reflect.New(tc.typ).Interface())
			var fe *marshal.FieldError
			if !errors.As(err, &fe) || fe.Offset != 0 || !errors.Is(err, marshal.ErrInvalidBool) {
				t.Errorf("a bad first bool: %v, want an invalid bool at offset 0", err)
			}
		})
	}
}
