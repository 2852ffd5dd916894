package canonical

import (
	"encoding/binary"
	"errors"
	"reflect"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/guestkit/guestkit/layout"
)

type res1 struct{}
type res2 struct{}

// trapRow is one trap condition of the spec's lift or lower: run returns
// the error it must give.
type trapRow struct {
	name string
	want error
	path string // the error's Path
	run  func(cx *Context, b *bump) error
}

func put32(cx *Context, at uint64, vs ...uint32) {
	for i, v := range vs {
		binary.LittleEndian.PutUint32(cx.Memory.Bytes()[at+4*uint64(i):], v)
	}
}

func load[T any](cx *Context, ptr uint64) error {
	c, err := For[T](cx.Memory.ABI())
	if err != nil {
		return err
	}
	_, err = c.Load(cx, ptr)
	return err
}

func liftFlat[T any](cx *Context, flat ...uint64) error {
	c, err := For[T](cx.Memory.ABI())
	if err != nil {
		return err
	}
	_, err = c.LiftFlat(cx, flat)
	return err
}

func store[T any](cx *Context, v T) error {
	c, err := For[T](cx.Memory.ABI())
	if err != nil {
		return err
	}
	return c.Store(cx, 64, v)
}

type named struct {
	Name string
	Tags []string
}

type withChar struct{ C []Char }

type v3 struct {
	Tag uint8    `guest:",tag"`
	A   struct{} `guest:",case=0"`
	B   uint32   `guest:",case=1"`
	C   string   `guest:",case=2"`
}

type big17 struct {
	A, B, C, D, E, F, G, H, I, J, K, L, M, N, O, P, Q uint32
}

func trapRows() []trapRow {
	const memSize = 1 << 16
	return []trapRow{
		// char
		{"lift char >= 0x110000", ErrInvalidChar, "", func(cx *Context, _ *bump) error { put32(cx, 64, 0x110000); return load[Char](cx, 64) }},
		{"lift char surrogate", ErrInvalidChar, "", func(cx *Context, _ *bump) error { put32(cx, 64, 0xD800); return load[Char](cx, 64) }},
		{"lift flat char surrogate", ErrInvalidChar, "", func(cx *Context, _ *bump) error { return liftFlat[Char](cx, 0xDFFF) }},
		{"lift char in list", ErrInvalidChar, "C[1]", func(cx *Context, _ *bump) error {
			put32(cx, 64, 128, 2)
			put32(cx, 128, 'a', 0x7fffffff)
			return load[withChar](cx, 64)
		}},
		// string
		{"lift string utf8 too long", ErrStringTooLong, "Name", func(cx *Context, _ *bump) error {
			put32(cx, 64, 0, MaxStringByteLength+1)
			return load[named](cx, 64)
		}},
		{"lift string utf16 too long", ErrStringTooLong, "", func(cx *Context, _ *bump) error {
			cx.Encoding = UTF16
			return liftFlat[string](cx, 0, MaxStringByteLength/2+1)
		}},
		{"lift string latin1+utf16 tagged too long", ErrStringTooLong, "", func(cx *Context, _ *bump) error {
			cx.Encoding = Latin1UTF16
			return liftFlat[string](cx, 0, 1<<31|(MaxStringByteLength/2+1))
		}},
		{"lift string utf16 misaligned", ErrMisaligned, "", func(cx *Context, _ *bump) error {
			cx.Encoding = UTF16
			return liftFlat[string](cx, 65, 1)
		}},
		{"lift string latin1+utf16 misaligned", ErrMisaligned, "", func(cx *Context, _ *bump) error {
			cx.Encoding = Latin1UTF16
			return liftFlat[string](cx, 65, 1)
		}},
		{"lift string out of bounds", ErrOutOfBounds, "", func(cx *Context, _ *bump) error { return liftFlat[string](cx, memSize-1, 2) }},
		{"lift string wraps wasm32", ErrOutOfBounds, "", func(cx *Context, _ *bump) error { return liftFlat[string](cx, 1<<32-1, 2) }},
		{"lift invalid UTF-8", ErrInvalidUTF8, "Tags[1]", func(cx *Context, _ *bump) error {
			put32(cx, 64, 0, 0, 128, 2)
			put32(cx, 128, 0, 0, 256, 2)
			cx.Memory.Bytes()[256] = 0xC0
			cx.Memory.Bytes()[257] = 0x80
			return load[named](cx, 64)
		}},
		{"lift lone high surrogate", ErrInvalidUTF16, "", func(cx *Context, _ *bump) error {
			cx.Encoding = UTF16
			binary.LittleEndian.PutUint16(cx.Memory.Bytes()[128:], 0xD800)
			binary.LittleEndian.PutUint16(cx.Memory.Bytes()[130:], 'a')
			return liftFlat[string](cx, 128, 2)
		}},
		{"lift lone low surrogate", ErrInvalidUTF16, "", func(cx *Context, _ *bump) error {
			cx.Encoding = Latin1UTF16
			binary.LittleEndian.PutUint16(cx.Memory.Bytes()[128:], 0xDC00)
			return liftFlat[string](cx, 128, 1<<31|1)
		}},
		{"lift trailing high surrogate", ErrInvalidUTF16, "", func(cx *Context, _ *bump) error {
			cx.Encoding = UTF16
			binary.LittleEndian.PutUint16(cx.Memory.Bytes()[128:], 0xDBFF)
			return liftFlat[string](cx, 128, 1)
		}},
		// list
		{"lift list too long", ErrListTooLong, "", func(cx *Context, _ *bump) error { return liftFlat[[]uint32](cx, 0, 1<<26) }},
		{"lift list too long (length overflows)", ErrListTooLong, "", func(cx *Context, _ *bump) error {
			return liftFlat[[]uint64](cx, 0, 1<<32-1)
		}},
		{"lift list misaligned", ErrMisaligned, "", func(cx *Context, _ *bump) error { return liftFlat[[]uint32](cx, 66, 1) }},
		{"lift list out of bounds", ErrOutOfBounds, "", func(cx *Context, _ *bump) error { return liftFlat[[]uint32](cx, memSize-4, 2) }},
		{"lift nested list out of bounds", ErrOutOfBounds, "[0]", func(cx *Context, _ *bump) error {
			put32(cx, 128, memSize, 1)
			return liftFlat[[][]byte](cx, 128, 1)
		}},
		// variants
		{"lift variant discriminant", ErrInvalidDiscriminant, "", func(cx *Context, _ *bump) error {
			cx.Memory.Bytes()[64] = 3
			return load[v3](cx, 64)
		}},
		{"lift flat variant discriminant", ErrInvalidDiscriminant, "", func(cx *Context, _ *bump) error { return liftFlat[v3](cx, 3, 0, 0) }},
		{"lift enum discriminant", ErrInvalidDiscriminant, "", func(cx *Context, _ *bump) error { cx.Memory.Bytes()[64] = 3; return load[color](cx, 64) }},
		{"lift flat enum discriminant", ErrInvalidDiscriminant, "", func(cx *Context, _ *bump) error { return liftFlat[enum257](cx, 257) }},
		{"lift option discriminant", ErrInvalidDiscriminant, "", func(cx *Context, _ *bump) error {
			cx.Memory.Bytes()[64] = 2
			return load[Option[uint8]](cx, 64)
		}},
		{"lift result discriminant", ErrInvalidDiscriminant, "", func(cx *Context, _ *bump) error { return liftFlat[Result[uint32, string]](cx, 2, 0, 0) }},
		{"lift nested discriminant", ErrInvalidDiscriminant, "some", func(cx *Context, _ *bump) error { return liftFlat[Option[Option[uint8]]](cx, 1, 7, 0) }},
		// handles
		{"lift own: index past table", ErrInvalidHandle, "", func(cx *Context, _ *bump) error { return liftFlat[Own[res1]](cx, 5) }},
		{"lift own: index 0", ErrInvalidHandle, "", func(cx *Context, _ *bump) error { return liftFlat[Own[res1]](cx, 0) }},
		{"lift own: empty slot", ErrInvalidHandle, "", func(cx *Context, _ *bump) error {
			i, _ := cx.Handles.New(reflect.TypeFor[res1](), 7)
			if err := liftFlat[Own[res1]](cx, uint64(i)); err != nil {
				return err
			}
			return liftFlat[Own[res1]](cx, uint64(i))
		}},
		{"lift own: wrong resource type", ErrHandleType, "", func(cx *Context, _ *bump) error {
			i, _ := cx.Handles.New(reflect.TypeFor[res2](), 7)
			return liftFlat[Own[res1]](cx, uint64(i))
		}},
		{"lift own: lent", ErrHandleLent, "", func(cx *Context, _ *bump) error {
			i, _ := cx.Handles.New(reflect.TypeFor[res1](), 7)
			cx.Scope = NewScope(cx.Handles)
			if err := liftFlat[Borrow[res1]](cx, uint64(i)); err != nil {
				return err
			}
			return liftFlat[Own[res1]](cx, uint64(i))
		}},
		{"lift own: a borrow", ErrNotOwner, "", func(cx *Context, _ *bump) error {
			s := NewScope(cx.Handles)
			i, _ := cx.Handles.lowerBorrow(reflect.TypeFor[res1](), 7, s)
			return liftFlat[Own[res1]](cx, uint64(i))
		}},
		{"lift borrow: invalid", ErrInvalidHandle, "", func(cx *Context, _ *bump) error { return liftFlat[Borrow[res1]](cx, 9) }},
		{"lift borrow: wrong resource type", ErrHandleType, "", func(cx *Context, _ *bump) error {
			i, _ := cx.Handles.New(reflect.TypeFor[res2](), 7)
			return liftFlat[Borrow[res1]](cx, uint64(i))
		}},
		{"lift own in memory: invalid", ErrInvalidHandle, "[1]", func(cx *Context, _ *bump) error {
			i, _ := cx.Handles.New(reflect.TypeFor[res1](), 7)
			put32(cx, 64, i, 99)
			return load[[2]Own[res1]](cx, 64)
		}},
		{"resource.drop: lent", ErrHandleLent, "", func(cx *Context, _ *bump) error {
			i, _ := cx.Handles.New(reflect.TypeFor[res1](), 7)
			cx.Scope = NewScope(cx.Handles)
			if err := liftFlat[Borrow[res1]](cx, uint64(i)); err != nil {
				return err
			}
			_, _, err := cx.Handles.Drop(reflect.TypeFor[res1](), i)
			return err
		}},
		{"resource.drop: wrong type", ErrHandleType, "", func(cx *Context, _ *bump) error {
			i, _ := cx.Handles.New(reflect.TypeFor[res1](), 7)
			_, _, err := cx.Handles.Drop(reflect.TypeFor[res2](), i)
			return err
		}},
		{"resource.rep: invalid", ErrInvalidHandle, "", func(cx *Context, _ *bump) error {
			_, err := cx.Handles.Rep(reflect.TypeFor[res1](), 3)
			return err
		}},
		{"call end: borrows remain", ErrBorrowsRemain, "", func(cx *Context, _ *bump) error {
			cx.Scope = NewScope(cx.Handles)
			c, _ := For[Borrow[res1]](cx.Memory.ABI())
			if _, err := c.LowerFlat(cx, Borrow[res1]{Rep: 1}, nil); err != nil {
				return err
			}
			return cx.Scope.End()
		}},
		{"table full", ErrTableFull, "", func(cx *Context, _ *bump) error {
			cx.Handles.entries = make([]*handle, MaxHandles+1)
			_, err := cx.Handles.New(reflect.TypeFor[res1](), 1)
			return err
		}},
		// spilled params and results
		{"spilled params misaligned", ErrMisaligned, "", func(cx *Context, _ *bump) error {
			f, _ := FuncOf[big17, struct{}](cx.Memory.ABI())
			_, err := f.LiftArgs(cx, []uint64{66})
			return err
		}},
		{"spilled params out of bounds", ErrOutOfBounds, "", func(cx *Context, _ *bump) error {
			f, _ := FuncOf[big17, struct{}](cx.Memory.ABI())
			_, err := f.LiftArgs(cx, []uint64{memSize - 64})
			return err
		}},
		{"spilled result misaligned", ErrMisaligned, "", func(cx *Context, _ *bump) error {
			f, _ := FuncOf[struct{}, named](cx.Memory.ABI())
			_, err := f.LiftResult(cx, []uint64{2})
			return err
		}},
		{"spilled result out of bounds", ErrOutOfBounds, "", func(cx *Context, _ *bump) error {
			f, _ := FuncOf[struct{}, named](cx.Memory.ABI())
			_, err := f.LiftResult(cx, []uint64{memSize - 8})
			return err
		}},
		{"result out-param misaligned", ErrMisaligned, "", func(cx *Context, _ *bump) error {
			f, _ := FuncOf[struct{}, named](cx.Memory.ABI())
			r := named{Name: "x"}
			_, err := f.LowerResult(cx, &r, []uint64{3}, nil)
			return err
		}},
		{"result out-param out of bounds", ErrOutOfBounds, "", func(cx *Context, _ *bump) error {
			f, _ := FuncOf[struct{}, named](cx.Memory.ABI())
			r := named{Name: "x"}
			_, err := f.LowerResult(cx, &r, []uint64{memSize}, nil)
			return err
		}},
		// realloc results
		{"realloc misaligned (list)", ErrMisaligned, "Tags", func(cx *Context, b *bump) error {
			b.badAt, b.bad = 1, func(p uint64) uint64 { return p + 1 }
			return store(cx, named{Name: "n", Tags: []string{"a"}})
		}},
		{"realloc out of bounds (utf8 string)", ErrOutOfBounds, "Name", func(cx *Context, b *bump) error {
			b.badAt, b.bad = 0, func(uint64) uint64 { return memSize - 1 }
			return store(cx, named{Name: "nn"})
		}},
		{"realloc misaligned (utf16 string)", ErrMisaligned, "", func(cx *Context, b *bump) error {
			cx.Encoding = UTF16
			b.badAt, b.bad = 0, func(p uint64) uint64 { return p + 1 }
			return store(cx, "x")
		}},
		{"realloc out of bounds (utf16 shrink)", ErrOutOfBounds, "", func(cx *Context, b *bump) error {
			cx.Encoding = UTF16
			b.badAt, b.bad = 1, func(uint64) uint64 { return memSize }
			return store(cx, "é")
		}},
		{"realloc misaligned (latin1+utf16 inflate)", ErrMisaligned, "", func(cx *Context, b *bump) error {
			cx.Encoding = Latin1UTF16
			b.badAt, b.bad = 1, func(p uint64) uint64 { return p + 1 }
			return store(cx, "aé✓")
		}},
		{"realloc out of bounds (latin1 shrink)", ErrOutOfBounds, "", func(cx *Context, b *bump) error {
			cx.Encoding = Latin1UTF16
			b.badAt, b.bad = 1, func(uint64) uint64 { return memSize }
			return store(cx, "aé")
		}},
		{"realloc misaligned (spilled params)", ErrMisaligned, "", func(cx *Context, b *bump) error {
			b.badAt, b.bad = 0, func(p uint64) uint64 { return p + 2 }
			f, _ := FuncOf[big17, struct{}](cx.Memory.ABI())
			_, err := f.LowerArgs(cx, &big17{}, nil)
			return err
		}},
		{"no realloc", ErrNoRealloc, "", func(cx *Context, _ *bump) error { cx.Realloc = nil; return store(cx, "x") }},
		// host values, refused before anything is written
		{"lower invalid char", ErrHostValue, "C[0]", func(cx *Context, _ *bump) error { return store(cx, withChar{C: []Char{0xD800}}) }},
		{"lower invalid UTF-8", ErrHostValue, "Tags[0]", func(cx *Context, _ *bump) error { return store(cx, named{Tags: []string{"\xff"}}) }},
		{"lower variant tag", ErrHostValue, "", func(cx *Context, _ *bump) error { return store(cx, v3{Tag: 3}) }},
		{"lower enum", ErrHostValue, "", func(cx *Context, _ *bump) error { return store(cx, color(3)) }},
		{"lower flags", ErrHostValue, "", func(cx *Context, _ *bump) error { return store(cx, perms(1<<10)) }},
		{"lower misaligned destination", ErrMisaligned, "", func(cx *Context, _ *bump) error {
			c, _ := For[uint32](cx.Memory.ABI())
			return c.Store(cx, 2, 1)
		}},
		{"load out of bounds", ErrOutOfBounds, "", func(cx *Context, _ *bump) error { return load[uint64](cx, memSize-8+8) }},
	}
}

func TestTraps(t *testing.T) {
	for _, row := range trapRows() {
		t.Run(row.name, func(t *testing.T) {
			cx, b := newCx(layout.Wasm32, UTF8)
			err := row.run(cx, b)
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("got %v (%T), want an *Error wrapping %v", err, err, row.want)
			}
			if !errors.Is(err, row.want) {
				t.Errorf("got %v, want %v", err, row.want)
			}
			if d := cmp.Diff(row.path, e.Path.String()); d != "" {
				t.Errorf("path (-want +got):\n%s\nerror: %v", d, err)
			}
		})
	}
}

// TestHostValueWritesNothing checks a refused Go value (other than a
// string, which is checked as it is lowered) changes no guest byte and
// calls no realloc.
func TestHostValueWritesNothing(t *testing.T) {
	cx, b := newCx(layout.Wasm32, UTF8)
	before := append([]byte(nil), cx.Memory.Bytes()...)
	err := store(cx, withChar{C: []Char{'a', 0xDFFF}})
	if !errors.Is(err, ErrHostValue) {
		t.Fatalf("got %v", err)
	}
	if len(b.calls) != 0 || string(before) != string(cx.Memory.Bytes()) {
		t.Errorf("memory changed or realloc called %d times", len(b.calls))
	}
}
